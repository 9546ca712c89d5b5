from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.fields import IntegerField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from coop.forms import AmountField, ChosenRow
from coop.volunteers.models import AllowanceKind, ArrangementKind

_REQUIRED = InputRequired(message=_l("This field is required."))
_DATE_MESSAGE = _l("Enter a date like 2026-03-31.")

ALLOWANCE_KIND_LABELS = {
    AllowanceKind.ALLOWANCE: _l("Volunteer allowance"),
    AllowanceKind.EXPENSES: _l("Proven costs only (with receipts)"),
    AllowanceKind.GIFT_VOUCHER: _l("Gift voucher"),
    AllowanceKind.OUTING: _l("Outing"),
    AllowanceKind.OTHER_GIFT: _l("Other gift (verstrekking)"),
    AllowanceKind.WAIVED: _l("Waived allowance (a gift to the ANBI)"),
}
ARRANGEMENT_KIND_LABELS = {
    ArrangementKind.PER_HOUR: _l("Per hour"),
    ArrangementKind.FIXED_MONTH: _l("Fixed amount per month"),
    ArrangementKind.PER_ACTIVITY: _l("Per activity"),
    ArrangementKind.WAIVED: _l("Waived by the volunteer"),
}
HOUR_STATUS_LABELS = {
    "submitted": _l("Waiting for approval"),
    "approved": _l("Approved"),
    "returned": _l("Returned"),
}


class InitiativeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[_REQUIRED, Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    active_from = DateField(_l("Active from (optional)"), validators=[Optional()])
    active_until = DateField(_l("Active until (optional)"), validators=[Optional()])


class CoordinatorForm(FlaskForm):
    person = SelectField(_l("Coordinator"), validate_choice=False,
                         validators=[ChosenRow(among_choices=False)],
                         description=_l("People in the register who have an account."))


class VolunteerForm(FlaskForm):
    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[_REQUIRED, Length(max=200)])
    email = StringField(
        _l("Email address (optional)"),
        validators=[Optional(), Email(message=_l("This is not a valid email address."))],
        description=_l("When the register already has this address, that person is added."))
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=40)])


class HoursForm(FlaskForm):
    work_date = DateField(_l("Date"), validators=[InputRequired(message=_DATE_MESSAGE)])
    initiative = SelectField(_l("Initiative"), validate_choice=False,
                         validators=[ChosenRow(among_choices=False)])
    hours = StringField(_l("Hours"), validators=[_REQUIRED],
                        description=_l("In quarter hours: 2, 1,5 or 0,75."))
    note = StringField(_l("What did you do? (optional)"),
                       validators=[Optional(), Length(max=300)])


class ReturnForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[_REQUIRED, Length(max=500)])


class AllowanceForm(FlaskForm):
    kind = SelectField(_l("What is given"), validate_choice=False,
                       choices=[SelectChoice(k.value, v) for k, v in ALLOWANCE_KIND_LABELS.items()])
    initiative = SelectField(_l("Initiative"), validate_choice=False,
                         validators=[ChosenRow(among_choices=False)])
    work_date = DateField(
        _l("Date of the work"), validators=[InputRequired(message=_DATE_MESSAGE)],
        description=_l("The month and year caps count by the date of the work."))
    hours = StringField(
        _l("Hours it pays for (optional)"), validators=[Optional()],
        description=_l("With hours the hourly cap is checked too."))
    amount = AmountField(_l("Allowance or value of the gift"), validators=[Optional()])
    expenses = AmountField(_l("Proven costs with receipts (optional)"), validators=[Optional()])
    description = StringField(_l("Description (optional)"),
                              validators=[Optional(), Length(max=300)])
    supplier = StringField(_l("Bought from (gift voucher: which local business)"),
                           validators=[Optional(), Length(max=200)])
    date_of_birth = DateField(
        _l("Date of birth"), validators=[Optional()],
        description=_l("Needed only for the hourly cap (under 21 or 21 and older)."))


class ArrangementForm(FlaskForm):
    kind = SelectField(_l("Arrangement"), validate_choice=False,
                       choices=[SelectChoice(k.value, v)
                                for k, v in ARRANGEMENT_KIND_LABELS.items()])
    rate = AmountField(_l("Amount"), validators=[Optional()],
                       description=_l("Per hour, per month or per activity; empty when waived."))
    valid_from = DateField(_l("From"), validators=[InputRequired(message=_DATE_MESSAGE)])
    waived_on = DateField(_l("Waiver signed on"), validators=[Optional()])


class CapsForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[
        InputRequired(message=_l("Enter a year.")),
        NumberRange(min=2000, max=2100, message=_l("Enter a year between 2000 and 2100."))])
    hourly_adult = AmountField(_l("Per hour, 21 and older"), validators=[_REQUIRED])
    hourly_young = AmountField(_l("Per hour, under 21"), validators=[_REQUIRED])
    month = AmountField(_l("Per month"), validators=[_REQUIRED])
    year_cap = AmountField(_l("Per year"), validators=[_REQUIRED])


EMPLOYER_KIND_LABELS = {
    "coop": _l("The coop itself"),
    "partner": _l("A partner organisation (via wijkpartners)"),
}
CONTRACT_TYPE_LABELS = {
    "employment": _l("Employment (buurtbaan)"),
    "internship": _l("Internship"),
    "freelance": _l("Freelance assignment"),
}


class JobForm(FlaskForm):
    title = StringField(_l("Title"), validators=[_REQUIRED, Length(max=200)])
    person = SelectField(_l("Worker"), validate_choice=False,
                         validators=[ChosenRow(among_choices=False)])
    date_of_birth = DateField(
        _l("Date of birth"), validators=[Optional()],
        description=_l("Needed for the minimum wage of an employment."))
    initiative = SelectField(_l("Initiative"), validate_choice=False,
                         validators=[ChosenRow(among_choices=False)])
    employer_kind = SelectField(_l("Employer"), validate_choice=False, choices=[
        SelectChoice(k, v) for k, v in EMPLOYER_KIND_LABELS.items()])
    partner_name = StringField(_l("Partner organisation"),
                               validators=[Optional(), Length(max=200)])
    contract_type = SelectField(_l("Kind of contract"), validate_choice=False, choices=[
        SelectChoice(k, v) for k, v in CONTRACT_TYPE_LABELS.items()])
    start_date = DateField(_l("Start"), validators=[InputRequired(message=_DATE_MESSAGE)])
    end_date = DateField(_l("End (optional)"), validators=[Optional()])
    hours_per_week = StringField(_l("Hours per week"), validators=[_REQUIRED])
    hourly_wage = AmountField(_l("Gross hourly wage (employment)"), validators=[Optional()])
    fee = AmountField(_l("Fee (internship per month, freelance per assignment)"),
                      validators=[Optional()])
    mbo_level = SelectField(_l("MBO level (optional)"), validate_choice=False, choices=[
        SelectChoice("", "—")] + [SelectChoice(str(n), str(n)) for n in range(1, 5)])
    agreement = SelectField(_l("Paid from funder agreement"), validate_choice=False,
                         validators=[ChosenRow(among_choices=False)])
    labour_distance = SelectField(
        _l("Distance to the labour market (board only)"), validate_choice=False,
        choices=[SelectChoice("", _l("Not recorded")), SelectChoice("yes", _l("Yes")),
                 SelectChoice("no", _l("No"))])
    labour_distance_consent_on = DateField(
        _l("Worker's consent to record it, given on"), validators=[Optional()])


class MinimumWageForm(FlaskForm):
    valid_from = DateField(_l("From"), validators=[InputRequired(message=_DATE_MESSAGE)])
    adult = AmountField(_l("Per hour, 21 and older"), validators=[_REQUIRED],
                        description=_l("The youth rates follow from the statutory "
                                       "percentages."))


class BankForm(FlaskForm):
    iban = StringField(_l("IBAN"), validators=[_REQUIRED, Length(max=42)])
    account_holder = StringField(_l("Account holder"), validators=[_REQUIRED, Length(max=70)])


class PaymentBatchForm(FlaskForm):
    execution_date = DateField(_l("Pay on"), validators=[InputRequired(message=_DATE_MESSAGE)])


class PaidForm(FlaskForm):
    paid_on = DateField(_l("Paid on"), validators=[InputRequired(message=_DATE_MESSAGE)])


class CoachingForm(FlaskForm):
    coach = StringField(_l("Coach"), validators=[_REQUIRED, Length(max=200)])
    held_on = DateField(_l("Date of the conversation"),
                        validators=[InputRequired(message=_DATE_MESSAGE)])
    cost = AmountField(_l("Cost (optional)"), validators=[Optional()])


class SponsorshipForm(FlaskForm):
    initiative = SelectField(_l("Initiative"), validate_choice=False,
                             validators=[ChosenRow(among_choices=False)])
    event_name = StringField(_l("Event"), validators=[Optional(), Length(max=200)])
    organiser = StringField(_l("Organised by (the money goes to them)"),
                            validators=[Optional(), Length(max=200)])
    held_on = DateField(_l("Date of the event"),
                        validators=[InputRequired(message=_DATE_MESSAGE)])
    cost = AmountField(_l("Amount"), validators=[Optional()])


class StatementMailForm(FlaskForm):
    """Only the CSRF token: the year is in the address."""


class JobPaymentForm(FlaskForm):
    paid_on = DateField(_l("Paid on"), validators=[InputRequired(message=_DATE_MESSAGE)])
    amount = AmountField(_l("Amount"), validators=[Optional()])
