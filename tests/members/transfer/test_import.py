"""CSV import: the preview lists every row's problems, nothing is written until the user
confirms, and the import writes every row or none."""

import codecs
from datetime import date

import pytest
from sqlalchemy import select

from coop.audit import AuditEvent
from coop.extensions import db
from coop.members import services
from coop.members.models import ConsentEvent, Membership, MembershipStatus, Person
from coop.members.services import RegisterError
from tests import factories
from tests.members.transfer.helpers import (
    CONFIRM_URL,
    IMPORT_URL,
    confirm,
    count,
    csv_bytes,
    flashes,
    pending_token,
    preview_problems,
    preview_valid_lines,
    upload,
)

COLUMNS = [
    "voornaam", "tussenvoegsel", "achternaam", "email", "telefoon", "straat", "postcode",
    "plaats", "geboortedatum", "soort_lidmaatschap", "startdatum", "status",
    "toestemming_elektronische_oproeping",
]
HEADER = ";".join(COLUMNS)


def row(**values) -> str:
    n = row.counter = getattr(row, "counter", 0) + 1
    defaults = {
        "voornaam": f"Jan{n}", "achternaam": f"Jansen{n}", "email": f"jan{n}@example.org",
        "straat": f"Lindelaan {n}", "postcode": "3581 AB", "plaats": "Utrecht",
        "geboortedatum": "15-03-1980", "soort_lidmaatschap": "bewoner",
        "startdatum": "01-01-2026", "toestemming_elektronische_oproeping": "ja",
    }
    defaults.update(values)
    return ";".join(defaults.get(column, "") for column in COLUMNS)


@pytest.fixture
def types(app):
    return {
        "bewoner": factories.create_membership_type("bewoner", name="Bewoner"),
        "initiatief": factories.create_membership_type("initiatief", name="Initiatief"),
        "oud": factories.create_membership_type("oud", name="Oud", is_active=False),
    }


def member_audit_tags() -> list[str]:
    query = select(AuditEvent.tag).where(AuditEvent.domain == "members").order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def persons_by_email() -> dict[str, Person]:
    return {p.email: p for p in db.session.scalars(select(Person))}


# The preview ------------------------------------------------------------------------


def test_preview_lists_every_problem_of_every_row(client, board, types):
    factories.create_person(email="bestaand@example.org", family_name="Bestaand")
    factories.create_member(membership_type=types["bewoner"], email="lid@example.org",
                            given_name="Els", family_name="Lid")
    data = csv_bytes([
        HEADER,
        row(email="goed@example.org"),                                          # line 2
        row(postcode="1234", soort_lidmaatschap="xyz"),                          # line 3
        row(achternaam="", geboortedatum="31-02-2026"),                          # line 4
        row(email="bestaand@example.org"),                                       # line 5
        row(email="Goed@Example.org"),                                           # line 6
        row(geboortedatum="01-01-2999", startdatum="gisteren"),                  # line 7
        row(email="lid@example.org"),                                            # line 8
        row(soort_lidmaatschap="oud", status="weg", toestemming_elektronische_oproeping="?"),
        row(email="geen-adres", startdatum="", status="beëindigd"),              # line 10
    ])

    response = upload(client, data)

    assert response.status_code == 200
    assert preview_problems(response) == {
        3: ["Postcode “1234”: A Dutch postcode looks like 3581 AB.",
            "Membership type “xyz”: Unknown membership type “xyz”; the known types are: "
            "bewoner, initiatief, oud."],
        4: ["Family name: The family name is missing.",
            "Date of birth “31-02-2026”: The date 31-02-2026 does not exist."],
        5: ["Email address “bestaand@example.org”: "
            "Another person in the register has this email address."],
        6: ["Email address “Goed@Example.org”: The email address is also on line 2."],
        7: ["Date of birth “01-01-2999”: A date of birth cannot be in the future.",
            "Start date “gisteren”: “gisteren” is not a date: write dd-mm-yyyy."],
        8: ["Email address “lid@example.org”: Els Lid is already a member (number 1)."],
        9: ["Membership type “oud”: This membership type is no longer offered.",
            "Status “weg”: Unknown status “weg”; use aspirant, actief or geschorst.",
            "Consent to electronic convocation “?”: Write ja or nee."],
        10: ["Email address “geen-adres”: This is not a valid email address.",
             "Start date: The start date is missing.",
             "Status “beëindigd”: A new membership cannot start as ended."],
    }
    assert preview_valid_lines(response) == [2]
    assert "Rows: 9; valid: 1; with problems: 8." in response.text


def test_preview_writes_nothing(client, board, types):
    before = (count(Person), count(Membership), count(AuditEvent))

    response = upload(client, csv_bytes([HEADER, row(), row(postcode="nope")]))

    assert response.status_code == 200
    assert (count(Person), count(Membership), count(AuditEvent)) == before


def test_duplicate_email_within_the_file_is_a_problem_of_the_later_row(client, board, types):
    response = upload(client, csv_bytes([
        HEADER, row(email="twee@example.org"), row(), row(email="TWEE@example.org "),
    ]))

    assert preview_problems(response) == {
        4: ["Email address “TWEE@example.org”: The email address is also on line 2."],
    }


def test_a_row_without_email_matches_on_name_and_postcode(client, board, types):
    factories.create_member(membership_type=types["bewoner"], given_name="Piet",
                            family_name="Pietersen", postcode="3581 AB", email=None)
    response = upload(client, csv_bytes([
        HEADER,
        row(voornaam="Piet", achternaam="Pietersen", email="", postcode="3581ab"),
        row(voornaam="Kees", achternaam="Kok", email="", postcode="1011 AA"),
        row(voornaam="Kees", achternaam="Kok", email="", postcode="1011 AA"),
    ]))

    assert preview_problems(response) == {
        2: ["Piet Pietersen is already a member (number 1)."],
        4: ["The same name and postcode are also on line 3."],
    }


def test_bom_semicolons_and_dutch_headers_are_read(client, board, types):
    response = upload(client, csv_bytes([HEADER, row(email="bom@example.org")], bom=True))

    assert response.status_code == 200
    assert preview_valid_lines(response) == [2]
    assert "Rows: 1; valid: 1; with problems: 0." in response.text


def test_commas_english_headers_and_iso_dates_are_read(client, board, types):
    data = (
        b"given_name,family_name,email,postcode,date_of_birth,membership_type,start_date\r\n"
        b"Anna,Smit,anna@example.org,3581AB,1990-12-31,initiatief,2026-02-01\r\n"
    )

    response = upload(client, data)

    assert preview_valid_lines(response) == [2]
    confirm(client, "import_all")
    anna = persons_by_email()["anna@example.org"]
    assert (anna.postcode, anna.date_of_birth) == ("3581 AB", date(1990, 12, 31))


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        ("Voornaam;Achternaam\r\nJosé;Müller\r\n".encode("latin-1"), "leden.csv",
         "This file is not UTF-8 text."),
        (b"PK\x03\x04rest of a workbook", "leden.csv",
         "This is an Excel workbook, not a CSV file."),
        (b"voornaam;achternaam\r\nJan;Jansen\r\n", "leden.pdf",
         "Only a CSV file (.csv or .txt) can be imported."),
        (b"", "leden.csv", "The file is empty."),
        (b"voornaam;achternaam\r\n", "leden.csv", "The file has a header line but no rows."),
        (b"voornaam;email\r\nJan;jan@example.org\r\n", "leden.csv",
         "a column “achternaam” (family name) is required."),
        (b"voornaam;achternaam;schoenmaat\r\nJan;Jansen;44\r\n", "leden.csv",
         "Unknown columns: schoenmaat. Known columns: voornaam, tussenvoegsel, achternaam"),
        (b"achternaam;email;e-mail\r\nJansen;a@example.org;b@example.org\r\n", "leden.csv",
         "The column “e-mail” appears twice."),
    ],
)
def test_an_unreadable_file_is_refused_at_the_field(client, board, types, data, filename,
                                                    message):
    response = upload(client, data, filename)

    assert response.status_code == 422
    error = response.text.split('id="file-error"', 1)[1].split("</p>", 1)[0]
    assert message in error.replace("&#34;", '"')
    with client.session_transaction() as session:
        assert "member_import" not in session


def test_no_file_is_refused_at_the_field(client, board, types):
    response = client.post(IMPORT_URL, data={}, content_type="multipart/form-data")

    assert response.status_code == 422
    assert "Choose a CSV file." in response.text


def test_a_file_over_the_size_limit_is_refused(app, client, board, types):
    app.config["MEMBER_IMPORT_MAX_BYTES"] = 512 * 1024
    data = csv_bytes([HEADER, row(straat="x" * (512 * 1024))])

    response = upload(client, data)

    assert response.status_code == 422
    assert "The file is larger than 0.5 MB; split it into smaller files." in response.text


def test_a_file_over_the_row_limit_is_refused(app, client, board, types):
    app.config["MEMBER_IMPORT_MAX_ROWS"] = 2

    response = upload(client, csv_bytes([HEADER, row(), row(), row()]))

    assert response.status_code == 422
    assert "The file has more than 2 rows; split it into smaller files." in response.text


# Confirming -------------------------------------------------------------------------


def test_import_all_writes_every_row_with_membership_and_consent(client, board, types):
    upload(client, csv_bytes([
        HEADER,
        row(email="a@example.org", tussenvoegsel="van der", achternaam="Aa",
            startdatum="01-03-2026", status="aspirant"),
        row(email="b@example.org", soort_lidmaatschap="initiatief",
            toestemming_elektronische_oproeping="nee"),
        row(email="c@example.org", soort_lidmaatschap="", startdatum=""),  # person only
    ]))

    response = confirm(client, "import_all")

    assert response.status_code == 302
    persons = persons_by_email()
    assert set(persons) == {"a@example.org", "b@example.org", "c@example.org"}
    assert persons["a@example.org"].display_name.endswith("van der Aa")
    memberships = {
        m.person_id: m for m in db.session.scalars(select(Membership))
    }
    a, b = memberships[persons["a@example.org"].id], memberships[persons["b@example.org"].id]
    assert (a.type_id, a.start_date, a.status) == (
        types["bewoner"].id, date(2026, 3, 1), MembershipStatus.ASPIRANT
    )
    assert (b.type_id, b.status) == (types["initiatief"].id, MembershipStatus.ACTIVE)
    assert persons["c@example.org"].id not in memberships
    assert persons["a@example.org"].consent_electronic_convocation is True
    assert persons["b@example.org"].consent_electronic_convocation is False
    assert count(ConsentEvent) == 2  # a and c said ja
    page = client.get(response.location)
    assert ("Import done. Persons added: 3; memberships started: 2; rows skipped: 0."
            in flashes(page))
    with client.session_transaction() as session:
        assert "member_import" not in session


def test_import_all_is_refused_while_rows_have_problems(client, board, types):
    upload(client, csv_bytes([HEADER, row(), row(postcode="0000 AA")]))

    response = confirm(client, "import_all")

    assert response.status_code == 422
    assert ("Rows with problems: 1. Correct the file, or import only the valid rows."
            in flashes(response))
    assert count(Person) == 0
    assert member_audit_tags() == []


def test_importing_only_the_valid_rows_writes_exactly_those(client, board, types):
    upload(client, csv_bytes([
        HEADER,
        row(email="een@example.org"),
        row(email="twee@example.org", postcode="99"),
        row(email="drie@example.org"),
        row(email="vier@example.org", soort_lidmaatschap="onbekend"),
    ]))

    response = confirm(client, "import_valid")

    assert response.status_code == 302
    assert set(persons_by_email()) == {"een@example.org", "drie@example.org"}
    assert count(Membership) == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == "members:import"))
    assert event.details == {
        "file": "leden.csv", "rows": 4, "persons": 2, "memberships": 2, "skipped": 2,
        "mode": "valid",
    }
    assert event.actor_id == board.id


def test_only_valid_rows_with_no_valid_row_imports_nothing(client, board, types):
    upload(client, csv_bytes([HEADER, row(postcode="99")]))

    response = confirm(client, "import_valid")

    assert response.status_code == 422
    assert "No row is valid, so there is nothing to import." in flashes(response)
    assert count(Person) == 0


def test_a_failure_in_the_middle_of_the_import_saves_nothing(client, board, types,
                                                             monkeypatch):
    real_add_membership = services.add_membership
    calls = []

    def failing_on_the_third_row(person, *args, **kwargs):
        calls.append(person.email)
        if len(calls) == 3:
            raise RegisterError("The membership could not be added.")
        return real_add_membership(person, *args, **kwargs)

    monkeypatch.setattr(services, "add_membership", failing_on_the_third_row)
    upload(client, csv_bytes([HEADER, row(), row(), row(), row()]))

    response = confirm(client, "import_all")

    assert response.status_code == 422
    assert ("Nothing was imported: line 4 failed: The membership could not be added."
            in flashes(response))
    assert len(calls) == 3
    assert count(Person) == 0
    assert count(Membership) == 0
    assert count(ConsentEvent) == 0
    assert member_audit_tags() == ["members:import:failed"]
    # The file is still there: after correcting the cause, the user can try again.
    monkeypatch.setattr(services, "add_membership", real_add_membership)
    assert confirm(client, "import_all").status_code == 302
    assert count(Person) == 4
    assert [m.member_number for m in db.session.scalars(
        select(Membership).order_by(Membership.member_number))] == [1, 2, 3, 4]


def test_an_unexpected_error_in_the_middle_of_the_import_saves_nothing(client, board, types,
                                                                      monkeypatch):
    real_create_person = services.create_person
    calls = []

    def crashing_on_the_second_row(values, *args, **kwargs):
        calls.append(values)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_create_person(values, *args, **kwargs)

    monkeypatch.setattr(services, "create_person", crashing_on_the_second_row)
    upload(client, csv_bytes([HEADER, row(), row(), row()]))

    response = confirm(client, "import_all")

    assert response.status_code == 500
    assert "disk full" not in response.text  # no stack trace for the user
    assert count(Person) == 0
    assert count(Membership) == 0


def test_confirming_checks_the_file_again(client, board, types):
    upload(client, csv_bytes([HEADER, row(email="laat@example.org"), row()]))
    # Between the preview and the confirmation someone registers the same person.
    factories.create_person(email="laat@example.org")

    response = confirm(client, "import_all")

    assert response.status_code == 422
    assert count(Person) == 1
    assert preview_problems(response) == {
        2: ["Email address “laat@example.org”: "
            "Another person in the register has this email address."],
    }


def test_importing_the_same_file_twice_finds_the_members_already_there(client, board, types):
    data = csv_bytes([HEADER, row(email="een@example.org"),
                      row(voornaam="Zonder", achternaam="Mail", email="")])
    upload(client, data)
    confirm(client, "import_all")

    response = upload(client, data)

    assert set(preview_problems(response)) == {2, 3}
    assert preview_valid_lines(response) == []


@pytest.mark.parametrize("token", ["", "wrong-token-0123456789abcdef"])
def test_a_confirmation_without_the_matching_preview_is_refused(client, board, types, token):
    upload(client, csv_bytes([HEADER, row()]))

    response = client.post(CONFIRM_URL, data={"token": token, "import_all": "1"},
                           follow_redirects=True)

    assert "This preview is no longer current: upload the file again." in flashes(response)
    assert count(Person) == 0


def test_a_confirmation_without_any_preview_is_refused(client, board, types):
    response = client.post(CONFIRM_URL, data={"import_all": "1"})

    assert response.status_code == 302
    assert count(Person) == 0


def test_a_new_upload_replaces_the_waiting_one(app, client, board, types):
    upload(client, csv_bytes([HEADER, row(email="eerste@example.org")]))
    first = pending_token(client)
    upload(client, csv_bytes([HEADER, row(email="tweede@example.org")]))

    assert confirm(client, "import_all", token=first).status_code == 302
    assert count(Person) == 0  # the stale tab's confirmation did nothing
    confirm(client, "import_all")
    assert set(persons_by_email()) == {"tweede@example.org"}


def test_cancel_discards_the_waiting_file(app, client, board, types, tmp_path):
    upload(client, csv_bytes([HEADER, row()]))
    token = pending_token(client)
    stored = tmp_path / "member_imports" / f"{token}.csv"
    assert stored.exists()

    client.post("/members/transfer/import/cancel")

    assert not stored.exists()
    assert confirm(client, "import_all", token=token).status_code == 302
    assert count(Person) == 0


def test_the_stored_upload_is_the_file_as_sent(client, board, types, tmp_path):
    data = csv_bytes([HEADER, row()], bom=True)
    upload(client, data)

    stored = tmp_path / "member_imports" / f"{pending_token(client)}.csv"
    assert stored.read_bytes() == data
    assert stored.read_bytes().startswith(codecs.BOM_UTF8)


def test_a_member_cannot_import(client, login_as, types):
    login_as(factories.create_user(roles=["member"]))

    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, csv_bytes([HEADER, row()])).status_code == 403
    assert client.post(CONFIRM_URL, data={"import_all": "1"}).status_code == 403


def _age(path, hours: float) -> None:
    import os
    import time

    past = time.time() - hours * 3600
    os.utime(path, (past, past))


def test_an_upload_older_than_a_day_cannot_be_imported(app, client, board, types, tmp_path):
    upload(client, csv_bytes([HEADER, row()]))
    _age(tmp_path / "member_imports" / f"{pending_token(client)}.csv", 25)

    response = confirm(client, "import_all")

    assert response.status_code == 302
    assert count(Person) == 0
    follow = client.get(response.headers["Location"])
    assert "This preview is no longer current: upload the file again." in flashes(follow)


def test_sweep_command_removes_uploads_older_than_a_day_only(app, tmp_path):
    from coop.members.views.transfer import upload_store

    store = upload_store()
    old, recent = store.put(b"old"), store.put(b"recent")
    folder = tmp_path / "member_imports"
    _age(folder / f"{old}.csv", 25)
    _age(folder / f"{recent}.csv", 23)

    result = app.test_cli_runner().invoke(args=["coop", "sweep-imports"])

    assert result.exit_code == 0, result.output
    assert "1 upload(s) removed" in result.output
    assert sorted(p.name for p in folder.iterdir()) == [f"{recent}.csv"]
