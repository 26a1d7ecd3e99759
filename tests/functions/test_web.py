"""The web function (functions/web) through its real handler, with REST API (payload 1.0) events.

Every request goes through the test kit's ``function_client``: a real API Gateway event, the function's
Environment from template.yaml, DynamoDB and S3 from moto with the template's table and bucket.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest

from lambda_micro.local.loader import load_function
from lambda_micro.testing import Client
from lambda_micro.testing.plugin import AwsResources

from . import sample_images
from .conftest import AUTHOR, VERSION_FIELD, app_path, csrf_from, form_body, header, item_count, stored

PNG = sample_images.png()


def submit(web: Any, form_page: str, fields: dict[str, str], *, token: str | None = None) -> Any:
    """GET the form page (for the session's CSRF token), then POST ``fields`` to it."""
    page = web.get(form_page)
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_from(page.text) if token is None else token, **fields}
    return web.post(form_page, **form_body(data))


def create_post(web: Any, title: str, body: str = "Body text.", **extra: str) -> str:
    """Create a post through the form; return the path of its page."""
    response = submit(web, "/posts/new", {"title": title, "body": body, **extra})
    assert response.status_code == 303, response.text
    return app_path(header(response, "Location") or "")


def main_content(page_html: str) -> str:
    match = re.search(r'<main id="content">(.*)</main>', page_html, re.DOTALL)
    assert match
    return match.group(1)


# --- home and post pages ---------------------------------------------------------------------------


def test_home_without_posts_invites_the_first_one(web: Any) -> None:
    response = web.get("/")
    assert response.status_code == 200
    assert header(response, "Content-Type") == "text/html; charset=utf-8"
    assert 'id="no-posts"' in response.text
    # Links carry the REST API stage, so they work on the execute-api URL.
    assert 'href="/Prod/static/style.css"' in response.text
    assert 'id="new-post" href="/Prod/posts/new"' in response.text
    assert "script-src 'none'" in (header(response, "Content-Security-Policy") or "")
    # A page without a form does not start a session.
    assert header(response, "Set-Cookie") is None


def test_home_lists_newest_first_and_paginates(web: Any) -> None:
    titles = [f"Post number {n}" for n in range(12)]
    for title in titles:
        create_post(web, title)
    first = web.get("/")
    listed = re.findall(r'class="post-link" href="/Prod/posts/([a-z0-9-]+)"', first.text)
    assert listed == [f"post-number-{n}" for n in range(11, 1, -1)]
    older = re.search(r'id="older" rel="next" href="([^"]+)"', first.text)
    assert older
    link = urlsplit(html.unescape(older.group(1)))
    assert link.path == "/Prod/"
    second = web.get(app_path(link.path), query=link.query)
    assert second.status_code == 200
    listed = re.findall(r'class="post-link" href="/Prod/posts/([a-z0-9-]+)"', second.text)
    assert listed == ["post-number-1", "post-number-0"]
    assert 'id="older"' not in second.text
    assert 'id="newest"' in second.text


def test_home_excerpts_show_the_text_not_the_markup(web: Any) -> None:
    create_post(web, "Marked up", "Some **bold** and <script>alert(1)</script> [a link](https://x.example)")
    create_post(web, "Plain one", "x < y and <b>not bold</b>", format="text")
    excerpts = re.findall(r'<p class="excerpt">(.*?)</p>', web.get("/").text)
    # Raw HTML in Markdown is left out (its tags; what was between them stays, as text).
    assert excerpts == ["x &lt; y and &lt;b&gt;not bold&lt;/b&gt;", "Some bold and alert(1) a link"]


def test_home_with_a_tampered_cursor_is_a_400_page(web: Any) -> None:
    response = web.get("/", query={"cursor": "eyJ2IjoxLCJzIjoiPHNjcmlwdD4iLCJjIjoieCJ9"})
    assert response.status_code == 400
    assert 'id="error-title">Bad page link<' in response.text


def test_post_page_renders_the_body(web: Any) -> None:
    path = create_post(web, "Markdown post", "# Heading\n\nSome *emphasis* and `code`.")
    response = web.get(path)
    assert response.status_code == 200
    body = main_content(response.text)
    assert '<h1 id="post-title">Markdown post</h1>' in body
    assert "<h1>Heading</h1>" in body
    assert "<em>emphasis</em>" in body
    assert "<code>code</code>" in body


def test_plain_text_posts_keep_line_breaks_and_escape_markup(web: Any) -> None:
    path = create_post(web, "Plain", "line one\nline <b>two</b>\n\nsecond *para*", format="text")
    body = main_content(web.get(path).text)
    assert "<p>line one<br>\nline &lt;b&gt;two&lt;/b&gt;</p>" in body
    assert "<p>second *para*</p>" in body


@pytest.mark.parametrize(
    "path", ["/posts/no-such-post", "/posts/NOT_A_SLUG", "/no/such/page", "/posts/x/edit/more"]
)
def test_unknown_pages_get_the_blogs_404_page(web: Any, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 404
    assert 'id="not-found"' in response.text
    assert 'href="/Prod/static/style.css"' in response.text


def test_stylesheet_is_served(web: Any) -> None:
    response = web.get("/static/style.css")
    assert response.status_code == 200
    assert header(response, "Content-Type") == "text/css; charset=utf-8"
    assert b".post-list" in response.data


# --- XSS: whatever users write, no script reaches the page ------------------------------------------------

XSS_BODIES = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">raw</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="&#106;avascript:alert(1)">entity</a>',
    "```\n</code><script>alert(1)</script>\n```",
]


class _BodyMarkup(HTMLParser):
    """Collects the elements and attributes inside ``<div id="post-body">``."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.elements.append((tag, attrs))
            if tag not in VOID_ELEMENTS:
                self.depth += 1
        elif tag == "div" and ("id", "post-body") in attrs:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in VOID_ELEMENTS:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


VOID_ELEMENTS = {"br", "hr", "img"}
SAFE_ELEMENTS = {
    "p",
    "br",
    "a",
    "img",
    "em",
    "strong",
    "code",
    "pre",
    "h1",
    "h2",
    "ul",
    "ol",
    "li",
    "blockquote",
}


def active_content(page_html: str) -> list[str]:
    """Everything in the post body that a browser could execute or that leaves the allow-list."""
    parser = _BodyMarkup()
    parser.feed(page_html)
    problems = []
    for tag, attrs in parser.elements:
        if tag not in SAFE_ELEMENTS:
            problems.append(f"element <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                problems.append(f"attribute {name} on <{tag}>")
            if name in {"href", "src"}:
                scheme = (value or "").strip().lower().partition(":")
                if scheme[1] and scheme[0] not in {"http", "https", "mailto"}:
                    problems.append(f"{name}={value!r} on <{tag}>")
    return problems


@pytest.mark.parametrize("body", XSS_BODIES)
@pytest.mark.parametrize("body_format", ["markdown", "text"])
def test_xss_in_bodies_never_reaches_the_page(web: Any, body: str, body_format: str) -> None:
    path = create_post(web, "Attempt", f"Before.\n\n{body}\n\nAfter.", format=body_format)
    page = web.get(path).text
    assert active_content(page) == []
    assert "<script" not in main_content(page).lower()
    assert "After." in page
    if body_format == "text":
        # Plain text shows exactly what was written, as text.
        parser = _BodyMarkup()
        parser.feed(page)
        assert body in "".join(parser.text)


def test_the_xss_check_itself_catches_active_content() -> None:
    page = '<div id="post-body"><p onclick="x">a</p><a href=" JavaScript:x">b</a><iframe></iframe></div>'
    assert active_content(page) == [
        "attribute onclick on <p>",
        "href=' JavaScript:x' on <a>",
        "element <iframe>",
    ]


def test_markdown_keeps_safe_links_with_rel(web: Any) -> None:
    path = create_post(web, "Links", "[site](https://example.com/a?b=1) and [mail](mailto:a@example.com)")
    content = main_content(web.get(path).text)
    assert '<a href="https://example.com/a?b=1" rel="nofollow noopener noreferrer">site</a>' in content
    assert 'href="mailto:a@example.com"' in content


def test_titles_are_escaped_everywhere(web: Any) -> None:
    title = '<script>alert("t")</script>'
    path = create_post(web, title, slug="scripted")
    for page in (web.get("/").text, web.get(path).text, web.get(path + "/edit").text):
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(" in page


# --- forms: create ---------------------------------------------------------------------------------------


def test_new_post_form_has_stable_fields(web: Any) -> None:
    page = web.get("/posts/new").text
    for snippet in (
        '<form id="post-form" method="post"',
        'action="/Prod/posts/new"',
        'id="title" name="title"',
        'id="slug" name="slug"',
        'id="body" name="body"',
        'id="format" name="format"',
        '<button type="submit" id="submit"',
        'name="csrf_token" value="',
    ):
        assert snippet in page


def test_the_session_cookie_is_scoped_to_the_stage_and_protected(web: Any) -> None:
    response = web.get("/posts/new")
    cookie = header(response, "Set-Cookie") or ""
    assert cookie.startswith("session=")
    for attribute in ("Path=/Prod", "HttpOnly", "Secure", "SameSite=Lax"):
        assert attribute in cookie


def test_creating_a_post_redirects_and_flashes_once(web: Any, table: str) -> None:
    response = submit(web, "/posts/new", {"title": "Hello world", "body": "First!", "format": "text"})
    assert response.status_code == 303
    location = header(response, "Location") or ""
    assert location.endswith("/Prod/posts/hello-world")
    assert app_path(location) == "/posts/hello-world"
    page = web.get("/posts/hello-world")
    assert 'class="flash flash-success" role="status">Post published.</p>' in page.text
    assert "Post published." not in web.get("/posts/hello-world").text
    item = stored(table, "hello-world")
    assert item is not None
    assert item["title"] == {"S": "Hello world"}
    assert item["format"] == {"S": "text"}
    assert item["version"] == {"N": "1"}


def test_form_posts_without_the_csrf_token_are_refused(web: Any, table: str) -> None:
    web.get("/posts/new")  # a session exists, but the post does not carry its token
    response = web.post("/posts/new", **form_body({"title": "Forged", "body": "x"}))
    assert response.status_code == 400
    assert 'id="error-title">Form expired<' in response.text
    assert item_count(table) == 0


def test_form_posts_with_a_wrong_csrf_token_are_refused(web: Any, table: str) -> None:
    response = submit(web, "/posts/new", {"title": "Forged", "body": "x"}, token="not-the-token")
    assert response.status_code == 400
    assert item_count(table) == 0


def test_a_csrf_token_from_another_session_is_refused(function_client: Any, aws: Any, table: str) -> None:
    attacker = function_client("WebFunction")
    token = csrf_from(attacker.get("/posts/new", user=attacker.as_user(**AUTHOR)).text)
    victim = function_client("WebFunction")
    victim.get("/")
    fields = {"csrf_token": token, "title": "Forged", "body": "x"}
    response = victim.post("/posts/new", user=victim.as_user(**AUTHOR), **form_body(fields))
    assert response.status_code == 400
    assert item_count(table) == 0


def test_invalid_forms_are_shown_again_with_messages_and_values(web: Any, table: str) -> None:
    response = submit(web, "/posts/new", {"title": "  ", "body": "kept <b>text</b>", "slug": "Bad Slug"})
    assert response.status_code == 422
    assert 'id="title-error">Title must not be empty.<' in response.text
    assert 'id="slug-error">Slug may contain only lower-case letters' in response.text
    assert ">kept &lt;b&gt;text&lt;/b&gt;</textarea>" in response.text
    assert 'aria-invalid="true"' in response.text
    assert item_count(table) == 0


def test_a_taken_slug_is_a_409_and_the_existing_post_is_untouched(web: Any, table: str) -> None:
    create_post(web, "Original", "original body", slug="same")
    before = stored(table, "same")
    response = submit(web, "/posts/new", {"title": "Copy", "body": "other", "slug": "same"})
    assert response.status_code == 409
    assert 'id="slug-error">Slug is taken by another post; choose another.<' in response.text
    assert stored(table, "same") == before


# --- forms: edit and delete --------------------------------------------------------------------------


def test_editing_a_post(web: Any, table: str) -> None:
    path = create_post(web, "Draft", "old", slug="draft")
    page = web.get(path + "/edit")
    assert page.status_code == 200
    assert 'id="version" value="1"' in page.text
    assert 'value="draft"' in page.text
    response = submit(web, path + "/edit", {"title": "Final", "body": "new", "version": "1"})
    assert response.status_code == 303
    assert app_path(header(response, "Location") or "") == "/posts/draft"
    shown = web.get("/posts/draft").text
    assert "Post updated." in shown
    assert '<h1 id="post-title">Final</h1>' in shown
    item = stored(table, "draft")
    assert item is not None
    assert item["version"] == {"N": "2"}
    assert item["body"] == {"S": "new"}


def test_a_stale_edit_is_refused_and_nothing_is_lost(web: Any, table: str) -> None:
    path = create_post(web, "Shared", "v1", slug="shared")
    # Two editors open the form at version 1; the first one saves.
    assert (
        submit(web, path + "/edit", {"title": "Shared", "body": "first edit", "version": "1"}).status_code
        == 303
    )
    before = stored(table, "shared")
    response = submit(web, path + "/edit", {"title": "Shared", "body": "second edit", "version": "1"})
    assert response.status_code == 409
    assert 'id="conflict"' in response.text
    assert ">second edit</textarea>" in response.text  # the second editor's text is still there
    assert "first edit" in response.text  # and they see what is stored
    version = VERSION_FIELD.search(response.text)
    assert version
    assert version.group(1) == "2"
    assert stored(table, "shared") == before


def test_an_edit_racing_another_writer_is_refused(
    web: Any, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form's version is checked by the conditional write itself, not only by an earlier read."""
    path = create_post(web, "Raced", "v1", slug="raced")
    page = web.get(path + "/edit")
    token = csrf_from(page.text)
    # Between the function reading the post and writing it, someone else saves a change.
    boto3.client("dynamodb").update_item(
        TableName=table,
        Key={"slug": {"S": "raced"}},
        UpdateExpression="SET version = :two, body = :theirs",
        ExpressionAttributeValues={":two": {"N": "2"}, ":theirs": {"S": "theirs"}},
    )
    response = web.post(
        path + "/edit", **form_body({"csrf_token": token, "title": "Raced", "body": "mine", "version": "1"})
    )
    assert response.status_code == 409
    item = stored(table, "raced")
    assert item is not None
    assert item["body"] == {"S": "theirs"}


def test_an_edit_without_a_version_is_a_400(web: Any, table: str) -> None:
    path = create_post(web, "Versioned", slug="versioned")
    before = stored(table, "versioned")
    response = submit(web, path + "/edit", {"title": "x", "body": "y"})
    assert response.status_code == 400
    assert stored(table, "versioned") == before


def test_an_invalid_edit_changes_nothing(web: Any, table: str) -> None:
    path = create_post(web, "Valid", slug="valid")
    before = stored(table, "valid")
    response = submit(web, path + "/edit", {"title": "", "body": "y", "version": "1"})
    assert response.status_code == 422
    assert stored(table, "valid") == before


def test_editing_a_missing_post_is_a_404(web: Any) -> None:
    assert web.get("/posts/missing/edit").status_code == 404


def test_deleting_a_post_removes_it_and_its_image(web: Any, table: str, bucket: str) -> None:
    path = create_post(web, "Doomed", slug="doomed")
    attach_image(table, bucket, "doomed", PNG, "image/png")
    s3 = boto3.client("s3")
    confirm = web.get(path + "/delete")
    assert confirm.status_code == 200
    assert 'id="confirm-delete"' in confirm.text
    response = submit(web, path + "/delete", {"version": "1"})
    assert response.status_code == 303
    assert app_path(header(response, "Location") or "") == "/"
    assert "Deleted “Doomed”." in web.get("/").text
    assert stored(table, "doomed") is None
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    assert web.get(path).status_code == 404


def test_a_stale_delete_is_refused(web: Any, table: str) -> None:
    path = create_post(web, "Keep me", slug="keep-me")
    assert submit(web, path + "/edit", {"title": "Kept", "body": "b", "version": "1"}).status_code == 303
    response = submit(web, path + "/delete", {"version": "1"})
    assert response.status_code == 409
    assert 'id="conflict"' in response.text
    assert stored(table, "keep-me") is not None


# --- the post image --------------------------------------------------------------------------------------


def attach_image(table: str, bucket: str, slug: str, data: bytes, content_type: str) -> None:
    key = f"posts/{slug}/abc"
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)
    boto3.client("dynamodb").update_item(
        TableName=table,
        Key={"slug": {"S": slug}},
        UpdateExpression="SET image = :i",
        ExpressionAttributeValues={
            ":i": {
                "M": {
                    "key": {"S": key},
                    "content_type": {"S": content_type},
                    "size": {"N": str(len(data))},
                }
            }
        },
    )


def test_the_post_image_is_served_as_binary(web: Any, table: str, bucket: str) -> None:
    path = create_post(web, "Pictured", slug="pictured")
    attach_image(table, bucket, "pictured", PNG, "image/png")
    assert 'id="post-image" src="/Prod/posts/pictured/image?v=1"' in web.get(path).text
    response = web.get(path + "/image", headers={"Accept": "image/avif,image/webp,image/*,*/*;q=0.8"})
    assert response.status_code == 200
    assert header(response, "Content-Type") == "image/png"
    assert response.data == PNG
    # API Gateway gets it base64-encoded (BinaryMediaTypes */* turns it back into bytes).
    assert response.result["isBase64Encoded"] is True
    assert base64.b64decode(response.result["body"]) == PNG
    etag = header(response, "ETag")
    assert etag
    again = web.get(path + "/image", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_an_image_missing_from_s3_is_a_404_page(web: Any, table: str, bucket: str) -> None:
    path = create_post(web, "Orphan", slug="orphan")
    attach_image(table, bucket, "orphan", PNG, "image/png")
    boto3.client("s3").delete_object(Bucket=bucket, Key="posts/orphan/abc")
    response = web.get(path + "/image")
    assert response.status_code == 404
    assert 'id="not-found"' in response.text


def test_a_post_without_an_image_has_no_image_url(web: Any) -> None:
    path = create_post(web, "Plain post", slug="plain-post")
    assert 'id="post-image"' not in web.get(path).text
    assert web.get(path + "/image").status_code == 404


@pytest.fixture
def web_instances(aws: AwsResources, sam_template: Any) -> Iterator[Callable[[dict[str, str]], Any]]:
    """Separate imports of the web function (as separate Lambda containers would), with extra env."""
    loaded: list[Any] = []

    def make(extra_env: dict[str, str]) -> Any:
        function = sam_template.function("WebFunction")
        instance = load_function(function, extra_env=extra_env)
        loaded.append(instance)
        return Client(instance, payload="1.0", stage="Prod", routes=function.routes)

    yield make
    for instance in loaded:
        instance.unload()


def _post_with_session_of(first: Any, second: Any) -> Any:
    page = first.get("/posts/new", user=first.as_user(**AUTHOR))
    session_cookie = (header(page, "Set-Cookie") or "").split(";", 1)[0]
    return second.post(
        "/posts/new",
        cookies=[session_cookie],
        user=second.as_user(**AUTHOR),
        **form_body({"csrf_token": csrf_from(page.text), "title": "Across containers", "body": "x"}),
    )


def test_with_the_session_secret_set_every_container_accepts_the_session(
    web_instances: Callable[[dict[str, str]], Any], table: str
) -> None:
    secret = {"LAMBDA_MICRO_SECRET_KEY": "k" * 48}
    response = _post_with_session_of(web_instances(secret), web_instances(secret))
    assert response.status_code == 303
    assert stored(table, "across-containers") is not None


def test_without_the_session_secret_each_container_signs_with_its_own_key(
    web_instances: Callable[[dict[str, str]], Any], table: str
) -> None:
    """Why deploying requires SessionSecret: random per-container keys reject each other's sessions."""
    unset = {"LAMBDA_MICRO_SECRET_KEY": ""}
    response = _post_with_session_of(web_instances(unset), web_instances(unset))
    assert response.status_code == 400
    assert item_count(table) == 0
