"""CSV/XLSX exports of the register as the board sees it, and of the members on a date."""

import codecs
import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from coop import timeutil
from coop.audit import AuditEvent
from coop.extensions import db
from coop.members import services
from coop.members.models import MembershipStatus
from tests import factories
from tests.charts import page_charts
from tests.members.transfer.helpers import CONFIRM_URL, csv_bytes, preview_problems, upload


def read_csv(response) -> list[list[str]]:
    assert response.data.startswith(codecs.BOM_UTF8)
    text = response.data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def read_xlsx(response) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    return list(workbook.active.values)


def export_events() -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.tag == "members:export").order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def end(membership, day: date) -> None:
    services.change_status(membership, MembershipStatus.ENDED, day, "verhuisd")
    db.session.commit()


@pytest.fixture
def register(app):
    """Three persons: a member, a member with a hostile name, a person without membership."""
    resident = factories.create_membership_type("bewoner", name="Bewoner")
    friend = factories.create_membership_type("vriend", name="Vriend", has_vote=False)
    anna = factories.create_member(
        membership_type=resident, start_date=date(2024, 3, 1), given_name="Anna",
        name_prefix="de", family_name="Vries", email="anna@example.org",
        phone="+31 6 12345678", street="Lindelaan 1", postcode="3581AB", city="Utrecht",
        date_of_birth=date(1980, 5, 17),
    )
    services.set_consent(db.session.get(services.Person, anna.person_id),
                         services.ConsentKind.ELECTRONIC_CONVOCATION, True)
    db.session.commit()
    factories.create_member(
        membership_type=friend, start_date=date(2025, 6, 1), given_name="@Bob",
        family_name='=HYPERLINK("http://evil.example","klik")', email="bob@example.org",
        phone="-1", street=None, postcode=None, city=None,
    )
    factories.create_person(given_name="Zoë", family_name="Zonder", email="zoe@example.org",
                            street=None, postcode=None, city=None)
    return {"resident": resident, "friend": friend}


DUTCH_HEADER = [
    "lidnummer", "voornaam", "tussenvoegsel", "achternaam", "email", "telefoon", "straat",
    "postcode", "plaats", "geboortedatum", "soort_lidmaatschap", "startdatum", "einddatum",
    "status", "stemrecht", "toestemming_elektronische_oproeping", "toestemming_nieuwsbrief",
]


def test_csv_export_is_the_register_for_dutch_excel(client, login_as, register):
    login_as(factories.create_user(roles=["board"], locale="nl"))

    response = client.get("/members/transfer/export.csv")

    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="ledenregister-{date.today():%Y-%m-%d}.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = read_csv(response)
    assert rows[0] == DUTCH_HEADER
    # Sorted by name as the list is: "=hyperlink…" sorts before "vries".
    assert rows[1:] == [
        ["2", "'@Bob", "", "'=HYPERLINK(\"http://evil.example\",\"klik\")", "bob@example.org",
         "'-1", "", "", "", "", "vriend", "01-06-2025", "", "actief", "nee", "nee", "nee"],
        ["1", "Anna", "de", "Vries", "anna@example.org", "'+31 6 12345678", "Lindelaan 1",
         "3581 AB", "Utrecht", "17-05-1980", "bewoner", "01-03-2024", "", "actief", "ja",
         "ja", "nee"],
    ]
    # Like the list, persons without a membership only with status=none.
    rows = read_csv(client.get("/members/transfer/export.csv?status=none"))
    assert rows[1:] == [
        ["", "Zoë", "", "Zonder", "zoe@example.org", "", "", "", "", "", "", "", "", "", "",
         "nee", "nee"],
    ]


def test_csv_export_follows_the_register_lists_filters(client, board, register):
    rows = read_csv(client.get("/members/transfer/export.csv?q=vries"))
    assert [row[3] for row in rows[1:]] == ["Vries"]

    rows = read_csv(client.get(f"/members/transfer/export.csv?type={register['friend'].id}"))
    assert [row[0] for row in rows[1:]] == ["2"]

    rows = read_csv(client.get("/members/transfer/export.csv?status=none"))
    assert [row[3] for row in rows[1:]] == ["Zonder"]

    rows = read_csv(client.get("/members/transfer/export.csv?sort=number&dir=desc"))
    assert [row[0] for row in rows[1:]] == ["2", "1"]


def test_csv_export_in_english_has_the_imports_english_headers(client, board, register):
    rows = read_csv(client.get("/members/transfer/export.csv?q=vries"))

    assert rows[0][:4] == ["member_number", "given_name", "name_prefix", "family_name"]
    assert rows[1][13:] == ["active", "yes", "yes", "no"]


def test_an_export_reads_back_through_the_import(client, board, register):
    exported = client.get("/members/transfer/export.csv").data

    response = upload(client, exported)

    # Every cell reads back (dates, statuses, quoted formulas, ja/nee); the only problem
    # left is that these members are in the register already.
    assert response.status_code == 200
    assert preview_problems(response) == {
        2: ['Email address “bob@example.org”: @Bob =HYPERLINK("http://evil.example","klik") '
            "is already a member (number 2)."],
        3: ["Email address “anna@example.org”: Anna de Vries is already a member (number 1)."],
    }


def test_xlsx_export_has_the_rows_with_real_dates_and_no_formulas(client, board, register):
    response = client.get("/members/transfer/export.xlsx?status=active")

    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = read_xlsx(response)
    assert rows[0][:4] == ("member_number", "given_name", "name_prefix", "family_name")
    assert [row[0] for row in rows[1:]] == [2, 1]
    anna = rows[2]
    assert anna[9] == datetime(1980, 5, 17)
    assert anna[11] == datetime(2024, 3, 1)
    assert anna[5] == "+31 6 12345678"  # a text cell needs no quote
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    hostile = workbook.active.cell(row=2, column=4)
    assert hostile.data_type == "s"
    assert hostile.value == '=HYPERLINK("http://evil.example","klik")'


def test_every_export_is_audited(client, board, register):
    client.get("/members/transfer/export.csv?q=vries&status=active")
    client.get("/members/transfer/export.xlsx")

    csv_event, xlsx_event = export_events()
    assert csv_event.details == {
        "format": "csv", "scope": "register", "rows": 1,
        "filters": {"q": "vries", "status": "active"},
    }
    assert xlsx_event.details == {"format": "xlsx", "scope": "register", "rows": 2,
                                  "filters": {}}
    assert csv_event.actor_id == board.id


@pytest.mark.parametrize("role", ["member", "auditor", "funder", "admin"])
@pytest.mark.parametrize("path", [
    "/members/transfer/export.csv", "/members/transfer/export.xlsx",
    "/members/transfer/as-of", "/members/transfer/as-of.csv", "/members/transfer/as-of.xlsx",
    "/members/transfer/import",
])
def test_only_the_board_exports(client, login_as, register, role, path):
    login_as(factories.create_user(roles=[role]))

    assert client.get(path).status_code == 403
    assert export_events() == []


def test_import_export_need_a_login(client, register):
    response = client.get("/members/transfer/export.csv")

    assert response.status_code == 302
    assert "/login" in response.location


# The register on a date ---------------------------------------------------------------


@pytest.fixture
def history(app):
    """Memberships around 1 January 2026."""
    resident = factories.create_membership_type("bewoner", name="Bewoner")

    def member(name, start, status="active"):
        return factories.create_member(
            membership_type=resident, start_date=start, status=status, family_name=name,
            email=f"{name.lower()}@example.org",
        )

    member("Later", date(2026, 1, 2))
    end(member("Vertrokken", date(2020, 1, 1)), date(2025, 12, 31))
    end(member("Gebleven", date(2020, 1, 1)), date(2026, 3, 1))
    end(member("Oudjaar", date(2020, 1, 1)), date(2026, 1, 1))
    member("Nieuwjaar", date(2026, 1, 1))
    member("Kandidaat", date(2025, 6, 1), status="aspirant")
    suspended = member("Geschorst", date(2025, 6, 1))
    services.change_status(suspended, MembershipStatus.SUSPENDED, date(2025, 9, 1), "wanbetaler")
    db.session.commit()


def test_members_on_a_date_counts_who_was_a_member_that_day(client, board, history):
    response = client.get("/members/transfer/as-of?day=2026-01-01")

    assert response.status_code == 200
    assert "Members on January 1, 2026: 4" in response.text
    for name in ("Gebleven", "Oudjaar", "Nieuwjaar", "Geschorst"):
        assert name in response.text
    for name in ("Later", "Vertrokken", "Kandidaat"):
        assert name not in response.text


def test_members_on_a_date_downloads(client, board, history):
    rows = read_csv(client.get("/members/transfer/as-of.csv?day=2026-01-01"))
    assert sorted(row[3] for row in rows[1:]) == ["Gebleven", "Geschorst", "Nieuwjaar",
                                                  "Oudjaar"]

    response = client.get("/members/transfer/as-of.xlsx?day=2026-01-02")
    assert response.headers["Content-Disposition"].endswith("leden-op-2026-01-02.xlsx")
    names = sorted(row[3] for row in read_xlsx(response)[1:])
    assert names == ["Gebleven", "Geschorst", "Later", "Nieuwjaar"]

    assert [(e.details["format"], e.details["scope"], e.details["day"], e.details["rows"])
            for e in export_events()] == [("csv", "as_of", "2026-01-01", 4),
                                          ("xlsx", "as_of", "2026-01-02", 4)]


def test_members_on_a_date_defaults_to_the_first_of_january(client, board, history):
    response = client.get("/members/transfer/as-of")

    assert response.status_code == 200
    assert f'value="{date.today().year}-01-01"' in response.text


def test_an_unreadable_date_is_refused_at_the_field(client, board, history):
    response = client.get("/members/transfer/as-of?day=31-02-2026")

    assert response.status_code == 422
    assert "Enter a date like 2026-01-31." in response.text
    assert client.get("/members/transfer/as-of.csv?day=nope").status_code == 302
    assert export_events() == []


def test_the_confirmation_is_not_reachable_by_get(client, board):
    assert client.get(CONFIRM_URL).status_code == 405
    assert csv_bytes(["a"]) == b"a\r\n"


def test_the_register_list_links_to_the_exports_with_its_filters(client, board, register):
    response = client.get("/members/?q=vries&status=active")

    assert response.status_code == 200
    assert 'href="/members/transfer/export.csv?q=vries&amp;status=active"' in response.text
    assert 'href="/members/transfer/export.xlsx?q=vries&amp;status=active"' in response.text
    assert 'href="/members/transfer/as-of"' in response.text
    assert 'href="/members/transfer/import"' in response.text


def test_members_on_a_date_page_charts_the_members_per_month(client, board, history,
                                                             monkeypatch):
    monkeypatch.setattr(timeutil, "local_today", lambda: date(2026, 3, 15))

    charts = page_charts(client.get("/members/transfer/as-of?day=2026-01-01").text)

    chart = charts["Members over time"]
    assert chart.description == ("Number of members on the first day of each month, "
                                 "from March 2025 to March 2026.")
    # Vertrokken, Gebleven and Oudjaar since 2020; Geschorst from 1 June 2025; on 1 January
    # Vertrokken has gone and Nieuwjaar come (the 4 the list shows), on 1 February Oudjaar
    # has gone and Later come; Gebleven still counts on its last day, 1 March.
    assert chart.rows == [
        ["Mar 2025", "3"], ["Apr 2025", "3"], ["May 2025", "3"], ["Jun 2025", "4"],
        ["Jul 2025", "4"], ["Aug 2025", "4"], ["Sep 2025", "4"], ["Oct 2025", "4"],
        ["Nov 2025", "4"], ["Dec 2025", "4"], ["Jan 2026", "4"], ["Feb 2026", "4"],
        ["Mar 2026", "4"],
    ]
    assert "Mar 2025" in chart.svg_texts
