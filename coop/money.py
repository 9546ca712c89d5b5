"""Money is integer cents. Conversions happen only at the edges, all of them here.

- `parse_amount("1.234,56")` → 123456: Dutch input (dot for thousands, comma for
  decimals) and plain input (`12.50`); at most two decimals; raises `MoneyError`.
- `format_money(123456)` → `€ 1.234,56` in Dutch (Babel; a non-breaking space follows
  the euro sign), `€1,234.56` in English.
- `to_mollie(1250)` → `{"currency": "EUR", "value": "12.50"}` and `from_mollie(...)`.
"""

import re
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache

from babel.numbers import format_currency
from flask_babel import lazy_gettext as _l

CURRENCY = "EUR"
# The largest amount a BIGINT column holds; bigger input would fail in the database
# (and overflow Decimal's precision) instead of being refused as a form error.
MAX_CENTS = 2**63 - 1

# ASCII digits only: `\d` would also take Arabic-Indic or full-width digits.
_DUTCH = re.compile(r"^[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$|^[0-9]+(,[0-9]+)?$")
_PLAIN = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$|^[0-9]+(\.[0-9]+)?$")


class MoneyError(ValueError):
    """Input that is not an amount of euros; `str()` is a translated message."""


def parse_amount(text: str, *, allow_negative: bool = False) -> int:
    """Parse what a person typed into a number of cents.

    A single separator followed by exactly three digits (`1.234`, `1,234`) is read the
    Dutch way: `1.234` is one thousand two hundred thirty-four euros, `1,234` has too many
    decimals and is refused rather than guessed.
    """
    if text is None:
        raise MoneyError(_l("Enter an amount."))
    cleaned = str(text).strip().replace("€", "").replace("EUR", "")
    cleaned = cleaned.replace("\u00a0", "").replace(" ", "")
    negative = cleaned.startswith("-")
    if negative:
        cleaned = cleaned[1:]
    if not cleaned:
        raise MoneyError(_l("Enter an amount."))
    if _DUTCH.match(cleaned):
        normal = cleaned.replace(".", "").replace(",", ".")
    elif _PLAIN.match(cleaned):
        normal = cleaned.replace(",", "")
    else:
        raise MoneyError(_l("Enter an amount like 12,50 or 1.234,56."))
    try:
        value = Decimal(normal)
    except InvalidOperation as error:
        raise MoneyError(_l("Enter an amount like 12,50 or 1.234,56.")) from error
    cents = _exact_cents(value)
    if negative and cents:
        if not allow_negative:
            raise MoneyError(_l("The amount cannot be negative."))
        cents = -cents
    return cents


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


@lru_cache(maxsize=4096)
def format_money(cents: int, locale: str = "nl_NL") -> str:
    # Babel takes about 0.1 ms an amount; pages and reports repeat amounts.
    return format_currency(cents_to_decimal(cents), CURRENCY, locale=locale)


def format_plain(cents: int) -> str:
    """`1234.56`: for CSV exports and machine-readable fields."""
    return f"{cents_to_decimal(cents):.2f}"


def to_mollie(cents: int) -> dict[str, str]:
    return {"currency": CURRENCY, "value": format_plain(cents)}


def from_mollie(amount: dict[str, str]) -> int:
    """Cents from Mollie's amount object; refuses other currencies and odd precision."""
    if amount.get("currency") != CURRENCY:
        raise MoneyError(_l("Only amounts in euros are supported."))
    try:
        value = Decimal(str(amount["value"]))
    except (KeyError, InvalidOperation) as error:
        raise MoneyError(_l("Enter an amount like 12,50 or 1.234,56.")) from error
    if not value.is_finite():
        raise MoneyError(_l("Enter an amount like 12,50 or 1.234,56."))
    return _exact_cents(value)


def _exact_cents(value: Decimal) -> int:
    """Whole cents of a finite `value`; raises MoneyError for more than two decimals
    or an amount too large to store."""
    if value.adjusted() > len(str(MAX_CENTS)):
        raise MoneyError(_l("The amount is too large."))
    with localcontext() as context:
        # Enough precision that multiplying never rounds away a stray decimal.
        context.prec = max(context.prec, len(value.as_tuple().digits) + 3)
        cents = value * 100
    if abs(cents) > MAX_CENTS:
        raise MoneyError(_l("The amount is too large."))
    if cents != cents.to_integral_value():
        raise MoneyError(_l("An amount has at most two decimals."))
    return int(cents)
