"""pain.008 batches: the file, idempotence, pre-notification, collection and storno."""

import hashlib
import xml.etree.ElementTree as etree
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from coop import timeutil
from coop.audit import AuditEvent
from coop.directdebit import services
from coop.directdebit.models import Batch, BatchItem, Mandate
from coop.dues import services as dues
from coop.dues.models import Invoice, Payment
from coop.extensions import db
from coop.ledger.models import EntrySource, JournalEntry, JournalLine, LedgerAccount
from coop.members.models import Membership
from tests import factories
from tests.directdebit.conftest import (
    COLLECTION_DAY,
    COOP_IBAN,
    CREDITOR_ID,
    MEMBER_IBAN,
    TODAY,
    give_mandate,
    member_with_invoice,
)

# The ISO 20022 schema as sepaxml ships it (from the ISO 20022 message archive).
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.008.001.02.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}


def _generate(day=COLLECTION_DAY, today=TODAY):
    batch = services.generate_batch(day, today=today)
    db.session.commit()
    return batch


def _xml(batch):
    return etree.fromstring(batch.xml.encode("utf-8"))  # noqa: S314 (our own file)


def test_pain008_file_validates_against_the_iso_schema_and_holds_the_collections(coop):
    first, first_invoice = member_with_invoice(2500, given_name="Anna")
    second, second_invoice = member_with_invoice(1250, given_name="Bram")
    first_mandate = give_mandate(first)
    second_mandate = give_mandate(second, bic="RABONL2U")

    batch = _generate()

    xmlschema.XMLSchema(str(XSD)).validate(batch.xml)
    root = _xml(batch)
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "37.50"
    info = root.find("p:CstmrDrctDbtInitn/p:PmtInf", NS)
    assert info.findtext("p:PmtTpInf/p:SeqTp", namespaces=NS) == "FRST"
    assert info.findtext("p:ReqdColltnDt", namespaces=NS) == "2026-02-16"
    assert info.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == COOP_IBAN
    assert info.findtext(
        "p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=NS) == CREDITOR_ID
    transactions = {
        tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", namespaces=NS): tx
        for tx in info.findall("p:DrctDbtTxInf", NS)
    }
    assert set(transactions) == {first_mandate.reference, second_mandate.reference}
    amounts = {ref: tx.find("p:InstdAmt", NS) for ref, tx in transactions.items()}
    assert amounts[first_mandate.reference].text == "25.00"
    assert amounts[second_mandate.reference].text == "12.50"
    assert amounts[first_mandate.reference].get("Ccy") == "EUR"
    assert transactions[first_mandate.reference].findtext(
        "p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == MEMBER_IBAN
    assert transactions[second_mandate.reference].findtext(
        "p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=NS) == "RABONL2U"
    assert first_invoice.number in transactions[first_mandate.reference].findtext(
        "p:RmtInf/p:Ustrd", namespaces=NS)
    assert batch.transaction_count == 2 and batch.total_cents == 3750
    assert second_invoice.id in {item.invoice_id for item in db.session.scalars(
        select(BatchItem))}


def test_batch_page_shows_totals_and_the_file_downloads(coop, client, treasurer):
    person, _invoice = member_with_invoice(2500)
    give_mandate(person)
    batch = _generate()

    page = client.get(f"/direct-debit/batches/{batch.id}")
    download = client.get(f"/direct-debit/batches/{batch.id}/pain.008.xml")

    assert page.status_code == 200
    assert "25,00" in page.text and person.display_name in page.text
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("application/xml")
    assert b"<CtrlSum>25.00</CtrlSum>" in download.data


def test_an_invoice_is_never_in_two_pending_batches(coop):
    person, invoice = member_with_invoice()
    give_mandate(person)
    batch = _generate()

    with pytest.raises(services.DirectDebitError) as refused:
        services.generate_batch(COLLECTION_DAY + timedelta(days=1), today=TODAY)
    db.session.rollback()

    assert "nothing to collect" in str(refused.value.message).lower() or refused.value.message
    assert db.session.scalar(select(db.func.count(Batch.id))) == 1
    # The database refuses it too, whatever a service might do.
    db.session.add(BatchItem(batch_id=batch.id, invoice_id=invoice.id,
                             mandate_id=db.session.scalar(select(Mandate.id)),
                             sequence_type="RCUR", amount_cents=100, end_to_end_id="X-2"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_new_batch_takes_only_invoices_not_yet_in_one(coop):
    first, _first_invoice = member_with_invoice()
    give_mandate(first)
    _generate()
    second, second_invoice = member_with_invoice()
    give_mandate(second)

    batch = _generate(COLLECTION_DAY + timedelta(days=1))

    assert [item.invoice_id for item in db.session.scalars(
        select(BatchItem).where(BatchItem.batch_id == batch.id))] == [second_invoice.id]


@pytest.mark.parametrize("day", [TODAY + timedelta(days=13), TODAY, TODAY - timedelta(days=1)])
def test_collection_date_within_the_notice_term_is_refused_at_the_field(
        coop, client, treasurer, day, monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda: TODAY)
    person, _invoice = member_with_invoice()
    give_mandate(person)

    response = client.post("/direct-debit/batches/new", data={"collection_date": day.isoformat()})

    assert response.status_code == 422
    assert "14 dagen van tevoren" in response.text
    assert "16 feb 2026" in response.text
    assert db.session.scalar(select(db.func.count(Batch.id))) == 0


def test_collection_date_in_a_weekend_is_refused(coop):
    person, _invoice = member_with_invoice()
    give_mandate(person)

    with pytest.raises(services.DirectDebitError) as refused:
        services.generate_batch(date(2026, 2, 21), today=TODAY)

    assert refused.value.field == "collection_date"


def test_batch_without_creditor_id_is_refused(coop):
    person, _invoice = member_with_invoice()
    give_mandate(person)
    coop.creditor_id = None
    db.session.commit()

    with pytest.raises(services.DirectDebitError) as refused:
        services.generate_batch(COLLECTION_DAY, today=TODAY)

    assert "incassant-ID" in str(refused.value.message)


def test_pre_notification_mails_name_amount_date_reference_and_creditor(
        coop, client, treasurer, outbox, monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda: TODAY)
    person, invoice = member_with_invoice(2500, email="anna@example.org")
    mandate = give_mandate(person)

    response = client.post("/direct-debit/batches/new",
                           data={"collection_date": COLLECTION_DAY.isoformat()})

    assert response.status_code == 302
    [mail] = [m for m in outbox() if m.recipient == "anna@example.org"]
    assert "25,00" in mail.body_text
    assert "16 februari 2026" in mail.body_text
    assert mandate.reference in mail.body_text
    assert CREDITOR_ID in mail.body_text
    assert invoice.number in mail.body_text
    item = db.session.scalar(select(BatchItem))
    assert item.notified_to == "anna@example.org" and item.notified_at is not None
    # Sending again mails nobody twice.
    client.post(f"/direct-debit/batches/{item.batch_id}/notify")
    assert len([m for m in outbox() if m.recipient == "anna@example.org"]) == 1


def _collect(batch):
    services.mark_collected(batch, today=batch.collection_date)
    db.session.commit()


def test_marking_collected_pays_the_invoices_and_books_them(coop):
    person, invoice = member_with_invoice(2500)
    mandate = give_mandate(person)
    batch = _generate()

    _collect(batch)

    assert db.session.get(Invoice, invoice.id).status == "paid"
    payment = db.session.scalar(select(Payment).where(Payment.invoice_id == invoice.id))
    assert payment.method == "sepa_direct_debit" and payment.paid_on == COLLECTION_DAY
    entry = db.session.scalar(select(JournalEntry).where(
        JournalEntry.source == EntrySource.DUES_PAYMENT, JournalEntry.source_id == payment.id))
    assert entry.entry_date == COLLECTION_DAY
    assert db.session.get(Mandate, mandate.id).last_collection_on == COLLECTION_DAY
    assert services.next_sequence_type(mandate).value == "RCUR"


def test_marking_collected_before_the_collection_date_is_refused(coop):
    person, invoice = member_with_invoice()
    give_mandate(person)
    batch = _generate()

    with pytest.raises(services.DirectDebitError):
        services.mark_collected(batch, today=COLLECTION_DAY - timedelta(days=1))
    db.session.rollback()

    assert db.session.get(Invoice, invoice.id).status == "open"
    assert db.session.scalar(select(db.func.count(Payment.id))) == 0


def _ledger_balance(invoice_id, code):
    return db.session.scalar(
        select(db.func.coalesce(db.func.sum(JournalLine.debit_cents - JournalLine.credit_cents), 0))
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(JournalLine.invoice_id == invoice_id, LedgerAccount.code == code))


def test_storno_reopens_the_invoice_and_reverses_the_booking(coop, client, treasurer,
                                                             monkeypatch):
    storno_day = COLLECTION_DAY + timedelta(days=10)
    monkeypatch.setattr(timeutil, "local_today", lambda: storno_day)
    person, invoice = member_with_invoice(2500)
    mandate = give_mandate(person)
    batch = _generate()
    _collect(batch)
    item = db.session.scalar(select(BatchItem))
    payment_entry = db.session.scalar(select(JournalEntry).where(
        JournalEntry.source == EntrySource.DUES_PAYMENT))

    response = client.post(f"/direct-debit/items/{item.id}/return",
                           data={"reason_code": "AM04", "returned_on": storno_day.isoformat()})

    assert response.status_code == 302
    assert db.session.get(Invoice, invoice.id).status == "open"
    assert dues.remaining_cents(db.session.get(Invoice, invoice.id)) == 2500
    reversal = db.session.scalar(select(JournalEntry).where(
        JournalEntry.reverses_entry_id == payment_entry.id))
    assert reversal is not None and reversal.entry_date == storno_day
    assert "AM04" in reversal.description
    # Receivable (1300) is due again and the bank (1100) gave the money back; the
    # original posting stands unchanged beside its reversal.
    assert _ledger_balance(invoice.id, "1300") == 2500
    assert _ledger_balance(invoice.id, "1100") == 0
    assert db.session.get(JournalEntry, payment_entry.id).status == "posted"
    ledger_page = client.get(f"/finance/entries/{reversal.id}")
    assert ledger_page.status_code == 200 and "AM04" in ledger_page.text
    # The first collection went back: the next one is FRST again.
    assert services.next_sequence_type(mandate).value == "FRST"
    batch_page = client.get(f"/direct-debit/batches/{batch.id}")
    assert "AM04" in batch_page.text
    # The invoice can be collected again in a new batch.
    again = services.generate_batch(storno_day + timedelta(days=14), today=storno_day)
    assert again.transaction_count == 1
    assert "FRST" in again.xml


def test_storno_after_eight_weeks_is_only_possible_as_unauthorised(coop):
    person, invoice = member_with_invoice()
    give_mandate(person)
    _collect(_generate())
    item = db.session.scalar(select(BatchItem))
    late = COLLECTION_DAY + timedelta(weeks=9)

    with pytest.raises(services.DirectDebitError) as refused:
        services.return_item(item, "MD06", late, today=late)
    db.session.rollback()
    assert refused.value.field == "reason_code"
    assert db.session.get(Invoice, invoice.id).status == "paid"

    services.return_item(db.session.get(BatchItem, item.id), "MD01", late, today=late)
    db.session.commit()
    assert db.session.get(Invoice, invoice.id).status == "open"


def test_storno_with_an_unknown_reason_code_saves_nothing(coop, client, treasurer, monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda: COLLECTION_DAY)
    person, invoice = member_with_invoice()
    give_mandate(person)
    _collect(_generate())
    item = db.session.scalar(select(BatchItem))

    response = client.post(f"/direct-debit/items/{item.id}/return",
                           data={"reason_code": "ZZ99", "returned_on": "2026-02-16"})

    assert response.status_code == 422
    assert db.session.get(Invoice, invoice.id).status == "paid"
    assert db.session.get(BatchItem, item.id).status == "collected"


def test_a_rejection_before_collection_leaves_the_invoice_open_and_frst_next(coop):
    person, invoice = member_with_invoice()
    mandate = give_mandate(person)
    batch = _generate()
    item = db.session.scalar(select(BatchItem))

    services.return_item(item, "AC04", TODAY, today=TODAY)
    _collect(batch)

    assert db.session.get(Invoice, invoice.id).status == "open"
    assert db.session.scalar(select(db.func.count(Payment.id))) == 0
    assert services.next_sequence_type(mandate).value == "FRST"


def test_after_a_collection_the_next_batch_uses_rcur(coop):
    person, _first = member_with_invoice()
    give_mandate(person)
    _collect(_generate())
    membership = db.session.scalar(select(Membership).where(
        Membership.person_id == person.id))
    factories.create_invoice(membership, dues_year=2027, issue_date=date(2026, 3, 1))

    batch = _generate(date(2026, 3, 16), today=date(2026, 3, 2))

    assert [item.sequence_type for item in db.session.scalars(
        select(BatchItem).where(BatchItem.batch_id == batch.id))] == ["RCUR"]


def test_a_one_off_mandate_collects_ooff_and_is_used_up(coop):
    person, _invoice = member_with_invoice()
    mandate = give_mandate(person, kind="one_off")
    batch = _generate()

    _collect(batch)

    assert db.session.scalar(select(BatchItem.sequence_type)) == "OOFF"
    assert db.session.get(Mandate, mandate.id).status == "ended"


def test_withdrawn_batch_frees_its_invoices(coop):
    person, _invoice = member_with_invoice()
    give_mandate(person)
    batch = _generate()

    services.cancel_batch(batch, "Bestand niet verstuurd")
    db.session.commit()

    assert _generate(COLLECTION_DAY + timedelta(days=1)).transaction_count == 1


def test_revoked_mandate_is_not_collected(coop):
    person, _invoice = member_with_invoice()
    mandate = give_mandate(person)
    services.revoke_mandate(mandate, "Opgezegd", today=TODAY)
    db.session.commit()

    with pytest.raises(services.DirectDebitError):
        services.generate_batch(COLLECTION_DAY, today=TODAY)


def test_amounts_in_the_file_equal_the_control_sum(coop):
    amounts = [1, 99, 1000, 123456]
    for cents in amounts:
        person, _invoice = member_with_invoice(cents)
        give_mandate(person)

    root = _xml(_generate())

    found = [Decimal(a.text) for a in root.iter(f"{{{NS['p']}}}InstdAmt")]
    assert sorted(found) == sorted(Decimal(c) / 100 for c in amounts)
    assert all(len(a.text.split(".")[1]) == 2 for a in root.iter(f"{{{NS['p']}}}InstdAmt"))
    assert Decimal(root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum",
                                 namespaces=NS)) == sum(found)


def test_a_storno_of_a_recurring_collection_keeps_rcur(coop):
    person, _first = member_with_invoice()
    mandate = give_mandate(person)
    _collect(_generate())
    membership = db.session.scalar(select(Membership).where(
        Membership.person_id == person.id))
    factories.create_invoice(membership, dues_year=2027, issue_date=date(2026, 3, 1))
    second = _generate(date(2026, 3, 16), today=date(2026, 3, 2))
    _collect(second)
    item = db.session.scalar(select(BatchItem).where(BatchItem.batch_id == second.id))

    services.return_item(item, "MS02", date(2026, 3, 20), today=date(2026, 3, 20))
    db.session.commit()

    assert item.sequence_type == "RCUR"
    assert services.next_sequence_type(mandate).value == "RCUR"


def test_marking_collected_when_an_invoice_was_paid_otherwise_is_refused(coop):
    person, invoice = member_with_invoice()
    give_mandate(person)
    batch = _generate()
    dues.record_payment(invoice, 2500, TODAY, "bank_transfer", today=TODAY)
    db.session.commit()

    with pytest.raises(services.DirectDebitError) as refused:
        services.mark_collected(batch, today=COLLECTION_DAY)
    db.session.rollback()

    assert invoice.number in str(refused.value.message)
    assert db.session.get(Batch, batch.id).status == "pending"


# TARGET2 closing days ---------------------------------------------------------------------


@pytest.mark.parametrize(("day", "today", "holiday", "proposed"), [
    (date(2027, 3, 26), date(2027, 3, 1), "Goede Vrijdag", "30 mrt 2027"),
    (date(2027, 3, 29), date(2027, 3, 1), "Tweede Paasdag", "30 mrt 2027"),
    (date(2026, 12, 25), date(2026, 12, 1), "Eerste Kerstdag", "28 dec 2026"),
    (date(2027, 1, 1), date(2026, 12, 1), "Nieuwjaarsdag", "4 jan 2027"),
    (date(2026, 5, 1), date(2026, 4, 1), "Dag van de Arbeid", "4 mei 2026"),
])
def test_collection_date_on_a_target2_closing_day_is_refused_at_the_field(
        coop, client, treasurer, monkeypatch, day, today, holiday, proposed):
    monkeypatch.setattr(timeutil, "local_today", lambda: today)
    person, _invoice = member_with_invoice()
    give_mandate(person)

    response = client.post("/direct-debit/batches/new", data={"collection_date": day.isoformat()})

    assert response.status_code == 422
    assert 'id="collection_date-error"' in response.text
    assert f"is {holiday}, geen bankwerkdag" in response.text
    assert f"bijvoorbeeld {proposed}" in response.text
    assert db.session.scalar(select(db.func.count(Batch.id))) == 0
    assert db.session.scalar(select(db.func.count(BatchItem.id))) == 0


def test_closing_day_message_in_english(coop, client, treasurer, monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda: date(2027, 3, 1))
    person, _invoice = member_with_invoice()
    give_mandate(person)
    client.post("/language", data={"language": "en"})

    response = client.post("/direct-debit/batches/new", data={"collection_date": "2027-03-26"})

    assert response.status_code == 422
    assert "is Good Friday, not a bank business day" in response.text


def test_the_business_day_after_easter_is_accepted(coop):
    person, _invoice = member_with_invoice()
    give_mandate(person)

    batch = _generate(date(2027, 3, 30), today=date(2027, 3, 1))

    assert batch.collection_date == date(2027, 3, 30) and batch.transaction_count == 1


def test_every_target2_closing_day_has_a_translated_name(app):
    # python-holidays gives the dates with English names; a name it starts using that we
    # do not know would show untranslated in the refusal.
    import holidays

    names = {name for year in range(2026, 2036)
             for name in holidays.financial_holidays("XECB", years=year).values()}

    assert names == set(services.TARGET_CLOSING_DAY_NAMES)


@pytest.mark.parametrize(("today", "proposed"), [
    (date(2027, 3, 12), "2027-03-30"),  # +14 days is Good Friday, then Easter Monday
    (date(2026, 12, 11), "2026-12-28"),  # +14 days is Christmas, then the weekend
    (date(2026, 12, 18), "2027-01-04"),  # +14 days is New Year's Day, then the weekend
    (date(2026, 2, 2), "2026-02-16"),  # an ordinary Monday
])
def test_new_batch_form_proposes_the_first_business_day(coop, client, treasurer, monkeypatch,
                                                        today, proposed):
    monkeypatch.setattr(timeutil, "local_today", lambda: today)

    page = client.get("/direct-debit/batches/new")

    assert page.status_code == 200
    assert f'value="{proposed}"' in page.text


def test_too_early_message_proposes_a_business_day(coop, client, treasurer, monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda: date(2027, 3, 12))
    person, _invoice = member_with_invoice()
    give_mandate(person)

    response = client.post("/direct-debit/batches/new", data={"collection_date": "2027-03-20"})

    assert response.status_code == 422
    assert "kies 30 mrt 2027 of later" in response.text


# Retention of the files ---------------------------------------------------------------


def _collected_batch():
    person, invoice = member_with_invoice(2500, given_name="Anna")
    give_mandate(person)
    batch = _generate()
    _collect(batch)
    return batch, invoice


def test_the_file_is_kept_14_months_after_collection_then_removed_with_its_fingerprint(coop):
    batch, invoice = _collected_batch()
    downloaded = batch.xml.encode("utf-8")
    payments = db.session.scalar(select(db.func.count(Payment.id)))

    assert services.purge_batch_files(date(2027, 4, 16)) == []  # exactly 14 months
    assert db.session.get(Batch, batch.id).xml is not None
    removed = services.purge_batch_files(date(2027, 4, 17))
    db.session.commit()

    assert [row["message_id"] for row in removed] == [batch.message_id]
    db.session.expire_all()
    kept = db.session.get(Batch, batch.id)
    assert kept.xml is None and kept.xml_purged_at is not None
    assert kept.xml_sha256 == hashlib.sha256(downloaded).hexdigest()
    assert (kept.transaction_count, kept.total_cents) == (1, 2500)
    assert db.session.scalar(select(BatchItem.status)) == "collected"
    assert db.session.scalar(select(db.func.count(Payment.id))) == payments
    assert db.session.get(Invoice, invoice.id).status == "paid"
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.tag == "finance:debit_batch:purge_file"))
    assert event is not None and kept.xml_sha256 in str(event.details)
    assert services.purge_batch_files(date(2030, 1, 1)) == []  # once


def test_a_pending_batch_keeps_its_file_however_old(coop):
    person, _invoice = member_with_invoice()
    give_mandate(person)
    batch = _generate()

    assert services.purge_batch_files(date(2030, 1, 1)) == []
    batch.xml, batch.xml_purged_at = None, datetime.now(UTC)
    with pytest.raises(IntegrityError):  # the database refuses it too
        db.session.flush()
    db.session.rollback()


def test_a_withdrawn_batch_loses_its_file_on_the_same_term(coop):
    person, _invoice = member_with_invoice()
    give_mandate(person)
    batch = _generate()
    services.cancel_batch(batch, "Bestand niet verstuurd")
    db.session.commit()

    removed = services.purge_batch_files(date(2027, 4, 17))

    assert [row["status"] for row in removed] == ["cancelled"]


def test_batch_page_says_the_file_was_removed_and_the_download_explains(
        coop, client, treasurer):
    batch, _invoice = _collected_batch()
    services.purge_batch_files(date(2027, 5, 1))
    db.session.commit()

    page = client.get(f"/direct-debit/batches/{batch.id}")
    download = client.get(f"/direct-debit/batches/{batch.id}/pain.008.xml")

    assert page.status_code == 200
    assert "Het pain.008-bestand is op" in page.text and "verwijderd" in page.text
    assert "Download het pain.008-bestand" not in page.text
    assert f"/direct-debit/batches/{batch.id}/pain.008.xml" not in page.text
    assert batch.xml_sha256 in page.text and "25,00" in page.text
    assert download.status_code == 410
    assert download.headers["Content-Type"].startswith("text/html")
    assert "Het pain.008-bestand van deze batch is op" in download.text
    assert "14 maanden na de incassodatum" in download.text


def test_purge_command_lists_then_removes(coop, app):
    batch, _invoice = _collected_batch()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["coop", "purge-direct-debit-files", "--dry-run",
                              "--today", "2027-06-01"])
    assert dry.exit_code == 0 and batch.message_id in dry.output
    assert "1 file(s) would be removed" in dry.output
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).xml is not None
    real = runner.invoke(args=["coop", "purge-direct-debit-files", "--today", "2027-06-01"])
    assert real.exit_code == 0 and "1 file(s) removed" in real.output
    db.session.expire_all()
    assert db.session.get(Batch, batch.id).xml is None
