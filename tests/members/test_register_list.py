"""The register list: search, filters, sorting, paging, and a query count that does not
grow with the register."""

from datetime import date

import pytest
from sqlalchemy import event

from coop.dues.models import Invoice
from coop.extensions import db
from coop.members import services
from tests import factories
from tests.pages import Page


def _names(response) -> list[str]:
    """The names in the register table, top to bottom."""
    assert response.status_code == 200
    table = Page(response.text).by_id("register")
    rows = [e for e in table.iter() if e.tag == "tr"][1:]  # without the header
    return [
        next(c for c in row.iter() if c.tag == "a").text
        for row in rows if any(c.tag == "a" for c in row.iter())
    ]


def _member(type_, given, family, *, prefix=None, start=date(2025, 1, 1), status="active",
            **values):
    return factories.create_member(
        membership_type=type_, start_date=start, status=status,
        given_name=given, family_name=family, name_prefix=prefix, **values,
    )


def _open_invoice(membership, number=1, status="open"):
    db.session.add(Invoice(
        issuer={"name": "Wijkcoöperatie Test"},
        fiscal_year=2026, sequence_number=number, number=f"2026-{number:05d}",
        person_id=membership.person_id, membership_id=membership.id, dues_year=2026,
        issue_date=date(2026, 1, 15), due_date=date(2026, 2, 14), total_cents=2500,
        status=status, payment_reference=f"REF{number}", addressee_name="x",
    ))
    db.session.commit()


@pytest.fixture
def register(app):
    bewoner = factories.create_membership_type("bewoner", name="Bewoner", has_vote=True)
    steun = factories.create_membership_type("steun", name="Steunlid", has_vote=False)
    people = {
        "aa": _member(bewoner, "Jan", "Aa", prefix="van der", start=date(2024, 3, 1),
                      email="jan@aa.example", postcode="3581 AB"),
        "bakker": _member(bewoner, "Els", "Bakker", start=date(2025, 6, 1), status="aspirant",
                          postcode="3582 CD"),
        "claes": _member(steun, "Piet", "Claes", start=date(2023, 1, 1), postcode="3581 XY"),
        "dijk": _member(bewoner, "Anna", "Dijk", prefix="van", start=date(2022, 9, 1),
                        postcode="1011 AA"),
    }
    # Dijk left and came back as a supporting member: one row, the newest membership.
    services.change_status(people["dijk"], "ended", date(2023, 12, 31), "Verhuisd")
    db.session.commit()
    person = db.session.get(services.Person, people["dijk"].person_id)
    people["dijk_again"] = services.add_membership(person, steun, date(2025, 2, 1))
    db.session.commit()
    return people


def test_register_lists_one_row_per_person_sorted_by_name(client, board, register):
    response = client.get("/members/")

    assert _names(response) == ["Jan van der Aa", "Els Bakker", "Piet Claes", "Anna van Dijk"]
    row = Page(response.text).by_id("register").text
    assert "5 Anna van Dijk Steunlid active" in row  # the newest membership, number 5


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("aa", ["Jan van der Aa"]),
        ("Jan van der Aa", ["Jan van der Aa"]),
        ("jan aa", ["Jan van der Aa"]),
        ("van der aa", ["Jan van der Aa"]),
        ("bak", ["Els Bakker"]),
        ("els", []),  # a given name alone is not a name prefix
        ("2", ["Els Bakker"]),  # member number
        ("4", ["Anna van Dijk"]),  # an earlier, ended member number finds the person too
        ("3581ab", ["Jan van der Aa"]),
        ("3581", ["Jan van der Aa", "Piet Claes"]),  # the digits of a postcode
        ("JAN@aa.example", ["Jan van der Aa"]),
        ("jan@", ["Jan van der Aa"]),
        ("zz", []),
    ],
)
def test_search_finds_by_name_number_postcode_and_email(client, board, register, q, expected):
    assert _names(client.get("/members/", query_string={"q": q})) == expected


def test_filters_by_type_status_and_voting_right(client, board, register):
    steun = register["claes"].type_id

    assert _names(client.get("/members/", query_string={"type": steun})) == [
        "Piet Claes", "Anna van Dijk"]
    assert _names(client.get("/members/", query_string={"status": "aspirant"})) == [
        "Els Bakker"]
    # A vote: a voting type and an active membership (not aspirant, not a supporter).
    assert _names(client.get("/members/", query_string={"vote": "yes"})) == ["Jan van der Aa"]
    assert _names(client.get("/members/", query_string={"vote": "no"})) == [
        "Els Bakker", "Piet Claes", "Anna van Dijk"]


def test_filter_dues_open_shows_only_persons_with_an_open_invoice(client, board, register):
    _open_invoice(register["bakker"], 1)
    _open_invoice(register["claes"], 2, status="paid")

    response = client.get("/members/", query_string={"dues": "open"})

    assert _names(response) == ["Els Bakker"]


def test_persons_without_membership_can_be_listed(client, board, register):
    factories.create_person(given_name="Vera", family_name="Vrijwilliger")

    assert "Vera Vrijwilliger" not in _names(client.get("/members/"))
    assert _names(client.get("/members/", query_string={"status": "none"})) == [
        "Vera Vrijwilliger"]


@pytest.mark.parametrize(
    ("sort", "direction", "expected"),
    [
        ("name", "desc", ["Anna van Dijk", "Piet Claes", "Els Bakker", "Jan van der Aa"]),
        ("number", "asc", ["Jan van der Aa", "Els Bakker", "Piet Claes", "Anna van Dijk"]),
        ("number", "desc", ["Anna van Dijk", "Piet Claes", "Els Bakker", "Jan van der Aa"]),
        ("start", "asc", ["Piet Claes", "Jan van der Aa", "Anna van Dijk", "Els Bakker"]),
        ("start", "desc", ["Els Bakker", "Anna van Dijk", "Jan van der Aa", "Piet Claes"]),
    ],
)
def test_sorting(client, board, register, sort, direction, expected):
    response = client.get("/members/", query_string={"sort": sort, "dir": direction})

    assert _names(response) == expected


def _link(response, rel):
    links = [e for e in Page(response.text).root.iter() if e.attrs.get("rel") == rel]
    return links[0].attrs["href"] if links else None


def test_pages_keep_the_search_and_filters(client, board, monkeypatch):
    from coop.members import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    bewoner = factories.create_membership_type()
    for family in ["Aap", "Beer", "Cavia", "Das", "Ezel"]:
        _member(bewoner, "X", family)
    _member(bewoner, "X", "Fret", status="aspirant")

    first = client.get("/members/", query_string={"q": "", "status": "active"})
    assert _names(first) == ["X Aap", "X Beer"]
    assert _link(first, "prev") is None
    assert "status=active" in _link(first, "next")

    second = client.get(_link(first, "next"))
    assert _names(second) == ["X Cavia", "X Das"]
    third = client.get(_link(second, "next"))
    assert _names(third) == ["X Ezel"]  # the aspirant Fret is filtered out on every page
    assert _link(third, "next") is None

    back = client.get(_link(third, "prev"))
    assert _names(back) == ["X Cavia", "X Das"]
    assert _names(client.get(_link(back, "prev"))) == ["X Aap", "X Beer"]
    assert _link(client.get(_link(back, "prev")), "prev") is None


@pytest.mark.parametrize(
    ("sort", "direction"),
    [("name", "asc"), ("name", "desc"), ("number", "asc"), ("number", "desc"),
     ("start", "asc"), ("start", "desc")],
)
def test_paging_through_every_sort_shows_each_person_once_in_order(
        client, board, monkeypatch, sort, direction):
    from coop.members import views

    bewoner = factories.create_membership_type()
    # Equal names and equal start dates: the unique tie-breaker keeps pages apart.
    for n, family in enumerate(["Berg", "Berg", "Berg", "Aa", "Dijk", "Aa", "Zee"]):
        _member(bewoner, f"P{n}", family, start=date(2025, 1 + n % 2, 1))
    everyone = _names(client.get("/members/", query_string={"sort": sort, "dir": direction}))
    monkeypatch.setattr(views, "PAGE_SIZE", 3)

    response = client.get("/members/", query_string={"sort": sort, "dir": direction})
    seen = _names(response)
    while _link(response, "next"):
        response = client.get(_link(response, "next"))
        seen += _names(response)

    assert len(everyone) == len(set(everyone)) == 7
    assert seen == everyone


@pytest.mark.parametrize("cursor", ["nonsense", "WyJhIl0", "W10", "eyJhIjoxfQ", "x" * 2000,
                                    "WyJhIiwxZTQwMF0", "WyJhIiwiYiJd"])
def test_an_edited_page_link_shows_the_first_page(client, board, register, cursor):
    first = _names(client.get("/members/"))

    assert _names(client.get("/members/", query_string={"after": cursor})) == first
    assert _names(client.get("/members/", query_string={"before": cursor})) == first


def _count_queries(client, url):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def _grow_register(count):
    bewoner = factories.create_membership_type()
    for n in range(count):
        membership = _member(bewoner, f"Lid{n}", f"Naam{n:03d}")
        if n % 2:
            _open_invoice(membership, 1000 + membership.id)


@pytest.mark.parametrize(
    "url",
    ["/members/", "/members/?q=naam&vote=yes&dues=open&sort=number&dir=desc",
     "/members/?sort=start&status=active"],
)
def test_list_page_query_count_does_not_grow_with_the_register(client, board, url):
    _grow_register(5)
    small = _count_queries(client, url)
    _grow_register(35)
    large = _count_queries(client, url)

    assert small == large
    assert large <= 15


def test_person_page_query_count_does_not_grow_with_history(client, board):
    membership = factories.create_member(start_date=date(2020, 1, 1))
    url = f"/members/{membership.person_id}"
    small = _count_queries(client, url)
    person = db.session.get(services.Person, membership.person_id)
    for year in range(2021, 2025):
        services.change_status(membership, "suspended", date(year, 1, 1), "Onbetaald")
        services.change_status(membership, "active", date(year, 6, 1), None)
        services.set_consent(person, "newsletter", year % 2 == 1)
    db.session.commit()

    assert _count_queries(client, url) == small


def test_menu_links_to_the_register_for_the_board_only(client, make_user, login_as, board):
    def menu():
        page = Page(client.get("/account").text)
        nav = next(e for e in page.root.iter() if e.tag == "nav")
        return [a.attrs["href"] for a in nav.iter() if a.tag == "a"]

    assert "/members/" in menu()
    login_as(make_user(roles=["member"], locale="en"))
    assert "/members/" not in menu()
