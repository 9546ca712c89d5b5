"""Privacy: what the coop holds on a person (AVG art. 15/20) and how long it keeps it.

Former members' personal data is kept for `Organisation.retention_years` after their
last membership ended, then anonymised: name and contact details go; memberships,
invoices and payments stay, because the books (kept 7 years, BW 2:10 and AWR art. 52)
need them. An issued invoice keeps its addressee snapshot (name and address as printed)
for those 7 years: that is the legal record, not a copy to be cleaned.
"""

import calendar
from datetime import date
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from coop import audit
from coop.accounts import services as accounts
from coop.accounts.models import LoginAttempt, User, UserRole
from coop.audit import AuditEvent
from coop.directdebit.models import BatchItem, Mandate
from coop.directdebit.services import end_mandates_of
from coop.dues.models import Invoice, ReminderLog
from coop.extensions import db
from coop.governance.models import Appointment
from coop.mail import OutboxMessage
from coop.meetings.models import ConvocationLog
from coop.members import services as members
from coop.members.models import ConsentEvent, ConsentKind, Membership, Person
from coop.permissions import Role
from coop.settings.services import get_organisation
from coop.timeutil import utcnow

ANONYMISED_NAME = members.ANONYMISED_NAME
# Everything that identifies or reaches the person; `family_name` is NOT NULL and
# becomes ANONYMISED_NAME.
CLEARED_FIELDS = [
    "given_name", "name_prefix", "email", "phone", "street", "postcode", "city",
    "date_of_birth",
]


# Retention --------------------------------------------------------------------------


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    year = day.year - years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def persons_past_retention(today: date, retention_years: int | None = None) -> list[Person]:
    """Former members whose personal data the coop should no longer keep.

    A person qualifies when every membership they had has ended, the last one ended
    more than the retention term before `today` (last end date + retention_years is
    before today), they were not anonymised yet, and their account (if any) holds no
    role beyond member: someone still working for the coop as board member, volunteer
    or treasurer keeps their data while that role lasts. Likewise anyone appointed to a
    position (board, RvT, a team…) whose last day in office lies within the retention
    term: the governance history names them.
    """
    if retention_years is None:
        retention_years = get_organisation().retention_years
    cutoff = years_before(today, retention_years)
    ended = (
        select(Membership.person_id)
        .group_by(Membership.person_id)
        # count(end_date) counts ended memberships only: equal to count(*) = all ended.
        .having(
            func.count(Membership.end_date) == func.count(Membership.id),
            func.max(Membership.end_date) < cutoff,
        )
    )
    other_role = exists().where(
        and_(
            UserRole.user_id == Person.user_id,
            UserRole.role != Role.MEMBER.value,
            UserRole.user_id == User.id,
            User.is_active_account.is_(True),
        )
    )
    in_office = exists().where(
        Appointment.person_id == Person.id,
        Appointment.voided_at.is_(None),
        func.coalesce(Appointment.ended_on, Appointment.end_date) >= cutoff,
    )
    query = (
        select(Person)
        .where(Person.id.in_(ended), Person.anonymised_at.is_(None), ~other_role, ~in_office)
        .order_by(Person.id)
    )
    return list(db.session.scalars(query))


def last_end_date(person: Person) -> date | None:
    return db.session.scalar(
        select(func.max(Membership.end_date)).where(Membership.person_id == person.id)
    )


def anonymise(person: Person, actor=None) -> None:
    """Remove the person's name and contact details; keep what the books need.

    Memberships (numbers, dates, status history), invoices (with their addressee
    snapshot), payments and the consent history stay, tied to the anonymous person.
    The linked account is unlinked, stripped of name, email and password, and
    deactivated; its login attempts (keyed by the email) are deleted.
    The personal values kept with earlier audit entries about the person or their
    account, and the addresses in the reminder log, are erased; the entries stay.
    Mails to them are deleted from the outbox, their name and address in other mails
    replaced; the convocation log and direct-debit pre-notifications keep the fact,
    not the name and address.
    The audit entry records which person and memberships, never the personal data.
    Raises ValueError for a person already anonymised.
    """
    if person.anonymised_at is not None:
        raise ValueError(f"person {person.id} was already anonymised")
    for kind in ConsentKind:  # withdrawn: there is no address left to use them with
        members.set_consent(person, kind, False, actor=actor)
    # Nothing may be collected from someone who left the register; the mandate itself
    # (account holder, IBAN) is kept for its own term, 36 months after the last
    # collection, and anonymised by `anonymise-mandates`.
    end_mandates_of(person, "Persoon geanonimiseerd", actor=actor)
    member_numbers = list(
        db.session.scalars(
            select(Membership.member_number)
            .where(Membership.person_id == person.id)
            .order_by(Membership.member_number)
        )
    )
    account_id = person.user_id
    account = db.session.get(User, account_id) if account_id is not None else None
    # What identified them, to sweep from the texts that copied it (mails, logs).
    names = {person.display_name, account.name if account is not None else None}
    emails = {person.email, account.email if account is not None else None}
    person.family_name = ANONYMISED_NAME
    for field in CLEARED_FIELDS:
        setattr(person, field, None)
    person.sort_name = members.sort_name_for(ANONYMISED_NAME, None)
    person.user_id = None
    person.anonymised_at = utcnow()
    db.session.flush()
    if account_id is not None:
        _anonymise_account(db.session.get(User, account_id), actor)
    # What the audit log and the reminder log held of them: the entries stay, the
    # personal values go.
    audit.erase_personal_data(person_id=person.id, user_id=account_id)
    db.session.execute(
        update(ReminderLog)
        .where(ReminderLog.invoice_id.in_(select(Invoice.id).where(Invoice.person_id == person.id)))
        .values(recipient=None)
    )
    _sweep_copies(person, {n for n in names if n}, {e for e in emails if e})
    audit.record(
        "members:person:anonymise",
        {"member_numbers": member_numbers, "account_id": account_id},
        obj=person,
        actor=actor,
    )


def _sweep_copies(person: Person, names: set[str], emails: set[str]) -> None:
    """Remove the copies of their name and address that other records took: the mails
    to them in the outbox (and their name or address in any other mail), the
    convocation log (the record that a convocation went out stays, by member number),
    and the addresses pre-notifications of direct debits went to."""

    lowered = {e.lower() for e in emails}
    if lowered:
        db.session.execute(
            delete(OutboxMessage).where(func.lower(OutboxMessage.recipient).in_(lowered)))
    needles = sorted(names | emails, key=len, reverse=True)
    if needles:
        columns = (OutboxMessage.subject, OutboxMessage.body_text, OutboxMessage.body_html)
        found = or_(*[column.contains(needle) for column in columns for needle in needles])
        for message in db.session.scalars(select(OutboxMessage).where(found)):
            for column in ("subject", "body_text", "body_html"):
                text = getattr(message, column)
                for needle in needles:
                    text = text.replace(needle, ANONYMISED_NAME) if text else text
                setattr(message, column, text)
    db.session.execute(
        update(ConvocationLog).where(ConvocationLog.person_id == person.id)
        .values(name=ANONYMISED_NAME, address="-")
    )
    db.session.execute(
        update(BatchItem)
        .where(BatchItem.mandate_id.in_(select(Mandate.id).where(Mandate.person_id == person.id)))
        .values(notified_to=None)
    )
    db.session.flush()


def _anonymise_account(user: User, actor) -> None:
    old_email = user.email
    if user.is_active_account:
        accounts.set_active(user, False, actor=actor)
    user.email = f"geanonimiseerd-{user.id}@invalid"
    user.name = ANONYMISED_NAME
    user.password_hash = None
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.security_stamp += 1
    user.role_rows = []
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == old_email))
    db.session.flush()


def anonymise_former_members(today: date, dry_run: bool = False, actor=None) -> list[dict]:
    """Anonymise everyone past the retention term (or, dry run, only list them).

    Returns one `{"person_id", "name", "member_numbers", "last_end_date"}` per person,
    with the name as it was before. Flushes; the caller commits.
    """
    result = []
    for person in persons_past_retention(today):
        numbers = sorted(
            db.session.scalars(
                select(Membership.member_number).where(Membership.person_id == person.id)
            )
        )
        result.append({
            "person_id": person.id,
            "name": person.display_name,
            "member_numbers": numbers,
            "last_end_date": last_end_date(person),
        })
        if not dry_run:
            anonymise(person, actor=actor)
    return result


@click.command("anonymise-former-members")
@click.option("--dry-run", is_flag=True, help="List who would be anonymised; change nothing.")
@with_appcontext
def anonymise_former_members_command(dry_run: bool) -> None:
    """Anonymise former members past the retention term set in the organisation."""
    retention = get_organisation().retention_years
    rows = anonymise_former_members(date.today(), dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(f"retention: {retention} years after the last membership ended")
    for row in rows:
        numbers = ", ".join(str(n) for n in row["member_numbers"])
        left = row["last_end_date"].isoformat()
        if dry_run:
            # The name only in the preview: a real run's output may end up in logs.
            click.echo(f"would anonymise person {row['person_id']} ({row['name']}; "
                       f"member {numbers}; left {left})")
        else:
            click.echo(f"anonymised person {row['person_id']} (member {numbers}; left {left})")
    verb = "would be anonymised" if dry_run else "anonymised"
    click.echo(f"{len(rows)} person(s) {verb}")


# Data export (AVG art. 15 and 20) ------------------------------------------------------


def _iso(value) -> Any:
    return value.isoformat() if value is not None else None


def export_data(user: User, person: Person | None) -> dict[str, Any]:
    """Everything the coop holds on this user and their register entry, as plain JSON.

    Nothing about other people: audit entries name who acted only as "you",
    "the coop" or "system", never another person's email; payments leave out who
    recorded them.
    """
    data: dict[str, Any] = {
        "generated_at": _iso(utcnow()),
        "organisation": get_organisation().name,
        "account": _account_data(user),
        "person": None,
        "consent_history": [],
        "memberships": [],
        "invoices": [],
        "direct_debit_mandates": [],
        "audit_log": [],
    }
    if person is not None:
        data["person"] = _person_data(person)
        data["consent_history"] = [
            {"kind": e.kind, "given": e.given, "at": _iso(e.at)}
            for e in db.session.scalars(
                select(ConsentEvent)
                .where(ConsentEvent.person_id == person.id)
                .order_by(ConsentEvent.at, ConsentEvent.id)
            )
        ]
        data["memberships"] = _memberships_data(person)
        data["invoices"] = _invoices_data(person)
        data["direct_debit_mandates"] = _mandates_data(person)
    data["audit_log"] = _audit_data(user, person)
    return data


def _account_data(user: User) -> dict[str, Any]:
    def summary(succeeded: bool) -> dict[str, Any]:
        row = db.session.execute(
            select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(
                LoginAttempt.email == user.email, LoginAttempt.succeeded.is_(succeeded)
            )
        ).one()
        return {"count": row[0], "last_at": _iso(row[1])}

    return {
        "email": user.email,
        "name": user.name,
        "roles": sorted(r.value for r in user.roles),
        "language": user.locale,
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
        "two_factor_enabled": user.two_factor_enabled,
        "logins": {"succeeded": summary(True), "failed": summary(False)},
    }


def _person_data(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "kind": person.kind,
        "given_name": person.given_name,
        "name_prefix": person.name_prefix,
        "family_name": person.family_name,
        "email": person.email,
        "phone": person.phone,
        "street": person.street,
        "postcode": person.postcode,
        "city": person.city,
        "date_of_birth": _iso(person.date_of_birth),
        "consent_electronic_convocation": person.consent_electronic_convocation,
        "consent_newsletter": person.consent_newsletter,
        "created_at": _iso(person.created_at),
        "updated_at": _iso(person.updated_at),
    }


def _memberships_data(person: Person) -> list[dict[str, Any]]:
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.person_id == person.id)
        .options(selectinload(Membership.type), selectinload(Membership.status_changes))
        .order_by(Membership.start_date, Membership.id)
    )
    return [
        {
            "member_number": m.member_number,
            "type": {"code": m.type.code, "name": m.type.name,
                     "yearly_dues_cents": m.type.yearly_dues_cents,
                     "has_vote": m.type.has_vote},
            "start_date": _iso(m.start_date),
            "end_date": _iso(m.end_date),
            "status": m.status,
            "status_reason": m.status_reason,
            "status_history": [
                {"from": c.from_status, "to": c.to_status,
                 "effective_date": _iso(c.effective_date), "reason": c.reason,
                 "recorded_at": _iso(c.at)}
                for c in m.status_changes
            ],
        }
        for m in memberships
    ]


def _invoices_data(person: Person) -> list[dict[str, Any]]:
    invoices = db.session.scalars(
        select(Invoice)
        .where(Invoice.person_id == person.id)
        .options(selectinload(Invoice.lines), selectinload(Invoice.payments))
        .order_by(Invoice.issue_date, Invoice.id)
    )
    return [
        {
            "number": i.number,
            "kind": i.kind,
            "issue_date": _iso(i.issue_date),
            "due_date": _iso(i.due_date),
            "dues_year": i.dues_year,
            "total_cents": i.total_cents,
            "status": i.status,
            "payment_reference": i.payment_reference,
            "addressee_name": i.addressee_name,
            "addressee_address": i.addressee_address,
            "lines": [
                {"description": line.description, "quantity": line.quantity,
                 "unit_cents": line.unit_cents, "amount_cents": line.amount_cents}
                for line in i.lines
            ],
            "payments": [
                {"amount_cents": p.amount_cents, "method": p.method,
                 "paid_on": _iso(p.paid_on), "reference": p.reference,
                 "reversed_on": _iso(p.reversed_on), "reversal_reason": p.reversal_reason}
                for p in i.payments
            ],
        }
        for i in invoices
    ]


def _mandates_data(person: Person) -> list[dict[str, Any]]:
    mandates = db.session.scalars(
        select(Mandate).where(Mandate.person_id == person.id).order_by(Mandate.id)
    )
    return [
        {
            "reference": m.reference, "kind": m.kind, "source": m.source, "status": m.status,
            "account_holder": m.account_holder, "iban": m.iban, "bic": m.bic,
            "signed_on": _iso(m.signed_on), "consent_text": m.consent_text,
            "ended_on": _iso(m.ended_on), "end_reason": m.end_reason,
            "collections": [
                {"amount_cents": i.amount_cents, "sequence_type": i.sequence_type,
                 "status": i.status, "reason_code": i.reason_code}
                for i in db.session.scalars(
                    select(BatchItem).where(BatchItem.mandate_id == m.id).order_by(BatchItem.id)
                )
            ],
        }
        for m in mandates
    ]


def _audit_data(user: User, person: Person | None) -> list[dict[str, Any]]:
    """Audit entries about the person, their memberships, invoices and account."""
    about = [and_(AuditEvent.object_type == "User", AuditEvent.object_id == str(user.id))]
    if person is not None:
        about.append(
            and_(AuditEvent.object_type == "Person", AuditEvent.object_id == str(person.id))
        )
        membership_ids = [
            str(i) for i in db.session.scalars(
                select(Membership.id).where(Membership.person_id == person.id)
            )
        ]
        invoice_ids = [
            str(i) for i in db.session.scalars(
                select(Invoice.id).where(Invoice.person_id == person.id)
            )
        ]
        if membership_ids:
            about.append(and_(AuditEvent.object_type == "Membership",
                              AuditEvent.object_id.in_(membership_ids)))
        if invoice_ids:
            about.append(and_(AuditEvent.object_type == "Invoice",
                              AuditEvent.object_id.in_(invoice_ids)))
    entries = db.session.scalars(
        select(AuditEvent)
        .where(or_(*about))
        .options(selectinload(AuditEvent.personal_data))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    # The personal values kept with an entry are shown only when they are this
    # person's or account's (an entry about them never holds someone else's).
    return [
        {
            "at": _iso(e.at),
            "action": e.tag,
            "about": e.object_type,
            "by": _actor_word(e, user),
            "details": {
                **e.details,
                **(e.personal_data.data if _is_theirs(e.personal_data, user, person) else {}),
            },
        }
        for e in entries
    ]


def _is_theirs(personal, user: User, person: Person | None) -> bool:
    if personal is None:
        return False
    if personal.user_id is not None:
        return personal.user_id == user.id
    return person is not None and personal.person_id == person.id


def _actor_word(entry: AuditEvent, user: User) -> str:
    if entry.actor_id is None:
        return "system"
    return "you" if entry.actor_id == user.id else "the coop"
