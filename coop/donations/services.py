"""Donation rules: starting a gift, monthly gifts, booking, campaigns, donor statements
and periodic-gift agreements.

Services flush but do not commit; the caller commits once. A refused action raises
`DonationError` (a translated message and the form field it belongs to);
`coop.payments.services.PaymentError` when Mollie cannot be reached.

Deductibility: a statement or agreement speaks of ANBI, RSIN or tax deduction only
when the organisation has ANBI status, which the database refuses for a coöperatie.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from coop import audit, timeutil
from coop.donations import signals as donation_signals
from coop.donations.models import (
    Campaign,
    Donation,
    DonorKind,
    DonorStatementMail,
    Frequency,
    PeriodicGiftAgreement,
    RecurringDonation,
    RecurringStatus,
)
from coop.errors import ServiceError
from coop.extensions import db
from coop.ledger import services as ledger
from coop.ledger.models import AccountPurpose, CostCentre, LedgerAccount
from coop.ledger.services import Line
from coop.locking import lock_key
from coop.mail import MailError, send_after_commit, send_mail
from coop.money import format_money
from coop.payments import services as payments
from coop.payments import signals as payment_signals
from coop.payments.gateway import GatewayRefused, GatewayUnavailable, MolliePayment, gateway
from coop.payments.models import (
    MoneyBack,
    MoneyBackKind,
    OnlinePayment,
    PaymentPurpose,
    PaymentStatus,
    PaymentStatusChange,
    SequenceType,
)
from coop.settings.services import get_organisation
from coop.signals import values_from_signal
from coop.templating import money_locale
from coop.timeutil import AMSTERDAM, utcnow

STOP_SALT = "donations-stop-monthly"


class DonationError(ServiceError):
    """A refused donation action. `field` names the form field the message belongs to."""



# Starting a gift ----------------------------------------------------------------------


def check_amount(cents: int | None, field: str = "amount_other") -> int:
    """The gift amount in cents; raises DonationError below the minimum or above the cap."""
    minimum = current_app.config["DONATION_MIN_CENTS"]
    maximum = current_app.config["DONATION_MAX_CENTS"]
    if cents is None:
        raise DonationError(_l("Choose or enter an amount."), field)
    if cents < minimum:
        raise DonationError(_l("The smallest gift is %(amount)s.",
                               amount=format_money(minimum, money_locale())), field)
    if cents > maximum:
        raise DonationError(
            _l("Online gifts go up to %(amount)s. For a larger gift, please contact us.",
               amount=format_money(maximum, money_locale())), field)
    return cents


@dataclass
class Gift:
    amount_cents: int
    frequency: str = Frequency.ONE_OFF
    donor_name: str | None = None
    donor_email: str | None = None
    donor_kind: str = DonorKind.PRIVATE
    public_consent: bool = False
    campaign: Campaign | None = None
    locale: str = "nl"


def start_gift(gift: Gift, idempotency_key: str) -> OnlinePayment:
    """Record the gift and create its Mollie payment; returns the payment to send the
    donor to (its `checkout_url`). The same key again returns the same payment.

    Raises DonationError for a bad amount, a monthly gift without email address, a
    public mention without a name or an inactive campaign; PaymentError when Mollie
    cannot be reached (nothing is stored then).
    """
    # A double click sends the same form (key) twice at once: the second waits here
    # until the first has committed, then answers the first one's payment.
    lock_key(f"payment-start:{idempotency_key}")
    existing = payments.by_idempotency_key(idempotency_key)
    if existing is not None:
        if existing.donation_id is None:  # a key from another form: start afresh
            raise payments.PaymentError(_l("The form expired. Please submit it again."))
        return existing
    check_amount(gift.amount_cents)
    name = (gift.donor_name or "").strip() or None
    email = (gift.donor_email or "").strip().lower() or None
    if gift.campaign is not None and not gift.campaign.is_active:
        raise DonationError(_l("This campaign has ended."), "campaign")
    if gift.frequency == Frequency.MONTHLY and not email:
        raise DonationError(
            _l("For a monthly gift we need your email address, to send you the link "
               "that stops it."), "donor_email")
    if gift.public_consent and not name:
        raise DonationError(_l("Enter the name we may mention, or untick the box."),
                            "donor_name")
    campaign_id = gift.campaign.id if gift.campaign else None
    recurring = None
    customer_id = None
    sequence_type = SequenceType.ONEOFF
    if gift.frequency == Frequency.MONTHLY:
        customer_id = _create_customer(name, email, idempotency_key)
        recurring = RecurringDonation(
            campaign_id=campaign_id, amount_cents=gift.amount_cents, donor_name=name,
            donor_email=email, donor_kind=gift.donor_kind, public_consent=gift.public_consent,
            locale=gift.locale, mollie_customer_id=customer_id,
        )
        db.session.add(recurring)
        db.session.flush()
        sequence_type = SequenceType.FIRST
    donation = Donation(
        campaign_id=campaign_id, recurring_id=recurring.id if recurring else None,
        frequency=gift.frequency, amount_cents=gift.amount_cents, donor_name=name,
        donor_email=email, donor_kind=gift.donor_kind, public_consent=gift.public_consent,
        locale=gift.locale,
    )
    db.session.add(donation)
    db.session.flush()
    title = gift.campaign.title if gift.campaign else get_organisation().name
    description = (f"Maandelijkse gift {title}" if recurring else f"Gift {title}")
    return payments.start_payment(
        purpose=PaymentPurpose.DONATION, amount_cents=gift.amount_cents,
        description=description, idempotency_key=idempotency_key,
        redirect_url=payments.external_url("donations.thanks", reference=idempotency_key),
        locale=gift.locale, donation_id=donation.id, customer_id=customer_id,
        sequence_type=sequence_type,
    )


def _create_customer(name: str | None, email: str | None, idempotency_key: str) -> str:
    try:
        return gateway().create_customer(name=name, email=email,
                                         idempotency_key=f"{idempotency_key}-customer")
    except (GatewayUnavailable, GatewayRefused) as error:
        current_app.logger.warning("Mollie customer not created: %s", error)
        raise payments.PaymentError(payments.UNAVAILABLE) from None


def gift_of_payment(payment: OnlinePayment) -> Donation:
    return db.session.get(Donation, payment.donation_id)


# After Mollie's answer ---------------------------------------------------------------


@payment_signals.status_changed.connect_via(PaymentPurpose.DONATION)
def after_payment_transition(_purpose, *, payment: OnlinePayment, remote: MolliePayment,
                             **_kwargs) -> None:
    """The first payment of a monthly gift starts (or fails) its subscription; a paid
    gift gets a thank-you mail."""
    donation = gift_of_payment(payment)
    recurring = (db.session.get(RecurringDonation, donation.recurring_id)
                 if donation.recurring_id else None)
    if recurring is not None and payment.sequence_type == SequenceType.FIRST:
        if payment.status == PaymentStatus.PAID and recurring.status == RecurringStatus.PENDING:
            _start_subscription(recurring, payment, remote)
        elif payment.status in (PaymentStatus.FAILED, PaymentStatus.CANCELED,
                                PaymentStatus.EXPIRED):
            recurring.status = RecurringStatus.FAILED.value
    if payment.status == PaymentStatus.PAID and payment.sequence_type != SequenceType.RECURRING:
        _thank(donation, recurring)


def _start_subscription(recurring: RecurringDonation, payment: OnlinePayment,
                        remote: MolliePayment) -> None:
    # The first month is the first payment; the subscription collects from next month.
    start = timeutil.local_today() + timedelta(days=31)
    try:
        subscription = gateway().create_subscription(
            customer_id=recurring.mollie_customer_id, amount_cents=recurring.amount_cents,
            interval="1 month", description=f"Maandelijkse gift {recurring.id}",
            webhook_url=payments.external_url("payments.webhook"),
            metadata={"recurring_id": recurring.id}, mandate_id=remote.mandate_id,
            start_date=start.isoformat(),
            idempotency_key=f"{payment.idempotency_key}-subscription",
        )
    except GatewayRefused as error:
        payments.flag(payment, f"Mollie refused the subscription: {error}")
        return
    recurring.mollie_subscription_id = subscription.id
    recurring.mollie_mandate_id = remote.mandate_id
    recurring.status = RecurringStatus.ACTIVE.value
    db.session.flush()
    audit.record("donations:monthly:start", {"subscription": subscription.id,
                                             "amount_cents": recurring.amount_cents},
                 obj=recurring)


def _thank(donation: Donation, recurring: RecurringDonation | None) -> None:
    """Queue the thank-you mail; it goes out after the webhook's commit (no SMTP while
    the payment row is locked, none for a transition that is rolled back)."""
    if not donation.donor_email:
        return
    organisation = get_organisation()
    context = {
        "name": donation.donor_name, "amount_cents": donation.amount_cents,
        "organisation_name": organisation.name, "monthly": recurring is not None,
        "stop_url": (payments.external_url("donations.stop", stop_token=stop_token(recurring))
                     if recurring is not None else None),
        "anbi": bool(organisation.anbi_status),
    }
    send_after_commit(donation.donor_email, _l("Thank you for your gift"), "donation_thanks",
                      locale=donation.locale,
                      label=f"thank-you mail for donation {donation.id}", **context)


@payment_signals.subscription_payment.connect
def record_subscription_payment(_sender=None, *, remote: MolliePayment,
                                **_kwargs) -> OnlinePayment | None:
    """Our rows for a payment Mollie collected for a monthly gift (first seen in its
    webhook); None when the subscription is not ours. A concurrent webhook that
    inserted it first wins; this one then locks that row."""
    recurring = db.session.scalar(select(RecurringDonation).where(
        RecurringDonation.mollie_subscription_id == remote.subscription_id))
    if recurring is None:
        return None
    try:
        with db.session.begin_nested():
            donation = Donation(
                campaign_id=recurring.campaign_id, recurring_id=recurring.id,
                frequency=Frequency.MONTHLY.value, amount_cents=recurring.amount_cents,
                donor_name=recurring.donor_name, donor_email=recurring.donor_email,
                donor_kind=recurring.donor_kind, public_consent=recurring.public_consent,
                locale=recurring.locale,
            )
            db.session.add(donation)
            db.session.flush()
            payment = OnlinePayment(
                mollie_id=remote.id, idempotency_key=f"mollie-{remote.id}",
                purpose=PaymentPurpose.DONATION.value, donation_id=donation.id,
                amount_cents=recurring.amount_cents, status=PaymentStatus.OPEN.value,
                sequence_type=SequenceType.RECURRING.value,
                details={"subscription_id": remote.subscription_id}, checked_at=utcnow(),
            )
            db.session.add(payment)
            db.session.flush()
            db.session.add(PaymentStatusChange(payment_id=payment.id, from_status=None,
                                               to_status=PaymentStatus.OPEN.value))
            db.session.flush()
    except IntegrityError:
        return payments.lock_payment(remote.id)
    return payment


# Booking ------------------------------------------------------------------------------


def _income_account(donation: Donation) -> LedgerAccount:
    campaign = db.session.get(Campaign, donation.campaign_id) if donation.campaign_id else None
    if campaign is not None and campaign.income_account_id:
        return db.session.get(LedgerAccount, campaign.income_account_id)
    return ledger.account_for(AccountPurpose.DONATIONS_COMPANY
                              if donation.donor_kind == DonorKind.COMPANY
                              else AccountPurpose.DONATIONS_PRIVATE)


def _gift_lines(donation: Donation, amount_cents: int, *, reverse: bool) -> list[Line]:
    campaign = db.session.get(Campaign, donation.campaign_id) if donation.campaign_id else None
    centre = campaign.cost_centre_id if campaign else None
    bank = ledger.account_for(AccountPurpose.BANK)
    income = _income_account(donation)
    if reverse:
        return [Line(income, debit_cents=amount_cents, cost_centre_id=centre),
                Line(bank, credit_cents=amount_cents)]
    return [Line(bank, debit_cents=amount_cents),
            Line(income, credit_cents=amount_cents, cost_centre_id=centre)]


def gift_spec(payment: OnlinePayment):
    """The entry of a paid gift: bank against the gift's income account (per earmark and
    donor kind), the campaign's cost centre on the income line. Raises LedgerError."""
    donation = gift_of_payment(payment)
    campaign = db.session.get(Campaign, donation.campaign_id) if donation.campaign_id else None
    what = f"Gift {campaign.title}" if campaign else "Gift"
    # The gift's number, never the donor's name: a posted entry cannot be changed, and
    # the donor's name must be erasable (coop.donations.privacy).
    return payments.spec(
        timeutil.local_date(payment.paid_at), f"{what} #{donation.id}",
        _gift_lines(donation, payment.amount_cents, reverse=False), payment.mollie_id)


def money_back_spec(payment: OnlinePayment, back: MoneyBack):
    """The entry of a refund or chargeback: the gift's entry mirrored, for its amount."""
    donation = gift_of_payment(payment)
    label = "Terugbetaling" if back.kind == MoneyBackKind.REFUND else "Chargeback"
    return payments.spec(
        timeutil.local_today(), f"{label} gift #{donation.id} ({payment.mollie_id})",
        _gift_lines(donation, back.amount_cents, reverse=True), back.mollie_id)


def chargeback_reversal_spec(payment: OnlinePayment, back: MoneyBack):
    """The entry of a chargeback the bank reversed: the gift booked again for its amount."""
    donation = gift_of_payment(payment)
    return payments.spec(
        timeutil.local_today(),
        f"Chargeback teruggedraaid gift #{donation.id} ({payment.mollie_id})",
        _gift_lines(donation, back.amount_cents, reverse=False), back.mollie_id)


@payment_signals.paid.connect_via(PaymentPurpose.DONATION)
def _book_paid_gift(_purpose, *, payment: OnlinePayment, **_kwargs):
    """A paid gift: its income is posted together with Mollie's fee."""
    return [("income_entry_id", lambda: gift_spec(payment))]


@payment_signals.chargeback_reversed.connect_via(PaymentPurpose.DONATION)
def _book_reversed_chargeback(_purpose, *, payment: OnlinePayment, back: MoneyBack,
                              **_kwargs) -> bool:
    """The bank undid a chargeback of a gift: its income is booked again."""
    payments.book(back, [("reversal_entry_id",
                          lambda: chargeback_reversal_spec(payment, back))])
    if back.reversal_entry_id is None:
        payments.flag(payment, f"reversal of chargeback {back.mollie_id} not booked")
    return True


@payment_signals.money_back.connect_via(PaymentPurpose.DONATION)
def _book_gift_money_back(_purpose, *, payment: OnlinePayment, back: MoneyBack,
                          **_kwargs) -> bool | None:
    """A refund or chargeback of a booked gift: the gift's entry mirrored."""
    if payment.income_entry_id is None:
        return None
    payments.book(back, [("entry_id", lambda: money_back_spec(payment, back))])
    if back.entry_id is None:
        payments.flag(payment, f"{back.kind} {back.mollie_id} not booked")
    return True


# What a gift looks like --------------------------------------------------------------

# A gift's payment reads as the payment does (refunds and chargebacks included).
GIFT_STATUS_LABELS = payments.DISPLAY_STATUS_LABELS
gift_status = payments.display_status


def _net():
    return (OnlinePayment.amount_cents - OnlinePayment.refunded_cents
            - OnlinePayment.charged_back_cents)


def campaign_totals(campaign_ids) -> dict[int, tuple[int, int]]:
    """Per campaign: (net amount received, number of paid gifts)."""
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        select(Donation.campaign_id, func.coalesce(func.sum(_net()), 0), func.count())
        .join(OnlinePayment, OnlinePayment.donation_id == Donation.id)
        .where(Donation.campaign_id.in_(list(campaign_ids)),
               OnlinePayment.status == PaymentStatus.PAID, OnlinePayment.flag.is_(None))
        .group_by(Donation.campaign_id)
    ).all()
    return {campaign_id: (int(total), count) for campaign_id, total, count in rows}


def public_donors(campaign: Campaign, limit: int = 20) -> list[str]:
    """Names of donors who agreed to be mentioned, newest first."""
    return list(db.session.scalars(
        select(Donation.donor_name)
        .join(OnlinePayment, OnlinePayment.donation_id == Donation.id)
        .where(Donation.campaign_id == campaign.id, Donation.public_consent.is_(True),
               Donation.donor_name.is_not(None), OnlinePayment.status == PaymentStatus.PAID)
        .order_by(Donation.id.desc()).limit(limit)))


def campaign_progress(campaign: Campaign) -> tuple[tuple[int, int], list[str]]:
    """A campaign page's progress (net amount, gifts) and public donor names.

    Kept per server process for DONATION_PROGRESS_CACHE_SECONDS (0: always counted
    afresh): two queries fewer on the busiest public page, at the price of a progress
    bar a few seconds behind. Pages that must be exact (the thank-you page, the board's)
    use `campaign_totals`.
    """
    seconds = current_app.config["DONATION_PROGRESS_CACHE_SECONDS"]
    cache = current_app.extensions.setdefault("coop.campaign_progress", {})
    now = time.monotonic()
    if seconds > 0:
        kept = cache.get(campaign.id)
        if kept is not None and now - kept[0] < seconds:
            return kept[1], kept[2]
    raised = campaign_totals([campaign.id]).get(campaign.id, (0, 0))
    donors = public_donors(campaign)
    if seconds > 0:
        cache[campaign.id] = (now, raised, donors)
    return raised, donors


def active_campaigns() -> list[Campaign]:
    return list(db.session.scalars(
        select(Campaign).where(Campaign.is_active.is_(True)).order_by(Campaign.title)))


def campaign_by_slug(slug: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug,
                                                    Campaign.is_active.is_(True)))


def save_campaign(campaign: Campaign | None, values: dict, actor=None) -> Campaign:
    """Create or update a campaign. Raises DonationError for a slug in use, a target of
    zero or less, or an unknown cost centre or account."""
    slug = (values.get("slug") or "").strip().lower()
    clash = db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
    if clash and (campaign is None or clash != campaign.id):
        raise DonationError(_l("Another campaign already uses this web address."), "slug")
    target = values.get("target_cents")
    if target is not None and target <= 0:
        raise DonationError(_l("The target must be more than zero."), "target")
    centre_id = values.get("cost_centre_id") or None
    if centre_id and db.session.get(CostCentre, centre_id) is None:
        raise DonationError(_l("Unknown cost centre."), "cost_centre_id")
    account_id = values.get("income_account_id") or None
    if account_id:
        account = db.session.get(LedgerAccount, account_id)
        if account is None or account.kind != "income":
            raise DonationError(_l("Choose an income account."), "income_account_id")
    fields = {"slug": slug, "title": values["title"].strip(),
              "description": (values.get("description") or "").strip() or None,
              "target_cents": target, "cost_centre_id": centre_id,
              "income_account_id": account_id, "is_active": bool(values.get("is_active", True))}
    if campaign is None:
        campaign = Campaign(**fields)
        db.session.add(campaign)
        db.session.flush()
        audit.record("donations:campaign:create", {"slug": slug}, obj=campaign, actor=actor)
    else:
        diff = audit.changes(campaign, list(fields), fields)
        for key, value in fields.items():
            setattr(campaign, key, value)
        db.session.flush()
        if diff:
            audit.record("donations:campaign:update", diff, obj=campaign, actor=actor)
    return campaign


# Monthly gifts -------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=STOP_SALT)


def stop_token(recurring: RecurringDonation) -> str:
    return _serializer().dumps({"r": recurring.id, "c": recurring.mollie_customer_id})


def recurring_from_token(token: str) -> RecurringDonation | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    recurring = db.session.get(RecurringDonation, data.get("r")) if isinstance(data, dict) \
        else None
    if recurring is None or recurring.mollie_customer_id != data.get("c"):
        return None
    return recurring


def stop_monthly(recurring: RecurringDonation, actor=None) -> RecurringDonation:
    """Cancel the Mollie subscription of a monthly gift. Stopping it twice is harmless.
    Raises PaymentError when Mollie cannot be reached (nothing changes then)."""

    if recurring.status == RecurringStatus.CANCELED:
        return recurring
    if recurring.mollie_subscription_id:
        try:
            gateway().cancel_subscription(recurring.mollie_customer_id,
                                          recurring.mollie_subscription_id)
        except GatewayUnavailable:
            raise payments.PaymentError(payments.UNAVAILABLE) from None
        except GatewayRefused as error:
            current_app.logger.warning("cancel of %s refused: %s",
                                       recurring.mollie_subscription_id, error)
    recurring.status = RecurringStatus.CANCELED.value
    recurring.canceled_at = utcnow()
    db.session.flush()
    audit.record("donations:monthly:stop", {"subscription": recurring.mollie_subscription_id},
                 obj=recurring, actor=actor)
    return recurring


# Donor statements and periodic gifts ----------------------------------------------------


def statement_donors(year: int) -> list[tuple[str, str | None, int, int]]:
    """Donors with an email who gave in `year`: (email, name, net total, gifts)."""
    start, end = _year_bounds(year)
    rows = db.session.execute(
        select(Donation.donor_email, func.max(Donation.donor_name),
               func.sum(_net()), func.count())
        .join(OnlinePayment, OnlinePayment.donation_id == Donation.id)
        .where(Donation.donor_email.is_not(None), OnlinePayment.status == PaymentStatus.PAID,
               OnlinePayment.paid_at >= start, OnlinePayment.paid_at < end)
        .group_by(Donation.donor_email).order_by(Donation.donor_email)
    ).all()
    donors = {email: [name, int(total), count] for email, name, total, count in rows
              if total > 0}
    for gift in other_gifts(year):
        donor = donors.setdefault(gift["email"], [None, 0, 0])
        donor[0] = donor[0] or gift.get("name")
        donor[1] += gift["amount_cents"]
        donor[2] += 1
    return [(email, name, total, count) for email, (name, total, count)
            in sorted(donors.items()) if total > 0]


def other_gifts(year: int, email: str | None = None) -> list[dict]:
    """The gifts of `year` not paid online that the packages above report (a waived
    volunteer allowance: `coop.signals`), for one donor's e-mail or all."""
    return [gift for gifts in values_from_signal(donation_signals.other_gifts, year,
                                                 email=email)
            for gift in gifts if gift["amount_cents"] > 0 and gift.get("email")]


def _year_bounds(year: int):
    start = datetime(year, 1, 1, tzinfo=AMSTERDAM)
    end = datetime(year + 1, 1, 1, tzinfo=AMSTERDAM)
    return start, end


def statement_document(email: str, year: int) -> dict:
    """Plain values for the yearly statement of one donor. Raises DonationError when
    the donor gave nothing that year."""
    start, end = _year_bounds(year)
    rows = db.session.execute(
        select(Donation, OnlinePayment, Campaign.title)
        .join(OnlinePayment, OnlinePayment.donation_id == Donation.id)
        .outerjoin(Campaign, Campaign.id == Donation.campaign_id)
        .where(Donation.donor_email == email.strip().lower(),
               OnlinePayment.status == PaymentStatus.PAID,
               OnlinePayment.paid_at >= start, OnlinePayment.paid_at < end)
        .order_by(OnlinePayment.paid_at)
    ).all()
    gifts = []
    for donation, payment, title in rows:
        net = payment.amount_cents - payment.refunded_cents - payment.charged_back_cents
        if net <= 0:
            continue
        gifts.append({"date": payment.paid_at.astimezone(AMSTERDAM).date(),
                      "amount_cents": net, "campaign": title or "",
                      "monthly": donation.frequency == Frequency.MONTHLY})
    others = other_gifts(year, email.strip().lower())
    gifts.extend({"date": gift["date"], "amount_cents": gift["amount_cents"],
                  "campaign": str(gift.get("what") or ""), "monthly": False}
                 for gift in others)
    gifts.sort(key=lambda gift: gift["date"])
    if not gifts:
        raise DonationError(_l("This donor gave nothing in %(year)s.", year=year), "email")
    name = next((d.donor_name for d, _p, _t in rows if d.donor_name),
                next((gift["name"] for gift in others if gift.get("name")), None))
    return {"year": year, "email": email, "name": name or email, "gifts": gifts,
            "total_cents": sum(g["amount_cents"] for g in gifts),
            "organisation": organisation_document(), "today": timeutil.local_today()}


def organisation_document() -> dict:
    organisation = get_organisation()
    anbi = bool(organisation.anbi_status) and organisation.can_be_anbi
    return {"name": organisation.name, "anbi": anbi,
            "rsin": organisation.rsin if anbi else None,
            "address": ", ".join(p for p in (organisation.street, organisation.postcode,
                                             organisation.city) if p),
            "email": organisation.email or "", "kvk": organisation.kvk_number or ""}


def render_statement_pdf(email: str, year: int) -> bytes:
    # Deferred on purpose: WeasyPrint takes about two seconds to import.
    from coop.pdf import render_pdf

    return render_pdf("pdf/donor_statement.html", **statement_document(email, year))


def render_statement_pdf_in(email: str, year: int, locale: str) -> bytes:
    """The statement PDF in the donor's language."""

    with force_locale(locale):
        return render_statement_pdf(email, year)


# Mailing the statements ------------------------------------------------------------------


def statement_mails(year: int) -> dict[str, DonorStatementMail]:
    """The statements of `year` mailed so far, by donor email."""
    return {row.donor_email: row for row in db.session.scalars(
        select(DonorStatementMail).where(DonorStatementMail.year == year,
                                         DonorStatementMail.donor_email.is_not(None)))}


def donors_to_mail(year: int) -> list[tuple[str, str | None, int, int]]:
    """The donors of `statement_donors(year)` whose statement was not mailed yet."""
    mailed = statement_mails(year)
    return [row for row in statement_donors(year) if row[0] not in mailed]


def donor_locale(email: str, year: int) -> str:
    """The language of the donor's latest gift in `year` (the donation form's), when the
    app speaks it; else Dutch."""
    _start, end = _year_bounds(year)
    locale = db.session.scalar(
        select(Donation.locale).where(Donation.donor_email == email,
                                      Donation.created_at < end)
        .order_by(Donation.created_at.desc(), Donation.id.desc()).limit(1))
    return locale if locale in current_app.config["LANGUAGES"] else "nl"


@dataclass
class StatementMailing:
    year: int
    sent: list[str]
    failed: list[str]
    already: int


def mail_statements(year: int, actor=None) -> StatementMailing:
    """Mail each donor of `year` who was not mailed yet their statement, the PDF
    attached, in their language. Each donor is committed on its own (their log row,
    audit entry and, with the outbox backend, the mail): a mail that fails is rolled
    back, logged and reported in `failed`, and the others go on. A summary audit entry
    is added at the end; the caller commits it.
    """
    before = len(statement_mails(year))
    sent, failed = [], []
    for email, name, total, _count in donors_to_mail(year):
        locale = donor_locale(email, year)
        try:
            pdf = render_statement_pdf_in(email, year, locale)
            log = DonorStatementMail(year=year, donor_email=email, total_cents=total,
                                     locale=locale, sent_by_id=audit.acting_user_id(actor))
            db.session.add(log)
            db.session.flush()  # a statement mailed meanwhile by someone else: refused
            audit.record("donations:statement:mail", {"year": year, "total_cents": total,
                                                      "locale": locale},
                         obj=log, actor=actor)
            send_mail(email, _l("Your gifts to %(organisation)s in %(year)s",
                                organisation=get_organisation().name, year=year),
                      "donor_statement", locale=locale,
                      attachments=[(f"giften-{year}.pdf", "application/pdf", pdf)],
                      year=year, total_cents=total, name=name,
                      organisation=organisation_document())
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # mailed by a concurrent run: not twice
        except (MailError, DonationError) as error:
            db.session.rollback()
            current_app.logger.warning("a donor statement %s was not mailed: %s", year,
                                       getattr(error, "message", error))
            failed.append(email)
        else:
            sent.append(email)
    audit.record("donations:statement:mail_run",
                 {"year": year, "sent": len(sent), "failed": len(failed), "already": before},
                 actor=actor)
    return StatementMailing(year=year, sent=sent, failed=failed, already=before)


def _next_transaction_number(year: int) -> str:
    count = db.session.scalar(select(func.count()).select_from(PeriodicGiftAgreement).where(
        PeriodicGiftAgreement.transaction_number.like(f"PG{year}-%")))
    return f"PG{year}-{count + 1:04d}"


def record_agreement(values: dict, actor=None) -> PeriodicGiftAgreement:
    """Record a periodic-gift agreement. Raises DonationError when the organisation has
    no ANBI status (a coöperatie never has), for fewer than five years, an amount of
    zero, or a signing date after the start."""
    organisation = get_organisation()
    if not (organisation.anbi_status and organisation.can_be_anbi):
        raise DonationError(_l("Only an ANBI can record periodic gifts: set the ANBI status "
                               "in the settings first."))
    if (values.get("years") or 0) < 5:
        raise DonationError(_l("A periodic gift runs for at least five years."), "years")
    if (values.get("yearly_amount_cents") or 0) <= 0:
        raise DonationError(_l("The amount must be more than zero."), "yearly_amount")
    if values["signed_on"] > values["start_date"] + timedelta(days=366):
        raise DonationError(_l("The agreement is signed before or in its first year."),
                            "signed_on")
    agreement = PeriodicGiftAgreement(
        transaction_number=_next_transaction_number(values["start_date"].year),
        donor_name=values["donor_name"].strip(),
        donor_email=(values.get("donor_email") or "").strip().lower() or None,
        donor_address=(values.get("donor_address") or "").strip() or None,
        yearly_amount_cents=values["yearly_amount_cents"], start_date=values["start_date"],
        years=values["years"], signed_on=values["signed_on"],
        created_by_id=audit.acting_user_id(actor),
    )
    db.session.add(agreement)
    db.session.flush()
    audit.record("donations:agreement:record",
                 {"number": agreement.transaction_number,
                  "yearly_amount_cents": agreement.yearly_amount_cents,
                  "years": agreement.years}, obj=agreement, actor=actor)
    return agreement


def agreement_document(agreement: PeriodicGiftAgreement) -> dict:
    end_year = agreement.start_date.year + agreement.years - 1
    return {"number": agreement.transaction_number, "donor_name": agreement.donor_name,
            "donor_address": agreement.donor_address or "",
            "donor_email": agreement.donor_email or "",
            "yearly_amount_cents": agreement.yearly_amount_cents,
            "start_date": agreement.start_date, "years": agreement.years,
            "end_year": end_year, "signed_on": agreement.signed_on,
            "organisation": organisation_document()}


def render_agreement_pdf(agreement: PeriodicGiftAgreement) -> bytes:
    # Deferred on purpose: WeasyPrint takes about two seconds to import.
    from coop.pdf import render_pdf

    return render_pdf("pdf/periodic_gift.html", **agreement_document(agreement))


# The board's lists ---------------------------------------------------------------------


def recent_gifts(limit: int = 100, campaign_id: int | None = None):
    query = (select(Donation, OnlinePayment, Campaign.title)
             .join(OnlinePayment, OnlinePayment.donation_id == Donation.id)
             .outerjoin(Campaign, Campaign.id == Donation.campaign_id)
             .order_by(Donation.id.desc()).limit(limit))
    if campaign_id:
        query = query.where(Donation.campaign_id == campaign_id)
    return db.session.execute(query).all()


def subscriptions_overview():
    """Monthly gifts with their number of paid payments and net total."""
    paid = (select(Donation.recurring_id.label("recurring_id"),
                   func.count().label("paid"), func.sum(_net()).label("total"))
            .join(OnlinePayment, and_(OnlinePayment.donation_id == Donation.id,
                                      OnlinePayment.status == PaymentStatus.PAID))
            .where(Donation.recurring_id.is_not(None))
            .group_by(Donation.recurring_id).subquery())
    return db.session.execute(
        select(RecurringDonation, func.coalesce(paid.c.paid, 0),
               func.coalesce(paid.c.total, 0), Campaign.title)
        .outerjoin(paid, paid.c.recurring_id == RecurringDonation.id)
        .outerjoin(Campaign, Campaign.id == RecurringDonation.campaign_id)
        .order_by(RecurringDonation.status, RecurringDonation.id.desc())
    ).all()


def payments_of_recurring(recurring: RecurringDonation):
    return db.session.execute(
        select(Donation, OnlinePayment)
        .join(OnlinePayment, OnlinePayment.donation_id == Donation.id)
        .where(Donation.recurring_id == recurring.id).order_by(Donation.id)
    ).all()

