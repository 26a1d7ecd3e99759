"""The web function against malformed and hostile input (issue 16): a 4xx page naming what was wrong,
nothing stored, and a home page that stays fast whatever a post contains."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest

from . import sample_images
from .conftest import app_path, csrf_from, header, item_count, stored


def post_form(
    web: Any, path: str, raw: bytes, content_type: str = "application/x-www-form-urlencoded"
) -> Any:
    """POST a raw form body to ``path`` with the session's CSRF token first in it."""
    token = csrf_from(web.get("/posts/new").text)
    body = b"csrf_token=" + token.encode() + b"&" + raw
    return web.post(path, body=body, headers={"Content-Type": content_type})


def create_post(web: Any, slug: str, body: str = "Body.") -> str:
    raw = f"title=T&slug={slug}&format=markdown&body={body}".encode()
    response = post_form(web, "/posts/new", raw)
    assert response.status_code == 303, response.text
    return app_path(header(response, "Location") or "")


def error_page(response: Any) -> tuple[str, str]:
    title = re.search(r'id="error-title">(.*?)<', response.text)
    message = re.search(r'id="error-message">(.*?)<', response.text, re.DOTALL)
    assert title
    assert message
    return title.group(1), message.group(1)


# --- form bodies that are not UTF-8 text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"title=caf%E9&body=b", "title"),  # Latin-1, percent-encoded: werkzeug kept it as the text "%E9"
        (b"title=t&body=%ED%A0%80", "body"),  # a lone surrogate, encoded as if UTF-8
        (b"title=t&body=\xff\xfe", "body"),  # raw bytes: werkzeug parsed the whole form as empty
        (b"ti%FFtle=t&body=b", "(a field name)"),
    ],
)
def test_a_form_field_that_is_not_utf8_is_a_400_naming_it(
    web: Any, table: str, raw: bytes, field: str
) -> None:
    response = post_form(web, "/posts/new", raw)
    assert response.status_code == 400
    title, message = error_page(response)
    assert title == "Bad form"
    assert f"field “{field}” is not valid UTF-8 text" in message
    assert item_count(table) == 0


def test_a_form_that_is_not_url_encoded_is_a_415(web: Any, table: str) -> None:
    response = post_form(web, "/posts/new", b"title=t&body=b", content_type="multipart/form-data; boundary=x")
    assert response.status_code == 415
    assert error_page(response)[0] == "Unsupported form"
    assert item_count(table) == 0


def test_utf8_text_of_every_kind_is_kept_exactly(web: Any, table: str) -> None:
    path = create_post(web, "unicode", "caf%C3%A9+%F0%9F%98%80+%25E9")
    assert path == "/posts/unicode"
    assert stored(table, "unicode")["body"] == {"S": "café 😀 %E9"}


# --- the version field ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["²", "\u0661", "1" * 5000, "-1", "1.0", "0", "", "9007199254740992"])
def test_an_odd_version_in_an_edit_or_delete_is_a_400_naming_it(web: Any, table: str, version: str) -> None:
    """``version=²`` was a 500 ("²".isdigit() is true and int("²") raises), 5,000 digits too."""
    path = create_post(web, "versioned")
    before = stored(table, "versioned")
    for action in ("edit", "delete"):
        raw = b"title=x&body=y&version=" + version.encode()
        response = post_form(web, f"{path}/{action}", raw)
        assert response.status_code == 400
        assert "“version” field" in error_page(response)[1]
    assert stored(table, "versioned") == before


# --- bodies the renderer would choke on ------------------------------------------------------------------


def test_the_quadratic_body_from_the_issue_is_rendered_once_at_write_time(web: Any, table: str) -> None:
    """50,000 characters of "[a](" took the previous renderer about 54 s, and the home page renders the
    excerpts of the newest posts: one such post made "/" time out for everyone."""
    create_post(web, "brackets", "%5Ba%5D%28" * 12_500)
    item = stored(table, "brackets")
    assert item["html"]["S"].startswith("<p>[a]([a](")
    assert item["excerpt"]["S"].startswith("[a]([a](")
    home = web.get("/")
    assert home.status_code == 200
    assert "[a]([a](" in home.text


def test_a_body_past_the_bounds_is_shown_again_with_the_reason(web: Any, table: str) -> None:
    response = post_form(web, "/posts/new", b"title=Deep&body=" + b"%3E" * 5000)
    assert response.status_code == 422
    assert 'id="body-error">Body nests more than 32 levels deep' in response.text
    assert item_count(table) == 0


def legacy_post(table: str, slug: str, body: str, body_format: str = "markdown") -> None:
    """A post as stored before bodies were rendered at write time: no html, no excerpt."""
    boto3.client("dynamodb").put_item(
        TableName=table,
        Item={
            "slug": {"S": slug},
            "kind": {"S": "post"},
            "title": {"S": f"Legacy {slug}"},
            "body": {"S": body},
            "format": {"S": body_format},
            "created_at": {"S": "2025-06-01T00:00:00.000000Z"},
            "updated_at": {"S": "2025-06-01T00:00:00.000000Z"},
            "version": {"N": "3"},
        },
    )


def test_posts_stored_before_this_change_still_display(web: Any, table: str) -> None:
    legacy_post(table, "old-markdown", "Some **bold** text")
    legacy_post(table, "old-text", "a <b> c", "text")
    # Past today's bounds (it could be stored before there were any): shown as text, never slowly.
    legacy_post(table, "old-deep", ">" * 50_000)
    home = web.get("/").text
    excerpts = re.findall(r'<p class="excerpt">(.*?)</p>', home)
    assert sorted(excerpts) == sorted(["Some bold text", "a &lt;b&gt; c", "&gt;" * 240 + "…"])
    assert "<strong>bold</strong>" in web.get("/posts/old-markdown").text
    assert "<p>a &lt;b&gt; c</p>" in web.get("/posts/old-text").text
    deep = web.get("/posts/old-deep")
    assert deep.status_code == 200
    assert "&gt;" * 100 in deep.text


def test_editing_a_legacy_post_stores_its_rendering(web: Any, table: str) -> None:
    legacy_post(table, "old", "*old*")
    page = web.get("/posts/old/edit")
    token = csrf_from(page.text)
    body = f"csrf_token={token}&title=Old&body=*new*&format=markdown&version=3".encode()
    response = web.post(
        "/posts/old/edit", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 303
    item = stored(table, "old")
    assert item["html"] == {"S": "<p><em>new</em></p>\n"}
    assert item["excerpt"] == {"S": "new"}


def test_switching_a_post_to_plain_text_drops_its_html(web: Any, table: str) -> None:
    path = create_post(web, "switch", "*md*")
    assert "html" in stored(table, "switch")
    response = post_form(web, f"{path}/edit", b"title=T&body=*md*&format=text&version=1")
    assert response.status_code == 303
    item = stored(table, "switch")
    assert "html" not in item
    assert item["excerpt"] == {"S": "*md*"}
    assert "<p>*md*</p>" in web.get(path).text


# --- cursors, headers, images ----------------------------------------------------------------------------


def test_a_forged_cursor_is_a_400_page(web: Any) -> None:
    for number in range(12):
        create_post(web, f"post-{number}")
    older = re.search(r'id="older" rel="next" href="/Prod/\?cursor=([^"]+)"', web.get("/").text)
    assert older
    cursor = older.group(1)
    assert web.get("/", query={"cursor": cursor}).status_code == 200
    payload, _, signature = cursor.partition(".")
    for forged in (payload, f"{payload}.{signature[::-1]}", f"{payload[:-2]}xy.{signature}"):
        response = web.get("/", query={"cursor": forged})
        assert response.status_code == 400
        assert error_page(response)[0] == "Bad page link"


def test_pages_over_https_carry_hsts_and_over_http_do_not(web: Any, function_client: Any) -> None:
    assert header(web.get("/"), "Strict-Transport-Security") == "max-age=31536000"
    assert header(web.get("/no/such/page"), "Strict-Transport-Security") == "max-age=31536000"
    # A client's X-Forwarded-Proto is replaced by the gateway's own, as API Gateway does.
    assert header(web.get("/", headers={"X-Forwarded-Proto": "http"}), "Strict-Transport-Security")
    plain = function_client("WebFunction", scheme="http").get("/")
    assert header(plain, "Strict-Transport-Security") is None


def test_the_post_image_is_served_as_nothing_but_an_image(web: Any, table: str, bucket: str) -> None:
    path = create_post(web, "pictured")
    data = sample_images.gif()
    boto3.client("s3").put_object(Bucket=bucket, Key="posts/pictured/k", Body=data, ContentType="image/gif")
    boto3.client("dynamodb").update_item(
        TableName=table,
        Key={"slug": {"S": "pictured"}},
        UpdateExpression="SET image = :i",
        ExpressionAttributeValues={
            ":i": {
                "M": {
                    "key": {"S": "posts/pictured/k"},
                    "content_type": {"S": "image/gif"},
                    "size": {"N": "1"},
                }
            }
        },
    )
    # A browser's Accept for an image: it matches the REST API's BinaryMediaTypes, so the bytes come back.
    response = web.get(path + "/image", headers={"Accept": "image/avif,image/webp,*/*"})
    assert response.status_code == 200
    assert response.data == data
    assert header(response, "Content-Disposition") == 'inline; filename="pictured.gif"'
    assert header(response, "Content-Security-Policy") == (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    assert header(response, "X-Content-Type-Options") == "nosniff"
