"""payments: online payments through Mollie with their status history (append-only),
refunds and chargebacks; donations, campaigns, monthly gifts, periodic-gift agreements

Revision ID: 0010_payments
Revises: 0009_funders_bank
Create Date: 2026-11-30 02:36:21.535878

"""
import sqlalchemy as sa
from alembic import op

import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0010_payments'
down_revision = '0009_funders_bank'
branch_labels = None
depends_on = None

# The append-only guard of the status history, as in coop/payments/models.py at this
# revision (frozen here).
PG_FUNCTION = """CREATE OR REPLACE FUNCTION payment_status_change_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'payment_status_change is append-only';
END;
$$ LANGUAGE plpgsql"""
PG_TRIGGER = ("CREATE TRIGGER payment_status_change_append_only BEFORE UPDATE OR DELETE "
              "ON payment_status_change FOR EACH ROW "
              "EXECUTE FUNCTION payment_status_change_refuse()")
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER payment_status_change_no_{op_name.lower()} BEFORE {op_name} ON "
    "payment_status_change BEGIN SELECT RAISE(ABORT, "
    "'payment_status_change is append-only'); END"
    for op_name in ("UPDATE", "DELETE")
]


def upgrade():
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('target_cents', sa.Integer(), nullable=True),
    sa.Column('cost_centre_id', sa.Integer(), nullable=True),
    sa.Column('income_account_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("slug <> ''", name=op.f('ck_campaign_slug_not_empty')),
    sa.CheckConstraint('target_cents IS NULL OR target_cents > 0', name=op.f('ck_campaign_target_positive')),
    sa.ForeignKeyConstraint(['cost_centre_id'], ['cost_centre.id'], name=op.f('fk_campaign_cost_centre_id_cost_centre')),
    sa.ForeignKeyConstraint(['income_account_id'], ['ledger_account.id'], name=op.f('fk_campaign_income_account_id_ledger_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign')),
    sa.UniqueConstraint('slug', name=op.f('uq_campaign_slug'))
    )
    op.create_table('periodic_gift_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transaction_number', sa.String(length=20), nullable=False),
    sa.Column('donor_name', sa.String(length=200), nullable=False),
    sa.Column('donor_email', sa.String(length=255), nullable=True),
    sa.Column('donor_address', sa.Text(), nullable=True),
    sa.Column('yearly_amount_cents', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('years', sa.Integer(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('yearly_amount_cents > 0', name=op.f('ck_periodic_gift_agreement_amount_positive')),
    sa.CheckConstraint('years >= 5', name=op.f('ck_periodic_gift_agreement_at_least_five_years')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_periodic_gift_agreement_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_periodic_gift_agreement')),
    sa.UniqueConstraint('transaction_number', name=op.f('uq_periodic_gift_agreement_transaction_number'))
    )
    op.create_table('recurring_donation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('donor_name', sa.String(length=200), nullable=True),
    sa.Column('donor_email', sa.String(length=255), nullable=True),
    sa.Column('donor_kind', sa.String(length=10), nullable=False),
    sa.Column('public_consent', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('mollie_customer_id', sa.String(length=40), nullable=False),
    sa.Column('mollie_mandate_id', sa.String(length=40), nullable=True),
    sa.Column('mollie_subscription_id', sa.String(length=40), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('canceled_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("donor_kind IN ('private', 'company')", name=op.f('ck_recurring_donation_donor_kind_known')),
    sa.CheckConstraint("status <> 'active' OR mollie_subscription_id IS NOT NULL", name=op.f('ck_recurring_donation_active_has_subscription')),
    sa.CheckConstraint("status IN ('pending', 'active', 'canceled', 'failed')", name=op.f('ck_recurring_donation_status_known')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_recurring_donation_amount_positive')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_recurring_donation_campaign_id_campaign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recurring_donation')),
    sa.UniqueConstraint('mollie_customer_id', name=op.f('uq_recurring_donation_mollie_customer_id')),
    sa.UniqueConstraint('mollie_subscription_id', name=op.f('uq_recurring_donation_mollie_subscription_id'))
    )
    op.create_table('donation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('recurring_id', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('donor_name', sa.String(length=200), nullable=True),
    sa.Column('donor_email', sa.String(length=255), nullable=True),
    sa.Column('donor_kind', sa.String(length=10), nullable=False),
    sa.Column('public_consent', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("donor_kind IN ('private', 'company')", name=op.f('ck_donation_donor_kind_known')),
    sa.CheckConstraint("frequency IN ('one_off', 'monthly')", name=op.f('ck_donation_frequency_known')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_donation_amount_positive')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_donation_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['recurring_id'], ['recurring_donation.id'], name=op.f('fk_donation_recurring_id_recurring_donation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donation'))
    )
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.create_index('ix_donation_campaign_id', ['campaign_id'], unique=False)
        batch_op.create_index('ix_donation_donor_email', ['donor_email'], unique=False)
        batch_op.create_index(batch_op.f('ix_donation_recurring_id'), ['recurring_id'], unique=False)

    op.create_table('online_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mollie_id', sa.String(length=40), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('sequence_type', sa.String(length=10), nullable=False),
    sa.Column('checkout_url', sa.String(length=500), nullable=True),
    sa.Column('refunded_cents', sa.Integer(), nullable=False),
    sa.Column('charged_back_cents', sa.Integer(), nullable=False),
    sa.Column('fee_cents', sa.Integer(), nullable=True),
    sa.Column('paid_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('income_entry_id', sa.Integer(), nullable=True),
    sa.Column('fee_entry_id', sa.Integer(), nullable=True),
    sa.Column('dues_payment_id', sa.Integer(), nullable=True),
    sa.Column('flag', sa.String(length=300), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checked_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(purpose = 'donation' AND donation_id IS NOT NULL AND invoice_id IS NULL) OR (purpose = 'dues' AND invoice_id IS NOT NULL AND donation_id IS NULL)", name=op.f('ck_online_payment_purpose_names_its_record')),
    sa.CheckConstraint("income_entry_id IS NULL OR status = 'paid'", name=op.f('ck_online_payment_booked_only_paid')),
    sa.CheckConstraint("purpose IN ('donation', 'dues')", name=op.f('ck_online_payment_purpose_known')),
    sa.CheckConstraint("sequence_type IN ('oneoff', 'first', 'recurring')", name=op.f('ck_online_payment_sequence_type_known')),
    sa.CheckConstraint("status IN ('open', 'pending', 'authorized', 'paid', 'failed', 'canceled', 'expired')", name=op.f('ck_online_payment_status_known')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_online_payment_amount_positive')),
    sa.CheckConstraint('fee_cents IS NULL OR fee_cents >= 0', name=op.f('ck_online_payment_fee_not_negative')),
    sa.CheckConstraint('refunded_cents >= 0 AND charged_back_cents >= 0 AND refunded_cents + charged_back_cents <= amount_cents', name=op.f('ck_online_payment_money_back_within_amount')),
    sa.ForeignKeyConstraint(['donation_id'], ['donation.id'], name=op.f('fk_online_payment_donation_id_donation')),
    sa.ForeignKeyConstraint(['dues_payment_id'], ['payment.id'], name=op.f('fk_online_payment_dues_payment_id_payment')),
    sa.ForeignKeyConstraint(['fee_entry_id'], ['journal_entry.id'], name=op.f('fk_online_payment_fee_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['income_entry_id'], ['journal_entry.id'], name=op.f('fk_online_payment_income_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_online_payment_invoice_id_invoice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_online_payment')),
    sa.UniqueConstraint('donation_id', name=op.f('uq_online_payment_donation_id')),
    sa.UniqueConstraint('dues_payment_id', name=op.f('uq_online_payment_dues_payment_id')),
    sa.UniqueConstraint('fee_entry_id', name=op.f('uq_online_payment_fee_entry_id')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_online_payment_idempotency_key')),
    sa.UniqueConstraint('income_entry_id', name=op.f('uq_online_payment_income_entry_id')),
    sa.UniqueConstraint('mollie_id', name=op.f('uq_online_payment_mollie_id'))
    )
    with op.batch_alter_table('online_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_online_payment_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index('ix_online_payment_status_created', ['status', 'created_at'], unique=False)

    op.create_table('money_back',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('mollie_id', sa.String(length=40), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('refund', 'chargeback')", name=op.f('ck_money_back_kind_known')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_money_back_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_money_back_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], name=op.f('fk_money_back_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['payment_id'], ['online_payment.id'], name=op.f('fk_money_back_payment_id_online_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_money_back')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_money_back_entry_id')),
    sa.UniqueConstraint('mollie_id', name=op.f('uq_money_back_mollie_id'))
    )
    with op.batch_alter_table('money_back', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_money_back_payment_id'), ['payment_id'], unique=False)

    op.create_table('payment_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("to_status IN ('open', 'pending', 'authorized', 'paid', 'failed', 'canceled', 'expired')", name=op.f('ck_payment_status_change_to_status_known')),
    sa.ForeignKeyConstraint(['payment_id'], ['online_payment.id'], name=op.f('fk_payment_status_change_payment_id_online_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_status_change')),
    sa.UniqueConstraint('payment_id', 'to_status', name='uq_payment_status_change_once')
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    # Dropping the table drops its triggers; the function goes separately.
    op.drop_table('payment_status_change')
    with op.batch_alter_table('money_back', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_money_back_payment_id'))

    op.drop_table('money_back')
    with op.batch_alter_table('online_payment', schema=None) as batch_op:
        batch_op.drop_index('ix_online_payment_status_created')
        batch_op.drop_index(batch_op.f('ix_online_payment_invoice_id'))

    op.drop_table('online_payment')
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_recurring_id'))
        batch_op.drop_index('ix_donation_donor_email')
        batch_op.drop_index('ix_donation_campaign_id')

    op.drop_table('donation')
    op.drop_table('recurring_donation')
    op.drop_table('periodic_gift_agreement')
    op.drop_table('campaign')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS payment_status_change_refuse()")
