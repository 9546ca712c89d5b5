"""CSV and XLSX exports of the member register: the list as the board filters it, and
who was a member on a given date.

The CSV is what Dutch Excel opens with a double click: ';' between cells, UTF-8 with a
BOM, dates as dd-mm-jjjj. Its headers and values are the import's (Dutch or English by
the user's language), so an export can be read back by the import. Cells that a
spreadsheet would run as a formula get a leading quote (CSV injection); the XLSX writes
every text as a text cell, never a formula. Both are produced row by row: the CSV is
streamed, the XLSX uses openpyxl's write-only mode, so 50.000 rows fit in little memory.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from coop.extensions import db
from coop.members.models import Membership, MembershipStatus, MembershipType, Person
from coop.members.services import members_on
from coop.spreadsheets import csv_cell, csv_chunks, xlsx_file  # noqa: F401 - used via this module

_FETCH_SIZE = 1000


@dataclass(frozen=True)
class ExportColumn:
    dutch: str
    english: str


EXPORT_COLUMNS = [
    ExportColumn("lidnummer", "member_number"),
    ExportColumn("voornaam", "given_name"),
    ExportColumn("tussenvoegsel", "name_prefix"),
    ExportColumn("achternaam", "family_name"),
    ExportColumn("email", "email"),
    ExportColumn("telefoon", "phone"),
    ExportColumn("straat", "street"),
    ExportColumn("postcode", "postcode"),
    ExportColumn("plaats", "city"),
    ExportColumn("geboortedatum", "date_of_birth"),
    ExportColumn("soort_lidmaatschap", "membership_type"),
    ExportColumn("startdatum", "start_date"),
    ExportColumn("einddatum", "end_date"),
    ExportColumn("status", "status"),
    ExportColumn("stemrecht", "has_vote"),
    ExportColumn("toestemming_elektronische_oproeping", "consent_electronic_convocation"),
    ExportColumn("toestemming_nieuwsbrief", "consent_newsletter"),
]
_STATUS_WORDS = {
    "nl": {
        MembershipStatus.ASPIRANT: "aspirant",
        MembershipStatus.ACTIVE: "actief",
        MembershipStatus.SUSPENDED: "geschorst",
        MembershipStatus.ENDED: "beëindigd",
    },
    "en": {status: status.value for status in MembershipStatus},
}
_YES_NO = {"nl": ("ja", "nee"), "en": ("yes", "no")}


def headers(language: str) -> list[str]:
    return [c.dutch if language == "nl" else c.english for c in EXPORT_COLUMNS]


def row_values(
    person: Person, membership: Membership | None, membership_type: MembershipType | None,
    language: str,
) -> list[Any]:
    """One export row as plain values (dates as `date`, missing values as None)."""
    yes, no = _YES_NO.get(language, _YES_NO["en"])
    statuses = _STATUS_WORDS.get(language, _STATUS_WORDS["en"])

    def yes_no(flag):
        return None if flag is None else (yes if flag else no)

    return [
        membership.member_number if membership else None,
        person.given_name,
        person.name_prefix,
        person.family_name,
        person.email,
        person.phone,
        person.street,
        person.postcode,
        person.city,
        person.date_of_birth,
        membership_type.code if membership_type else None,
        membership.start_date if membership else None,
        membership.end_date if membership else None,
        statuses[MembershipStatus(membership.status)] if membership else None,
        yes_no(membership_type.has_vote if membership_type else None),
        yes_no(person.consent_electronic_convocation),
        yes_no(person.consent_newsletter),
    ]


def rows_of(query, language: str) -> Iterator[list[Any]]:
    """Run a select of (Person, Membership, MembershipType) rows in batches."""
    result = db.session.execute(query.execution_options(yield_per=_FETCH_SIZE))
    for person, membership, membership_type in result:
        yield row_values(person, membership, membership_type, language)


def as_of_query(day: date):
    """Who was a member on `day`, as (Person, Membership, MembershipType), by number."""
    memberships_on_day = members_on(day).with_only_columns(Membership.id)
    return (
        select(Person, Membership, MembershipType)
        .join(Membership, Membership.person_id == Person.id)
        .join(MembershipType, MembershipType.id == Membership.type_id)
        .where(Membership.id.in_(memberships_on_day))
        .order_by(Membership.member_number)
    )


def count_rows(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
