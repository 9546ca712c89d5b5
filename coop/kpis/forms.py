from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    MonthField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from coop.forms import ChosenRow
from coop.kpis.models import KpiUnit
from coop.money import format_money
from coop.templating import money_locale

_REQUIRED = InputRequired(message=_l("This field is required."))
_DATE_MESSAGE = _l("Enter a date like 2026-03-31.")

UNIT_LABELS = {
    KpiUnit.COUNT: _l("Number"),
    KpiUnit.HOURS: _l("Hours"),
    KpiUnit.FTE: _l("FTE"),
    KpiUnit.MONEY: _l("Amount in euros"),
}


def format_value(value, unit: str) -> str:
    """A KPI figure in the UI language; money from cents; '—' when there is none."""
    if value is None:
        return "—"
    if unit == KpiUnit.MONEY:
        return format_money(int(value), money_locale())
    return format_decimal(value, "#,##0.##")


class DefinitionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[_REQUIRED, Length(max=200)])
    code = StringField(_l("Code"), validators=[_REQUIRED, Length(max=60)],
                       description=_l("Lower-case letters, digits and underscores; the "
                                      "same code in every coop for a city-wide merge."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    unit = SelectField(_l("Unit"), validate_choice=False, choices=[SelectChoice("", "—")] + [
        SelectChoice(k.value, v) for k, v in UNIT_LABELS.items()])
    additive = BooleanField(_l("Figures add up (over months and across coops)"))


class ValueForm(FlaskForm):
    kpi = SelectField(_l("KPI"), validate_choice=False,
                      validators=[ChosenRow(among_choices=False)])
    month = MonthField(_l("Month"),
                      validators=[InputRequired(message=_l("Enter a month like 2026-03."))])
    value = StringField(_l("Figure"), validators=[Length(max=30)])


class TargetForm(FlaskForm):
    kpi = SelectField(_l("KPI"), validate_choice=False,
                      validators=[ChosenRow(among_choices=False)])
    period_start = DateField(_l("Period from"), validators=[Optional()])
    period_end = DateField(_l("Period to"), validators=[Optional()])
    target = StringField(_l("Target"), validators=[Length(max=30)])


class ReportForm(FlaskForm):
    period_start = DateField(_l("Period from"), validators=[Optional()])
    period_end = DateField(_l("Period to"), validators=[Optional()])
    initiative = SelectField(
        _l("Initiative (its theory of change opens the report)"), validate_choice=False,
        validators=[ChosenRow(among_choices=False)])


class NarrativeForm(FlaskForm):
    narrative = TextAreaField(_l("Narrative"), validators=[Optional(), Length(max=20000)],
                              description=_l("What the figures mean: a few paragraphs the "
                                             "municipality reads first."))


class ContactForm(FlaskForm):
    user = SelectField(_l("Account (role funder contact)"), validate_choice=False,
                       validators=[ChosenRow(among_choices=False)])
    funder = SelectField(_l("Funder"), validate_choice=False,
                         validators=[ChosenRow(among_choices=False)])


class MergeForm(FlaskForm):
    files = MultipleFileField(_l("KPI exports (JSON)"))

