"""personal values of audit entries kept apart (erasable); reminder recipient erasable

Revision ID: 0003_audit_privacy
Revises: 0002_register_dues
Create Date: 2026-11-30 03:05:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003_audit_privacy'
down_revision = '0002_register_dues'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_personal_data',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['audit_event.id'], name=op.f('fk_audit_personal_data_event_id_audit_event')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_audit_personal_data_person_id_person')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_audit_personal_data_user_id_user_account')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_audit_personal_data'))
    )
    with op.batch_alter_table('audit_personal_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_personal_data_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_personal_data_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.alter_column('recipient', existing_type=sa.String(length=255), nullable=True)


def downgrade():
    # Erased recipients cannot come back; the column only becomes NOT NULL again.
    op.execute("UPDATE reminder_log SET recipient = '' WHERE recipient IS NULL")
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.alter_column('recipient', existing_type=sa.String(length=255), nullable=False)

    with op.batch_alter_table('audit_personal_data', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_personal_data_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_personal_data_person_id'))

    op.drop_table('audit_personal_data')
