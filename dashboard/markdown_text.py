"""Markdown written by members (practice sheets), checked on save and rendered to sanitised HTML on read.

Two layers, each enough on its own:

- `markdown_problem` refuses, before anything is saved, what a sheet has no use for and an attacker needs:
  raw HTML (any tag, comment or processing instruction), links other than absolute http, https and mailto
  (so no `javascript:`, `data:`, `vbscript:` nor relative links), images (tissu works offline: a picture
  from another host would be fetched by every reader) and text over its size cap.
- `render_markdown` turns the source into HTML with markdown-it-py (CommonMark, raw HTML disabled, so a tag
  is shown as text) and passes the result through nh3 (the ammonia allow-list sanitiser): only the tags and
  attributes below survive, every link gets `rel="noopener noreferrer nofollow"` and an href that is not
  http, https or mailto is dropped. Rows written by other means (an import, an older version) are therefore
  as safe as those checked on save.

The page never puts this HTML into the DOM as markup: `layouts/rich_text.py` rebuilds it as Dash components
from the same allow-list (text stays text), and the Content-Security-Policy forbids inline script anyway.
"""

from __future__ import annotations

import functools
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

MAX_MARKDOWN_CHARS = 20_000  # a hard cap before parsing: the parser's work grows with the text
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Headings are demoted by two levels (# -> h3): a sheet sits under the page's h1 and the sheet's h2 title.
TAGS = frozenset({"p", "br", "hr", "strong", "em", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a",
                  "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"})
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f\u00a0\u200b-\u200f\u2028-\u202e\u2060\ufeff]")


class MarkdownTooLong(ValueError):
    """The text is over MAX_MARKDOWN_CHARS (or its field's cap); French message."""


def safe_href(href: str) -> bool:
    """Whether a link target is an absolute http(s) URL with a host, or a mailto address (nothing else)."""
    if not href or _CONTROL.search(href):  # "java\tscript:", a zero-width space: a browser may ignore them
        return False
    scheme = _SCHEME.match(href)
    if scheme is None or scheme.group(1).lower() not in LINK_SCHEMES:
        return False
    if scheme.group(1).lower() == "mailto":
        return "@" in href
    return re.match(r"^https?://[^/?#]+", href, re.IGNORECASE) is not None


def _parser(*, detect: bool) -> MarkdownIt:
    """CommonMark with tables and strikethrough. `detect`: raw HTML and every link kept as tokens, so that
    `markdown_problem` can see what the rendering parser would have turned into text."""
    md = MarkdownIt("commonmark", {"html": detect, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    if detect:
        md.validateLink = lambda url: True  # type: ignore[method-assign]  # see every link, judge it ourselves
    return md


_RENDER = _parser(detect=False)
_DETECT = _parser(detect=True)


def _walk(tokens: list[Token]):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def markdown_problem(text: str, *, limit: int = MAX_MARKDOWN_CHARS) -> str | None:
    """Why this Markdown cannot be saved (French), or None when it can."""
    if len(text) > limit:
        return f"{limit:,} caractères au plus ({len(text):,} reçus).".replace(",", "\u00a0")
    for token in _walk(_DETECT.parse(text)):
        if token.type in ("html_block", "html_inline"):
            shown = token.content.strip().splitlines()[0][:40] if token.content.strip() else "<…>"
            return (f"le HTML n'est pas accepté (« {shown} ») : écrivez en Markdown, par exemple **gras**, "
                    "*italique*, - liste, [lien](https://…).")
        if token.type == "image":
            return "les images ne sont pas acceptées : décrivez-les ou mettez un lien https."
        if token.type == "link_open":
            href = str(token.attrGet("href") or "")
            if not safe_href(href):
                return (f"lien refusé (« {href[:40]} ») : seuls les liens complets http://, https:// et mailto: "
                        "sont acceptés.")
    return None


def _demote_headings(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 2)}"


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if safe_href(value) else None
    if tag == "ol" and attribute == "start":
        return value if value.isdigit() and len(value) <= 6 else None
    return value


@functools.lru_cache(maxsize=512)  # per process; sheets are a few KB
def render_markdown(text: str) -> str:
    """Sanitised HTML of `text` (Markdown); raises MarkdownTooLong over MAX_MARKDOWN_CHARS."""
    if len(text) > MAX_MARKDOWN_CHARS:
        raise MarkdownTooLong(f"Texte trop long : {MAX_MARKDOWN_CHARS:,} caractères au plus ({len(text):,} reçus)."
                              .replace(",", "\u00a0"))
    tokens = _RENDER.parse(text)
    _demote_headings(tokens)
    html = _RENDER.renderer.render(tokens, _RENDER.options, {})
    return nh3.clean(html, tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                     attribute_filter=_keep_attribute, url_schemes=set(LINK_SCHEMES), link_rel=LINK_REL,
                     strip_comments=True, clean_content_tags={"script", "style"})


def plain_text(text: str) -> str:
    """The words of a Markdown text without its markup (for search and short previews)."""
    words = [t.content for t in _walk(_RENDER.parse(text[:MAX_MARKDOWN_CHARS]))
             if t.type in ("text", "code_inline", "code_block", "fence")]
    return re.sub(r"\s+", " ", " ".join(words)).strip()
