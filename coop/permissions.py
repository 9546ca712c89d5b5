"""Roles, permissions and the one decorator every view carries.

Deny by default: a view without a declared permission answers 403 to everyone (the
check lives in a `before_request` hook, so a forgotten decorator cannot open a view).
Read and write are separate permissions.
"""

from collections.abc import Callable
from enum import StrEnum

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import Forbidden


class Permission(StrEnum):
    ACCOUNT_OWN = "account:own"  # own profile, password, two-factor, language
    DASHBOARD_READ = "dashboard:read"
    MEMBERS_READ = "members:read"
    MEMBERS_WRITE = "members:write"
    MEETINGS_READ = "meetings:read"
    MEETINGS_WRITE = "meetings:write"
    # Bodies, positions, appointments, signatories: apart from meetings, because the
    # kascommissie reads who may sign (to check payments) but has no business in the ALV.
    GOVERNANCE_READ = "governance:read"
    GOVERNANCE_WRITE = "governance:write"
    FINANCE_READ = "finance:read"
    FINANCE_WRITE = "finance:write"
    FINANCE_AUDIT = "finance:audit"  # kascommissie: record findings, sign off a year
    SETTINGS_READ = "settings:read"
    SETTINGS_WRITE = "settings:write"
    AUDIT_LOG_READ = "audit:read"
    OUTBOX_READ = "outbox:read"
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    PORTAL_OWN = "portal:own"  # a member's own data, invoices, votes, proxies
    VOLUNTEER_OWN = "volunteer:own"  # own hours and allowance statement
    # Approving hours and allowances: scoped to the initiatives a person coordinates
    # (coop.volunteers.services.coordinated_initiative_ids); VOLUNTEERS_ALL lifts the
    # scope (the board) and lets its holder set up initiatives and coordinators.
    VOLUNTEERS_COORDINATE = "volunteers:coordinate"
    VOLUNTEERS_ALL = "volunteers:all"
    KPI_REPORTS_OWN = "kpi:own"  # a funder's own agreements' KPI reports
    # KPI definitions, entered figures, targets, reports and their publication.
    KPI_MANAGE = "kpi:manage"


class Role(StrEnum):
    ADMIN = "admin"
    BOARD = "board"
    TREASURER = "treasurer"
    AUDITOR = "auditor"
    MEMBER = "member"
    VOLUNTEER = "volunteer"
    FUNDER = "funder"


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.BOARD: _l("Board member"),
    Role.TREASURER: _l("Treasurer (board, finance write)"),
    Role.AUDITOR: _l("Audit committee (kascommissie)"),
    Role.MEMBER: _l("Member"),
    Role.VOLUNTEER: _l("Volunteer"),
    Role.FUNDER: _l("Funder contact"),
}

P = Permission
_BOARD = {
    P.ACCOUNT_OWN, P.DASHBOARD_READ, P.MEMBERS_READ, P.MEMBERS_WRITE, P.MEETINGS_READ,
    P.MEETINGS_WRITE, P.FINANCE_READ, P.SETTINGS_READ, P.SETTINGS_WRITE, P.AUDIT_LOG_READ,
    P.USERS_READ, P.GOVERNANCE_READ, P.GOVERNANCE_WRITE, P.VOLUNTEERS_COORDINATE,
    P.VOLUNTEERS_ALL, P.KPI_MANAGE,
}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset({
        P.ACCOUNT_OWN, P.DASHBOARD_READ, P.SETTINGS_READ, P.SETTINGS_WRITE,
        P.AUDIT_LOG_READ, P.OUTBOX_READ, P.USERS_READ, P.USERS_WRITE,
    }),
    Role.BOARD: frozenset(_BOARD),
    Role.TREASURER: frozenset(_BOARD | {P.FINANCE_WRITE}),
    Role.AUDITOR: frozenset({
        P.ACCOUNT_OWN, P.DASHBOARD_READ, P.FINANCE_READ, P.FINANCE_AUDIT, P.GOVERNANCE_READ,
    }),
    # A member or volunteer may coordinate an initiative: what they may approve is
    # scoped to the initiatives they coordinate (none: every such page answers 403).
    Role.MEMBER: frozenset({P.ACCOUNT_OWN, P.PORTAL_OWN, P.VOLUNTEERS_COORDINATE}),
    Role.VOLUNTEER: frozenset({P.ACCOUNT_OWN, P.VOLUNTEER_OWN, P.VOLUNTEERS_COORDINATE}),
    Role.FUNDER: frozenset({P.ACCOUNT_OWN, P.KPI_REPORTS_OWN}),
}

# Permissions that may only be used after a second factor in this session.
TWO_FACTOR_PERMISSIONS = frozenset({P.FINANCE_WRITE})

PUBLIC = "public"
_ACCESS_ATTR = "coop_access"
_ALLOW_PENDING_2FA_ATTR = "coop_allow_pending_2fa"


def permissions_for_roles(roles) -> frozenset[Permission]:
    result: set[Permission] = set()
    for role in roles:
        result |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(result)


def require(*permissions: Permission) -> Callable:
    """Declare that a view needs all of `permissions`."""
    if not permissions:
        raise ValueError("require() needs at least one permission")

    def decorator(view):
        setattr(view, _ACCESS_ATTR, tuple(permissions))
        return view

    return decorator


def public(view):
    """Declare a view open to everyone, logged in or not."""
    setattr(view, _ACCESS_ATTR, PUBLIC)
    return view


def allow_pending_two_factor(view):
    """The view stays reachable for a user who must still set up two-factor."""
    setattr(view, _ALLOW_PENDING_2FA_ATTR, True)
    return view


def access_of(view) -> tuple[Permission, ...] | str | None:
    return getattr(view, _ACCESS_ATTR, None)


def has_permission(permission: Permission) -> bool:
    if not current_user.is_authenticated:
        return False
    if permission not in current_user.permissions:
        return False
    return permission not in TWO_FACTOR_PERMISSIONS or bool(session.get("two_factor_ok"))


def enforce_view_access():
    """`before_request` hook: apply the declared permission of the matched view."""
    if request.endpoint is None:  # 404 and 405 are raised by routing itself
        return None
    view = current_app.view_functions.get(request.endpoint)
    if request.endpoint == "static" or (view is not None and view.__module__ == "flask.app"):
        return None
    access = access_of(view)
    if access is None:
        current_app.logger.error("view %s declares no permission: denied", request.endpoint)
        raise Forbidden()
    if (
        current_user.is_authenticated
        and current_user.needs_two_factor_setup
        and not getattr(view, _ALLOW_PENDING_2FA_ATTR, False)
    ):
        flash(_l("Your role handles money: set up two-factor authentication first."), "warning")
        return redirect(url_for("accounts.two_factor_setup"))
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not all(has_permission(p) for p in access):
        raise Forbidden()
    return None

