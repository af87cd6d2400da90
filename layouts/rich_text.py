"""Sanitised HTML (dashboard/markdown_text.py) shown as Dash components, never as markup.

Dash has no safe way to insert an HTML string: `dcc.Markdown(dangerously_allow_html=True)` and an iframe's
`srcDoc` hand it to the browser's HTML parser. Instead the sanitised HTML is parsed here and rebuilt from
the same allow-list: each allowed tag becomes its `dash.html` component, text becomes a child string (React
escapes it), and the only attributes passed on are a link's checked `href`, `title` and `rel` and a list's
`start`. Whatever the sanitiser let through, nothing can become a script, an event handler or a style.
"""

from __future__ import annotations

from html.parser import HTMLParser

from dash import html
from dash.development.base_component import Component

from dashboard.markdown_text import LINK_REL, TAGS, render_markdown, safe_href

_COMPONENTS = {tag: getattr(html, tag.capitalize()) for tag in TAGS if tag not in ("br", "hr")}
_VOID = {"br": html.Br, "hr": html.Hr}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict, list]] = [("root", {}, [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.stack[-1][2].append(_VOID[tag]())
            return
        props: dict = {}
        values = {k: v or "" for k, v in attrs}
        if tag == "a":
            if safe_href(values.get("href", "")):
                props = {"href": values["href"], "rel": LINK_REL, "target": "_blank"}
            if values.get("title"):
                props["title"] = values["title"]
        elif tag == "ol" and values.get("start", "").isdigit():
            props["start"] = int(values["start"])
        self.stack.append((tag, props, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or len(self.stack) == 1:
            return
        if tag not in [t for t, _, _ in self.stack[1:]]:
            return  # a stray end tag: ignored, as a browser would
        while True:
            name, props, children = self.stack.pop()
            made = _COMPONENTS[name](children, **props) if name in _COMPONENTS else children
            target = self.stack[-1][2]
            target.extend(made) if isinstance(made, list) else target.append(made)
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        if data.strip() or (data and self.stack[-1][0] not in ("root", "ul", "ol", "table", "thead", "tbody", "tr")):
            self.stack[-1][2].append(data)

    def result(self) -> list:
        while len(self.stack) > 1:
            self.handle_endtag(self.stack[-1][0])
        return self.stack[0][2]


def components_from_html(sanitised: str) -> list:
    """Dash components for sanitised HTML (unknown tags keep their text, drop their markup)."""
    builder = _TreeBuilder()
    builder.feed(sanitised)
    builder.close()
    return builder.result()


def rich_text(markdown: str, *, class_name: str = "rich-text") -> Component:
    """A member's Markdown, rendered and sanitised, as a Div of Dash components."""
    return html.Div(components_from_html(render_markdown(markdown)) if markdown else [], className=class_name)
