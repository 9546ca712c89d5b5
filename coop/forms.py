"""Shared form helpers."""

from functools import lru_cache

from babel import support
from flask import flash, request
from flask_babel import get_locale
from wtforms.i18n import messages_path


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
