from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from coop.directdebit.models import MandateKind
from coop.directdebit.services import REASON_CODES
from coop.forms import IntegerField

_REQUIRED = InputRequired(message=_l("This field is required."))
_DATE_MESSAGE = _l("Enter a date like 2026-03-31.")

KIND_LABELS = {
    MandateKind.RECURRENT: _l("Recurrent (every year's dues)"),
    MandateKind.ONE_OFF: _l("One-off (one collection)"),
}


class _AccountFields(FlaskForm):
    # Lengths and formats are checked by the service, which puts its message at the field.
    account_holder = StringField(_l("Name of the account holder"), validators=[_REQUIRED])
    iban = StringField(_l("IBAN"), validators=[_REQUIRED],
                       description=_l("Like NL91 ABNA 0417 1643 00."))
    bic = StringField(_l("BIC (optional)"), validators=[Optional()],
                      description=_l("Only needed for an account outside the Netherlands."))


class SignMandateForm(_AccountFields):
    consent = BooleanField(
        _l("I have read the text above and authorise the direct debit."),
        validators=[InputRequired(message=_l("Tick the box to sign the mandate."))],
    )


class PaperMandateForm(_AccountFields):
    member_number = IntegerField(
        _l("Member number"),
        validators=[InputRequired(message=_l("Enter a member number.")),
                    NumberRange(min=1, max=10**9, message=_l("Enter a member number."))],
    )
    signed_on = DateField(_l("Signed on"), validators=[InputRequired(message=_DATE_MESSAGE)])
    kind = SelectField(
        _l("Kind of mandate"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[_REQUIRED],
    )
    reference = StringField(
        _l("Mandate reference (optional)"),
        validators=[Optional()],
        description=_l("As printed on the signed form; leave empty to have one made."),
    )


class RevokeMandateForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[_REQUIRED, Length(max=200)])


class BatchForm(FlaskForm):
    collection_date = DateField(
        _l("Collection date"), validators=[InputRequired(message=_DATE_MESSAGE)],
    )


class CancelBatchForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[_REQUIRED, Length(max=200)])


class ReturnItemForm(FlaskForm):
    reason_code = SelectField(_l("Reason code from the bank"), validators=[_REQUIRED])
    returned_on = DateField(_l("Date"), validators=[InputRequired(message=_DATE_MESSAGE)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request, so the labels follow the reader's language.
        self.reason_code.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(code, f"{code} – {label}") for code, label in REASON_CODES.items()
        ]
