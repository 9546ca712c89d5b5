"""The board's dashboard: what needs attention, from figures the app already holds."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coop import timeutil
from coop.accounts.models import User, UserRole
from coop.audit import AuditEvent, with_people
from coop.extensions import db
from coop.governance import services as governance
from coop.permissions import Role
from coop.settings.services import get_organisation, payment_iban

RECENT_EVENTS = 10


# Roles that open the administration; members and volunteers only see their own data.
ELEVATED_ROLES = (Role.ADMIN, Role.BOARD, Role.TREASURER, Role.AUDITOR, Role.FUNDER)
MAX_LISTED = 100


def dashboard_figures() -> dict:
    organisation = get_organisation()
    # Who can see or change more than their own data: a short list the board should
    # know by heart, read through the (role, user_id) index whatever the member count.
    elevated = db.session.scalars(
        select(User)
        .where(
            User.id.in_(
                select(UserRole.user_id).where(UserRole.role.in_([r.value for r in ELEVATED_ROLES]))
            ),
            User.is_active_account.is_(True),
        )
        .order_by(User.name, User.id)
        .limit(MAX_LISTED)
    ).all()
    recent = db.session.scalars(
        with_people(select(AuditEvent))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(RECENT_EVENTS)
    ).all()
    return {
        # Terms ending within three months or ended without a successor (governance).
        "governance": governance.term_warnings(timeutil.local_today()),
        "organisation": organisation,
        "settings_missing": _missing_settings(organisation),
        "elevated_accounts": elevated,
        "without_two_factor": [u for u in elevated if u.needs_two_factor_setup],
        "recent_events": recent,
    }


def _missing_settings(organisation) -> list:
    labels = {
        "kvk_number": _l("KvK number"),
        "rsin": _l("RSIN"),
        "postcode": _l("Postcode"),
        "email": _l("Email address"),
    }
    missing = [label for field, label in labels.items() if not getattr(organisation, field)]
    if not payment_iban():
        missing.append(_l("IBAN"))
    if organisation.id is None:
        missing.insert(0, _l("The settings have never been saved"))
    return missing
