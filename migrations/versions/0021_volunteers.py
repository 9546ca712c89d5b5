"""volunteers: initiatives, coordinators, hours, allowance caps, arrangements, allowances

Revision ID: 0021_volunteers
Revises: 0015_bank_accounts
Create Date: 2026-12-03 13:28:51.277126

"""
from datetime import date

import sqlalchemy as sa
from alembic import op

import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0021_volunteers'
down_revision = '0018_security_stamp'
branch_labels = None
depends_on = None


# The Belastingdienst's caps (domain.md, "Volunteer allowance"): 2026 from vwg.nl
# "bedragen vrijwilligersregeling" (23 Oct 2025) and the Belastingdienst figures appendix
# 2026; 2025 from vrijwilligersdossier.nl. Later years: entered by the treasurer.
SEEDED_CAPS = [
    {'year': 2025, 'hourly_adult_cents': 560, 'hourly_young_cents': 330,
     'month_cents': 21000, 'year_cents': 210000},
    {'year': 2026, 'hourly_adult_cents': 575, 'hourly_young_cents': 340,
     'month_cents': 22000, 'year_cents': 220000},
]


# The statutory minimum wage (WML), gross per hour (domain.md, "Buurtbanen"): the adult
# rate per step; youth rates from the statutory percentages, rounded to the cent, except
# 2026-01-01 where domain.md lists every age. 2026-07-01 comes from secondary sources only
# (domain.md: verify) and is editable like every step.
YOUTH_PERMILLE = {20: 800, 19: 600, 18: 500, 17: 395, 16: 345, 15: 300}
WML_STEPS = [
    (date(2025, 1, 1), {21: 1406}),
    (date(2025, 7, 1), {21: 1440}),
    (date(2026, 1, 1), {21: 1471, 20: 1177, 19: 883, 18: 736, 17: 581, 16: 507, 15: 441}),
    (date(2026, 7, 1), {21: 1499}),
]


def _wml_rows():
    rows = []
    for valid_from, rates in WML_STEPS:
        adult = rates[21]
        for age in range(15, 22):
            cents = rates.get(age, (adult * YOUTH_PERMILLE.get(age, 1000) + 500) // 1000)
            rows.append({'valid_from': valid_from, 'age': age, 'hourly_cents': cents})
    return rows


def upgrade():
    cap_table = op.create_table('allowance_cap',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('hourly_adult_cents', sa.Integer(), nullable=False),
    sa.Column('hourly_young_cents', sa.Integer(), nullable=False),
    sa.Column('month_cents', sa.Integer(), nullable=False),
    sa.Column('year_cents', sa.Integer(), nullable=False),
    sa.CheckConstraint('hourly_adult_cents > 0 AND hourly_young_cents > 0 AND month_cents > 0 AND year_cents >= month_cents', name=op.f('ck_allowance_cap_amounts_positive')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_allowance_cap_year_sane')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_allowance_cap'))
    )
    op.bulk_insert(cap_table, SEEDED_CAPS)
    wage_table = op.create_table('minimum_wage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('age', sa.Integer(), nullable=False),
    sa.Column('hourly_cents', sa.Integer(), nullable=False),
    sa.CheckConstraint('age BETWEEN 15 AND 21', name=op.f('ck_minimum_wage_age_known')),
    sa.CheckConstraint('hourly_cents > 0', name=op.f('ck_minimum_wage_amount_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minimum_wage')),
    sa.UniqueConstraint('valid_from', 'age', name=op.f('uq_minimum_wage_valid_from'))
    )
    op.bulk_insert(wage_table, _wml_rows())
    op.create_table('initiative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('active_from', sa.Date(), nullable=True),
    sa.Column('active_until', sa.Date(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("name <> ''", name=op.f('ck_initiative_name_not_empty')),
    sa.CheckConstraint('active_from IS NULL OR active_until IS NULL OR active_until >= active_from', name=op.f('ck_initiative_period_in_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative')),
    sa.UniqueConstraint('name', name=op.f('uq_initiative_name'))
    )
    op.create_table('initiative_coordinator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_initiative_coordinator_initiative_id_initiative')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_initiative_coordinator_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_coordinator')),
    sa.UniqueConstraint('initiative_id', 'person_id', name=op.f('uq_initiative_coordinator_initiative_id'))
    )
    with op.batch_alter_table('initiative_coordinator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_coordinator_initiative_id'), ['initiative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiative_coordinator_person_id'), ['person_id'], unique=False)

    op.create_table('volunteer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=True),
    sa.Column('account_holder', sa.String(length=70), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_volunteer_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer')),
    sa.UniqueConstraint('person_id', name=op.f('uq_volunteer_person_id'))
    )
    op.create_table('allowance_payment_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=35), nullable=False),
    sa.Column('execution_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('transaction_count', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.BigInteger(), nullable=False),
    sa.Column('xml', sa.Text(), nullable=False),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('paid_entry_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'paid') = (paid_entry_id IS NOT NULL)", name=op.f('ck_allowance_payment_batch_paid_booked')),
    sa.CheckConstraint("status IN ('pending', 'paid')", name=op.f('ck_allowance_payment_batch_status_known')),
    sa.CheckConstraint('total_cents > 0 AND transaction_count > 0', name=op.f('ck_allowance_payment_batch_not_empty')),
    sa.ForeignKeyConstraint(['paid_entry_id'], ['journal_entry.id'], name=op.f('fk_allowance_payment_batch_paid_entry_id_journal_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allowance_payment_batch')),
    sa.UniqueConstraint('message_id', name=op.f('uq_allowance_payment_batch_message_id')),
    sa.UniqueConstraint('paid_entry_id', name=op.f('uq_allowance_payment_batch_paid_entry_id'))
    )
    op.create_table('allowance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('quarter_hours', sa.Integer(), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('expense_cents', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('journal_entry_id', sa.Integer(), nullable=True),
    sa.Column('payment_batch_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind <> 'expenses' OR amount_cents = 0", name=op.f('ck_allowance_expenses_only_costs')),
    sa.CheckConstraint("kind IN ('allowance', 'expenses', 'gift_voucher', 'outing', 'other_gift')", name=op.f('ck_allowance_kind_known')),
    sa.CheckConstraint('amount_cents + expense_cents > 0', name=op.f('ck_allowance_something_given')),
    sa.CheckConstraint('amount_cents >= 0 AND expense_cents >= 0', name=op.f('ck_allowance_amounts_not_negative')),
    sa.CheckConstraint('quarter_hours IS NULL OR quarter_hours > 0', name=op.f('ck_allowance_hours_positive')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_allowance_approved_by_id_user_account')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_allowance_initiative_id_initiative')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'], name=op.f('fk_allowance_journal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['payment_batch_id'], ['allowance_payment_batch.id'], name=op.f('fk_allowance_payment_batch_id_allowance_payment_batch')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_allowance_volunteer_id_volunteer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allowance')),
    sa.UniqueConstraint('journal_entry_id', name=op.f('uq_allowance_journal_entry_id'))
    )
    with op.batch_alter_table('allowance', schema=None) as batch_op:
        batch_op.create_index('ix_allowance_volunteer_date', ['volunteer_id', 'work_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_allowance_payment_batch_id'), ['payment_batch_id'], unique=False)

    op.create_table('allowance_arrangement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('rate_cents', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('waived_on', sa.Date(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'waived') = (rate_cents IS NULL)", name=op.f('ck_allowance_arrangement_rate_unless_waived')),
    sa.CheckConstraint("(kind = 'waived') = (waived_on IS NOT NULL)", name=op.f('ck_allowance_arrangement_waiver_dated')),
    sa.CheckConstraint("kind IN ('per_hour', 'fixed_month', 'per_activity', 'waived')", name=op.f('ck_allowance_arrangement_kind_known')),
    sa.CheckConstraint('rate_cents IS NULL OR rate_cents > 0', name=op.f('ck_allowance_arrangement_rate_positive')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_allowance_arrangement_volunteer_id_volunteer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allowance_arrangement'))
    )
    with op.batch_alter_table('allowance_arrangement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allowance_arrangement_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('hour_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('quarter_hours', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'returned') = (return_reason IS NOT NULL)", name=op.f('ck_hour_entry_returned_with_reason')),
    sa.CheckConstraint("status IN ('submitted', 'approved', 'returned')", name=op.f('ck_hour_entry_status_known')),
    sa.CheckConstraint('quarter_hours BETWEEN 1 AND 96', name=op.f('ck_hour_entry_quarter_hours_in_a_day')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_hour_entry_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_hour_entry_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_hour_entry_initiative_id_initiative')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_hour_entry_volunteer_id_volunteer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hour_entry'))
    )
    with op.batch_alter_table('hour_entry', schema=None) as batch_op:
        batch_op.create_index('ix_hour_entry_initiative_status', ['initiative_id', 'status'], unique=False)
        batch_op.create_index('ix_hour_entry_volunteer_date', ['volunteer_id', 'work_date'], unique=False)

    op.create_table('volunteer_cap_year',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_volunteer_cap_year_volunteer_id_volunteer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_cap_year')),
    sa.UniqueConstraint('volunteer_id', 'year', name=op.f('uq_volunteer_cap_year_volunteer_id'))
    )
    op.create_table('volunteer_initiative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_volunteer_initiative_initiative_id_initiative')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_volunteer_initiative_volunteer_id_volunteer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_initiative')),
    sa.UniqueConstraint('volunteer_id', 'initiative_id', name=op.f('uq_volunteer_initiative_volunteer_id'))
    )
    with op.batch_alter_table('volunteer_initiative', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_initiative_initiative_id'), ['initiative_id'], unique=False)


    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('employer_kind', sa.String(length=10), nullable=False),
    sa.Column('partner_name', sa.String(length=200), nullable=True),
    sa.Column('contract_type', sa.String(length=12), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('quarter_hours_per_week', sa.Integer(), nullable=False),
    sa.Column('hourly_wage_cents', sa.Integer(), nullable=True),
    sa.Column('fee_cents', sa.Integer(), nullable=True),
    sa.Column('mbo_level', sa.Integer(), nullable=True),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('labour_distance', sa.Boolean(), nullable=True),
    sa.Column('labour_distance_consent_on', sa.Date(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(employer_kind = 'partner') = (partner_name IS NOT NULL)", name=op.f('ck_job_partner_named')),
    sa.CheckConstraint("contract_type <> 'employment' OR hourly_wage_cents > 0", name=op.f('ck_job_employment_has_wage')),
    sa.CheckConstraint("contract_type = 'employment' OR fee_cents > 0", name=op.f('ck_job_others_have_fee')),
    sa.CheckConstraint("contract_type IN ('employment', 'internship', 'freelance')", name=op.f('ck_job_contract_known')),
    sa.CheckConstraint("employer_kind IN ('coop', 'partner')", name=op.f('ck_job_employer_known')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_job_period_in_order')),
    sa.CheckConstraint('labour_distance IS NULL OR labour_distance_consent_on IS NOT NULL', name=op.f('ck_job_labour_distance_with_consent')),
    sa.CheckConstraint('mbo_level IS NULL OR mbo_level BETWEEN 1 AND 4', name=op.f('ck_job_mbo_level_known')),
    sa.CheckConstraint('quarter_hours_per_week BETWEEN 1 AND 240', name=op.f('ck_job_hours_per_week_sane')),
    sa.ForeignKeyConstraint(['agreement_id'], ['funder_agreement.id'], name=op.f('fk_job_agreement_id_funder_agreement')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_job_initiative_id_initiative')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_job_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_person_initiative', ['person_id', 'initiative_id'], unique=False)
    op.create_table('coaching_conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('coach', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('cost_cents', sa.Integer(), nullable=False),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("coach <> ''", name=op.f('ck_coaching_conversation_coach_named')),
    sa.CheckConstraint('cost_cents >= 0', name=op.f('ck_coaching_conversation_cost_not_negative')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_coaching_conversation_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_conversation'))
    )
    with op.batch_alter_table('coaching_conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_conversation_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('coaching_conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_conversation_person_id'))

    op.drop_table('coaching_conversation')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_person_initiative')

    op.drop_table('job')
    op.drop_table('minimum_wage')
    with op.batch_alter_table('volunteer_initiative', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_initiative_initiative_id'))

    op.drop_table('volunteer_initiative')
    op.drop_table('volunteer_cap_year')
    with op.batch_alter_table('hour_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_hour_entry_volunteer_date')
        batch_op.drop_index('ix_hour_entry_initiative_status')

    op.drop_table('hour_entry')
    with op.batch_alter_table('allowance_arrangement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allowance_arrangement_volunteer_id'))

    op.drop_table('allowance_arrangement')
    with op.batch_alter_table('allowance', schema=None) as batch_op:
        batch_op.drop_index('ix_allowance_volunteer_date')
        batch_op.drop_index(batch_op.f('ix_allowance_payment_batch_id'))

    op.drop_table('allowance')
    op.drop_table('allowance_payment_batch')
    op.drop_table('volunteer')
    with op.batch_alter_table('initiative_coordinator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_coordinator_person_id'))
        batch_op.drop_index(batch_op.f('ix_initiative_coordinator_initiative_id'))

    op.drop_table('initiative_coordinator')
    op.drop_table('initiative')
    op.drop_table('allowance_cap')
