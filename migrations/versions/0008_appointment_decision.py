"""appointments link to the ALV decision that made them

Revision ID: 0008_appointment_decision
Revises: 0007_direct_debit
Create Date: 2026-11-30 04:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_appointment_decision'
down_revision = '0007_direct_debit'
branch_labels = None
depends_on = None

# On SQLite a batch operation rebuilds the table, which drops its triggers: the history
# triggers of 0004_governance are created again after it (same SQL).
SQLITE_KEEP_HISTORY = [
    "CREATE TRIGGER appointment_no_delete BEFORE DELETE ON appointment BEGIN SELECT RAISE(ABORT, 'appointment history is kept: a term cannot be deleted'); END",
    "CREATE TRIGGER appointment_no_rewrite BEFORE UPDATE ON appointment WHEN NEW.person_id <> OLD.person_id OR NEW.position_id <> OLD.position_id OR NEW.start_date <> OLD.start_date OR NEW.term_years <> OLD.term_years OR NEW.end_date <> OLD.end_date OR NEW.term_number <> OLD.term_number OR NEW.previous_id IS NOT OLD.previous_id OR (OLD.ended_on IS NOT NULL AND (NEW.ended_on IS NOT OLD.ended_on OR NEW.end_reason IS NOT OLD.end_reason)) BEGIN SELECT RAISE(ABORT, 'appointment history is kept: a term cannot be rewritten'); END",
]


def _recreate_sqlite_triggers():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS appointment_no_delete')
        op.execute('DROP TRIGGER IF EXISTS appointment_no_rewrite')
        for statement in SQLITE_KEEP_HISTORY:
            op.execute(statement)


def upgrade():
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_appointment_decision_id'), ['decision_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_appointment_decision_id_decision'), 'decision', ['decision_id'], ['id'])
    _recreate_sqlite_triggers()


def downgrade():
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appointment_decision_id_decision'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_appointment_decision_id'))
        batch_op.drop_column('decision_id')
    _recreate_sqlite_triggers()
