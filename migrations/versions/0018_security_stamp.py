"""login attempts: mark wrong two-factor codes, throttled harder than wrong passwords

(The security stamp that ends every session at logout has been a column of
user_account since 0001; logout now rotates it, which needs no schema change.)

Revision ID: 0018_security_stamp
Revises: 0016_meeting_fractions
Create Date: 2026-12-03 13:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018_security_stamp'
down_revision = '0016_meeting_fractions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('second_factor', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.alter_column('second_factor', server_default=None)


def downgrade():
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_column('second_factor')
