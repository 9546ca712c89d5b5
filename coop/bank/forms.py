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
    agreement = SelectField(_l("Funder agreement (optional)"), validate_choice=False,
                            validators=[ChosenRow(among_choices=False)])
