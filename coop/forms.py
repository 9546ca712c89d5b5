"""Shared form helpers."""

from functools import lru_cache

from babel import support
from flask import flash, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError

from coop.money import MoneyError, parse_amount

_DATE_INVALID = _l("Enter a date like 2026-01-31.")


def show_error(form, error) -> None:
    """Put a refused change's message (`error.message`) at its field (`error.field`),
    or flash it when it names no field of this form."""
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error.message)]
    else:
        flash(str(error.message), "error")


@lru_cache(maxsize=8)
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsCatalogue:
    """WTForms' own messages ("Not a valid choice") in the request's language.

    flask-wtf reads WTForms' catalogue from disk for every request that builds a form
    (about half a millisecond); it takes `request.wtforms_translations` when set, so this
    stand-in, set before each request, loads each language once per process and only
    when a form asks.
    """

    @staticmethod
    def _catalogue() -> support.Translations:
        return _wtforms_catalogue(str(get_locale() or "nl"))

    def ugettext(self, string):
        return self._catalogue().ugettext(string)

    def ungettext(self, singular, plural, n):
        return self._catalogue().ungettext(singular, plural, n)


_WTFORMS_CATALOGUE = _WTFormsCatalogue()


def share_wtforms_catalogue() -> None:
    """`before_request` hook (registered in `coop.create_app`)."""
    request.wtforms_translations = _WTFORMS_CATALOGUE


class AmountField(StringField):
    """An amount typed as text (`12,50`, `1.234,56`); `cents` holds the parsed value."""

    cents: int | None = None

    def pre_validate(self, form):
        self.cents = None
        if not (self.data or "").strip():
            return
        try:
            self.cents = parse_amount(self.data)
        except MoneyError as error:
            raise ValidationError(str(error)) from error


class DayField(DateField):
    """A date input whose error says what is expected (WTForms' own message does not)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_DATE_INVALID)) from error
