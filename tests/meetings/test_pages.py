"""The ALV pages: what the secretary and members see, and bad input refused at the field
with nothing saved."""

from datetime import date
from fractions import Fraction
from io import BytesIO

import pytest
from sqlalchemy import func, select

from coop.extensions import db
from coop.meetings import services as meetings
from coop.meetings.models import GeneralMeeting, Proxy, VoteParticipation
from coop.permissions import Role
from coop.timeutil import to_local
from tests import factories
from tests.charts import page_charts
from tests.portal.helpers import create_member_with_account


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _member_logged_in(login_as, **values):
    user, person = create_member_with_account(**values)
    user.locale = "en"
    db.session.commit()
    login_as(user)
    return person


def _board(login_as):
    return login_as(factories.create_user(roles=[Role.BOARD], locale="en"))


def test_member_votes_online_and_a_second_vote_is_refused(app, client, login_as):
    _meeting, (proposal,) = factories.create_meeting(status="open")
    meetings.open_voting(proposal)
    db.session.commit()
    _member_logged_in(login_as, family_name="Stemmer")

    first = client.post(f"/portal/meetings/proposals/{proposal.id}/vote", data={"choice": "for"})
    second = client.post(f"/portal/meetings/proposals/{proposal.id}/vote",
                         data={"choice": "against"})

    assert first.status_code == 302
    assert second.status_code == 422
    assert "You have already voted on this proposal." in second.text
    assert _count(VoteParticipation) == 1
    assert meetings.current_totals(proposal).votes_for == 1


def test_member_cannot_vote_before_voting_opens(app, client, login_as):
    _meeting, (proposal,) = factories.create_meeting(status="open")
    _member_logged_in(login_as)

    response = client.post(f"/portal/meetings/proposals/{proposal.id}/vote",
                           data={"choice": "for"})

    assert response.status_code == 422
    assert "Voting on this proposal has not opened yet." in response.text
    assert _count(VoteParticipation) == 0


def test_ended_member_is_told_why_they_cannot_vote(app, client, login_as):
    from coop.members import services as register

    _meeting, (proposal,) = factories.create_meeting(status="open")
    meetings.open_voting(proposal)
    db.session.commit()
    person = _member_logged_in(login_as, given_name="Eva", family_name="Oud")
    register.change_status(register.current_membership(person), "ended", date(2026, 1, 1),
                           "opgezegd")
    db.session.commit()

    response = client.post(f"/portal/meetings/proposals/{proposal.id}/vote",
                           data={"choice": "for"})

    assert response.status_code == 422
    assert "The membership of Eva Oud has ended: no vote." in response.text
    assert _count(VoteParticipation) == 0


def test_member_gives_a_proxy_by_number_and_family_name(app, client, login_as):
    meeting, _ = factories.create_meeting()
    holder = factories.create_voter(family_name="Houder")
    number = meetings.voting_membership(holder).member_number
    _member_logged_in(login_as)

    wrong = client.post(f"/portal/meetings/{meeting.id}/proxy",
                        data={"member_number": number, "family_name": "Iemand"})
    right = client.post(f"/portal/meetings/{meeting.id}/proxy",
                        data={"member_number": number, "family_name": "houder"})

    assert wrong.status_code == 422
    assert "No member with this number and family name." in wrong.text
    assert right.status_code == 302
    assert _count(Proxy) == 1


def test_proxy_over_the_cap_is_refused_at_the_field(app, client, login_as):
    factories.save_organisation(proxy_cap_per_holder=1)
    meeting, _ = factories.create_meeting()
    holder = factories.create_voter(given_name="Henk", family_name="Houder")
    meetings.grant_proxy(meeting, factories.create_voter(), holder)
    db.session.commit()
    number = meetings.voting_membership(holder).member_number
    _member_logged_in(login_as)

    response = client.post(f"/portal/meetings/{meeting.id}/proxy",
                           data={"member_number": number, "family_name": "Houder"})

    assert response.status_code == 422
    assert 'id="member_number-error"' in response.text
    assert "Henk Houder already holds 1 proxies; the statutes allow at most 1" in response.text
    assert _count(Proxy) == 1


def test_paper_proxy_to_a_non_member_is_refused_at_the_field(app, client, login_as):
    from coop.members import services as register

    meeting, _ = factories.create_meeting()
    grantor = factories.create_voter()
    former = factories.create_voter(given_name="Eva", family_name="Oud")
    number = register.current_membership(former).member_number
    register.change_status(register.current_membership(former), "ended", date(2026, 1, 1), "x")
    db.session.commit()
    _board(login_as)

    response = client.post(f"/meetings/{meeting.id}/proxies", data={
        "grantor_number": meetings.voting_membership(grantor).member_number,
        "holder_number": number,
    })

    assert response.status_code == 422
    assert 'id="holder_number-error"' in response.text
    assert "A proxy can only go to a member with a vote." in response.text
    assert _count(Proxy) == 0


def test_secretary_checks_in_by_member_number_and_sees_the_count(app, client, login_as):
    meeting, _ = factories.create_meeting(status="open")
    person = factories.create_voter(given_name="Cas", family_name="Zaal")
    number = meetings.voting_membership(person).member_number
    _board(login_as)

    found = client.get(f"/meetings/{meeting.id}/attendance?q={number}")
    checked_in = client.post(f"/meetings/{meeting.id}/check-in",
                             data={"person_id": person.id, "mode": "in_person"})
    twice = client.post(f"/meetings/{meeting.id}/check-in",
                        data={"person_id": person.id, "mode": "in_person"})
    counts = client.get(f"/meetings/{meeting.id}/presence.json").json

    assert "Cas Zaal" in found.text
    assert checked_in.status_code == 302
    assert twice.status_code == 422
    assert "Cas Zaal is already registered as present." in twice.text
    assert (counts["members_present"], counts["votes_present"]) == (1, 1)


def test_non_member_cannot_be_checked_in(app, client, login_as):
    meeting, _ = factories.create_meeting(status="open")
    outsider = factories.create_person(given_name="Olga", family_name="Buiten")
    _board(login_as)

    response = client.post(f"/meetings/{meeting.id}/check-in",
                           data={"person_id": outsider.id, "mode": "in_person"})

    assert response.status_code == 422
    assert "Olga Buiten is not a member and has no vote." in response.text


def test_room_tally_over_the_votes_present_is_refused(app, client, login_as):
    meeting, (proposal,) = factories.create_meeting(status="open")
    meetings.check_in(meeting, factories.create_voter())
    meetings.open_voting(proposal)
    db.session.commit()
    _board(login_as)

    response = client.post(f"/meetings/proposals/{proposal.id}/tally", data={
        "tally-method": "hands", "tally-votes_for": "2",
    })

    assert response.status_code == 422
    assert "2 votes counted, but only 1 votes present in the room" in response.text
    assert meetings.current_totals(proposal).votes_for == 0


def test_new_meeting_in_a_room_needs_an_address(app, client, login_as):
    _board(login_as)

    response = client.post("/meetings/new", data={
        "title": "ALV", "date": "2027-03-01", "time": "19:30", "location_kind": "physical",
    })

    assert response.status_code == 422
    assert 'id="location-error"' in response.text
    assert _count(GeneralMeeting) == 0


def test_secretary_creates_a_meeting_with_an_agenda_and_a_proposal(app, client, login_as):
    factories.save_organisation(amendment_majority=Fraction(2, 3))
    _board(login_as)

    created = client.post("/meetings/new", data={
        "title": "ALV voorjaar", "date": "2027-03-01", "time": "19:30",
        "location_kind": "physical", "location": "Buurthuis",
    })
    meeting = db.session.scalar(select(GeneralMeeting))
    client.post(f"/meetings/{meeting.id}/items", data={"title": "Statuten"})
    item = meetings.agenda(meeting)[0]
    added = client.post(f"/meetings/items/{item.id}/proposals", data={
        "proposal-kind": "statute_amendment", "proposal-title": "Statutenwijziging",
        "proposal-text": "Artikel 14 wordt gewijzigd.", "proposal-quorum": "statutes",
        "proposal-secrecy": "default", "proposal-seats": "1",
    })
    page = client.get(added.location)

    assert created.status_code == 302
    assert "at least 2/3 of the votes cast" in page.text
    assert to_local(meeting.starts_at).strftime("%Y-%m-%d %H:%M") == "2027-03-01 19:30"


def test_portal_shows_the_meeting_with_documents_and_results(app, client, login_as):
    meeting, (proposal,) = factories.create_meeting(status="open")
    meetings.add_document(meetings.agenda(meeting)[0], "begroting.pdf", "application/pdf",
                          b"%PDF-1.4")
    meetings.open_voting(proposal)
    meetings.close_voting(proposal)
    db.session.commit()
    _member_logged_in(login_as)

    page = client.get(f"/portal/meetings/{meeting.id}")
    document_id = meetings.documents_of(meetings.agenda(meeting))[proposal.agenda_item_id][0].id
    download = client.get(f"/portal/meetings/documents/{document_id}")

    assert "begroting.pdf" in page.text
    assert "rejected" in page.text  # no votes cast: rejected
    assert download.data == b"%PDF-1.4"


def test_draft_meetings_are_not_shown_to_members(app, client, login_as):
    meeting, _ = factories.create_meeting(status="draft")
    _member_logged_in(login_as)

    assert client.get(f"/portal/meetings/{meeting.id}").status_code == 404
    assert meeting.title not in client.get("/portal/meetings/").text


def test_proposal_is_corrected_before_the_convocation_only(app, client, login_as):
    meeting, (proposal,) = factories.create_meeting(status="draft")
    _board(login_as)
    data = {"edit-title": "Begroting 2027", "edit-text": "Nieuwe tekst",
            "edit-majority": "2/3", "edit-quorum": "custom", "edit-quorum_share": "40%",
            "edit-secrecy": "open", "edit-seats": "1"}

    saved = client.post(f"/meetings/proposals/{proposal.id}/edit", data=data)
    meeting.status = "convened"
    db.session.commit()
    refused = client.post(f"/meetings/proposals/{proposal.id}/edit",
                          data={**data, "edit-title": "Te laat"})

    assert saved.status_code == 302
    assert (proposal.title, proposal.majority, proposal.quorum) == (
        "Begroting 2027", Fraction(2, 3), Fraction(2, 5))
    assert refused.status_code == 422
    assert "The proposals were sent with the convocation" in refused.text
    db.session.refresh(proposal)
    assert proposal.title == "Begroting 2027"


def test_an_uploaded_html_document_is_served_as_a_download_not_a_page(app, client, login_as):
    meeting, _ = factories.create_meeting(status="draft")
    item = meetings.agenda(meeting)[0]
    _board(login_as)

    uploaded = client.post(f"/meetings/items/{item.id}/documents", data={
        "document-file": (BytesIO(b"<script>alert(1)</script>"), "stuk.html", "text/html"),
    }, content_type="multipart/form-data")
    [document] = meetings.documents_of([item])[item.id]
    response = client.get(f"/meetings/documents/{document.id}")

    assert uploaded.status_code == 302
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_an_empty_upload_is_refused_at_the_field(app, client, login_as):
    meeting, _ = factories.create_meeting(status="draft")
    item = meetings.agenda(meeting)[0]
    _board(login_as)

    response = client.post(f"/meetings/items/{item.id}/documents", data={
        "document-file": (BytesIO(b""), "leeg.pdf", "application/pdf"),
    }, content_type="multipart/form-data")

    assert response.status_code == 422
    assert "The file is empty." in response.text
    assert meetings.documents_of([item])[item.id] == []


@pytest.mark.parametrize("target", ["voter", "ended", "nobody", "huge", "text"])
def test_voting_for_someone_without_their_proxy_tells_nothing_about_them(
        app, client, login_as, target):
    from coop.members import services as register

    _meeting, (proposal,) = factories.create_meeting(status="open")
    other = factories.create_voter(given_name="Geheimnaam", family_name="Verborgen")
    if target == "ended":
        register.change_status(register.current_membership(other), "ended",
                               date(2026, 1, 1), "opgezegd")
    meetings.open_voting(proposal)
    db.session.commit()
    _member_logged_in(login_as)
    voter = {"voter": str(other.id), "ended": str(other.id), "nobody": str(other.id + 999),
             "huge": "9" * 30, "text": "Geheimnaam"}[target]

    response = client.post(f"/portal/meetings/proposals/{proposal.id}/vote",
                           data={"choice": "for", "voter": voter})

    assert response.status_code == 422
    assert "You hold no valid proxy for this vote." in response.text
    assert "Geheimnaam" not in response.text and "Verborgen" not in response.text
    assert _count(VoteParticipation) == 0


def test_a_proxy_holder_votes_for_the_grantor_in_the_portal(app, client, login_as):
    meeting, (proposal,) = factories.create_meeting(status="open")
    grantor = factories.create_voter(given_name="Anna", family_name="Geeft")
    holder = _member_logged_in(login_as, family_name="Houder")
    meetings.grant_proxy(meeting, grantor, holder)
    meetings.open_voting(proposal)
    db.session.commit()

    response = client.post(f"/portal/meetings/proposals/{proposal.id}/vote",
                           data={"choice": "for", "voter": str(grantor.id)})

    assert response.status_code == 302
    participation = db.session.scalars(select(VoteParticipation)).one()
    assert (participation.voter_id, participation.cast_by_id) == (grantor.id, holder.id)


def test_closed_proposal_page_charts_the_votes(app, client, login_as):
    meeting, (proposal,) = factories.create_meeting(
        status="open", proposals=(("matter", "Buurtfeest <b>2027</b>"),))
    for name in ("Anna", "Bert", "Cor"):
        meetings.check_in(meeting, factories.create_voter(given_name=name,
                                                          family_name="Lid"))
    meetings.open_voting(proposal)
    meetings.record_room_tally(proposal, "hands", {"for": 2, "against": 1})
    meetings.close_voting(proposal)
    db.session.commit()
    _board(login_as)

    charts = page_charts(client.get(f"/meetings/proposals/{proposal.id}").text)

    chart = charts["Vote result: Buurtfeest <b>2027</b>"]
    assert chart.description == ("Votes on “Buurtfeest <b>2027</b>”: for 2, against 1, "
                                 "abstain 0, blank 0, invalid 0.")
    assert chart.rows == [["For", "2"], ["Against", "1"], ["Abstain", "0"],
                          ["Blank", "0"], ["Invalid", "0"]]
    assert {"For", "Against", "2", "1"} <= set(chart.svg_texts)


def test_open_proposal_page_has_no_result_chart(app, client, login_as):
    _meeting, (proposal,) = factories.create_meeting(status="open")
    meetings.open_voting(proposal)
    db.session.commit()
    _board(login_as)

    assert page_charts(client.get(f"/meetings/proposals/{proposal.id}").text) == {}
