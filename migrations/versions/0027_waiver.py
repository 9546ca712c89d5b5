"""volunteers: a waived allowance (the volunteer gives it back: for an ANBI a gift on the
donor statement) is an allowance kind of its own

Revision ID: 0027_waiver
Revises: 0022_vol14
Create Date: 2026-12-03 18:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027_waiver'
down_revision = '0022_vol14'
branch_labels = None
depends_on = None

_BEFORE = ('allowance', 'expenses', 'gift_voucher', 'outing', 'other_gift')


def _check(kinds) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def upgrade():
    with op.batch_alter_table('allowance', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_allowance_kind_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_allowance_kind_known'),
                                         _check((*_BEFORE, 'waived')))


def downgrade():
    # A waived allowance is booked (a posted entry is never removed): refuse rather
    # than lose it.
    waived = op.get_bind().scalar(sa.text("SELECT count(*) FROM allowance "
                                          "WHERE kind = 'waived'"))
    if waived:
        raise RuntimeError(f"{waived} waived allowances are booked; downgrade refused.")
    with op.batch_alter_table('allowance', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_allowance_kind_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_allowance_kind_known'),
                                         _check(_BEFORE))
