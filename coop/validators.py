"""Dutch identifiers, checked with python-stdnum, as WTForms validators and plain functions.

The plain functions return the normalised value or raise ValueError with a translated
message; the validators wrap them so forms show that message at the field.
"""

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.eu import at_02 as creditor_identifier
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


def iban_in_sepa_zone(iban: str) -> bool:
    """Whether the country of a (valid) IBAN takes part in the SEPA schemes, by
    schwifty's registry of IBAN specifications: Turkey or Brazil have IBANs but are
    outside SEPA, so their accounts cannot be debited by a SEPA direct debit."""
    # Deferred on purpose: schwifty loads its bank registry (a quarter second).
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        return IBAN(iban, allow_invalid=True).in_sepa_zone
    except (SchwiftyException, ValueError):  # a country schwifty does not know
        return False


def country_name(code: str) -> str:
    """The name of a country (ISO 3166 code) in the UI language, e.g. "Turkije"."""

    locale = get_locale() or Locale("nl")
    return locale.territories.get(code.upper(), code.upper())


def normalise_bic(value: str) -> str:
    try:
        return stdnum_bic.validate(value)
    except StdnumError as error:
        raise ValueError(
            _l("This is not a valid BIC: 8 or 11 letters and digits, like INGBNL2A.")
        ) from error


def normalise_creditor_id(value: str) -> str:
    """A SEPA creditor identifier (incassant-ID), checked by python-stdnum (AT-02: the
    ISO 7064 mod 97-10 check digits); a Dutch one is NLccZZZ + KvK number + 4 digits."""
    try:
        compact = creditor_identifier.validate(value)
    except StdnumError as error:
        raise ValueError(
            _l("This is not a valid incassant-ID; a Dutch one looks like NL12ZZZ123456780000 "
               "(check the digits).")
        ) from error
    if compact.startswith("NL") and not (len(compact) == 19 and compact[7:].isdigit()):
        raise ValueError(
            _l("A Dutch incassant-ID is NL, two check digits, a business code (ZZZ), the "
               "KvK number and four digits, like NL12ZZZ123456780000.")
        )
    return compact


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
