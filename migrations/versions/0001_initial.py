"""initial schema: accounts, audit, outbox, organisation

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23 06:29:46.927145

"""
import sqlalchemy as sa
from alembic import op

import coop.timeutil

# revision identifiers, used by Alembic.
revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt'))
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempt_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempt_ip_address'), ['ip_address'], unique=False)

    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('legal_form', sa.String(length=20), nullable=False),
    sa.Column('kvk_number', sa.String(length=8), nullable=True),
    sa.Column('rsin', sa.String(length=9), nullable=True),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=7), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('website', sa.String(length=255), nullable=True),
    sa.Column('fiscal_year_start_month', sa.Integer(), nullable=False),
    sa.Column('anbi_status', sa.Boolean(), nullable=False),
    sa.Column('sbbi_status', sa.Boolean(), nullable=False),
    sa.Column('convocation_days', sa.Integer(), nullable=False),
    sa.Column('amendment_convocation_days', sa.Integer(), nullable=False),
    sa.Column('amendment_inspection_days', sa.Integer(), nullable=False),
    sa.Column('proxy_cap_per_holder', sa.Integer(), nullable=False),
    sa.Column('quorum_percent', sa.Integer(), nullable=True),
    sa.Column('default_majority', sa.String(length=20), nullable=False),
    sa.Column('amendment_majority', sa.String(length=20), nullable=False),
    sa.Column('electronic_voting_allowed', sa.Boolean(), nullable=False),
    sa.Column('vote_change_allowed', sa.Boolean(), nullable=False),
    sa.Column('persons_secret_ballot', sa.Boolean(), nullable=False),
    sa.Column('tie_on_persons', sa.String(length=10), nullable=False),
    sa.Column('updated_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("NOT (anbi_status AND legal_form = 'cooperatie_ua')", name=op.f('ck_organisation_cooperatie_not_anbi')),
    sa.CheckConstraint("amendment_majority IN ('more_than_half', 'two_thirds', 'three_quarters')", name=op.f('ck_organisation_amendment_majority_known')),
    sa.CheckConstraint("default_majority IN ('more_than_half', 'two_thirds', 'three_quarters')", name=op.f('ck_organisation_default_majority_known')),
    sa.CheckConstraint("legal_form IN ('cooperatie_ua', 'vereniging', 'stichting')", name=op.f('ck_organisation_legal_form_known')),
    sa.CheckConstraint("tie_on_persons IN ('re_vote', 'lot')", name=op.f('ck_organisation_tie_on_persons_known')),
    sa.CheckConstraint('amendment_convocation_days >= 7', name=op.f('ck_organisation_amendment_convocation_min')),
    sa.CheckConstraint('amendment_inspection_days >= 5', name=op.f('ck_organisation_amendment_inspection_min')),
    sa.CheckConstraint('fiscal_year_start_month BETWEEN 1 AND 12', name=op.f('ck_organisation_fiscal_year_start_month_range')),
    sa.CheckConstraint('proxy_cap_per_holder >= 0', name=op.f('ck_organisation_proxy_cap_nonnegative')),
    sa.CheckConstraint('quorum_percent IS NULL OR quorum_percent BETWEEN 1 AND 100', name=op.f('ck_organisation_quorum_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation'))
    )
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sender', sa.String(length=255), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_recipient'), ['recipient'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=True),
    sa.Column('is_active_account', sa.Boolean(), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_enabled_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.Column('security_stamp', sa.Integer(), nullable=False),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_user_account_email_lowercase')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index('ix_user_account_name_id', ['name', 'id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=255), nullable=False),
    sa.Column('tag', sa.String(length=80), nullable=False),
    sa.Column('domain', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=80), nullable=True),
    sa.Column('object_id', sa.String(length=80), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_event_at_id', ['at', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_tag_at_id', ['tag', 'at', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_domain_at_id', ['domain', 'at', 'id'], unique=False)

    op.create_table('user_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'board', 'treasurer', 'auditor', 'member', 'volunteer', 'funder')", name=op.f('ck_user_role_role_known')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_role_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_role')),
    sa.UniqueConstraint('user_id', 'role', name='uq_user_role_user_id_role')
    )
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.create_index('ix_user_role_role_user_id', ['role', 'user_id'], unique=False)

    # The audit log is append-only: the database refuses UPDATE and DELETE.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit_event is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{operation.lower()} BEFORE {operation} "
                "ON audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_refuse_change()")
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_index('ix_user_role_role_user_id')

    op.drop_table('user_role')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_domain_at_id')
        batch_op.drop_index('ix_audit_event_tag_at_id')
        batch_op.drop_index('ix_audit_event_at_id')
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))

    op.drop_table('audit_event')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index('ix_user_account_name_id')

    op.drop_table('user_account')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_recipient'))

    op.drop_table('outbox_message')
    op.drop_table('organisation')
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempt_ip_address'))
        batch_op.drop_index(batch_op.f('ix_login_attempt_email'))
        batch_op.drop_index(batch_op.f('ix_login_attempt_at'))

    op.drop_table('login_attempt')
