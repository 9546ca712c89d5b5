from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from coop.accounts import services
from coop.accounts.forms import (
    ChangePasswordForm,
    ConfirmForm,
    DisableTwoFactorForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    TwoFactorForm,
)
from coop.extensions import db
from coop.mail import MailError, send_mail
from coop.permissions import Permission, allow_pending_two_factor, public, require

bp = Blueprint("accounts", __name__)

_PENDING = "pending_two_factor_user"


def _safe_next(target: str | None) -> str:
    # Browsers read a backslash as a slash, so /\evil.example would leave the site, and
    # drop tabs and newlines, so /<TAB>/evil.example would too; a CR or LF cannot go into
    # a Location header at all. Any of them: the default page.
    if target and target.isprintable() and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("main.home")


def _complete_login(user, remember: bool, two_factor_ok: bool):
    session.clear()
    login_user(user, remember=remember)
    session["two_factor_ok"] = two_factor_ok
    if user.locale:
        session["locale"] = user.locale
    services.record_login(user, request.remote_addr or "unknown")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data, form.password.data, request.remote_addr or "unknown"
            )
        except services.LoginThrottled as error:
            form.password.errors.append(str(error))
            return _throttled(render_template("accounts/login.html", form=form),
                              error.retry_after)
        except services.AccountError as error:
            # The failed attempt counts: committed here, as the request does not commit
            # an answer of 400 or more.
            db.session.commit()
            form.password.errors.append(str(error))
            return render_template("accounts/login.html", form=form), 401
        next_url = _safe_next(request.args.get("next"))
        if user.two_factor_enabled:
            session[_PENDING] = {"id": user.get_id(), "remember": form.remember.data,
                                 "next": next_url}
            return redirect(url_for("accounts.login_two_factor"))
        _complete_login(user, form.remember.data, two_factor_ok=False)
        return redirect(next_url)
    status = 422 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


def _throttled(page: str, seconds: int):
    return page, 429, {"Retry-After": str(seconds)}


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
def login_two_factor():
    pending = session.get(_PENDING)
    user = services.load_user_from_session_id(pending["id"]) if pending else None
    if user is None:
        return redirect(url_for("accounts.login"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        wait = services.seconds_to_wait(user.email, request.remote_addr or "unknown",
                                        second_factor=True)
        if wait:
            form.code.errors.append(services.throttled_message(wait))
            return _throttled(render_template("accounts/login_two_factor.html", form=form),
                              wait)
        if services.verify_two_factor(user, form.code.data):
            _complete_login(user, pending["remember"], two_factor_ok=True)
            return redirect(pending["next"])
        services.record_failed_attempt(user.email, request.remote_addr or "unknown",
                                       second_factor=True)
        db.session.commit()  # the failed attempt counts (the 401 below is not committed)
        form.code.errors.append(_("This code is not correct or has already been used."))
        return render_template("accounts/login_two_factor.html", form=form), 401
    status = 422 if form.errors else 200
    return render_template("accounts/login_two_factor.html", form=form), status


@bp.route("/logout", methods=["POST"])
@public
@allow_pending_two_factor
def logout():
    form = ConfirmForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        # A new stamp: this session, copies of its cookie and every remember-me cookie
        # of the account stop working, on every device.
        services.end_all_sessions(current_user)
        logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.get_user_by_email(form.email.data)
        if user is not None and user.is_active:
            link = current_app.config["BASE_URL"].rstrip("/") + url_for(
                "accounts.reset_password", token=services.password_reset_token(user)
            )
            try:
                send_mail(user.email, _l("Reset your password"), "password_reset",
                          locale=user.locale or str(get_locale()), user_name=user.name,
                          link=link)
            except MailError:
                current_app.logger.exception("password reset mail failed")
                flash(_("The mail could not be sent. Try again later."), "error")
                return render_template("accounts/forgot_password.html", form=form), 503
        # The same answer whether or not the address is known: no account discovery.
        flash(_("If this address belongs to an account, a reset link is on its way. "
                "The link works once, for one hour."), "info")
        return redirect(url_for("accounts.login"))
    status = 422 if form.errors else 200
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("This reset link is invalid, expired or already used. Ask for a new one."),
              "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.change_password(user, form.password.data, tag="accounts:user:password_reset")
        services.record_success(user, request.remote_addr or "unknown")
        logout_user()
        session.clear()
        flash(_("Your password has been changed. Log in with the new password."), "success")
        return redirect(url_for("accounts.login"))
    status = 422 if form.errors else 200
    return render_template("accounts/reset_password.html", form=form), status


@bp.route("/account", methods=["GET", "POST"])
@require(Permission.ACCOUNT_OWN)
def profile():
    form = ProfileForm(obj=current_user) if request.method == "GET" else ProfileForm()
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        current_user.locale = form.locale.data
        session["locale"] = form.locale.data
        flash(_("Your details have been saved."), "success")
        return redirect(url_for("accounts.profile"))
    status = 422 if form.errors else 200
    return render_template(
        "accounts/profile.html", form=form, confirm_form=ConfirmForm()
    ), status


@bp.route("/account/password", methods=["GET", "POST"])
@require(Permission.ACCOUNT_OWN)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not services.check_password(current_user, form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
            return render_template("accounts/change_password.html", form=form), 422
        services.change_password(current_user, form.password.data)
        two_factor_ok = session.get("two_factor_ok", False)
        # The stamp changed: log in again here so only other sessions end (with a new
        # remember-me cookie if this device had one; the old one no longer works).
        remember = request.cookies.get(
            current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")) is not None
        login_user(current_user._get_current_object(), remember=remember)
        session["two_factor_ok"] = two_factor_ok
        flash(_("Your password has been changed. Other devices are logged out."), "success")
        return redirect(url_for("accounts.profile"))
    status = 422 if form.errors else 200
    return render_template("accounts/change_password.html", form=form), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@require(Permission.ACCOUNT_OWN)
@allow_pending_two_factor
def two_factor_setup():
    if current_user.two_factor_enabled:
        return render_template("accounts/two_factor_enabled.html", form=DisableTwoFactorForm())
    if request.method == "GET" or "two_factor_secret" not in session:
        session["two_factor_secret"] = services.new_totp_secret()
    secret = session["two_factor_secret"]
    form = TwoFactorForm()
    if form.validate_on_submit():
        if services.enable_two_factor(current_user, secret, form.code.data):
            session.pop("two_factor_secret", None)
            session["two_factor_ok"] = True
            flash(_("Two-factor authentication is on."), "success")
            return redirect(url_for("accounts.profile"))
        form.code.errors.append(_("This code is not correct. Check the time on your phone."))
    uri = services.provisioning_uri(current_user, secret)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")
    status = 422 if form.errors else 200
    return render_template(
        "accounts/two_factor_setup.html", form=form, secret=secret, qr=qr
    ), status


@bp.route("/account/two-factor/disable", methods=["POST"])
@require(Permission.ACCOUNT_OWN)
def two_factor_disable():
    if current_user.two_factor_required:
        flash(_("Your role handles money: two-factor authentication cannot be turned off."),
              "error")
        return redirect(url_for("accounts.two_factor_setup"))
    form = DisableTwoFactorForm()
    if form.validate_on_submit() and services.check_password(
        current_user, form.current_password.data
    ):
        services.disable_two_factor(current_user)
        session["two_factor_ok"] = False
        flash(_("Two-factor authentication is off."), "info")
        return redirect(url_for("accounts.profile"))
    if form.current_password.data:
        form.current_password.errors.append(_("This is not your current password."))
    return render_template("accounts/two_factor_enabled.html", form=form), 422


@bp.route("/language", methods=["POST"])
@public
@allow_pending_two_factor
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
    return redirect(_safe_next(request.form.get("next")))
