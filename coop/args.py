"""Whole numbers from URLs, kept within what the database columns hold.

A page number or id of twenty digits is a typing error or a probe, not a request the
database should see: out of range reads as "not given" (query args) or 404 (paths).
"""

from flask import request
from werkzeug.routing import IntegerConverter

MAX_INT = 2**31 - 1  # INTEGER columns on PostgreSQL


def int_arg(name: str, default: int | None = None, args=None, low: int = 1) -> int | None:
    value = (args if args is not None else request.args).get(name, type=int)
    if value is None or not low <= value <= MAX_INT:
        return default
    return value


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` in routes, refusing numbers no row can have."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)
