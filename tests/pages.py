"""Read an HTML response the way a user (or a screen reader) meets it.

`Page(response.text)` parses the page with the standard library; `page.field_error("kvk_number")`
is the message shown at a field, `page.is_invalid("kvk_number")` whether the field is
marked `aria-invalid="true"`, `page.flashes()` the flashed messages.
"""

from html.parser import HTMLParser

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None]):
        self.tag = tag
        self.attrs = attrs
        self.children: list[Element | str] = []

    @property
    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return " ".join("".join(parts).split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


class Page:
    def __init__(self, html: str):
        builder = _TreeBuilder()
        builder.feed(html)
        builder.close()
        self.root = builder.root

    def by_id(self, element_id: str) -> Element | None:
        return next((e for e in self.root.iter() if e.attrs.get("id") == element_id), None)

    def is_invalid(self, field_id: str) -> bool:
        element = self.by_id(field_id)
        return element is not None and element.attrs.get("aria-invalid") == "true"

    def invalid_fields(self) -> set[str]:
        return {
            e.attrs["id"]
            for e in self.root.iter()
            if e.attrs.get("aria-invalid") == "true" and e.attrs.get("id")
        }

    def field_error(self, field_id: str) -> str | None:
        """The error text shown at the field (`#<id>-error`), if any."""
        element = self.by_id(f"{field_id}-error")
        return element.text if element is not None else None

    def flashes(self) -> list[str]:
        return [e.text for e in self.root.iter() if "flash" in (e.attrs.get("class") or "").split()]

    def lang(self) -> str | None:
        html = next((e for e in self.root.iter() if e.tag == "html"), None)
        return html.attrs.get("lang") if html is not None else None
