from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from coop.accounts.services import MIN_PASSWORD_LENGTH

_REQUIRED = InputRequired(message=_l("This field is required."))
_EMAIL = Email(message=_l("This is not a valid email address."), check_deliverability=False)


def _strip(value):
    # Phone keyboards append a space after an autocompleted address.
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        validators=[_REQUIRED, _EMAIL],
        filters=[_strip],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"), validators=[_REQUIRED], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Stay logged in on this device"))


class TwoFactorForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[_REQUIRED, Length(min=6, max=7, message=_l("The code has 6 digits."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ForgotPasswordForm(FlaskForm):
    email = StringField(_l("Email address"), validators=[_REQUIRED, _EMAIL], filters=[_strip])


def _new_password_fields():
    password = PasswordField(
        _l("New password"),
        validators=[
            _REQUIRED,
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("Use at least %(min)d characters."),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[_REQUIRED, EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[_REQUIRED],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = _new_password_fields()


LANGUAGE_CHOICES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[_REQUIRED, Length(max=200)])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change something."""


class DisableTwoFactorForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            InputRequired(message=_l("Enter your password to turn off two-factor authentication."))
        ],
        render_kw={"autocomplete": "current-password"},
    )
