"""Donors' personal data: how long the coop keeps it, and a donor's erasure request.

What is personal: the donor's name and email address on gifts, monthly gifts,
periodic-gift agreements (and the address there) and the log of mailed statements.
What the books need (AWR art. 52, BW 2:10: kept 7 years) are the amounts, dates and
bookings: those stay, tied to an anonymous gift.

The rule, per donor (their email address; a named gift without an address stands on
its own):

- kept for `DONOR_RETENTION_YEARS` (at least 7) full calendar years after the year of
  the donor's last gift (a gift in 2026 is kept until the end of 2033, anonymised from
  1 January 2034);
- never while a monthly gift of theirs is running (active, or waiting for its first
  payment);
- a periodic-gift agreement is itself a fiscal record: kept for its term plus the same
  retention (5 years + 7), and the donor's gifts with it;
- a donor's own erasure request (AVG art. 17) is carried out at once, except while a
  periodic-gift agreement must still be kept (AVG art. 17 lid 3 sub b: a legal duty;
  the gifts prove the agreement was kept) or a monthly gift runs (stop it first).

Journal entries are never changed: since this module exists, gift entries name the
gift's number, not the donor. Entries posted before still carry the donor's name.
The audit entry of an anonymisation records counts and agreement numbers, never the
name or address.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from coop import audit
from coop.donations.models import (
    Donation,
    DonorStatementMail,
    PeriodicGiftAgreement,
    RecurringDonation,
    RecurringStatus,
)
from coop.errors import ServiceError
from coop.extensions import db
from coop.mail import OutboxMessage
from coop.members.services import ANONYMISED_NAME
from coop.payments.models import OnlinePayment
from coop.timeutil import AMSTERDAM, utcnow

# The fiscal retention duty (AWR art. 52): no setting can go below it.
BEWAARPLICHT_YEARS = 7
RUNNING = (RecurringStatus.ACTIVE.value, RecurringStatus.PENDING.value)


class DonorPrivacyError(ServiceError):
    """A refused erasure; `message` says why, `field` the form field."""

    default_field = "email"


def retention_years() -> int:
    configured = current_app.config.get("DONOR_RETENTION_YEARS", BEWAARPLICHT_YEARS)
    if configured < BEWAARPLICHT_YEARS:
        current_app.logger.warning("DONOR_RETENTION_YEARS %s is below the fiscal 7 years; "
                                   "7 is used", configured)
    return max(configured, BEWAARPLICHT_YEARS)


def _year(moment: datetime | None) -> int | None:
    return moment.astimezone(AMSTERDAM).year if moment is not None else None


@dataclass
class Donor:
    """Everything held on one donor, and until when it is kept."""

    email: str | None
    name: str | None = None
    donations: list[Donation] = field(default_factory=list)
    monthly: list[RecurringDonation] = field(default_factory=list)
    agreements: list[PeriodicGiftAgreement] = field(default_factory=list)
    last_year: int = 0  # the last year of a gift (or of an agreement's term)
    kept_until: int = 0  # the last calendar year the data is kept
    agreement_kept_until: int | None = None  # … because of a periodic-gift agreement

    @property
    def monthly_running(self) -> bool:
        return any(r.status in RUNNING for r in self.monthly)

    def past_retention(self, today: date) -> bool:
        return not self.monthly_running and today.year > self.kept_until


def _donors(email: str | None = None) -> list[Donor]:
    """The donors whose name or email is still held (only `email`'s, when given)."""
    retention = retention_years()
    donors: dict[object, Donor] = {}

    def donor_for(key_email: str | None, row_key) -> Donor:
        key = key_email or row_key
        if key not in donors:
            donors[key] = Donor(email=key_email)
        return donors[key]

    def held(model):
        condition = model.anonymised_at.is_(None) & or_(model.donor_email.is_not(None),
                                                        model.donor_name.is_not(None))
        if email is not None:
            condition = condition & (model.donor_email == email)
        return condition

    paid_at = dict(db.session.execute(
        select(OnlinePayment.donation_id, OnlinePayment.paid_at)
        .join(Donation, Donation.id == OnlinePayment.donation_id)
        .where(held(Donation))).all())
    for donation in db.session.scalars(select(Donation).where(held(Donation))
                                       .order_by(Donation.id)):
        donor = donor_for(donation.donor_email, ("donation", donation.id))
        donor.donations.append(donation)
        donor.name = donation.donor_name or donor.name
        years = [_year(donation.created_at), _year(paid_at.get(donation.id))]
        donor.last_year = max([donor.last_year, *(y for y in years if y)])
    for recurring in db.session.scalars(select(RecurringDonation).where(
            held(RecurringDonation)).order_by(RecurringDonation.id)):
        donor = donor_for(recurring.donor_email, ("monthly", recurring.id))
        donor.monthly.append(recurring)
        donor.name = donor.name or recurring.donor_name
        years = [_year(recurring.created_at), _year(recurring.canceled_at)]
        donor.last_year = max([donor.last_year, *(y for y in years if y)])
    for agreement in db.session.scalars(select(PeriodicGiftAgreement).where(
            held(PeriodicGiftAgreement)).order_by(PeriodicGiftAgreement.id)):
        donor = donor_for(agreement.donor_email, ("agreement", agreement.id))
        donor.agreements.append(agreement)
        donor.name = donor.name or agreement.donor_name
        end_year = agreement.start_date.year + agreement.years - 1
        donor.last_year = max(donor.last_year, end_year, agreement.signed_on.year)
        donor.agreement_kept_until = max(donor.agreement_kept_until or 0,
                                         end_year + retention)
    for donor in donors.values():
        donor.kept_until = donor.last_year + retention
    return list(donors.values())


def donors_past_retention(today: date) -> list[Donor]:
    return [donor for donor in _donors() if donor.past_retention(today)]


def anonymise(donor: Donor, reason: str, actor=None) -> dict:
    """Remove the donor's name, email and address from their gifts, monthly gifts,
    agreements and mailed-statement log, and their mails in the outbox; amounts,
    statuses and bookings stay. Audited with counts only. Flushes; the caller commits.
    """
    now = utcnow()
    for row in (*donor.donations, *donor.monthly):
        row.donor_name = ANONYMISED_NAME if row.donor_name else None
        row.donor_email = None
        row.public_consent = False
        row.anonymised_at = now
    for agreement in donor.agreements:
        agreement.donor_name = ANONYMISED_NAME
        agreement.donor_email = None
        agreement.donor_address = None
        agreement.anonymised_at = now
    mails = 0
    if donor.email:
        mails = db.session.execute(
            update(DonorStatementMail).where(DonorStatementMail.donor_email == donor.email)
            .values(donor_email=None)).rowcount
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == donor.email))
    db.session.flush()
    summary = {"reason": reason, "gifts": len(donor.donations),
               "monthly_gifts": len(donor.monthly),
               "agreements": [a.transaction_number for a in donor.agreements],
               "statement_mails": mails, "last_year": donor.last_year}
    audit.record("donations:donor:anonymise", summary, actor=actor)
    return summary


def anonymise_donors(today: date, dry_run: bool = False, actor=None) -> list[dict]:
    """Anonymise every donor past retention (dry run: only list them). Returns one
    `{"email", "name", "gifts", "monthly_gifts", "agreements", "last_year"}` per donor,
    with name and email as they were."""
    rows = []
    for donor in donors_past_retention(today):
        rows.append({"email": donor.email, "name": donor.name, "gifts": len(donor.donations),
                     "monthly_gifts": len(donor.monthly),
                     "agreements": [a.transaction_number for a in donor.agreements],
                     "last_year": donor.last_year})
        if not dry_run:
            anonymise(donor, "retention", actor=actor)
    return rows


def erasure_preview(email: str) -> Donor:
    """What an erasure request for `email` would anonymise. Raises DonorPrivacyError
    when nothing is held on that address, a monthly gift runs, or a periodic-gift
    agreement must still be kept (the message says until when)."""
    email = (email or "").strip().lower()
    found = [donor for donor in _donors(email) if donor.email == email]
    if not found:
        raise DonorPrivacyError(_l("No gifts or agreements are held with this email address."))
    donor = found[0]
    if donor.monthly_running:
        raise DonorPrivacyError(_l(
            "This donor has a monthly gift running. Stop it first; then their data can be "
            "anonymised."))
    today_year = utcnow().astimezone(AMSTERDAM).year
    if donor.agreement_kept_until is not None and donor.agreement_kept_until >= today_year:
        numbers = ", ".join(a.transaction_number for a in donor.agreements)
        raise DonorPrivacyError(_l(
            "The periodic gift agreement %(numbers)s and the gifts under it must be kept "
            "until the end of %(year)s (the fiscal retention duty, AWR art. 52, for the "
            "agreement's term plus 7 years). The donor's data can be anonymised from "
            "1 January %(next)s.", numbers=numbers, year=donor.agreement_kept_until,
            next=donor.agreement_kept_until + 1))
    return donor


def erase_donor(email: str, actor=None) -> dict:
    """Carry out a donor's erasure request (see `erasure_preview` for the refusals)."""
    return anonymise(erasure_preview(email), "request", actor=actor)


@click.command("anonymise-donors")
@click.option("--dry-run", is_flag=True, help="List the donors; change nothing.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if it were this day (default: today in Amsterdam).")
@with_appcontext
def anonymise_donors_command(dry_run: bool, today) -> None:
    """Remove donors' names and emails past the retention term (run monthly)."""
    day: date = today.date() if today else utcnow().astimezone(AMSTERDAM).date()
    rows = anonymise_donors(day, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(f"retention: {retention_years()} full calendar years after the last gift "
               "(a periodic-gift agreement: after its term)")
    for row in rows:
        what = (f"{row['gifts']} gift(s), {row['monthly_gifts']} monthly gift(s), "
                f"{len(row['agreements'])} agreement(s); last {row['last_year']}")
        if dry_run:
            # Who, only in the preview: a real run's output may end up in logs.
            who = row["email"] or row["name"] or "?"
            click.echo(f"would anonymise {who} ({what})")
        else:
            click.echo(f"anonymised a donor ({what})")
    click.echo(f"{len(rows)} donor(s) {'would be ' if dry_run else ''}anonymised")


COMMANDS = (anonymise_donors_command,)
