from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from coop.forms import ChosenRow, IntegerField
from coop.governance.models import SignatureAuthority
from coop.governance.services import AUTHORITY_LABELS, KIND_LABELS
from coop.members.forms import DayField

_REQUIRED = InputRequired(message=_l("This field is required."))
_DATE_REQUIRED = InputRequired(message=_l("Enter a date."))
_NUMBER = _l("Enter a whole number.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_years(label, description):
    return IntegerField(
        label, description=description,
        validators=[Optional(), NumberRange(min=1, max=10, message=_l(
            "Between %(min)s and %(max)s, or empty for the statutes' default."))],
    )


class BodyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[_REQUIRED, Length(max=100)], filters=[_strip])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()]
    )
    term_years = _optional_years(
        _l("Term of office (years)"), _l("Empty: the term in the statute settings.")
    )
    max_terms = _optional_years(
        _l("Most consecutive terms"), _l("Empty: the maximum in the statute settings.")
    )
    members_only = BooleanField(_l("Only members of the coop can sit on it"), default=True)
    is_active = BooleanField(_l("In use"), default=True)
    sort_order = IntegerField(_l("Order on the page"), default=0,
                              validators=[Optional(), NumberRange(min=0, max=1000)])

    FIELDS = ["name", "kind", "term_years", "max_terms", "members_only", "is_active",
              "sort_order"]

    def values(self) -> dict:
        return {name: self[name].data for name in self.FIELDS}


class PositionForm(FlaskForm):
    name = StringField(
        _l("Position"), description=_l("For example: chair, secretary, treasurer, member."),
        validators=[_REQUIRED, Length(max=100)], filters=[_strip],
    )
    signature_authority = SelectField(
        _l("Signature authority"),
        choices=[SelectChoice(a.value, label) for a, label in AUTHORITY_LABELS.items()],
    )
    joint_signers = IntegerField(
        _l("Signs together with how many others"),
        description=_l("Only when signing jointly."),
        validators=[Optional(), NumberRange(min=1, max=10, message=_l(
            "Between %(min)s and %(max)s."))],
    )
    seats = IntegerField(
        _l("Seats"), description=_l("How many persons hold this position at the same time."),
        default=1,
        validators=[InputRequired(message=_NUMBER),
                    NumberRange(min=1, max=50, message=_l("Between %(min)s and %(max)s."))],
    )
    is_active = BooleanField(_l("In use"), default=True)
    sort_order = IntegerField(_l("Order on the page"), default=0,
                              validators=[Optional(), NumberRange(min=0, max=1000)])

    FIELDS = ["name", "signature_authority", "joint_signers", "seats", "is_active",
              "sort_order"]

    def validate_joint_signers(self, field):
        if self.signature_authority.data == SignatureAuthority.JOINTLY and field.data is None:
            raise ValidationError(_l("Signing jointly: with how many others (1 to 10)?"))

    def values(self) -> dict:
        return {name: self[name].data for name in self.FIELDS}


class _TermField:
    term_years = IntegerField(
        _l("Term (years)"), description=_l("Empty: the full term the statutes set."),
        validators=[Optional()],
    )
    decision = StringField(
        _l("ALV decision"),
        description=_l("The number in the decisions register, like 2026-003, of the "
                       "decision that made this appointment."),
        validators=[Optional(), Length(max=20)], filters=[_strip],
    )


class AppointmentForm(_TermField, FlaskForm):
    person = StringField(
        _l("Member number or email address"),
        description=_l("Of the person in the member register."),
        validators=[_REQUIRED, Length(max=255)], filters=[_strip],
    )
    position_id = SelectField(_l("Position"), coerce=int, validate_choice=False,
                              validators=[_REQUIRED, ChosenRow(among_choices=False)])
    start_date = DayField(_l("Start date"), validators=[_DATE_REQUIRED])

    def set_position_choices(self, bodies_with_positions) -> None:
        self.position_id.choices = [
            SelectChoice(position.id, f"{body.name} · {position.name}")
            for body, positions in bodies_with_positions if body.is_active
            for position in positions if position.is_active
        ]

    def validate_position_id(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a position."))


class ReappointForm(_TermField, FlaskForm):
    pass


class VoidForm(FlaskForm):
    void_reason = TextAreaField(
        _l("What was the mistake?"), validators=[Optional(), Length(max=2000)],
        filters=[_strip],
        description=_l("The term is withdrawn: it no longer counts anywhere, and the history "
                       "shows it as a mistake with this reason."),
    )


class StepDownForm(FlaskForm):
    ended_on = DayField(_l("Last day in office"), validators=[_DATE_REQUIRED])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)],
                           filters=[_strip])


