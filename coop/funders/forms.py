from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

from coop.dues.forms import AmountField
from coop.forms import ChosenRow
from coop.funders.models import AgreementKind, FunderKind

_REQUIRED = InputRequired(message=_l("This field is required."))
_DATE_MESSAGE = _l("Enter a date like 2026-03-31.")

FUNDER_KIND_LABELS = {
    FunderKind.MUNICIPALITY: _l("Municipality"),
    FunderKind.PROVINCE: _l("Province"),
    FunderKind.NATIONAL_GOVERNMENT: _l("National government"),
    FunderKind.FUND: _l("Fund"),
    FunderKind.LOTTERY: _l("Lottery"),
    FunderKind.HOUSING_CORPORATION: _l("Housing corporation"),
    FunderKind.ENTREPRENEURS_FUND: _l("Entrepreneurs' fund"),
    FunderKind.COMPANY: _l("Company or sponsor"),
    FunderKind.NONPROFIT: _l("Other non-profit organisation"),
    FunderKind.OTHER: _l("Other"),
}
AGREEMENT_KIND_LABELS = {
    AgreementKind.GRANT_DECISION: _l("Grant decision (subsidiebeschikking)"),
    AgreementKind.RIGHT_TO_CHALLENGE: _l("Right to Challenge contract"),
    AgreementKind.FUND_GRANT: _l("Fund grant"),
    AgreementKind.SPONSORSHIP: _l("Sponsorship"),
    AgreementKind.OTHER: _l("Other agreement"),
}


def _choices(labels):
    return [SelectChoice("", "—")] + [SelectChoice(k.value, v) for k, v in labels.items()]


class FunderForm(FlaskForm):
    name = StringField(_l("Name"), validators=[_REQUIRED, Length(max=200)])
    kind = SelectField(_l("Kind"), choices=_choices(FUNDER_KIND_LABELS), validate_choice=False)
    contact_name = StringField(_l("Contact person (optional)"),
                               validators=[Optional(), Length(max=200)])
    contact_email = StringField(
        _l("Contact email address (optional)"),
        validators=[Optional(), Email(message=_l("This is not a valid email address."))],
    )


class AgreementForm(FlaskForm):
    funder = SelectField(_l("Funder"), validate_choice=False,
                         validators=[ChosenRow(among_choices=False)])
    kind = SelectField(_l("Kind of agreement"), choices=_choices(AGREEMENT_KIND_LABELS),
                       validate_choice=False)
    reference = StringField(
        _l("Reference"), validators=[_REQUIRED, Length(max=100)],
        description=_l("The funder's number, e.g. of the grant decision."),
    )
    title = StringField(_l("Title"), validators=[_REQUIRED, Length(max=200)])
    amount = AmountField(_l("Amount"), validators=[_REQUIRED])
    start_date = DateField(_l("Period from"), validators=[InputRequired(message=_DATE_MESSAGE)])
    end_date = DateField(_l("Period to"), validators=[InputRequired(message=_DATE_MESSAGE)])
    cost_centre = SelectField(
        _l("Earmarked for cost centre (initiative)"), validate_choice=False,
        validators=[ChosenRow(among_choices=False)],
        description=_l("Leave empty when the money is not tied to one initiative."),
    )
    earmark = TextAreaField(_l("Which costs it may pay"), validators=[Optional()])
    conditions = TextAreaField(_l("Conditions"), validators=[Optional()])


class DeadlineForm(FlaskForm):
    due_date = DateField(_l("Report due on"), validators=[InputRequired(message=_DATE_MESSAGE)])
    description = StringField(
        _l("Which report"), validators=[_REQUIRED, Length(max=300)],
        description=_l("For example: content report and financial statement 2026."),
    )


class SubmittedForm(FlaskForm):
    submitted_on = DateField(_l("Sent on"), validators=[InputRequired(message=_DATE_MESSAGE)])
