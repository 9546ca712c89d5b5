"""The Dutch catalogue is complete and sound; the site speaks Dutch first, English second.

A new `_("…")` in the code or a template without a Dutch translation fails
`test_every_message_has_a_dutch_translation` with the list of missing strings. To fix:

    .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext \
        -o coop/translations/messages.pot --no-location --sort-output --project coop .
    .venv/bin/pybabel update -i coop/translations/messages.pot -d coop/translations \
        --no-fuzzy-matching
    # translate the new entries in coop/translations/nl/LC_MESSAGES/messages.po
    .venv/bin/pybabel compile -d coop/translations
"""

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
DUTCH_PO = ROOT / "coop" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"

# What Python's % operator and str.format() would substitute. A "% of" (space flag) is
# deliberately not a placeholder: no message is formatted that way on purpose.
_PLACEHOLDER = re.compile(
    r"%(?:\(\w+\))?[#0+-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrs%]|\{\w*\}"
)


def _key(message) -> tuple[str, str | None]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return msgid, message.context


def _forms(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _placeholders(text: str) -> Counter:
    return Counter(_PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages in the source right now, extracted as the project does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    status = CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
        "-k", "lazy_gettext", "-o", str(pot), "--no-location", "--sort-output",
        "--project", "coop", str(ROOT),
    ])
    assert not status, "pybabel extract failed"
    with pot.open("rb") as file:
        return read_po(file)


@pytest.fixture(scope="module")
def dutch():
    with DUTCH_PO.open("rb") as file:
        return read_po(file, locale="nl")


def test_extraction_finds_the_messages(extracted):
    ids = {_key(m)[0] for m in extracted if m.id}
    assert "Log in" in ids  # a template
    assert "Enter an amount like 12,50 or 1.234,56." in ids  # Python, lazy_gettext
    assert "Hello %(name)s," in ids  # a mail template


def test_every_message_has_a_dutch_translation(extracted, dutch):
    translated = {_key(m): m for m in dutch if m.id}
    missing, fuzzy = [], []
    for message in extracted:
        if not message.id:
            continue
        entry = translated.get(_key(message))
        forms = _forms(entry.string) if entry is not None else []
        if not forms or not all(form.strip() for form in forms):
            missing.append(_key(message)[0])
        elif entry.fuzzy:
            fuzzy.append(_key(message)[0])
    assert not missing, (
        f"{len(missing)} message(s) lack a Dutch translation in {DUTCH_PO.relative_to(ROOT)}; "
        "run pybabel extract/update (see this file's docstring) and translate:\n"
        + "\n".join(f"  {msgid!r}" for msgid in missing)
    )
    assert not fuzzy, "fuzzy (unchecked) Dutch translations:\n" + "\n".join(
        f"  {msgid!r}" for msgid in fuzzy
    )


def test_catalogue_has_no_fuzzy_entries_at_all(dutch):
    fuzzy = [_key(m)[0] for m in dutch if m.id and m.fuzzy]
    assert not fuzzy, fuzzy


def test_placeholders_are_kept_in_the_dutch_translation(dutch):
    wrong = []
    for message in dutch:
        if not message.id:
            continue
        # A plural message: each Dutch form keeps the placeholders of a source form.
        expected = [_placeholders(form) for form in _forms(message.id)]
        for form in _forms(message.string):
            if form and _placeholders(form) not in expected:
                wrong.append(f"{message.id!r} → {form!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_catalogue_passes_babels_own_checks(dutch):
    # What `pybabel compile` reports as errors, e.g. incompatible python-format placeholders.
    problems = [
        f"{message.id!r}: {'; '.join(str(e) for e in errors)}"
        for message, errors in dutch.check()
    ]
    assert not problems, "\n".join(problems)


def test_catalogue_declares_dutch_plural_rules(dutch):
    assert str(dutch.locale) == "nl"
    assert dutch.plural_expr == "(n != 1)"


def test_domain_terms_are_dutch(dutch):
    by_id = {_key(m)[0]: m.string for m in dutch if m.id}
    assert by_id["Log in"] == "Inloggen"
    assert by_id["KvK number"] == "KvK-nummer"
    assert by_id["Audit committee (kascommissie)"] == "Kascommissie"
    assert by_id["Two-factor authentication"] == "Tweestapsverificatie"
    assert by_id["Cooperative (coöperatie U.A.)"] == "Coöperatie U.A."


def test_login_page_is_dutch_by_default(client):
    response = client.get("/login")

    assert response.status_code == 200
    assert '<html lang="nl">' in response.text
    assert "Inloggen" in response.text
    assert "Wachtwoord" in response.text
    assert "Log in</h1>" not in response.text


def test_login_page_is_english_after_choosing_english(client):
    switched = client.post("/language", data={"language": "en", "next": "/login"})

    assert switched.status_code == 302
    assert switched.headers["Location"].endswith("/login")
    response = client.get("/login")
    assert '<html lang="en">' in response.text
    assert "Log in" in response.text
    assert "Password" in response.text
    assert "Inloggen" not in response.text


def test_switching_back_to_dutch(client):
    client.post("/language", data={"language": "en"})
    client.post("/language", data={"language": "nl"})

    response = client.get("/login")

    assert '<html lang="nl">' in response.text
    assert "Inloggen" in response.text


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"language": "xx"})

    assert "Inloggen" in client.get("/login").text


def test_a_logged_in_users_language_follows_the_user(client, make_user, login_as):
    login_as(make_user(roles=["member"], locale="en"))

    response = client.get("/account")

    assert response.status_code == 200
    assert '<html lang="en">' in response.text
