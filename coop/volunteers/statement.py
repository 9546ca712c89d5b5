"""The volunteer's yearly statement (PDF): hours per initiative, allowances, proven
costs and verstrekkingen, and the year's caps — from plain values (coop/pdf.py)."""

from datetime import date

from flask_babel import force_locale
from sqlalchemy import func, select

from coop.extensions import db
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
)
from coop.volunteers.services import arrangement_on


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
              "description": a.description or "", "amount_cents": a.amount_cents,
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
    from coop.pdf import render_pdf

    if locale is None:
        return render_pdf("pdf/volunteer_statement.html",
                          **statement_document(volunteer, year, today))
    with force_locale(locale):
        return render_pdf("pdf/volunteer_statement.html",
                          **statement_document(volunteer, year, today))
