"""Post bodies to HTML (functions/shared/blog_posts/rendering.py): Markdown sanitised, text escaped, and
every accepted body bounded in what it costs to render."""

from __future__ import annotations

import re

import pytest
from blog_posts import BodyTooComplex, Post, body_html, post_excerpt, rendering
from blog_posts.html_shape import measure
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_markdown_renders_the_usual_constructs() -> None:
    html = rendering.render_markdown(
        "# Title\n\n*em* **strong** `code` ~~gone~~ www.example.com\n\n- a\n- b\n\n3. c\n\n"
        "```\nx < y\n```\n\n| a | b |\n|---|--:|\n| 1 | 2 |"
    )
    for fragment in (
        "<h1>Title</h1>",
        "<em>em</em>",
        "<strong>strong</strong>",
        "<code>code</code>",
        "<del>gone</del>",
        '<a href="http://www.example.com" rel="nofollow noopener noreferrer">www.example.com</a>',
        "<li>a</li>",
        '<ol start="3">',
        "<pre><code>x &lt; y\n</code></pre>",
        '<td align="right">2</td>',
    ):
        assert fragment in html


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("[a](javascript:alert(1))", "javascript:"),
        ("[a](JAVASCRIPT:alert(1))", "javascript"),
        ("[a](vbscript:msgbox(1))", "vbscript"),
        ("![a](javascript:alert(1))", "javascript"),
        ('<a href="javascript:alert(1)">x</a>', "javascript"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ("<svg/onload=alert(1)>", "<svg"),
        ("<svg onload=alert(1)>", "onload"),
        ('<div style="x:expression(alert(1))">x</div>', "style="),
        ("<iframe src=//evil.example></iframe>", "<iframe"),
        ("<object data=x></object>", "<object"),
        ("<form action=//evil.example><input name=q></form>", "<form"),
        ("[a](data:text/html,<script>alert(1)</script>)", "data:"),
        ("![a](data:image/png;base64,iVBORw0KGgo=)", "data:"),
        ("<!-- <script>alert(1)</script> -->", "<!--"),
    ],
)
def test_markdown_output_never_contains_active_content(source: str, forbidden: str) -> None:
    assert forbidden not in rendering.render_markdown(source).lower()


def test_raw_html_is_left_out_not_rendered() -> None:
    """Safe mode: the author's HTML tags are omitted (the text between them stays, as text)."""
    assert rendering.render_markdown("a <b>bold</b> <sub>x</sub> word") == "<p>a bold x word</p>\n"


def test_markdown_links_get_rel_and_keep_safe_urls() -> None:
    html = rendering.render_markdown("[x](https://example.com) [y](/posts/other) [z](mailto:a@b.example)")
    assert '<a href="https://example.com" rel="nofollow noopener noreferrer">x</a>' in html
    assert 'href="/posts/other"' in html
    assert 'href="mailto:a@b.example"' in html


def test_plain_text_is_escaped_with_paragraphs_and_line_breaks() -> None:
    html = rendering.render_text("one <b>&amp;\ntwo\n\n\n<script>x</script>")
    assert html == "<p>one &lt;b&gt;&amp;amp;<br>\ntwo</p>\n<p>&lt;script&gt;x&lt;/script&gt;</p>"


def test_render_stores_html_for_markdown_only_and_an_excerpt_for_both() -> None:
    markdown = rendering.render("# Title\n\nSome **bold** [link](https://x.example)", "markdown")
    assert markdown.html is not None
    assert "<strong>bold</strong>" in markdown.html
    assert markdown.excerpt == "Title Some bold link"
    text = rendering.render("a < b & <i>c</i>", "text")
    # Plain text is escaped when shown (linear, nothing worth storing); its excerpt is the text as written.
    assert text.html is None
    assert text.excerpt == "a < b & <i>c</i>"


def test_excerpts_cut_at_a_word() -> None:
    assert rendering.render("word " * 100, "text").excerpt == "word " * 47 + "word…"
    assert len(rendering.render("*word* " * 100, "markdown").excerpt) <= rendering.EXCERPT_LENGTH + 1


# --- bounds -------------------------------------------------------------------------------------------

# Bodies that made the previous renderer (python-markdown) slow, and what each is now.
ACCEPTED_PATHOLOGICAL = {
    # Quadratic in python-markdown: 50,000 characters took about 54 s (the input quoted in issue 16).
    "unclosed link destinations": "[a](" * 12_500,
    "reference links": "[a]: /b\n" + "[a]" * 3_000,
    "raw html openers": "<a " * 16_000,
    "unclosed emphasis": "*a_" * 5_000,  # 10,000 markers, the most accepted
    "brackets": "[" * 50_000,
    "image openers": "![" * 25_000,
}
REJECTED_PATHOLOGICAL = {
    # 50,000 nested quotes: cmark is fast, but an HTML5 parser (the sanitiser) takes seconds on them.
    "nested quotes": (">" * 5_000, "nests more than 32 levels deep"),
    # 50,000 nested quotes are also 50,000 elements: refused before anything else is looked at.
    "very nested quotes": (">" * 50_000, "has more than 10000 Markdown elements"),
    "nested lists": ("".join("  " * i + "- a\n" for i in range(40)), "nests more than 32 levels deep"),
    "many list items": ("- a\n" * 12_000, "has more than 10000 Markdown elements"),
    "too long": ("a" * 50_001, "must be at most 50000 characters"),
    # cmark-gfm's delimiter matching grows faster than the input once delimiters are most of it.
    "emphasis markers": ("*~" * 5_001, "has 10002 of the characters *, _ and ~"),
    # Entities: 5.5 bytes of HTML a character, and the sanitiser's time grows with its input.
    "entity-dense text": ('"&' * 15_000, "renders to 165008 bytes of HTML"),
    # Each reference becomes a link with rel=... added: 48,000 characters of source, 416 KB of HTML.
    "html larger than an item": ("[a]: /b\n" + "[a]" * 9_000, "renders to"),
}


@pytest.mark.parametrize("name", ACCEPTED_PATHOLOGICAL)
def test_pathological_bodies_within_the_bounds_render(name: str) -> None:
    html = rendering.render_markdown(ACCEPTED_PATHOLOGICAL[name])
    assert len(html.encode("utf-8")) <= rendering.MAX_HTML_BYTES


@pytest.mark.parametrize("name", REJECTED_PATHOLOGICAL)
def test_bodies_past_a_bound_are_refused_with_a_message(name: str) -> None:
    body, message = REJECTED_PATHOLOGICAL[name]
    with pytest.raises(BodyTooComplex, match=re.escape(message)):
        rendering.render_markdown(body)


def test_delimiters_up_to_the_bound_are_accepted() -> None:
    assert "<em>" in rendering.render_markdown("*a* " * 5_000)  # 10,000 markers


def test_nesting_up_to_the_bound_is_accepted() -> None:
    # Each quote level is a <blockquote>, the innermost text a <p>: 31 quotes and a paragraph are 32.
    assert rendering.render_markdown(">" * 31 + " deep").count("<blockquote>") == 31
    with pytest.raises(BodyTooComplex):
        rendering.render_markdown(">" * 32 + " deep")


def test_measure_counts_cmark_output_exactly() -> None:
    html = '<p>a <em>b <a href="x">c</a></em><br />\n<img src="y" alt="z" /></p>\n<!-- raw HTML omitted -->\n'
    shape = measure(html, max_depth=10, max_elements=10)
    assert (shape.depth, shape.elements, shape.over_limit) == (3, 6, False)
    assert measure(html, max_depth=2, max_elements=10).over_limit
    assert measure(html, max_depth=10, max_elements=5).over_limit
    assert measure("<p>" * 30, max_depth=100, max_elements=10).over_limit  # settled by counting "<"


MARKDOWN_PIECES = st.sampled_from(
    ["[", "]", "(", ")", "*", "_", "**", "`", "```", "~~", "<", ">", "> ", "- ", "1. ", "#", "|", "---", "!",
     "\\", "&", "&amp;", "&#", "http://", "www.", "\n", "\n\n", "    ", "a", "word ", "<b>", "</b>", "<p>",
     '<a href="x">', "javascript:", "[a]: /u\n", "|-|\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MARKDOWN_PIECES, max_size=400).map("".join))
def test_any_markdown_renders_or_is_refused_and_what_renders_is_bounded(body: str) -> None:
    """Generated Markdown: either a BodyTooComplex for the author, or sanitised HTML within every bound."""
    try:
        html = rendering.render_markdown(body)
    except BodyTooComplex:
        return  # refused, with a message for the author (the messages are tested above)
    assert len(html.encode("utf-8")) <= rendering.MAX_HTML_BYTES
    assert "<script" not in html
    assert re.search(r'(?:href|src)="\s*(?:javascript|vbscript|data):', html, re.IGNORECASE) is None
    assert measure(html, max_depth=rendering.MAX_NESTING + 1, max_elements=rendering.MAX_ELEMENTS).depth <= (
        rendering.MAX_NESTING
    )


# --- posts stored before bodies were rendered at write time ---------------------------------------------


def legacy(body: str, body_format: str = "markdown") -> Post:
    """A post as stored before this change: source only, no html, no excerpt."""
    stamp = "2025-01-01T00:00:00.000000Z"
    return Post(
        slug="old", title="Old", body=body, format=body_format, created_at=stamp, updated_at=stamp, version=1
    )


def test_a_legacy_post_is_rendered_when_read() -> None:
    post = legacy("Some **bold** text")
    assert body_html(post) == "<p>Some <strong>bold</strong> text</p>\n"
    assert post_excerpt(post) == "Some bold text"


def test_a_legacy_post_past_todays_bounds_is_shown_as_text_not_slowly() -> None:
    post = legacy(">" * 50_000)
    assert body_html(post) == "<p>" + "&gt;" * 50_000 + "</p>"
    assert post_excerpt(post) == ">" * 240 + "…"


def test_a_legacy_excerpt_renders_only_the_start_of_the_body() -> None:
    post = legacy("intro " * 10 + "[a](" * 12_500)
    assert post_excerpt(post).startswith("intro intro")
    assert body_html(legacy("x", "text")) == "<p>x</p>"
    assert post_excerpt(legacy("x  y", "text")) == "x y"


def test_stored_html_is_used_as_it_is() -> None:
    post = Post(
        slug="new",
        title="New",
        body="*x*",
        format="markdown",
        created_at="2026-01-01T00:00:00.000000Z",
        updated_at="2026-01-01T00:00:00.000000Z",
        version=1,
        html="<p>stored</p>",
        excerpt="stored",
    )
    assert body_html(post) == "<p>stored</p>"
    assert post_excerpt(post) == "stored"
