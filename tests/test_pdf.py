"""The PDF helper: plain values in, text a reader sees out, nothing fetched."""

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from jinja2 import ChoiceLoader, DictLoader
from pypdf import PdfReader

from coop.pdf import OfflineURLFetcher, render_pdf

TEMPLATES = {
    "pdf/test_statement.html": """{% extends "pdf/base.html" %}
{% block body %}<h1>{{ title }}</h1>
<table><tr><td>{{ label }}</td><td class="num">{{ amount|money }}</td></tr></table>
<img src="{{ image_url }}" alt="">
{% endblock %}""",
}


@pytest.fixture
def pdf_app(app):
    app.jinja_loader = ChoiceLoader([DictLoader(TEMPLATES), app.jinja_loader])
    return app


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_shows_amount_in_dutch_format(pdf_app):
    with pdf_app.test_request_context():
        data = render_pdf(
            "pdf/test_statement.html", title="Overzicht", label="Contributie", amount=123456,
            image_url="data:,",
        )
    text = pdf_text(data)
    assert data.startswith(b"%PDF")
    assert "Overzicht" in text
    assert "1.234,56" in text


@pytest.fixture
def http_server():
    """A loopback HTTP server that records every request it gets."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


def test_pdf_does_not_fetch_network_urls(pdf_app, http_server):
    base, requests = http_server
    with pdf_app.test_request_context():
        data = render_pdf(
            "pdf/test_statement.html", title="T", label="L", amount=1, image_url=f"{base}/x.png"
        )
    assert data.startswith(b"%PDF")
    assert requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1/x", "https://example.org/"])
def test_pdf_url_fetcher_refuses_file_and_network(url):
    with pytest.raises(ValueError, match="disallowed protocol"):
        OfflineURLFetcher().fetch(url)


def test_pdf_refuses_orm_objects_in_context(pdf_app, make_user):
    user = make_user()
    with pdf_app.test_request_context(), pytest.raises(TypeError, match="ORM object"):
        render_pdf("pdf/test_statement.html", title=user, label="L", amount=1, image_url="")
