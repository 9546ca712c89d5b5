"""Convening: the term, mails with an iCalendar file, letters, the log; the PDFs."""

from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy
from io import BytesIO

from flask_babel import force_locale
from icalendar import Calendar
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import func, select

from coop.extensions import db
from coop.mail import build_message
from coop.meetings import convocation
from coop.meetings import services as meetings
from coop.meetings.charts import vote_chart
from coop.meetings.models import ConvocationLog, GeneralMeeting
from coop.permissions import Role
from coop.timeutil import utcnow
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def _draft(days: int, kind: str = "matter"):
    meeting, _ = factories.create_meeting(
        status="draft", starts_at=utcnow() + timedelta(days=days),
        proposals=((kind, "Voorstel"),))
    return meeting


def test_convening_mails_consenting_members_and_lists_letters_for_the_others(app, outbox):
    factories.save_organisation(name="Wijkcoöperatie Test")
    mailed = factories.create_voter(email="anna@example.org", given_name="Anna",
                                    family_name="Mail")
    mailed.consent_electronic_convocation = True
    db.session.commit()
    factories.create_voter(given_name="Bram", family_name="Brief", street="Kerkstraat 3",
                           consent_electronic_convocation=False)
    meeting = _draft(20)

    result = convocation.convene(meeting)
    db.session.commit()

    assert (result.emailed, result.letters) == (1, 1)
    [mail] = outbox()
    assert mail.recipient == "anna@example.org"
    assert "Voorstel" in mail.body_text
    log = {row.name: row for row in convocation.convocation_log(meeting)}
    assert log["Anna Mail"].channel == "email"
    assert log["Bram Brief"].channel == "letter"
    assert "Kerkstraat 3" in log["Bram Brief"].address
    letters = _pdf_text(meeting_pdf("letters_pdf", meeting))
    assert "Bram Brief" in letters and "Kerkstraat 3" in letters
    assert "Anna Mail" not in letters


def meeting_pdf(endpoint: str, meeting) -> bytes:
    from flask import current_app

    client = current_app.test_client()
    board = factories.create_user(roles=[Role.BOARD])
    with client.session_transaction() as session:
        session["_user_id"] = board.get_id()
        session["_fresh"] = True
    response = client.get(f"/meetings/{meeting.id}/{endpoint.split('_')[0]}.pdf")
    assert response.status_code == 200
    return response.data


def test_convocation_mail_carries_an_icalendar_invitation(app):
    meeting = _draft(20)
    ics = convocation.meeting_ics(meeting)
    message = build_message("a@example.org", "Oproeping", "tekst",
                            attachments=[("alv.ics", "text/calendar", ics)])
    parsed = message_from_bytes(message.as_bytes(), policy=email_policy.default)

    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "alv.ics"
    event = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == meeting.starts_at.replace(microsecond=0)
    assert str(event["summary"]) == "Algemene ledenvergadering"


def test_convening_later_than_the_statutes_allow_is_refused(app, refused, outbox):
    factories.save_organisation(convocation_days=14)
    factories.create_voter()
    meeting = _draft(13)

    with refused("Too late to convene: the statutes require 14 days' notice"):
        convocation.convene(meeting)

    assert db.session.get(GeneralMeeting, meeting.id).status == "draft"
    assert db.session.scalar(select(func.count(ConvocationLog.id))) == 0
    assert outbox() == []


def test_statute_amendment_needs_its_own_term(app, refused):
    factories.save_organisation(convocation_days=3, amendment_convocation_days=7)
    meeting = _draft(6, kind="statute_amendment")

    with refused("the statutes require 7 days' notice"):
        convocation.convene(meeting)
    convocation.convene(_draft(7, kind="statute_amendment"))


def test_amendment_documents_must_be_available_five_days_before(app, refused):
    factories.save_organisation(convocation_days=7, amendment_inspection_days=5)
    meeting = _draft(10, kind="statute_amendment")
    convocation.convene(meeting)
    db.session.commit()
    item = meetings.agenda(meeting)[0]

    meetings.add_document(item, "statuten.pdf", "application/pdf", b"%PDF",
                          now=meeting.starts_at - timedelta(days=5, hours=1))
    with refused("at least 5 days before the meeting"):
        meetings.add_document(item, "laat.pdf", "application/pdf", b"%PDF",
                              now=meeting.starts_at - timedelta(days=4))


def test_convene_page_shows_the_refusal(app, client, login_as):
    login_as(factories.create_user(roles=[Role.BOARD], locale="en"))
    meeting = _draft(2)

    response = client.post(f"/meetings/{meeting.id}/convene")

    assert response.status_code == 422
    assert "Too late to convene" in response.text


def test_minutes_and_attendance_pdfs_show_the_result(app):
    meeting, (proposal,) = factories.create_meeting(
        status="open", proposals=(("annual_accounts", "Jaarrekening 2025"),))
    anna = factories.create_voter(given_name="Anna", family_name="Aanwezig")
    meetings.check_in(meeting, anna)
    meetings.open_voting(proposal)
    meetings.record_room_tally(proposal, "hands", {"for": 1})
    meetings.save_minutes(meetings.agenda(meeting)[0],
                          "De kascommissie heeft de boeken gecontroleerd.")
    meetings.close_voting(proposal)
    db.session.commit()

    minutes = _pdf_text(meeting_pdf("minutes_pdf", meeting))
    attendance = _pdf_text(meeting_pdf("attendance_pdf", meeting))

    assert "De kascommissie heeft de boeken gecontroleerd." in minutes
    assert "Uitslag: aangenomen" in minutes and "Voor 1, tegen 0" in minutes
    assert "Anna Aanwezig" in attendance


def test_minutes_pdf_charts_the_vote_in_dutch(app):
    meeting, (proposal,) = factories.create_meeting(
        status="open", proposals=(("annual_accounts", "Jaarrekening 2025"),))
    meetings.check_in(meeting, factories.create_voter(given_name="Anna", family_name="Lid"))
    meetings.open_voting(proposal)
    meetings.record_room_tally(proposal, "hands", {"for": 1})
    meetings.close_voting(proposal)
    db.session.commit()

    values = convocation.minutes_values(meeting)
    svg = etree.fromstring(str(values["meeting"]["items"][0]["proposals"][0]["chart_svg"]))
    minutes = _pdf_text(meeting_pdf("minutes_pdf", meeting))

    assert svg.findtext(f"{SVG}title") == "Stemuitslag: Jaarrekening 2025"
    assert svg.findtext(f"{SVG}desc") == ("Stemmen over “Jaarrekening 2025”: voor 1, tegen 0, "
                                          "onthouding 0, blanco 0, ongeldig 0.")
    # The chart's own labels, beside the sentence of the minutes ("blanco 0").
    for label in ("Voor", "Tegen", "Onthouding", "Blanco", "Ongeldig"):
        assert label in minutes.split()


def test_vote_chart_of_an_election_names_the_candidates(app):
    values = {"status": "closed", "title": "Bestuur", "votes_blank": 1, "votes_invalid": 0,
              "candidates": [{"name": "Anna", "votes": 5, "elected": True},
                             {"name": "Bert", "votes": 3, "elected": False}]}
    with app.test_request_context(), force_locale("nl"):
        chart = vote_chart(values)

    assert chart.rows == [["Anna (gekozen)", "5"], ["Bert", "3"], ["Blanco", "1"],
                          ["Ongeldig", "0"]]
    assert chart.description == ("Stemmen per kandidaat bij “Bestuur”: Anna (gekozen): 5; "
                                 "Bert: 3; blanco 1, ongeldig 0.")
    with app.test_request_context(), force_locale("nl"):
        assert vote_chart({**values, "status": "open"}) is None
