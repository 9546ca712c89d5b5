"""direct debit batches: the pain.008 file can be removed after its retention; its
SHA-256 fingerprint is kept

Revision ID: 0011_direct_debit_retention
Revises: 0010_payments
Create Date: 2026-11-30 06:00:00

"""
import hashlib

import sqlalchemy as sa
from alembic import op

import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0011_direct_debit_retention'
down_revision = '0010_payments'
branch_labels = None
depends_on = None

# direct_debit_batch has no triggers: the SQLite table rebuilds below lose nothing.


def upgrade():
    with op.batch_alter_table('direct_debit_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('xml_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('xml_purged_at', coop.timeutil.UTCDateTime(timezone=True), nullable=True))
    # The fingerprint of the files made so far, as models.file_sha256 computes it.
    connection = op.get_bind()
    batches = sa.table('direct_debit_batch', sa.column('id', sa.Integer),
                       sa.column('xml', sa.Text), sa.column('xml_sha256', sa.String))
    for batch_id, xml in connection.execute(sa.select(batches.c.id, batches.c.xml)).all():
        connection.execute(
            batches.update().where(batches.c.id == batch_id)
            .values(xml_sha256=hashlib.sha256(xml.encode('utf-8')).hexdigest())
        )
    with op.batch_alter_table('direct_debit_batch', schema=None) as batch_op:
        batch_op.alter_column('xml_sha256', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('xml', existing_type=sa.Text(), nullable=True)
        batch_op.create_check_constraint(
            op.f('ck_direct_debit_batch_file_or_purged'),
            '(xml IS NULL) = (xml_purged_at IS NOT NULL)')
        batch_op.create_check_constraint(
            op.f('ck_direct_debit_batch_file_while_pending'),
            "status <> 'pending' OR xml IS NOT NULL")


def downgrade():
    # A removed file cannot come back: its batch keeps an empty text.
    op.execute("UPDATE direct_debit_batch SET xml = '' WHERE xml IS NULL")
    with op.batch_alter_table('direct_debit_batch', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_direct_debit_batch_file_while_pending'), type_='check')
        batch_op.drop_constraint(op.f('ck_direct_debit_batch_file_or_purged'), type_='check')
        batch_op.alter_column('xml', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('xml_purged_at')
        batch_op.drop_column('xml_sha256')
