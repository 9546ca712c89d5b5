from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from coop.donations.models import DonorKind, Frequency
from coop.dues.forms import AmountField
from coop.forms import IntegerField
from coop.money import format_money
from coop.templating import money_locale

_REQUIRED = InputRequired(message=_l("This field is required."))
_DATE_MESSAGE = _l("Enter a date like 2026-03-31.")
OTHER = "other"


class DonationForm(FlaskForm):
    amount_choice = RadioField(_l("Amount"), validators=[Optional()])
    amount_other = AmountField(
        _l("Other amount in euros"), description=_l("For example 15 or 12,50."))
    frequency = RadioField(
        _l("How often"), default=Frequency.ONE_OFF.value,
        choices=[SelectChoice(Frequency.ONE_OFF.value, _l("Once")),
                 SelectChoice(Frequency.MONTHLY.value, _l("Every month, until you stop it"))],
        validators=[_REQUIRED])
    campaign = SelectField(_l("Give to"), validators=[Optional()])
    donor_name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=200)])
    donor_email = EmailField(
        _l("Your email address (optional)"),
        validators=[Optional(), Email(message=_l("Enter an email address like name@example.nl.")),
                    Length(max=255)],
        description=_l("For a thank-you mail and a yearly overview of your gifts; needed for "
                       "a monthly gift."))
    donor_kind = RadioField(
        _l("You give as"), default=DonorKind.PRIVATE.value,
        choices=[SelectChoice(DonorKind.PRIVATE.value, _l("A private person")),
                 SelectChoice(DonorKind.COMPANY.value, _l("A company"))],
        validators=[_REQUIRED])
    public_consent = BooleanField(_l("You may mention my name as a donor"))
    key = HiddenField()

    def __init__(self, *args, campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        suggested = current_app.config["DONATION_SUGGESTED_CENTS"]
        self.amount_choice.choices = [
            SelectChoice(str(cents), format_money(cents, money_locale())) for cents in suggested
        ] + [SelectChoice(OTHER, _l("Another amount"))]
        self.campaign.choices = [SelectChoice("", _l("Where it is needed most"))] + [
            SelectChoice(campaign.slug, campaign.title) for campaign in campaigns]

    def chosen_cents(self) -> int | None:
        """The amount chosen or typed; None when neither (the service says so)."""
        if self.amount_choice.data and self.amount_choice.data != OTHER:
            return int(self.amount_choice.data)
        return self.amount_other.cents

    def validate_amount_other(self, field):
        if self.amount_choice.data in (None, "", OTHER) and not (field.data or "").strip():
            raise ValidationError(_l("Choose or enter an amount."))


class RefundForm(FlaskForm):
    amount = AmountField(_l("Amount to refund"), validators=[_REQUIRED])
    reason = TextAreaField(_l("Reason"), validators=[_REQUIRED, Length(max=200)],
                           description=_l("Kept in the audit log and the books."))
    key = HiddenField()


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"), validators=[_REQUIRED, Length(max=120)])
    slug = StringField(
        _l("Web address"),
        validators=[_REQUIRED, Length(max=60),
                    Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$",
                           message=_l("Use lowercase letters, digits and hyphens only."))],
        description=_l("The end of the page address, for example buurttuin."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    target = AmountField(_l("Target (optional)"))
    cost_centre_id = SelectField(_l("Cost centre (earmark)"), coerce=int,
                                 validators=[Optional()])
    income_account_id = SelectField(_l("Income account"), coerce=int, validators=[Optional()],
                                    description=_l("Empty: gifts from private persons or "
                                                   "companies, as the donor chooses."))
    is_active = BooleanField(_l("Open for gifts"), default=True)


class StatementForm(FlaskForm):
    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[
        InputRequired(message=_l("Enter a year.")),
        NumberRange(min=2000, max=2100, message=_l("Enter a year between 2000 and 2100."))])


class AgreementForm(FlaskForm):
    donor_name = StringField(_l("Donor's name"), validators=[_REQUIRED, Length(max=200)])
    donor_email = EmailField(_l("Email address (optional)"), validators=[
        Optional(), Email(message=_l("Enter an email address like name@example.nl."))])
    donor_address = TextAreaField(_l("Address (optional)"), validators=[Optional(),
                                                                         Length(max=500)])
    yearly_amount = AmountField(_l("Amount per year"), validators=[_REQUIRED])
    start_date = DateField(_l("First year starts on"),
                           validators=[InputRequired(message=_DATE_MESSAGE)])
    years = IntegerField(_l("Number of years"), default=5, validators=[
        InputRequired(message=_l("Enter a number of years.")),
        NumberRange(min=1, max=50, message=_l("Enter a number of years."))])
    signed_on = DateField(_l("Signed on"), validators=[InputRequired(message=_DATE_MESSAGE)])


class DonorErasureForm(FlaskForm):
    email = EmailField(_l("The donor's email address"), validators=[
        _REQUIRED, Email(message=_l("Enter an email address like name@example.nl.")),
        Length(max=255)], filters=[lambda value: (value or "").strip().lower()])
    confirmed = HiddenField()
