"""The migrations build exactly the schema the models describe, and take it down again.

The database here starts empty and only the migrations touch it (no `create_all`). On
PostgreSQL it lives in a schema of its own, so the tables the other tests use in the
default schema are neither seen nor disturbed.
"""

import logging
from datetime import UTC, datetime

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from coop import create_app
from coop.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, make_config

SCHEMA = "coop_migration_check"


@pytest.fixture
def empty_database_app(tmp_path):
    """An app whose database has no tables at all."""
    if ON_POSTGRES:
        owner = create_engine(TEST_DATABASE_URL)
        with owner.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        overrides = {
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_pre_ping": True,
                "connect_args": {"options": f"-csearch_path={SCHEMA}"},
            }
        }
    else:
        overrides = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite'}"}
    app = create_app(make_config(tmp_path, **overrides))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if ON_POSTGRES:
        with owner.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        owner.dispose()


def _migrate(command, **arguments) -> None:
    """Run a Flask-Migrate command without keeping the logging setup it installs.

    migrations/env.py calls `fileConfig(alembic.ini)`, which replaces the root logger's
    handlers, pytest's log capture among them, for the rest of the run.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        command(**arguments)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _table_names() -> set[str]:
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        if ON_POSTGRES:
            # Guard against looking at the shared schema, where create_all() ran.
            assert inspector.default_schema_name == SCHEMA
        return set(inspector.get_table_names())


def test_migrations_from_empty_database_match_the_models(empty_database_app):
    assert _table_names() == set()

    _migrate(flask_migrate.upgrade)

    assert {table.name for table in db.metadata.sorted_tables} <= _table_names()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrated_database_refuses_changes_to_the_audit_log(empty_database_app):
    _migrate(flask_migrate.upgrade)
    db.session.execute(
        text(
            "INSERT INTO audit_event (at, actor_label, tag, domain, details) "
            "VALUES (CURRENT_TIMESTAMP, 'system', 'accounts:user:create', 'accounts', '{}')"
        )
    )
    db.session.commit()

    for statement in ("UPDATE audit_event SET tag = 'rewritten'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()

    assert db.session.execute(text("SELECT tag FROM audit_event")).scalars().all() == [
        "accounts:user:create"
    ]


def test_downgrade_to_base_removes_every_table(empty_database_app):
    _migrate(flask_migrate.upgrade)

    _migrate(flask_migrate.downgrade, revision="base")

    assert _table_names() <= {"alembic_version"}
    if ON_POSTGRES:
        functions = db.session.execute(
            text(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = :schema"
            ),
            {"schema": SCHEMA},
        ).scalars().all()
        assert functions == []


# --- Ledger (issue 5) ---
def test_migrated_database_keeps_posted_journal_entries_balanced_and_immutable(
    empty_database_app,
):
    _migrate(flask_migrate.upgrade)
    statements = [
        "INSERT INTO fiscal_year (year, start_date, end_date, status, last_entry_number) "
        "VALUES (2026, '2026-01-01', '2026-12-31', 'open', 0)",
        "INSERT INTO ledger_account (id, code, name, kind, category, is_active, created_at) "
        "VALUES (1, '1000', 'Kas', 'asset', 'liquid_assets', true, CURRENT_TIMESTAMP)",
        "INSERT INTO ledger_account (id, code, name, kind, category, is_active, created_at) "
        "VALUES (2, '8400', 'Baromzet', 'income', 'goods_and_services', true, "
        "CURRENT_TIMESTAMP)",
        "INSERT INTO journal_entry (id, fiscal_year, number, entry_date, description, status, "
        "source, created_at) VALUES (1, 2026, 1, '2026-05-01', 'Bar', 'draft', 'manual', "
        "CURRENT_TIMESTAMP)",
        "INSERT INTO journal_line (entry_id, account_id, debit_cents, credit_cents) "
        "VALUES (1, 1, 500, 0)",
        "INSERT INTO journal_line (entry_id, account_id, debit_cents, credit_cents) "
        "VALUES (1, 2, 0, 400)",
    ]
    for statement in statements:
        db.session.execute(text(statement))
    with pytest.raises(DBAPIError, match="does not balance"):
        db.session.execute(text("UPDATE journal_entry SET status = 'posted'"))
    db.session.rollback()

    for statement in statements:
        db.session.execute(text(statement.replace("VALUES (1, 2, 0, 400)",
                                                  "VALUES (1, 2, 0, 500)")))
    db.session.execute(text("UPDATE journal_entry SET status = 'posted'"))
    db.session.commit()
    for statement in ("UPDATE journal_line SET debit_cents = 600 WHERE debit_cents = 500",
                      "DELETE FROM journal_line", "DELETE FROM journal_entry"):
        with pytest.raises(DBAPIError, match="immutable"):
            db.session.execute(text(statement))
        db.session.rollback()
# --- end ledger ---


# --- Governance: appointments keep their history after 0008 rebuilt the table ---
def test_migrated_database_keeps_appointment_history_after_linking_decisions(
        empty_database_app):
    from tests import factories

    _migrate(flask_migrate.upgrade)
    appointment = factories.appoint(factories.create_position(factories.create_body()))

    for statement, message in (
        ("DELETE FROM appointment", "cannot be deleted"),
        ("UPDATE appointment SET start_date = '2020-01-01'", "cannot be rewritten"),
    ):
        with pytest.raises(DBAPIError, match=message):
            db.session.execute(text(statement))
        db.session.rollback()
    # The decision link is the one column added later, and it can be filled in.
    db.session.execute(text("UPDATE appointment SET decision_id = NULL"))
    assert db.session.execute(text("SELECT id FROM appointment")).scalars().all() == [
        appointment.id
    ]


# --- Governance: 0014 lets a term be withdrawn as entered in error, once, and the
# history triggers (re-created after the rebuild) still refuse every other change ---
def test_migrated_database_allows_withdrawing_a_term_once_and_nothing_else(
        empty_database_app):
    from tests import factories

    _migrate(flask_migrate.upgrade)
    factories.appoint(factories.create_position(factories.create_body()))

    for statement, message in (
        ("DELETE FROM appointment", "cannot be deleted"),
        ("UPDATE appointment SET start_date = '2020-01-01'", "cannot be rewritten"),
        ("UPDATE appointment SET person_id = person_id + 1", "cannot be rewritten"),
    ):
        with pytest.raises(DBAPIError, match=message):
            db.session.execute(text(statement))
        db.session.rollback()
    db.session.execute(text("UPDATE appointment SET voided_at = CURRENT_TIMESTAMP, "
                            "void_reason = 'Vergissing'"))
    db.session.commit()
    for statement in ("UPDATE appointment SET voided_at = NULL, void_reason = NULL",
                      "UPDATE appointment SET void_reason = 'Iets anders'",
                      "UPDATE appointment SET ended_on = start_date, end_reason = 'Weg'",
                      "UPDATE appointment SET term_years = 1"):
        with pytest.raises(DBAPIError, match="cannot be rewritten"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.execute(text("SELECT void_reason FROM appointment")).scalar() == (
        "Vergissing")
    db.session.rollback()  # the downgrade's ALTER TABLE waits for readers to finish

    _migrate(flask_migrate.downgrade, revision="0013_donor_privacy")
    columns = {c["name"] for c in inspect(db.engine).get_columns("appointment")}
    assert "voided_at" not in columns and "void_reason" not in columns
    with pytest.raises(DBAPIError, match="cannot be rewritten"):
        db.session.execute(text("UPDATE appointment SET start_date = '2020-01-01'"))
    db.session.rollback()
    db.session.execute(text("UPDATE appointment SET ended_on = start_date, "
                            "end_reason = 'Weg'"))
    db.session.commit()
# --- end governance 0014 ---


# --- Funders and bank (issue 5) ---
def test_downgrading_the_funders_revision_keeps_the_ledger_guards(empty_database_app):
    _migrate(flask_migrate.upgrade)
    _migrate(flask_migrate.downgrade, revision="0008_appointment_decision")

    columns = {c["name"] for c in inspect(db.engine).get_columns("journal_line")}
    assert "agreement_id" not in columns
    assert "funder_agreement" not in _table_names()
    for statement in (
        "INSERT INTO fiscal_year (year, start_date, end_date, status, last_entry_number) "
        "VALUES (2026, '2026-01-01', '2026-12-31', 'open', 0)",
        "INSERT INTO ledger_account (id, code, name, kind, category, is_active, created_at) "
        "VALUES (1, '1000', 'Kas', 'asset', 'liquid_assets', true, CURRENT_TIMESTAMP)",
        "INSERT INTO ledger_account (id, code, name, kind, category, is_active, created_at) "
        "VALUES (2, '8400', 'Baromzet', 'income', 'goods_and_services', true, "
        "CURRENT_TIMESTAMP)",
        "INSERT INTO journal_entry (id, fiscal_year, number, entry_date, description, status, "
        "source, created_at) VALUES (1, 2026, 1, '2026-05-01', 'Bar', 'draft', 'manual', "
        "CURRENT_TIMESTAMP)",
        "INSERT INTO journal_line (entry_id, account_id, debit_cents, credit_cents) "
        "VALUES (1, 1, 500, 0)",
        "INSERT INTO journal_line (entry_id, account_id, debit_cents, credit_cents) "
        "VALUES (1, 2, 0, 400)",
    ):
        db.session.execute(text(statement))
    with pytest.raises(DBAPIError, match="does not balance"):
        db.session.execute(text("UPDATE journal_entry SET status = 'posted'"))
    db.session.rollback()

    _migrate(flask_migrate.upgrade)
    assert "agreement_id" in {c["name"] for c in inspect(db.engine).get_columns("journal_line")}
# --- end funders and bank ---


# --- Direct debit: 0011 fingerprints the files made before it, and keeps them while pending
def test_direct_debit_retention_revision_fingerprints_existing_files(empty_database_app):
    import hashlib

    _migrate(flask_migrate.upgrade, revision="0010_payments")
    db.session.execute(text(
        "INSERT INTO direct_debit_batch (id, message_id, collection_date, status, creditor_id, "
        "transaction_count, total_cents, xml, created_at) VALUES (1, 'MSG-1', '2026-03-02', "
        "'pending', 'NL79ZZZ999999990000', 1, 2500, '<Document>é</Document>', "
        "CURRENT_TIMESTAMP)"))
    db.session.commit()

    _migrate(flask_migrate.upgrade)

    assert db.session.execute(text("SELECT xml_sha256 FROM direct_debit_batch")).scalar() == (
        hashlib.sha256("<Document>é</Document>".encode()).hexdigest())
    with pytest.raises(DBAPIError):  # a pending batch keeps its file
        db.session.execute(text("UPDATE direct_debit_batch SET xml = NULL, "
                                "xml_purged_at = CURRENT_TIMESTAMP"))
    db.session.rollback()
    _migrate(flask_migrate.downgrade, revision="0010_payments")
    columns = {c["name"] for c in inspect(db.engine).get_columns("direct_debit_batch")}
    assert "xml_sha256" not in columns and "xml_purged_at" not in columns


# --- SQLite table rebuilds keep the rows that point at the rebuilt table
@pytest.mark.skipif(ON_POSTGRES, reason="batch table rebuilds (drop and rename) happen only "
                                        "on SQLite; PostgreSQL alters tables in place")
def test_table_rebuilds_keep_rows_that_reference_the_table(empty_database_app):
    # 0011 rebuilds direct_debit_batch, which direct_debit_item references; with foreign
    # keys enforced SQLite refused to drop the old table once a batch had an item.
    _migrate(flask_migrate.upgrade, revision="0010_payments")
    db.session.execute(text(
        "INSERT INTO direct_debit_batch (id, message_id, collection_date, status, creditor_id, "
        "transaction_count, total_cents, xml, created_at, closed_at) VALUES (1, 'MSG-1', "
        "'2026-03-02', 'collected', 'NL79ZZZ999999990000', 1, 2500, '<Document/>', "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    db.session.commit()
    # The item's invoice and mandate are left out (foreign keys off for this insert):
    # rows already pointing at nothing are the migration's business only if it adds some.
    db.session.execute(text("PRAGMA foreign_keys=OFF"))
    db.session.execute(text(
        "INSERT INTO direct_debit_item (id, batch_id, invoice_id, mandate_id, sequence_type, "
        "amount_cents, end_to_end_id, status, payment_id) VALUES (1, 1, 41, 42, 'FRST', 2500, "
        "'E2E-1', 'collected', 43)"))
    db.session.commit()
    db.session.execute(text("PRAGMA foreign_keys=ON"))
    db.session.commit()
    db.session.remove()

    _migrate(flask_migrate.upgrade)

    assert db.session.execute(text(
        "SELECT i.end_to_end_id, b.message_id FROM direct_debit_item i "
        "JOIN direct_debit_batch b ON b.id = i.batch_id")).one() == ("E2E-1", "MSG-1")
    with db.engine.connect() as connection:  # the pool's connections enforce them again
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.session.remove()
    _migrate(flask_migrate.downgrade, revision="0010_payments")
    assert db.session.execute(text("SELECT count(*) FROM direct_debit_item")).scalar() == 1


# --- Bank accounts (issue 11): 0015 moves the organisation's IBAN into bank_account ---
def test_0015_moves_the_organisations_iban_into_the_current_account_and_back(
        empty_database_app):
    _migrate(flask_migrate.upgrade, revision="0014_appointment_correction")
    db.session.execute(text(
        "INSERT INTO organisation (id, name, legal_form, iban, fiscal_year_start_month, "
        "anbi_status, sbbi_status, convocation_days, amendment_convocation_days, "
        "amendment_inspection_days, proxy_cap_per_holder, default_majority, "
        "amendment_majority, electronic_voting_allowed, vote_change_allowed, "
        "persons_secret_ballot, tie_on_persons, dues_proration, payment_term_days, "
        "reminder_after_days, retention_years, term_years, max_terms, "
        "immediately_reeligible, direct_debit_notice_days, funder_share_warning_percent, "
        "updated_at) VALUES (1, 'Coop', 'cooperatie_ua', 'NL91 ABNA 0417 1643 00', 1, "
        "false, false, 14, 7, 5, 1, 'more_than_half', 'two_thirds', false, false, true, "
        "'re_vote', 'monthly', 30, 14, 2, 3, 3, true, 14, 50, CURRENT_TIMESTAMP)"))
    db.session.execute(text(
        "INSERT INTO ledger_account (id, code, name, kind, category, purpose, is_active, "
        "created_at) VALUES (7, '1100', 'Bank', 'asset', 'liquid_assets', 'bank', true, "
        "CURRENT_TIMESTAMP)"))
    db.session.commit()

    _migrate(flask_migrate.upgrade)

    rows = db.session.execute(text(
        "SELECT kind, iban, ledger_account_id FROM bank_account")).all()
    assert [tuple(r) for r in rows] == [("current", "NL91ABNA0417164300", 7)]
    db.session.commit()

    _migrate(flask_migrate.downgrade, revision="0014_appointment_correction")

    assert db.session.execute(text("SELECT iban FROM organisation")).scalar() == (
        "NL91ABNA0417164300")
    db.session.commit()
    assert "bank_account" not in _table_names()
# --- end bank accounts ---


# --- Meetings: 0016 stores quorum and majorities as fractions -------------------------
def _insert_row(table: str, values: dict) -> None:
    """A row with `values`, the other required columns filled from the models' defaults
    (or a plain placeholder)."""
    with db.engine.connect() as connection:
        columns = inspect(connection).get_columns(table)
    model = db.metadata.tables[table]
    row = dict(values)
    for column in columns:
        name = column["name"]
        if name in row or column["nullable"] or name == "id":
            continue
        default = model.c[name].default if name in model.c else None
        if default is not None and not callable(default.arg):
            row[name] = default.arg
        elif "at" in name.split("_"):
            row[name] = datetime(2026, 3, 1, 19, 30, tzinfo=UTC)
        else:
            row[name] = "x"
    names = ", ".join(row)
    # Table and column names come from the test itself and the reflected schema.
    db.session.execute(text(f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
                            f"({', '.join(':' + n for n in row)})"), row)


def test_fractions_revision_converts_percentages_and_presets_both_ways(empty_database_app):
    _migrate(flask_migrate.upgrade, revision="0014_appointment_correction")
    _insert_row("organisation", {"id": 1, "name": "De Linde", "legal_form": "vereniging",
                                 "quorum_percent": 33, "default_majority": "more_than_half",
                                 "amendment_majority": "three_quarters"})
    _insert_row("general_meeting", {"id": 1, "title": "ALV", "location_kind": "physical",
                                    "location": "Buurthuis", "status": "closed"})
    _insert_row("agenda_item", {"id": 1, "meeting_id": 1, "position": 1, "title": "Begroting"})
    _insert_row("proposal", {"id": 1, "agenda_item_id": 1, "position": 1, "meeting_id": 1,
                             "kind": "matter", "title": "Begroting", "text": "Ja",
                             "majority": "two_thirds", "quorum_percent": 40, "secret": False,
                             "seats": 1, "status": "closed", "outcome": "adopted"})
    db.session.commit()
    db.session.remove()

    _migrate(flask_migrate.upgrade)

    assert db.session.execute(text(
        "SELECT quorum_numerator, quorum_denominator, default_majority_numerator, "
        "default_majority_denominator, amendment_majority_numerator, "
        "amendment_majority_denominator FROM organisation")).one() == (33, 100, 1, 2, 3, 4)
    assert db.session.execute(text(
        "SELECT majority_numerator, majority_denominator, quorum_numerator, "
        "quorum_denominator FROM proposal")).one() == (2, 3, 2, 5)
    with pytest.raises(DBAPIError, match="voting has closed"):  # the guard is back
        db.session.execute(text("UPDATE proposal SET title = 'Anders'"))
    db.session.rollback()
    db.session.remove()

    _migrate(flask_migrate.downgrade, revision="0014_appointment_correction")

    assert db.session.execute(text(
        "SELECT quorum_percent, default_majority, amendment_majority FROM organisation")
    ).one() == (33, "more_than_half", "three_quarters")
    assert db.session.execute(text("SELECT majority, quorum_percent FROM proposal")).one() == (
        "two_thirds", 40)
    with pytest.raises(DBAPIError, match="voting has closed"):
        db.session.execute(text("UPDATE proposal SET title = 'Anders'"))
    db.session.rollback()
