"""Pagination without COUNT(*), for logs that only grow.

`db.paginate` counts every matching row to show "page 3 of 4.000"; on the audit log
that count grows with the data on every request. A window fetches one row more than it
shows, which is enough to know whether there is a next page.
"""

import base64
import binascii
import json
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import tuple_

from coop.extensions import db


class _PageNumbers:
    """The neighbours of page `self.page` (numbered from 1), as the page links use them."""

    page: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass(frozen=True)
class Window(_PageNumbers):
    items: list[Any]
    page: int
    has_next: bool


@dataclass(frozen=True)
class CountedPage(_PageNumbers):
    """A page of a list whose length was counted (it does not grow under the reader)."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def window(query, page: int, per_page: int) -> Window:
    page = max(page, 1)
    rows = db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)).all()
    return Window(items=rows[:per_page], page=page, has_next=len(rows) > per_page)


# Keyset pagination ------------------------------------------------------------------
#
# A window with OFFSET still reads every row before it: deep pages of a sorted list grow
# with the data, and past some offset PostgreSQL stops walking the index and sorts the
# whole table. Keyset pagination asks for "the rows after this sort key" instead, so
# every page is the same index walk. The key travels in the URL as an opaque cursor.


@dataclass(frozen=True)
class Keyset:
    """A list's order: the sort columns (all ascending or all descending), how to read
    the key from a result row, and how to turn JSON values back into column values."""

    columns: tuple[Any, ...]
    descending: bool
    key_of: Any  # row -> tuple of the sort columns' values
    parse: tuple[Any, ...]  # per column: JSON value -> column value (raises ValueError)


@dataclass(frozen=True)
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    prev_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_prev(self) -> bool:
        return self.prev_cursor is not None


def encode_cursor(key: tuple) -> str:
    values = [v.isoformat() if hasattr(v, "isoformat") else v for v in key]
    raw = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, keyset: Keyset) -> tuple | None:
    """The key in `cursor`, or None when there is none or it does not fit this list (an
    edited or stale URL shows the first page rather than an error)."""

    if not cursor or len(cursor) > 1000:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(keyset.parse):
            return None
        return tuple(parse(value) for parse, value in zip(keyset.parse, values, strict=True))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, OverflowError):
        return None


def keyset_page(query, keyset: Keyset, per_page: int, *, after: str | None = None,
                before: str | None = None, execute=None) -> KeysetPage:
    """One page of `query` (a select without ORDER BY) in `keyset` order: the first page,
    the page after the cursor `after`, or the page before the cursor `before`.

    Reads `per_page + 1` rows in one query to know whether there is more in the
    direction of travel; whether there is more the other way follows from the cursor.
    `execute` runs the statement (default: rows of `db.session.execute`).
    """

    run = execute or (lambda statement: db.session.execute(statement).all())
    after_key = decode_cursor(after, keyset)
    before_key = None if after_key is not None else decode_cursor(before, keyset)
    backwards = before_key is not None
    # Reading backwards is reading forwards in the opposite order.
    descending = keyset.descending != backwards
    order = [c.desc() if descending else c.asc() for c in keyset.columns]
    key = after_key if after_key is not None else before_key
    if key is not None:
        row_key, bound = tuple_(*keyset.columns), tuple_(*key)
        query = query.where(row_key < bound if descending else row_key > bound)
    rows = list(run(query.order_by(*order).limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    if not rows:
        return KeysetPage(items=[], next_cursor=None, prev_cursor=None)
    first, last = encode_cursor(keyset.key_of(rows[0])), encode_cursor(keyset.key_of(rows[-1]))
    if backwards:
        return KeysetPage(items=rows, next_cursor=last, prev_cursor=first if more else None)
    return KeysetPage(
        items=rows, next_cursor=last if more else None,
        prev_cursor=first if key is not None else None,
    )
