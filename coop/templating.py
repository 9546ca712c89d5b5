"""Jinja filters and globals: money, local time, permissions, languages."""

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale

from coop.money import format_money, format_plain
from coop.permissions import ROLE_LABELS, Permission, Role, has_permission

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def money_locale() -> str:
    """The Babel locale for amounts in the current UI language."""
    return "nl_NL" if str(get_locale() or "nl") == "nl" else "en_GB"


def money_filter(cents: int | None) -> str:
    if cents is None:
        return ""
    return format_money(cents, money_locale())


def datetime_filter(value: datetime | None, format: str = "medium") -> str:
    # flask-babel converts to BABEL_DEFAULT_TIMEZONE (Europe/Amsterdam).
    return format_datetime(value, format) if value else ""


def date_filter(value: date | None, format: str = "medium") -> str:
    return format_date(value, format) if value else ""


def percent_filter(fraction: float | None) -> str:
    """0.5531 as "55,3%" (one decimal, in the UI language)."""
    return "" if fraction is None else format_percent(fraction, "#,##0.0%")


def number_filter(value: int | None) -> str:
    return "" if value is None else format_decimal(value, "#,##0")


def hours_filter(value: float | None) -> str:
    """1.5 hours as "1,5" (at most two decimals, in the UI language)."""
    return "" if value is None else format_decimal(value, "0.##")


def register(app: Flask) -> None:
    app.jinja_env.filters["money"] = money_filter
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["percent"] = percent_filter
    app.jinja_env.filters["number"] = number_filter
    app.jinja_env.filters["hours"] = hours_filter
    app.jinja_env.filters["plain_amount"] = format_plain
    app.jinja_env.globals.update(
        has_permission=has_permission,
        Permission=Permission,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        current_locale=lambda: str(get_locale()),
        role_label=lambda role: ROLE_LABELS[Role(role)],
    )
