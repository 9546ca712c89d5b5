"""End-to-end flows in Chromium, with an accessibility check on every page visited."""

import os
import re
import tempfile
from pathlib import Path

import pyotp
import pytest
from flask_babel import force_locale, gettext

from tests import factories
from tests.browser.helpers import assert_accessible, goto, log_in, submit_login

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(os.environ.get("COOP_SCREENSHOTS") or tempfile.gettempdir())


def focused(page) -> dict:
    """The focused element: its tag, id, class and text."""
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className,
                           text: e.textContent.trim()}; }"""
    )


def tab_to(page, element_id: str, limit: int = 15) -> None:
    """Press Tab until the element with `element_id` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page)["id"] == element_id:
            return
    raise AssertionError(f"#{element_id} not reached with {limit} Tabs")


def lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def test_keyboard_login_lands_on_dashboard(page, live_server):
    board = live_server.create_user("bestuur@example.org", roles=["board"])
    goto(page, live_server("/login"))

    tab_to(page, "email")
    page.keyboard.type(board.email)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "password"
    page.keyboard.type(board.password)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == live_server("/dashboard/")
    assert_accessible(page)
    current = page.get_by_role("navigation").locator("a[aria-current=page]")
    assert current.get_attribute("href") == "/dashboard/"


def test_wrong_password_shows_the_error_at_the_field(page, live_server):
    board = live_server.create_user("bestuur@example.org", roles=["board"])
    goto(page, live_server("/login"))
    submit_login(page, board, password="not the password")

    assert page.url == live_server("/login")
    assert_accessible(page)
    password = page.locator("#password")
    assert password.get_attribute("aria-invalid") == "true"
    assert "password-error" in password.get_attribute("aria-describedby").split()
    error = page.locator("#password-error")
    assert error.is_visible()
    assert error.inner_text().strip()
    # The error sits with its field, and the summary links to the field.
    assert page.locator(".field-error").filter(has=password).locator(".error").count() == 1
    assert page.locator(".error-summary a[href='#password']").count() == 1
    assert password.input_value() == ""  # a password is never sent back


def test_login_with_two_factor_code(page, live_server):
    board = live_server.create_user("bestuur@example.org", roles=["board"], two_factor=True)
    goto(page, live_server("/login"))
    submit_login(page, board)

    assert page.url == live_server("/login/two-factor")
    assert_accessible(page)
    code = page.locator("#code")
    assert code.get_attribute("autocomplete") == "one-time-code"

    right = factories.current_totp(board)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    code.fill(wrong)
    with page.expect_navigation():
        code.press("Enter")
    assert page.url == live_server("/login/two-factor")
    assert_accessible(page)
    assert code.get_attribute("aria-invalid") == "true"
    assert page.locator("#code-error").is_visible()

    code.fill(factories.current_totp(board))
    with page.expect_navigation():
        code.press("Enter")
    assert page.url == live_server("/dashboard/")
    assert_accessible(page)
    assert page.locator("form.logout button").is_visible()


def test_treasurer_sets_up_two_factor_then_reaches_dashboard(page, live_server):
    treasurer = live_server.create_user("penningmeester@example.org", roles=["treasurer"])
    goto(page, live_server("/login"))
    submit_login(page, treasurer)

    # Money roles must set up a second factor before anything else.
    assert page.url == live_server("/account/two-factor")
    assert_accessible(page)
    goto(page, live_server("/dashboard/"))
    assert page.url == live_server("/account/two-factor")

    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == live_server("/account")
    assert_accessible(page)
    assert page.locator(".flash-success").is_visible()

    with page.expect_navigation():
        page.locator("nav a[href='/dashboard/']").click()
    assert page.url == live_server("/dashboard/")
    assert_accessible(page)


def test_language_switch(page, live_server):
    with live_server.app.test_request_context(), force_locale("nl"):
        dutch_log_in = gettext("Log in")
    assert dutch_log_in != "Log in", "the Dutch catalogue does not translate 'Log in'"

    goto(page, live_server("/login"))
    assert lang(page) == "nl"
    assert page.locator("h1").inner_text() == dutch_log_in

    switch = page.locator("form.language button")
    assert switch.get_attribute("lang") == "en"
    assert switch.inner_text() == "English"
    with page.expect_navigation():
        switch.click()
    assert page.url == live_server("/login")
    assert lang(page) == "en"
    assert page.locator("h1").inner_text() == "Log in"
    assert page.get_by_role("button", name="Log in", exact=True).is_visible()
    assert_accessible(page)

    assert switch.get_attribute("lang") == "nl"
    assert switch.inner_text() == "Nederlands"
    with page.expect_navigation():
        switch.click()
    assert lang(page) == "nl"
    assert page.locator("h1").inner_text() == dutch_log_in
    assert_accessible(page)


@pytest.mark.parametrize("logged_in", [False, True], ids=["login page", "dashboard"])
def test_skip_link_is_first_and_moves_focus_to_main(page, live_server, logged_in):
    if logged_in:
        log_in(page, live_server, live_server.create_user(roles=["board"]))
    else:
        goto(page, live_server("/login"))

    page.keyboard.press("Tab")
    first = focused(page)
    assert first["tag"] == "a" and "skip-link" in first["cls"], first
    skip = page.locator("a.skip-link")
    assert skip.get_attribute("href") == "#main"
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    assert_accessible(page)  # also with the skip link shown

    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    inside_main = page.evaluate(
        "() => document.getElementById('main').contains(document.activeElement)"
    )
    assert inside_main, "Tab after the skip link left the main content"


def test_board_pages_are_accessible(page, live_server):
    live_server.create_user("admin@example.org", roles=["admin"])
    board = live_server.create_user("bestuur@example.org", roles=["board"])
    log_in(page, live_server, board)

    goto(page, live_server("/admin/users"))
    assert page.locator("table.list tbody tr").count() == 2
    goto(page, live_server("/admin/audit"))
    goto(page, live_server("/account"))
    goto(page, live_server("/settings/organisation"))

    kvk = page.locator("#kvk_number")
    kvk.fill("1234")
    with page.expect_navigation():
        page.locator("form[action$='/settings/organisation'] button[type=submit]").click()
    assert page.url == live_server("/settings/organisation")
    assert_accessible(page)
    assert kvk.get_attribute("aria-invalid") == "true"
    assert "kvk_number-error" in kvk.get_attribute("aria-describedby").split()
    error = page.locator("#kvk_number-error")
    assert error.is_visible()
    assert "8" in error.inner_text()
    assert kvk.input_value() == "1234"  # what was typed stays, to be corrected
    assert page.locator("[aria-invalid=true]").count() == 1
    assert page.locator(".error-summary a[href='#kvk_number']").count() == 1


def test_admin_pages_are_accessible(page, live_server):
    admin = live_server.create_user("admin@example.org", roles=["admin"])
    live_server.create_user("lid@example.org", roles=["member"])
    log_in(page, live_server, admin)

    goto(page, live_server("/admin/users"))
    goto(page, live_server("/admin/users/new"))
    goto(page, live_server("/admin/audit"))
    goto(page, live_server("/admin/outbox"))
    goto(page, live_server("/settings/organisation"))


def test_phone_layout(phone_page, live_server):
    """On a 390 px phone nothing scrolls sideways, and list tables label their cells.

    Leaves screenshots in $COOP_SCREENSHOTS (default: the temporary directory) to look at.
    """
    page = phone_page
    board = live_server.create_user(
        "penningmeester-met-een-lange-naam@example.org", roles=["board"]
    )
    goto(page, live_server("/login"))
    page.screenshot(path=SCREENSHOTS / "coop-login-phone.png", full_page=True)
    assert_no_horizontal_scroll(page)

    log_in(page, live_server, board)
    goto(page, live_server("/dashboard/"))
    page.screenshot(path=SCREENSHOTS / "coop-dashboard-phone.png", full_page=True)
    assert_no_horizontal_scroll(page)
    # The header buttons fit on the brand's line.
    header_buttons = page.locator(".site-header .bar button")
    tops = {round(header_buttons.nth(i).bounding_box()["y"]) for i in range(2)}
    assert len(tops) == 1, "language and log-out buttons wrapped apart"

    goto(page, live_server("/admin/users"))
    assert_no_horizontal_scroll(page)
    label = page.evaluate(
        """() => getComputedStyle(document.querySelector('table.list td[data-label]'),
                                  '::before').content"""
    )
    assert label not in ("none", "normal", ""), "stacked table cells lack their column name"

    # WCAG 1.4.10 reflow: 320 CSS pixels wide still works without sideways scrolling.
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/settings/organisation", "/admin/audit", "/dashboard/"):
        goto(page, live_server(path))
        assert_no_horizontal_scroll(page)


def assert_no_horizontal_scroll(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page scrolls sideways on a phone: {widths} on {page.url}"
