import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp

from coop.validators import Normalised, normalise_postcode

_REQUIRED = InputRequired(message=_l("This field is required."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ContactDetailsForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        validators=[
            _REQUIRED,
            Email(message=_l("This is not a valid email address."), check_deliverability=False),
            Length(max=255),
        ],
        filters=[_strip],
        description=_l("Where the coop writes to you. The address you log in with stays "
                       "the same."),
        render_kw={"autocomplete": "email"},
    )
    phone = StringField(
        _l("Phone number"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(re.compile(r"^\+?[0-9 ()\-]{6,}$"),
                   message=_l("A phone number has digits, spaces and at most a leading +.")),
        ],
        filters=[_strip],
        render_kw={"autocomplete": "tel"},
    )
    street = StringField(
        _l("Street and house number"), validators=[Optional(), Length(max=200)],
        filters=[_strip], render_kw={"autocomplete": "street-address"},
    )
    postcode = StringField(
        _l("Postcode"), validators=[Optional(), Normalised(normalise_postcode)],
        filters=[_strip], render_kw={"autocomplete": "postal-code"},
    )
    city = StringField(
        _l("City"), validators=[Optional(), Length(max=100)],
        filters=[_strip], render_kw={"autocomplete": "address-level2"},
    )
    consent_electronic_convocation = BooleanField(
        _l("Send me the invitations to the general meeting by email")
    )
    consent_newsletter = BooleanField(_l("Send me the newsletter"))
