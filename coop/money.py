"""Money is integer cents. Conversions happen only at the edges, all of them here.

- `parse_amount("1.234,56")` → 123456: Dutch input (dot for thousands, comma for
  decimals) and plain input (`12.50`); at most two decimals; raises `MoneyError`.
- `format_money(123456)` → `€ 1.234,56` in Dutch (Babel; a non-breaking space follows
  the euro sign), `€1,234.56` in English.
- `to_mollie(1250)` → `{"currency": "EUR", "value": "12.50"}` and `from_mollie(...)`.
"""

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from flask_babel import lazy_gettext as _l

CURRENCY = "EUR"

_DUTCH = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+(,\d+)?$")
_PLAIN = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$")


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
    if value != value.quantize(Decimal("0.01")):
        raise MoneyError(_l("An amount has at most two decimals."))
    cents = int(value * 100)
    if negative and cents:
        if not allow_negative:
            raise MoneyError(_l("The amount cannot be negative."))
        cents = -cents
    return cents


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def format_money(cents: int, locale: str = "nl_NL") -> str:
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
    value = Decimal(amount["value"])
    if value != value.quantize(Decimal("0.01")):
        raise MoneyError(_l("An amount has at most two decimals."))
    return int(value * 100)
