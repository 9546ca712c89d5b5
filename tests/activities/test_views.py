"""The coordinator's pages: the quick-entry week table (several rows at once, repeat
last week, bad input refused at its field with nothing saved), scope, and the board's
places, events and counts."""

from datetime import date

import pytest
from icalendar import Calendar

from coop.activities import services
from coop.activities.models import (
    Activity,
    InitiativeCount,
    InitiativeKeyFigure,
    InitiativePartner,
    NeighbourhoodEvent,
    PlaceMonthFigure,
    TheoryOfChange,
)
from coop.extensions import db
from tests.activities.conftest import values


def _count(model=Activity):
    return db.session.scalar(db.select(db.func.count(model.id)))


def _row(number, **cells):
    return {f"rows-{number}-{name}": value for name, value in cells.items()}


def _week_post(initiative, *rows, place=""):
    data = {"initiative": str(initiative.id), "place": str(place)}
    for row in rows:
        data.update(row)
    return data


def test_a_coordinator_enters_several_activities_at_once(
        client, login_as, today, garden, centre, coordinator):
    login_as(coordinator)
    page = client.get(f"/activities/week?initiative={garden.id}")
    assert page.status_code == 200
    assert "Activiteiten van de week van" in page.text

    response = client.post("/activities/week?week=2026-11-23", data=_week_post(
        garden,
        _row(0, activity_date="2026-11-23", title="Koffie-ochtend", participants="14",
             new_participants="2", volunteers="3", organised_by_residents="y"),
        _row(1, activity_date="2026-11-25", start_time="19:30", title="Taalcafé",
             participants="8", costs="12,50", public="y"),
        _row(2, activity_date="2026-11-28", title="Kerstmarkt voorbereiden", planned="y"),
        place=centre.id), follow_redirects=True)

    assert "3 activiteiten opgeslagen." in response.text
    saved = db.session.scalars(db.select(Activity).order_by(Activity.activity_date)).all()
    assert [(a.title, a.participants, a.place_id, a.planned) for a in saved] == [
        ("Koffie-ochtend", 14, centre.id, False), ("Taalcafé", 8, centre.id, False),
        ("Kerstmarkt voorbereiden", 0, centre.id, True)]
    assert saved[1].costs_cents == 1250 and saved[1].public
    assert saved[0].organised_by_residents
    # The initiative and the place are kept for the next batch.
    assert f'<option selected value="{garden.id}">' in response.text
    assert f'<option selected value="{centre.id}">' in response.text


@pytest.mark.parametrize(("cells", "message"), [
    ({"participants": "-3"}, "Het aantal deelnemers kan niet negatief zijn."),
    ({"participants": "5000"}, "Meer dan 1000 deelnemers is niet aannemelijk"),
    ({"participants": "5", "new_participants": "6"},
     "Er kunnen niet meer nieuwe deelnemers zijn dan deelnemers."),
    ({"activity_date": "2026-11-30"}, "Deze datum ligt in de toekomst"),
    ({"activity_date": "30-11"}, "Vul een datum in zoals 2026-01-31."),
    ({"costs": "-4"}, "Het bedrag kan niet negatief zijn."),
    ({"participants": "veel"}, "Not a valid integer value."),
])
def test_one_bad_row_refuses_the_whole_table_with_the_message_at_its_field(
        client, login_as, today, garden, coordinator, cells, message):
    login_as(coordinator)
    bad = {"activity_date": "2026-11-24", "title": "Fout", **cells}
    response = client.post("/activities/week?week=2026-11-23", data=_week_post(
        garden, _row(0, activity_date="2026-11-23", title="Goed", participants="4"),
        _row(1, **bad)))

    assert response.status_code == 422
    assert "Er is niets opgeslagen." in response.text
    assert "Regel 2" in response.text
    if message != "Not a valid integer value.":
        assert message in response.text
    assert 'class="row-error"' in response.text
    assert _count() == 0


def test_repeat_last_week_fills_the_table_with_planned_rows_to_confirm(
        client, login_as, today, garden, coordinator):
    services.create_activities([
        values(garden, activity_date=date(2026, 11, 16), title="Tuinieren op maandag"),
        values(garden, activity_date=date(2026, 11, 20), title="Vrijdagborrel")],
        coordinator)
    db.session.commit()
    login_as(coordinator)

    page = client.get(f"/activities/week?week=2026-11-23&initiative={garden.id}&repeat=1")

    assert 'value="Tuinieren op maandag"' in page.text
    assert 'value="2026-11-23"' in page.text and 'value="2026-11-27"' in page.text
    assert '<input checked id="rows-0-planned"' in page.text
    assert '<input checked id="rows-1-planned"' in page.text
    assert _count() == 2  # nothing saved until confirmed

    response = client.post("/activities/week?week=2026-11-23", data=_week_post(
        garden, _row(0, activity_date="2026-11-23", title="Tuinieren op maandag",
                     participants="9"),
        _row(1, activity_date="2026-11-27", title="Vrijdagborrel", planned="y")),
        follow_redirects=True)
    assert "2 activiteiten opgeslagen." in response.text
    assert _count() == 4


def test_a_coordinator_cannot_enter_or_open_another_initiatives_activities(
        client, login_as, today, garden, cafe, coordinator, make_user):
    [other] = services.create_activities([values(cafe)], make_user(roles=["board"]))
    db.session.commit()
    login_as(coordinator)

    response = client.post("/activities/week", data=_week_post(
        cafe, _row(0, activity_date="2026-11-23", title="Stiekem")))
    assert response.status_code == 403
    assert client.get(f"/activities/{other.id}").status_code == 403
    assert client.post(f"/activities/{other.id}/delete").status_code == 403
    assert client.get(f"/activities/initiatives/{cafe.id}").status_code == 403
    assert _count() == 1
    assert cafe.name not in client.get("/activities/week").text


def test_someone_who_coordinates_nothing_gets_403(client, login_as, make_user, garden):
    login_as(make_user(roles=["volunteer"]))
    assert client.get("/activities/week").status_code == 403


def test_a_planned_activity_is_confirmed_with_its_numbers(
        client, login_as, today, garden, coordinator):
    [planned] = services.create_activities([values(
        garden, activity_date=date(2026, 11, 26), planned=True, participants=0,
        new_participants=0, costs_cents=1250)], coordinator)
    db.session.commit()
    login_as(coordinator)
    page = client.get(f"/activities/{planned.id}").text
    assert 'value="12,50"' in page and 'value="Koffie-ochtend"' in page
    assert "Deze activiteit is gepland." in page
    form = {"initiative": str(garden.id), "activity_date": "2026-11-26",
            "title": "Koffie-ochtend", "participants": "11", "new_participants": "1",
            "volunteers": "2"}

    bad = client.post(f"/activities/{planned.id}", data={**form, "new_participants": "12"})
    assert bad.status_code == 422
    assert "Er kunnen niet meer nieuwe deelnemers zijn dan deelnemers." in bad.text

    client.post(f"/activities/{planned.id}", data=form)
    db.session.refresh(planned)
    assert (planned.planned, planned.participants) == (False, 11)


def test_theory_partners_and_key_figures(client, login_as, garden, coordinator):
    login_as(coordinator)
    url = f"/activities/initiatives/{garden.id}"

    refused = client.post(f"{url}/theory", data={"target_group": " ", "approach": "Samen"})
    assert refused.status_code == 422
    assert "Voor wie is het? Noem de doelgroep." in refused.text
    assert _count(TheoryOfChange) == 0

    client.post(f"{url}/theory", data={
        "target_group": "Bewoners van Oosterlicht", "approach": "Samen tuinieren\nWeinig regels",
        "direct_effects": "Bewoners kennen elkaar", "indirect_contributions": "Sociale cohesie"})
    client.post(f"{url}/partners", data={"name": "Woonstede", "role": "housing"})
    client.post(f"{url}/key-figures", data={"value": "15", "label": "kinderen komen geregeld"})
    page = client.get(url).text

    assert "<li>Weinig regels</li>" in page
    assert "Woonstede" in page and "Woningcorporatie" in page
    assert "<strong>15</strong> kinderen komen geregeld" in page

    unknown_role = client.post(f"{url}/partners", data={"name": "X", "role": "bank"})
    assert unknown_role.status_code == 422
    assert _count(InitiativePartner) == 1
    empty = client.post(f"{url}/key-figures", data={"value": "", "label": "iets"})
    assert empty.status_code == 422
    assert _count(InitiativeKeyFigure) == 1


def test_places_and_their_month_figures(client, login_as, today, make_user):
    login_as(make_user(roles=["board"]))
    bad = client.post("/activities/places", data={
        "name": "Het Badhuis", "kind": "community_centre", "opening_days_per_week": "9"})
    assert bad.status_code == 422
    assert "Een week heeft 0 tot 7 dagen." in bad.text

    client.post("/activities/places", data={
        "name": "Het Badhuis", "kind": "community_centre", "opening_days_per_week": "5",
        "financially_supported": "y", "records_visitors": "y", "records_bar_turnover": "y",
        "active": "y"})
    client.post("/activities/places", data={"name": "Buurtapp", "kind": "whatsapp_group",
                                            "active": "y"})
    from coop.activities.models import MeetingPlace
    badhuis = db.session.scalar(db.select(MeetingPlace).filter_by(name="Het Badhuis"))
    app_group = db.session.scalar(db.select(MeetingPlace).filter_by(name="Buurtapp"))
    assert app_group.is_digital and app_group.opening_days_per_week is None

    client.post(f"/activities/places/{badhuis.id}/months", data={
        "month": "2026-10", "visitors_per_day": "35", "bar_turnover": "1.825,00"})
    figure = db.session.scalar(db.select(PlaceMonthFigure))
    assert (figure.month, figure.visitors_per_day, figure.bar_turnover_cents) == (
        date(2026, 10, 1), 35, 182500)

    for data, message in [
        ({"month": "2027-01", "visitors_per_day": "3"}, "Deze maand is nog niet begonnen."),
        ({"month": "2026-09", "visitors_per_day": "-1"},
         "Het aantal bezoekers kan niet negatief zijn."),
        ({"month": "sept", "visitors_per_day": "3"}, "Vul een maand in zoals 2026-03."),
    ]:
        response = client.post(f"/activities/places/{badhuis.id}/months", data=data)
        assert response.status_code == 422
        assert message in response.text
    response = client.post(f"/activities/places/{app_group.id}/months",
                           data={"month": "2026-09", "visitors_per_day": "3"})
    assert "Deze plek houdt geen bezoekers bij." in response.text
    assert _count(PlaceMonthFigure) == 1


def test_events_and_counts(client, login_as, today, garden, make_user):
    login_as(make_user(roles=["board"]))
    refused = client.post("/activities/events", data={
        "event_date": "2026-06-20", "name": "Buurtfeest", "present": "y",
        "sponsored_amount": "250"})
    assert "Een bedrag hoort alleen bij een gesponsord evenement." in refused.text
    neither = client.post("/activities/events", data={"event_date": "2026-06-20",
                                                      "name": "Buurtfeest"})
    assert "Vink aan of de coöperatie aanwezig was" in neither.text
    assert _count(NeighbourhoodEvent) == 0
    client.post("/activities/events", data={
        "event_date": "2026-06-20", "name": "Buurtfeest", "sponsored": "y",
        "sponsored_amount": "250"})
    event = db.session.scalar(db.select(NeighbourhoodEvent))
    assert (event.sponsored, event.sponsored_cents, event.present) == (True, 25000, False)

    base = {"initiative": str(garden.id), "kind": "peer_groups",
            "period_start": "2026-10-01", "period_end": "2026-10-31", "count": "4"}
    backwards = client.post("/activities/counts", data={**base, "period_end": "2026-09-30"})
    assert "De periode eindigt voordat ze begint." in backwards.text
    negative = client.post("/activities/counts", data={**base, "count": "-1"})
    assert "Vul een aantal in van 0 of meer." in negative.text
    assert _count(InitiativeCount) == 0
    client.post("/activities/counts", data=base)
    assert db.session.scalar(db.select(InitiativeCount.count)) == 4


def test_the_public_calendar_shows_public_activities_only_upcoming_first(
        client, today, garden, coordinator):
    services.create_activities([
        values(garden, activity_date=date(2026, 12, 10), title="Kerstbingo", planned=True,
               public=True, participants=0, new_participants=0),
        values(garden, activity_date=date(2026, 11, 30), title="Snoeimiddag", planned=True,
               public=True, participants=0, new_participants=0),
        values(garden, activity_date=date(2026, 11, 30), title="Besloten overleg",
               planned=True, participants=0, new_participants=0),
        values(garden, activity_date=date(2026, 11, 20), title="Voorbij", public=True),
    ], coordinator)
    db.session.commit()

    page = client.get("/calendar/")

    assert page.status_code == 200
    assert page.text.index("Snoeimiddag") < page.text.index("Kerstbingo")
    assert "Besloten overleg" not in page.text and "Voorbij" not in page.text
    assert "<script" not in page.text.split("<main")[-1]


def test_the_ical_feed_holds_public_activities_only(client, today, garden, coordinator):
    from datetime import time

    services.create_activities([
        values(garden, activity_date=date(2026, 12, 10), start_time=time(19, 30),
               title="Kerstbingo", planned=True, public=True, participants=0,
               new_participants=0),
        values(garden, activity_date=date(2026, 11, 24), title="Koffie", public=True),
        values(garden, activity_date=date(2026, 11, 25), title="Besloten"),
    ], coordinator)
    db.session.commit()

    response = client.get("/calendar/activities.ics")

    assert response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert sorted(str(e["summary"]) for e in events) == ["Kerstbingo", "Koffie"]
    bingo = next(e for e in events if str(e["summary"]) == "Kerstbingo")
    assert bingo.decoded("dtstart").hour == 19
    assert str(bingo.decoded("dtstart").tzinfo) == "Europe/Amsterdam"
