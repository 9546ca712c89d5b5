"""Security headers, the per-view access check, the refusal of control characters and a
warning about untrusted proxies."""

import re

from flask import Flask, request
from werkzeug.exceptions import BadRequest

from coop.permissions import enforce_view_access

# C0 control characters and DEL: nobody types them, PostgreSQL cannot store NUL in text,
# and they garble CSV files, PDFs and mails. Tab, CR and LF are the lines of multi-line
# text (and CR/LF in a redirect target is the login's to refuse).
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ControlCharacters(BadRequest):
    """A URL, query parameter or form field holds a control character (400)."""


def refuse_control_characters() -> None:
    """`before_request`: refuse a request whose path, query string, form fields (names
    and values) or upload file names hold a control character, before any view or
    database sees it. Raises ControlCharacters."""
    texts = [value for value in (request.view_args or {}).values() if isinstance(value, str)]
    for fields in (request.args, request.form):
        for name, value in fields.items(multi=True):
            texts += (name, value)
    for name, upload in request.files.items(multi=True):
        texts += (name, upload.filename or "")
    if any(_CONTROL_CHARACTER.search(text) for text in texts):
        raise ControlCharacters()

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
])


def _warn_about_an_untrusted_proxy(app: Flask) -> None:
    """Behind a reverse proxy with TRUSTED_PROXIES=0 every visitor has the proxy's
    address, so the per-IP login throttle treats the whole site as one visitor. The
    first request that arrives with X-Forwarded-For (what a proxy adds, and what
    TRUSTED_PROXIES makes the app read) says so in the log, once per process: the app
    cannot know it at start-up, but its first visitor shows it."""
    if app.config["TRUSTED_PROXIES"]:
        return
    warned = False

    @app.before_request
    def detect_untrusted_proxy():
        nonlocal warned
        if warned:
            return
        if "X-Forwarded-For" in request.headers:
            warned = True
            app.logger.warning(
                "A request arrived with X-Forwarded-For, but TRUSTED_PROXIES is 0: behind "
                "a reverse proxy every visitor then has the proxy's address (%s), and the "
                "login throttle per IP address treats the whole site as one visitor. Set "
                "TRUSTED_PROXIES to the number of proxies in front of the app.",
                request.remote_addr,
            )


def register(app: Flask) -> None:
    _warn_about_an_untrusted_proxy(app)
    app.before_request(enforce_view_access)
    app.before_request(refuse_control_characters)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static":
            # Pages and downloads (statements, agreements, PDFs, CSV and XLSX files) can
            # hold personal data: no cache, shared or the browser's, may keep them.
            # send_file's own "no-cache" only asks for revalidation; it is overridden.
            headers["Cache-Control"] = "no-store"
        return response
