"""Organisation settings: saved in normal form and audited; bad input saves nothing."""

from fractions import Fraction

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from stdnum.nl import bsn

from coop.audit import AuditEvent
from coop.extensions import db
from coop.permissions import Role
from coop.settings.models import Organisation
from coop.settings.services import EDITABLE_FIELDS
from tests.pages import Page

TAG = "settings:organisation:update"


def _with_check_digit(first_eight: str) -> str:
    return next(first_eight + d for d in "0123456789" if bsn.is_valid(first_eight + d))


VALID_RSIN = _with_check_digit("12345678")
# One more on the last digit changes the weighted sum by one: never divisible by 11 again.
RSIN_FAILING_ELEVEN_TEST = VALID_RSIN[:-1] + str((int(VALID_RSIN[-1]) + 1) % 10)

VALID = {
    "name": "Wijkcoöperatie De Linde U.A.",
    "legal_form": "cooperatie_ua",
    "kvk_number": "1234 5678",
    "rsin": VALID_RSIN,
    "street": "Lindelaan 1",
    "postcode": "3581ab",
    "city": "Utrecht",
    "email": "bestuur@delinde.example",
    "website": "https://delinde.example",
    "fiscal_year_start_month": "1",
    "convocation_days": "14",
    "amendment_convocation_days": "14",
    "amendment_inspection_days": "7",
    "proxy_cap_per_holder": "1",
    "quorum": "",
    "default_majority": "1/2",
    "amendment_majority": "2/3",
    "persons_secret_ballot": "y",
    "tie_on_persons": "re_vote",
    "dues_proration": "monthly",
    "payment_term_days": "30",
    "reminder_after_days": "14",
    "retention_years": "2",
    "term_years": "4",
    "max_terms": "2",
    "immediately_reeligible": "y",
    "direct_debit_notice_days": "14",
    "funder_share_warning_percent": "50",
}

# (field, changed form values, the English message shown at the field, its parameters)
BAD_INPUT = {
    "kvk_too_short": ("kvk_number", {"kvk_number": "1234"}, "A KvK number has 8 digits.", {}),
    "rsin_too_short": ("rsin", {"rsin": "1234"}, "An RSIN has 9 digits.", {}),
    "rsin_eleven_test": (
        "rsin",
        {"rsin": RSIN_FAILING_ELEVEN_TEST},
        "This RSIN fails the eleven test; check the digits.",
        {},
    ),
    "postcode_five_digits": (
        "postcode",
        {"postcode": "12345"},
        "A Dutch postcode looks like 3581 AB.",
        {},
    ),
    "anbi_for_a_cooperative": (
        "anbi_status",
        {"legal_form": "cooperatie_ua", "anbi_status": "y"},
        "A cooperative cannot have ANBI status; only a foundation or association can.",
        {},
    ),
    "inspection_longer_than_convocation": (
        "amendment_inspection_days",
        {"amendment_convocation_days": "8", "amendment_inspection_days": "9"},
        "The inspection term cannot be longer than the convocation term.",
        {},
    ),
    "amendment_convocation_under_seven_days": (
        "amendment_convocation_days",
        {"amendment_convocation_days": "6", "amendment_inspection_days": "5"},
        "Between %(min)s and %(max)s days.",
        {"min": 7, "max": 90},
    ),
    "term_of_office_over_ten_years": (
        "term_years", {"term_years": "11"}, "Between %(min)s and %(max)s years.",
        {"min": 1, "max": 10},
    ),
    "no_terms_at_all": (
        "max_terms", {"max_terms": "0"}, "Between %(min)s and %(max)s.", {"min": 1, "max": 10},
    ),
    "quorum_over_zero": (
        "quorum", {"quorum": "1/0"},
        "The number below the line (the denominator) cannot be 0.", {},
    ),
    "quorum_above_the_whole": (
        "quorum", {"quorum": "4/3"},
        "A share cannot be more than the whole: at most 1/1 or 100%.", {},
    ),
    "quorum_negative": ("quorum", {"quorum": "-1/3"}, "A share cannot be negative.", {}),
    "quorum_in_words": (
        "quorum", {"quorum": "een derde"},
        "Enter a fraction like 1/3 or a percentage like 40%.", {},
    ),
    "majority_left_empty": (
        "default_majority", {"default_majority": ""},
        "Enter a fraction like 1/3 or a percentage like 40%.", {},
    ),
    "majority_of_nothing": (
        "amendment_majority", {"amendment_majority": "0/3"}, "A share must be more than 0.", {},
    ),
}


def _form(**changes):
    data = {**VALID, **changes}
    return {key: value for key, value in data.items() if value is not None}


def _saved() -> dict | None:
    """The settings as committed, or None when none were saved."""
    db.session.rollback()
    organisation = db.session.scalar(select(Organisation))
    if organisation is None:
        return None
    return {field: getattr(organisation, field) for field in EDITABLE_FIELDS}


def _rows() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Organisation))


def _audit_events():
    db.session.rollback()
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == TAG).order_by(AuditEvent.id)
    ).all()


def _translated(locale: str, message: str, params: dict) -> str:
    with force_locale(locale):
        text = gettext(message)
    return text % params if params else text


@pytest.fixture
def board(make_user, login_as):
    return login_as(make_user("bestuur@example.org", roles=[Role.BOARD]))


@pytest.fixture
def saved_settings(client, board):
    assert client.post("/settings/organisation", data=_form()).status_code == 302
    return _saved()


def test_valid_settings_are_saved_in_normal_form(client, board):
    response = client.post("/settings/organisation", data=_form())

    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/organisation"
    saved = _saved()
    assert saved["name"] == "Wijkcoöperatie De Linde U.A."
    assert saved["kvk_number"] == "12345678"
    assert saved["rsin"] == VALID_RSIN
    assert saved["postcode"] == "3581 AB"
    assert saved["quorum"] is None
    assert saved["anbi_status"] is False
    assert saved["persons_secret_ballot"] is True
    assert (saved["term_years"], saved["max_terms"], saved["immediately_reeligible"]) == (
        4, 2, True
    )
    assert _rows() == 1


def test_first_save_is_audited_with_the_old_and_new_values(client, board):
    client.post("/settings/organisation", data=_form())

    [event] = _audit_events()
    assert event.actor_id == board.id
    changes = event.details["changes"]
    assert changes["name"] == ["Wijkcoöperatie", "Wijkcoöperatie De Linde U.A."]
    assert changes["kvk_number"] == [None, "12345678"]
    assert "legal_form" not in changes  # unchanged from the default


def test_change_is_audited_with_exactly_the_changed_fields(client, saved_settings, board):
    response = client.post(
        "/settings/organisation",
        data=_form(name="De Linde", convocation_days="21", electronic_voting_allowed="y"),
    )

    assert response.status_code == 302
    assert _saved()["convocation_days"] == 21
    _first, second = _audit_events()
    assert second.actor_id == board.id
    assert second.details == {
        "changes": {
            "name": ["Wijkcoöperatie De Linde U.A.", "De Linde"],
            "convocation_days": [14, 21],
            "electronic_voting_allowed": [False, True],
        }
    }
    assert _rows() == 1


def test_saving_without_changes_writes_no_audit_entry(client, saved_settings):
    response = client.post("/settings/organisation", data=_form())

    assert response.status_code == 302
    assert len(_audit_events()) == 1
    assert _saved() == saved_settings


def test_a_quorum_of_one_third_is_saved_as_a_fraction(client, board):
    response = client.post("/settings/organisation",
                           data=_form(quorum="1/3", default_majority="50%",
                                      amendment_majority="3 / 4"))

    assert response.status_code == 302
    saved = _saved()
    assert saved["quorum"] == Fraction(1, 3)
    assert (saved["default_majority"], saved["amendment_majority"]) == (
        Fraction(1, 2), Fraction(3, 4))
    page = client.get("/settings/organisation").text
    assert 'value="1/3"' in page and 'value="3/4"' in page


def test_foundation_may_have_anbi_status(client, board):
    response = client.post(
        "/settings/organisation", data=_form(legal_form="stichting", anbi_status="y")
    )

    assert response.status_code == 302
    assert _saved()["anbi_status"] is True


def test_legal_minimum_terms_are_accepted(client, board):
    response = client.post(
        "/settings/organisation",
        data=_form(amendment_convocation_days="7", amendment_inspection_days="7"),
    )

    assert response.status_code == 302
    assert _saved()["amendment_convocation_days"] == 7


@pytest.mark.parametrize("case", BAD_INPUT.keys())
def test_bad_input_on_first_save_is_refused_at_the_field_and_nothing_is_saved(client, board, case):
    field, changes, message, params = BAD_INPUT[case]

    response = client.post("/settings/organisation", data=_form(**changes))

    assert response.status_code == 422
    page = Page(response.text)
    assert page.lang() == "nl"
    assert page.invalid_fields() == {field}
    assert page.field_error(field) == _translated("nl", message, params)
    assert _rows() == 0
    assert _audit_events() == []


@pytest.mark.parametrize("case", BAD_INPUT.keys())
def test_bad_input_leaves_saved_settings_unchanged(client, saved_settings, case):
    field, changes, _message, _params = BAD_INPUT[case]

    response = client.post("/settings/organisation", data=_form(name="Other name", **changes))

    assert response.status_code == 422
    assert Page(response.text).invalid_fields() == {field}
    assert _saved() == saved_settings
    assert len(_audit_events()) == 1


@pytest.mark.parametrize("case", BAD_INPUT.keys())
def test_english_user_sees_the_english_message_at_the_field(client, make_user, login_as, case):
    login_as(make_user(roles=[Role.BOARD], locale="en"))
    field, changes, message, params = BAD_INPUT[case]

    response = client.post("/settings/organisation", data=_form(**changes))

    assert response.status_code == 422
    page = Page(response.text)
    assert page.lang() == "en"
    assert page.field_error(field) == (message % params if params else message)
    assert "Nothing was saved: correct the fields marked below." in page.flashes()


def test_form_shows_the_entered_values_again_after_an_error(client, board):
    response = client.post("/settings/organisation", data=_form(kvk_number="1234"))

    page = Page(response.text)
    assert page.by_id("kvk_number").attrs.get("value") == "1234"
    assert page.by_id("city").attrs.get("value") == "Utrecht"


def test_board_member_reads_the_saved_settings(client, saved_settings, make_user, login_as):
    login_as(make_user(roles=[Role.BOARD]))

    response = client.get("/settings/organisation")

    assert response.status_code == 200
    page = Page(response.text)
    assert page.by_id("kvk_number").attrs.get("value") == "12345678"
    assert page.by_id("city").attrs.get("value") == "Utrecht"


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.MEMBER, Role.VOLUNTEER, Role.FUNDER])
def test_roles_outside_the_board_cannot_change_the_settings(
    client, saved_settings, make_user, login_as, role
):
    login_as(make_user(roles=[role]))

    response = client.post("/settings/organisation", data=_form(name="Overgenomen"))

    assert response.status_code == 403
    assert _saved() == saved_settings
    assert len(_audit_events()) == 1


def test_auditor_cannot_read_the_settings(client, make_user, login_as):
    login_as(make_user(roles=[Role.AUDITOR]))

    assert client.get("/settings/organisation").status_code == 403


def test_anonymous_visitor_is_sent_to_login_and_nothing_is_saved(app, saved_settings):
    response = app.test_client().post("/settings/organisation", data=_form(name="Overgenomen"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert _saved() == saved_settings
