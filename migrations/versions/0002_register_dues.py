"""member register, dues invoices, dues settings

Revision ID: 0002_register_dues
Revises: 0001_initial
Create Date: 2026-11-23 07:11:52.629603

"""
import sqlalchemy as sa
from alembic import op

import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0002_register_dues'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invoice_sequence',
    sa.Column('fiscal_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('fiscal_year', name=op.f('pk_invoice_sequence'))
    )
    op.create_table('member_number_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_number_counter'))
    )
    op.create_table('membership_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('yearly_dues_cents', sa.Integer(), nullable=False),
    sa.Column('has_vote', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('yearly_dues_cents >= 0', name=op.f('ck_membership_type_dues_nonnegative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_type')),
    sa.UniqueConstraint('code', name=op.f('uq_membership_type_code'))
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=True),
    sa.Column('name_prefix', sa.String(length=20), nullable=True),
    sa.Column('family_name', sa.String(length=200), nullable=False),
    sa.Column('sort_name', sa.String(length=320), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=7), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('consent_electronic_convocation', sa.Boolean(), nullable=False),
    sa.Column('consent_newsletter', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('anonymised_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('person', 'organisation')", name=op.f('ck_person_kind_known')),
    sa.CheckConstraint('email IS NULL OR email = lower(email)', name=op.f('ck_person_email_lowercase')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_person_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('email', name=op.f('uq_person_email')),
    sa.UniqueConstraint('user_id', name=op.f('uq_person_user_id'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_postcode', ['postcode'], unique=False)
        batch_op.create_index('ix_person_sort_name_id', ['sort_name', 'id'], unique=False)

    op.create_table('consent_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('given', sa.Boolean(), nullable=False),
    sa.Column('at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('electronic_convocation', 'newsletter')", name=op.f('ck_consent_event_kind_known')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_consent_event_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_event'))
    )
    with op.batch_alter_table('consent_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_event_person_id'), ['person_id'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('member_number', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('admitted_on', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'ended') = (end_date IS NOT NULL)", name=op.f('ck_membership_ended_iff_end_date')),
    sa.CheckConstraint("status IN ('aspirant', 'active', 'suspended', 'ended')", name=op.f('ck_membership_status_known')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_membership_end_after_start')),
    sa.CheckConstraint('member_number > 0', name=op.f('ck_membership_member_number_positive')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_membership_person_id_person')),
    sa.ForeignKeyConstraint(['type_id'], ['membership_type.id'], name=op.f('fk_membership_type_id_membership_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('member_number', name=op.f('uq_membership_member_number'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index('ix_membership_dates', ['start_date', 'end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_membership_status_type_id', ['status', 'type_id'], unique=False)
        batch_op.create_index('uq_membership_one_current', ['person_id'], unique=True, sqlite_where=sa.text("status <> 'ended'"), postgresql_where=sa.text("status <> 'ended'"))

    op.create_table('invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('sequence_number', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=True),
    sa.Column('dues_year', sa.Integer(), nullable=True),
    sa.Column('credits_invoice_id', sa.Integer(), nullable=True),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('total_cents', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('payment_reference', sa.String(length=35), nullable=False),
    sa.Column('addressee_name', sa.String(length=330), nullable=False),
    sa.Column('addressee_address', sa.Text(), nullable=True),
    sa.Column('issuer', sa.JSON(), nullable=False),
    sa.Column('pdf_filename', sa.String(length=100), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'credit_note') = (credits_invoice_id IS NOT NULL)", name=op.f('ck_invoice_credit_note_credits_an_invoice')),
    sa.CheckConstraint("(kind = 'invoice' AND total_cents >= 0) OR (kind = 'credit_note' AND total_cents <= 0)", name=op.f('ck_invoice_total_sign_matches_kind')),
    sa.CheckConstraint("kind IN ('invoice', 'credit_note')", name=op.f('ck_invoice_kind_known')),
    sa.CheckConstraint("status IN ('open', 'paid', 'credited', 'written_off')", name=op.f('ck_invoice_status_known')),
    sa.CheckConstraint('due_date >= issue_date', name=op.f('ck_invoice_due_after_issue')),
    sa.CheckConstraint('sequence_number > 0', name=op.f('ck_invoice_sequence_positive')),
    sa.ForeignKeyConstraint(['credits_invoice_id'], ['invoice.id'], name=op.f('fk_invoice_credits_invoice_id_invoice')),
    sa.ForeignKeyConstraint(['membership_id'], ['membership.id'], name=op.f('fk_invoice_membership_id_membership')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_invoice_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice')),
    sa.UniqueConstraint('fiscal_year', 'sequence_number', name='uq_invoice_year_sequence'),
    sa.UniqueConstraint('number', name=op.f('uq_invoice_number')),
    sa.UniqueConstraint('payment_reference', name=op.f('uq_invoice_payment_reference'))
    )
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_invoice_status_due_date', ['status', 'due_date'], unique=False)
        batch_op.create_index('uq_invoice_membership_dues_year', ['membership_id', 'dues_year'], unique=True, sqlite_where=sa.text("kind = 'invoice' AND status <> 'credited'"), postgresql_where=sa.text("kind = 'invoice' AND status <> 'credited'"))

    op.create_table('membership_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("to_status IN ('aspirant', 'active', 'suspended', 'ended')", name=op.f('ck_membership_status_change_to_status_known')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_membership_status_change_actor_id_user_account')),
    sa.ForeignKeyConstraint(['membership_id'], ['membership.id'], name=op.f('fk_membership_status_change_membership_id_membership')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_status_change'))
    )
    with op.batch_alter_table('membership_status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_status_change_membership_id'), ['membership_id'], unique=False)

    op.create_table('invoice_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_cents', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount_cents = quantity * unit_cents', name=op.f('ck_invoice_line_amount_is_quantity_times_unit')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_invoice_line_quantity_positive')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_invoice_line_invoice_id_invoice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_line'))
    )
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_line_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=140), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('cash', 'bank_transfer', 'mollie', 'sepa_direct_debit')", name=op.f('ck_payment_method_known')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_payment_amount_positive')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_payment_invoice_id_invoice')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_payment_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('reminder_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('sent_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_reminder_log_invoice_id_invoice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_log')),
    sa.UniqueConstraint('invoice_id', 'level', name='uq_reminder_invoice_level')
    )
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_log_invoice_id'), ['invoice_id'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dues_proration', sa.String(length=20), nullable=False, server_default='monthly'))
        batch_op.add_column(sa.Column('payment_term_days', sa.Integer(), nullable=False, server_default='30'))
        batch_op.add_column(sa.Column('reminder_after_days', sa.Integer(), nullable=False, server_default='14'))
        batch_op.add_column(sa.Column('retention_years', sa.Integer(), nullable=False, server_default='2'))

    # The defaults were for existing rows; the app always sets the values.
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        for column in ('dues_proration', 'payment_term_days', 'reminder_after_days', 'retention_years'):
            batch_op.alter_column(column, server_default=None)
        batch_op.create_check_constraint(
            op.f('ck_organisation_dues_proration_known'),
            "dues_proration IN ('full', 'monthly', 'free_first_year')",
        )
        batch_op.create_check_constraint(
            op.f('ck_organisation_payment_term_range'), 'payment_term_days BETWEEN 1 AND 365'
        )
        batch_op.create_check_constraint(
            op.f('ck_organisation_reminder_after_range'), 'reminder_after_days BETWEEN 1 AND 365'
        )
        batch_op.create_check_constraint(
            op.f('ck_organisation_retention_years_range'), 'retention_years BETWEEN 0 AND 10'
        )



def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        for name in ('dues_proration_known', 'payment_term_range', 'reminder_after_range',
                     'retention_years_range'):
            batch_op.drop_constraint(op.f(f'ck_organisation_{name}'), type_='check')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('retention_years')
        batch_op.drop_column('reminder_after_days')
        batch_op.drop_column('payment_term_days')
        batch_op.drop_column('dues_proration')

    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_log_invoice_id'))

    op.drop_table('reminder_log')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_invoice_id'))

    op.drop_table('payment')
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_line_invoice_id'))

    op.drop_table('invoice_line')
    with op.batch_alter_table('membership_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_status_change_membership_id'))

    op.drop_table('membership_status_change')
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index('uq_invoice_membership_dues_year')
        batch_op.drop_index('ix_invoice_status_due_date')
        batch_op.drop_index(batch_op.f('ix_invoice_person_id'))

    op.drop_table('invoice')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('uq_membership_one_current', sqlite_where=sa.text("status <> 'ended'"), postgresql_where=sa.text("status <> 'ended'"))
        batch_op.drop_index('ix_membership_status_type_id')
        batch_op.drop_index(batch_op.f('ix_membership_person_id'))
        batch_op.drop_index('ix_membership_dates')

    op.drop_table('membership')
    with op.batch_alter_table('consent_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_event_person_id'))

    op.drop_table('consent_event')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_sort_name_id')
        batch_op.drop_index('ix_person_postcode')

    op.drop_table('person')
    op.drop_table('membership_type')
    op.drop_table('member_number_counter')
    op.drop_table('invoice_sequence')
