"""ledger: chart of accounts, cost centres, fiscal years, journal entries, budgets,
audit findings; triggers that keep posted entries balanced and immutable

Revision ID: 0005_ledger
Revises: 0002_register_dues
Create Date: 2026-11-30 02:09:57.712005

"""
import sqlalchemy as sa
from alembic import op

import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0005_ledger'
down_revision = '0002_register_dues'
branch_labels = None
depends_on = None

# The database guards, as in coop/ledger/models.py at this revision (frozen here).
SQLITE_TRIGGERS = [
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
SQLITE_TRIGGER_NAMES = [
    'journal_entry_post_check',
    'journal_entry_insert_check',
    'journal_entry_no_update',
    'journal_entry_no_delete',
    'journal_line_no_insert',
    'journal_line_no_update',
    'journal_line_no_delete',
]
POSTGRES_FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION journal_entry_guard() RETURNS trigger AS $$
    DECLARE
        line_count integer;
        difference bigint;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status = 'posted' THEN
                RAISE EXCEPTION 'posted journal entries are immutable';
            END IF;
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.status = 'posted' THEN
            RAISE EXCEPTION 'posted journal entries are immutable';
        END IF;
        IF TG_OP = 'INSERT' AND NEW.status <> 'draft' THEN
            RAISE EXCEPTION 'journal entry does not balance';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM fiscal_year f WHERE f.year = NEW.fiscal_year
                AND f.status = 'open' AND NEW.entry_date BETWEEN f.start_date AND f.end_date)
        THEN
            RAISE EXCEPTION 'fiscal year is closed or the date lies outside it';
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.status = 'posted' THEN
            SELECT COUNT(*), COALESCE(SUM(debit_cents) - SUM(credit_cents), 0)
              INTO line_count, difference FROM journal_line WHERE entry_id = NEW.id;
            IF line_count < 2 OR difference <> 0 THEN
                RAISE EXCEPTION 'journal entry does not balance';
            END IF;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION journal_line_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (SELECT 1 FROM journal_entry
                WHERE id = OLD.entry_id AND status = 'posted') THEN
            RAISE EXCEPTION 'posted journal entries are immutable';
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (SELECT 1 FROM journal_entry
                WHERE id = NEW.entry_id AND status = 'posted') THEN
            RAISE EXCEPTION 'posted journal entries are immutable';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION journal_entry_balanced() RETURNS trigger AS $$
    BEGIN
        IF NEW.status = 'posted' AND (
            SELECT COALESCE(SUM(debit_cents) - SUM(credit_cents), 1)
            FROM journal_line WHERE entry_id = NEW.id) <> 0 THEN
            RAISE EXCEPTION 'journal entry does not balance';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql""",
]
POSTGRES_TRIGGERS = [
    'CREATE TRIGGER journal_entry_guard BEFORE INSERT OR UPDATE OR DELETE ON journal_entry FOR EACH ROW EXECUTE FUNCTION journal_entry_guard()',
    'CREATE TRIGGER journal_line_guard BEFORE INSERT OR UPDATE OR DELETE ON journal_line FOR EACH ROW EXECUTE FUNCTION journal_line_guard()',
    'CREATE CONSTRAINT TRIGGER journal_entry_balanced AFTER INSERT OR UPDATE ON journal_entry DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balanced()',
]
POSTGRES_FUNCTION_NAMES = [
    'journal_entry_guard',
    'journal_line_guard',
    'journal_entry_balanced',
]


def upgrade():
    op.create_table('cost_centre',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cost_centre')),
    sa.UniqueConstraint('code', name=op.f('uq_cost_centre_code'))
    )
    op.create_table('ledger_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'asset' AND category IN ('fixed_assets', 'receivables', 'liquid_assets')) OR (kind = 'liability' AND category IN ('long_term_debts', 'short_term_debts')) OR (kind = 'equity' AND category IN ('reserves', 'funds')) OR (kind = 'income' AND category IN ('private_individuals', 'companies', 'lotteries', 'government_grants', 'affiliated_nonprofits', 'other_nonprofits', 'goods_and_services', 'other_income')) OR (kind = 'expense' AND category IN ('objectives', 'fundraising', 'management', 'financial'))", name=op.f('ck_ledger_account_category_fits_kind')),
    sa.CheckConstraint("code <> ''", name=op.f('ck_ledger_account_code_not_empty')),
    sa.CheckConstraint("kind IN ('asset', 'liability', 'equity', 'income', 'expense')", name=op.f('ck_ledger_account_kind_known')),
    sa.CheckConstraint("purpose IS NULL OR purpose IN ('cash', 'bank', 'receivables', 'payables', 'dues_income', 'bad_debts', 'general_reserve')", name=op.f('ck_ledger_account_purpose_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_account')),
    sa.UniqueConstraint('code', name=op.f('uq_ledger_account_code')),
    sa.UniqueConstraint('purpose', name=op.f('uq_ledger_account_purpose'))
    )
    op.create_table('budget',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('cost_centre_id', sa.Integer(), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount_cents >= 0', name=op.f('ck_budget_amount_nonnegative')),
    sa.CheckConstraint('fiscal_year BETWEEN 2000 AND 2100', name=op.f('ck_budget_year_range')),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_account.id'], name=op.f('fk_budget_account_id_ledger_account')),
    sa.ForeignKeyConstraint(['cost_centre_id'], ['cost_centre.id'], name=op.f('fk_budget_cost_centre_id_cost_centre')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget'))
    )
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.create_index('uq_budget_year_account', ['fiscal_year', 'account_id'], unique=True, sqlite_where=sa.text('cost_centre_id IS NULL'), postgresql_where=sa.text('cost_centre_id IS NULL'))
        batch_op.create_index('uq_budget_year_account_centre', ['fiscal_year', 'account_id', 'cost_centre_id'], unique=True, sqlite_where=sa.text('cost_centre_id IS NOT NULL'), postgresql_where=sa.text('cost_centre_id IS NOT NULL'))

    op.create_table('fiscal_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('last_entry_number', sa.Integer(), nullable=False),
    sa.Column('closed_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_off_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name=op.f('ck_fiscal_year_closed_iff_closed_at')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_fiscal_year_status_known')),
    sa.CheckConstraint('end_date > start_date', name=op.f('ck_fiscal_year_end_after_start')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_fiscal_year_year_range')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_fiscal_year_closed_by_id_user_account')),
    sa.ForeignKeyConstraint(['signed_off_by_id'], ['user_account.id'], name=op.f('fk_fiscal_year_signed_off_by_id_user_account')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_fiscal_year'))
    )
    op.create_table('audit_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_label', sa.String(length=255), nullable=False),
    sa.Column('recorded_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fiscal_year'], ['fiscal_year.year'], name=op.f('fk_audit_finding_fiscal_year_fiscal_year')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_audit_finding_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_finding'))
    )
    with op.batch_alter_table('audit_finding', schema=None) as batch_op:
        batch_op.create_index('ix_audit_finding_year', ['fiscal_year', 'id'], unique=False)

    op.create_table('journal_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('reference', sa.String(length=140), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('reverses_entry_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(source IN ('manual', 'reversal', 'year_close')) = (source_id IS NULL)", name=op.f('ck_journal_entry_source_id_for_events')),
    sa.CheckConstraint("source <> 'reversal' OR reverses_entry_id IS NOT NULL", name=op.f('ck_journal_entry_reversal_names_its_entry')),
    sa.CheckConstraint("source IN ('manual', 'reversal', 'year_close', 'dues_invoice', 'dues_payment', 'dues_write_off')", name=op.f('ck_journal_entry_source_known')),
    sa.CheckConstraint("status IN ('draft', 'posted')", name=op.f('ck_journal_entry_status_known')),
    sa.CheckConstraint('number > 0', name=op.f('ck_journal_entry_number_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_journal_entry_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['fiscal_year'], ['fiscal_year.year'], name=op.f('fk_journal_entry_fiscal_year_fiscal_year')),
    sa.ForeignKeyConstraint(['reverses_entry_id'], ['journal_entry.id'], name=op.f('fk_journal_entry_reverses_entry_id_journal_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entry')),
    sa.UniqueConstraint('fiscal_year', 'number', name='uq_journal_entry_year_number'),
    sa.UniqueConstraint('reverses_entry_id', name=op.f('uq_journal_entry_reverses_entry_id'))
    )
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entry_date_id', ['entry_date', 'id', 'status', 'source'], unique=False)
        batch_op.create_index('uq_journal_entry_source', ['source', 'source_id'], unique=True, sqlite_where=sa.text('source_id IS NOT NULL'), postgresql_where=sa.text('source_id IS NOT NULL'))

    op.create_table('journal_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('debit_cents', sa.BigInteger(), nullable=False),
    sa.Column('credit_cents', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('cost_centre_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('debit_cents >= 0 AND credit_cents >= 0 AND (debit_cents = 0) <> (credit_cents = 0)', name=op.f('ck_journal_line_one_side_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_account.id'], name=op.f('fk_journal_line_account_id_ledger_account')),
    sa.ForeignKeyConstraint(['cost_centre_id'], ['cost_centre.id'], name=op.f('fk_journal_line_cost_centre_id_cost_centre')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entry.id'], name=op.f('fk_journal_line_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_journal_line_invoice_id_invoice')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_journal_line_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_line'))
    )
    with op.batch_alter_table('journal_line', schema=None) as batch_op:
        batch_op.create_index('ix_journal_line_account_entry', ['account_id', 'entry_id'], unique=False)
        batch_op.create_index('ix_journal_line_cost_centre_account', ['cost_centre_id', 'account_id'], unique=False)
        batch_op.create_index('ix_journal_line_entry_id', ['entry_id', 'account_id', 'debit_cents', 'credit_cents'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_line_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_line_person_id'), ['person_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_FUNCTIONS + POSTGRES_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    # Dropping the tables drops their triggers; the functions go separately.
    with op.batch_alter_table('journal_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_line_person_id'))
        batch_op.drop_index(batch_op.f('ix_journal_line_invoice_id'))
        batch_op.drop_index('ix_journal_line_entry_id')
        batch_op.drop_index('ix_journal_line_cost_centre_account')
        batch_op.drop_index('ix_journal_line_account_entry')

    op.drop_table('journal_line')
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_index('uq_journal_entry_source', sqlite_where=sa.text('source_id IS NOT NULL'), postgresql_where=sa.text('source_id IS NOT NULL'))
        batch_op.drop_index('ix_journal_entry_date_id')

    op.drop_table('journal_entry')
    with op.batch_alter_table('audit_finding', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_finding_year')

    op.drop_table('audit_finding')
    op.drop_table('fiscal_year')
    with op.batch_alter_table('budget', schema=None) as batch_op:
        batch_op.drop_index('uq_budget_year_account_centre', sqlite_where=sa.text('cost_centre_id IS NOT NULL'), postgresql_where=sa.text('cost_centre_id IS NOT NULL'))
        batch_op.drop_index('uq_budget_year_account', sqlite_where=sa.text('cost_centre_id IS NULL'), postgresql_where=sa.text('cost_centre_id IS NULL'))

    op.drop_table('budget')
    op.drop_table('ledger_account')
    op.drop_table('cost_centre')
    if op.get_bind().dialect.name == "postgresql":
        for name in POSTGRES_FUNCTION_NAMES:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
