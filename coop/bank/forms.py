from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length

from coop.forms import ChosenRow

_REQUIRED = InputRequired(message=_l("This field is required."))


class ImportForm(FlaskForm):
    file = FileField(
        _l("Bank statement (CAMT.053 or CAMT.052, XML)"),
        validators=[FileRequired(message=_l("Choose the statement file from your bank."))],
        description=_l("In the bank's online banking: export the statement as CAMT.053 (XML)."),
    )


class MatchForm(FlaskForm):
    invoice = StringField(
        _l("Invoice number"), validators=[_REQUIRED, Length(max=20)],
        description=_l("The dues invoice this payment is for, like 2026-00042."),
    )


class BookForm(FlaskForm):
    account = SelectField(_l("Account"), validate_choice=False,
                          validators=[ChosenRow(among_choices=False)])
    description = StringField(_l("Description"), validators=[_REQUIRED, Length(max=300)])
    cost_centre = SelectField(_l("Cost centre (optional)"), validate_choice=False,
                              validators=[ChosenRow()])
    agreement = SelectField(_l("Funder agreement (optional)"), validate_choice=False, validators=[
        ChosenRow(_l("Choose an agreement from the list."), among_choices=False)])


class BankAccountsForm(FlaskForm):
    """The coop's current and savings account; the savings account is optional."""

    current_iban = StringField(_l("IBAN"), validators=[Length(max=42)])
    current_name = StringField(_l("Name"), validators=[Length(max=100)],
                               description=_l("For example: Betaalrekening."))
    current_ledger_account = SelectField(_l("Ledger account"), validate_choice=False,
                                         validators=[ChosenRow(among_choices=False)])
    savings_iban = StringField(_l("IBAN"), validators=[Length(max=42)],
                               description=_l("Leave the three fields empty when the coop "
                                              "has no savings account."))
    savings_name = StringField(_l("Name"), validators=[Length(max=100)])
    savings_ledger_account = SelectField(_l("Ledger account"), validate_choice=False,
                                         validators=[ChosenRow(among_choices=False)])
