"""Helpers for the browser tests: accessibility checks and logging in."""

import re

from axe_playwright_python.sync_playwright import Axe

from tests import factories

_axe = Axe()
BLOCKING_IMPACTS = ("serious", "critical")


def assert_accessible(page) -> None:
    """Run axe-core on the page; fail listing every serious or critical violation."""
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if not blocking:
        return
    lines = [f"{len(blocking)} serious/critical accessibility violation(s) on {page.url}:"]
    for violation in blocking:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  * {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = node.get("failureSummary", "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    raise AssertionError("\n".join(lines))


def goto(page, url: str) -> None:
    """Open `url` and check the page that answers."""
    page.goto(url)
    assert_accessible(page)


def submit_login(page, account, password: str | None = None) -> None:
    """Fill in and send the login form (the caller is on the login page)."""
    page.locator("#email").fill(account.email)
    page.locator("#password").fill(password if password is not None else account.password)
    with page.expect_navigation():
        page.locator("#password").press("Enter")


def log_in(page, server, account) -> None:
    """Log in through the forms, with the second factor when the account has one."""
    goto(page, server("/login"))
    submit_login(page, account)
    if account.totp_secret:
        assert page.url == server("/login/two-factor")
        assert_accessible(page)
        page.locator("#code").fill(factories.current_totp(account))
        with page.expect_navigation():
            page.locator("#code").press("Enter")
    assert not re.search(r"/login\b", page.url), f"still on {page.url}"
    assert_accessible(page)
