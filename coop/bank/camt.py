"""Read ISO 20022 bank-to-customer statements: CAMT.053 (statement) and CAMT.052
(intraday report), versions 001.02 to 001.08, as Dutch banks export them.

A bank file is untrusted input: it is parsed by lxml with entity expansion, DTD loading
and network access switched off, and a document carrying a DOCTYPE is refused outright.
Anything the importer cannot read with certainty raises `CamtError` with a message for
the treasurer; nothing is guessed.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from lxml import etree
from lxml.builder import ElementMaker

from coop.bank.models import Direction, StatementFormat
from coop.timeutil import AMSTERDAM

_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(camt\.05[23])\.001\.0[2-8]$")
_AMOUNT = re.compile(r"^\d{1,15}(\.\d{1,2})?$")
_BOOKED = {"BOOK"}
_DATE_ZONE = re.compile(r"(?<=^\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})$")


class CamtError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class CamtEntry:
    entry_key: str
    booking_date: date
    value_date: date | None
    direction: str
    amount_cents: int
    counterparty_name: str | None
    counterparty_iban: str | None
    structured_reference: str | None
    remittance: str | None
    bank_reference: str | None
    end_to_end_id: str | None


@dataclass
class CamtStatement:
    format: str
    message_id: str
    statement_id: str
    account_iban: str
    from_date: date | None
    to_date: date | None
    opening_balance_cents: int | None
    closing_balance_cents: int | None
    entries: list[CamtEntry] = field(default_factory=list)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                           dtd_validation=False, huge_tree=False, remove_comments=True)


class _Reader:
    """Find child elements in the document's namespace by a path of local names."""

    def __init__(self, namespace: str):
        self.ns = namespace

    def _path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" for part in path.split("/"))

    def find(self, element, path: str):
        return element.find(self._path(path))

    def findall(self, element, path: str):
        return element.findall(self._path(path))

    def text(self, element, path: str, limit: int | None = None) -> str | None:
        found = self.find(element, path)
        if found is None or found.text is None:
            return None
        value = " ".join(found.text.split())
        if not value:
            return None
        return value[:limit] if limit else value


def _cents(element, what: str) -> int:
    raw = (element.text or "").strip() if element is not None else ""
    if not _AMOUNT.match(raw):
        raise CamtError(_l("The file has an amount that is not a valid amount in euros "
                           "(%(what)s: “%(value)s”).", what=what, value=raw[:30]))
    try:
        return int(Decimal(raw) * 100)
    except InvalidOperation:
        raise CamtError(_l("The file has an invalid amount (%(what)s).", what=what)) from None


def _day(value: str | None, what: str) -> date:
    """The day of an ISODate (`2014-01-05`) or an ISODateTime. A date-time with a zone
    (`2014-01-04T23:00:00.000Z`, `…+01:00`) is the day in Amsterdam, where the coop
    banks: 23:00 UTC on 4 January is 5 January there. One without a zone is the bank's
    local time already."""
    if not value:
        raise CamtError(_l("The file lacks a date (%(what)s).", what=what))
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                moment = moment.astimezone(AMSTERDAM)
            day = moment.date()
        else:
            # xs:date may carry a zone (`2014-01-05+01:00`): it is still that date.
            day = date.fromisoformat(_DATE_ZONE.sub("", value))
    except ValueError:
        raise CamtError(_l("The file has an invalid date (%(what)s: “%(value)s”).",
                           what=what, value=value[:30])) from None
    if not 2000 <= day.year <= 2100:
        raise CamtError(_l("The file has a date outside 2000–2100 (%(what)s).", what=what))
    return day


def _date_of(r: _Reader, element, path: str) -> str | None:
    return r.text(element, f"{path}/Dt") or r.text(element, f"{path}/DtTm")


def _euro(r: _Reader, amount_element, what: str) -> int:
    if amount_element is None:
        raise CamtError(_l("The file lacks an amount (%(what)s).", what=what))
    currency = amount_element.get("Ccy")
    if currency != "EUR":
        raise CamtError(_l("The file holds an amount in %(currency)s (%(what)s); only "
                           "statements in euros can be imported.",
                           currency=currency or "?", what=what))
    return _cents(amount_element, what)


def _signed(r: _Reader, element, cents: int) -> int:
    indicator = r.text(element, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise CamtError(_l("The file has an entry that is neither credit nor debit."))
    return cents if indicator == "CRDT" else -cents


@dataclass
class CamtMessage:
    """One bank file: a message holding one or more statements (reports). A bank such
    as Rabobank puts one statement per account per booking day in one message."""

    format: str
    message_id: str
    statements: list[CamtStatement] = field(default_factory=list)


def parse(data: bytes) -> CamtMessage:
    """Parse a CAMT.053 or CAMT.052 file: every statement (report) in it, of one or
    several euro accounts. Raises CamtError for anything else: not XML, a DOCTYPE,
    another message type, no statement, a foreign currency, a missing or invalid date,
    amount or account, an amount with more than two decimals, the same bank reference
    twice for one account. One bad statement refuses the whole file."""
    if not data or not data.strip():
        raise CamtError(_l("The file is empty."))
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError:
        raise CamtError(_l("This is not a readable XML file; export the statement from "
                           "the bank again as CAMT.053.")) from None
    if root.getroottree().docinfo.doctype:
        raise CamtError(_l("The file contains a document type declaration (DOCTYPE), "
                           "which bank statements never have; it is refused."))
    namespace = etree.QName(root).namespace or ""
    match = _NAMESPACE.match(namespace)
    if etree.QName(root).localname != "Document" or match is None:
        raise CamtError(_l("This is not a CAMT.053 or CAMT.052 bank statement."))
    kind = match.group(1)
    r = _Reader(namespace)
    if kind == "camt.053":
        message, block_name, fmt = r.find(root, "BkToCstmrStmt"), "Stmt", StatementFormat.CAMT_053
    else:
        message, block_name, fmt = (r.find(root, "BkToCstmrAcctRpt"), "Rpt",
                                    StatementFormat.CAMT_052)
    if message is None:
        raise CamtError(_l("This is not a CAMT.053 or CAMT.052 bank statement."))
    message_id = r.text(message, "GrpHdr/MsgId", 35)
    if not message_id:
        raise CamtError(_l("The file lacks its message identification (GrpHdr/MsgId)."))
    blocks = r.findall(message, block_name)
    if not blocks:
        raise CamtError(_l("The file holds no statement."))
    parsed = CamtMessage(format=fmt.value, message_id=message_id)
    seen: dict[tuple[str, str], int] = {}
    for block in blocks:
        statement = _statement(r, block, fmt, message_id)
        for entry in statement.entries:
            where = (statement.account_iban, entry.entry_key)
            count = seen[where] = seen.get(where, 0) + 1
            if count > 1:
                if entry.entry_key.startswith("ref:"):
                    raise CamtError(_l("The file holds the same entry twice (%(reference)s).",
                                       reference=entry.bank_reference))
                # Two identical entries without a bank reference (the same member
                # paying twice on one day) are both real: number them in file order.
                entry.entry_key = f"{entry.entry_key[:70]}#{count}"
        parsed.statements.append(statement)
    return parsed


def _statement(r: _Reader, block, fmt: StatementFormat, message_id: str) -> CamtStatement:
    statement_id = r.text(block, "Id", 35)
    if not statement_id:
        raise CamtError(_l("The statement lacks its identification (Stmt/Id)."))
    iban = (r.text(block, "Acct/Id/IBAN") or "").replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        raise CamtError(_l("The statement lacks the IBAN of the account."))
    account_currency = r.text(block, "Acct/Ccy")
    if account_currency not in (None, "EUR"):
        raise CamtError(_l("The statement is of an account in %(currency)s; only euro "
                           "accounts can be imported.", currency=account_currency))
    statement = CamtStatement(
        format=fmt.value, message_id=message_id, statement_id=statement_id,
        account_iban=iban,
        from_date=_optional_day(r.text(block, "FrToDt/FrDtTm"), "FrToDt"),
        to_date=_optional_day(r.text(block, "FrToDt/ToDtTm"), "FrToDt"),
        opening_balance_cents=None, closing_balance_cents=None,
    )
    for balance in r.findall(block, "Bal"):
        code = r.text(balance, "Tp/CdOrPrtry/Cd")
        cents = _signed(r, balance, _euro(r, r.find(balance, "Amt"), "Bal"))
        if code in ("OPBD", "PRCD"):
            statement.opening_balance_cents = cents
        elif code in ("CLBD", "ITBD"):
            statement.closing_balance_cents = cents
    for number, entry in enumerate(r.findall(block, "Ntry"), start=1):
        parsed = _entry(r, entry, number, iban)
        if parsed is not None:
            statement.entries.append(parsed)
    return statement


def _optional_day(value: str | None, what: str) -> date | None:
    return _day(value, what) if value else None


def _entry(r: _Reader, entry, number: int, account_iban: str) -> CamtEntry | None:
    what = f"Ntry {number}"
    status = r.text(entry, "Sts") or r.text(entry, "Sts/Cd")
    if status is not None and status not in _BOOKED:
        return None  # pending or informational lines (camt.052) are not booked yet
    cents = _euro(r, r.find(entry, "Amt"), what)
    if cents <= 0:
        raise CamtError(_l("The file has an entry of zero (%(what)s).", what=what))
    indicator = r.text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise CamtError(_l("The file has an entry that is neither credit nor debit "
                           "(%(what)s).", what=what))
    direction = Direction.CREDIT if indicator == "CRDT" else Direction.DEBIT
    booking_date = _day(_date_of(r, entry, "BookgDt"), f"{what} BookgDt")
    value_text = _date_of(r, entry, "ValDt")
    value_date = _day(value_text, f"{what} ValDt") if value_text else None
    details = r.find(entry, "NtryDtls/TxDtls")
    party = "Dbtr" if direction == Direction.CREDIT else "Cdtr"
    name = iban = structured = remittance = end_to_end = None
    if details is not None:
        name = (r.text(details, f"RltdPties/{party}/Nm", 140)
                or r.text(details, f"RltdPties/{party}/Pty/Nm", 140))
        iban = r.text(details, f"RltdPties/{party}Acct/Id/IBAN", 34)
        structured = r.text(details, "RmtInf/Strd/CdtrRefInf/Ref", 35)
        parts = [p.text.strip() for p in r.findall(details, "RmtInf/Ustrd")
                 if p.text and p.text.strip()]
        remittance = " ".join(parts)[:1000] or None
        end_to_end = r.text(details, "Refs/EndToEndId", 35)
        if end_to_end == "NOTPROVIDED":
            end_to_end = None
    if remittance is None:
        remittance = r.text(entry, "AddtlNtryInf", 1000)
    bank_reference = r.text(entry, "AcctSvcrRef", 35)
    iban = iban.replace(" ", "").upper() if iban else None
    if bank_reference:
        key = f"ref:{bank_reference}"
    else:
        # No bank reference: what identifies the entry, hashed.
        fields = [account_iban, booking_date.isoformat(), direction, str(cents), iban or "",
                  structured or "", remittance or "", end_to_end or "",
                  r.text(entry, "NtryRef") or ""]
        key = "sha256:" + hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:64]
    return CamtEntry(
        entry_key=key[:80], booking_date=booking_date, value_date=value_date,
        direction=direction.value, amount_cents=cents, counterparty_name=name,
        counterparty_iban=iban, structured_reference=structured, remittance=remittance,
        bank_reference=bank_reference, end_to_end_id=end_to_end,
    )


# Writing a statement (the demo, the benchmark and the tests) --------------------------

CAMT_053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def build_statement(*, iban: str, statement_id: str, message_id: str, created: str,
                    opening_cents: int, entries: list[dict], currency: str = "EUR",
                    bic: str = "TRIONL2U") -> bytes:
    """A camt.053.001.02 statement as a Dutch bank exports it. Each entry is a dict with
    `amount_cents` (negative: money out), `booking_date` (a date), and optionally `name`,
    `iban`, `reference` (structured, CdtrRefInf/Ref), `text` (Ustrd), `bank_reference`
    (AcctSvcrRef), `end_to_end_id`."""
    E = ElementMaker(namespace=CAMT_053, nsmap={None: CAMT_053})

    def amount(cents: int):
        return E.Amt(f"{abs(cents) // 100}.{abs(cents) % 100:02d}", Ccy=currency)

    def indicator(cents: int):
        return E.CdtDbtInd("CRDT" if cents >= 0 else "DBIT")

    def balance(code: str, cents: int, day):
        return E.Bal(E.Tp(E.CdOrPrtry(E.Cd(code))), amount(cents), indicator(cents),
                     E.Dt(E.Dt(day.isoformat())))

    days = [e["booking_date"] for e in entries] or [date.fromisoformat(created[:10])]
    closing = opening_cents + sum(e["amount_cents"] for e in entries)
    ntries = []
    for entry in entries:
        cents = entry["amount_cents"]
        credit = cents >= 0
        party, party_account = ("Dbtr", "DbtrAcct") if credit else ("Cdtr", "CdtrAcct")
        related = []
        if entry.get("name"):
            related.append(E(party, E.Nm(entry["name"])))
        if entry.get("iban"):
            related.append(E(party_account, E.Id(E.IBAN(entry["iban"]))))
        remittance = []
        if entry.get("text"):
            remittance.append(E.Ustrd(entry["text"]))
        if entry.get("reference"):
            remittance.append(E.Strd(E.CdtrRefInf(
                E.Tp(E.CdOrPrtry(E.Cd("SCOR")), E.Issr("CUR")), E.Ref(entry["reference"]))))
        details = [E.Refs(E.EndToEndId(entry.get("end_to_end_id") or "NOTPROVIDED")),
                   E.AmtDtls(E.TxAmt(amount(cents)))]
        if related:
            details.append(E.RltdPties(*related))
        if remittance:
            details.append(E.RmtInf(*remittance))
        children = [amount(cents), indicator(cents), E.Sts("BOOK"),
                    E.BookgDt(E.Dt(entry["booking_date"].isoformat())),
                    E.ValDt(E.Dt(entry["booking_date"].isoformat()))]
        if entry.get("bank_reference"):
            children.append(E.AcctSvcrRef(entry["bank_reference"]))
        children.append(E.BkTxCd(E.Domn(E.Cd("PMNT"), E.Fmly(
            E.Cd("RCDT" if credit else "ICDT"), E.SubFmlyCd("ESCT")))))
        children.append(E.NtryDtls(E.TxDtls(*details)))
        ntries.append(E.Ntry(*children))
    document = E.Document(E.BkToCstmrStmt(
        E.GrpHdr(E.MsgId(message_id), E.CreDtTm(created)),
        E.Stmt(
            E.Id(statement_id), E.ElctrncSeqNb("1"), E.CreDtTm(created),
            E.FrToDt(E.FrDtTm(f"{min(days).isoformat()}T00:00:00"),
                     E.ToDtTm(f"{max(days).isoformat()}T23:59:59")),
            E.Acct(E.Id(E.IBAN(iban)), E.Ccy(currency), E.Svcr(E.FinInstnId(E.BIC(bic)))),
            balance("OPBD", opening_cents, min(days)),
            balance("CLBD", closing, max(days)),
            *ntries,
        ),
    ))
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8",
                          pretty_print=True)
