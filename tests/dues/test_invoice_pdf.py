"""The invoice PDF: what a member reads in it, and the immutable archive."""

import io
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from coop.dues import services
from coop.dues.models import Invoice
from coop.extensions import db
from tests import factories


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    # Babel puts a non-breaking space after the euro sign; read it as a plain space.
    return text.replace("\u00a0", " ")


def test_invoice_pdf_shows_number_iban_amount_and_reference(app, organisation):
    organisation()
    membership = factories.create_member(given_name="Fatima", family_name="El Amrani",
                                         street="Lindelaan 12", postcode="3581AB")
    invoice = factories.create_invoice(membership)

    with app.test_request_context():
        path = services.invoice_pdf_path(invoice)
    db.session.commit()

    text = pdf_text(path.read_bytes())
    assert path == Path(app.config["INVOICES_DIR"]) / "2026-00001.pdf"
    assert "Factuur 2026-00001" in text
    assert "Wijkcoöperatie Oost voor Elkaar" in text
    assert "KvK 12345678" in text
    assert "NL91 ABNA 0417 1643 00" in text
    assert "€ 25,00" in text
    assert "Betalingskenmerk" in text and invoice.payment_reference in text
    assert "15 januari 2026" in text  # invoice date, in Dutch
    assert "14 februari 2026" in text  # due date: 30 days later
    assert "Fatima El Amrani" in text
    assert "3581 AB Utrecht" in text
    assert "Contributie 2026" in text
    assert db.session.get(Invoice, invoice.id).pdf_filename == "2026-00001.pdf"


def test_the_pdf_is_dutch_whatever_the_language_of_the_request(app, organisation):
    organisation()
    invoice = factories.create_invoice()

    with app.test_request_context(), _force_english():
        text = pdf_text(services.render_invoice_pdf(invoice))

    assert "Vervaldatum" in text
    assert "€ 25,00" in text


def _force_english():
    from flask_babel import force_locale

    return force_locale("en")


def test_credit_note_pdf_names_the_invoice_it_credits(app, organisation):
    organisation()
    invoice = factories.create_invoice()
    credit_note = services.credit_invoice(invoice, date(2026, 2, 1), "dubbel ingeschreven")
    db.session.commit()

    with app.test_request_context():
        text = pdf_text(services.invoice_pdf_path(credit_note).read_bytes())

    assert "Creditnota 2026-00002" in text
    assert "Crediteert factuur" in text and "2026-00001" in text
    assert "€ -25,00" in text


def test_the_archived_pdf_is_never_overwritten(app, organisation):
    organisation()
    invoice = factories.create_invoice()
    with app.test_request_context():
        path = services.invoice_pdf_path(invoice)
        first = path.read_bytes()
        stat = path.stat()

        # The coop moves its bank account: the issued invoice's archive stays as issued.
        organisation(iban="NL02ABNA0123456789")
        again = services.invoice_pdf_path(invoice)

    assert again == path
    assert path.read_bytes() == first
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert "NL91 ABNA 0417 1643 00" in pdf_text(path.read_bytes())


def test_writing_the_archive_refuses_to_replace_an_existing_file(tmp_path):
    target = tmp_path / "2026-00001.pdf"

    assert services._write_once(target, b"%PDF first") is True
    assert services._write_once(target, b"%PDF second") is False

    assert target.read_bytes() == b"%PDF first"
    assert [p.name for p in tmp_path.iterdir()] == ["2026-00001.pdf"]  # no temporary left


def test_download_serves_the_archived_file(app, client, login_as, organisation):
    organisation()
    invoice = factories.create_invoice()
    login_as(factories.create_user(roles=["auditor"]))

    response = client.get(f"/dues/{invoice.id}/pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    archived = Path(app.config["INVOICES_DIR"]) / "2026-00001.pdf"
    assert response.data == archived.read_bytes()
    assert "2026-00001.pdf" in response.headers["Content-Disposition"]


def test_the_cli_archives_every_invoice_without_a_pdf_once(app, organisation):
    organisation()
    first = factories.create_invoice()
    factories.create_invoice()
    with app.test_request_context():
        services.invoice_pdf_path(first)
    db.session.commit()
    runner = app.test_cli_runner()

    result = runner.invoke(args=["coop", "archive-invoices"])
    again = runner.invoke(args=["coop", "archive-invoices"])

    assert "1 invoice PDFs archived" in result.output, result.output
    assert "0 invoice PDFs archived" in again.output
    archive = Path(app.config["INVOICES_DIR"])
    assert sorted(p.name for p in archive.iterdir()) == ["2026-00001.pdf", "2026-00002.pdf"]


def test_the_pdf_shows_the_coop_as_it_was_on_the_day_of_issue(app, organisation):
    from coop.settings.services import get_organisation

    organisation()
    invoice = factories.create_invoice(factories.create_member())
    settings = get_organisation()
    settings.iban = "NL02ABNA0123456789"
    settings.name = "Nieuwe Naam U.A."
    db.session.commit()

    with app.test_request_context():
        path = services.invoice_pdf_path(db.session.get(Invoice, invoice.id))

    text = pdf_text(path.read_bytes())
    assert "NL91 ABNA 0417 1643 00" in text
    assert "Wijkcoöperatie Oost voor Elkaar" in text
    assert "Nieuwe Naam" not in text
