"""Shared form helpers and fields."""

import re
from functools import lru_cache

from babel import support
from flask import flash, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField as _WTFormsIntegerField
from wtforms import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import StopValidation

from coop.args import MAX_INT

# What an INTEGER column holds (ids, counts, amounts in cents), like MAX_INT.
MIN_INT = -(2**31)
_ROW_ID = re.compile(r"[0-9]{1,10}")


def row_id(value) -> int | None:
    """The id of a row as a form or URL gives it: a whole number from 1 to MAX_INT, or
    None for anything else (empty, signs, other digits, too big)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= MAX_INT else None
    text = value.strip() if isinstance(value, str) else ""
    if not _ROW_ID.fullmatch(text) or not 1 <= int(text) <= MAX_INT:
        return None
    return int(text)


class ChosenRow:
    """Validator for a select of rows by id whose own choice check is off (the service
    explains a stale choice): the value is empty, or an id (see `row_id`), with
    `among_choices` one of the field's choices. Anything else (`-5`, 100 kB of text, a
    row not offered) is refused at the field, never silently dropped."""

    def __init__(self, message=None, among_choices: bool = True):
        self.message = message
        self.among_choices = among_choices

    def __call__(self, form, field):
        if field.data in (None, ""):
            return
        offered = (_choice_values(field.choices)
                   if self.among_choices and field.choices is not None else None)
        if row_id(field.data) is None or (offered is not None
                                          and str(field.data) not in offered):
            raise StopValidation(str(self.message or _l("Choose one from the list.")))


def _choice_values(choices) -> set[str]:
    if isinstance(choices, dict):  # option groups
        choices = [choice for group in choices.values() for choice in group]
    return {str(SelectChoice.from_input(choice).value) for choice in choices}


class IntegerField(_WTFormsIntegerField):
    """WTForms' IntegerField, refusing at the field a number no INTEGER column holds
    (WTForms would pass a twenty-digit number on to the database)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not MIN_INT <= self.data <= MAX_INT:
            self.data = None
            raise ValueError(_l("This number is too large."))


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
