from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from coop.dues.models import PaymentMethod
from coop.forms import MAX_INT, IntegerField
from coop.money import MoneyError, parse_amount

_REQUIRED = InputRequired(message=_l("This field is required."))
_DATE_MESSAGE = _l("Enter a date like 2026-03-31.")

METHOD_LABELS = {
    PaymentMethod.CASH: _l("Cash"),
    PaymentMethod.BANK_TRANSFER: _l("Bank transfer"),
    PaymentMethod.MOLLIE: _l("Online (Mollie)"),
    PaymentMethod.SEPA_DIRECT_DEBIT: _l("SEPA direct debit"),
}


class AmountField(StringField):
    """An amount typed as text (`12,50`, `1.234,56`); `cents` holds the parsed value."""

    cents: int | None = None

    def pre_validate(self, form):
        self.cents = None
        if not (self.data or "").strip():
            return
        try:
            cents = parse_amount(self.data)
        except MoneyError as error:
            raise ValidationError(str(error)) from error
        if abs(cents) > MAX_INT:  # what an INTEGER column of cents holds
            raise ValidationError(_l("This amount is too large."))
        self.cents = cents


class GenerateDuesForm(FlaskForm):
    fiscal_year = IntegerField(
        _l("Dues for the year"),
        validators=[
            InputRequired(message=_l("Enter a year.")),
            NumberRange(min=2000, max=2100, message=_l("Enter a year between 2000 and 2100.")),
        ],
    )
    issue_date = DateField(
        _l("Invoice date"),
        validators=[InputRequired(message=_DATE_MESSAGE)],
        description=_l("The due date follows from the payment term in the settings."),
    )


class PaymentForm(FlaskForm):
    amount = AmountField(_l("Amount"), validators=[_REQUIRED])
    paid_on = DateField(_l("Paid on"), validators=[InputRequired(message=_DATE_MESSAGE)])
    method = SelectField(
        _l("Method"),
        choices=[
            SelectChoice(m.value, METHOD_LABELS[m])
            for m in (PaymentMethod.BANK_TRANSFER, PaymentMethod.CASH)
        ],
        validators=[_REQUIRED],
    )
    reference = StringField(
        _l("Reference (optional)"),
        validators=[Optional(), Length(max=140)],
        description=_l("For example the bank statement line or receipt number."),
    )


class CreditNoteForm(FlaskForm):
    issue_date = DateField(
        _l("Credit note date"), validators=[InputRequired(message=_DATE_MESSAGE)]
    )
    reason = TextAreaField(
        _l("Reason"), validators=[_REQUIRED, Length(max=500)],
        description=_l("Kept in the audit log."),
    )


class WriteOffForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the write-off"), validators=[_REQUIRED, Length(max=500)]
    )


class MollieRefundForm(FlaskForm):
    """Refund (part of) a dues payment made through Mollie; `key` makes a resent form
    refund once."""

    amount = AmountField(_l("Amount to refund"), validators=[_REQUIRED])
    reason = TextAreaField(_l("Reason"), validators=[_REQUIRED, Length(max=200)],
                           description=_l("Kept in the audit log and the books."))
    key = HiddenField()
