"""Post bodies to safe HTML, once, when a post is written; plain text escaped.

Markdown is GitHub-flavoured (tables, strikethrough, autolinks) through cmark-gfm, GitHub's C implementation
of CommonMark, designed and fuzzed against pathological input, in safe mode: raw HTML is omitted and
``javascript:``-like URLs are dropped. nh3 then cleans the result against an allow-list (links and images only
with http, https or mailto URLs, or relative ones; ``rel="nofollow noopener noreferrer"`` on links), as
defence in depth.

What an accepted body may cost is bounded, so that rendering any of them stays within a few tens of
milliseconds (``make bench-render`` reports the slowest one found): at most ``MAX_BODY_LENGTH`` characters
with at most ``MAX_DELIMITERS`` emphasis and strikethrough markers reach cmark; its HTML reaches the
sanitiser only if it nests at most ``MAX_NESTING`` elements deep, has at most ``MAX_ELEMENTS`` of them (an
HTML5 parser is slow on deep trees) and is at most ``MAX_HTML_BYTES``, as the sanitised HTML must be too, so
source and HTML fit in one DynamoDB item (400 KB). A body past a bound raises :class:`BodyTooComplex` with a
message for the author.

cmark-gfm and nh3 are imported on first use: a function that only reads stored posts never loads them.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .html_shape import measure

if TYPE_CHECKING:
    from .model import Post

# DynamoDB items are limited to 400 KB: 50,000 characters are at most 200 KB of UTF-8.
MAX_BODY_LENGTH = 50_000
# cmark-gfm matches emphasis and strikethrough delimiters in more than linear time when a body is made of
# little else (50,000 characters of "~a" took it 25 ms, of "_:~*-->(" 20 ms, and doubling the size tripled
# it): their number is bounded before it parses. Prose has one for 15 characters or so.
MAX_DELIMITERS = 10_000
MAX_NESTING = 32
MAX_ELEMENTS = 10_000
MAX_HTML_BYTES = 150_000
EXCERPT_LENGTH = 240
# A post stored before bodies were rendered at write time has no excerpt: the listing renders the start of
# its body only, which is all an excerpt shows.
_EXCERPT_SOURCE_LENGTH = 4_000

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
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MARKDOWN_EXTENSIONS = ("table", "strikethrough", "autolink")


class BodyTooComplex(ValueError):
    """A Markdown body past one of the rendering bounds; the message says which, for the author."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """What a post's page and the listings show: ``html`` (None for plain text, which is escaped when
    shown) and the ``excerpt``, plain text."""

    html: str | None
    excerpt: str


def _sanitise(html: str) -> str:
    import nh3

    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def _cmark(text: str) -> str:
    import cmarkgfm

    # Options 0: safe mode (no raw HTML, no dangerous URLs), and no smart punctuation.
    html = cmarkgfm.markdown_to_html_with_extensions(text, options=0, extensions=list(MARKDOWN_EXTENSIONS))
    return str(html)


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML; raise :class:`BodyTooComplex` past a bound."""
    if len(text) > MAX_BODY_LENGTH:
        raise BodyTooComplex(f"must be at most {MAX_BODY_LENGTH} characters")
    delimiters = text.count("*") + text.count("_") + text.count("~")
    if delimiters > MAX_DELIMITERS:
        raise BodyTooComplex(
            f"has {delimiters} of the characters *, _ and ~ (emphasis and strikethrough markers, counted in "
            f"code too); at most {MAX_DELIMITERS} are accepted"
        )
    raw = _cmark(text)
    shape = measure(raw, max_depth=MAX_NESTING, max_elements=MAX_ELEMENTS)
    if shape.depth > MAX_NESTING:
        raise BodyTooComplex(
            f"nests more than {MAX_NESTING} levels deep (quotes, lists, emphasis and links inside one "
            "another); flatten it"
        )
    if shape.over_limit:
        raise BodyTooComplex(
            f"has more than {MAX_ELEMENTS} Markdown elements (paragraphs, list items, links, emphasis, "
            "table cells...); split it into several posts"
        )
    # Before the sanitiser, whose time grows with its input (entities most: '"&' repeated is 5.5 bytes of
    # HTML a character), and after it (it adds rel="..." to every link).
    _check_html_size(raw)
    cleaned = _sanitise(raw)
    _check_html_size(cleaned)
    return cleaned


def _check_html_size(html: str) -> None:
    size = len(html.encode("utf-8"))
    if size > MAX_HTML_BYTES:
        raise BodyTooComplex(
            f"renders to {size} bytes of HTML, more than the {MAX_HTML_BYTES} a post may have; shorten it"
        )


def render_text(text: str) -> str:
    """Plain text to HTML: paragraphs at blank lines, line breaks kept, everything else escaped."""
    paragraphs = [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return "\n".join(
        "<p>" + "<br>\n".join(html_lib.escape(line, quote=False) for line in part.splitlines()) + "</p>"
        for part in paragraphs
    )


def _shorten(text: str, length: int) -> str:
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    return flat[:length].rsplit(" ", 1)[0] + "…"


def excerpt_of_html(html: str, length: int = EXCERPT_LENGTH) -> str:
    """The start of sanitised HTML as plain text (the page escapes it like any other string).

    Only as much of the HTML as the excerpt needs is read: text made of entities (``&lt;`` repeated) costs
    a callback each to unescape, and 180 KB of it took 30 ms. The prefix doubles until it holds more text
    than the excerpt (a cut tag or entity at its end falls outside the excerpt), or is the whole HTML.
    """
    import nh3

    size = 8 * length
    while True:
        prefix = html[:size]
        flat = " ".join(html_lib.unescape(nh3.clean(prefix, tags=set())).split())
        if len(prefix) == len(html) or len(flat) > length + 16:
            return _shorten(flat, length)
        size *= 2


def render(body: str, body_format: str) -> Rendered:
    """Render a body in ``body_format`` ("markdown" or "text") for storage beside it."""
    if body_format == "markdown":
        html = render_markdown(body)
        return Rendered(html=html, excerpt=excerpt_of_html(html))
    return Rendered(html=None, excerpt=_shorten(body, EXCERPT_LENGTH))


def body_html(post: Post) -> str:
    """The HTML a post's page shows: what was stored at write time, else rendered now, bounded.

    Plain text is escaped here (linear, nothing to store). A Markdown post stored before bodies were rendered
    at write time is rendered with today's bounds; past them it is shown as escaped text, never slowly.
    """
    if post.html is not None:
        return post.html
    if post.format == "markdown":
        try:
            return render_markdown(post.body)
        except BodyTooComplex:
            pass
    return render_text(post.body)


def post_excerpt(post: Post) -> str:
    """The excerpt listings show: the stored one, else one made now from the start of the body."""
    if post.excerpt is not None:
        return post.excerpt
    start = post.body[:_EXCERPT_SOURCE_LENGTH]
    if post.format == "markdown":
        try:
            return excerpt_of_html(render_markdown(start))
        except BodyTooComplex:
            pass
    return _shorten(start, EXCERPT_LENGTH)
