"""Donations: the public donation and campaign pages (no login, no JavaScript needed),
the thank-you page, stopping a monthly gift; the board's lists, refunds, campaigns,
donor statements and periodic-gift agreements."""

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from coop import timeutil
from coop.accounts.forms import ConfirmForm
from coop.args import int_arg
from coop.donations import privacy, services
from coop.donations.forms import (
    AgreementForm,
    CampaignForm,
    DonationForm,
    DonorErasureForm,
    RefundForm,
)
from coop.donations.models import (
    Campaign,
    Donation,
    DonorKind,
    Frequency,
    PeriodicGiftAgreement,
    RecurringDonation,
)
from coop.extensions import db
from coop.ledger.models import AccountKind, CostCentre, LedgerAccount
from coop.money import format_plain
from coop.payments import services as payments
from coop.payments.models import OnlinePayment
from coop.permissions import Permission, public, require
from coop.web import refusal

bp = Blueprint("donations", __name__)


# The public pages ---------------------------------------------------------------------


def _donation_page(campaign: Campaign | None):
    # A campaign page has no choice of campaign: no need to load the others.
    campaigns = [campaign] if campaign is not None else services.active_campaigns()
    form = DonationForm(campaigns=campaigns)
    if request.method == "GET":
        form.key.data = payments.new_idempotency_key()
        if campaign is not None:
            form.campaign.data = campaign.slug
        return _render_donation(form, campaign, campaigns)
    if not form.validate_on_submit():
        response = _render_donation(form, campaign, campaigns)
        response.status_code = 422
        return response
    chosen = campaign
    if campaign is None and form.campaign.data:
        chosen = services.campaign_by_slug(form.campaign.data)
    gift = services.Gift(
        amount_cents=form.chosen_cents(), frequency=form.frequency.data,
        donor_name=form.donor_name.data, donor_email=form.donor_email.data,
        donor_kind=form.donor_kind.data, public_consent=form.public_consent.data,
        campaign=chosen, locale=str(get_locale()),
    )
    with refusal(form) as refused:
        if gift.amount_cents is None:
            raise services.DonationError(_("Choose or enter an amount."), "amount_other")
        payment = services.start_gift(gift, form.key.data or "")
    if refused:
        response = _render_donation(form, campaign, campaigns)
        response.status_code = 422
        return response
    if payment.status != "open" or not payment.checkout_url:
        return redirect(url_for("donations.thanks", reference=payment.idempotency_key))
    return redirect(payment.checkout_url, 303)


def _render_donation(form, campaign, campaigns):
    raised, donors = services.campaign_progress(campaign) if campaign else ((0, 0), [])
    return payments.allow_checkout_redirect(render_template(
        "donations/donate.html", form=form, campaign=campaign, campaigns=campaigns,
        raised=raised, donors=donors, other_campaigns=campaign is None,
    ))


@bp.route("/donate/", methods=["GET", "POST"])
@public
def donate():
    return _donation_page(None)


@bp.route("/donate/<slug>", methods=["GET", "POST"])
@public
def campaign(slug: str):
    found = services.campaign_by_slug(slug)
    if found is None:
        abort(404)
    return _donation_page(found)


@bp.get("/donate/thanks/<reference>")
@public
def thanks(reference: str):
    if not payments.IDEMPOTENCY_KEY.fullmatch(reference):
        abort(404)
    payment = payments.by_idempotency_key(reference)
    if payment is None or payment.donation_id is None:
        abort(404)
    donation = db.session.get(Donation, payment.donation_id)
    campaign = db.session.get(Campaign, donation.campaign_id) if donation.campaign_id else None
    totals = services.campaign_totals([campaign.id]) if campaign else {}
    return render_template(
        "donations/thanks.html", payment=payment, donation=donation, campaign=campaign,
        raised=totals.get(campaign.id, (0, 0)) if campaign else (0, 0),
    )


@bp.route("/donate/stop/<stop_token>", methods=["GET", "POST"])
@public
def stop(stop_token: str):
    """The link in the confirmation mail of a monthly gift."""
    recurring = services.recurring_from_token(stop_token)
    if recurring is None:
        abort(404)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        with refusal() as refused:
            services.stop_monthly(recurring)
        if refused:
            return render_template("donations/stop.html", recurring=recurring, form=form), 503
        flash(_("Your monthly gift has been stopped. Thank you for your support!"), "success")
        return redirect(url_for("donations.stop", stop_token=stop_token))
    return render_template("donations/stop.html", recurring=recurring, form=form)


# The board's pages ----------------------------------------------------------------------


@bp.get("/donations/")
@require(Permission.FINANCE_READ)
def index():
    campaign_id = int_arg("campaign")
    campaigns = list(db.session.scalars(select(Campaign).order_by(Campaign.title)))
    totals = services.campaign_totals([c.id for c in campaigns])
    flagged = list(db.session.scalars(
        select(OnlinePayment).where(OnlinePayment.flag.is_not(None))
        .order_by(OnlinePayment.id.desc()).limit(50)))
    return render_template(
        "donations/index.html", campaigns=campaigns, totals=totals,
        gifts=services.recent_gifts(campaign_id=campaign_id), campaign_id=campaign_id,
        flagged=flagged, status_of=services.gift_status,
        status_labels=services.GIFT_STATUS_LABELS,
    )


def _gift_or_404(donation_id: int) -> tuple[Donation, OnlinePayment]:
    donation = db.session.get(Donation, donation_id)
    payment = donation and db.session.scalar(
        select(OnlinePayment).where(OnlinePayment.donation_id == donation.id))
    if donation is None or payment is None:
        abort(404)
    return donation, payment


def _render_gift(donation, payment, refund_form, status=200):
    campaign = db.session.get(Campaign, donation.campaign_id) if donation.campaign_id else None
    return render_template(
        "donations/gift.html", donation=donation, payment=payment, campaign=campaign,
        history=payments.status_history(payment), money_back=payments.money_back_of(payment),
        refundable=payments.refundable_cents(payment), refund_form=refund_form,
        status=services.gift_status(payment), status_labels=services.GIFT_STATUS_LABELS,
        donor_kinds={DonorKind.PRIVATE.value: _("private person"),
                     DonorKind.COMPANY.value: _("company")},
        frequencies={Frequency.ONE_OFF.value: _("once"), Frequency.MONTHLY.value: _("monthly")},
    ), status


@bp.get("/donations/gifts/<int:donation_id>")
@require(Permission.FINANCE_READ)
def gift(donation_id: int):
    donation, payment = _gift_or_404(donation_id)
    form = RefundForm(key=payments.new_idempotency_key())
    return _render_gift(donation, payment, form)


@bp.post("/donations/gifts/<int:donation_id>/refund")
@require(Permission.FINANCE_WRITE)
def refund(donation_id: int):
    donation, payment = _gift_or_404(donation_id)
    form = RefundForm()
    if form.validate_on_submit():
        with refusal(form) as refused:
            payments.refund(payment, form.amount.cents, form.reason.data,
                            form.key.data or payments.new_idempotency_key())
        if not refused:
            flash(_("The refund has been sent to Mollie and booked."), "success")
            return redirect(url_for("donations.gift", donation_id=donation.id))
    donation, payment = _gift_or_404(donation_id)
    return _render_gift(donation, payment, form, 422)


@bp.get("/donations/monthly")
@require(Permission.FINANCE_READ)
def subscriptions():
    return render_template("donations/subscriptions.html",
                           rows=services.subscriptions_overview())


@bp.get("/donations/monthly/<int:recurring_id>")
@require(Permission.FINANCE_READ)
def subscription(recurring_id: int):
    recurring = db.session.get(RecurringDonation, recurring_id) or abort(404)
    return render_template(
        "donations/subscription.html", recurring=recurring,
        rows=services.payments_of_recurring(recurring), status_of=services.gift_status,
        status_labels=services.GIFT_STATUS_LABELS, form=ConfirmForm(),
    )


@bp.post("/donations/monthly/<int:recurring_id>/stop")
@require(Permission.FINANCE_WRITE)
def subscription_stop(recurring_id: int):
    recurring = db.session.get(RecurringDonation, recurring_id) or abort(404)
    with refusal() as refused:
        services.stop_monthly(recurring)
    if not refused:
        flash(_("The monthly gift has been stopped."), "success")
    return redirect(url_for("donations.subscription", recurring_id=recurring_id))


def _campaign_form(campaign=None, formdata=None):
    form = CampaignForm(formdata=formdata, obj=campaign)
    form.cost_centre_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(c.id, f"{c.code} {c.name}") for c in db.session.scalars(
            select(CostCentre).where(CostCentre.is_active.is_(True)).order_by(CostCentre.code))]
    form.income_account_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(a.id, f"{a.code} {a.name}") for a in db.session.scalars(
            select(LedgerAccount).where(LedgerAccount.kind == AccountKind.INCOME,
                                        LedgerAccount.is_active.is_(True))
            .order_by(LedgerAccount.code))]
    if campaign is not None and formdata is None and campaign.target_cents:
        form.target.data = format_plain(campaign.target_cents).replace(".", ",")
    return form


def _save_campaign(campaign):
    form = _campaign_form(campaign, request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate_on_submit():
            values = {"title": form.title.data, "slug": form.slug.data,
                      "description": form.description.data, "target_cents": form.target.cents,
                      "cost_centre_id": form.cost_centre_id.data or None,
                      "income_account_id": form.income_account_id.data or None,
                      "is_active": form.is_active.data}
            with refusal(form) as refused:
                services.save_campaign(campaign, values)
            if not refused:
                flash(_("The campaign has been saved."), "success")
                return redirect(url_for("donations.index"))
        return render_template("donations/campaign_form.html", form=form,
                               campaign=campaign), 422
    return render_template("donations/campaign_form.html", form=form, campaign=campaign)


@bp.route("/donations/campaigns/new", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def campaign_new():
    return _save_campaign(None)


@bp.route("/donations/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def campaign_edit(campaign_id: int):
    return _save_campaign(db.session.get(Campaign, campaign_id) or abort(404))


@bp.get("/donations/statements")
@require(Permission.FINANCE_READ)
def statements():
    year = int_arg("year") or timeutil.local_today().year - 1
    if not 2000 <= year <= 2100:
        year = timeutil.local_today().year - 1
    donors = services.statement_donors(year)
    return render_template("donations/statements.html", year=year, donors=donors,
                           mailed=services.statement_mails(year),
                           to_mail=len(services.donors_to_mail(year)),
                           organisation=services.organisation_document())


@bp.route("/donations/statements/<int:year>/mail", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)  # mails every donor: the treasurer's act, not a reader's
def statements_mail(year: int):
    """Mail the statements of `year` to the donors not mailed yet, after a confirmation."""
    if not 2000 <= year <= 2100:
        abort(404)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        result = services.mail_statements(year)
        if result.sent:
            flash(_("%(count)s statement(s) mailed.", count=len(result.sent)), "success")
        if result.failed:
            flash(_("These statements could not be mailed (try again later): %(emails)s",
                    emails=", ".join(result.failed)), "error")
        if not result.sent and not result.failed:
            flash(_("Every donor with an email address has had this statement by mail."),
                  "info")
        return redirect(url_for("donations.statements", year=year))
    return render_template("donations/statements_mail.html", year=year, form=form,
                           donors=services.donors_to_mail(year),
                           already=len(services.statement_mails(year)))


@bp.get("/donations/statements/<int:year>.pdf")
@require(Permission.FINANCE_READ)
def statement_pdf(year: int):
    email = request.args.get("email", "").strip().lower()
    if not email:
        return redirect(url_for("donations.statements", year=year))
    try:
        pdf = services.render_statement_pdf(email, year)
    except services.DonationError:
        abort(404)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="giften-{year}.pdf"'})


@bp.get("/donations/agreements")
@require(Permission.FINANCE_READ)
def agreements():
    rows = list(db.session.scalars(
        select(PeriodicGiftAgreement).order_by(PeriodicGiftAgreement.id.desc())))
    return render_template("donations/agreements.html", rows=rows,
                           organisation=services.organisation_document())


@bp.route("/donations/agreements/new", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def agreement_new():
    form = AgreementForm()
    organisation = services.organisation_document()
    if request.method == "GET":
        form.start_date.data = date(timeutil.local_today().year + 1, 1, 1)
        form.signed_on.data = timeutil.local_today()
        return render_template("donations/agreement_form.html", form=form,
                               organisation=organisation)
    if form.validate_on_submit():
        values = {"donor_name": form.donor_name.data, "donor_email": form.donor_email.data,
                  "donor_address": form.donor_address.data,
                  "yearly_amount_cents": form.yearly_amount.cents,
                  "start_date": form.start_date.data, "years": form.years.data,
                  "signed_on": form.signed_on.data}
        with refusal(form) as refused:
            agreement = services.record_agreement(values)
        if not refused:
            flash(_("The agreement %(number)s has been recorded.",
                    number=agreement.transaction_number), "success")
            return redirect(url_for("donations.agreements"))
    return render_template("donations/agreement_form.html", form=form,
                           organisation=organisation), 422


@bp.get("/donations/agreements/<int:gift_agreement_id>.pdf")
@require(Permission.FINANCE_READ)
def agreement_pdf(gift_agreement_id: int):
    agreement = db.session.get(PeriodicGiftAgreement, gift_agreement_id) or abort(404)
    pdf = services.render_agreement_pdf(agreement)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition":
            f'attachment; filename="periodieke-gift-{agreement.transaction_number}.pdf"'})


@bp.route("/donations/privacy", methods=["GET", "POST"])
@require(Permission.FINANCE_WRITE)
def erase_donor():
    """A donor's erasure request: their name and email go from their gifts, at once,
    unless the fiscal retention duty still needs them (the message says why). Two
    steps: what would go, then the confirmation."""
    form = DonorErasureForm()
    if request.method == "GET":
        return render_template("donations/erase_donor.html", form=form, donor=None,
                               retention=privacy.retention_years())
    if not form.validate_on_submit():
        return render_template("donations/erase_donor.html", form=form, donor=None,
                               retention=privacy.retention_years()), 422
    with refusal(form) as refused:
        if form.confirmed.data != "yes":
            donor = privacy.erasure_preview(form.email.data)
            form.confirmed.data = "yes"
            return render_template("donations/erase_donor.html", form=form, donor=donor,
                                   retention=privacy.retention_years())
        summary = privacy.erase_donor(form.email.data)
    if refused:
        form.confirmed.data = ""
        return render_template("donations/erase_donor.html", form=form, donor=None,
                               retention=privacy.retention_years()), 422
    flash(_("The donor's name and email address have been removed from %(gifts)s gift(s), "
            "%(monthly)s monthly gift(s) and %(agreements)s agreement(s); the amounts and "
            "bookings stay.", gifts=summary["gifts"], monthly=summary["monthly_gifts"],
            agreements=len(summary["agreements"])), "success")
    return redirect(url_for("donations.erase_donor"))
