"""Helpers for the import and export tests: building CSV files, reading the preview."""

import codecs
import html
import io
import re

from sqlalchemy import func, select

from coop.extensions import db

IMPORT_URL = "/members/transfer/import"
CONFIRM_URL = "/members/transfer/import/confirm"


def csv_bytes(lines: list[str], delimiter: str = ";", bom: bool = False) -> bytes:
    data = "\r\n".join(delimiter.join(cells) for cells in
                       (line.split(";") for line in lines)).encode("utf-8") + b"\r\n"
    return codecs.BOM_UTF8 + data if bom else data


def upload(client, data: bytes, filename: str = "leden.csv"):
    return client.post(
        IMPORT_URL, data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def pending_token(client) -> str:
    with client.session_transaction() as session:
        return session["member_import"]["token"]


def confirm(client, choice: str, token: str | None = None):
    return client.post(CONFIRM_URL, data={"token": token or pending_token(client), choice: "1"})


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def preview_problems(response) -> dict[int, list[str]]:
    """{line number: [problem, ...]} from the preview's table of rows with problems."""
    body = response.text
    section = body.split('id="problems"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if not cells:
            continue
        problems = re.findall(r"<li>(.*?)</li>", row, re.S)
        rows[int(text_of(cells[0]))] = [text_of(problem) for problem in problems]
    return rows


def preview_valid_lines(response) -> list[int]:
    if 'id="valid"' not in response.text:
        return []
    section = response.text.split('id="valid"', 1)[1].split("</table>", 1)[0]
    return [
        int(text_of(cell))
        for cell in re.findall(r'<td data-label="Line" class="num">(.*?)</td>', section, re.S)
    ]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def flashes(response) -> list[str]:
    return [text_of(m) for m in re.findall(r'<p class="flash[^"]*">(.*?)</p>', response.text, re.S)]
