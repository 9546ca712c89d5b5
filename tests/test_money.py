"""coop/money.py: amounts typed by people, shown to people and exchanged with Mollie."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop.money import (
    MAX_CENTS,
    MoneyError,
    format_money,
    format_plain,
    from_mollie,
    parse_amount,
    to_mollie,
)

# Ten billion euros either way: far beyond any coop's books, well inside a BIGINT.
CENTS = st.integers(min_value=-(10**12), max_value=10**12)
NON_NEGATIVE_CENTS = st.integers(min_value=0, max_value=10**12)
NBSP = "\xa0"


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1.234,56", 123456),
        ("12,50", 1250),
        ("€ 12,50", 1250),
        (f"€{NBSP}12,50", 1250),
        ("12,50 EUR", 1250),
        ("0,05", 5),
        ("12", 1200),
        ("12,5", 1250),
        ("1.234", 123400),  # a dot before three digits is a Dutch thousands separator
        ("1.234.567,89", 123456789),
        ("  7,00 ", 700),
        ("0", 0),
    ],
)
def test_dutch_input_is_parsed_into_cents(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12.50", 1250),
        ("1,234.56", 123456),
        ("1234.56", 123456),
        ("0.05", 5),
        ("€1,234,567.89", 123456789),
    ],
)
def test_plain_input_with_decimal_point_is_parsed_into_cents(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["12,505", "0,001", "1,234", "12.505,001"])
def test_more_than_two_decimals_is_refused(text):
    with pytest.raises(MoneyError, match="at most two decimals"):
        parse_amount(text)


@pytest.mark.parametrize(
    "text",
    ["12,5,0", "abc", "", "   ", "€", None, "12,", ",50", "1.23.456", "12 euro", "1e3",
     "--5", "5-", "NaN", "Infinity", "１２,５０", "١٢"],
)
def test_garbage_is_refused(text):
    with pytest.raises(MoneyError):
        parse_amount(text)


def test_refusal_message_is_a_readable_sentence():
    with pytest.raises(MoneyError) as caught:
        parse_amount("abc")
    assert str(caught.value) == "Enter an amount like 12,50 or 1.234,56."


@pytest.mark.parametrize("text", ["-12,50", "- 12,50", "€ -12,50", "-0,01"])
def test_negative_amount_is_refused_by_default(text):
    with pytest.raises(MoneyError, match="cannot be negative"):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "cents"), [("-12,50", -1250), ("€ -1.234,56", -123456), ("-0.01", -1)]
)
def test_negative_amount_is_accepted_when_allowed(text, cents):
    assert parse_amount(text, allow_negative=True) == cents


def test_minus_zero_is_zero():
    assert parse_amount("-0,00") == 0


def test_amount_too_large_to_store_is_refused_not_crashing():
    with pytest.raises(MoneyError, match="too large"):
        parse_amount("1" * 40)
    with pytest.raises(MoneyError, match="too large"):
        parse_amount(format_plain(MAX_CENTS + 1))
    assert parse_amount(format_plain(MAX_CENTS)) == MAX_CENTS


def test_a_stray_decimal_far_behind_the_comma_is_not_rounded_away():
    with pytest.raises(MoneyError, match="at most two decimals"):
        parse_amount("1," + "0" * 30 + "1")


def test_dutch_format_has_a_non_breaking_space_after_the_euro_sign():
    assert format_money(123456) == f"€{NBSP}1.234,56"
    assert format_money(5) == f"€{NBSP}0,05"
    assert format_money(0) == f"€{NBSP}0,00"
    assert format_money(-1250) == f"€{NBSP}-12,50"


@pytest.mark.parametrize("locale", ["en", "en_GB"])
def test_english_format(locale):
    assert format_money(123456, locale) == "€1,234.56"
    assert format_money(-1250, locale) == "-€12.50"


def test_plain_format_is_for_machines():
    assert format_plain(123456) == "1234.56"
    assert format_plain(5) == "0.05"
    assert format_plain(-1250) == "-12.50"


def test_to_mollie_gives_euros_with_two_decimals():
    assert to_mollie(1250) == {"currency": "EUR", "value": "12.50"}
    assert to_mollie(100000) == {"currency": "EUR", "value": "1000.00"}
    assert to_mollie(1) == {"currency": "EUR", "value": "0.01"}


def test_from_mollie_reads_euros():
    assert from_mollie({"currency": "EUR", "value": "12.50"}) == 1250
    assert from_mollie({"currency": "EUR", "value": "1000.00"}) == 100000
    assert from_mollie({"currency": "EUR", "value": "-3.10"}) == -310  # refunds, chargebacks


@pytest.mark.parametrize("currency", ["USD", "GBP", "eur", "", None])
def test_from_mollie_refuses_other_currencies(currency):
    with pytest.raises(MoneyError, match="euros"):
        from_mollie({"currency": currency, "value": "12.50"})


def test_from_mollie_refuses_missing_currency():
    with pytest.raises(MoneyError):
        from_mollie({"value": "12.50"})


@pytest.mark.parametrize(
    "amount",
    [
        {"currency": "EUR", "value": "12.505"},
        {"currency": "EUR", "value": "abc"},
        {"currency": "EUR", "value": "NaN"},
        {"currency": "EUR", "value": "Infinity"},
        {"currency": "EUR", "value": "1e999999"},
        {"currency": "EUR"},
    ],
)
def test_from_mollie_refuses_malformed_values_with_money_error(amount):
    with pytest.raises(MoneyError):
        from_mollie(amount)


@given(NON_NEGATIVE_CENTS)
def test_dutch_format_round_trips(cents):
    assert parse_amount(format_money(cents)) == cents


@given(CENTS)
def test_dutch_format_round_trips_for_negative_amounts_when_allowed(cents):
    assert parse_amount(format_money(cents), allow_negative=True) == cents


@given(CENTS)
def test_english_format_round_trips(cents):
    assert parse_amount(format_money(cents, "en_GB"), allow_negative=True) == cents


@given(CENTS)
def test_plain_format_round_trips(cents):
    assert parse_amount(format_plain(cents), allow_negative=True) == cents


@given(CENTS)
def test_mollie_amount_round_trips(cents):
    amount = to_mollie(cents)
    assert amount["currency"] == "EUR"
    assert amount["value"].rpartition(".")[2].isdigit()
    assert len(amount["value"].rpartition(".")[2]) == 2
    assert from_mollie(amount) == cents


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=3, max_value=6))
def test_any_amount_with_more_than_two_decimals_is_refused(cents, extra_digits):
    # "12,501", "12,5001", … : never silently rounded to cents.
    euros, rest = divmod(cents, 100)
    text = f"{euros},{rest:02d}" + "0" * (extra_digits - 3) + "1"
    with pytest.raises(MoneyError):
        parse_amount(text)
