"""Shares as fractions: a quorum of one third, a majority of two thirds.

Statutes speak in fractions ("een derde van de leden", "twee derde van de uitgebrachte
stemmen"), which whole percentages cannot hold: 33% of 100 members needs 33, one third
needs 34. A share is stored as numerator and denominator and typed as a fraction
(`1/3`) or a percentage (`40%`, `66,5%`).

- `parse_fraction("1/3")` → Fraction(1, 3); raises `FractionError` (a translated
  message) for anything that is not a share above 0 and at most the whole.
- `format_fraction(Fraction(2, 5))` → `2/5 (40%)`.
- `FractionField`: a form field whose data is a Fraction (or None when left empty).
"""

import re
from decimal import Decimal
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import ValidationError

# Statutes use halves, thirds, quarters … and percentages (hundredths); a thousandth is
# more than enough and keeps the stored integers small.
MAX_DENOMINATOR = 1000
# ASCII digits only: `\d` would also take Arabic-Indic or full-width digits.
_FRACTION = re.compile(r"^([0-9]{1,4})/([0-9]{1,4})$")
_PERCENT = re.compile(r"^([0-9]{1,3}(?:[.,][0-9]{1,2})?)%$")

ENTER = _l("Enter a fraction like 1/3 or a percentage like 40%.")


class FractionError(ValueError):
    """Input that is not a share; `message` is translated."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def parse_fraction(text: str | None) -> Fraction:
    """The share a person typed: `1/3`, `2 / 3`, `40%`, `66,5 %`.

    Raises FractionError when it is empty or not in one of those forms, for a
    denominator of 0, for a share of 0 or below, above the whole, or with a
    denominator above 1000.
    """
    cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise FractionError(ENTER)
    if cleaned.startswith("-"):
        raise FractionError(_l("A share cannot be negative."))
    if match := _FRACTION.match(cleaned):
        numerator, denominator = int(match[1]), int(match[2])
        if denominator == 0:
            raise FractionError(_l("The number below the line (the denominator) cannot be 0."))
        value = Fraction(numerator, denominator)
    elif match := _PERCENT.match(cleaned):
        value = Fraction(Decimal(match[1].replace(",", "."))) / 100
    else:
        raise FractionError(ENTER)
    if value <= 0:
        raise FractionError(_l("A share must be more than 0."))
    if value > 1:
        raise FractionError(_l("A share cannot be more than the whole: at most 1/1 or 100%."))
    if value.denominator > MAX_DENOMINATOR:
        raise FractionError(_l("Use a denominator of at most 1000."))
    return value


def fraction_of(numerator: int | None, denominator: int | None) -> Fraction | None:
    """The stored share (None when no share is set)."""
    if numerator is None or denominator is None:
        return None
    return Fraction(numerator, denominator)


def format_fraction(value: Fraction | None) -> str:
    """`1/3`, or `2/5 (40%)` when the share is a whole percentage."""
    if value is None:
        return ""
    text = f"{value.numerator}/{value.denominator}"
    percent = value * 100
    if percent.denominator == 1 and value.denominator != 1:
        text += f" ({percent.numerator}%)"
    return text


class FractionField(StringField):
    """A share typed as `1/3` or `40%`; `data` is a Fraction, or None when left empty
    (add `InputRequired` where a share must be given)."""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "") or ""
        self.data = None
        self._error = None
        if self.raw.strip():
            try:
                self.data = parse_fraction(self.raw)
            except FractionError as error:
                self._error = error.message

    def pre_validate(self, form):
        if getattr(self, "_error", None) is not None:
            raise ValidationError(str(self._error))

    def _value(self):
        if getattr(self, "raw", None) is not None and self.raw_data:
            return self.raw
        if isinstance(self.data, Fraction):
            return f"{self.data.numerator}/{self.data.denominator}"
        return self.data or ""
