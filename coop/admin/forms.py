from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, StringField
from wtforms.validators import Email, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from coop.permissions import ROLE_LABELS

_REQUIRED = InputRequired(message=_l("This field is required."))


class RolesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_choices():
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class UserRolesForm(FlaskForm):
    roles = RolesField(_l("Roles"), choices=_role_choices())


class NewUserForm(UserRolesForm):
    name = StringField(_l("Name"), validators=[_REQUIRED, Length(max=200)])
    email = StringField(
        _l("Email address"),
        validators=[
            _REQUIRED,
            Email(message=_l("This is not a valid email address."), check_deliverability=False),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
