"""A funder contact sees only the published reports of its own funder's agreements."""

from datetime import date

import pytest

from coop import timeutil
from coop.extensions import db
from coop.kpis import reports


@pytest.fixture
def two_funders(small_coop, make_agreement, make_funder, make_user, monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda: date(2026, 4, 15))
    utrecht, fonds = make_funder("Gemeente Utrecht"), make_funder("Oranje Fonds")
    ours = make_agreement(funder=utrecht, reference="UTR-1")
    theirs = make_agreement(funder=fonds, reference="ORANJE-1")
    published = reports.open_report(ours, date(2026, 1, 1), date(2026, 3, 31))
    reports.save_narrative(published, "Het eerste kwartaal in de huiskamer.")
    version = reports.publish(published)
    draft = reports.open_report(ours, date(2026, 4, 1), date(2026, 6, 30))  # unpublished
    other = reports.publish(reports.open_report(theirs, date(2026, 1, 1), date(2026, 3, 31)))
    contact = make_user(roles=["funder"])
    reports.link_contact(contact, utrecht)
    db.session.commit()
    return {"contact": contact, "version": version, "other": other, "draft": draft}


def test_the_contact_sees_and_downloads_its_own_published_report(two_funders, client,
                                                                  login_as):
    login_as(two_funders["contact"])
    version = two_funders["version"]
    page = client.get("/reports/").get_data(as_text=True)
    assert "UTR-1" in page and "ORANJE-1" not in page
    assert page.count("/reports/") >= 1 and "30-06-2026" not in page  # no draft
    page = client.get(f"/reports/{version.id}").get_data(as_text=True)
    assert "Het eerste kwartaal in de huiskamer." in page
    assert "<svg" in page  # the charts
    response = client.get(f"/reports/{version.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == version.pdf
    response = client.get(f"/reports/{version.id}?format=csv")
    assert response.mimetype == "text/csv" and "Vrijwilligersuren" in response.get_data(
        as_text=True)
    response = client.get(f"/reports/{version.id}?format=xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_the_contact_cannot_see_another_funders_report(two_funders, client, login_as):
    login_as(two_funders["contact"])
    other = two_funders["other"]
    assert client.get(f"/reports/{other.id}").status_code == 404
    assert client.get(f"/reports/{other.id}.pdf").status_code == 404
    assert client.get(f"/reports/{other.id}?format=csv").status_code == 404


def test_the_contact_sees_nothing_else(two_funders, client, login_as):
    login_as(two_funders["contact"])
    draft = two_funders["draft"]
    for path in (f"/kpis/reports/{draft.id}", f"/kpis/reports/{draft.id}/preview.pdf",
                 "/kpis/", "/members/", "/finance/funders/", "/dashboard/"):
        assert client.get(path).status_code == 403, path
    assert client.get("/").location.endswith("/reports/")


def test_an_unlinked_funder_account_sees_no_reports(two_funders, client, login_as,
                                                    make_user):
    login_as(make_user(roles=["funder"]))
    page = client.get("/reports/").get_data(as_text=True)
    assert "UTR-1" not in page and "nog geen rapportages" in page
    assert client.get(f"/reports/{two_funders['version'].id}").status_code == 404
