"""donor privacy: yearly statements mailed once per donor (log), and the anonymisation
mark on donations, monthly gifts and periodic-gift agreements

Revision ID: 0013_donor_privacy
Revises: 0011_direct_debit_retention
Create Date: 2026-11-30 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0013_donor_privacy'
down_revision = '0011_direct_debit_retention'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('donor_statement_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('donor_email', sa.String(length=255), nullable=True),
    sa.Column('total_cents', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('sent_at', coop.timeutil.UTCDateTime(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_donor_statement_mail_sent_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donor_statement_mail')),
    sa.UniqueConstraint('year', 'donor_email', name=op.f('uq_donor_statement_mail_year'))
    )
    # Plain ADD COLUMN (nullable): no table rebuild on SQLite, so no trigger is lost.
    for table in ('donation', 'recurring_donation', 'periodic_gift_agreement'):
        op.add_column(table, sa.Column('anonymised_at', coop.timeutil.UTCDateTime(), nullable=True))


def downgrade():
    for table in ('periodic_gift_agreement', 'recurring_donation', 'donation'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('anonymised_at')
    op.drop_table('donor_statement_mail')
