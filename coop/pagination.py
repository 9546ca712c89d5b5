"""Pagination without COUNT(*), for logs that only grow.

`db.paginate` counts every matching row to show "page 3 of 4.000"; on the audit log
that count grows with the data on every request. A window fetches one row more than it
shows, which is enough to know whether there is a next page.
"""

from dataclasses import dataclass
from typing import Any

from coop.extensions import db


@dataclass(frozen=True)
class Window:
    items: list[Any]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def window(query, page: int, per_page: int) -> Window:
    page = max(page, 1)
    rows = db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)).all()
    return Window(items=rows[:per_page], page=page, has_next=len(rows) > per_page)
