"""The board's dashboard: what needs attention, from figures the app already holds."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import raiseload

from coop.accounts.models import User, UserRole
from coop.audit import AuditEvent
from coop.extensions import db
from coop.permissions import ROLE_LABELS, ROLE_PERMISSIONS, TWO_FACTOR_PERMISSIONS, Role
from coop.settings.services import get_organisation

RECENT_EVENTS = 10


def dashboard_figures() -> dict:
    organisation = get_organisation()
    role_counts = dict(
        db.session.execute(
            select(UserRole.role, func.count(UserRole.id))
            .join(User, User.id == UserRole.user_id)
            .where(User.is_active_account.is_(True))
            .group_by(UserRole.role)
        ).all()
    )
    finance_roles = [r.value for r in Role if ROLE_PERMISSIONS[r] & TWO_FACTOR_PERMISSIONS]
    without_two_factor = db.session.scalars(
        select(User)
        .join(UserRole, User.id == UserRole.user_id)
        .where(UserRole.role.in_(finance_roles), User.totp_enabled_at.is_(None))
        .order_by(User.name)
    ).all()
    recent = db.session.scalars(
        select(AuditEvent)
        .options(raiseload(AuditEvent.actor))  # the table shows actor_label
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(RECENT_EVENTS)
    ).all()
    return {
        "organisation": organisation,
        "settings_missing": _missing_settings(organisation),
        "role_counts": [(ROLE_LABELS[r], role_counts.get(r.value, 0)) for r in Role],
        "without_two_factor": without_two_factor,
        "recent_events": recent,
    }


def _missing_settings(organisation) -> list:
    labels = {
        "kvk_number": _l("KvK number"),
        "rsin": _l("RSIN"),
        "iban": _l("IBAN"),
        "postcode": _l("Postcode"),
        "email": _l("Email address"),
    }
    missing = [label for field, label in labels.items() if not getattr(organisation, field)]
    if organisation.id is None:
        missing.insert(0, _l("The settings have never been saved"))
    return missing
