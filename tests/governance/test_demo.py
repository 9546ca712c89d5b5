"""The demo coop's bodies: a board, RvT and kascommissie with staggered terms, one term
ending within three months."""

from coop import timeutil
from coop.extensions import db
from coop.governance import services
from tests.pages import Page


def test_demo_has_staggered_terms_and_one_ending_within_three_months(app, client):
    result = app.test_cli_runner().invoke(args=["coop", "load-demo"])
    assert result.exit_code == 0, result.output

    today = timeutil.local_today()
    warnings = services.term_warnings(today)
    assert [(t["name"], t["position"]) for t in warnings["ending"]] == [
        ("Joost van Leeuwen", "secretaris")]
    assert warnings["audit_committee_short"] is None
    bodies = {b["name"]: b for b in services.current_bodies(today)}
    assert {"Bestuur", "Raad van toezicht", "Kascommissie"} <= bodies.keys()
    assert len(bodies["Kascommissie"]["members"]) == 2
    end_years = {t["last_day"].year for group in services.rotation_schedule(
        today.year, 5, today) for t in group["terms"]}
    assert len(end_years) >= 3  # staggered over the coming years
    db.session.remove()

    client.post("/login", data={"email": "voorzitter@oosterlicht.example",
                                "password": "oosterlicht-demo"})
    dashboard = Page(client.get("/dashboard/").text)
    assert "Joost van Leeuwen" in dashboard.by_id("terms-ending").text
