"""Post bodies to safe HTML: Markdown through python-markdown, then sanitised by nh3; plain text escaped.

Markdown lets authors write raw HTML, and python-markdown passes it through, so the rendered HTML is
cleaned against an allow-list: no scripts, no event-handler attributes, and links and images only with
http, https or mailto URLs (relative URLs stay allowed).
"""

from __future__ import annotations

import html
import re

import markdown
import nh3
from markupsafe import Markup, escape

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
        "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MARKDOWN_EXTENSIONS = ("fenced_code", "tables", "sane_lists")


def render_markdown(text: str) -> Markup:
    """Render Markdown to HTML that is safe to put in a page."""
    # A new converter per call: python-markdown's Markdown objects keep state between conversions.
    html = markdown.markdown(text, extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704 - nh3 has just sanitised it against the allow-list above


def render_text(text: str) -> Markup:
    """Render plain text: paragraphs at blank lines, line breaks kept, everything else escaped."""
    paragraphs = [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in part.splitlines()))
        for part in paragraphs
    )


def render_body(text: str, body_format: str) -> Markup:
    """Render a post body stored in ``body_format`` ("markdown" or "text")."""
    return render_markdown(text) if body_format == "markdown" else render_text(text)


def excerpt(text: str, body_format: str, length: int = 240) -> str:
    """The start of a body as plain text, for listings: what the rendered post shows, without markup.

    The result is plain text; the template escapes it like any other string.
    """
    rendered = render_body(text, body_format)
    flat = " ".join(html.unescape(nh3.clean(str(rendered), tags=set())).split())
    if len(flat) <= length:
        return flat
    return flat[:length].rsplit(" ", 1)[0] + "…"
