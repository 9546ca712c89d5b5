from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from coop.dues.forms import AmountField
from coop.forms import ChosenRow, IntegerField
from coop.ledger.models import AccountKind

_REQUIRED = InputRequired(message=_l("This field is required."))
_DATE_MESSAGE = _l("Enter a date like 2026-03-31.")
_YEAR = [
    InputRequired(message=_l("Enter a year.")),
    NumberRange(min=2000, max=2100, message=_l("Enter a year between 2000 and 2100.")),
]
ENTRY_LINES = 6  # rows on the entry form; empty rows are left out


class LineForm(Form):
    """One row of the entry form (no CSRF of its own: it lives inside EntryForm)."""

    account = SelectField(_l("Account"), validate_choice=False)
    debit = AmountField(_l("Debit"))
    credit = AmountField(_l("Credit"))
    description = StringField(_l("Line description"), validators=[Optional(), Length(max=300)])
    cost_centre = SelectField(_l("Cost centre"), validate_choice=False,
                              validators=[ChosenRow()])
    # A funder agreement the money came from or is spent against (coop.funders); the
    # view checks the choice, since the ledger knows agreements only as a link.
    agreement = SelectField(_l("Funder agreement"), validate_choice=False, validators=[
        ChosenRow(_l("Choose an agreement from the list."), among_choices=False)])

    def is_blank(self) -> bool:
        return not (self.account.data or (self.debit.data or "").strip()
                    or (self.credit.data or "").strip())


class EntryForm(FlaskForm):
    entry_date = DateField(_l("Date"), validators=[InputRequired(message=_DATE_MESSAGE)])
    description = StringField(_l("Description"), validators=[_REQUIRED, Length(max=300)])
    reference = StringField(
        _l("Reference (optional)"), validators=[Optional(), Length(max=140)],
        description=_l("For example the receipt, invoice or bank statement number."),
    )
    lines = FieldList(FormField(LineForm), min_entries=ENTRY_LINES, max_entries=ENTRY_LINES)


class ReverseForm(FlaskForm):
    entry_date = DateField(_l("Date of the correction"),
                           validators=[InputRequired(message=_DATE_MESSAGE)])
    reason = StringField(_l("Reason"), validators=[_REQUIRED, Length(max=200)],
                         description=_l("Kept in the description and the audit log."))


KIND_LABELS = {
    AccountKind.ASSET: _l("Assets"),
    AccountKind.LIABILITY: _l("Liabilities"),
    AccountKind.EQUITY: _l("Equity"),
    AccountKind.INCOME: _l("Income"),
    AccountKind.EXPENSE: _l("Expenses"),
}


class AccountForm(FlaskForm):
    code = StringField(_l("Code"), validators=[_REQUIRED, Length(max=10)])
    name = StringField(_l("Name"), validators=[_REQUIRED, Length(max=120)])
    kind = SelectField(
        _l("Kind"), validators=[_REQUIRED],
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
    )
    category = SelectField(
        _l("Category"), validate_choice=False, validators=[_REQUIRED],
        description=_l("Income: the line of the RJ 650 model statement; costs: the cost "
                       "category; otherwise the balance sheet group."),
    )
    purpose = SelectField(
        _l("Used for automatic postings"), validate_choice=False,
        description=_l("At most one account per purpose, e.g. the bank account that dues "
                       "payments go to."),
    )
    is_active = BooleanField(_l("In use"), default=True)


class CostCentreForm(FlaskForm):
    code = StringField(_l("Code"), validators=[_REQUIRED, Length(max=20)])
    name = StringField(_l("Name"), validators=[_REQUIRED, Length(max=120)])


class OpenYearForm(FlaskForm):
    year = IntegerField(_l("Fiscal year"), validators=_YEAR)


class ReopenYearForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[_REQUIRED, Length(max=500)],
                           description=_l("Kept in the audit log."))


class FindingForm(FlaskForm):
    text = TextAreaField(_l("Finding"), validators=[_REQUIRED, Length(max=5000)])


class BudgetForm(FlaskForm):
    fiscal_year = IntegerField(_l("Fiscal year"), validators=_YEAR)
    account = SelectField(_l("Account"), validate_choice=False,
                          validators=[_REQUIRED, ChosenRow(among_choices=False)])
    cost_centre = SelectField(_l("Cost centre"), validate_choice=False,
                              validators=[ChosenRow()])
    amount = AmountField(_l("Budget"), validators=[_REQUIRED])



CATEGORY_LABELS = {
    "private_individuals": _l("Income from private individuals"),
    "companies": _l("Income from companies"),
    "lotteries": _l("Income from lottery organisations"),
    "government_grants": _l("Income from government grants"),
    "affiliated_nonprofits": _l("Income from affiliated non-profit organisations"),
    "other_nonprofits": _l("Income from other non-profit organisations"),
    "goods_and_services": _l("Income in return for goods and services"),
    "other_income": _l("Other income"),
    "objectives": _l("Spent on objectives"),
    "fundraising": _l("Fundraising costs"),
    "management": _l("Management and administration costs"),
    "financial": _l("Financial income and expenses"),
    "fixed_assets": _l("Tangible fixed assets"),
    "receivables": _l("Receivables"),
    "liquid_assets": _l("Cash and bank"),
    "reserves": _l("Reserves"),
    "funds": _l("Funds"),
    "long_term_debts": _l("Long-term debts"),
    "short_term_debts": _l("Short-term debts"),
}
