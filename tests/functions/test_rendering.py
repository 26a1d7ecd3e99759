"""The web function's body rendering (functions/web/rendering.py): Markdown sanitised, text escaped."""

from __future__ import annotations

import pytest

from .conftest import ROOT, load_module

rendering = load_module("blog_web_rendering", ROOT / "functions" / "web" / "rendering.py")


def test_markdown_renders_the_usual_constructs() -> None:
    html = rendering.render_markdown(
        "# Title\n\n*em* **strong** `code`\n\n- a\n- b\n\n```\nx < y\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    for fragment in (
        "<h1>Title</h1>",
        "<em>em</em>",
        "<strong>strong</strong>",
        "<code>code</code>",
        "<li>a</li>",
        "<pre><code>x &lt; y\n</code></pre>",
        "<td>1</td>",
    ):
        assert fragment in html


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("<script>alert(1)</script>", "alert(1)"),
        ("[a](javascript:alert(1))", "javascript:"),
        ("[a](JAVASCRIPT:alert(1))", "javascript"),
        ("[a](vbscript:msgbox(1))", "vbscript"),
        ("![a](javascript:alert(1))", "javascript"),
        ('<a href="javascript:alert(1)">x</a>', "javascript"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ("<svg/onload=alert(1)>", "onload"),
        ('<div style="x:expression(alert(1))">x</div>', "style="),
        ("<iframe src=//evil.example></iframe>", "<iframe"),
        ("<object data=x></object>", "<object"),
        ("<form action=//evil.example><input name=q></form>", "<form"),
        ("[a](data:text/html,<script>alert(1)</script>)", "data:"),
        ("<!-- <script>alert(1)</script> -->", "<!--"),
    ],
)
def test_markdown_output_never_contains_active_content(source: str, forbidden: str) -> None:
    assert forbidden not in rendering.render_markdown(source).lower()


def test_markdown_links_get_rel_and_keep_safe_urls() -> None:
    html = rendering.render_markdown("[x](https://example.com) [y](/posts/other) [z](mailto:a@b.example)")
    assert '<a href="https://example.com" rel="nofollow noopener noreferrer">x</a>' in html
    assert 'href="/posts/other"' in html
    assert 'href="mailto:a@b.example"' in html


def test_plain_text_is_escaped_with_paragraphs_and_line_breaks() -> None:
    html = rendering.render_text("one <b>&amp;\ntwo\n\n\n<script>x</script>")
    assert str(html) == "<p>one &lt;b&gt;&amp;amp;<br>\ntwo</p>\n<p>&lt;script&gt;x&lt;/script&gt;</p>"


def test_render_body_picks_the_format() -> None:
    assert "<em>" in rendering.render_body("*x*", "markdown")
    assert "<em>" not in rendering.render_body("*x*", "text")


def test_excerpt_is_the_rendered_text_without_markup() -> None:
    assert rendering.excerpt("# Title\n\nSome **bold** [link](https://x.example)", "markdown") == (
        "Title Some bold link"
    )
    assert rendering.excerpt("Hi <script>alert(1)</script> there", "markdown") == "Hi there"
    # Plain text is shown as written (the page escapes it).
    assert rendering.excerpt("a < b & <i>c</i>", "text") == "a < b & <i>c</i>"


def test_excerpt_cuts_at_a_word() -> None:
    assert rendering.excerpt("word " * 100, "text", length=20) == "word word word word…"
