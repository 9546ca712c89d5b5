"""No input gives a server error: every form of the app, posted with hostile values.

Every POST route of the URL map is posted, as a user who may use it, with a form that
starts from what the app's own page puts in it (the fields and values of the form
whose action is that route) and has some fields replaced by hypothesis: arbitrary text,
control characters, numbers beyond what an INTEGER column holds, huge strings. Whatever
the input, the answer is never a server error, and when the app refuses (a 4xx, or a
redirect with an error message) not a single row in the database changed.

The objects the URLs name come from the access test's small world
(`tests.test_access._url_parameters`), plus a member with a register entry.
"""

import hashlib
import re
from urllib.parse import urlsplit

import lxml.html
import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from coop.extensions import db
from tests import factories
from tests.portal.helpers import create_member_with_account
from tests.test_access import ALLOWED, _routes, _url_parameters

# The user a route is posted as: the first of these it allows.
ROLE_PREFERENCE = ("treasurer", "board", "admin", "auditor", "member", "volunteer", "funder",
                   "guest")


def _post_endpoints() -> list[str]:
    from config import TestConfig
    from coop import create_app

    app = create_app(TestConfig)
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods})


POST_ENDPOINTS = _post_endpoints()

# Tables a refused request may write by design: failed logins are counted.
WRITTEN_ON_REFUSAL = {"login_attempt"}

INT_COLUMN_EDGES = ["2147483647", "2147483648", "-2147483648", "-2147483649",
                    "9223372036854775808", "99999999999999999999", "-5", "0", "1e309",
                    "21474836,48", "21474836.48", "21.474.836,48", "999999999999,99",
                    "NaN", "inf", "-0"]
CONTROL_TEXTS = ["\x00", "ab\x00cd", "\x1b[2J", "\x7f", "\x0b", "\x0c", "\x01", "a\tb\r\nc",
                 "\r\n", "\u2028", "\ufeff", "\ud7ff"]
ODD_TEXTS = ["", " ", "x" * 100_000, "9" * 400, "2026-02-30", "9999-12-31", "0001-01-01",
             "31-12-9999", "<script>", "=1+1", "' OR 1=1 --", "%s%n", "../../etc/passwd",
             "Ω≈ç√", "NL91ABNA0417164300", "a@b", "€ 1.234,56"]
HOSTILE = st.one_of(
    st.sampled_from(INT_COLUMN_EDGES + CONTROL_TEXTS + ODD_TEXTS),
    st.text(max_size=40),
    st.integers().map(str),
)


def _role_for(endpoint: str) -> str:
    return next(role for role in ROLE_PREFERENCE if role in ALLOWED[endpoint])


def _checksum() -> dict[str, str]:
    """A digest of every row of every table."""
    sums = {}
    for table in db.metadata.sorted_tables:
        if table.name in WRITTEN_ON_REFUSAL:
            continue
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        sums[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    db.session.rollback()  # end the reading transaction; the app's requests write
    return sums


def _form_fields(page: str, page_path: str, action_path: str) -> dict[str, list[str]] | None:
    """The fields (name -> values) of the form on `page` that posts to `action_path`."""
    if not page.strip():
        return None
    document = lxml.html.fromstring(page)
    for form in document.forms:
        if (form.method or "GET").upper() != "POST":
            continue
        if (urlsplit(form.get("action") or "").path or page_path) != action_path:
            continue
        fields: dict[str, list[str]] = {}
        for element in form.inputs:
            name = element.get("name")
            if not name or element.tag == "button" or element.get("type") in ("submit", "file"):
                continue
            value = element.value
            if element.get("type") in ("checkbox", "radio"):
                if not element.checked:
                    fields.setdefault(name, [])
                    continue
                value = element.get("value", "y")
            if element.tag == "select" and element.multiple:
                fields.setdefault(name, []).extend(value)
                continue
            if not value:
                value = _plausible(element)
            fields.setdefault(name, []).append(value)
        return fields
    return None


def _plausible(element) -> str:
    """A value a person might fill an empty field with, so that a form is valid but for
    the field hypothesis changes (a refusal for an empty required field would hide
    what the hostile value does further on)."""
    if element.tag == "select":
        return next((option for option in element.value_options if option), "")
    kind = element.get("type", "text")
    name = element.get("name", "").lower()
    if kind == "date" or name.endswith(("date", "_on")):
        return "2026-03-02"
    if kind == "datetime-local" or name.endswith("_at"):
        return "2026-03-02T19:30"
    if kind == "email" or "email" in name:
        return "iemand@example.org"
    if kind == "number" or name.endswith(("year", "number", "days", "percent")):
        return "2026" if name.endswith("year") else "1"
    if kind == "hidden":
        return ""
    if re.search(r"-([2-9]|\d\d+)-", name):
        return ""  # rows of a list beyond the first two stay empty
    if name.endswith(("-0-credit", "-1-debit")):
        return ""  # a journal entry: debit on the first line, credit on the second
    if any(part in name for part in ("amount", "debit", "credit", "target", "price")):
        return "10,00"
    if "iban" in name:
        return "NL91ABNA0417164300"
    if "postcode" in name:
        return "3581 AB"
    return "Tekst"


# (role, blueprint) -> {form action path: fields}: the world is built the same way in
# every test (ids included), so the pages of a blueprint are read once.
_BLUEPRINT_FORMS: dict[tuple[str, str], dict[str, dict]] = {}


def _all_forms(page: str, page_path: str) -> dict[str, dict]:
    forms = {}
    if page.strip():
        for form in lxml.html.fromstring(page).forms:
            action = urlsplit(form.get("action") or "").path or page_path
            if (form.method or "GET").upper() == "POST" and action not in forms:
                forms[action] = _form_fields(page, page_path, action)
    return forms


def _baseline(client, app, endpoint: str, role: str, url: str, parameters) -> dict:
    """The form the app itself offers for `url`: on its own page when it has one, else
    on a page of the same blueprint the role may open."""
    path = urlsplit(url).path
    if "GET" in _routes(app, endpoint)[0].methods:
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            fields = _form_fields(response.text, path, path)
            if fields is not None:
                return fields
    blueprint = endpoint.split(".")[0]
    if (role, blueprint) not in _BLUEPRINT_FORMS:
        found: dict[str, dict] = {}
        for other in sorted(ALLOWED):
            if not other.startswith(blueprint + ".") or role not in ALLOWED[other]:
                continue
            for rule in _routes(app, other):
                if "GET" not in rule.methods or not set(rule.arguments) <= parameters.keys():
                    continue
                with app.test_request_context():
                    page = url_for(other, **{n: parameters[n] for n in rule.arguments})
                response = client.get(page)
                if response.status_code == 200 and response.mimetype == "text/html":
                    for action, fields in _all_forms(response.text, page).items():
                        found.setdefault(action, fields)
        _BLUEPRINT_FORMS[role, blueprint] = found
    return _BLUEPRINT_FORMS[role, blueprint].get(path) or {}


def _refused(client, response) -> bool:
    if response.status_code >= 400:
        return True
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return response.status_code == 302 and any(kind == "error" for kind, _ in flashes)


# Each field of each form gets these on their own first: an id or number beyond every
# integer column, and a NUL byte (which PostgreSQL cannot store).
SWEEP = ["99999999999999999999", "a\x00b"]


def _hostile_posts(client, url: str, role: str, baseline: dict) -> None:
    """Post `url` with one field of `baseline` at a time made hostile (SWEEP), then with
    fields and values hypothesis picks."""
    names = sorted(baseline) or ["id", "name", "amount", "title", "description", "email"]

    def post(changes):
        data = {name: list(values) for name, values in baseline.items()}
        data.update({name: [value] for name, value in changes.items()})
        before = _checksum()
        response = client.post(url, data=data)
        assert response.status_code < 500, (
            f"POST {url} as {role} with {changes!r}: {response.status_code}")
        if _refused(client, response):
            assert _checksum() == before, (
                f"POST {url} as {role} with {changes!r} was refused "
                f"({response.status_code}) but changed rows")

    for name in names:
        for value in SWEEP:
            post({name: value})

    @settings(max_examples=10, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(changes=st.dictionaries(st.sampled_from(names), HOSTILE, min_size=1, max_size=2))
    def post_hostile_form(changes):
        post(changes)

    post_hostile_form()


BLUEPRINTS = sorted({endpoint.split(".")[0] for endpoint in POST_ENDPOINTS})


@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_no_form_answers_a_server_error_or_writes_on_refusal(app, client, login_as, blueprint):
    """The forms of one blueprint, one after the other in one world (building it takes
    longer than posting)."""
    other, parameters = _url_parameters()
    member, _person = create_member_with_account(email="lid-robuust@example.org")
    users = {"member": member}
    for endpoint in [e for e in POST_ENDPOINTS if e.split(".")[0] == blueprint]:
        role = _role_for(endpoint)
        with client.session_transaction() as session:
            session.clear()
        if role != "guest":
            if role not in users:
                users[role] = factories.create_user(roles=[role],
                                                    two_factor=role == "treasurer")
            login_as(users[role])
        if endpoint == "accounts.login_two_factor":
            with client.session_transaction() as session:
                session["pending_two_factor_user"] = {"id": other.get_id(), "remember": False,
                                                      "next": "/"}
        for rule in _routes(app, endpoint):
            if "POST" not in rule.methods:
                continue
            with app.test_request_context():
                url = url_for(endpoint, **{name: parameters[name] for name in rule.arguments})
            baseline = _baseline(client, app, endpoint, role, url, parameters)
            _hostile_posts(client, url, role, baseline)
