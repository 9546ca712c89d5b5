"""PDF documents with WeasyPrint, from plain values only.

Templates live in `templates/pdf/` and carry their CSS inline (a PDF has no CSP).
The URL fetcher allows `data:` URLs only: no network, no `file:` reads, so a value that
ends up in a document can never make the server fetch something.
"""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from flask import render_template
from weasyprint import HTML, URLFetcher

from coop.extensions import db

_PLAIN_TYPES = (str, int, float, bool, Decimal, date, datetime, type(None))


class OfflineURLFetcher(URLFetcher):
    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def _check_plain(value, path: str = "context") -> None:
    """Refuse ORM objects (lazy loads during rendering, data leaks) anywhere in the context."""
    if isinstance(value, db.Model):
        raise TypeError(f"{path} is an ORM object; pass plain values to PDF templates")
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_plain(item, f"{path}[{key!r}]")
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            _check_plain(item, f"{path}[{index}]")
    elif not isinstance(value, _PLAIN_TYPES):
        raise TypeError(f"{path} is a {type(value).__name__}; pass plain values to PDF templates")


def render_pdf(template: str, **context) -> bytes:
    """Render `templates/<template>` to PDF bytes. Raises TypeError on non-plain context."""
    _check_plain(context)
    html = render_template(template, **context)
    return HTML(string=html, url_fetcher=OfflineURLFetcher()).write_pdf()
