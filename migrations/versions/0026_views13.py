"""ledger account purpose for volunteer allowances (it was the environment variable
VOLUNTEER_ALLOWANCE_ACCOUNT)

Revision ID: 0026_views13
Revises: 0020_ledger_account_settings
Create Date: 2026-12-03 17:15:00

"""
import os

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026_views13'
down_revision = '0020_ledger_account_settings'
branch_labels = None
depends_on = None

_BEFORE = ('cash', 'bank', 'receivables', 'payables', 'dues_income', 'bad_debts',
           'general_reserve', 'donations_private', 'donations_company', 'payment_fees')
# The new purpose, with the account the environment named until now (the variable's
# value if an installation set one, else the default chart's code).
_NEW = {
    'volunteer_allowances': os.environ.get('VOLUNTEER_ALLOWANCE_ACCOUNT', '4000'),
    # Coaching and sponsored events; fees of interns and freelancers (new purposes; the
    # column holds at most 20 characters).
    'appreciation': '4300',
    'job_fees': '4100',
}


def _check(purposes) -> str:
    return f"purpose IS NULL OR purpose IN ({', '.join(repr(p) for p in purposes)})"


def upgrade():
    with op.batch_alter_table('ledger_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_account_purpose_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_ledger_account_purpose_known'),
                                         _check(_BEFORE + tuple(_NEW)))
    account = sa.table('ledger_account', sa.column('code', sa.String),
                       sa.column('purpose', sa.String))
    for purpose, code in _NEW.items():
        # The account keeps a purpose it already has (at most one per purpose).
        op.execute(account.update()
                   .where(account.c.code == code, account.c.purpose.is_(None))
                   .values(purpose=purpose))


def downgrade():
    account = sa.table('ledger_account', sa.column('purpose', sa.String))
    op.execute(account.update().where(account.c.purpose.in_(tuple(_NEW)))
               .values(purpose=None))
    with op.batch_alter_table('ledger_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_account_purpose_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_ledger_account_purpose_known'),
                                         _check(_BEFORE))
