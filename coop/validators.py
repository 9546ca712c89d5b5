"""Dutch identifiers, checked with python-stdnum, as WTForms validators and plain functions.

The plain functions return the normalised value or raise ValueError with a translated
message; the validators wrap them so forms show that message at the field.
"""

from flask_babel import lazy_gettext as _l
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn, postcode
from wtforms.validators import ValidationError


def normalise_kvk(value: str) -> str:
    digits = "".join(value.split())
    if not (digits.isdigit() and len(digits) == 8):
        raise ValueError(_l("A KvK number has 8 digits."))
    return digits


def normalise_rsin(value: str) -> str:
    # An RSIN passes the same eleven test as a BSN.
    digits = "".join(value.split()).replace(".", "")
    if not (digits.isdigit() and len(digits) == 9):
        raise ValueError(_l("An RSIN has 9 digits."))
    if not bsn.is_valid(digits):
        raise ValueError(_l("This RSIN fails the eleven test; check the digits."))
    return digits


def normalise_iban(value: str) -> str:
    try:
        return stdnum_iban.validate(value)
    except StdnumError as error:
        raise ValueError(_l("This is not a valid IBAN; check the digits.")) from error


def normalise_postcode(value: str) -> str:
    try:
        return postcode.validate(value)
    except StdnumError as error:
        raise ValueError(_l("A Dutch postcode looks like 3581 AB.")) from error


class Normalised:
    """Run a normaliser on the field's data; replace it with the normal form."""

    def __init__(self, normaliser):
        self.normaliser = normaliser

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = self.normaliser(field.data)
        except ValueError as error:
            raise ValidationError(str(error.args[0])) from error
