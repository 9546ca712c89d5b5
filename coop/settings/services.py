"""The organisation's settings, including the statute settings later rules read."""

from typing import Any

from sqlalchemy import select

from coop import audit
from coop.extensions import db
from coop.settings.models import BankAccount, BankAccountKind, LegalForm, Organisation

EDITABLE_FIELDS = [
    "name", "legal_form", "kvk_number", "rsin", "street", "postcode", "city",
    "email", "website", "fiscal_year_start_month", "anbi_status", "sbbi_status",
    "convocation_days", "amendment_convocation_days", "amendment_inspection_days",
    "proxy_cap_per_holder", "quorum", "default_majority", "amendment_majority",
    "electronic_voting_allowed", "vote_change_allowed", "persons_secret_ballot",
    "tie_on_persons", "dues_proration", "payment_term_days", "reminder_after_days",
    "retention_years", "term_years", "max_terms", "immediately_reeligible",
    "creditor_id", "bic", "direct_debit_notice_days", "funder_share_warning_percent",
    "jobs_need_funding",
]


def get_organisation() -> Organisation:
    """The coop's settings; an unsaved default when none were saved yet."""
    organisation = db.session.scalar(select(Organisation).limit(1))
    if organisation is None:
        organisation = Organisation(
            name="Wijkcoöperatie",
            legal_form=LegalForm.COOPERATIE_UA.value,
            **{
                column.name: column.default.arg
                for column in Organisation.__table__.columns
                if column.default is not None and not callable(column.default.arg)
            },
        )
    return organisation


def bank_accounts() -> list[BankAccount]:
    """The coop's own bank accounts, the current account first."""
    rows = db.session.scalars(select(BankAccount)).all()
    order = list(BankAccountKind)
    return sorted(rows, key=lambda a: order.index(BankAccountKind(a.kind)))


def bank_account(kind: BankAccountKind) -> BankAccount | None:
    return db.session.scalar(select(BankAccount).where(BankAccount.kind == kind.value))


def payment_iban() -> str | None:
    """The IBAN members pay to (on invoices and reminders) and direct debits collect
    on: the current account's, None while none is set."""
    account = bank_account(BankAccountKind.CURRENT)
    return account.iban if account is not None else None


def update_organisation(organisation: Organisation, values: dict[str, Any], actor=None):
    """Apply validated values and audit what changed. Returns the changed fields."""
    values = {field: _blank_to_none(values[field]) for field in EDITABLE_FIELDS}
    diff = audit.changes(organisation, EDITABLE_FIELDS, values)
    if organisation.id is not None and not diff:
        return {}
    for field, value in values.items():
        setattr(organisation, field, value)
    db.session.add(organisation)
    db.session.flush()
    audit.record("settings:organisation:update", {"changes": diff}, obj=organisation, actor=actor)
    return diff


def _blank_to_none(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
