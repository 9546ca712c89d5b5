"""volunteers, the rest of issue 14: gift vouchers' supplier, coaching costs booked,
sponsoring of neighbourhood events, yearly statements mailed once, the setting "a job
needs funding", fees actually paid to interns and freelancers

Revision ID: 0022_vol14
Revises: 0026_views13
Create Date: 2026-12-03 17:10:00

"""
import sqlalchemy as sa
from alembic import op

import coop.timeutil

# revision identifiers, used by Alembic.
revision = '0022_vol14'
down_revision = '0026_views13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jobs_need_funding', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.alter_column('jobs_need_funding', server_default=None)

    with op.batch_alter_table('allowance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supplier', sa.String(length=200), nullable=True))

    with op.batch_alter_table('coaching_conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('journal_entry_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_coaching_conversation_journal_entry_id'), ['journal_entry_id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_coaching_conversation_journal_entry_id_journal_entry'),
            'journal_entry', ['journal_entry_id'], ['id'])

    op.create_table('event_sponsorship',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('event_name', sa.String(length=200), nullable=False),
    sa.Column('organiser', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('cost_cents', sa.Integer(), nullable=False),
    sa.Column('journal_entry_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cost_cents > 0', name=op.f('ck_event_sponsorship_cost_positive')),
    sa.CheckConstraint("event_name <> '' AND organiser <> ''",
                       name=op.f('ck_event_sponsorship_named')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                            name=op.f('fk_event_sponsorship_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'],
                            name=op.f('fk_event_sponsorship_initiative_id_initiative')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'],
                            name=op.f('fk_event_sponsorship_journal_entry_id_journal_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_sponsorship')),
    sa.UniqueConstraint('journal_entry_id', name=op.f('uq_event_sponsorship_journal_entry_id'))
    )
    with op.batch_alter_table('event_sponsorship', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_sponsorship_initiative_id'),
                              ['initiative_id'], unique=False)

    op.create_table('volunteer_statement_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'],
                            name=op.f('fk_volunteer_statement_mail_sent_by_id_user_account')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'],
                            name=op.f('fk_volunteer_statement_mail_volunteer_id_volunteer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_statement_mail')),
    sa.UniqueConstraint('volunteer_id', 'year',
                        name=op.f('uq_volunteer_statement_mail_volunteer_id'))
    )

    op.create_table('job_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('journal_entry_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_job_payment_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                            name=op.f('fk_job_payment_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_job_payment_job_id_job')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'],
                            name=op.f('fk_job_payment_journal_entry_id_journal_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_payment')),
    sa.UniqueConstraint('journal_entry_id', name=op.f('uq_job_payment_journal_entry_id'))
    )
    with op.batch_alter_table('job_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_payment_job_id'), ['job_id'], unique=False)
        batch_op.create_index('ix_job_payment_paid_on', ['paid_on'], unique=False)


def downgrade():
    with op.batch_alter_table('job_payment', schema=None) as batch_op:
        batch_op.drop_index('ix_job_payment_paid_on')
        batch_op.drop_index(batch_op.f('ix_job_payment_job_id'))
    op.drop_table('job_payment')
    op.drop_table('volunteer_statement_mail')
    with op.batch_alter_table('event_sponsorship', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_sponsorship_initiative_id'))
    op.drop_table('event_sponsorship')
    with op.batch_alter_table('coaching_conversation', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_coaching_conversation_journal_entry_id_journal_entry'),
            type_='foreignkey')
        batch_op.drop_constraint(
            batch_op.f('uq_coaching_conversation_journal_entry_id'), type_='unique')
        batch_op.drop_column('journal_entry_id')
    with op.batch_alter_table('allowance', schema=None) as batch_op:
        batch_op.drop_column('supplier')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('jobs_need_funding')
