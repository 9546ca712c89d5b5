from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional

from coop.activities.models import CountKind, PartnerRole, PlaceKind
from coop.forms import AmountField, ChosenRow, DayField, IntegerField

_REQUIRED = InputRequired(message=_l("This field is required."))
_NUMBER = _l("Enter a whole number.")

PARTNER_ROLE_LABELS = {
    PartnerRole.CARE: _l("Care"),
    PartnerRole.WELFARE: _l("Welfare"),
    PartnerRole.HOUSING: _l("Housing corporation"),
    PartnerRole.MUNICIPALITY: _l("Municipality"),
    PartnerRole.POLICE: _l("Police"),
    PartnerRole.ENTREPRENEURS: _l("Entrepreneurs"),
    PartnerRole.OTHER: _l("Other"),
}
PLACE_KIND_LABELS = {
    PlaceKind.COMMUNITY_CENTRE: _l("Community centre"),
    PlaceKind.OUTDOOR: _l("Outdoors (garden, park, square)"),
    PlaceKind.OTHER_PHYSICAL: _l("Other physical place"),
    PlaceKind.WHATSAPP_GROUP: _l("WhatsApp group"),
    PlaceKind.ONLINE_PLATFORM: _l("Neighbourhood platform online"),
    PlaceKind.OTHER_DIGITAL: _l("Other digital place"),
}
COUNT_KIND_LABELS = {
    CountKind.PEER_GROUPS: _l("Peer group meetings held"),
    CountKind.EXPERTS_BY_EXPERIENCE: _l("Experts by experience deployed"),
    CountKind.FAMILY_NETWORK_MEETINGS: _l("Family network meetings held"),
}


def _count(label, **kwargs):
    return IntegerField(label, validators=[Optional()], **kwargs)


class ActivityRowForm(Form):
    """One row of the quick-entry table (no CSRF of its own: the table's form has it)."""

    activity_date = DayField(_l("Date"), validators=[Optional()])
    start_time = TimeField(_l("Time"), validators=[Optional()])
    title = StringField(_l("Activity"), validators=[Optional(), Length(max=200)])
    place = SelectField(_l("Place"), validate_choice=False, validators=[ChosenRow()])
    participants = _count(_l("Participants"))
    new_participants = _count(_l("Of whom new"))
    volunteers = _count(_l("Volunteers"))
    organised_by_residents = BooleanField(_l("By residents"))
    costs = AmountField(_l("Costs"), validators=[Optional()])
    planned = BooleanField(_l("Planned"))
    public = BooleanField(_l("In the calendar"))

    def is_blank(self) -> bool:
        """A row left empty (no title, no date typed): skipped, not refused."""
        return not (self.title.data or "").strip() and not _raw_text(self.activity_date)


def _raw_text(field) -> str:
    return " ".join(field.raw_data or []).strip()


class WeekForm(FlaskForm):
    initiative = SelectField(_l("Initiative"), validate_choice=False,
                             validators=[ChosenRow()])
    place = SelectField(_l("Place (for every row without one)"), validate_choice=False,
                        validators=[ChosenRow()])
    rows = FieldList(FormField(ActivityRowForm), min_entries=1, max_entries=60)


class ActivityForm(FlaskForm):
    initiative = SelectField(_l("Initiative"), validate_choice=False,
                             validators=[ChosenRow()])
    activity_date = DayField(_l("Date"), validators=[InputRequired(
        message=_l("Enter a date like 2026-01-31."))])
    start_time = TimeField(_l("Start time (optional)"), validators=[Optional()])
    title = StringField(_l("Activity"), validators=[_REQUIRED, Length(max=200)])
    place = SelectField(_l("Place"), validate_choice=False, validators=[ChosenRow()])
    participants = _count(_l("Participants"))
    new_participants = _count(_l("Of whom new"))
    volunteers = _count(_l("Volunteers involved"))
    organised_by_residents = BooleanField(_l("Organised by residents"))
    costs = AmountField(_l("Costs"), validators=[Optional()])
    planned = BooleanField(_l("Planned (not held yet)"))
    public = BooleanField(_l("Show in the public calendar"))


class TheoryForm(FlaskForm):
    _HELP = _l("One point per line.")
    target_group = TextAreaField(_l("Target group"), validators=[Length(max=5000)],
                                 description=_HELP)
    approach = TextAreaField(_l("Approach"), validators=[Length(max=5000)],
                             description=_HELP)
    direct_effects = TextAreaField(_l("Direct effects"), validators=[Length(max=5000)],
                                   description=_HELP)
    indirect_contributions = TextAreaField(_l("Contributes indirectly to"),
                                           validators=[Length(max=5000)], description=_HELP)


class PartnerForm(FlaskForm):
    name = StringField(_l("Partner"), validators=[_REQUIRED, Length(max=200)])
    role = SelectField(_l("Role in the neighbourhood network"), validate_choice=False,
                       choices=[SelectChoice(k.value, v) for k, v in
                                PARTNER_ROLE_LABELS.items()])


class KeyFigureForm(FlaskForm):
    value = StringField(_l("Figure"), validators=[_REQUIRED, Length(max=40)],
                        description=_l("For example 94 or 25-50."))
    label = StringField(_l("What it counts"), validators=[_REQUIRED, Length(max=200)],
                        description=_l("For example: volunteers from the neighbourhood."))


class PlaceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[_REQUIRED, Length(max=200)])
    kind = SelectField(_l("Kind"), validate_choice=False,
                       choices=[SelectChoice(k.value, v) for k, v in
                                PLACE_KIND_LABELS.items()])
    opening_days_per_week = _count(
        _l("Days open per week"), description=_l("Leave empty for a digital place."))
    financially_supported = BooleanField(_l("The coop supports it financially"))
    records_visitors = BooleanField(_l("Records regular visitors per day"))
    records_bar_turnover = BooleanField(_l("Records bar turnover"))
    active = BooleanField(_l("In use"), default=True)


class MonthFigureForm(FlaskForm):
    month = StringField(_l("Month"), validators=[_REQUIRED],
                        description=_l("For example 2026-03."))
    visitors_per_day = _count(_l("Regular visitors per day (average)"))
    bar_turnover = AmountField(_l("Bar turnover in the month"), validators=[Optional()])


class EventForm(FlaskForm):
    event_date = DayField(_l("Date"), validators=[InputRequired(
        message=_l("Enter a date like 2026-01-31."))])
    name = StringField(_l("Event"), validators=[_REQUIRED, Length(max=200)])
    initiative = SelectField(_l("Initiative (optional)"), validate_choice=False,
                             validators=[ChosenRow()])
    present = BooleanField(_l("The coop was present"))
    sponsored = BooleanField(_l("The coop sponsored it"))
    sponsored_amount = AmountField(_l("Amount sponsored"), validators=[Optional()])


class CountForm(FlaskForm):
    initiative = SelectField(_l("Initiative"), validate_choice=False,
                             validators=[ChosenRow()])
    kind = SelectField(_l("What was counted"), validate_choice=False,
                       choices=[SelectChoice(k.value, v) for k, v in
                                COUNT_KIND_LABELS.items()])
    period_start = DayField(_l("From"), validators=[InputRequired(
        message=_l("Enter a date like 2026-01-31."))])
    period_end = DayField(_l("Until"), validators=[InputRequired(
        message=_l("Enter a date like 2026-01-31."))])
    count = IntegerField(_l("Number"), validators=[InputRequired(message=_NUMBER)])


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("CSV or Excel file"),
        description=_l("The first line names the columns: datum, titel, initiatief, and "
                       "optionally tijd, plek, deelnemers, nieuw, vrijwilligers, door bewoners, "
                       "kosten, gepland, kalender."),
        validators=[FileRequired(message=_l("Choose a CSV or Excel file.")),
                    FileAllowed(["csv", "txt", "xlsx"],
                                _l("Only a CSV file (.csv, .txt) or an Excel file (.xlsx).")),
                    ])


class ImportConfirmForm(FlaskForm):
    token = HiddenField()
