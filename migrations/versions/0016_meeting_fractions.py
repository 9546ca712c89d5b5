"""reversed chargebacks (money_back.reversed_at, reversal_entry_id); quorum and
majorities of the statutes as fractions (numerator/denominator)

Revision ID: 0016_meeting_fractions
Revises: 0014_appointment_correction
Create Date: 2026-12-03 14:00:00

"""
import sqlalchemy as sa
from alembic import op

import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0016_meeting_fractions'
down_revision = '0014_appointment_correction'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('money_back', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reversed_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reversal_entry_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_money_back_reversal_entry_id'), ['reversal_entry_id'])
        batch_op.create_foreign_key(batch_op.f('fk_money_back_reversal_entry_id_journal_entry'), 'journal_entry', ['reversal_entry_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_money_back_only_chargebacks_reversed'), "reversed_at IS NULL OR kind = 'chargeback'")


def downgrade():
    with op.batch_alter_table('money_back', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_money_back_only_chargebacks_reversed'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_money_back_reversal_entry_id_journal_entry'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_money_back_reversal_entry_id'), type_='unique')
        batch_op.drop_column('reversal_entry_id')
        batch_op.drop_column('reversed_at')
