"""Who may open which page: every route, walked as every kind of user.

The table below is written by hand from the roles in the design (domain.md), not read
from `ROLE_PERMISSIONS`: if the code and the table disagree, one of them is wrong and a
person has to decide which. A new route fails `test_every_route_is_in_the_access_table`
until it is added here.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from coop.accounts import services as accounts
from coop.extensions import db
from coop.mail import OutboxMessage
from tests import factories

ROLES = ("guest", "member", "volunteer", "board", "treasurer", "auditor", "funder", "admin")
EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {"guest"}
BOARD = frozenset({"board", "treasurer"})
ADMIN = frozenset({"admin"})
# Dues: board and kascommissie read the invoices; only the treasurer changes them.
FINANCE_READERS = frozenset({"board", "treasurer", "auditor"})
TREASURER = frozenset({"treasurer"})

# endpoint -> the kinds of user that may use it
ALLOWED: dict[str, frozenset[str]] = {
    # Public: logging in and out, password reset, language, health check.
    "main.home": EVERYONE,
    "main.health": EVERYONE,
    "accounts.login": EVERYONE,
    "accounts.login_two_factor": EVERYONE,
    "accounts.logout": EVERYONE,
    "accounts.forgot_password": EVERYONE,
    "accounts.reset_password": EVERYONE,
    "accounts.set_language": EVERYONE,
    # One's own account.
    "accounts.profile": LOGGED_IN,
    "accounts.change_password": LOGGED_IN,
    "accounts.two_factor_setup": LOGGED_IN,
    "accounts.two_factor_disable": LOGGED_IN,
    # The board's overview; the kascommissie reads the figures too.
    "dashboard.index": BOARD | ADMIN | {"auditor"},
    # Organisation settings: the board and the administrator.
    "settings.organisation": BOARD | ADMIN,
    "settings.organisation_update": BOARD | ADMIN,
    # The audit log and the list of accounts: board and administrator read them.
    "admin.audit_log": BOARD | ADMIN,
    "admin.users": BOARD | ADMIN,
    # Creating accounts and changing roles: the administrator only.
    "admin.user_new": ADMIN,
    "admin.user_edit": ADMIN,
    "admin.user_toggle_active": ADMIN,
    # The mail outbox holds other people's reset links: the administrator only.
    "admin.outbox": ADMIN,
    "admin.outbox_message": ADMIN,
    # --- Member portal and privacy (issue 3) ---
    # A member's own data: members only. The access test's member has no register
    # entry, so /portal/ explains that (200), the person-specific pages send it back
    # there (302) and the export holds its account data only (200).
    "portal.index": {"member"},
    "portal.details": {"member"},
    "portal.invoice_pdf": {"member"},
    "portal.export": {"member"},
    # Inviting a person in the register to the portal: who writes the register.
    "portal.invite": BOARD,
    # --- end member portal and privacy ---
    # --- Member register (issue 3): the board reads and writes it, nobody else ---
    "members.index": BOARD,
    "members.person": BOARD,
    "members.new": BOARD,
    "members.edit": BOARD,
    "members.membership_status": BOARD,
    "members.membership_new": BOARD,
    "members.types": BOARD,
    "members.type_new": BOARD,
    "members.type_edit": BOARD,
    # --- end member register ---
    # --- Dues (issue 3): finance readers see invoices, the treasurer acts ---
    "dues.invoices": FINANCE_READERS,
    "dues.invoice": FINANCE_READERS,
    "dues.invoice_pdf": FINANCE_READERS,
    "dues.generate": TREASURER,
    "dues.record_payment": TREASURER,
    "dues.credit": TREASURER,
    "dues.write_off": TREASURER,
    "dues.refund": TREASURER,
    "dues.reminders": TREASURER,
    # --- end dues ---
    # --- Member import and exports (issue 3): personal data in and out, board only ---
    "member_transfer.import_form": BOARD,
    "member_transfer.import_preview": BOARD,
    "member_transfer.import_confirm": BOARD,
    "member_transfer.import_cancel": BOARD,
    "member_transfer.export_csv": BOARD,
    "member_transfer.export_xlsx": BOARD,
    "member_transfer.as_of": BOARD,
    "member_transfer.as_of_csv": BOARD,
    "member_transfer.as_of_xlsx": BOARD,
    # --- end member import and exports ---
    # --- Governance (issue 4): the board reads and writes; the kascommissie reads (who
    # may sign matters when checking payments); members see who runs the coop ---
    "governance.index": BOARD | {"auditor"},
    "governance.appointment": BOARD | {"auditor"},
    "governance.rotation": BOARD | {"auditor"},
    "governance.rotation_pdf": BOARD | {"auditor"},
    "governance.body_new": BOARD,
    "governance.body_edit": BOARD,
    "governance.position_new": BOARD,
    "governance.position_edit": BOARD,
    "governance.appointment_new": BOARD,
    "governance.reappoint": BOARD,
    "governance.step_down": BOARD,
    "governance.void": BOARD,
    "governance.for_members": {"member"},
    # --- end governance ---
    # --- Ledger (issue 5): finance readers read the books, the treasurer posts, the
    # kascommissie records findings and signs off a year ---
    "ledger.index": FINANCE_READERS,
    "ledger.accounts": FINANCE_READERS,
    "ledger.seed_chart": TREASURER,
    "ledger.account_new": TREASURER,
    "ledger.account_edit": TREASURER,
    "ledger.cost_centres": FINANCE_READERS,
    "ledger.cost_centre_new": TREASURER,
    "ledger.entries": FINANCE_READERS,
    "ledger.entry": FINANCE_READERS,
    "ledger.entry_new": TREASURER,
    "ledger.entry_reverse": TREASURER,
    "ledger.years": FINANCE_READERS,
    "ledger.year": FINANCE_READERS,
    "ledger.year_open": TREASURER,
    "ledger.year_close": TREASURER,
    "ledger.year_reopen": TREASURER,
    "ledger.year_finding": {"auditor"},
    "ledger.year_sign_off": {"auditor"},
    "ledger.trial_balance": FINANCE_READERS,
    "ledger.general_ledger": FINANCE_READERS,
    "ledger.balance_sheet": FINANCE_READERS,
    "ledger.income_statement": FINANCE_READERS,
    "ledger.budgets": FINANCE_READERS,
    "ledger.budget_set": TREASURER,
    "ledger.budget_remove": TREASURER,
    "ledger.forecast": FINANCE_READERS,
    # --- end ledger ---
    # --- The ALV (issue 4): the board runs meetings; members vote in the portal ---
    **{f"meetings.{name}": BOARD for name in (
        "index", "new", "edit", "meeting", "convene", "open_meeting", "close_meeting",
        "convocations", "letters_pdf", "attendance_pdf", "minutes_pdf", "item_add",
        "item_move", "item", "item_edit", "item_minutes", "document_add", "document",
        "proposal_add", "attendance", "presence_json", "check_in", "proxies", "proxy_add",
        "proxy_withdraw",
        "proposal", "proposal_edit", "candidate_add", "vote_open", "vote_close", "re_vote", "tally",
        "decisions", "conflicts", "conflict_add",
    )},
    # The access test's member has no register entry: the pages send it to /portal/
    # (302); the documents of a convened meeting are for every member account.
    **{f"member_meetings.{name}": {"member"} for name in (
        "index", "meeting", "document", "proxy_give", "proxy_withdraw", "attend", "vote",
    )},
    # --- end ALV ---
    # --- Funders and bank (issue 5): finance readers read, the treasurer changes ---
    "funders.index": FINANCE_READERS,
    "funders.funder_new": TREASURER,
    "funders.funder": FINANCE_READERS,
    "funders.agreement_new": TREASURER,
    "funders.agreement_edit": TREASURER,
    "funders.agreement": FINANCE_READERS,
    "funders.deadline_add": TREASURER,
    "funders.deadline_submitted": TREASURER,
    "funders.revenue": FINANCE_READERS,
    "funders.earmarks": FINANCE_READERS,
    "bank.index": FINANCE_READERS,
    "bank.import_statement": TREASURER,
    "bank.statement": FINANCE_READERS,
    "bank.transaction": FINANCE_READERS,
    "bank.match": TREASURER,
    "bank.book": TREASURER,
    "bank.overpayment": TREASURER,
    "bank.accounts": FINANCE_READERS,
    "bank.accounts_update": TREASURER,
    # --- end funders and bank ---
    # --- Online payments and donations (issue 6) ---
    # Mollie's webhook and paying a dues invoice from its link: public, the id or the
    # signed token is all they take. Donating, the thank-you page and stopping a monthly
    # gift from its mail link: public.
    "payments.webhook": EVERYONE,
    "pay.pay_invoice": EVERYONE,
    "pay.paid_return": EVERYONE,
    "donations.donate": EVERYONE,
    "donations.campaign": EVERYONE,
    "donations.thanks": EVERYONE,
    "donations.stop": EVERYONE,
    # The board and the kascommissie read gifts, statements and agreements; the
    # treasurer refunds, stops monthly gifts, edits campaigns, records agreements.
    "donations.index": FINANCE_READERS,
    "donations.gift": FINANCE_READERS,
    "donations.subscriptions": FINANCE_READERS,
    "donations.subscription": FINANCE_READERS,
    "donations.statements": FINANCE_READERS,
    "donations.statement_pdf": FINANCE_READERS,
    "donations.statements_mail": TREASURER,
    "donations.agreements": FINANCE_READERS,
    "donations.agreement_pdf": FINANCE_READERS,
    "donations.refund": TREASURER,
    "donations.subscription_stop": TREASURER,
    "donations.campaign_new": TREASURER,
    "donations.campaign_edit": TREASURER,
    "donations.erase_donor": TREASURER,
    "donations.agreement_new": TREASURER,
    # --- end online payments and donations ---
}
ALLOWED.update({
    # --- Direct debit (issue 6): finance readers see mandates and batches, the treasurer
    # makes batches and registers paper mandates, a member manages their own mandate ---
    "directdebit.mandates": FINANCE_READERS,
    "directdebit.mandate": FINANCE_READERS,
    "directdebit.mandate_new": TREASURER,
    "directdebit.mandate_revoke": TREASURER,
    "directdebit.batches": FINANCE_READERS,
    "directdebit.batch": FINANCE_READERS,
    "directdebit.batch_file": FINANCE_READERS,
    "directdebit.batch_new": TREASURER,
    "directdebit.batch_notify": TREASURER,
    "directdebit.batch_collected": TREASURER,
    "directdebit.batch_cancel": TREASURER,
    "directdebit.item_return": TREASURER,
    # The access test's member has no register entry: sent back to the portal (302).
    "directdebit.own_mandate": {"member"},
    "directdebit.own_mandate_sign": {"member"},
    "directdebit.own_mandate_revoke": {"member"},
    # --- end direct debit ---
    # --- Volunteers (issue 14): the board sees every initiative; a coordinator (any
    # account that coordinates an initiative) only their own — the access test's member
    # and volunteer coordinate nothing, so they get 403 (coordinators of one initiative
    # against another: tests/volunteers/test_access_scope.py). The treasurer enters the
    # caps; a volunteer declares their own hours.
    **{f"volunteers.{name}": BOARD for name in (
        "index", "initiative", "initiative_new", "initiative_edit", "coordinator_add",
        "volunteer_add", "volunteer", "hours_new", "hours_approve", "hours_return",
        "allowance_new", "arrangement_set", "caps",
    )},
    "volunteers.caps_set": TREASURER,
    "volunteers.bank_details": BOARD,
    "volunteers.coaching_add": BOARD,
    "volunteers.statement_pdf": BOARD,
    "volunteers.own_statement": {"volunteer"},
    "volunteers.payments_index": FINANCE_READERS,
    "volunteers.payment_batch_file": FINANCE_READERS,
    "volunteers.payment_batch_new": TREASURER,
    "volunteers.payment_batch_paid": TREASURER,
    # Buurtbanen: personal and contract data, the board only.
    **{f"jobs.{name}": BOARD for name in (
        "index", "job_new", "job_edit", "minimum_wage", "minimum_wage_set", "wage_cost",
        "third_parties")},
    "volunteers.own": {"volunteer"},
    # Sponsoring of neighbourhood events: coordinators (scoped) and the board; the yearly
    # statements: the finance readers see who was mailed, the treasurer mails them.
    "volunteer_extras.sponsoring": BOARD,
    "volunteer_extras.sponsoring_add": BOARD,
    "volunteer_extras.statements": FINANCE_READERS,
    "volunteer_extras.statements_mail": TREASURER,
    # Fees paid to interns and freelancers: the board reads, the treasurer books.
    "volunteer_extras.job_payments": BOARD,
    "volunteer_extras.job_payment_add": TREASURER,
    # --- end volunteers ---
    # --- KPIs (issue 15): the board manages them; a funder contact reads only the
    # published reports of its own funder's agreements ---
    **{f"kpis.{name}": BOARD for name in (
        "index", "enter_value", "definition_new", "agreement", "target_add", "report_open",
        "report", "report_preview", "report_publish", "version_pdf", "export", "merge",
        "contacts")},
    **{f"funder_reports.{name}": {"funder"} for name in ("index", "version", "version_pdf")},
    # --- end KPIs ---
    # --- Activities (issue 15): scoped like the volunteers' pages (the access test's member
    # and volunteer coordinate nothing: 403; one coordinator against another:
    # tests/activities/test_views.py). Places and neighbourhood events are the board's.
    # The activity calendar and its iCalendar feed are public.
    **{f"activities.{name}": BOARD for name in (
        "index", "week", "activity", "activity_delete", "initiative", "theory_save",
        "partner_add", "partner_delete", "key_figure_add", "key_figure_delete", "places",
        "place", "place_month", "events", "counts", "import_form", "import_preview",
        "import_confirm",
    )},
    "calendar.index": EVERYONE,
    "calendar.feed": EVERYONE,
    # --- end activities ---
})


def _routes(app, endpoint):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]


def _url_parameters():
    """Real values for every URL parameter a route can have."""
    other = factories.create_user("ander@example.org", roles=["member"], two_factor=True)
    message = OutboxMessage(
        sender="coop@localhost",
        recipient=other.email,
        subject="Welkom",
        body_text="Hallo",
        message_id="<1@localhost>",
    )
    db.session.add(message)
    db.session.commit()
    parameters = {
        "user_id": other.id,
        "message_id": message.id,
        "token": accounts.password_reset_token(other),
    }
    _dues_url_parameters(parameters)  # first: the portal reuses its properly numbered invoice
    _portal_url_parameters(parameters)
    _register_url_parameters(parameters)
    _governance_url_parameters(parameters)
    _ledger_url_parameters(parameters)
    _meeting_url_parameters(parameters)
    _direct_debit_url_parameters(parameters)
    _funders_bank_url_parameters(parameters)
    _donations_url_parameters(parameters)
    _volunteers_url_parameters(parameters)
    _kpi_url_parameters(parameters)
    _activities_url_parameters(parameters)
    return other, parameters


# --- KPIs (issue 15) ---
def _kpi_url_parameters(parameters):
    """A KPI report of the funders' agreement with one published version (its PDF bytes
    stand in: rendering one per check would take minutes)."""
    import json
    from datetime import date

    from coop.kpis import reports
    from coop.kpis.models import KpiReportVersion

    agreement = db.session.get(reports.FunderAgreement, parameters["agreement_id"])
    report = reports.open_report(agreement, date(2026, 1, 1), date(2026, 3, 31))
    version = KpiReportVersion(report_id=report.id, version=1, pdf=b"%PDF-1.4 test",
                               figures_json=json.dumps(reports.report_data(report)))
    db.session.add(version)
    db.session.commit()
    parameters["report_id"] = report.id
    parameters["version_id"] = version.id


def _link_funder_contact(user, parameters):
    """The access test's funder contact reads the reports of the agreement's funder."""
    from coop.kpis import reports

    reports.link_contact(user, db.session.get(reports.Funder, parameters["funder_id"]))
    db.session.commit()
# --- end KPIs ---


# --- Volunteers (issue 14) ---
def _volunteers_url_parameters(parameters):
    """An initiative with a volunteer and submitted hours of theirs."""
    from datetime import date

    from coop.volunteers import services as volunteers

    initiative = volunteers.create_initiative({"name": "Toegangstuin"})
    volunteer = volunteers.ensure_volunteer(
        factories.create_person(email="vrijwilliger-toegang@example.org"))
    volunteers.join_initiative(volunteer, initiative)
    entry = volunteers.declare_hours(volunteer, initiative.id, date(2026, 3, 2), 8, "Snoeien",
                                     today=date(2026, 3, 2))
    db.session.commit()
    from coop.volunteers.models import Job

    job = Job(title="Toegangsbaan", person_id=volunteer.person_id, initiative_id=initiative.id,
              employer_kind="coop", contract_type="internship", start_date=date(2026, 1, 1),
              quarter_hours_per_week=64, fee_cents=30000)
    from coop.volunteers.models import AllowancePaymentBatch

    payment_batch = AllowancePaymentBatch(
        message_id="TOEGANG-VRIJW-1", execution_date=date(2026, 3, 9), transaction_count=1,
        total_cents=2500, xml="<Document/>")
    db.session.add_all([job, payment_batch])
    db.session.commit()
    parameters.update(initiative_id=initiative.id, volunteer_id=volunteer.id, hour_id=entry.id,
                      job_id=job.id, payment_batch_id=payment_batch.id)
# --- end volunteers ---


# --- Activities (issue 15) ---
def _activities_url_parameters(parameters):
    """An activity, a partner, a key figure and a place of the volunteers' initiative."""
    from datetime import date

    from coop.activities.models import (
        Activity,
        InitiativeKeyFigure,
        InitiativePartner,
        MeetingPlace,
    )

    initiative_id = parameters["initiative_id"]
    activity = Activity(initiative_id=initiative_id, title="Toegangskoffie",
                        activity_date=date(2026, 3, 2), participants=5)
    partner = InitiativePartner(initiative_id=initiative_id, name="Toegangszorg", role="care")
    figure = InitiativeKeyFigure(initiative_id=initiative_id, value="5", label="bezoekers")
    place = MeetingPlace(name="Toegangshuis", kind="community_centre")
    db.session.add_all([activity, partner, figure, place])
    db.session.commit()
    parameters.update(activity_id=activity.id, partner_id=partner.id, figure_id=figure.id,
                      place_id=place.id)
# --- end activities ---


# --- Online payments and donations (issue 6) ---
def _donations_url_parameters(parameters):
    """A campaign with a gift (its payment row as the webhook would have left it), a
    monthly gift, a dues payment started online and a periodic-gift agreement; no
    Mollie is involved."""
    from datetime import date

    from coop.donations import services as donations
    from coop.donations.models import (
        Campaign,
        Donation,
        PeriodicGiftAgreement,
        RecurringDonation,
    )
    from coop.dues.services import pay_token
    from coop.payments.models import OnlinePayment

    campaign = Campaign(slug="toegang", title="Toegang")
    recurring = RecurringDonation(amount_cents=500, donor_email="maand@example.org",
                                  mollie_customer_id="cst_toegang")
    db.session.add_all([campaign, recurring])
    db.session.flush()
    donation = Donation(campaign_id=campaign.id, amount_cents=2500,
                        donor_email="gever@example.org")
    db.session.add(donation)
    db.session.flush()
    db.session.add_all([
        OnlinePayment(mollie_id="tr_toegang1", idempotency_key="a" * 32, purpose="donation",
                      donation_id=donation.id, amount_cents=2500),
        OnlinePayment(mollie_id="tr_toegang2", idempotency_key="b" * 32, purpose="dues",
                      invoice_id=parameters["invoice_id"], amount_cents=2500),
        PeriodicGiftAgreement(transaction_number="PG2026-0001", donor_name="Gever",
                              yearly_amount_cents=10000, start_date=date(2027, 1, 1),
                              signed_on=date(2026, 12, 1)),
    ])
    db.session.commit()
    from coop.dues.models import Invoice

    parameters.update({
        "slug": campaign.slug, "reference": "a" * 32, "donation_id": donation.id,
        "recurring_id": recurring.id, "campaign_id": campaign.id, "year": 2026,
        "gift_agreement_id": db.session.scalar(db.select(PeriodicGiftAgreement.id)),
        "payment_reference": "b" * 32,
    })
    parameters["stop_token"] = donations.stop_token(recurring)
    parameters["pay_token"] = pay_token(db.session.get(Invoice, parameters["invoice_id"]))
# --- end online payments and donations ---


# --- Dues (issue 3) ---
def _dues_url_parameters(parameters):
    """An open dues invoice, numbered by the dues service (a credit note takes the next
    number of the same sequence, so a hand-made invoice row would collide with it)."""
    parameters["invoice_id"] = factories.create_invoice().id
# --- end dues ---


# --- Member portal and privacy (issue 3) ---
def _portal_url_parameters(parameters):
    """A person with an email and no account (to invite) and an invoice of theirs."""
    from datetime import date

    from coop.dues.models import Invoice

    if "person_id" not in parameters:
        parameters["person_id"] = factories.create_person(email="uitnodiging@example.org").id
    if "invoice_id" not in parameters:
        invoice = Invoice(
            issuer={"name": "Wijkcoöperatie Test"},
            fiscal_year=2026, sequence_number=1, number="2026-00001",
            person_id=parameters["person_id"], issue_date=date(2026, 1, 1),
            due_date=date(2026, 1, 31), total_cents=2500, payment_reference="TOEGANG1",
            addressee_name="Toegang Test",
        )
        db.session.add(invoice)
        db.session.commit()
        parameters["invoice_id"] = invoice.id
# --- end member portal and privacy ---


# --- Member register (issue 3) ---
def _register_url_parameters(parameters):
    """A person, a membership (of another person) and a membership type."""
    membership = factories.create_member(email="register-toegang@example.org")
    parameters.setdefault("person_id", membership.person_id)
    parameters["membership_id"] = membership.id
    parameters["type_id"] = membership.type_id
# --- end member register ---


# --- Governance (issue 4) ---
def _governance_url_parameters(parameters):
    """A board with a chair, and an appointment to it."""
    body = factories.create_body("board")
    position = factories.create_position(body, "voorzitter", authority="alone")
    parameters["body_id"] = body.id
    parameters["position_id"] = position.id
    parameters["appointment_id"] = factories.appoint(position).id
# --- end governance ---


# --- Ledger (issue 5) ---
def _ledger_url_parameters(parameters):
    """An account, a posted entry, a budget line and fiscal year 2026 (opened by the
    dues posting)."""
    from datetime import date

    from coop.ledger import services as ledger
    from coop.ledger.models import LedgerAccount

    ledger.ensure_chart()
    if db.session.get(ledger.FiscalYear, 2026) is None:
        ledger.open_fiscal_year(2026)
    entry = ledger.post_entry(date(2026, 2, 1), "Baromzet", [
        ledger.Line("1000", debit_cents=1000), ledger.Line("8400", credit_cents=1000)])
    db.session.commit()
    parameters["entry_id"] = entry.id
    parameters["account_id"] = db.session.scalar(
        db.select(LedgerAccount.id).where(LedgerAccount.code == "1100"))
    parameters["year"] = 2026
    budget = ledger.set_budget(2026, db.session.scalar(
        db.select(LedgerAccount).where(LedgerAccount.code == "4200")), 90000)
    db.session.commit()
    parameters["budget_id"] = budget.id
# --- end ledger ---
# --- The ALV (issue 4) ---
def _meeting_url_parameters(parameters):
    """A convened meeting with an item, a document, a proposal and a proxy."""
    from coop.meetings import services as meetings
    from coop.meetings.models import AgendaDocument

    meeting, (proposal,) = factories.create_meeting(status="draft")
    document = AgendaDocument(agenda_item_id=proposal.agenda_item_id, filename="stuk.pdf",
                              content_type="application/pdf", size=4, content=b"%PDF")
    db.session.add(document)
    meeting.status = "convened"
    db.session.commit()
    proxy = meetings.grant_proxy(meeting, factories.create_voter(), factories.create_voter())
    db.session.commit()
    parameters.update(meeting_id=meeting.id, item_id=proposal.agenda_item_id,
                      document_id=document.id, proposal_id=proposal.id, proxy_id=proxy.id)
# --- end ALV ---


# --- Direct debit (issue 6) ---
def _direct_debit_url_parameters(parameters):
    """A mandate on the dues invoice's person and a pending batch with one item (rows
    made directly: the access test is about who may open the pages)."""
    from datetime import date

    from coop.directdebit.models import Batch, BatchItem, Mandate
    from coop.dues.models import Invoice

    invoice = db.session.get(Invoice, parameters["invoice_id"])
    mandate = Mandate(
        person_id=invoice.person_id, reference="TOEGANG-1", kind="recurrent", source="paper",
        status="active", account_holder="Toegang Test", iban="NL91ABNA0417164300",
        signed_on=date(2026, 1, 1), consent_text="Machtiging",
    )
    db.session.add(mandate)
    db.session.flush()
    batch = Batch(
        message_id="TOEGANG-BATCH-1", collection_date=date(2026, 3, 2), status="pending",
        creditor_id="NL79ZZZ999999990000", transaction_count=1, total_cents=2500,
        xml="<Document/>",
    )
    db.session.add(batch)
    db.session.flush()
    item = BatchItem(
        batch_id=batch.id, invoice_id=invoice.id, mandate_id=mandate.id,
        sequence_type="FRST", amount_cents=2500, end_to_end_id=f"{invoice.number}-1",
    )
    db.session.add(item)
    db.session.commit()
    parameters.update(mandate_id=mandate.id, batch_id=batch.id, item_id=item.id)
# --- end direct debit ---


# --- Funders and bank (issue 5) ---
def _funders_bank_url_parameters(parameters):
    """A funder with an agreement and a deadline, and an imported bank statement."""
    from datetime import date

    from coop.bank import camt
    from coop.bank import services as bank
    from coop.funders import services as funders
    from tests import factories

    factories.set_bank_account("NL12TRIO0198765432")
    funder = funders.create_funder({"name": "Gemeente Toegang", "kind": "municipality"})
    agreement = funders.create_agreement({
        "funder": funder, "kind": "grant_decision", "reference": "TOEGANG-1",
        "title": "Subsidie", "amount_cents": 100000, "start_date": date(2026, 1, 1),
        "end_date": date(2026, 12, 31)})
    deadline = funders.add_deadline(agreement, date(2026, 12, 1), "Verantwoording")
    result = bank.import_statement(camt.build_statement(
        iban="NL12TRIO0198765432", statement_id="TOEGANG-1", message_id="TOEGANG-1",
        created="2026-03-03T07:00:00", opening_cents=0,
        entries=[{"amount_cents": 2500, "booking_date": date(2026, 3, 2),
                  "bank_reference": "TOEGANG-0001", "text": "Gift"}]))
    db.session.commit()
    parameters["funder_id"] = funder.id
    parameters["agreement_id"] = agreement.id
    parameters["deadline_id"] = deadline.id
    parameters["statement_id"] = result.statement.id
    parameters["transaction_id"] = db.session.scalar(
        db.select(db.func.min(bank.BankTransaction.id)))
# --- end funders and bank ---


def _outcome(response) -> str:
    status = response.status_code
    if status == 403:
        return "forbidden"
    if status == 302:
        location = urlsplit(response.location)
        # Flask-Login's "log in first" redirect carries the page asked for in `next`;
        # public pages that simply send a guest on to /login do not.
        if location.path == "/login" and "next" in parse_qs(location.query):
            return "login"
    # The view ran: it showed a page, redirected, or rejected the empty form (422).
    # Anything else (404 for a bad URL parameter, 400, 500) means the check proved nothing.
    if 200 <= status < 400 or status == 422:
        return "allowed"
    return f"unexpected {status}"


def _expected(role: str, endpoint: str) -> str:
    if role in ALLOWED[endpoint]:
        return "allowed"
    return "login" if role == "guest" else "forbidden"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ALLOWED))
def test_route_access_matches_the_table(app, client, login_as, endpoint, role):
    other, parameters = _url_parameters()
    if role != "guest":
        user = login_as(factories.create_user(roles=[role], two_factor=role == "treasurer"))
        if role == "funder":
            _link_funder_contact(user, parameters)
    if endpoint == "accounts.login_two_factor":
        # The second login step only exists after a correct password.
        with client.session_transaction() as session:
            session["pending_two_factor_user"] = {
                "id": other.get_id(), "remember": False, "next": "/",
            }

    rules = _routes(app, endpoint)
    assert rules, f"{endpoint} is in the table but has no route"
    for rule in rules:
        with app.test_request_context():
            url = url_for(endpoint, **{name: parameters[name] for name in rule.arguments})
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={} if method == "POST" else None)

        assert _outcome(response) == _expected(role, endpoint), (
            f"{method} {url} as {role}: {response.status_code} {response.location or ''}"
        )
        if _expected(role, endpoint) == "login":
            next_url = parse_qs(urlsplit(response.location).query)["next"][0]
            assert urlsplit(next_url).path == url


def test_every_route_is_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    missing = endpoints - ALLOWED.keys()
    assert not missing, f"add these routes to ALLOWED in {__name__}: {sorted(missing)}"
    stale = ALLOWED.keys() - endpoints
    assert not stale, f"these entries in ALLOWED have no route any more: {sorted(stale)}"


@pytest.mark.parametrize(
    "path", ["/dashboard/", "/settings/organisation", "/admin/users", "/account"]
)
def test_treasurer_without_two_factor_is_sent_to_set_it_up(client, login_as, path):
    login_as(factories.create_user(roles=["treasurer"], two_factor=False))

    response = client.get(path)

    assert response.status_code == 302
    assert urlsplit(response.location).path == "/account/two-factor"


def test_treasurer_without_two_factor_can_open_the_setup_page(client, login_as):
    login_as(factories.create_user(roles=["treasurer"], two_factor=False))

    response = client.get("/account/two-factor")

    assert response.status_code == 200
    with client.session_transaction() as session:
        secret = session["two_factor_secret"]
    assert secret in response.text  # the key to type into the authenticator app
