from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import db
from coop.permissions import TWO_FACTOR_PERMISSIONS, Role, permissions_for_roles
from coop.timeutil import UTCDateTime, utcnow

_ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(5))
    is_active_account: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Last accepted TOTP time step: a code is accepted once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Bumped on password change and reset: old reset links and sessions stop working.
    security_stamp: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        Index("ix_user_account_name_id", "name", "id"),  # the accounts list's order
    )

    @property
    def is_active(self) -> bool:  # flask-login
        return self.is_active_account

    def get_id(self) -> str:  # flask-login: a new stamp logs out old sessions
        return f"{self.id}:{self.security_stamp}"

    @property
    def roles(self) -> set[Role]:
        return {Role(row.role) for row in self.role_rows}

    @property
    def permissions(self):
        return permissions_for_roles(self.roles)

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def two_factor_required(self) -> bool:
        return bool(self.permissions & TWO_FACTOR_PERMISSIONS)

    @property
    def needs_two_factor_setup(self) -> bool:
        return self.two_factor_required and not self.two_factor_enabled


class UserRole(db.Model):
    __tablename__ = "user_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False
    )
    role: Mapped[str] = mapped_column(String(20), nullable=False)

    user: Mapped[User] = relationship(back_populates="role_rows")

    __table_args__ = (
        UniqueConstraint("user_id", "role", name="uq_user_role_user_id_role"),
        Index("ix_user_role_role_user_id", "role", "user_id"),  # who holds a role
        CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role_known"),
    )


class LoginAttempt(db.Model):
    """One row per login attempt: the source for throttling and for the board's view."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    email: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    ip_address: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, nullable=False)
    # A wrong two-factor code after the right password: only someone who knows the
    # password can cause one, so these are throttled far harder (see seconds_to_wait).
    second_factor: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
