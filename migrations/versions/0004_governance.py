"""governance: bodies, positions with signature authority, appointments (terms), and the
statute settings for terms of office

Revision ID: 0004_governance
Revises: 0003_audit_privacy
Create Date: 2026-11-30 02:12:09.275061

"""
import sqlalchemy as sa
from alembic import op

import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0004_governance'
down_revision = "0003_audit_privacy"
branch_labels = None
depends_on = None


# Copied from coop/governance/models.py as it was when this revision was written.
PG_KEEP_HISTORY = [
    """CREATE OR REPLACE FUNCTION appointment_keep_history() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'appointment history is kept: a term cannot be deleted';
        END IF;
        IF NEW.person_id <> OLD.person_id OR NEW.position_id <> OLD.position_id OR NEW.start_date <> OLD.start_date OR NEW.term_years <> OLD.term_years OR NEW.end_date <> OLD.end_date OR NEW.term_number <> OLD.term_number OR NEW.previous_id IS DISTINCT FROM OLD.previous_id OR (OLD.ended_on IS NOT NULL AND (NEW.ended_on IS DISTINCT FROM OLD.ended_on OR NEW.end_reason IS DISTINCT FROM OLD.end_reason)) THEN
            RAISE EXCEPTION 'appointment history is kept: a term cannot be rewritten';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    'CREATE TRIGGER appointment_keep_history BEFORE UPDATE OR DELETE ON appointment FOR EACH ROW EXECUTE FUNCTION appointment_keep_history()',
]
SQLITE_KEEP_HISTORY = [
    "CREATE TRIGGER appointment_no_delete BEFORE DELETE ON appointment BEGIN SELECT RAISE(ABORT, 'appointment history is kept: a term cannot be deleted'); END",
    "CREATE TRIGGER appointment_no_rewrite BEFORE UPDATE ON appointment WHEN NEW.person_id <> OLD.person_id OR NEW.position_id <> OLD.position_id OR NEW.start_date <> OLD.start_date OR NEW.term_years <> OLD.term_years OR NEW.end_date <> OLD.end_date OR NEW.term_number <> OLD.term_number OR NEW.previous_id IS NOT OLD.previous_id OR (OLD.ended_on IS NOT NULL AND (NEW.ended_on IS NOT OLD.ended_on OR NEW.end_reason IS NOT OLD.end_reason)) BEGIN SELECT RAISE(ABORT, 'appointment history is kept: a term cannot be rewritten'); END",
]


def upgrade():
    op.create_table('governance_body',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('term_years', sa.Integer(), nullable=True),
    sa.Column('max_terms', sa.Integer(), nullable=True),
    sa.Column('members_only', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind <> 'audit_committee' OR members_only", name=op.f('ck_governance_body_audit_committee_members_only')),
    sa.CheckConstraint("kind IN ('board', 'supervisory_board', 'audit_committee', 'team', 'project_leads', 'ambassadors')", name=op.f('ck_governance_body_kind_known')),
    sa.CheckConstraint('max_terms IS NULL OR max_terms BETWEEN 1 AND 10', name=op.f('ck_governance_body_max_terms_range')),
    sa.CheckConstraint('term_years IS NULL OR term_years BETWEEN 1 AND 10', name=op.f('ck_governance_body_term_years_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_body')),
    sa.UniqueConstraint('name', name=op.f('uq_governance_body_name'))
    )
    with op.batch_alter_table('governance_body', schema=None) as batch_op:
        batch_op.create_index('uq_governance_body_single_kind', ['kind'], unique=True, sqlite_where=sa.text("kind IN ('board', 'supervisory_board', 'audit_committee')"), postgresql_where=sa.text("kind IN ('board', 'supervisory_board', 'audit_committee')"))

    op.create_table('governance_position',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('signature_authority', sa.String(length=10), nullable=False),
    sa.Column('joint_signers', sa.Integer(), nullable=True),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.CheckConstraint("(signature_authority = 'jointly') = (joint_signers IS NOT NULL)", name=op.f('ck_governance_position_joint_signers_iff_jointly')),
    sa.CheckConstraint("signature_authority IN ('none', 'alone', 'jointly')", name=op.f('ck_governance_position_signature_authority_known')),
    sa.CheckConstraint('joint_signers IS NULL OR joint_signers BETWEEN 1 AND 10', name=op.f('ck_governance_position_joint_signers_range')),
    sa.CheckConstraint('seats BETWEEN 1 AND 50', name=op.f('ck_governance_position_seats_range')),
    sa.ForeignKeyConstraint(['body_id'], ['governance_body.id'], name=op.f('fk_governance_position_body_id_governance_body')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_position')),
    sa.UniqueConstraint('body_id', 'name', name='uq_governance_position_body_name')
    )
    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('position_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('term_years', sa.Integer(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('term_number', sa.Integer(), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('created_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(ended_on IS NULL) = (end_reason IS NULL)', name=op.f('ck_appointment_ended_iff_reason')),
    sa.CheckConstraint('end_date > start_date', name=op.f('ck_appointment_end_after_start')),
    sa.CheckConstraint('ended_on IS NULL OR (ended_on >= start_date AND ended_on <= end_date)', name=op.f('ck_appointment_ended_within_term')),
    sa.CheckConstraint('term_number >= 1', name=op.f('ck_appointment_term_number_positive')),
    sa.CheckConstraint('term_years BETWEEN 1 AND 10', name=op.f('ck_appointment_term_years_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_appointment_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_appointment_person_id_person')),
    sa.ForeignKeyConstraint(['position_id'], ['governance_position.id'], name=op.f('fk_appointment_position_id_governance_position')),
    sa.ForeignKeyConstraint(['previous_id'], ['appointment.id'], name=op.f('fk_appointment_previous_id_appointment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment'))
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_end_date', ['end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_appointment_position_start', ['position_id', 'start_date'], unique=False)

    # History is kept: no deleting or rewriting a term (as in coop/governance/models.py).
    bind = op.get_bind()
    for statement in (PG_KEEP_HISTORY if bind.dialect.name == 'postgresql'
                      else SQLITE_KEEP_HISTORY):
        op.execute(statement)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('term_years', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('max_terms', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('immediately_reeligible', sa.Boolean(), nullable=False, server_default=sa.true()))

    # The defaults were for existing rows; the app always sets the values.
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        for column in ('term_years', 'max_terms', 'immediately_reeligible'):
            batch_op.alter_column(column, server_default=None)
        batch_op.create_check_constraint(
            op.f('ck_organisation_term_years_range'), 'term_years BETWEEN 1 AND 10'
        )
        batch_op.create_check_constraint(
            op.f('ck_organisation_max_terms_range'), 'max_terms BETWEEN 1 AND 10'
        )



def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        for name in ('term_years_range', 'max_terms_range'):
            batch_op.drop_constraint(op.f(f'ck_organisation_{name}'), type_='check')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('immediately_reeligible')
        batch_op.drop_column('max_terms')
        batch_op.drop_column('term_years')

    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_position_start')
        batch_op.drop_index(batch_op.f('ix_appointment_person_id'))
        batch_op.drop_index('ix_appointment_end_date')

    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS appointment_keep_history ON appointment')
        op.execute('DROP FUNCTION IF EXISTS appointment_keep_history()')
    op.drop_table('appointment')
    op.drop_table('governance_position')
    with op.batch_alter_table('governance_body', schema=None) as batch_op:
        batch_op.drop_index('uq_governance_body_single_kind', sqlite_where=sa.text("kind IN ('board', 'supervisory_board', 'audit_committee')"), postgresql_where=sa.text("kind IN ('board', 'supervisory_board', 'audit_committee')"))

    op.drop_table('governance_body')
