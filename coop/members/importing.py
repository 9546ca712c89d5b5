"""CSV import into the member register: read, check every row, then write all or nothing.

Three steps, each usable on its own:

1. `read_csv(data)` decodes the upload (UTF-8, with or without BOM; ';' or ',' between
   cells, as Dutch and English Excel write them) and maps the header to known columns.
   A file that cannot be read at all raises `ImportFileError` (a message for the field).
2. `check_rows(parsed)` checks every row against the rules and the register, and lists
   each row's problems. It reads the database but never writes.
3. `import_rows(checked, only_valid)` writes the rows through the register services.
   It flushes but does not commit: the caller commits once, or rolls back when it
   raises, so a failed import changes nothing.

Between the preview and the confirmation the upload waits in `UploadStore`, a folder
on the server, under a random token the view keeps in the session: the client never
sends the rows back, and the confirmation checks the file again from scratch.
"""

import contextlib
import csv
import io
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError

from coop import audit
from coop.extensions import db
from coop.members import services
from coop.members.models import (
    ConsentKind,
    Membership,
    MembershipStatus,
    MembershipType,
    Person,
)
from coop.validators import normalise_postcode

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
# Each row goes through the register services (numbers, history, audit): about 4-7 ms a
# row, so 2.000 rows stay well inside a request timeout. Config: MEMBER_IMPORT_MAX_ROWS.
DEFAULT_MAX_ROWS = 2000
_QUERY_CHUNK = 500  # values per IN (...) list, well under every database's limit


@dataclass(frozen=True)
class Column:
    key: str
    dutch: str  # the header a Dutch Excel sheet has; also the export's header
    english: str
    label: Any  # lazy translated name, for messages and the preview
    max_length: int | None = None


COLUMNS = [
    Column("given_name", "voornaam", "given_name", _l("Given name"), 100),
    Column("name_prefix", "tussenvoegsel", "name_prefix", _l("Name prefix"), 20),
    Column("family_name", "achternaam", "family_name", _l("Family name"), 200),
    Column("email", "email", "email", _l("Email address"), 255),
    Column("phone", "telefoon", "phone", _l("Phone"), 40),
    Column("street", "straat", "street", _l("Street and number"), 200),
    Column("postcode", "postcode", "postcode", _l("Postcode")),
    Column("city", "plaats", "city", _l("City"), 100),
    Column("date_of_birth", "geboortedatum", "date_of_birth", _l("Date of birth")),
    Column("membership_type", "soort_lidmaatschap", "membership_type", _l("Membership type")),
    Column("start_date", "startdatum", "start_date", _l("Start date")),
    Column("status", "status", "status", _l("Status")),
    Column(
        "consent_electronic_convocation", "toestemming_elektronische_oproeping",
        "consent_electronic_convocation", _l("Consent to electronic convocation"),
    ),
    Column("consent_newsletter", "toestemming_nieuwsbrief", "consent_newsletter",
           _l("Consent to the newsletter")),
    # Columns of the export, so an export reads back: the register hands out new member
    # numbers and the vote follows the type, so those two are ignored; an end date is
    # refused (an ended membership is history, not something to import).
    Column("member_number", "lidnummer", "member_number", _l("Member number (ignored)")),
    Column("has_vote", "stemrecht", "has_vote", _l("Voting right (ignored: follows the type)")),
    Column("end_date", "einddatum", "end_date", _l("End date (must be empty)")),
]
IGNORED_COLUMNS = {"member_number", "has_vote"}
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
# Header text (lower case, spaces and dashes as "_") -> column key.
HEADER_ALIASES = {
    **{column.dutch: column.key for column in COLUMNS},
    **{column.english: column.key for column in COLUMNS},
    "e_mail": "email",
    "emailadres": "email",
    "e_mailadres": "email",
    "telefoonnummer": "phone",
    "woonplaats": "city",
    "lidmaatschap": "membership_type",
}

STATUS_WORDS = {
    "aspirant": MembershipStatus.ASPIRANT,
    "actief": MembershipStatus.ACTIVE,
    "active": MembershipStatus.ACTIVE,
    "geschorst": MembershipStatus.SUSPENDED,
    "suspended": MembershipStatus.SUSPENDED,
    "beëindigd": MembershipStatus.ENDED,
    "beeindigd": MembershipStatus.ENDED,
    "ended": MembershipStatus.ENDED,
}
YES_WORDS = {"ja", "j", "yes", "y", "1", "true", "waar"}
NO_WORDS = {"nee", "n", "no", "0", "false", "onwaar", ""}

_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YEAR_MONTH_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class ImportFileError(Exception):
    """The upload cannot be read as a register CSV; `message` belongs at the file field."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class ImportRefused(Exception):
    """The import was asked for in a way the rules do not allow (nothing was written)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class ImportRowFailed(Exception):
    """Writing a row failed although the check passed (e.g. the register changed in
    between). The caller must roll back: nothing of the import may stay."""

    def __init__(self, line: int, message):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class ParsedFile:
    columns: list[str]  # column keys in file order
    rows: list[tuple[int, dict[str, str], bool]]  # (line number, cells by key, extra cells?)


@dataclass
class Problem:
    column: str | None  # a column key, or None for the whole row
    message: Any

    @property
    def label(self):
        return COLUMNS_BY_KEY[self.column].label if self.column else None


@dataclass
class CheckedRow:
    line: int
    cells: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    person_values: dict[str, Any] = field(default_factory=dict)
    membership_type: MembershipType | None = None
    start_date: date | None = None
    status: MembershipStatus | None = None
    consent_electronic_convocation: bool = False
    consent_newsletter: bool = False

    @property
    def valid(self) -> bool:
        return not self.problems

    def add(self, column: str | None, message) -> None:
        self.problems.append(Problem(column, message))

    def problems_for(self, column: str) -> list[Problem]:
        return [p for p in self.problems if p.column == column]


@dataclass
class CheckedFile:
    columns: list[str]
    rows: list[CheckedRow]

    @property
    def valid_rows(self) -> list[CheckedRow]:
        return [row for row in self.rows if row.valid]

    @property
    def invalid_rows(self) -> list[CheckedRow]:
        return [row for row in self.rows if not row.valid]


@dataclass
class ImportResult:
    persons: int
    memberships: int
    skipped: int


# Step 1: reading the file ----------------------------------------------------------


def decode(data: bytes) -> str:
    """The upload as text. Raises ImportFileError for a workbook, binary or non-UTF-8."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _l("This is an Excel workbook, not a CSV file. In Excel choose "
               "“Save as” and the type “CSV UTF-8”.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _l("This file is not UTF-8 text. In Excel choose “Save as” and the type "
               "“CSV UTF-8”.")
        ) from error
    if "\x00" in text:
        raise ImportFileError(_l("This is not a CSV file."))
    return text


def _unquote(text: str) -> str:
    """Undo the export's guard against spreadsheet formulas: "'=…" reads back as "=…"."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(data: bytes, max_rows: int = DEFAULT_MAX_ROWS) -> ParsedFile:
    """Decode and split the upload into rows of cells keyed by column.

    Raises ImportFileError when the file is not UTF-8 CSV, the header names unknown or
    doubled columns or lacks the family name, there are no rows, or more than `max_rows`.
    """
    text = decode(data)
    first_line = next((line for line in text.splitlines() if line.strip()), None)
    if first_line is None:
        raise ImportFileError(_l("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header = next(row for row in reader if any(cell.strip() for cell in row))
        columns, unknown = [], []
        for cell in header:
            key = HEADER_ALIASES.get(_header_key(cell))
            if key is None:
                if cell.strip():
                    unknown.append(cell.strip())
                columns.append(None)  # an empty header cell: the column is ignored
                continue
            if key in columns:
                raise ImportFileError(
                    _l("The column “%(name)s” appears twice.", name=cell.strip())
                )
            columns.append(key)
        if unknown:
            raise ImportFileError(
                _l("Unknown columns: %(names)s. Known columns: %(known)s.",
                   names=", ".join(unknown),
                   known=", ".join(column.dutch for column in COLUMNS))
            )
        if "family_name" not in columns:
            raise ImportFileError(
                _l("The first line must name the columns, and a column “achternaam” "
                   "(family name) is required.")
            )
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == max_rows:
                raise ImportFileError(
                    _l("The file has more than %(max)d rows; split it into smaller files.",
                       max=max_rows)
                )
            values = {
                key: _unquote(cell.strip())
                for key, cell in zip(columns, cells, strict=False)
                if key and key not in IGNORED_COLUMNS
            }
            extra = any(cell.strip() for cell in cells[len(columns):])
            rows.append((reader.line_num, values, extra))
    except csv.Error as error:
        raise ImportFileError(
            _l("Line %(line)d cannot be read as CSV: check the quotes.", line=reader.line_num)
        ) from error
    if not rows:
        raise ImportFileError(_l("The file has a header line but no rows."))
    return ParsedFile(columns=[key for key in columns if key], rows=rows)


# Step 2: checking the rows ---------------------------------------------------------


def parse_date(text: str) -> date:
    """dd-mm-jjjj (also with / or .) or jjjj-mm-dd. Raises ValueError with a message."""
    match = _DAY_MONTH_YEAR.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = _YEAR_MONTH_DAY.match(text)
        if not match:
            raise ValueError(_l("“%(value)s” is not a date: write dd-mm-yyyy.", value=text))
        year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError as error:
        raise ValueError(_l("The date %(value)s does not exist.", value=text)) from error


def _check_cells(row: CheckedRow, types: dict[str, MembershipType]) -> None:
    """Rules that need only the row itself (and the membership types)."""
    for key, value in row.cells.items():
        limit = COLUMNS_BY_KEY[key].max_length
        if limit and len(value) > limit:
            row.add(key, _l("Longer than %(max)d characters.", max=limit))
    _check_person_cells(row)
    _check_membership_cells(row, types)
    _check_consent_cells(row)


def _check_person_cells(row: CheckedRow) -> None:
    """The person's values (name, contact, date of birth) into `row.person_values`."""
    cells = row.cells
    values: dict[str, Any] = {
        key: cells.get(key) or None
        for key in ("given_name", "name_prefix", "family_name", "phone", "street", "city")
    }
    if not values["family_name"]:
        row.add("family_name", _l("The family name is missing."))

    email = cells.get("email") or None
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            row.add("email", _l("This is not a valid email address."))
    values["email"] = email

    postcode = cells.get("postcode") or None
    if postcode:
        try:
            postcode = normalise_postcode(postcode)
        except ValueError as error:
            row.add("postcode", error.args[0])
    values["postcode"] = postcode

    values["date_of_birth"] = None
    if cells.get("date_of_birth"):
        try:
            values["date_of_birth"] = parse_date(cells["date_of_birth"])
        except ValueError as error:
            row.add("date_of_birth", error.args[0])
        else:
            if values["date_of_birth"] > date.today():
                row.add("date_of_birth", _l("A date of birth cannot be in the future."))
    row.person_values = values


def _check_membership_cells(row: CheckedRow, types: dict[str, MembershipType]) -> None:
    """The membership: its type, start date and status (a new one, never ended)."""
    cells = row.cells
    values = row.person_values
    type_code = cells.get("membership_type", "")
    if type_code:
        membership_type = types.get(type_code.lower())
        if membership_type is None:
            row.add("membership_type", _l(
                "Unknown membership type “%(code)s”; the known types are: %(codes)s.",
                code=type_code, codes=", ".join(sorted(t.code for t in types.values())) or "-",
            ))
        elif not membership_type.is_active:
            row.add("membership_type", _l("This membership type is no longer offered."))
        row.membership_type = membership_type

    if cells.get("start_date"):
        try:
            row.start_date = parse_date(cells["start_date"])
        except ValueError as error:
            row.add("start_date", error.args[0])
        else:
            birth = values["date_of_birth"]
            if birth and row.start_date < birth:
                row.add("start_date", _l("The start date is before the date of birth."))
    if type_code and not cells.get("start_date"):
        row.add("start_date", _l("The start date is missing."))
    if cells.get("start_date") and not type_code:
        row.add("membership_type", _l("The membership type is missing."))

    status_word = cells.get("status", "").lower()
    if status_word:
        status = STATUS_WORDS.get(status_word)
        if status is None:
            row.add("status", _l("Unknown status “%(value)s”; use aspirant, actief or geschorst.",
                                 value=cells["status"]))
        elif status == MembershipStatus.ENDED:
            row.add("status", _l("A new membership cannot start as ended."))
        elif not type_code:
            row.add("membership_type", _l("The membership type is missing."))
        row.status = status
    elif type_code:
        row.status = MembershipStatus.ACTIVE

    if cells.get("end_date"):
        row.add("end_date", _l("An ended membership cannot be imported."))


def _check_consent_cells(row: CheckedRow) -> None:
    cells = row.cells
    for key in ("consent_electronic_convocation", "consent_newsletter"):
        answer = cells.get(key, "").lower()
        if answer in YES_WORDS:
            setattr(row, key, True)
        elif answer not in NO_WORDS:
            row.add(key, _l("Write ja or nee."))


def _chunks(values: list, size: int = _QUERY_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _current_memberships(person_ids: set[int]) -> dict[int, Membership]:
    found = {}
    for chunk in _chunks(sorted(person_ids)):
        query = select(Membership).where(
            Membership.person_id.in_(chunk), Membership.status != MembershipStatus.ENDED
        )
        found.update({m.person_id: m for m in db.session.scalars(query)})
    return found


def _check_against_register(rows: list[CheckedRow]) -> None:
    """Duplicates within the file and against the register, in a few batched queries.

    A row with an email address is the same person as the register's person with that
    address; a row without one is the same person as someone with the same name and
    postcode (so importing a file twice is caught either way)."""
    first_line_by_email: dict[str, int] = {}
    first_line_by_identity: dict[tuple, int] = {}
    for row in rows:
        email = row.person_values.get("email")
        if email and not row.problems_for("email"):
            if email in first_line_by_email:
                row.add("email", _l("The email address is also on line %(line)d.",
                                    line=first_line_by_email[email]))
            else:
                first_line_by_email[email] = row.line
        elif not email and (identity := _identity(row)):
            if identity in first_line_by_identity:
                row.add(None, _l("The same name and postcode are also on line %(line)d.",
                                 line=first_line_by_identity[identity]))
            else:
                first_line_by_identity[identity] = row.line

    persons_by_email: dict[str, Person] = {}
    for chunk in _chunks(list(first_line_by_email)):
        query = select(Person).where(Person.email.in_(chunk))
        persons_by_email.update({p.email: p for p in db.session.scalars(query)})
    persons_by_identity: dict[tuple, Person] = {}
    for chunk in _chunks(list(first_line_by_identity)):
        query = select(Person).where(tuple_(Person.sort_name, Person.postcode).in_(chunk))
        persons_by_identity.update(
            {(p.sort_name, p.postcode): p for p in db.session.scalars(query)}
        )
    existing = {*persons_by_email.values(), *persons_by_identity.values()}
    memberships = _current_memberships({person.id for person in existing})

    for row in rows:
        email = row.person_values.get("email")
        if email:
            person, column = persons_by_email.get(email), "email"
        else:
            person, column = persons_by_identity.get(_identity(row) or ()), None
        if person is None:
            continue
        membership = memberships.get(person.id)
        if membership is not None:
            row.add(column, _l("%(name)s is already a member (number %(number)s).",
                               name=person.display_name, number=membership.member_number))
        elif column == "email":
            row.add("email", _l("Another person in the register has this email address."))
        else:
            row.add(None, _l("A person with this name and postcode is already in the register."))


def _identity(row: CheckedRow) -> tuple | None:
    values = row.person_values
    if not values.get("family_name") or not values.get("postcode"):
        return None
    if row.problems_for("postcode"):
        return None
    return (services.sort_name_for(values["family_name"], values.get("given_name")),
            values["postcode"])


def check_rows(parsed: ParsedFile) -> CheckedFile:
    """Check every row; each row lists all of its problems. Reads, never writes."""
    types = {t.code.lower(): t for t in db.session.scalars(select(MembershipType))}
    rows = []
    for line, cells, extra in parsed.rows:
        row = CheckedRow(line=line, cells=cells)
        if extra:
            row.add(None, _l("This line has more cells than the header has columns."))
        _check_cells(row, types)
        rows.append(row)
    _check_against_register(rows)
    return CheckedFile(columns=parsed.columns, rows=rows)


# Step 3: writing -------------------------------------------------------------------


def import_rows(checked: CheckedFile, only_valid: bool, filename: str = "", actor=None):
    """Write the rows: all of them, or with `only_valid` the valid ones only.

    Flushes, does not commit: the caller commits, or rolls back if this raises, so the
    register gets every row or none. Raises ImportRefused when rows have problems and
    `only_valid` is false, or when there is no valid row; RegisterError (or a database
    error) when writing a row fails after all, e.g. someone took an email address
    between the check and the import.
    """
    invalid = checked.invalid_rows
    if invalid and not only_valid:
        raise ImportRefused(
            _l("Rows with problems: %(count)d. Correct the file, or import only the valid rows.",
               count=len(invalid))
        )
    rows = checked.valid_rows
    if not rows:
        raise ImportRefused(_l("No row is valid, so there is nothing to import."))
    memberships = 0
    for row in rows:
        try:
            with db.session.no_autoflush:
                person = services.create_person(row.person_values, actor=actor)
            for kind in ConsentKind:
                if getattr(row, f"consent_{kind.value}"):
                    services.set_consent(person, kind, True, actor=actor)
            if row.membership_type is not None:
                services.add_membership(
                    person, row.membership_type, row.start_date, status=row.status, actor=actor
                )
                memberships += 1
        except services.RegisterError as error:
            raise ImportRowFailed(row.line, error.message) from error
        except IntegrityError as error:
            raise ImportRowFailed(
                row.line, _l("The register changed while importing; check the file again.")
            ) from error
    result = ImportResult(persons=len(rows), memberships=memberships, skipped=len(invalid))
    audit.record(
        "members:import",
        {"file": filename, "rows": len(checked.rows), "persons": result.persons,
         "memberships": result.memberships, "skipped": result.skipped,
         "mode": "valid" if only_valid else "all"},
        actor=actor,
    )
    return result


# Keeping the upload between preview and confirmation -------------------------------


class UploadStore:
    """Uploaded files under random tokens in one server folder; old ones are swept."""

    TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")

    def __init__(self, folder: str | Path, max_age_seconds: int = 24 * 60 * 60):
        self.folder = Path(folder)
        self.max_age_seconds = max_age_seconds

    def _path(self, token: str) -> Path:
        if not self.TOKEN.match(token or ""):
            raise KeyError(token)
        return self.folder / f"{token}.csv"

    def put(self, data: bytes) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sweep()
        token = secrets.token_urlsafe(32)
        self._path(token).write_bytes(data)
        return token

    def get(self, token: str) -> bytes:
        """Raises KeyError when the token is malformed or its file is gone or expired
        (an upload not yet swept is still past its time)."""
        path = self._path(token)
        try:
            if path.stat().st_mtime < time.time() - self.max_age_seconds:
                raise KeyError(token)
            return path.read_bytes()
        except FileNotFoundError as error:
            raise KeyError(token) from error

    def discard(self, token: str) -> None:
        with contextlib.suppress(KeyError):
            self._path(token).unlink(missing_ok=True)

    def sweep(self) -> int:
        """Delete uploads past their time; returns how many. The files hold personal
        data of people who may never become members: they must not linger."""
        cutoff = time.time() - self.max_age_seconds
        removed = 0
        for path in self.folder.glob("*.csv"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                pass
        return removed
