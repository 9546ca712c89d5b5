"""reversed chargebacks (money_back.reversed_at, reversal_entry_id); quorum and
majorities of the statutes as fractions (numerator/denominator)

Revision ID: 0016_meeting_fractions
Revises: 0014_appointment_correction
Create Date: 2026-12-03 14:00:00

"""
import math
from fractions import Fraction

import sqlalchemy as sa
from alembic import op

import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0016_meeting_fractions'
down_revision = '0015_bank_accounts'
branch_labels = None
depends_on = None


# The closed-vote guard on proposal as 0006 wrote it: on SQLite a table rebuild drops it
# (it is recreated after), on PostgreSQL it is switched off while existing rows are
# converted (a closed proposal's quorum and majority are converted too, not changed).
_SQLITE_PROPOSAL_GUARDS = [
    "CREATE TRIGGER proposal_closed_no_update BEFORE UPDATE ON proposal WHEN OLD.status = 'closed' BEGIN SELECT RAISE(ABORT, 'proposal: voting has closed'); END",
    "CREATE TRIGGER proposal_closed_no_delete BEFORE DELETE ON proposal WHEN OLD.status = 'closed' BEGIN SELECT RAISE(ABORT, 'proposal: voting has closed'); END",
]
# The majority presets before fractions, and their fractions.
_MAJORITIES = {'more_than_half': (1, 2), 'two_thirds': (2, 3), 'three_quarters': (3, 4)}


def _share(prefix):
    return f"{prefix}_numerator > 0 AND {prefix}_denominator > 0 AND {prefix}_numerator <= {prefix}_denominator"


def _guard_off():
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('proposal_closed_no_update', 'proposal_closed_no_delete'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        # The rebuilt proposal table is renamed back to its own name; the triggers of
        # candidate, tally and participation name it, and SQLite's modern rename
        # refuses while "proposal" is briefly missing. The legacy rename leaves them be.
        op.execute('PRAGMA legacy_alter_table = ON')
    else:
        op.execute('ALTER TABLE proposal DISABLE TRIGGER proposal_closed_guard')


def _guard_on():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('PRAGMA legacy_alter_table = OFF')
        for statement in _SQLITE_PROPOSAL_GUARDS:
            op.execute(statement)
    else:
        op.execute('ALTER TABLE proposal ENABLE TRIGGER proposal_closed_guard')


def _percent_to_fraction(percent):
    divisor = math.gcd(percent, 100)
    return percent // divisor, 100 // divisor


def _fraction_to_percent(numerator, denominator):
    # Whole percentages cannot hold every fraction: round up, so the quorum a
    # downgraded database asks is never below the one set (one third: 34%).
    return -(-numerator * 100 // denominator)


def _fraction_to_majority(numerator, denominator):
    """The nearest preset at or above the fraction (more than half at most half)."""
    share = Fraction(numerator, denominator)
    for name, (top, bottom) in _MAJORITIES.items():
        if share <= Fraction(top, bottom):
            return name
    return 'three_quarters'


def upgrade():
    with op.batch_alter_table('money_back', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reversed_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reversal_entry_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_money_back_reversal_entry_id'), ['reversal_entry_id'])
        batch_op.create_foreign_key(batch_op.f('fk_money_back_reversal_entry_id_journal_entry'), 'journal_entry', ['reversal_entry_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_money_back_only_chargebacks_reversed'), "reversed_at IS NULL OR kind = 'chargeback'")

    _guard_off()
    bind = op.get_bind()
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        for prefix in ('quorum', 'default_majority', 'amendment_majority'):
            batch_op.add_column(sa.Column(f'{prefix}_numerator', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column(f'{prefix}_denominator', sa.Integer(), nullable=True))
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        for prefix in ('majority', 'quorum'):
            batch_op.add_column(sa.Column(f'{prefix}_numerator', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column(f'{prefix}_denominator', sa.Integer(), nullable=True))

    rows = bind.execute(sa.text('SELECT id, quorum_percent, default_majority, amendment_majority FROM organisation')).all()
    for row_id, percent, default, amendment in rows:
        quorum = _percent_to_fraction(percent) if percent is not None else (None, None)
        bind.execute(sa.text(
            'UPDATE organisation SET quorum_numerator = :qn, quorum_denominator = :qd, '
            'default_majority_numerator = :dn, default_majority_denominator = :dd, '
            'amendment_majority_numerator = :an, amendment_majority_denominator = :ad WHERE id = :id'),
            {'qn': quorum[0], 'qd': quorum[1], 'dn': _MAJORITIES[default][0], 'dd': _MAJORITIES[default][1],
             'an': _MAJORITIES[amendment][0], 'ad': _MAJORITIES[amendment][1], 'id': row_id})
    rows = bind.execute(sa.text('SELECT id, quorum_percent, majority FROM proposal')).all()
    for row_id, percent, majority in rows:
        quorum = _percent_to_fraction(percent) if percent is not None else (None, None)
        bind.execute(sa.text(
            'UPDATE proposal SET quorum_numerator = :qn, quorum_denominator = :qd, '
            'majority_numerator = :mn, majority_denominator = :md WHERE id = :id'),
            {'qn': quorum[0], 'qd': quorum[1], 'mn': _MAJORITIES[majority][0],
             'md': _MAJORITIES[majority][1], 'id': row_id})

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_organisation_quorum_range'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_organisation_default_majority_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_organisation_amendment_majority_known'), type_='check')
        batch_op.drop_column('quorum_percent')
        batch_op.drop_column('default_majority')
        batch_op.drop_column('amendment_majority')
        for prefix in ('default_majority', 'amendment_majority'):
            batch_op.alter_column(f'{prefix}_numerator', existing_type=sa.Integer(), nullable=False)
            batch_op.alter_column(f'{prefix}_denominator', existing_type=sa.Integer(), nullable=False)
            batch_op.create_check_constraint(batch_op.f(f'ck_organisation_{prefix}_share'), _share(prefix))
        batch_op.create_check_constraint(batch_op.f('ck_organisation_quorum_share'), '(quorum_numerator IS NULL AND quorum_denominator IS NULL) OR ' + _share('quorum'))
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_proposal_quorum_range'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_proposal_majority_known'), type_='check')
        batch_op.drop_column('quorum_percent')
        batch_op.drop_column('majority')
        batch_op.alter_column('majority_numerator', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('majority_denominator', existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_proposal_majority_share'), _share('majority'))
        batch_op.create_check_constraint(batch_op.f('ck_proposal_quorum_share'), '(quorum_numerator IS NULL AND quorum_denominator IS NULL) OR ' + _share('quorum'))
    _guard_on()


def downgrade():
    _guard_off()
    bind = op.get_bind()
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quorum_percent', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('default_majority', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('amendment_majority', sa.String(length=20), nullable=True))
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quorum_percent', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('majority', sa.String(length=20), nullable=True))
    rows = bind.execute(sa.text(
        'SELECT id, quorum_numerator, quorum_denominator, default_majority_numerator, default_majority_denominator, '
        'amendment_majority_numerator, amendment_majority_denominator FROM organisation')).all()
    for row_id, qn, qd, dn, dd, an, ad in rows:
        bind.execute(sa.text(
            'UPDATE organisation SET quorum_percent = :q, default_majority = :d, amendment_majority = :a WHERE id = :id'),
            {'q': _fraction_to_percent(qn, qd) if qn is not None else None,
             'd': _fraction_to_majority(dn, dd), 'a': _fraction_to_majority(an, ad), 'id': row_id})
    rows = bind.execute(sa.text(
        'SELECT id, quorum_numerator, quorum_denominator, majority_numerator, majority_denominator FROM proposal')).all()
    for row_id, qn, qd, mn, md in rows:
        bind.execute(sa.text('UPDATE proposal SET quorum_percent = :q, majority = :m WHERE id = :id'),
                     {'q': _fraction_to_percent(qn, qd) if qn is not None else None,
                      'm': _fraction_to_majority(mn, md), 'id': row_id})
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_proposal_quorum_share'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_proposal_majority_share'), type_='check')
        for prefix in ('majority', 'quorum'):
            batch_op.drop_column(f'{prefix}_numerator')
            batch_op.drop_column(f'{prefix}_denominator')
        batch_op.alter_column('majority', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_proposal_majority_known'), "majority IN ('more_than_half', 'two_thirds', 'three_quarters')")
        batch_op.create_check_constraint(batch_op.f('ck_proposal_quorum_range'), 'quorum_percent IS NULL OR quorum_percent BETWEEN 1 AND 100')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_organisation_quorum_share'), type_='check')
        for prefix in ('default_majority', 'amendment_majority'):
            batch_op.drop_constraint(batch_op.f(f'ck_organisation_{prefix}_share'), type_='check')
        for prefix in ('quorum', 'default_majority', 'amendment_majority'):
            batch_op.drop_column(f'{prefix}_numerator')
            batch_op.drop_column(f'{prefix}_denominator')
        batch_op.alter_column('default_majority', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('amendment_majority', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_organisation_default_majority_known'), "default_majority IN ('more_than_half', 'two_thirds', 'three_quarters')")
        batch_op.create_check_constraint(batch_op.f('ck_organisation_amendment_majority_known'), "amendment_majority IN ('more_than_half', 'two_thirds', 'three_quarters')")
        batch_op.create_check_constraint(batch_op.f('ck_organisation_quorum_range'), 'quorum_percent IS NULL OR quorum_percent BETWEEN 1 AND 100')
    _guard_on()

    with op.batch_alter_table('money_back', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_money_back_only_chargebacks_reversed'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_money_back_reversal_entry_id_journal_entry'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_money_back_reversal_entry_id'), type_='unique')
        batch_op.drop_column('reversal_entry_id')
        batch_op.drop_column('reversed_at')
