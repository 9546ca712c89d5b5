"""The direct debit rules: mandates, pain.008 batches, pre-notifications, collection,
rejections and stornos, and how long a mandate is kept.

Services flush but do not commit; the caller commits once. A refused action raises
`DirectDebitError` (a translated message and the form field it belongs to).

Decisions the code encodes:

- The sequence type follows from what happened before, not from a flag someone must
  remember to set: a one-off mandate collects OOFF; a recurrent one FRST until a
  collection under it has been collected and not reversed (so after a storno or a
  rejection of the first collection the next one is FRST again, as the Dutch banks
  require), RCUR after that, and FNAL for the last invoice of someone whose membership
  has ended. An OOFF or FNAL collection uses the mandate up.
- One collection per mandate per batch (the oldest open invoice): dues are yearly, and
  it keeps FRST and RCUR apart without sending two transactions under one mandate at
  once. A mandate with a collection still pending waits for its outcome.
- The collection date lies at least the pre-notification term (settings, 14 days by
  default) ahead, on a TARGET2 business day: a weekday that is not a TARGET2 closing
  day (1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December; the dates
  come from python-holidays' ECB calendar).
- A storno after 8 weeks is only possible for an unauthorised collection (reason
  MD01), and at most 13 months after the collection.
- A mandate is kept 36 months after its last collection (or, never used, after it
  ended or was signed), then its account holder and account are removed.
- A batch's pain.008 file (names and IBANs of the members) is kept 14 months after the
  collection date once the batch is collected or withdrawn: the 13 months in which a
  member can have an unauthorised collection reversed, plus a month for the bank's
  report of it. Then the file is removed; the message id, count, total, the file's
  SHA-256 fingerprint and every item (invoice, amount, end-to-end id, payment) stay, so
  the books and the audit trail remain verifiable for the 7 fiscal years, and a copy
  kept elsewhere can be checked against the fingerprint. The same names and accounts
  are in the mandates, which have their own term.
"""

import calendar
import functools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sepaxml import SepaDD
from sepaxml.validation import ValidationError as SepaValidationError
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, defer

from coop import audit, timeutil
from coop.accounts.models import User
from coop.directdebit.models import (
    Batch,
    BatchItem,
    BatchStatus,
    ItemStatus,
    Mandate,
    MandateKind,
    MandateSource,
    MandateStatus,
    SequenceType,
)
from coop.dues import services as dues
from coop.dues.models import Invoice, InvoiceKind, InvoiceStatus, Payment, PaymentMethod
from coop.errors import ServiceError
from coop.extensions import db
from coop.locking import lock_rows, locked
from coop.mail import MailError, send_mail
from coop.members.models import Membership, Person
from coop.settings.services import get_organisation, payment_iban
from coop.templating import date_filter, money_filter
from coop.timeutil import utcnow
from coop.validators import country_name, iban_in_sepa_zone, normalise_bic, normalise_iban

PAIN_008_SCHEMA = "pain.008.001.02"
RETENTION_MONTHS = 36
FILE_RETENTION_MONTHS = 14  # the 13 months of UNAUTHORISED_MONTHS, plus one
REFUND_WEEKS = 8  # an authorised collection can be reversed within 8 weeks …
UNAUTHORISED_MONTHS = 13  # … an unauthorised one within 13 months
UNAUTHORISED_CODE = "MD01"
ANONYMISED_HOLDER = "Geanonimiseerd"

# The SEPA R-transaction reason codes a bank reports (EPC guidance on reason codes).
REASON_CODES = {
    "AC01": _l("Account number incorrect"),
    "AC04": _l("Account closed"),
    "AC06": _l("Account blocked"),
    "AC13": _l("Debtor account is a consumer account"),
    "AG01": _l("Direct debit not allowed on this account"),
    "AG02": _l("Invalid bank operation code"),
    "AM04": _l("Insufficient funds"),
    "AM05": _l("Duplicate collection"),
    "BE05": _l("Creditor unknown to the bank"),
    "FF01": _l("Invalid file format"),
    "MD01": _l("No valid mandate (unauthorised collection)"),
    "MD02": _l("Mandate data missing or incorrect"),
    "MD06": _l("Refund requested by the member (within 8 weeks)"),
    "MD07": _l("Account holder deceased"),
    "MS02": _l("Refused by the member, reason not given"),
    "MS03": _l("Reason not given by the bank"),
    "RC01": _l("BIC incorrect"),
    "RR01": _l("Regulatory reason: debtor account or identification missing"),
    "RR02": _l("Regulatory reason: debtor name or address missing"),
    "RR03": _l("Regulatory reason: creditor name or address missing"),
    "RR04": _l("Regulatory reason"),
    "SL01": _l("Blocked by the member's bank on the member's request"),
}

# EPC: a mandate reference uses these characters, and no `//`, nor `/` at either end.
_REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9/\-?:().,'+]{1,35}")


class DirectDebitError(ServiceError):
    """A refused direct debit action. `field` names the form field of the message."""


def _months_later(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def mask_iban(iban: str | None) -> str:
    """NL** **** **** **12 34: enough to recognise one's account, not to use it."""
    if not iban:
        return ""
    return f"{iban[:2]}•• •••• {iban[-4:]}"


# Mandates -----------------------------------------------------------------------------


def consent_text(organisation_name: str, creditor_id: str | None) -> str:
    """The mandate text (the Dutch banks' standard wording) in the current language."""
    return gettext(
        "By signing this mandate you authorise %(creditor)s (incassant-ID %(creditor_id)s) "
        "to send recurring collection instructions to your bank to debit your account "
        "for your membership dues, and your bank to debit your account in accordance with "
        "the instructions from %(creditor)s. If "
        "you do not agree with a debit you can have it reversed: contact your bank within "
        "8 weeks of the debit. Ask your bank about the conditions.",
        creditor=organisation_name, creditor_id=creditor_id or "—",
    )


def active_mandate(person: Person) -> Mandate | None:
    return db.session.scalar(
        select(Mandate).where(
            Mandate.person_id == person.id, Mandate.status == MandateStatus.ACTIVE
        )
    )


def normalise_reference(value: str) -> str:
    """The mandate reference as typed, checked; raises DirectDebitError at `reference`."""
    reference = (value or "").strip()
    if len(reference) > 35:
        raise DirectDebitError(
            _l("A mandate reference has at most 35 characters."), "reference"
        )
    if (
        not _REFERENCE_PATTERN.fullmatch(reference)
        or "//" in reference
        or reference.startswith("/")
        or reference.endswith("/")
    ):
        raise DirectDebitError(
            _l("Use letters, digits and - / ? : ( ) . , ' + only, no spaces; not // nor a "
               "/ at the start or end."),
            "reference",
        )
    return reference


def _generated_reference(person: Person) -> str:
    taken = db.session.scalar(
        select(func.count(Mandate.id)).where(Mandate.person_id == person.id)
    )
    n = taken + 1
    while True:
        reference = f"CONTRIBUTIE-{person.id:06d}-{n:02d}"
        if db.session.scalar(select(Mandate.id).where(Mandate.reference == reference)) is None:
            return reference
        n += 1


def _debtor_account(account_holder: str | None, iban: str | None,
                    bic: str | None) -> tuple[str, str, str | None]:
    """The account holder, IBAN and BIC as a mandate stores them. Raises
    DirectDebitError at the field: no holder or one over 70 characters, an invalid IBAN
    or BIC, an IBAN outside the SEPA area."""
    holder = " ".join((account_holder or "").split())
    if not holder:
        raise DirectDebitError(_l("Enter the name of the account holder."), "account_holder")
    if len(holder) > 70:
        raise DirectDebitError(
            _l("The name is too long for a direct debit (at most 70 characters)."),
            "account_holder",
        )
    try:
        iban = normalise_iban(iban or "")
    except ValueError as error:
        raise DirectDebitError(error.args[0], "iban") from None
    if not iban_in_sepa_zone(iban):
        raise DirectDebitError(
            _l("A direct debit is only possible from an account in the SEPA area; "
               "%(country)s is not part of it. Pay the dues by bank transfer or online "
               "instead.", country=country_name(iban[:2])),
            "iban",
        )
    if (bic or "").strip():
        try:
            bic = normalise_bic(bic)
        except ValueError as error:
            raise DirectDebitError(error.args[0], "bic") from None
    else:
        bic = None
    return holder, iban, bic


def _mandate_reference(person: Person, reference: str | None) -> str:
    """The reference printed on a paper form, checked and free, or a generated one.
    Raises DirectDebitError at `reference`."""
    if reference:
        reference = normalise_reference(reference)
        if db.session.scalar(select(Mandate.id).where(Mandate.reference == reference)):
            raise DirectDebitError(
                _l("Mandate reference %(reference)s is already in use.", reference=reference),
                "reference",
            )
    else:
        reference = _generated_reference(person)
    return reference


def sign_mandate(
    person: Person,
    *,
    account_holder: str,
    iban: str,
    bic: str | None = None,
    signed_on: date,
    source: str,
    kind: str = MandateKind.RECURRENT,
    reference: str | None = None,
    actor=None,
    today: date | None = None,
) -> Mandate:
    """Record a mandate of `person`: signed in the portal (reference generated) or on
    paper (registered by the treasurer, with the reference printed on the form or a
    generated one). The consent text of the day is stored with it.

    Raises DirectDebitError (with the field) for: no account holder or one longer than
    70 characters, an invalid IBAN or BIC, an IBAN of a country outside SEPA, a
    signature date in the future, a reference that is too long, has characters SEPA
    does not allow or is taken, a person who has an active mandate already or was
    anonymised, a coop without an incassant-ID.
    """
    today = today or timeutil.local_today()
    # Lock the person: two signings at once must not both pass the checks below.
    person = locked(Person, person.id)
    if person.anonymised_at is not None:
        raise DirectDebitError(_l("This person was anonymised."))
    holder, iban, bic = _debtor_account(account_holder, iban, bic)
    if signed_on > today:
        raise DirectDebitError(_l("The signature date cannot be in the future."), "signed_on")
    if kind not in {k.value for k in MandateKind}:
        raise DirectDebitError(_l("Choose a kind of mandate."), "kind")
    reference = _mandate_reference(person, reference)
    if active_mandate(person) is not None:
        raise DirectDebitError(
            _l("There is an active mandate already; revoke it before signing a new one.")
        )
    organisation = get_organisation()
    if not organisation.creditor_id:
        # The mandate text names the coop's incassant-ID: without it there is no mandate.
        raise DirectDebitError(_l("The coop does not collect by direct debit yet."))
    mandate = Mandate(
        person_id=person.id,
        reference=reference,
        kind=MandateKind(kind).value,
        source=MandateSource(source).value,
        status=MandateStatus.ACTIVE.value,
        account_holder=holder,
        iban=iban,
        bic=bic,
        signed_on=signed_on,
        consent_text=consent_text(organisation.name, organisation.creditor_id),
        created_by_id=audit.acting_user_id(actor),
    )
    db.session.add(mandate)
    db.session.flush()
    audit.record(
        "finance:mandate:sign",
        {"reference": reference, "person_id": person.id, "source": mandate.source,
         "kind": mandate.kind, "iban": mask_iban(iban), "signed_on": signed_on.isoformat()},
        obj=mandate, actor=actor,
    )
    return mandate


def revoke_mandate(mandate: Mandate, reason: str, actor=None, today: date | None = None):
    """Revoke an active mandate from today: nothing more is collected under it (a
    collection already in a pending batch shows a warning on the batch page).
    Raises DirectDebitError for a mandate that is not active or without a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DirectDebitError(_l("Give a reason."), "reason")
    if len(reason) > 200:
        raise DirectDebitError(_l("The reason is too long (at most 200 characters)."),
                               "reason")
    if mandate.status != MandateStatus.ACTIVE:
        raise DirectDebitError(_l("This mandate is not active."))
    _end(mandate, MandateStatus.REVOKED, today or timeutil.local_today(), reason)
    audit.record(
        "finance:mandate:revoke", {"reference": mandate.reference, "reason": reason},
        obj=mandate, actor=actor,
    )
    return mandate


def _end(mandate: Mandate, status: MandateStatus, day: date, reason: str) -> None:
    mandate.status = status.value
    mandate.ended_on = day
    mandate.end_reason = reason[:200]
    db.session.flush()


def end_mandates_of(person: Person, reason: str, actor=None) -> int:
    """End the active mandate of a person who leaves the register (anonymisation)."""
    mandate = active_mandate(person)
    if mandate is None:
        return 0
    _end(mandate, MandateStatus.REVOKED, timeutil.local_today(), reason)
    audit.record("finance:mandate:revoke", {"reference": mandate.reference, "reason": reason},
                 obj=mandate, actor=actor)
    return 1


def collected_before(mandate: Mandate) -> bool:
    """A collection under the mandate went through and was not reversed."""
    return db.session.scalar(
        select(exists().where(
            BatchItem.mandate_id == mandate.id, BatchItem.status == ItemStatus.COLLECTED
        ))
    )


def next_sequence_type(mandate: Mandate, last_collection: bool = False) -> SequenceType:
    """The sequence type of the next collection under `mandate` (see the module doc)."""
    if mandate.kind == MandateKind.ONE_OFF:
        return SequenceType.ONE_OFF
    if not collected_before(mandate):
        return SequenceType.FIRST
    return SequenceType.FINAL if last_collection else SequenceType.RECURRING


# Batches ------------------------------------------------------------------------------


@dataclass
class Candidate:
    invoice: Invoice
    mandate: Mandate
    amount_cents: int
    sequence_type: SequenceType
    attempt: int


def _candidates(collection_date: date) -> list[Candidate]:
    """The oldest open dues invoice of each active mandate that has no pending
    collection, with what remains to be paid on it; locked against a concurrent run."""
    live_item = aliased(BatchItem)
    pending_for_mandate = aliased(BatchItem)
    paid = dues.paid_so_far()
    rows = db.session.execute(lock_rows(
        select(Invoice, Mandate, paid)
        .join(Mandate, and_(Mandate.person_id == Invoice.person_id,
                            Mandate.status == MandateStatus.ACTIVE))
        .join(Person, Person.id == Invoice.person_id)
        .where(
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status == InvoiceStatus.OPEN,
            Person.anonymised_at.is_(None),
            ~exists().where(live_item.invoice_id == Invoice.id,
                            live_item.status.in_((ItemStatus.PENDING, ItemStatus.COLLECTED))),
            ~exists().where(pending_for_mandate.mandate_id == Mandate.id,
                            pending_for_mandate.status == ItemStatus.PENDING),
        )
        .order_by(Mandate.id, Invoice.due_date, Invoice.id),
        of=Invoice,
    )).all()
    chosen: dict[int, tuple[Invoice, Mandate, int]] = {}
    open_count: dict[int, int] = {}
    for invoice, mandate, paid_cents in rows:
        open_count[mandate.id] = open_count.get(mandate.id, 0) + 1
        if mandate.id not in chosen and invoice.total_cents - paid_cents > 0:
            chosen[mandate.id] = (invoice, mandate, invoice.total_cents - paid_cents)
    if not chosen:
        return []
    person_ids = {invoice.person_id for invoice, _m, _a in chosen.values()}
    # Still a member on the collection date: then later dues follow and this is not the
    # last collection under the mandate.
    staying = set(db.session.scalars(
        select(Membership.person_id).where(
            Membership.person_id.in_(person_ids),
            or_(Membership.end_date.is_(None), Membership.end_date > collection_date),
        )
    ))
    attempts = dict(db.session.execute(
        select(BatchItem.invoice_id, func.count(BatchItem.id))
        .where(BatchItem.invoice_id.in_([i.id for i, _m, _a in chosen.values()]))
        .group_by(BatchItem.invoice_id)
    ).all())
    result = []
    for invoice, mandate, amount in chosen.values():
        last = invoice.person_id not in staying and open_count[mandate.id] == 1
        result.append(Candidate(invoice, mandate, amount, next_sequence_type(mandate, last),
                                attempts.get(invoice.id, 0) + 1))
    return result


# The days TARGET2 (T2) is closed, named in the UI language; python-holidays gives the
# dates (its ECB/TARGET2 calendar, "XECB") with these English names.
TARGET_CLOSING_DAY_NAMES = {
    "New Year's Day": _l("New Year's Day"),
    "Good Friday": _l("Good Friday"),
    "Easter Monday": _l("Easter Monday"),
    "Labour Day": _l("Labour Day"),
    "Christmas Day": _l("Christmas Day"),
    "Christmas Holiday": _l("Boxing Day"),
}


@functools.cache
def _target_closing_days(year: int) -> dict[date, str]:
    # Deferred on purpose: holidays takes a quarter second to import.
    import holidays

    return dict(holidays.financial_holidays("XECB", years=year))


def target_closing_day(day: date):
    """The name of the TARGET2 closing day `day` is (translated), or None."""
    name = _target_closing_days(day.year).get(day)
    if name is None:
        return None
    return TARGET_CLOSING_DAY_NAMES.get(name, name)


def is_business_day(day: date) -> bool:
    """A TARGET2 business day: Monday to Friday and not a TARGET2 closing day, the
    only days on which a SEPA direct debit is settled."""
    return day.weekday() < 5 and target_closing_day(day) is None


def next_business_day(day: date) -> date:
    """`day` itself when it is a business day, else the first one after it."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def earliest_collection_date(today: date, notice_days: int) -> date:
    """The first business day at least the pre-notification term ahead."""
    return next_business_day(today + timedelta(days=notice_days))


def _check_collection_date(collection_date: date, today: date, notice_days: int) -> None:
    earliest = earliest_collection_date(today, notice_days)
    if collection_date < today + timedelta(days=notice_days):
        raise DirectDebitError(
            _l("Members must hear of a collection %(days)d days ahead: choose %(earliest)s "
               "or later.", days=notice_days, earliest=_date(earliest)),
            "collection_date",
        )
    if collection_date > today + timedelta(days=365):
        raise DirectDebitError(
            _l("Choose a collection date within a year."), "collection_date"
        )
    if collection_date.weekday() >= 5:
        raise DirectDebitError(
            _l("Banks collect on working days: choose a Monday to Friday."), "collection_date"
        )
    holiday = target_closing_day(collection_date)
    if holiday is not None:
        raise DirectDebitError(
            _l("%(date)s is %(holiday)s, not a bank business day: banks do not collect "
               "then. Choose another date, such as %(next)s.",
               date=_date(collection_date), holiday=holiday,
               next=_date(next_business_day(collection_date))),
            "collection_date",
        )


def _check_creditor(organisation) -> None:
    missing = [
        label for value, label in (
            (organisation.creditor_id, _l("incassant-ID")),
            (payment_iban(), _l("IBAN of the current account")),
            (organisation.bic, _l("BIC")),
        ) if not value
    ]
    if missing or organisation.id is None:
        raise DirectDebitError(
            _l("Fill in the coop's %(missing)s in the organisation settings (the IBAN "
               "under Bank accounts) first.",
               missing=", ".join(str(m) for m in missing) or _l("details"))
        )


def build_pain008(organisation, collection_date: date, items: list[dict]) -> tuple[str, bytes]:
    """The pain.008.001.02 file of `items` (dicts with invoice, mandate, amount_cents,
    sequence_type, end_to_end_id), made by sepaxml and validated by it against the ISO
    20022 schema it ships. Returns (message id, XML bytes).

    Raises DirectDebitError when the file does not validate.
    """

    sepa = SepaDD({
        "name": organisation.name,
        "IBAN": payment_iban(),
        "BIC": organisation.bic,
        "batch": True,
        "creditor_id": organisation.creditor_id,
        "currency": "EUR",
    }, schema=PAIN_008_SCHEMA)
    for item in items:
        mandate, invoice = item["mandate"], item["invoice"]
        payment = {
            "name": mandate.account_holder,
            "IBAN": mandate.iban,
            "amount": item["amount_cents"],
            "type": item["sequence_type"],
            "collection_date": collection_date,
            "mandate_id": mandate.reference,
            "mandate_date": mandate.signed_on,
            # The member reads this on the bank statement: Dutch, like the invoice.
            "description": f"Contributie {invoice.dues_year or ''} factuur {invoice.number}",
            "endtoend_id": item["end_to_end_id"],
        }
        if mandate.bic:
            payment["BIC"] = mandate.bic
        sepa.add_payment(payment)
    try:
        xml = sepa.export(validate=True)
    except SepaValidationError as error:
        current_app.logger.warning("pain.008 did not validate: %s", error.__cause__)
        raise DirectDebitError(
            _l("The direct debit file did not pass the bank's schema; check the names and "
               "references of the mandates and the coop's settings.")
        ) from None
    return sepa.msg_id, xml


def generate_batch(collection_date: date, actor=None, today: date | None = None) -> Batch:
    """Make a batch of the open dues invoices of mandate holders, collected on
    `collection_date`: the pain.008 file is stored with it. Each invoice is collected
    once: one already in a pending batch, or collected, is left out (the database
    refuses it too).

    Raises DirectDebitError for a collection date within the pre-notification term,
    more than a year ahead, in a weekend or on a TARGET2 closing day, for missing
    creditor settings, when nothing is to be collected, or when the file does not
    validate.
    """
    today = today or timeutil.local_today()
    organisation = get_organisation()
    _check_collection_date(collection_date, today, organisation.direct_debit_notice_days)
    _check_creditor(organisation)
    candidates = _candidates(collection_date)
    if not candidates:
        raise DirectDebitError(
            _l("There is nothing to collect: no open invoices of members with an active "
               "mandate that are not in a batch already.")
        )
    items = [
        {"invoice": c.invoice, "mandate": c.mandate, "amount_cents": c.amount_cents,
         "sequence_type": c.sequence_type.value,
         "end_to_end_id": f"{c.invoice.number}-{c.attempt}"}
        for c in candidates
    ]
    message_id, xml = build_pain008(organisation, collection_date, items)
    batch = Batch(
        message_id=message_id,
        collection_date=collection_date,
        status=BatchStatus.PENDING.value,
        creditor_id=organisation.creditor_id,
        transaction_count=len(items),
        total_cents=sum(item["amount_cents"] for item in items),
        xml=xml.decode("utf-8"),
        created_by_id=audit.acting_user_id(actor),
    )
    db.session.add(batch)
    db.session.flush()
    db.session.add_all([
        BatchItem(
            batch_id=batch.id, invoice_id=item["invoice"].id, mandate_id=item["mandate"].id,
            sequence_type=item["sequence_type"], amount_cents=item["amount_cents"],
            end_to_end_id=item["end_to_end_id"], status=ItemStatus.PENDING.value,
        )
        for item in items
    ])
    db.session.flush()
    audit.record(
        "finance:debit_batch:create",
        {"message_id": message_id, "collection_date": collection_date.isoformat(),
         "count": batch.transaction_count, "total_cents": batch.total_cents,
         "invoices": [item["invoice"].number for item in items]},
        obj=batch, actor=actor,
    )
    return batch


def batch_items(batch: Batch) -> list[tuple[BatchItem, Invoice, Mandate]]:
    return db.session.execute(
        select(BatchItem, Invoice, Mandate)
        .join(Invoice, Invoice.id == BatchItem.invoice_id)
        .join(Mandate, Mandate.id == BatchItem.mandate_id)
        .where(BatchItem.batch_id == batch.id)
        .order_by(Invoice.addressee_name, BatchItem.id)
    ).all()


@dataclass
class NoticeResult:
    sent: int = 0
    no_email: int = 0
    failed: int = 0
    recipients: list[str] = field(default_factory=list)


def send_prenotifications(batch: Batch, actor=None) -> NoticeResult:
    """Mail each member in the pending batch the amount, collection date, mandate
    reference and incassant-ID, once (an item mailed before is skipped, so running it
    again only retries the failures). Logged per item and in the audit log."""

    result = NoticeResult()
    if batch.status != BatchStatus.PENDING:
        return result
    organisation = get_organisation()
    rows = db.session.execute(lock_rows(
        select(BatchItem, Invoice, Mandate, Person, User.locale)
        .join(Invoice, Invoice.id == BatchItem.invoice_id)
        .join(Mandate, Mandate.id == BatchItem.mandate_id)
        .join(Person, Person.id == Invoice.person_id)
        .outerjoin(User, User.id == Person.user_id)
        .where(BatchItem.batch_id == batch.id, BatchItem.status == ItemStatus.PENDING,
               BatchItem.notified_at.is_(None))
        .order_by(BatchItem.id),
        of=BatchItem, skip_locked=True,
    )).all()
    for item, invoice, mandate, person, locale in rows:
        if not person.email or person.anonymised_at is not None:
            result.no_email += 1
            continue
        try:
            send_mail(
                person.email,
                _l("Direct debit of %(amount)s on %(date)s",
                   amount=_money(item.amount_cents), date=_date(batch.collection_date)),
                "direct_debit_notice",
                locale=locale or "nl",
                name=person.display_name,
                amount_cents=item.amount_cents,
                collection_date=batch.collection_date,
                invoice_number=invoice.number,
                dues_year=invoice.dues_year,
                mandate_reference=mandate.reference,
                creditor_id=batch.creditor_id,
                iban=mask_iban(mandate.iban),
                sequence_type=item.sequence_type,
                organisation_name=organisation.name,
            )
        except MailError:
            current_app.logger.exception("pre-notification for item %s failed", item.id)
            result.failed += 1
            continue
        item.notified_to = person.email
        item.notified_at = utcnow()
        result.sent += 1
        result.recipients.append(person.email)
    db.session.flush()
    audit.record(
        "finance:debit_batch:notify",
        {"message_id": batch.message_id, "sent": result.sent, "no_email": result.no_email,
         "failed": result.failed},
        obj=batch, actor=actor,
    )
    return result


def _money(cents: int) -> str:
    return money_filter(cents)


def _date(day: date) -> str:
    return date_filter(day)


def _lock_batch(batch: Batch) -> Batch:
    return locked(Batch, batch.id)


def mark_collected(batch: Batch, actor=None, today: date | None = None) -> int:
    """The bank collected the batch: each pending item becomes a SEPA payment of its
    invoice on the collection date (through the dues service, which books it), and the
    mandates note their last collection; OOFF and FNAL use their mandate up. Items
    rejected before settlement stay unpaid. Returns the number of payments.

    Raises DirectDebitError for a batch that is not pending, before the collection
    date, or when an invoice can no longer take the payment (credited, written off or
    paid otherwise since): mark that item as not collected first.
    """
    today = today or timeutil.local_today()
    batch = _lock_batch(batch)
    if batch.status != BatchStatus.PENDING:
        raise DirectDebitError(_l("This batch is not pending."))
    if today < batch.collection_date:
        raise DirectDebitError(
            _l("The collection date has not come yet: mark the batch collected on or after "
               "%(date)s.", date=_date(batch.collection_date))
        )
    count = 0
    for item, invoice, mandate in batch_items(batch):
        if item.status != ItemStatus.PENDING:
            continue
        try:
            payment = dues.record_payment(
                invoice, item.amount_cents, batch.collection_date,
                PaymentMethod.SEPA_DIRECT_DEBIT.value, reference=item.end_to_end_id,
                actor=actor, today=today, methods=(PaymentMethod.SEPA_DIRECT_DEBIT,),
            )
        except dues.DuesError as error:
            raise DirectDebitError(
                _l("Invoice %(number)s: %(problem)s Mark it as not collected if the bank "
                   "did not collect it.", number=invoice.number, problem=error.message)
            ) from None
        item.payment_id = payment.id
        item.status = ItemStatus.COLLECTED.value
        mandate.last_collection_on = max(
            mandate.last_collection_on or batch.collection_date, batch.collection_date
        )
        if item.sequence_type in (SequenceType.ONE_OFF, SequenceType.FINAL) and (
            mandate.status == MandateStatus.ACTIVE
        ):
            _end(mandate, MandateStatus.ENDED, batch.collection_date,
                 f"Laatste incasso ({item.sequence_type})")
        count += 1
    batch.status = BatchStatus.COLLECTED.value
    batch.closed_at = utcnow()
    db.session.flush()
    audit.record(
        "finance:debit_batch:collect",
        {"message_id": batch.message_id, "payments": count,
         "collection_date": batch.collection_date.isoformat()},
        obj=batch, actor=actor,
    )
    return count


def cancel_batch(batch: Batch, reason: str, actor=None) -> None:
    """Withdraw a pending batch (not sent, or refused whole by the bank): its invoices
    can be collected in a new batch. Raises DirectDebitError for a batch that is not
    pending or without a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DirectDebitError(_l("Give a reason."), "reason")
    batch = _lock_batch(batch)
    if batch.status != BatchStatus.PENDING:
        raise DirectDebitError(_l("Only a pending batch can be withdrawn."))
    for item, _invoice, _mandate in batch_items(batch):
        if item.status == ItemStatus.PENDING:
            item.status = ItemStatus.CANCELLED.value
    batch.status = BatchStatus.CANCELLED.value
    batch.closed_at = utcnow()
    db.session.flush()
    audit.record("finance:debit_batch:cancel",
                 {"message_id": batch.message_id, "reason": reason[:200]},
                 obj=batch, actor=actor)


def return_item(item: BatchItem, reason_code: str, day: date, actor=None,
                today: date | None = None) -> BatchItem:
    """The bank returned one collection with `reason_code`. In a pending batch it was
    rejected before settlement: the invoice simply stays open. After collection it is a
    storno: the payment is reversed through the dues service (a correcting entry in the
    ledger) and the invoice is open again. Either way the next collection under the
    mandate is FRST again when no other one went through.

    Raises DirectDebitError for an unknown reason code, an item that is neither pending
    nor collected, a date before the collection or in the future, a storno after 8
    weeks that is not unauthorised (MD01), or one after 13 months.
    """
    today = today or timeutil.local_today()
    reason_code = (reason_code or "").strip().upper()
    if reason_code not in REASON_CODES:
        raise DirectDebitError(_l("Choose the reason code the bank gave."), "reason_code")
    batch = _lock_batch(db.session.get(Batch, item.batch_id))
    item = locked(BatchItem, item.id)
    if day > today:
        raise DirectDebitError(_l("The date cannot be in the future."), "returned_on")
    invoice = db.session.get(Invoice, item.invoice_id)
    if item.status == ItemStatus.PENDING and batch.status == BatchStatus.PENDING:
        item.status = ItemStatus.REJECTED.value
        tag = "finance:debit_item:reject"
    elif item.status == ItemStatus.COLLECTED:
        if day < batch.collection_date:
            raise DirectDebitError(
                _l("A storno cannot be dated before the collection."), "returned_on"
            )
        if day > _months_later(batch.collection_date, UNAUTHORISED_MONTHS):
            raise DirectDebitError(
                _l("A collection can be reversed at most 13 months after it was made."),
                "returned_on",
            )
        if (day > batch.collection_date + timedelta(weeks=REFUND_WEEKS)
                and reason_code != UNAUTHORISED_CODE):
            raise DirectDebitError(
                _l("After 8 weeks a collection can only be reversed as unauthorised (MD01)."),
                "reason_code",
            )
        payment = db.session.get(Payment, item.payment_id)
        reason = f"Storno incasso {item.end_to_end_id}: {reason_code}"
        try:
            dues.reverse_payment(payment, day, reason, actor=actor, today=today)
        except dues.DuesError as error:
            raise DirectDebitError(
                error.message, "returned_on" if error.field == "day" else error.field
            ) from None
        item.status = ItemStatus.REVERSED.value
        tag = "finance:debit_item:reverse"
    else:
        raise DirectDebitError(_l("This collection cannot be returned any more."))
    item.reason_code = reason_code
    item.returned_on = day
    db.session.flush()
    audit.record(
        tag,
        {"invoice": invoice.number, "end_to_end_id": item.end_to_end_id,
         "reason_code": reason_code, "date": day.isoformat(),
         "amount_cents": item.amount_cents},
        obj=item, actor=actor,
    )
    return item


# Retention ----------------------------------------------------------------------------


def mandates_past_retention(today: date) -> list[Mandate]:
    """Mandates whose account data may go: 36 months after the last collection (or,
    never collected, after the mandate ended, or was signed if it is still active), not
    anonymised yet, and with no collection pending."""
    cutoff = _months_later(today, -RETENTION_MONTHS)
    reference_day = func.coalesce(
        Mandate.last_collection_on, Mandate.ended_on, Mandate.signed_on
    )
    pending = exists().where(
        BatchItem.mandate_id == Mandate.id, BatchItem.status == ItemStatus.PENDING
    )
    return list(db.session.scalars(
        select(Mandate).where(
            Mandate.anonymised_at.is_(None), reference_day < cutoff, ~pending
        ).order_by(Mandate.id)
    ))


def anonymise_mandates(today: date, dry_run: bool = False, actor=None) -> list[dict]:
    """Remove the account holder and account of every mandate past retention; an
    active one expires (a mandate unused for 36 months may not be used any more). The
    reference, dates and collections stay for the books. Flushes; the caller commits.
    Returns one `{"reference", "last_collection_on"}` per mandate."""
    result = []
    for mandate in mandates_past_retention(today):
        result.append({"reference": mandate.reference,
                       "last_collection_on": mandate.last_collection_on})
        if dry_run:
            continue
        if mandate.status == MandateStatus.ACTIVE:
            _end(mandate, MandateStatus.ENDED, today, "Verlopen: 36 maanden niet gebruikt")
        mandate.account_holder = ANONYMISED_HOLDER
        mandate.iban = None
        mandate.bic = None
        mandate.anonymised_at = utcnow()
        db.session.flush()
        audit.record("finance:mandate:anonymise", {"reference": mandate.reference},
                     obj=mandate, actor=actor)
    return result


def batch_files_past_retention(today: date) -> list[Batch]:
    """Collected or withdrawn batches whose file is still there and whose collection
    date lies more than 14 months back (see the module doc)."""
    cutoff = _months_later(today, -FILE_RETENTION_MONTHS)
    return list(db.session.scalars(
        select(Batch).options(defer(Batch.xml)).where(
            Batch.status != BatchStatus.PENDING,
            Batch.xml.is_not(None),
            Batch.collection_date < cutoff,
        ).order_by(Batch.collection_date, Batch.id)
    ))


def purge_batch_files(today: date, dry_run: bool = False, actor=None) -> list[dict]:
    """Remove the pain.008 file of every batch past its retention; the batch, its items
    and the file's fingerprint stay. Flushes; the caller commits. Returns one
    `{"message_id", "collection_date", "status"}` per batch."""
    result = []
    for batch in batch_files_past_retention(today):
        result.append({"message_id": batch.message_id,
                       "collection_date": batch.collection_date, "status": batch.status})
        if dry_run:
            continue
        batch.xml = None
        batch.xml_purged_at = utcnow()
        db.session.flush()
        audit.record(
            "finance:debit_batch:purge_file",
            {"message_id": batch.message_id,
             "collection_date": batch.collection_date.isoformat(),
             "count": batch.transaction_count, "total_cents": batch.total_cents,
             "sha256": batch.xml_sha256},
            obj=batch, actor=actor,
        )
    return result
