"""Security headers, the per-view access check, and a warning about untrusted proxies."""

from flask import Flask, request

from coop.permissions import enforce_view_access

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


PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def _warn_about_an_untrusted_proxy(app: Flask) -> None:
    """Behind a reverse proxy with TRUSTED_PROXIES=0 every visitor has the proxy's
    address, so the per-IP login throttle treats the whole site as one visitor. The
    first request that arrives with a forwarding header says so in the log (once per
    process): the app cannot know it at start-up, but its first visitor shows it."""
    if app.config["TRUSTED_PROXIES"]:
        return
    warned = False

    @app.before_request
    def detect_untrusted_proxy():
        nonlocal warned
        if warned:
            return
        header = next((h for h in PROXY_HEADERS if h in request.headers), None)
        if header is not None:
            warned = True
            app.logger.warning(
                "A request arrived with %s, but TRUSTED_PROXIES is 0: behind a reverse "
                "proxy every visitor then has the proxy's address (%s), and the login "
                "throttle per IP address treats the whole site as one visitor. Set "
                "TRUSTED_PROXIES to the number of proxies in front of the app.",
                header, request.remote_addr,
            )


def register(app: Flask) -> None:
    _warn_about_an_untrusted_proxy(app)
    app.before_request(enforce_view_access)

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
        if response.mimetype == "text/html":
            # Pages can show personal data: never keep them in shared caches.
            headers.setdefault("Cache-Control", "no-store")
        return response
