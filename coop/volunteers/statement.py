"""The volunteer's yearly statement (PDF): hours per initiative, allowances, proven
costs and verstrekkingen, and the year's caps — from plain values (coop/pdf.py)."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from coop import audit
from coop.accounts.models import User
from coop.extensions import db
from coop.mail import MailError, send_mail
from coop.members.models import Person
from coop.settings.services import get_organisation
from coop.volunteers.forms import ALLOWANCE_KIND_LABELS
from coop.volunteers.models import (
    GIFT_KINDS,
    Allowance,
    AllowanceCap,
    ArrangementKind,
    HourEntry,
    HourStatus,
    Initiative,
    Volunteer,
    VolunteerStatementMail,
)
from coop.volunteers.services import VolunteerError, arrangement_on


def _described(allowance: Allowance) -> str:
    """The allowance's description, and for a gift the business it was bought from."""
    parts = [allowance.description or ""]
    if allowance.supplier:
        parts.append(str(_l("bought from %(supplier)s", supplier=allowance.supplier)))
    return " · ".join(p for p in parts if p)


def statement_document(volunteer: Volunteer, year: int, today: date) -> dict:
    """Plain values for the statement of `year`."""
    person = db.session.get(Person, volunteer.person_id)
    organisation = get_organisation()
    hours = [{"initiative": name, "hours": quarters / 4} for name, quarters in db.session.execute(
        select(Initiative.name, func.sum(HourEntry.quarter_hours))
        .join(Initiative, Initiative.id == HourEntry.initiative_id)
        .where(HourEntry.volunteer_id == volunteer.id,
               HourEntry.status == HourStatus.APPROVED,
               HourEntry.work_date >= date(year, 1, 1), HourEntry.work_date <= date(year, 12, 31))
        .group_by(Initiative.name).order_by(Initiative.name))]
    rows = db.session.scalars(select(Allowance).where(
        Allowance.volunteer_id == volunteer.id, Allowance.work_date >= date(year, 1, 1),
        Allowance.work_date <= date(year, 12, 31)).order_by(Allowance.work_date, Allowance.id))
    items = [{"date": a.work_date, "what": str(ALLOWANCE_KIND_LABELS[a.kind]),
              "description": _described(a), "amount_cents": a.amount_cents,
              "expense_cents": a.expense_cents, "gift": a.kind in GIFT_KINDS} for a in rows]
    cap = db.session.get(AllowanceCap, year)
    arrangement = arrangement_on(volunteer, date(year, 12, 31))
    waived_on = (arrangement.waived_on if arrangement is not None
                 and arrangement.kind == ArrangementKind.WAIVED else None)
    return {
        "year": year, "name": person.display_name, "today": today,
        "organisation": {"name": organisation.name,
                         "address": ", ".join(p for p in (organisation.street,
                                                          organisation.postcode,
                                                          organisation.city) if p)},
        "hours": hours, "total_hours": sum(h["hours"] for h in hours), "items": items,
        "allowance_cents": sum(i["amount_cents"] for i in items if not i["gift"]),
        "gift_cents": sum(i["amount_cents"] for i in items if i["gift"]),
        "expense_cents": sum(i["expense_cents"] for i in items),
        "year_cap_cents": cap.year_cents if cap else None, "waived_on": waived_on,
    }


def render_statement_pdf(volunteer: Volunteer, year: int, today: date,
                         locale: str | None = None) -> bytes:
    """The statement PDF, in `locale` (the request's language when None)."""
    # Deferred on purpose: WeasyPrint takes about two seconds to import.
    from coop.pdf import render_pdf

    if locale is None:
        return render_pdf("pdf/volunteer_statement.html",
                          **statement_document(volunteer, year, today))
    with force_locale(locale):
        return render_pdf("pdf/volunteer_statement.html",
                          **statement_document(volunteer, year, today))


# Mailing the statements ----------------------------------------------------------------------


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def statement_volunteers(year: int) -> list[tuple[Volunteer, Person, str | None]]:
    """The volunteers with approved hours or anything given in `year`, with their person
    and the language of their account (None without one), by name."""
    first, last = _year_bounds(year)
    worked = select(HourEntry.volunteer_id).where(
        HourEntry.status == HourStatus.APPROVED, HourEntry.work_date >= first,
        HourEntry.work_date <= last)
    given = select(Allowance.volunteer_id).where(Allowance.work_date >= first,
                                                 Allowance.work_date <= last)
    rows = db.session.execute(
        select(Volunteer, Person, User.locale)
        .join(Person, Person.id == Volunteer.person_id)
        .outerjoin(User, User.id == Person.user_id)
        .where(or_(Volunteer.id.in_(worked), Volunteer.id.in_(given)))
        .order_by(Person.sort_name, Volunteer.id)).all()
    return [(v, p, locale) for v, p, locale in rows]


def mailed_volunteer_ids(year: int) -> set[int]:
    return set(db.session.scalars(select(VolunteerStatementMail.volunteer_id)
                                  .where(VolunteerStatementMail.year == year)))


@dataclass
class StatementMailing:
    year: int
    sent: list[str]
    failed: list[str]
    without_email: list[str]
    already: int


def mail_statements(year: int, today: date, actor=None) -> StatementMailing:
    """Mail each volunteer of `year` who was not mailed yet their statement, the PDF
    attached, in the language of their account (Dutch without one). Each volunteer is
    committed on its own (the log row that makes it once, the audit entry and, with the
    outbox backend, the mail): a mail that fails is rolled back and reported in
    `failed`, the others go on. Volunteers without an e-mail address are listed in
    `without_email` (their statement can be downloaded and handed over). A summary audit
    entry is added at the end; the caller commits it.
    """
    mailed = mailed_volunteer_ids(year)
    sent, failed, without_email = [], [], []
    languages = current_app.config["LANGUAGES"]
    organisation_name = get_organisation().name
    for volunteer, person, account_locale in statement_volunteers(year):
        if volunteer.id in mailed:
            continue
        if not person.email:
            without_email.append(person.display_name)
            continue
        locale = account_locale if account_locale in languages else "nl"
        name = person.display_name
        try:
            pdf = render_statement_pdf(volunteer, year, today, locale)
            log = VolunteerStatementMail(volunteer_id=volunteer.id, year=year, locale=locale,
                                         sent_by_id=audit.acting_user_id(actor))
            db.session.add(log)
            db.session.flush()  # mailed meanwhile by someone else: refused, not twice
            audit.record("volunteers:statement:mail", {"year": year, "locale": locale},
                         obj=log, actor=actor, person_id=person.id)
            send_mail(person.email,
                      _l("Your volunteer statement %(year)s from %(organisation)s",
                         year=year, organisation=organisation_name),
                      "volunteer_statement", locale=locale,
                      attachments=[(f"vrijwilligersoverzicht-{year}.pdf", "application/pdf",
                                    pdf)],
                      year=year, name=name, organisation=organisation_name)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
        except (MailError, VolunteerError) as error:
            db.session.rollback()
            current_app.logger.warning("a volunteer statement %s was not mailed: %s", year,
                                       getattr(error, "message", error))
            failed.append(name)
        else:
            sent.append(name)
    audit.record("volunteers:statement:mail_run",
                 {"year": year, "sent": len(sent), "failed": len(failed),
                  "without_email": len(without_email), "already": len(mailed)}, actor=actor)
    return StatementMailing(year, sent, failed, without_email, len(mailed))
