"""CSV and XLSX writers shared by every export (register, ledger reports), and the
`report_download` response the report pages give for `?format=csv|xlsx`.

The CSV is what Dutch Excel opens with a double click: ';' between cells, UTF-8 with a
BOM, dates as dd-mm-jjjj. Cells that a spreadsheet would run as a formula get a leading
quote (CSV injection); the XLSX writes every text as a text cell, never a formula. Both
are produced row by row: the CSV is streamed, the XLSX uses openpyxl's write-only mode.
"""

import csv
import io
import tempfile
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from flask import Response, request, send_file, stream_with_context
from flask_babel import get_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_cell(value: Any, decimal_comma: bool = False) -> str:
    """A cell as CSV text: dates dd-mm-jjjj, numbers as numbers (a decimal comma for
    Dutch spreadsheets), and text a spreadsheet would run as a formula (=, +, -, @, tab,
    carriage return first) with a quote before it."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        text = str(value)
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def csv_chunks(header: list[str], rows: Iterable[list[Any]], rows_per_chunk: int = 500,
               decimal_comma: bool = False):
    """UTF-8 bytes of a ';' CSV with a BOM, in chunks, for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([csv_cell(h) for h in header])
    for number, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(value, decimal_comma) for value in row])
        if number % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_cell(sheet, value: Any):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # openpyxl would make "=…" a formula; text stays text
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, date):
        cell.number_format = "DD-MM-YYYY"
    elif isinstance(value, Decimal):
        cell.number_format = "#,##0.00"
    return cell


def xlsx_file(title: str, header: list[str], rows: Iterable[list[Any]]):
    """A workbook with one sheet, written in write-only mode into a temporary file
    (in memory up to 8 MB, on disk beyond). Returns the file, positioned at the start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([_xlsx_cell(sheet, h) for h in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    # Handed to send_file, which closes it when the response is done.
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


def report_download(filename: str, title: str, header: list[str], rows: Iterable[list[Any]]):
    """The report as a CSV or XLSX download when the request's `?format=` asks for one,
    else None (the view then renders its page). Amounts go in as Decimal euros: numbers
    in both files (a decimal comma in the CSV for a Dutch user)."""
    export = request.args.get("format")
    if export == "csv":
        chunks = csv_chunks(header, rows, decimal_comma=str(get_locale()) == "nl")
        return Response(
            stream_with_context(chunks), mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"',
                     "Cache-Control": "no-store"},
        )
    if export == "xlsx":
        response = send_file(xlsx_file(title, header, rows), mimetype=XLSX_MIMETYPE,
                             as_attachment=True, download_name=f"{filename}.xlsx")
        response.headers["Cache-Control"] = "no-store"
        return response
    return None
