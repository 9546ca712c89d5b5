"""Every file the app writes goes to its data directory (DATA_DIR), outside the code."""

from pathlib import Path

from coop import create_app
from coop.extensions import db
from tests import factories
from tests.conftest import make_config
from tests.members_transfer.helpers import csv_bytes, pending_token, upload

ROOT = Path(__file__).resolve().parent.parent


def test_member_import_uploads_and_the_invoice_archive_go_to_the_data_directory(
        app_factory, tmp_path, login_as):
    data_dir = tmp_path / "data"
    app = app_factory(DATA_DIR=str(data_dir), INVOICES_DIR=None, MEMBER_IMPORT_DIR=None)
    with app.app_context():
        factories.create_membership_type("bewoner", name="Bewoner")
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = factories.create_user(roles=["board"]).get_id()
            session["_fresh"] = True

        response = upload(client, csv_bytes([
            "voornaam;achternaam;email;soort_lidmaatschap;startdatum",
            "Jan;Jansen;jan@example.org;bewoner;01-01-2026"]))

        assert response.status_code == 200
        stored = data_dir / "member_imports" / f"{pending_token(client)}.csv"
        assert stored.is_file()
        assert not (ROOT / "instance" / "member_imports" / stored.name).exists()
        assert app.config["INVOICES_DIR"] == str(data_dir / "invoices")
        assert (data_dir / "invoices").is_dir()
        db.session.remove()


def test_the_default_sqlite_database_lives_in_the_data_directory(tmp_path):
    data_dir = tmp_path / "data"
    app = create_app(make_config(tmp_path, DATA_DIR=str(data_dir), SQLALCHEMY_DATABASE_URI=None))

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{data_dir / 'coop.sqlite'}"
    assert app.instance_path == str(data_dir)


def test_without_a_data_directory_a_checkout_keeps_its_instance_folder(tmp_path):
    app = create_app(make_config(tmp_path, DATA_DIR=None, SQLALCHEMY_DATABASE_URI=None,
                                 INVOICES_DIR=None, MEMBER_IMPORT_DIR=None))

    assert app.instance_path == str(ROOT / "instance")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{ROOT / 'instance' / 'coop.sqlite'}"
    assert app.config["MEMBER_IMPORT_DIR"] == str(ROOT / "instance" / "member_imports")
    assert app.config["INVOICES_DIR"] == str(ROOT / "invoices")
