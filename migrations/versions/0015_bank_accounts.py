"""the coop's bank accounts as settings (a current and a savings account, each linked to
its ledger account); the organisation's IBAN moves into them; one bank file may hold
several statements

Revision ID: 0015_bank_accounts
Revises: 0014_appointment_correction
Create Date: 2026-12-03 14:00:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import coop.timeutil  # custom column types


# revision identifiers, used by Alembic.
revision = '0015_bank_accounts'
down_revision = '0014_appointment_correction'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bank_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('iban', sa.String(length=34), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('ledger_account_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', coop.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("iban <> ''", name=op.f('ck_bank_account_iban_not_empty')),
    sa.CheckConstraint("kind IN ('current', 'savings')", name=op.f('ck_bank_account_kind_known')),
    sa.ForeignKeyConstraint(['ledger_account_id'], ['ledger_account.id'], name=op.f('fk_bank_account_ledger_account_id_ledger_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_account')),
    sa.UniqueConstraint('iban', name=op.f('uq_bank_account_iban')),
    sa.UniqueConstraint('kind', name=op.f('uq_bank_account_kind')),
    sa.UniqueConstraint('ledger_account_id', name=op.f('uq_bank_account_ledger_account_id'))
    )

    # The organisation's IBAN becomes the current account, linked to the ledger's bank
    # account (purpose 'bank', 1100 in the default chart). Without a chart there is
    # nothing to link it to yet: the IBAN is created with the bank account the default
    # chart would give (code 1100), unless that code is taken by another account.
    connection = op.get_bind()
    now = sa.bindparam("now", datetime.now(UTC), type_=coop.timeutil.UTCDateTime())
    iban = connection.execute(sa.text(
        "SELECT iban FROM organisation WHERE iban IS NOT NULL AND iban <> '' "
        "ORDER BY id LIMIT 1")).scalar()
    if iban:
        iban = "".join(iban.split()).upper()
        ledger_id = connection.execute(sa.text(
            "SELECT id FROM ledger_account WHERE purpose = 'bank'")).scalar()
        if ledger_id is None and connection.execute(sa.text(
                "SELECT id FROM ledger_account WHERE code = '1100'")).scalar() is None:
            connection.execute(sa.text(
                "INSERT INTO ledger_account (code, name, kind, category, purpose, is_active, "
                "created_at) VALUES ('1100', 'Bank', 'asset', 'liquid_assets', 'bank', :t, :now)"
            ).bindparams(now), {"t": True})
            ledger_id = connection.execute(sa.text(
                "SELECT id FROM ledger_account WHERE code = '1100'")).scalar()
        if ledger_id is not None:
            connection.execute(sa.text(
                "INSERT INTO bank_account (kind, iban, name, ledger_account_id, updated_at) "
                "VALUES ('current', :iban, 'Betaalrekening', :ledger, :now)").bindparams(now),
                {"iban": iban, "ledger": ledger_id})

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('iban')

    with op.batch_alter_table('bank_statement', schema=None) as batch_op:
        batch_op.drop_constraint('uq_bank_statement_file_sha256', type_='unique')
        batch_op.create_index(batch_op.f('ix_bank_statement_file_sha256'), ['file_sha256'], unique=False)


def downgrade():
    # A file with several statements left several rows with its digest: keep the first.
    connection = op.get_bind()
    connection.execute(sa.text(
        "UPDATE bank_statement SET file_sha256 = "
        "SUBSTR(file_sha256, 1, 52) || '#' || CAST(id AS VARCHAR(11)) "
        "WHERE id NOT IN (SELECT MIN(id) FROM bank_statement GROUP BY file_sha256)"))
    with op.batch_alter_table('bank_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_statement_file_sha256'))
        batch_op.create_unique_constraint('uq_bank_statement_file_sha256', ['file_sha256'])

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('iban', sa.String(length=34), nullable=True))
    connection.execute(sa.text(
        "UPDATE organisation SET iban = (SELECT iban FROM bank_account WHERE kind = 'current')"))

    op.drop_table('bank_account')
