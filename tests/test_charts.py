"""The chart component: accessible SVG, Dutch numbers, escaped labels, same bytes each time."""

import io
from datetime import date
from pathlib import Path

import pytest
from flask import render_template_string
from flask_babel import force_locale
from lxml import etree
from pypdf import PdfReader
from weasyprint import HTML

from coop.charts import Series, bar_chart, line_chart, share_chart, stylesheet
from coop.pdf import OfflineURLFetcher

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str):
    return etree.fromstring(str(svg).encode())


def texts(svg: str) -> list[str]:
    return [t.text for t in parse(svg).iter(f"{SVG}text") if t.text]


@pytest.fixture
def nl(app):
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        yield


def budget_chart(labels=("Contributie", "Huur")):
    return bar_chart(
        "Begroting en werkelijk",
        "Begroot en werkelijk bedrag per rekening in 2026.",
        list(labels),
        [Series("Begroot", [123456, 240000]), Series("Werkelijk", [110000, None])],
        unit="eur",
        horizontal=True,
    )


def test_svg_has_role_title_and_description(nl):
    root = parse(budget_chart().svg)
    assert root.get("role") == "img"
    assert root[0].tag == f"{SVG}title" and root[0].text == "Begroting en werkelijk"
    assert root[1].tag == f"{SVG}desc"
    assert root[1].text == "Begroot en werkelijk bedrag per rekening in 2026."


def test_svg_scales_and_needs_no_script_style_or_fetch(nl):
    svg = str(budget_chart().svg)
    root = parse(svg)
    assert root.get("viewBox").startswith("0 0 480 ")
    assert root.get("width") is None and root.get("height") is None
    assert "<script" not in svg and "<style" not in svg and "style=" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_values_and_table_in_dutch_format(nl):
    chart = budget_chart()
    assert "€\u00a01.235" in texts(chart.svg)  # whole euros on the bar
    assert chart.head == ["Categorie", "Begroot", "Werkelijk"]
    assert chart.rows == [
        ["Contributie", "€\u00a01.234,56", "€\u00a01.100,00"],
        ["Huur", "€\u00a02.400,00", "–"],
    ]


def test_month_labels_in_dutch(nl):
    chart = line_chart(
        "Leden",
        "Aantal leden aan het eind van elke maand.",
        [date(2026, 1, 1), date(2026, 3, 1)],
        [Series("Leden", [1200, 1234])],
        unit="count",
    )
    assert "jan 2026" in texts(chart.svg) and "mrt 2026" in texts(chart.svg)
    assert chart.rows == [["jan 2026", "1.200"], ["mrt 2026", "1.234"]]


def test_english_locale_formats_in_english(app):
    with app.test_request_context("/"), force_locale("en"):
        chart = budget_chart()
    assert chart.rows[0][1] == "€1,234.56"


def test_share_chart_gives_each_part_its_percentage(nl):
    chart = share_chart(
        "Inkomsten per bron",
        "Aandeel van elke financier in de inkomsten.",
        [("Gemeente", 300000), ("Oranje Fonds", 100000)],
    )
    assert "75%" in texts(chart.svg) and "25%" in texts(chart.svg)
    assert "Gemeente: €\u00a03.000 (75%)" in texts(chart.svg)
    assert chart.rows == [
        ["Gemeente", "€\u00a03.000,00", "75,0%"],
        ["Oranje Fonds", "€\u00a01.000,00", "25,0%"],
    ]


def test_user_labels_are_escaped(nl):
    chart = budget_chart(labels=("<script>alert(1)</script>", "A & B"))
    svg = str(chart.svg)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "A &amp; B" in svg
    html = render_template_string(
        '{% from "_charts.html" import chart %}{{ chart(c) }}', c=chart
    )
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_same_data_gives_the_same_svg(nl):
    assert budget_chart().svg == budget_chart().svg
    assert ' id="' not in str(budget_chart().svg)


def test_macro_renders_chart_and_its_table(nl):
    html = render_template_string(
        '{% from "_charts.html" import chart %}{{ chart(c) }}', c=budget_chart()
    )
    assert '<svg' in html and "<details" in html
    assert '<th scope="row">Contributie</th>' in html
    assert "€\u00a01.234,56" in html


def test_static_stylesheet_is_the_generated_one():
    css = Path(__file__).parents[1] / "coop" / "static" / "css" / "charts.css"
    assert css.read_text(encoding="utf-8") == stylesheet(), (
        "regenerate: python -c 'from coop.charts import stylesheet; "
        "open(\"coop/static/css/charts.css\", \"w\").write(stylesheet())'"
    )


def test_pdf_svg_carries_its_style_and_renders_in_weasyprint(nl):
    chart = budget_chart()
    assert "<style>" in chart.pdf_svg and ".coop-chart .color-1" in chart.pdf_svg
    data = HTML(
        string=f"<html><body>{chart.pdf_svg}</body></html>", url_fetcher=OfflineURLFetcher()
    ).write_pdf()
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Contributie" in text and "€ 1.235" in text.replace("\u00a0", " ")
