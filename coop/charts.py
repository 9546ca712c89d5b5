"""Charts: server-side SVG (pygal) with the numbers beside them, for pages and PDFs.

One component for every chart in the app. A chart is built from plain values and comes
back as a `Chart`:

    from coop.charts import Series, bar_chart, line_chart, share_chart

    chart = bar_chart(
        _("Budget versus actual"),
        _("Budgeted and actual amount per account, 2026."),
        categories=["Contributie", "Subsidie"],
        series=[Series(_("Budget"), [120000, 50000]), Series(_("Actual"), [110000, 55000])],
        unit="eur",              # "eur" (values in cents) | "count" | "hours" | "percent"
        horizontal=True,         # bars left to right: long labels fit on a phone
    )
    line_chart(title, description, periods, series, unit="count")   # trend; periods are
        # dates (shown as "jan 2026", the month) or ready-made strings
    share_chart(title, description, parts=[("Gemeente", 1200000), ...], unit="eur")
        # a donut: each part's share of the whole

`chart.svg` is Markup to put in a web page: `<svg role="img">` with `<title>` and `<desc>`,
a viewBox and no fixed size (it scales to its container), no script, no style attribute
(the page's CSP allows neither): it is styled by `static/css/charts.css`, which is
`stylesheet()` written out (a test keeps the two equal). `chart.pdf_svg` is the same SVG
with that stylesheet inside it, for WeasyPrint (a PDF template has no linked CSS).
`chart.head` and `chart.rows` are the numbers as formatted strings for the table that
goes with every chart: `templates/_charts.html`'s `chart(chart)` macro renders both.

Numbers and months are formatted by Babel in the UI language (`€ 1.234,56`, "jan 2026").
Colours are the app's, ordered by lightness so that series stay apart in black-and-white
print; values are printed on the bars and dots, and a second line is dashed. Labels are
user data and are escaped (the SVG is built as an XML tree). The output is deterministic:
no random ids, no dates, so the same data gives the same bytes.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Literal

import pygal
from flask_babel import format_date, format_decimal, format_percent, get_locale, gettext
from lxml import etree
from markupsafe import Markup
from pygal.style import Style

from coop.money import format_money

Unit = Literal["eur", "count", "hours", "percent"]

# The app's green (app.css --accent) and its shades, then ink and greys: each a clearly
# different grey when printed in black and white.
PALETTE = ("#0b5d3b", "#8cc9a6", "#4a5561", "#d5e8dc", "#2e8b5e", "#1b1f24", "#a9b4bf")

# Width of the drawing in SVG units; the page scales it. Narrow on purpose: on a 375 px
# phone the 15-unit text stays about 11 px high.
WIDTH = 480
FONT_SIZE = 15

_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1b1f24",
    foreground_strong="#1b1f24",
    foreground_subtle="#4a5561",
    opacity="1",
    opacity_hover="1",
    transition="none",
    colors=PALETTE,
    font_family="inherit",
    label_font_size=FONT_SIZE - 2,
    major_label_font_size=FONT_SIZE - 2,
    value_font_size=FONT_SIZE - 2,
    value_label_font_size=FONT_SIZE - 2,
    legend_font_size=FONT_SIZE,
    title_font_size=FONT_SIZE,
    tooltip_font_size=FONT_SIZE,
    no_data_font_size=FONT_SIZE,
    guide_stroke_color="#c9d1d9",
    major_guide_stroke_color="#c9d1d9",
)

# What pygal's stylesheet does not say: lines and patterns that survive grey print.
_EXTRA_CSS = """
.coop-chart { font-family: inherit; }
.coop-chart .rect, .coop-chart .slice { stroke: #1b1f24; stroke-width: 0.75; }
.coop-chart .line { stroke-width: 3; }
.coop-chart .serie-1 .line { stroke-dasharray: 8 4; }
.coop-chart .serie-2 .line { stroke-dasharray: 2 3; }
.coop-chart .text-overlay text.value { fill: #1b1f24; }
.coop-chart .pie-graph .text-overlay text.value { fill: #ffffff; paint-order: stroke;
  stroke: #1b1f24 !important; stroke-width: 3px; font-weight: 700; }
"""


@dataclass(frozen=True)
class Series:
    """One named row of values, in the order of the chart's categories (None: no value)."""

    name: str
    values: Sequence[int | float | None]


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    svg: Markup
    head: list[str]
    rows: list[list[str]] = field(default_factory=list)

    @property
    def pdf_svg(self) -> Markup:
        """The SVG with its stylesheet inside, for WeasyPrint (plain str, fits render_pdf)."""
        return svg_for_pdf(self.svg)


def stylesheet() -> str:
    """The CSS for every chart (`static/css/charts.css` holds exactly this)."""
    return _stylesheet()


@cache
def _stylesheet() -> str:
    graph = pygal.Bar(style=_STYLE, js=[], no_prefix=False, pretty_print=True)
    graph.uuid = "coop"
    for index in range(2 * len(PALETTE)):  # one colour rule per series index
        graph.add(str(index), [1])
    tree = graph.render_tree()
    css = tree.find("defs/style").text
    css = css.replace("#chart-coop ", ".coop-chart ").replace("#chart-coop", ".coop-chart")
    lines = [line.rstrip() for line in css.splitlines()]
    body = "\n".join(line for line in lines if line)
    return (
        "/* Charts (coop/charts.py): generated by coop.charts.stylesheet(); do not edit. */\n"
        + body
        + "\n"
        + _EXTRA_CSS.lstrip()
    )


def svg_for_pdf(svg: str) -> Markup:
    """`svg` with the chart stylesheet inside (WeasyPrint does not apply the page's CSS)."""
    head, sep, rest = str(svg).partition(">")
    style = "<style>" + stylesheet().replace("<", "\\3C ") + "</style>"
    return Markup(head + sep + style + rest)  # noqa: S704 (our own SVG and CSS)


def _locale() -> str:
    return "nl_NL" if str(get_locale() or "nl") == "nl" else "en_GB"


def format_value(value: float | None, unit: Unit, *, short: bool = False) -> str:
    """A value as the table and labels show it; `short`: whole euros (labels, axes)."""
    if value is None:
        return "–"
    if unit == "eur":
        cents = round(value)
        return _short_eur(cents) if short else format_money(cents, _locale())
    if unit == "percent":
        return format_percent(value, "#,##0%" if short else "#,##0.0%")
    if unit == "hours":
        return format_decimal(value, "#,##0.#" if short else "#,##0.##")
    return format_decimal(value, "#,##0")


def _short_eur(cents: int) -> str:
    """€ 1.235 for 123456 cents: the euro sign and whole euros, in the UI locale."""
    euros = format_decimal(round(cents / 100), "#,##0")
    return f"€\u00a0{euros}"


def _period_label(period: date | str) -> str:
    return format_date(period, "LLL y") if isinstance(period, date) else str(period)


def _base_config(unit: Unit, n_series: int) -> dict:
    # Axis values in euros, not cents: round numbers on the guides.
    scale = 100 if unit == "eur" else 1
    return {
        "style": _STYLE,
        "js": [],
        "css": [],
        "classes": ["coop-chart"],
        "no_prefix": True,
        "disable_xml_declaration": True,
        "tooltip_border_radius": 0,
        "width": WIDTH,
        "show_legend": n_series > 1,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 1,
        "legend_box_size": 14,
        "truncate_legend": -1,
        "truncate_label": 22,
        "print_values": True,
        "value_formatter": lambda v: format_value(v * scale, unit, short=True),
        "no_data_text": gettext("No data"),
        "margin": 8,
        "max_scale": 5,
        "spacing": 8,
    }


def _scaled(values: Sequence[float | None], unit: Unit) -> list[float | None]:
    return [None if v is None else (v / 100 if unit == "eur" else v) for v in values]


def _finish(graph, title: str, description: str, *, values_after_bars: bool = False) -> Markup:
    """Render `graph` and make it accessible, static and deterministic."""
    root = graph.render_tree()
    if values_after_bars:
        # pygal centres a value on the end of its bar; put it after the end instead.
        for text in root.iter("text"):
            if "value" in text.get("class", "").split():
                text.set("text-anchor", "start")
                text.set("x", str(float(text.get("x")) - FONT_SIZE / 4))
    for node in list(root.iter(etree.Comment)):
        node.getparent().remove(node)
    defs = root.find("defs")
    if defs is not None:
        root.remove(defs)
    # pygal's per-value <desc> and <title> are tooltips for its script; gone with it.
    for tag in ("desc", "title"):
        for node in list(root.iter(tag)):
            node.getparent().remove(node)
    # The tooltip box is for the script too, and its style attribute would break the CSP.
    for node in [n for n in root.iter("g") if "tooltip" in n.get("class", "").split()]:
        node.getparent().remove(node)
    for node in root.iter():
        node.attrib.pop("id", None)
    root.set("role", "img")
    title_node = etree.Element("title")
    title_node.text = title
    desc_node = etree.Element("desc")
    desc_node.text = description
    root.insert(0, desc_node)
    root.insert(0, title_node)
    svg = etree.tostring(root, encoding="unicode")
    svg = svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    return Markup(svg)  # noqa: S704 (serialised XML tree: text is escaped)


def _table(
    head_label: str, categories: Sequence[str], series: Sequence[Series], unit: Unit
) -> tuple[list[str], list[list[str]]]:
    head = [head_label, *(s.name for s in series)]
    rows = [
        [str(category), *(format_value(s.values[i], unit) for s in series)]
        for i, category in enumerate(categories)
    ]
    return head, rows


def bar_chart(
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    unit: Unit = "eur",
    *,
    horizontal: bool = False,
    category_label: str | None = None,
) -> Chart:
    """Bars per category, one bar per series (grouped: budget versus actual, …)."""
    config = _base_config(unit, len(series))
    if horizontal:
        bar_height = 20
        config["height"] = 60 + len(categories) * (bar_height * len(series) + 16) + (
            26 * len(series) if len(series) > 1 else 0
        )
        config["margin_right"] = 80  # room for the value after the longest bar
        config["max_scale"] = 3  # the value axis runs across a narrow width
        graph = pygal.HorizontalBar(**config, print_values_position="top")
    else:
        config["height"] = 320
        config["x_label_rotation"] = -35 if len(categories) > 4 else 0
        graph = pygal.Bar(**config, print_values_position="top")
    graph.x_labels = [str(c) for c in categories]
    for s in series:
        graph.add(str(s.name), _scaled(s.values, unit))
    head, rows = _table(category_label or gettext("Category"), categories, series, unit)
    svg = _finish(graph, title, description, values_after_bars=horizontal)
    return Chart(title, description, svg, head, rows)


def line_chart(
    title: str,
    description: str,
    periods: Sequence[date | str],
    series: Sequence[Series],
    unit: Unit = "count",
    *,
    period_label: str | None = None,
) -> Chart:
    """A trend over periods (months as dates: "jan 2026"), one line per series."""
    config = _base_config(unit, len(series))
    config["height"] = 320
    labels = [_period_label(p) for p in periods]
    config["x_label_rotation"] = -35 if len(labels) > 4 else 0
    # Values on every dot while they fit (one line, a year at most); the table has them all.
    config["print_values"] = len(labels) <= 12 and len(series) == 1
    config["margin_right"] = 28
    config["dots_size"] = 4
    if len(labels) > 12:
        config["show_minor_x_labels"] = False
        config["x_labels_major_every"] = (len(labels) + 5) // 6
    graph = pygal.Line(**config, print_values_position="top")
    graph.x_labels = labels
    for s in series:
        graph.add(str(s.name), _scaled(s.values, unit))
    head, rows = _table(period_label or gettext("Period"), labels, series, unit)
    return Chart(title, description, _finish(graph, title, description), head, rows)


def share_chart(
    title: str,
    description: str,
    parts: Sequence[tuple[str, int | float]],
    unit: Unit = "eur",
    *,
    part_label: str | None = None,
) -> Chart:
    """A donut: each part's share of the whole, the percentage on its slice."""
    total = sum(value for _, value in parts if value and value > 0)
    config = _base_config(unit, 2)
    config["height"] = 300 + 26 * len(parts)
    config["inner_radius"] = 0.45
    config["value_formatter"] = lambda v: format_percent(v / total if total else 0, "#,##0%")
    graph = pygal.Pie(**config)
    for label, value in parts:
        share = format_percent(value / total if total else 0, "#,##0%")
        graph.add(f"{label}: {format_value(value, unit, short=True)} ({share})", [value])
    head = [part_label or gettext("Part"), gettext("Amount"), gettext("Share")]
    rows = [
        [
            str(label),
            format_value(value, unit),
            format_percent(value / total if total else 0, "#,##0.0%"),
        ]
        for label, value in parts
    ]
    return Chart(title, description, _finish(graph, title, description), head, rows)
