"""Browser-facing security: headers, cookies, CSRF, and error pages that leak nothing."""

import logging
import re

import pytest

from config import Config
from coop import create_app
from coop.extensions import db
from coop.permissions import public
from tests import factories


def _in_english(client):
    # Assert on the English source text, so the tests do not hang on translation wording.
    with client.session_transaction() as session:
        session["locale"] = "en"


def _csp_directives(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_pages_carry_security_headers(client):
    response = client.get("/login")

    assert response.status_code == 200
    csp = _csp_directives(response)
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_login_page_has_no_inline_script_or_style_the_policy_would_block(client):
    response = client.get("/login")

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", response.text) == []
    assert "<style" not in response.text
    assert " style=" not in response.text


def test_personal_pages_are_not_cached(client, login_as):
    login_as(factories.create_user(roles=["member"]))

    response = client.get("/account")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


@pytest.fixture
def production_app(tmp_path):
    """The app with production's Config: HTTPS-only cookies, CSRF on."""

    class ProductionConfig(Config):
        SECRET_KEY = "production-like-test-secret"
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'production.sqlite'}"
        INVOICES_DIR = str(tmp_path / "invoices")
        ARGON2_PROFILE = "cheap"  # speed only; the cookie settings are production's

    app = create_app(ProductionConfig)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_session_cookie_is_secure_httponly_and_samesite(production_app):
    with production_app.app_context():
        email = factories.create_user("lid@example.org", roles=["member"]).email
    client = production_app.test_client()

    login_page = client.get("/login", base_url="https://localhost")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page.text)
    response = client.post(
        "/login",
        base_url="https://localhost",
        # Over HTTPS Flask-WTF also checks that the form came from this site.
        headers={"Referer": "https://localhost/login"},
        data={
            "csrf_token": token.group(1),
            "email": email,
            "password": factories.DEFAULT_PASSWORD,
        },
    )

    assert response.status_code == 302
    session_cookie = next(
        header for header in response.headers.getlist("Set-Cookie")
        if header.startswith("session=")
    )
    attributes = {a.strip().lower() for a in session_cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} <= attributes
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_post_without_csrf_token_is_refused_when_csrf_is_on(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        email = factories.create_user(roles=["member"]).email
    client = app.test_client()
    credentials = {"email": email, "password": factories.DEFAULT_PASSWORD}

    refused = client.post("/login", data=credentials)

    assert refused.status_code == 400
    assert "Traceback" not in refused.text
    assert 'name="password"' not in refused.text  # the "form expired" page, not a form
    # The same login with the form's token goes through: the token was the problem.
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").text).group(1)
    accepted = client.post("/login", data={**credentials, "csrf_token": token})
    assert accepted.status_code == 302


def test_unknown_page_shows_the_coop_not_found_page(client):
    _in_english(client)

    response = client.get("/does-not-exist")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "The requested URL was not found on the server" not in response.text


def test_forbidden_page_is_the_coop_page(client, login_as):
    login_as(factories.create_user(roles=["member"]))
    _in_english(client)

    response = client.get("/admin/users")

    assert response.status_code == 403
    assert "No access" in response.text


def test_unexpected_error_shows_a_plain_page_without_traceback(app_factory):
    app = app_factory()

    @app.get("/explode")
    @public
    def explode():
        raise RuntimeError("connection to db-secret-host refused")

    client = app.test_client()
    _in_english(client)

    response = client.get("/explode")

    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text
    assert "db-secret-host" not in response.text


def _proxy_warnings(caplog):
    return [r for r in caplog.records if "TRUSTED_PROXIES" in r.getMessage()]


def test_a_request_through_an_untrusted_proxy_logs_a_warning_once(app_factory, caplog):
    client = app_factory(TRUSTED_PROXIES=0).test_client()
    behind_a_proxy = {"X-Forwarded-For": "203.0.113.7"}

    with caplog.at_level(logging.WARNING, logger="coop"):
        client.get("/login")
        assert _proxy_warnings(caplog) == []  # a direct request says nothing
        client.get("/login", headers=behind_a_proxy)
        client.post("/login", headers=behind_a_proxy, data={"email": "x@example.org"})

    [warning] = _proxy_warnings(caplog)
    assert warning.levelno == logging.WARNING
    assert "X-Forwarded-For" in warning.getMessage()


def test_no_proxy_warning_when_trusted_proxies_is_set(app_factory, caplog):
    client = app_factory(TRUSTED_PROXIES=1).test_client()

    with caplog.at_level(logging.WARNING, logger="coop"):
        response = client.get("/login", headers={"X-Forwarded-For": "203.0.113.7"})

    assert response.status_code == 200
    assert _proxy_warnings(caplog) == []
