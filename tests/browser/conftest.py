"""Browser tests: the real app on a loopback port, driven by Debian's Chromium.

`live_server` serves an app with real CSRF protection from a background thread;
`page` is a fresh browser context and tab per test, sharing one Chromium per session.
Every page a test visits must pass `assert_accessible(page)` (axe-core: no serious or
critical violations).

Playwright cannot download browsers here, so the tests use /usr/bin/chromium (override
with COOP_CHROMIUM). A missing browser fails the tests: they must run in CI, not skip.
"""

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from coop.extensions import db
from tests import factories

CHROMIUM = os.environ.get("COOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
# Fail fast instead of waiting out Playwright's 30 s default on a missing element.
TIMEOUT_MS = 5_000
_HTTP_STATUS_NOTE = "Failed to load resource: the server responded with a status of 4"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package "
            "(scripts/test.sh does) or set COOP_CHROMIUM to a Chromium binary.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass(frozen=True)
class Account:
    """What a test needs of a user once the database session is gone."""

    id: int
    email: str
    password: str
    totp_secret: str | None


class LiveServer:
    def __init__(self, app, url):
        self.app = app
        self.url = url

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def create_user(self, email=None, **kwargs) -> Account:
        """`factories.create_user` in the app's database, committed."""
        with self.app.app_context():
            user = factories.create_user(email, **kwargs)
            account = Account(
                id=user.id,
                email=user.email,
                password=kwargs.get("password", factories.DEFAULT_PASSWORD),
                totp_secret=user.totp_secret,
            )
            db.session.remove()
        return account


@pytest.fixture
def live_app(app_factory):
    return app_factory(WTF_CSRF_ENABLED=True)


@pytest.fixture
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(live_app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    problems = []

    def on_console(message):
        # A CSP violation (inline script or style) or a script error is a bug too; a
        # 4xx answer to a rejected form is not.
        if message.type == "error" and not message.text.startswith(_HTTP_STATUS_NOTE):
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    assert not problems, "browser console errors:\n" + "\n".join(problems)


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="nl-NL"
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()
