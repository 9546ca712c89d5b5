"""Convening the ALV: an email with an iCalendar invitation to every voting member who
consented to electronic convocation (BW 2:41 lid 5), a printed letter for the others,
and a log of what went to whom and when. Also the PDFs of the meeting: the letters,
the attendance list and the minutes, built from plain values.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import aliased

from coop import audit
from coop.extensions import db
from coop.mail import MailError, send_mail
from coop.meetings import services
from coop.meetings.charts import vote_chart
from coop.meetings.models import (
    Attendance,
    ConvocationChannel,
    ConvocationLog,
    Decision,
    GeneralMeeting,
    Proxy,
    ProxyStatus,
)
from coop.members.models import Membership, MembershipStatus, Person
from coop.settings.services import get_organisation
from coop.timeutil import to_local, utcnow

# An ALV has no fixed end; calendars get a block of this length.
CALENDAR_DURATION = timedelta(hours=2)


@dataclass
class ConveneResult:
    emailed: int = 0
    letters: int = 0
    mail_failed: int = 0


def _address_lines(person: Person) -> list[str]:
    city = " ".join(p for p in (person.postcode, person.city) if p)
    return [line for line in (person.street, city) if line]


def meeting_ics(meeting: GeneralMeeting) -> bytes:
    """The meeting as an iCalendar event (RFC 5545)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Coop//ALV//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    domain = current_app.config["MAIL_DEFAULT_SENDER"].split("@")[-1]
    event.add("uid", f"alv-{meeting.id}@{domain}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + CALENDAR_DURATION)
    event.add("summary", meeting.title)
    location = ", ".join(p for p in (meeting.location, meeting.online_url) if p)
    event.add("location", location)
    if meeting.online_url:
        event.add("url", meeting.online_url)
    agenda = "\n".join(f"{item.position}. {item.title}" for item in services.agenda(meeting))
    event.add("description", f"Agenda:\n{agenda}")
    calendar.add_component(event)
    return calendar.to_ical()


def meeting_values(meeting: GeneralMeeting) -> dict:
    """The meeting and its agenda as plain values, for mails and PDFs."""
    items = services.agenda(meeting)
    proposals = services.proposals_of(meeting)
    by_item: dict[int, list] = {item.id: [] for item in items}
    for proposal in proposals:
        by_item[proposal.agenda_item_id].append(proposal)
    organisation = get_organisation()
    local = to_local(meeting.starts_at)
    return {
        "organisation": organisation.name,
        "organisation_address": ", ".join(
            p for p in (organisation.street, organisation.postcode, organisation.city) if p
        ),
        "title": meeting.title,
        "date": local.date(),
        "time": local.strftime("%H:%M"),
        "location": meeting.location or "",
        "online_url": meeting.online_url or "",
        "items": [
            {
                "position": item.position,
                "title": item.title,
                "description": item.description or "",
                "minutes": item.minutes or "",
                "proposals": [proposal_values(p) for p in by_item[item.id]],
            }
            for item in items
        ],
    }


def proposal_values(proposal) -> dict:
    """A proposal and its result as plain values (the minutes, the vote chart)."""
    values = {
        "title": proposal.title,
        "text": proposal.text,
        "kind": proposal.kind,
        "status": proposal.status,
        "outcome": proposal.outcome or "",
        "votes_for": proposal.votes_for or 0,
        "votes_against": proposal.votes_against or 0,
        "votes_abstain": proposal.votes_abstain or 0,
        "votes_blank": proposal.votes_blank or 0,
        "votes_invalid": proposal.votes_invalid or 0,
        "represented": proposal.represented_count or 0,
        "eligible": proposal.eligible_count or 0,
        "tie_resolution": proposal.tie_resolution or "",
        "candidates": [],
    }
    if proposal.is_person_vote:
        values["candidates"] = [
            {"name": c.name, "votes": c.votes or 0, "elected": bool(c.elected)}
            for c in services.candidates_of(proposal)
        ]
    return values


def convene(meeting: GeneralMeeting, now: datetime | None = None, actor=None) -> ConveneResult:
    """Convene the meeting: check the term (raises MeetingError), then mail or list a
    letter for every voting member and log each. A mail the server refuses becomes a
    letter, so nobody is left out."""
    now = now or utcnow()
    services.mark_convened(meeting, now, actor)
    values = meeting_values(meeting)
    ics = meeting_ics(meeting)
    result = ConveneResult()
    for person, membership in services.voting_members():
        channel = ConvocationChannel.LETTER
        address = "\n".join(_address_lines(person))
        if person.consent_electronic_convocation and person.email:
            try:
                send_mail(
                    person.email, f"Oproeping: {meeting.title}", "meeting_convocation",
                    locale="nl", name=person.display_name, meeting=values,
                    attachments=[("alv.ics", "text/calendar", ics)],
                )
                channel, address = ConvocationChannel.EMAIL, person.email
                result.emailed += 1
            except MailError:
                result.mail_failed += 1
        if channel == ConvocationChannel.LETTER:
            result.letters += 1
        db.session.add(ConvocationLog(
            meeting_id=meeting.id, person_id=person.id, member_number=membership.member_number,
            channel=channel.value, name=person.display_name, address=address or "-",
            sent_at=now,
        ))
    db.session.flush()
    audit.record("meetings:meeting:convene",
                 {"emailed": result.emailed, "letters": result.letters,
                  "mail_failed": result.mail_failed}, obj=meeting, actor=actor)
    return result


def convocation_log(meeting: GeneralMeeting) -> list[ConvocationLog]:
    return db.session.scalars(
        select(ConvocationLog).where(ConvocationLog.meeting_id == meeting.id)
        .order_by(ConvocationLog.channel, ConvocationLog.name)
    ).all()


def letters_values(meeting: GeneralMeeting) -> dict:
    letters = [
        {"name": row.name, "address": row.address.split("\n"),
         "member_number": row.member_number}
        for row in convocation_log(meeting) if row.channel == ConvocationChannel.LETTER
    ]
    return {"meeting": meeting_values(meeting), "letters": letters}


def attendance_values(meeting: GeneralMeeting) -> dict:
    rows = db.session.execute(
        select(Attendance, Person, Membership.member_number)
        .join(Person, Person.id == Attendance.person_id)
        .join(Membership, (Membership.person_id == Person.id)
              & (Membership.status != MembershipStatus.ENDED), isouter=True)
        .where(Attendance.meeting_id == meeting.id)
        .order_by(Person.sort_name)
    ).all()
    grantor = aliased(Person)
    held: dict[int, list[str]] = {}
    for proxy, person in db.session.execute(
        select(Proxy, grantor).join(grantor, grantor.id == Proxy.grantor_id)
        .where(Proxy.meeting_id == meeting.id, Proxy.status == ProxyStatus.ACTIVE)
        .order_by(grantor.sort_name)
    ).all():
        held.setdefault(proxy.holder_id, []).append(person.display_name)
    presence = services.presence(meeting)
    values = meeting_values(meeting)
    # The minutes are in Dutch, whatever the language of who downloads them.
    with force_locale("nl"):
        for item in values["items"]:
            for proposal in item["proposals"]:
                chart = vote_chart(proposal)
                proposal["chart_svg"] = chart.pdf_svg if chart else ""
    return {
        "meeting": values,
        "rows": [
            {"name": person.display_name, "member_number": number or 0,
             "mode": attendance.mode, "time": to_local(attendance.checked_in_at).strftime("%H:%M"),
             "proxies": held.get(person.id, [])}
            for attendance, person, number in rows
        ],
        "members_present": presence.members_present,
        "proxies": presence.proxies,
        "votes_present": presence.votes_present,
        "eligible": presence.eligible,
    }


def minutes_values(meeting: GeneralMeeting) -> dict:
    decisions = db.session.scalars(
        select(Decision).where(Decision.meeting_id == meeting.id).order_by(Decision.id)
    ).all()
    presence = services.presence(meeting)
    values = meeting_values(meeting)
    # The minutes are in Dutch, whatever the language of who downloads them.
    with force_locale("nl"):
        for item in values["items"]:
            for proposal in item["proposals"]:
                chart = vote_chart(proposal)
                proposal["chart_svg"] = chart.pdf_svg if chart else ""
    return {
        "meeting": values,
        "opened_at": to_local(meeting.opened_at).strftime("%H:%M") if meeting.opened_at else "",
        "closed_at": to_local(meeting.closed_at).strftime("%H:%M") if meeting.closed_at else "",
        "members_present": presence.members_present,
        "proxies": presence.proxies,
        "eligible": presence.eligible,
        "decisions": [
            {"number": d.number, "text": d.text, "outcome": d.outcome,
             "votes_for": d.votes_for, "votes_against": d.votes_against,
             "votes_abstain": d.votes_abstain, "votes_blank": d.votes_blank,
             "votes_invalid": d.votes_invalid}
            for d in decisions
        ],
    }
