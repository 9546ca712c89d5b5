"""funders and agreements with reporting deadlines, journal lines linked to an
agreement, the funder share warning setting, imported bank statements and transactions

Revision ID: 0009_funders_bank
Revises: 0008_appointment_decision
Create Date: 2026-11-30 02:50:00

"""
import sqlalchemy as sa
from alembic import op

import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0009_funders_bank'
down_revision = '0008_appointment_decision'
branch_labels = None
depends_on = None

# The ledger's SQLite triggers as at 0005_ledger (frozen here): SQLite rebuilds
# journal_line to drop a column with a foreign key, which takes its triggers with it,
# and the triggers on journal_entry name journal_line, so all are set aside meanwhile.
SQLITE_LEDGER_TRIGGERS = [
    """CREATE TRIGGER journal_entry_post_check BEFORE UPDATE OF status ON journal_entry
    WHEN OLD.status = 'draft' AND NEW.status = 'posted'
    BEGIN
        SELECT RAISE(ABORT, 'journal entry does not balance')
        WHERE (SELECT COUNT(*) FROM journal_line WHERE entry_id = NEW.id) < 2
           OR (SELECT SUM(debit_cents) - SUM(credit_cents) FROM journal_line
               WHERE entry_id = NEW.id) <> 0;
        SELECT RAISE(ABORT, 'fiscal year is closed or the date lies outside it')
        WHERE NOT EXISTS (SELECT 1 FROM fiscal_year f WHERE f.year = NEW.fiscal_year
            AND f.status = 'open' AND NEW.entry_date BETWEEN f.start_date AND f.end_date);
    END""",
    """CREATE TRIGGER journal_entry_insert_check BEFORE INSERT ON journal_entry
    BEGIN
        SELECT RAISE(ABORT, 'journal entry does not balance') WHERE NEW.status <> 'draft';
        SELECT RAISE(ABORT, 'fiscal year is closed or the date lies outside it')
        WHERE NOT EXISTS (SELECT 1 FROM fiscal_year f WHERE f.year = NEW.fiscal_year
            AND f.status = 'open' AND NEW.entry_date BETWEEN f.start_date AND f.end_date);
    END""",
    """CREATE TRIGGER journal_entry_no_update BEFORE UPDATE ON journal_entry
    WHEN OLD.status = 'posted'
    BEGIN SELECT RAISE(ABORT, 'posted journal entries are immutable'); END""",
    """CREATE TRIGGER journal_entry_no_delete BEFORE DELETE ON journal_entry
    WHEN OLD.status = 'posted'
    BEGIN SELECT RAISE(ABORT, 'posted journal entries are immutable'); END""",
    """CREATE TRIGGER journal_line_no_insert BEFORE INSERT ON journal_line
    WHEN (SELECT status FROM journal_entry WHERE id = NEW.entry_id) = 'posted'
    BEGIN SELECT RAISE(ABORT, 'posted journal entries are immutable'); END""",
    """CREATE TRIGGER journal_line_no_update BEFORE UPDATE ON journal_line
    WHEN (SELECT status FROM journal_entry WHERE id IN (OLD.entry_id, NEW.entry_id)
          AND status = 'posted') IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'posted journal entries are immutable'); END""",
    """CREATE TRIGGER journal_line_no_delete BEFORE DELETE ON journal_line
    WHEN (SELECT status FROM journal_entry WHERE id = OLD.entry_id) = 'posted'
    BEGIN SELECT RAISE(ABORT, 'posted journal entries are immutable'); END""",
]
SQLITE_LEDGER_TRIGGER_NAMES = [
    'journal_entry_post_check', 'journal_entry_insert_check', 'journal_entry_no_update',
    'journal_entry_no_delete', 'journal_line_no_insert', 'journal_line_no_update',
    'journal_line_no_delete',
]


def upgrade():
    op.create_table('funder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_email', sa.String(length=255), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('municipality', 'province', 'national_government', 'fund', 'lottery', 'housing_corporation', 'entrepreneurs_fund', 'company', 'nonprofit', 'other')", name=op.f('ck_funder_kind_known')),
    sa.CheckConstraint("name <> ''", name=op.f('ck_funder_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funder')),
    sa.UniqueConstraint('name', name=op.f('uq_funder_name'))
    )
    op.create_table('funder_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('funder_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('cost_centre_id', sa.Integer(), nullable=True),
    sa.Column('earmark', sa.Text(), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('grant_decision', 'right_to_challenge', 'fund_grant', 'sponsorship', 'other')", name=op.f('ck_funder_agreement_kind_known')),
    sa.CheckConstraint("reference <> ''", name=op.f('ck_funder_agreement_reference_not_empty')),
    sa.CheckConstraint('amount_cents >= 0', name=op.f('ck_funder_agreement_amount_nonnegative')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_funder_agreement_end_after_start')),
    sa.ForeignKeyConstraint(['cost_centre_id'], ['cost_centre.id'], name=op.f('fk_funder_agreement_cost_centre_id_cost_centre')),
    sa.ForeignKeyConstraint(['funder_id'], ['funder.id'], name=op.f('fk_funder_agreement_funder_id_funder')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funder_agreement')),
    sa.UniqueConstraint('reference', name=op.f('uq_funder_agreement_reference'))
    )
    with op.batch_alter_table('funder_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funder_agreement_funder_id'), ['funder_id'], unique=False)
        batch_op.create_index('ix_funder_agreement_period', ['start_date', 'end_date'], unique=False)

    op.create_table('reporting_deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("description <> ''", name=op.f('ck_reporting_deadline_description_not_empty')),
    sa.ForeignKeyConstraint(['agreement_id'], ['funder_agreement.id'], name=op.f('fk_reporting_deadline_agreement_id_funder_agreement')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_reporting_deadline_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_deadline'))
    )
    with op.batch_alter_table('reporting_deadline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporting_deadline_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index('ix_reporting_deadline_open_due', ['submitted_on', 'due_date'], unique=False)

    op.create_table('bank_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('message_id', sa.String(length=35), nullable=False),
    sa.Column('statement_id', sa.String(length=35), nullable=False),
    sa.Column('account_iban', sa.String(length=34), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=True),
    sa.Column('to_date', sa.Date(), nullable=True),
    sa.Column('opening_balance_cents', sa.BigInteger(), nullable=True),
    sa.Column('closing_balance_cents', sa.BigInteger(), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('transaction_count', sa.Integer(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("format IN ('camt.053', 'camt.052')", name=op.f('ck_bank_statement_format_known')),
    sa.CheckConstraint('transaction_count >= 0', name=op.f('ck_bank_statement_count_nonnegative')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'], name=op.f('fk_bank_statement_imported_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statement')),
    sa.UniqueConstraint('file_sha256', name=op.f('uq_bank_statement_file_sha256'))
    )
    with op.batch_alter_table('bank_statement', schema=None) as batch_op:
        batch_op.create_index('ix_bank_statement_imported', ['imported_at', 'id'], unique=False)

    op.create_table('bank_transaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('account_iban', sa.String(length=34), nullable=False),
    sa.Column('entry_key', sa.String(length=80), nullable=False),
    sa.Column('booking_date', sa.Date(), nullable=False),
    sa.Column('value_date', sa.Date(), nullable=True),
    sa.Column('direction', sa.String(length=6), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('counterparty_name', sa.String(length=140), nullable=True),
    sa.Column('counterparty_iban', sa.String(length=34), nullable=True),
    sa.Column('structured_reference', sa.String(length=35), nullable=True),
    sa.Column('remittance', sa.Text(), nullable=True),
    sa.Column('bank_reference', sa.String(length=35), nullable=True),
    sa.Column('end_to_end_id', sa.String(length=35), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('journal_entry_id', sa.Integer(), nullable=True),
    sa.Column('settled_by_id', sa.Integer(), nullable=True),
    sa.Column('settled_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'open' AND payment_id IS NULL AND journal_entry_id IS NULL) OR (status = 'matched' AND payment_id IS NOT NULL AND journal_entry_id IS NULL) OR (status = 'booked' AND journal_entry_id IS NOT NULL AND payment_id IS NULL)", name=op.f('ck_bank_transaction_status_fits_links')),
    sa.CheckConstraint("direction IN ('credit', 'debit')", name=op.f('ck_bank_transaction_direction_known')),
    sa.CheckConstraint("status IN ('open', 'matched', 'booked')", name=op.f('ck_bank_transaction_status_known')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_bank_transaction_amount_positive')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'], name=op.f('fk_bank_transaction_journal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_bank_transaction_payment_id_payment')),
    sa.ForeignKeyConstraint(['settled_by_id'], ['user_account.id'], name=op.f('fk_bank_transaction_settled_by_id_user_account')),
    sa.ForeignKeyConstraint(['statement_id'], ['bank_statement.id'], name=op.f('fk_bank_transaction_statement_id_bank_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_transaction')),
    sa.UniqueConstraint('account_iban', 'entry_key', name='uq_bank_transaction_entry'),
    sa.UniqueConstraint('journal_entry_id', name=op.f('uq_bank_transaction_journal_entry_id')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_bank_transaction_payment_id'))
    )
    with op.batch_alter_table('bank_transaction', schema=None) as batch_op:
        batch_op.create_index('ix_bank_transaction_counterparty', ['counterparty_iban', 'booking_date'], unique=False)
        batch_op.create_index('ix_bank_transaction_status_date', ['status', 'booking_date', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_transaction_statement_id'), ['statement_id'], unique=False)

    # A new nullable column: SQLite adds it in place (with its REFERENCES clause), so
    # journal_line keeps its rows and triggers; PostgreSQL adds the named constraint.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE journal_line ADD COLUMN agreement_id INTEGER "
                   "CONSTRAINT fk_journal_line_agreement_id_funder_agreement "
                   "REFERENCES funder_agreement (id)")
    else:
        op.add_column('journal_line', sa.Column('agreement_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_journal_line_agreement_id_funder_agreement'),
                              'journal_line', 'funder_agreement', ['agreement_id'], ['id'])
    op.create_index('ix_journal_line_agreement_account', 'journal_line',
                    ['agreement_id', 'account_id'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funder_share_warning_percent', sa.Integer(),
                                      nullable=False, server_default='50'))
        batch_op.create_check_constraint(
            'funder_share_warning_range', 'funder_share_warning_percent BETWEEN 1 AND 100')


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organisation_funder_share_warning_range'), type_='check')
        batch_op.drop_column('funder_share_warning_percent')

    op.drop_index('ix_journal_line_agreement_account', table_name='journal_line')
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for name in SQLITE_LEDGER_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('journal_line', schema=None) as batch_op:
        if not sqlite:
            batch_op.drop_constraint(op.f('fk_journal_line_agreement_id_funder_agreement'),
                                     type_='foreignkey')
        batch_op.drop_column('agreement_id')
    if sqlite:
        for statement in SQLITE_LEDGER_TRIGGERS:
            op.execute(statement)

    with op.batch_alter_table('bank_transaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_transaction_statement_id'))
        batch_op.drop_index('ix_bank_transaction_status_date')
        batch_op.drop_index('ix_bank_transaction_counterparty')

    op.drop_table('bank_transaction')
    with op.batch_alter_table('bank_statement', schema=None) as batch_op:
        batch_op.drop_index('ix_bank_statement_imported')

    op.drop_table('bank_statement')
    with op.batch_alter_table('reporting_deadline', schema=None) as batch_op:
        batch_op.drop_index('ix_reporting_deadline_open_due')
        batch_op.drop_index(batch_op.f('ix_reporting_deadline_agreement_id'))

    op.drop_table('reporting_deadline')
    with op.batch_alter_table('funder_agreement', schema=None) as batch_op:
        batch_op.drop_index('ix_funder_agreement_period')
        batch_op.drop_index(batch_op.f('ix_funder_agreement_funder_id'))

    op.drop_table('funder_agreement')
    op.drop_table('funder')
