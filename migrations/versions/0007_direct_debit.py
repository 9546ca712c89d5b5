"""direct debit: mandates, pain.008 batches and their items; the coop's incassant-ID,
BIC and pre-notification term; reversed (storno) payments

Revision ID: 0007_direct_debit
Revises: 0006_meetings
Create Date: 2026-11-30 02:36:13.152683

"""
from alembic import op
import sqlalchemy as sa
import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0007_direct_debit'
down_revision = '0006_meetings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('direct_debit_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=35), nullable=False),
    sa.Column('collection_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('creditor_id', sa.String(length=35), nullable=False),
    sa.Column('transaction_count', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.Integer(), nullable=False),
    sa.Column('xml', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'pending') = (closed_at IS NULL)", name=op.f('ck_direct_debit_batch_closed_unless_pending')),
    sa.CheckConstraint("status IN ('pending', 'collected', 'cancelled')", name=op.f('ck_direct_debit_batch_status_known')),
    sa.CheckConstraint('total_cents > 0', name=op.f('ck_direct_debit_batch_total_positive')),
    sa.CheckConstraint('transaction_count > 0', name=op.f('ck_direct_debit_batch_count_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_direct_debit_batch_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_direct_debit_batch')),
    sa.UniqueConstraint('message_id', name=op.f('uq_direct_debit_batch_message_id'))
    )
    with op.batch_alter_table('direct_debit_batch', schema=None) as batch_op:
        batch_op.create_index('ix_direct_debit_batch_collection_date', ['collection_date', 'id'], unique=False)

    op.create_table('direct_debit_mandate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=35), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('account_holder', sa.String(length=70), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('bic', sa.String(length=11), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('consent_text', sa.Text(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=200), nullable=True),
    sa.Column('last_collection_on', sa.Date(), nullable=True),
    sa.Column('anonymised_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'active') = (ended_on IS NULL)", name=op.f('ck_direct_debit_mandate_ended_unless_active')),
    sa.CheckConstraint("kind IN ('recurrent', 'one_off')", name=op.f('ck_direct_debit_mandate_kind_known')),
    sa.CheckConstraint("source IN ('portal', 'paper')", name=op.f('ck_direct_debit_mandate_source_known')),
    sa.CheckConstraint("status IN ('active', 'revoked', 'ended')", name=op.f('ck_direct_debit_mandate_status_known')),
    sa.CheckConstraint('iban IS NOT NULL OR anonymised_at IS NOT NULL', name=op.f('ck_direct_debit_mandate_iban_kept')),
    sa.CheckConstraint('length(reference) BETWEEN 1 AND 35', name=op.f('ck_direct_debit_mandate_reference_length')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_direct_debit_mandate_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_direct_debit_mandate_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_direct_debit_mandate')),
    sa.UniqueConstraint('reference', name=op.f('uq_direct_debit_mandate_reference'))
    )
    with op.batch_alter_table('direct_debit_mandate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direct_debit_mandate_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_direct_debit_mandate_active_person', ['person_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('direct_debit_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('sequence_type', sa.String(length=4), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('end_to_end_id', sa.String(length=35), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('reason_code', sa.String(length=4), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('notified_to', sa.String(length=255), nullable=True),
    sa.Column('notified_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status IN ('rejected', 'reversed')) = (reason_code IS NOT NULL)", name=op.f('ck_direct_debit_item_reason_when_returned')),
    sa.CheckConstraint("sequence_type IN ('FRST', 'RCUR', 'FNAL', 'OOFF')", name=op.f('ck_direct_debit_item_sequence_type_known')),
    sa.CheckConstraint("status IN ('pending', 'rejected', 'collected', 'reversed', 'cancelled')", name=op.f('ck_direct_debit_item_status_known')),
    sa.CheckConstraint("status NOT IN ('collected', 'reversed') OR payment_id IS NOT NULL", name=op.f('ck_direct_debit_item_payment_when_collected')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_direct_debit_item_amount_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['direct_debit_batch.id'], name=op.f('fk_direct_debit_item_batch_id_direct_debit_batch')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_direct_debit_item_invoice_id_invoice')),
    sa.ForeignKeyConstraint(['mandate_id'], ['direct_debit_mandate.id'], name=op.f('fk_direct_debit_item_mandate_id_direct_debit_mandate')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_direct_debit_item_payment_id_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_direct_debit_item')),
    sa.UniqueConstraint('end_to_end_id', name=op.f('uq_direct_debit_item_end_to_end_id')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_direct_debit_item_payment_id'))
    )
    with op.batch_alter_table('direct_debit_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_direct_debit_item_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_direct_debit_item_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_direct_debit_item_mandate_id'), ['mandate_id'], unique=False)
        batch_op.create_index('uq_direct_debit_item_live_invoice', ['invoice_id'], unique=True, sqlite_where=sa.text("status IN ('pending', 'collected')"), postgresql_where=sa.text("status IN ('pending', 'collected')"))
        batch_op.create_index('uq_direct_debit_item_pending_mandate', ['mandate_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('creditor_id', sa.String(length=35), nullable=True))
        batch_op.add_column(sa.Column('bic', sa.String(length=11), nullable=True))
        # The saved settings row gets the usual term of 14 days; the model sets it after.
        batch_op.add_column(sa.Column('direct_debit_notice_days', sa.Integer(), nullable=False, server_default='14'))
        batch_op.create_check_constraint('direct_debit_notice_days_range', 'direct_debit_notice_days BETWEEN 2 AND 60')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.alter_column('direct_debit_notice_days', server_default=None)

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reversed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reversal_reason', sa.String(length=200), nullable=True))
        batch_op.create_check_constraint('reversal_has_reason', '(reversed_on IS NULL) = (reversal_reason IS NULL)')


def downgrade():
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_payment_reversal_has_reason'), type_='check')
        batch_op.drop_column('reversal_reason')
        batch_op.drop_column('reversed_on')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organisation_direct_debit_notice_days_range'), type_='check')
        batch_op.drop_column('direct_debit_notice_days')
        batch_op.drop_column('bic')
        batch_op.drop_column('creditor_id')

    with op.batch_alter_table('direct_debit_item', schema=None) as batch_op:
        batch_op.drop_index('uq_direct_debit_item_pending_mandate', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index('uq_direct_debit_item_live_invoice', sqlite_where=sa.text("status IN ('pending', 'collected')"), postgresql_where=sa.text("status IN ('pending', 'collected')"))
        batch_op.drop_index(batch_op.f('ix_direct_debit_item_mandate_id'))
        batch_op.drop_index(batch_op.f('ix_direct_debit_item_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_direct_debit_item_batch_id'))

    op.drop_table('direct_debit_item')
    with op.batch_alter_table('direct_debit_mandate', schema=None) as batch_op:
        batch_op.drop_index('uq_direct_debit_mandate_active_person', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index(batch_op.f('ix_direct_debit_mandate_person_id'))

    op.drop_table('direct_debit_mandate')
    with op.batch_alter_table('direct_debit_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_direct_debit_batch_collection_date')

    op.drop_table('direct_debit_batch')
