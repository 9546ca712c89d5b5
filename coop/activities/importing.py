"""Import activities from a CSV or XLSX file: read, check every row, preview, then save
all or nothing — like the member import, whose reading helpers (`decode`, `parse_date`,
`UploadStore`, `ImportFileError`) it reuses.

Columns (Dutch or English headers, any order): datum, tijd, titel, initiatief, plek,
deelnemers, nieuw, vrijwilligers, door bewoners, kosten, gepland, kalender. Initiative and
place are named as in the app; an initiative outside the user's scope is refused.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy import select

from coop.activities import services
from coop.activities.models import MeetingPlace
from coop.activities.services import ActivityValues
from coop.extensions import db
from coop.members.importing import ImportFileError, decode, parse_date
from coop.money import MoneyError, parse_amount

MAX_ROWS = 2000
HEADERS = {
    "datum": "activity_date", "date": "activity_date",
    "tijd": "start_time", "begintijd": "start_time", "time": "start_time",
    "start_time": "start_time",
    "titel": "title", "activiteit": "title", "title": "title", "activity": "title",
    "initiatief": "initiative", "initiative": "initiative",
    "plek": "place", "locatie": "place", "place": "place",
    "deelnemers": "participants", "participants": "participants",
    "nieuw": "new_participants", "nieuwe_deelnemers": "new_participants",
    "waarvan_nieuw": "new_participants", "new": "new_participants",
    "new_participants": "new_participants",
    "vrijwilligers": "volunteers", "volunteers": "volunteers",
    "door_bewoners": "organised_by_residents", "by_residents": "organised_by_residents",
    "organised_by_residents": "organised_by_residents",
    "kosten": "costs", "costs": "costs",
    "gepland": "planned", "planned": "planned",
    "kalender": "public", "openbaar": "public", "public": "public",
}
REQUIRED = ("activity_date", "title", "initiative")
YES = {"ja", "j", "yes", "y", "1", "true", "waar", "x"}
NO = {"nee", "n", "no", "0", "false", "onwaar", ""}
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


@dataclass
class CheckedRow:
    line: int
    cells: dict
    values: ActivityValues | None = None
    problems: list = field(default_factory=list)


def _key(text) -> str:
    return re.sub(r"[\s\-]+", "_", str(text or "").strip().lower())


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else \
            value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(data: bytes) -> list[list[str]]:
    if data.startswith(b"PK\x03\x04"):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # a broken or foreign zip: say so at the field
            raise ImportFileError(_l("This workbook cannot be read.")) from error
        sheet = workbook.worksheets[0]
        table = [[_cell_text(v) for v in row]
                 for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
        workbook.close()
        return table
    text = decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    try:
        return [[cell.strip() for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as error:
        raise ImportFileError(_l("This file cannot be read as CSV: check the quotes.")) \
            from error


def read(data: bytes) -> list[tuple[int, dict]]:
    """The rows of the upload as (line, {column: text}). Raises ImportFileError."""
    if not data:
        raise ImportFileError(_l("The file is empty."))
    table = [(number, row) for number, row in enumerate(_table(data), start=1)
             if any(cell for cell in row)]
    if not table:
        raise ImportFileError(_l("The file is empty."))
    header = table[0][1]
    columns, unknown = [], []
    for cell in header:
        key = HEADERS.get(_key(cell))
        if key is None and cell:
            unknown.append(cell)
        if key is not None and key in columns:
            raise ImportFileError(_l("The column “%(name)s” appears twice.", name=cell))
        columns.append(key)
    if unknown:
        raise ImportFileError(_l("Unknown columns: %(names)s.", names=", ".join(unknown)))
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportFileError(_l(
            "The first line must name the columns; “datum”, “titel” and “initiatief” are "
            "required."))
    rows = table[1:]
    if not rows:
        raise ImportFileError(_l("The file has a header line but no rows."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_l(
            "The file has more than %(max)d rows; split it into smaller files.", max=MAX_ROWS))
    return [(number, {key: cell for key, cell in zip(columns, row, strict=False) if key})
            for number, row in rows]


def _yes_no(text: str, label) -> bool:
    word = text.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError(_l("%(column)s: write ja or nee.", column=label))


def _whole(text: str, label) -> int:
    text = text.strip()
    if not text:
        return 0
    if not re.fullmatch(r"-?\d{1,9}", text):
        raise ValueError(_l("%(column)s: “%(value)s” is not a whole number.",
                            column=label, value=text[:20]))
    return int(text)


def check(rows: list[tuple[int, dict]], user) -> list[CheckedRow]:
    """Every row typed and checked by the activity rules (nothing written)."""
    initiatives = {i.name.strip().lower(): i for i in services.initiatives_for(user)}
    places = {p.name.strip().lower(): p for p in db.session.scalars(select(MeetingPlace))}
    checked = []
    for line, cells in rows:
        row = CheckedRow(line=line, cells=cells)
        checked.append(row)
        try:
            initiative = initiatives.get(cells.get("initiative", "").strip().lower())
            if initiative is None:
                raise ValueError(_l("Initiative “%(name)s” is not one of yours.",
                                    name=cells.get("initiative", "")[:100]))
            place_name = cells.get("place", "").strip()
            place = places.get(place_name.lower()) if place_name else None
            if place_name and place is None:
                raise ValueError(_l("Place “%(name)s” is unknown.", name=place_name[:100]))
            day_text = cells.get("activity_date", "").strip()[:10]
            activity_date = parse_date(day_text) if day_text else None
            start = None
            time_text = cells.get("start_time", "").strip()
            if time_text:
                match = _TIME.match(time_text[-5:].strip())
                if not match or int(match[1]) > 23 or int(match[2]) > 59:
                    raise ValueError(_l("Time: write 19:30."))
                start = time(int(match[1]), int(match[2]))
            try:
                costs = parse_amount(cells.get("costs", "")) if cells.get("costs") else 0
            except MoneyError as error:
                raise ValueError(error.args[0]) from error
            row.values = ActivityValues(
                initiative_id=initiative.id, title=cells.get("title", ""),
                activity_date=activity_date, start_time=start,
                place_id=place.id if place else None,
                participants=_whole(cells.get("participants", ""), _l("Participants")),
                new_participants=_whole(cells.get("new_participants", ""), _l("Of whom new")),
                volunteers=_whole(cells.get("volunteers", ""), _l("Volunteers")),
                organised_by_residents=_yes_no(cells.get("organised_by_residents", ""),
                                               _l("By residents")),
                costs_cents=costs, planned=_yes_no(cells.get("planned", ""), _l("Planned")),
                public=_yes_no(cells.get("public", ""), _l("In the calendar")))
        except ValueError as error:
            row.problems.append(str(error.args[0]))
            continue
        row.problems.extend(str(p.message) for p in services.check_activity(row.values))
    return checked
