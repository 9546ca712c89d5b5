"""appointments entered in error: voided_at and void_reason, allowed once by the history
triggers

Revision ID: 0014_appointment_correction
Revises: 0013_donor_privacy
Create Date: 2026-11-30 07:00:00

"""
import sqlalchemy as sa
from alembic import op

import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0014_appointment_correction'
down_revision = '0013_donor_privacy'
branch_labels = None
depends_on = None

# The history rule as 0004 wrote it, and as it is with the correction (copied from
# coop/governance/models.py as it was when this revision was written): marking a term
# as entered in error is allowed once; after that its voiding and stepping down are frozen.
_BEFORE = "NEW.person_id <> OLD.person_id OR NEW.position_id <> OLD.position_id OR NEW.start_date <> OLD.start_date OR NEW.term_years <> OLD.term_years OR NEW.end_date <> OLD.end_date OR NEW.term_number <> OLD.term_number OR NEW.previous_id IS DISTINCT FROM OLD.previous_id OR (OLD.ended_on IS NOT NULL AND (NEW.ended_on IS DISTINCT FROM OLD.ended_on OR NEW.end_reason IS DISTINCT FROM OLD.end_reason))"
_AFTER = _BEFORE + " OR (OLD.voided_at IS NOT NULL AND (NEW.voided_at IS DISTINCT FROM OLD.voided_at OR NEW.void_reason IS DISTINCT FROM OLD.void_reason OR NEW.ended_on IS DISTINCT FROM OLD.ended_on OR NEW.end_reason IS DISTINCT FROM OLD.end_reason))"

_PG_FUNCTION = """CREATE OR REPLACE FUNCTION appointment_keep_history() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'appointment history is kept: a term cannot be deleted';
        END IF;
        IF %s THEN
            RAISE EXCEPTION 'appointment history is kept: a term cannot be rewritten';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """
_SQLITE_NO_DELETE = "CREATE TRIGGER appointment_no_delete BEFORE DELETE ON appointment BEGIN SELECT RAISE(ABORT, 'appointment history is kept: a term cannot be deleted'); END"
_SQLITE_NO_REWRITE = "CREATE TRIGGER appointment_no_rewrite BEFORE UPDATE ON appointment WHEN %s BEGIN SELECT RAISE(ABORT, 'appointment history is kept: a term cannot be rewritten'); END"


def _keep_history(rule: str) -> None:
    """(Re)create the history triggers with `rule`. On SQLite the batch rebuild dropped
    them; on PostgreSQL the trigger stays and its function is replaced."""
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS appointment_no_delete')
        op.execute('DROP TRIGGER IF EXISTS appointment_no_rewrite')
        op.execute(_SQLITE_NO_DELETE)
        op.execute(_SQLITE_NO_REWRITE % rule.replace('IS DISTINCT FROM', 'IS NOT'))
    else:
        op.execute(_PG_FUNCTION % rule)


def upgrade():
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sa.Text(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_appointment_voided_iff_reason'), '(voided_at IS NULL) = (void_reason IS NULL)')
    _keep_history(_AFTER)


def downgrade():
    # The function must stop naming the columns before they go (PostgreSQL).
    _keep_history(_BEFORE)
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_appointment_voided_iff_reason'), type_='check')
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_at')
    _keep_history(_BEFORE)
