from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from coop.forms import ChosenRow
from coop.members.models import MembershipStatus, PersonKind
from coop.members.services import STATUS_LABELS
from coop.money import MoneyError, parse_amount
from coop.validators import Normalised, normalise_postcode

_REQUIRED = InputRequired(message=_l("This field is required."))
_DATE_REQUIRED = InputRequired(message=_l("Enter a date."))
_DATE_INVALID = _l("Enter a date like 2026-01-31.")

KIND_LABELS = {
    PersonKind.PERSON: _l("Person"),
    PersonKind.ORGANISATION: _l("Organisation or initiative"),
}
STATUS_CHOICES = [SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()]
START_STATUS_CHOICES = [
    SelectChoice(status.value, STATUS_LABELS[status])
    for status in (MembershipStatus.ACTIVE, MembershipStatus.ASPIRANT)
]


class DayField(DateField):
    """A date input whose error says what is expected (WTForms' own message does not)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_DATE_INVALID)) from error


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PersonForm(FlaskForm):
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()]
    )
    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=100)],
                             filters=[_strip])
    name_prefix = StringField(
        _l("Name prefix (tussenvoegsel)"), description=_l("For example: van der"),
        validators=[Optional(), Length(max=20)], filters=[_strip],
    )
    family_name = StringField(
        _l("Family name, or the organisation's name"),
        validators=[_REQUIRED, Length(max=200)], filters=[_strip],
    )
    email = StringField(
        _l("Email address"),
        validators=[
            Optional(), Length(max=255),
            Email(message=_l("This is not a valid email address."), check_deliverability=False),
        ],
        filters=[_strip],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)], filters=[_strip])
    street = StringField(_l("Street and number"), validators=[Optional(), Length(max=200)],
                         filters=[_strip])
    postcode = StringField(
        _l("Postcode"), validators=[Optional(), Normalised(normalise_postcode)], filters=[_strip]
    )
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)], filters=[_strip])
    date_of_birth = DayField(
        _l("Date of birth"), description=_l("Optional."), validators=[Optional()],
        render_kw={"autocomplete": "bday"},
    )
    consent_electronic_convocation = BooleanField(
        _l("Agrees to receive the convocation of the general meeting by email")
    )
    consent_newsletter = BooleanField(_l("Wants to receive the newsletter"))

    PERSON_FIELDS = [
        "kind", "given_name", "name_prefix", "family_name", "email", "phone", "street",
        "postcode", "city", "date_of_birth",
    ]
    CONSENT_FIELDS = ["consent_electronic_convocation", "consent_newsletter"]

    def validate_date_of_birth(self, field):
        if field.data and field.data > date.today():
            raise ValidationError(_l("A date of birth cannot be in the future."))

    def person_values(self) -> dict:
        return {name: self[name].data for name in self.PERSON_FIELDS}


class _MembershipFields:
    type_id = SelectField(_l("Membership type"), coerce=int, validate_choice=False,
                          validators=[_REQUIRED, ChosenRow(among_choices=False)])
    start_date = DayField(_l("Start date"), validators=[_DATE_REQUIRED], default=date.today)
    status = SelectField(_l("Status at the start"), choices=START_STATUS_CHOICES)

    def set_type_choices(self, types) -> None:
        self.type_id.choices = [SelectChoice(t.id, t.name) for t in types]

    def validate_type_id(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a membership type."))


class NewMemberForm(_MembershipFields, PersonForm):
    pass


class MembershipForm(_MembershipFields, FlaskForm):
    pass


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=STATUS_CHOICES)
    effective_date = DayField(_l("Effective date"), validators=[_DATE_REQUIRED],
                               default=date.today)
    reason = TextAreaField(
        _l("Reason"), description=_l("Required when suspending or ending a membership."),
        validators=[Optional(), Length(max=2000)], filters=[_strip],
    )


class MembershipTypeForm(FlaskForm):
    code = StringField(
        _l("Code"), description=_l("Short and fixed, used in imports: for example bewoner."),
        validators=[_REQUIRED, Length(max=30)], filters=[lambda v: _strip(v).lower() if v else v],
    )
    name = StringField(_l("Name"), validators=[_REQUIRED, Length(max=100)], filters=[_strip])
    yearly_dues = StringField(
        _l("Yearly dues"), description=_l("In euros, for example 25,00."), validators=[_REQUIRED]
    )
    has_vote = BooleanField(_l("Members of this type have a vote in the general meeting"))
    is_active = BooleanField(_l("Offered to new members"), default=True)

    def validate_yearly_dues(self, field):
        try:
            self.yearly_dues_cents = parse_amount(field.data)
        except MoneyError as error:
            raise ValidationError(str(error)) from error

    def type_values(self) -> dict:
        return {
            "code": self.code.data, "name": self.name.data,
            "yearly_dues_cents": self.yearly_dues_cents, "has_vote": self.has_vote.data,
            "is_active": self.is_active.data,
        }
