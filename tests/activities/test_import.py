"""Import of activities from CSV or XLSX: a preview of every row, then all or nothing."""

import io
from datetime import date

from openpyxl import Workbook

from coop.activities.models import Activity
from coop.extensions import db


def _count():
    return db.session.scalar(db.select(db.func.count(Activity.id)))


CSV = ("datum;tijd;titel;initiatief;plek;deelnemers;nieuw;vrijwilligers;door bewoners;"
       "kosten;gepland;kalender\n"
       "23-11-2026;10:00;Koffie-ochtend;Buurttuin;Buurthuis De Sleutel;14;2;3;ja;12,50;nee;ja\n"
       "2026-11-25;;Taalcafé;buurttuin;;8;0;1;nee;;nee;nee\n")


def _upload(client, data: bytes, name="activiteiten.csv"):
    return client.post("/activities/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_a_csv_is_previewed_then_saved(client, login_as, today, garden, centre, coordinator):
    login_as(coordinator)
    preview = _upload(client, CSV.encode())

    assert preview.status_code == 200
    assert "2 regels staan klaar om op te slaan." in preview.text
    assert _count() == 0

    token = preview.text.split('name="token" type="hidden" value="')[1].split('"')[0]
    done = client.post("/activities/import/confirm", data={"token": token},
                       follow_redirects=True)
    assert "2 activiteiten opgeslagen." in done.text
    first = db.session.scalar(db.select(Activity).order_by(Activity.activity_date))
    assert (first.title, first.place_id, first.costs_cents, first.public) == (
        "Koffie-ochtend", centre.id, 1250, True)


def test_an_xlsx_is_read_too(client, login_as, today, garden, coordinator):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Datum", "Titel", "Initiatief", "Deelnemers", "Nieuw"])
    sheet.append([date(2026, 11, 24), "Snoeien", "Buurttuin", 6, 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    login_as(coordinator)

    preview = _upload(client, buffer.getvalue(), "week.xlsx")

    assert "1 regels staan klaar om op te slaan." in preview.text
    assert "Snoeien" in preview.text


def test_bad_rows_are_shown_and_nothing_is_saved(client, login_as, today, garden, cafe,
                                                 coordinator):
    login_as(coordinator)
    bad = ("datum,titel,initiatief,deelnemers,nieuw,gepland\n"
           "24-11-2026,Goed,Buurttuin,5,1,nee\n"
           "24-11-2026,Te veel nieuw,Buurttuin,5,9,nee\n"
           "24-11-2026,Negatief,Buurttuin,-2,0,nee\n"
           "30-12-2026,Toekomst,Buurttuin,5,0,nee\n"
           "24-11-2026,Ander initiatief,Repaircafé,5,0,nee\n"
           "24-11-2026,Onzin,Buurttuin,veel,0,nee\n")
    preview = _upload(client, bad.encode())

    assert "5 regels hebben een probleem" in preview.text
    assert "Er kunnen niet meer nieuwe deelnemers zijn dan deelnemers." in preview.text
    assert "Het aantal deelnemers kan niet negatief zijn." in preview.text
    assert "Deze datum ligt in de toekomst" in preview.text
    assert "Initiatief “Repaircafé” is niet een van de jouwe." in preview.text
    assert "is geen geheel getal" in preview.text
    assert "/activities/import/confirm" not in preview.text  # no button to save

    forged = client.post("/activities/import/confirm", data={"token": "x" * 40},
                         follow_redirects=True)
    assert "Dit voorbeeld is niet meer actueel" in forged.text
    assert _count() == 0


def test_a_file_that_is_not_a_table_is_refused_at_the_field(client, login_as, garden,
                                                            coordinator):
    login_as(coordinator)
    unknown = _upload(client, b"wie;wat\nik;iets\n")
    assert unknown.status_code == 422
    assert "Onbekende kolommen: wie, wat." in unknown.text
    wrong_kind = _upload(client, b"%PDF-1.4", "lijst.pdf")
    assert wrong_kind.status_code == 422
    assert _count() == 0
