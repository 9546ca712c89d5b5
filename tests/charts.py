"""What a reader of a page learns from its charts: the accessible name and description of
each SVG and the numbers in the table that goes with it (templates/_charts.html)."""

import re
from dataclasses import dataclass

import lxml.html


@dataclass
class SeenChart:
    title: str
    description: str
    head: list[str]
    rows: list[list[str]]
    svg_texts: list[str]


def _text(element) -> str:
    # Collapse the markup's white space, not the no-break space of "€ 1.234,56".
    return re.sub(r"[ \t\r\n]+", " ", element.text_content()).strip()


def page_charts(html: str) -> dict[str, SeenChart]:
    """Every chart on the page by its title."""
    charts = {}
    for figure in lxml.html.fromstring(html).xpath('//figure[@class="chart"]'):
        svg = figure.xpath(".//svg")[0]
        assert svg.get("role") == "img"
        title = _text(svg.xpath("./title")[0])
        charts[title] = SeenChart(
            title=title,
            description=_text(svg.xpath("./desc")[0]),
            head=[_text(th) for th in figure.xpath(".//table/thead//th")],
            rows=[[_text(cell) for cell in tr.xpath("./th|./td")]
                  for tr in figure.xpath(".//table/tbody/tr")],
            svg_texts=[_text(t) for t in svg.xpath(".//text") if _text(t)],
        )
    return charts
