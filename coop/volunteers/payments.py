"""Paying approved allowances: the volunteer's bank account, one SEPA credit transfer
file (pain.001.001.03, made and validated by sepaxml) for a selection, and booking the
payment when the bank has executed it."""

from collections import defaultdict
from datetime import date

from flask_babel import lazy_gettext as _l
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError
from sqlalchemy import select, update

from coop import audit
from coop.extensions import db
from coop.ledger import services as ledger
from coop.ledger.models import AccountPurpose, LedgerAccount
from coop.ledger.services import LedgerError
from coop.members.models import Person
from coop.settings.models import BankAccountKind
from coop.settings.services import bank_account, get_organisation
from coop.validators import iban_in_sepa_zone, normalise_iban
from coop.volunteers.models import (
    UNPAID_KINDS,
    Allowance,
    AllowancePaymentBatch,
    PaymentBatchStatus,
    Volunteer,
)
from coop.volunteers.services import VolunteerError

PAIN_001_SCHEMA = "pain.001.001.03"


def set_bank_details(volunteer: Volunteer, iban: str | None, account_holder: str | None,
                     actor=None) -> None:
    """Raises VolunteerError for an invalid IBAN, one outside the SEPA zone, or no
    account holder."""
    try:
        iban = normalise_iban(iban or "")
    except ValueError as error:
        raise VolunteerError(str(error), "iban") from None
    if not iban_in_sepa_zone(iban):
        raise VolunteerError(_l("This account is outside the SEPA zone: a SEPA transfer "
                                "cannot pay it."), "iban")
    holder = (account_holder or "").strip()
    if not holder:
        raise VolunteerError(_l("Enter the name of the account holder."), "account_holder")
    volunteer.iban, volunteer.account_holder = iban, holder[:70]
    db.session.flush()
    audit.record("volunteers:volunteer:bank_details", {}, obj=volunteer, actor=actor,
                 person_id=volunteer.person_id)


def payable_allowances() -> list[tuple[Allowance, Person, Volunteer]]:
    """Booked allowances not yet in a payment batch, oldest first."""
    return list(db.session.execute(
        select(Allowance, Person, Volunteer)
        .join(Volunteer, Volunteer.id == Allowance.volunteer_id)
        .join(Person, Person.id == Volunteer.person_id)
        .where(Allowance.journal_entry_id.is_not(None), Allowance.payment_batch_id.is_(None),
               Allowance.kind.not_in([k.value for k in UNPAID_KINDS]))
        .order_by(Allowance.work_date, Allowance.id)).all())


def create_payment_batch(allowance_ids: list[int], execution_date: date | None, *,
                         today: date, actor=None) -> AllowancePaymentBatch:
    """One pain.001.001.03 file paying the chosen allowances, one transfer per volunteer.

    Raises VolunteerError for: nothing chosen, an allowance not payable (not booked, or
    already in a batch — also when another batch took it a moment ago), no execution
    date or one in the past, missing organisation name or IBAN, a volunteer without a
    bank account, a file that does not pass the schema.
    """
    if not allowance_ids:
        raise VolunteerError(_l("Choose the allowances to pay."), "allowances")
    if execution_date is None:
        raise VolunteerError(_l("Enter a date like 2026-03-31."), "execution_date")
    if execution_date < today:
        raise VolunteerError(_l("The execution date cannot be in the past."), "execution_date")
    organisation = get_organisation()
    current = bank_account(BankAccountKind.CURRENT)
    if not organisation.name or current is None:
        raise VolunteerError(_l("Fill in the coop's name and current bank account in the "
                                "settings first."))
    rows = db.session.execute(
        select(Allowance, Volunteer, Person)
        .join(Volunteer, Volunteer.id == Allowance.volunteer_id)
        .join(Person, Person.id == Volunteer.person_id)
        .where(Allowance.id.in_(allowance_ids))).all()
    if len(rows) != len(set(allowance_ids)) or any(
            a.journal_entry_id is None or a.payment_batch_id is not None
            or a.kind in UNPAID_KINDS for a, _v, _p in rows):
        raise VolunteerError(_l("One of the chosen allowances cannot be paid (any more)."),
                             "allowances")
    without_account = sorted({p.display_name for _a, v, p in rows if not v.iban})
    if without_account:
        raise VolunteerError(
            _l("No bank account known for: %(names)s.", names=", ".join(without_account)),
            "allowances")

    per_volunteer: dict[int, list] = defaultdict(list)
    for allowance, volunteer, person in rows:
        per_volunteer[volunteer.id].append((allowance, volunteer, person))
    batch = AllowancePaymentBatch(message_id="-", execution_date=execution_date,
                                  transaction_count=len(per_volunteer),
                                  total_cents=sum(a.amount_cents + a.expense_cents
                                                  for a, _v, _p in rows), xml="-")
    db.session.add(batch)
    db.session.flush()
    # Take the allowances: a batch made at the same moment that took one of them first
    # leaves this update short, and this batch is refused.
    taken = db.session.execute(
        update(Allowance).where(Allowance.id.in_(allowance_ids),
                                Allowance.payment_batch_id.is_(None))
        .values(payment_batch_id=batch.id).execution_options(synchronize_session=False))
    if taken.rowcount != len(set(allowance_ids)):
        raise VolunteerError(_l("One of the chosen allowances cannot be paid (any more)."),
                             "allowances")
    batch.message_id, xml = build_pain001(organisation.name, current.iban, organisation.bic,
                                          execution_date, batch.id, per_volunteer.values())
    batch.xml = xml.decode("utf-8")
    db.session.flush()
    audit.record("volunteers:payment_batch:create",
                 {"message_id": batch.message_id, "total_cents": batch.total_cents,
                  "transactions": batch.transaction_count}, obj=batch, actor=actor)
    return batch


def build_pain001(name: str, iban: str, bic: str | None, execution_date: date, batch_id: int,
                  groups) -> tuple[str, bytes]:
    """The pain.001.001.03 file paid from the coop's current account `iban`: one
    transfer per volunteer. Returns (message id, XML). Raises VolunteerError when
    sepaxml's schema check refuses it."""

    config = {"name": name, "IBAN": iban, "batch": True, "currency": "EUR"}
    if bic:
        config["BIC"] = bic
    sepa = SepaTransfer(config, schema=PAIN_001_SCHEMA)
    for group in groups:
        allowances = [a for a, _v, _p in group]
        _allowance, volunteer, _person = group[0]
        sepa.add_payment({
            "name": volunteer.account_holder, "IBAN": volunteer.iban,
            "amount": sum(a.amount_cents + a.expense_cents for a in allowances),
            "execution_date": execution_date,
            # What the volunteer reads on their statement: Dutch, with the numbers.
            "description": "Vrijwilligersvergoeding "
                           + " ".join(f"#{a.id}" for a in allowances),
            "endtoend_id": f"VRIJW-{batch_id}-{volunteer.id}",
        })
    try:
        xml = sepa.export(validate=True)
    except SepaValidationError:
        raise VolunteerError(_l("The transfer file did not pass the bank's schema; check "
                                "the account holders' names and the coop's settings.")) from None
    return sepa.msg_id, xml


def mark_paid(batch: AllowancePaymentBatch, paid_on: date | None, actor=None):
    """Book the executed batch: payables to each volunteer against the bank. Raises
    VolunteerError for no date, a batch paid already, or a ledger refusal."""
    if paid_on is None:
        raise VolunteerError(_l("Enter a date like 2026-03-31."), "paid_on")
    if batch.status != PaymentBatchStatus.PENDING:
        raise VolunteerError(_l("This batch was marked paid already."))
    rows = db.session.execute(
        select(Volunteer.person_id, Allowance.amount_cents + Allowance.expense_cents)
        .join(Volunteer, Volunteer.id == Allowance.volunteer_id)
        .where(Allowance.payment_batch_id == batch.id)).all()
    per_person: dict[int, int] = defaultdict(int)
    for person_id, cents in rows:
        per_person[person_id] += cents
    try:
        payable = ledger.account_for(AccountPurpose.PAYABLES)
        current = bank_account(BankAccountKind.CURRENT)
        bank = (db.session.get(LedgerAccount, current.ledger_account_id) if current
                else ledger.account_for(AccountPurpose.BANK))
        lines = [ledger.Line(payable, debit_cents=cents, person_id=person_id)
                 for person_id, cents in sorted(per_person.items())]
        lines.append(ledger.Line(bank, credit_cents=batch.total_cents))
        entry = ledger.post_entry(paid_on, f"Uitbetaling vrijwilligersvergoedingen "
                                  f"{batch.message_id}"[:300], lines,
                                  reference=batch.message_id[:35], actor=actor,
                                  open_missing_year=True)
    except LedgerError as error:
        raise VolunteerError(error.message, "paid_on") from error
    batch.status = PaymentBatchStatus.PAID
    batch.paid_on = paid_on
    batch.paid_entry_id = entry.id
    db.session.flush()
    audit.record("volunteers:payment_batch:paid", {"paid_on": paid_on.isoformat()},
                 obj=batch, actor=actor)
    return entry


def batches(limit: int = 50) -> list[AllowancePaymentBatch]:
    return list(db.session.scalars(select(AllowancePaymentBatch)
                                   .order_by(AllowancePaymentBatch.id.desc()).limit(limit)))
