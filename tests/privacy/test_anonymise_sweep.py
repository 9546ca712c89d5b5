"""After anonymisation no table holds the former member's name or email any more: a scan
of every text column of every table in the models' metadata (so a table added later is
scanned too), with an allow-list of what the books must keep."""

from datetime import date, timedelta

from sqlalchemy import JSON, String, Text, cast, func, or_, select

from coop.bank import camt
from coop.bank import services as bank
from coop.directdebit import services as directdebit
from coop.dues import services as dues
from coop.dues.models import Invoice
from coop.extensions import db
from coop.ledger import services as ledger
from coop.mail import OutboxMessage
from coop.meetings import convocation
from coop.meetings.models import ConvocationLog
from coop.members import services as members
from coop.members.models import Membership, Person
from coop.privacy import services as privacy
from coop.timeutil import utcnow
from tests import factories
from tests.portal.helpers import create_member_with_account

GIVEN, FAMILY, EMAIL = "Fenneke", "Zwanenburg", "f.zwanenburg@example.org"
COOP_IBAN = "NL12TRIO0198765432"

# (table, column): why the books keep it after the person is anonymised.
KEPT = {
    ("invoice", "addressee_name"):
        "an issued invoice keeps the addressee as printed: the legal record, 7 years "
        "(BW 2:10, AWR art. 52)",
    ("bank_transaction", "counterparty_name"):
        "the bank statement line as the bank reported it: part of the books, 7 years",
    ("direct_debit_mandate", "account_holder"):
        "the mandate is kept for its own term, 36 months after the last collection "
        "(SEPA), then `anonymise-mandates` removes holder and IBAN",
    ("direct_debit_batch", "xml"):
        "the pain.008 file sent to the bank, removed by `purge-direct-debit-files` 14 "
        "months after the collection date (refund right of 13 months)",
}


def _text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                yield table, column


def _where_found(needles) -> set[tuple[str, str]]:
    found = set()
    for table, column in _text_columns():
        value = func.lower(cast(column, Text))
        hit = db.session.execute(
            select(func.count()).select_from(table)
            .where(or_(*[value.contains(n.lower()) for n in needles]))
        ).scalar()
        if hit:
            found.add((table.name, column.name))
    return found


def test_anonymising_a_former_member_leaves_their_name_and_email_nowhere(app, outbox):
    factories.save_organisation(name="Wijkcoöperatie Test", retention_years=2,
                                kvk_number="99999999", creditor_id="NL79ZZZ999999990000",
                                bic="ABNANL2A")
    factories.set_bank_account(COOP_IBAN)
    ledger.open_fiscal_year(2026)
    _user, person = create_member_with_account(
        given_name=GIVEN, family_name=FAMILY, email=EMAIL, street="Lindenlaan 4",
        start_date=date(2015, 1, 1))
    person.consent_electronic_convocation = True
    db.session.commit()
    # An ALV convocation by mail (outbox, convocation log) ...
    meeting, _ = factories.create_meeting(status="draft",
                                          starts_at=utcnow() + timedelta(days=20))
    convocation.convene(meeting)
    # ... a dues invoice, a reminder mail, and the payment from the bank.
    membership = db.session.scalar(select(Membership).where(Membership.person_id == person.id))
    invoice = factories.create_invoice(membership, issue_date=date(2026, 1, 5))
    result = dues.send_reminders(today=invoice.due_date + timedelta(days=30))
    assert result.sent == 1
    [_statement] = bank.import_statement(camt.build_statement(
        iban=COOP_IBAN, statement_id="S-1", message_id="M-1",
        created="2026-03-03T07:00:00", opening_cents=0, entries=[
            {"amount_cents": 2500, "booking_date": date(2026, 3, 2),
             "name": f"{GIVEN} {FAMILY}".upper(), "iban": "NL20INGB0001234567",
             "reference": invoice.payment_reference, "bank_reference": "R1"}])).statements
    transaction = db.session.scalar(select(bank.BankTransaction))
    bank.match_to_invoice(transaction, invoice, today=date(2026, 3, 3))
    # Last year's dues by direct debit: a mandate, a batch, a pre-notification mail.
    factories.create_invoice(membership, dues_year=2025, issue_date=date(2026, 1, 5))
    directdebit.sign_mandate(person, account_holder=f"{GIVEN[0]}. {FAMILY}",
                             iban="NL44RABO0123456789", signed_on=date(2026, 1, 20),
                             source="paper", today=date(2026, 2, 2))
    batch = directdebit.generate_batch(date(2026, 2, 16), today=date(2026, 2, 2))
    assert directdebit.send_prenotifications(batch).sent == 1
    db.session.commit()
    needles = [GIVEN, FAMILY, EMAIL]
    before = _where_found(needles)
    assert {("outbox_message", "recipient"), ("outbox_message", "body_text"),
            ("convocation_log", "name"), ("convocation_log", "address"), ("person", "email"),
            ("direct_debit_item", "notified_to"), ("user_account", "email"),
            ("journal_entry", "description")} - before == {("journal_entry", "description")}
    assert ("journal_entry", "description") not in before  # dues postings name no one

    members.change_status(membership, "ended", date(2026, 3, 31), "verhuisd")
    db.session.commit()
    done = privacy.anonymise_former_members(date(2028, 6, 1))
    db.session.commit()

    assert [row["person_id"] for row in done] == [person.id]
    db.session.expire_all()
    assert _where_found(needles) <= set(KEPT), _where_found(needles) - set(KEPT)
    # The facts stay: the convocation went out, the invoice and its payment are booked.
    log = db.session.scalar(select(ConvocationLog))
    assert (log.person_id, log.member_number, log.channel) == (
        person.id, membership.member_number, "email")
    assert db.session.get(Invoice, invoice.id).status == "paid"
    assert db.session.get(Person, person.id).family_name == privacy.ANONYMISED_NAME


def test_other_peoples_mails_stay_and_only_the_name_is_taken_out(app, outbox):
    factories.save_organisation(name="Wijkcoöperatie Test")
    leaving = factories.create_member(given_name=GIVEN, family_name=FAMILY, email=EMAIL,
                                      start_date=date(2015, 1, 1))
    from coop.mail import OutboxBackend, build_message

    # A mail to the board about them (as a board member might forward one).
    OutboxBackend().send(build_message("bestuur@example.org", f"Opzegging {GIVEN} {FAMILY}",
                                       f"{GIVEN} {FAMILY} ({EMAIL}) zegt op."))
    members.change_status(leaving, "ended", date(2020, 1, 1), "verhuisd")
    db.session.commit()

    privacy.anonymise(db.session.get(Person, leaving.person_id))
    db.session.commit()

    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.recipient == "bestuur@example.org"
    assert FAMILY not in mail.subject + mail.body_text and EMAIL not in mail.body_text
    assert privacy.ANONYMISED_NAME in mail.body_text
