"""The API function against malformed and hostile input (issue 16): every case is a 4xx naming what was
wrong, nothing is stored, and nothing reaches DynamoDB or S3 that they would answer with a 500."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from . import sample_images
from .conftest import error_of, header, item_count, objects

ITEM_LIMIT = 400 * 1024  # DynamoDB's item size limit


def post_raw(api: Any, body: bytes, path: str = "/api/posts", method: str = "POST", **headers: str) -> Any:
    return api.request(method, path, body=body, headers={"Content-Type": "application/json", **headers})


def post_json(api: Any, document: Any, path: str = "/api/posts", method: str = "POST", **headers: str) -> Any:
    return post_raw(api, json.dumps(document).encode("utf-8"), path, method, **headers)


def create(api: Any, slug: str, body: str = "A body.") -> None:
    response = post_json(api, {"slug": slug, "title": "A title", "body": body})
    assert response.status_code == 201, response.text


# --- odd numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "limit",
    ["²", "\u0661\u0660", "1" * 5000, "-1", "+5", "1.5", "1e2", "0x10", " 5", "5 ", "0", "101", "", "NaN"],
)
def test_an_odd_limit_is_a_400_naming_it(api: Any, limit: str) -> None:
    """``limit=²`` was a 500: "²".isdigit() is true and int("²") raises."""
    response = api.get("/api/posts", query={"limit": limit})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_limit"
    assert error["fields"] == {"limit": "must be a whole number from 1 to 100"}


@pytest.mark.parametrize(
    "raw_version",
    ["1" * 5000, "-1", "1.5", "1.0", "1e400", "-0", "9007199254740992", "true", '"1"', "[1]", "{}"],
)
def test_an_odd_version_in_the_body_is_a_422_naming_it(api: Any, table: str, raw_version: str) -> None:
    create(api, "numbers")
    before = boto3.client("dynamodb").get_item(TableName=table, Key={"slug": {"S": "numbers"}})["Item"]
    body = b'{"title": "x", "version": ' + raw_version.encode() + b"}"
    response = post_raw(api, body, "/api/posts/numbers", "PATCH")
    assert response.status_code == 422, response.text
    assert error_of(response)["fields"] == {"version": "must be a positive integer"}
    after = boto3.client("dynamodb").get_item(TableName=table, Key={"slug": {"S": "numbers"}})["Item"]
    assert after == before


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(api: Any, table: str, constant: str) -> None:
    response = post_raw(api, b'{"title": "t", "body": "b", "version": ' + constant.encode() + b"}")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"
    assert constant.lstrip("-") in error_of(response)["message"]
    assert item_count(table) == 0


def test_numbers_where_strings_belong_are_named(api: Any, table: str) -> None:
    response = post_raw(api, b'{"title": ' + b"9" * 5000 + b', "body": 1e400, "format": -1}')
    assert response.status_code == 422
    assert error_of(response)["fields"] == {
        "title": "must be a string",
        "body": "must be a string",
        "format": "must be one of: markdown, text",
    }
    assert item_count(table) == 0


# --- nesting, size and encoding of the JSON body ---------------------------------------------------------


def test_json_nested_1000_deep_is_a_400_naming_the_member(api: Any, table: str) -> None:
    """It was a RecursionError (a 500)."""
    body = b'{"body": "b", "title": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    response = post_raw(api, body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_json"
    assert error["message"] == "the body nests deeper than 32 levels (in member 'title')"
    assert error["fields"] == {"title": "is nested too deeply"}
    assert item_count(table) == 0


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_any_deep_document_is_a_400(api: Any, depth: int) -> None:
    response = post_raw(api, b"[" * depth + b"]" * depth)
    assert response.status_code == 400
    assert error_of(response)["message"] == "the body nests deeper than 32 levels"


def test_nesting_within_the_bound_reaches_validation(api: Any) -> None:
    body = b'{"body": "b", "title": ' + b"[" * 31 + b"]" * 31 + b"}"
    response = post_raw(api, body)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"title": "must be a string"}


def test_a_body_over_a_megabyte_is_refused(api: Any, table: str) -> None:
    response = post_raw(api, json.dumps({"title": "t", "body": "x" * (1024 * 1024)}).encode())
    assert response.status_code == 400
    assert "at most 1048576 are accepted" in error_of(response)["message"]
    assert item_count(table) == 0


@pytest.mark.parametrize(
    ("body", "byte", "offset"),
    [
        (b'{"title": "caf\xe9", "body": "b"}', "0xe9", 14),  # Latin-1, not UTF-8
        (b"\xff\xfe{\x00}\x00", "0xff", 0),  # UTF-16 with a BOM: json.loads(bytes) would have taken it
        (b'{"title": "\xed\xa0\x80", "body": "b"}', "0xed", 11),  # a surrogate encoded as if UTF-8
    ],
)
def test_a_body_that_is_not_utf8_is_a_400_saying_where(
    api: Any, table: str, body: bytes, byte: str, offset: int
) -> None:
    response = post_raw(api, body)
    assert response.status_code == 400
    assert error_of(response)["message"] == f"the body is not UTF-8: byte {byte} at offset {offset}"
    assert item_count(table) == 0


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        (
            {"title": "bad \ud800 title", "body": "b"},
            "title",
            "contains an unpaired surrogate (U+D800 at character 4)",
        ),
        ({"title": "t", "body": "\udfff"}, "body", "contains an unpaired surrogate (U+DFFF at character 0)"),
        ({"title": "t", "body": "b", "slug": "a\ud800"}, "slug", "may contain only lower-case letters"),
        ({"title": "t", "body": "b", "format": "\ud800"}, "format", "must be one of: markdown, text"),
    ],
)
def test_a_lone_surrogate_in_any_string_field_is_a_422_naming_it(
    api: Any, table: str, document: dict[str, str], field: str, message: str
) -> None:
    """JSON can escape a lone surrogate ("\\ud800"); it cannot be stored as UTF-8. It was moto's 500, after
    botocore's retries."""
    response = post_json(api, document)  # json.dumps writes the escape
    assert response.status_code == 422
    assert error_of(response)["fields"][field].startswith(message)
    assert item_count(table) == 0


def test_a_lone_surrogate_in_an_update_changes_nothing(api: Any, table: str) -> None:
    create(api, "kept")
    response = post_json(api, {"body": "\ud83d alone"}, "/api/posts/kept", "PATCH", **{"If-Match": '"1"'})
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"body"}
    assert api.get("/api/posts/kept").json["version"] == 1


# --- Markdown bodies the renderer would choke on ---------------------------------------------------------


def test_the_quadratic_body_from_the_issue_is_accepted_and_rendered_once(api: Any, table: str) -> None:
    """50,000 characters of "[a](" took the previous renderer about 54 s; now it is rendered on write."""
    body = "[a](" * 12_500
    response = post_json(api, {"slug": "brackets", "title": "Brackets", "body": body})
    assert response.status_code == 201
    item = boto3.client("dynamodb").get_item(TableName=table, Key={"slug": {"S": "brackets"}})["Item"]
    assert item["html"]["S"] == f"<p>{body}</p>\n"
    assert item["excerpt"]["S"].startswith("[a]([a](")
    assert response.json["html"] == item["html"]["S"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (">" * 5000, "nests more than 32 levels deep"),
        ("- a\n" * 12_000, "has more than 10000 Markdown elements"),
        ("[a]: /b\n" + "[a]" * 9000, "renders to"),
        ("a" * 50_001, "must be at most 50000 characters"),
    ],
)
def test_a_body_past_the_rendering_bounds_is_a_422_naming_body(
    api: Any, table: str, body: str, message: str
) -> None:
    response = post_json(api, {"title": "t", "body": body})
    assert response.status_code == 422
    assert error_of(response)["fields"]["body"].startswith(message)
    assert item_count(table) == 0


def test_the_largest_accepted_post_fits_in_one_item(api: Any, table: str) -> None:
    """Bounds chosen for DynamoDB: four bytes a character of source, beside HTML just under its bound."""
    from blog_posts.model import MAX_TITLE_LENGTH
    from blog_posts.rendering import EXCERPT_LENGTH, MAX_BODY_LENGTH, MAX_HTML_BYTES

    # Source, HTML, title and excerpt at their largest, and a kilobyte for the other attributes and names.
    assert 4 * (MAX_BODY_LENGTH + MAX_TITLE_LENGTH + EXCERPT_LENGTH + 1) + MAX_HTML_BYTES + 1024 < ITEM_LIMIT
    body = ("😀" * 98 + "\n\n") * 374  # 400 bytes of HTML a paragraph: 149,600
    response = post_json(api, {"slug": "emoji", "title": "😀" * 200, "body": body})
    assert response.status_code == 201, response.text
    item = boto3.client("dynamodb").get_item(TableName=table, Key={"slug": {"S": "emoji"}})["Item"]
    assert len(item["html"]["S"].encode()) > MAX_HTML_BYTES - 500
    # Attribute names and values in UTF-8, as DynamoDB counts them (the JSON quoting only adds to it).
    size = sum(
        len(name.encode()) + len(json.dumps(value, ensure_ascii=False).encode())
        for name, value in item.items()
    )
    assert size < ITEM_LIMIT


# --- conditional requests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("if_match", ["1", "W/1", '"1', 'w/"1"', '"1" "1"', '"1";', '"1" , 2', "**"])
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_malformed_if_match_is_a_400_naming_the_header(
    api: Any, table: str, method: str, if_match: str
) -> None:
    """``If-Match: 1`` (unquoted) was taken for "1"; an entity tag is quoted."""
    create(api, "guarded")
    response = post_json(
        api, {"title": "x", "body": "y"}, "/api/posts/guarded", method, **{"If-Match": if_match}
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_precondition"
    assert set(error["fields"]) == {"If-Match"}
    assert api.get("/api/posts/guarded").json["version"] == 1


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_weak_tag_never_matches_for_a_write(api: Any, method: str) -> None:
    create(api, "weak")
    response = post_json(api, {"title": "x", "body": "y"}, "/api/posts/weak", method, **{"If-Match": 'W/"1"'})
    assert response.status_code == 412
    assert api.get("/api/posts/weak").json["version"] == 1


def test_a_strong_tag_among_others_matches(api: Any) -> None:
    create(api, "listed")
    response = post_json(api, {"title": "x"}, "/api/posts/listed", "PATCH", **{"If-Match": 'W/"1", "7", "1"'})
    assert response.status_code == 200


def test_delete_without_if_match_is_a_428_and_deletes_nothing(api: Any, table: str) -> None:
    create(api, "precious")
    for headers in ({}, {"If-Match": ""}):
        response = api.delete("/api/posts/precious", headers=headers)
        assert response.status_code == 428
        assert error_of(response)["code"] == "precondition_required"
    assert item_count(table) == 1
    assert api.delete("/api/posts/precious", headers={"If-Match": '"1"'}).status_code == 204
    assert item_count(table) == 0


def test_if_none_match_compares_weakly_and_must_be_well_formed(api: Any) -> None:
    create(api, "cached")
    assert api.get("/api/posts/cached", headers={"If-None-Match": 'W/"1"'}).status_code == 304
    assert api.get("/api/posts/cached", headers={"If-None-Match": "*"}).status_code == 304
    assert api.get("/api/posts/cached", headers={"If-None-Match": '"2"'}).status_code == 200
    malformed = api.get("/api/posts/cached", headers={"If-None-Match": "1"})
    assert malformed.status_code == 400
    assert set(error_of(malformed)["fields"]) == {"If-None-Match"}


# --- cursors ---------------------------------------------------------------------------------------------


def test_a_cursor_from_another_key_is_refused(api: Any, function_client: Any) -> None:
    """Cursors are signed with the function's key: one made with any other key is a forgery."""
    for number in range(3):
        create(api, f"p-{number}")
    cursor = api.get("/api/posts", query={"limit": "1"}).json["next_cursor"]
    assert api.get("/api/posts", query={"cursor": cursor}).status_code == 200
    # Another container without a configured secret has its own random key.
    other = function_client("ApiFunction")
    response = other.get("/api/posts", query={"cursor": cursor})
    assert response.status_code == 400
    assert "signature does not match" in error_of(response)["message"]


# --- headers on every response ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/posts"),
        ("GET", "/api/posts/missing"),
        ("POST", "/api/posts"),
        ("DELETE", "/api/posts/x"),
    ],
)
def test_every_response_says_nosniff_and_hsts_over_https(api: Any, method: str, path: str) -> None:
    response = api.request(method, path, body=b"{", headers={"Content-Type": "application/json"})
    assert header(response, "X-Content-Type-Options") == "nosniff"
    assert header(response, "Strict-Transport-Security") == "max-age=31536000"


def test_a_500_says_nosniff_too(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(slug: str) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(api.target.module.posts, "get", broken)
    response = api.get("/api/posts/anything")
    assert response.status_code == 500
    assert header(response, "X-Content-Type-Options") == "nosniff"


def test_no_hsts_over_plain_http(aws: Any, function_client: Any) -> None:
    # API Gateway is https only: plain http is the local gateway's (or an ALB listener's).
    response = function_client("ApiFunction", scheme="http").get("/api/posts")
    assert response.status_code == 200
    assert header(response, "Strict-Transport-Security") is None
    assert header(response, "X-Content-Type-Options") == "nosniff"


# --- images that are more than images ---------------------------------------------------------------------


@pytest.fixture
def pictured(api: Any) -> str:
    create(api, "pictured")
    return "/api/posts/pictured/image"


def test_an_image_is_served_as_nothing_but_an_image(api: Any, pictured: str) -> None:
    assert (
        api.put(pictured, body=sample_images.png(), headers={"Content-Type": "image/png"}).status_code == 200
    )
    response = api.get(pictured)
    assert response.status_code == 200
    assert header(response, "Content-Disposition") == 'inline; filename="pictured.png"'
    assert header(response, "Content-Security-Policy") == (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    assert header(response, "X-Content-Type-Options") == "nosniff"


def test_the_gif_javascript_polyglot_is_refused(api: Any, bucket: str, pictured: str) -> None:
    """``GIF89a/*...*/=alert(1);`` is a GIF and a script; its width bytes spell "/*", past the bound."""
    response = api.put(
        pictured, body=sample_images.gif_javascript_polyglot(), headers={"Content-Type": "image/gif"}
    )
    assert response.status_code == 422
    assert error_of(response)["code"] == "image_too_large"
    assert objects(bucket) == []


@pytest.mark.parametrize(
    "case",
    [
        ("gif_with_html_comment", "image/gif", "GIF"),
        ("png_with_html_chunk_and_trailer", "image/png", "PNG"),
        ("jpeg_with_html_comment_and_exif", "image/jpeg", "JPEG"),
    ],
)
def test_payloads_hidden_in_an_image_are_not_stored(
    api: Any, bucket: str, pictured: str, case: tuple[str, str, str]
) -> None:
    name, content_type, kind = case
    upload = getattr(sample_images, name)()
    assert sample_images.PAYLOAD in upload
    response = api.put(pictured, body=upload, headers={"Content-Type": content_type})
    assert response.status_code == 200, response.text
    (key,) = objects(bucket)
    stored = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    assert b"<script" not in stored
    assert b"alert" not in stored
    assert sample_images.decode(stored).format == kind
    assert api.get(pictured).data == stored


@pytest.mark.parametrize(
    "case",
    [
        ("decompression_bomb", 422, "image_too_large"),
        ("too_wide", 422, "image_too_large"),
        ("truncated_png", 415, "corrupt_image"),
    ],
)
def test_images_that_cannot_be_decoded_within_bounds_are_refused(
    api: Any, bucket: str, pictured: str, case: tuple[str, int, str]
) -> None:
    name, status, code = case
    response = api.put(pictured, body=getattr(sample_images, name)(), headers={"Content-Type": "image/png"})
    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert objects(bucket) == []
    assert api.get("/api/posts/pictured").json["version"] == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"GIF89a" + sample_images.PAYLOAD, "image/gif"),  # the magic bytes and nothing of an image
        (b"\x89PNG\r\n\x1a\n" + sample_images.PAYLOAD, "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 " + sample_images.PAYLOAD, "image/webp"),
        (b"\xff\xd8\xff\xe0" + sample_images.PAYLOAD, "image/jpeg"),
        (sample_images.encode(sample_images.decode(sample_images.png()), "BMP"), "image/bmp"),
    ],
)
def test_magic_bytes_alone_are_not_an_image(
    api: Any, bucket: str, pictured: str, body: bytes, content_type: str
) -> None:
    response = api.put(pictured, body=body, headers={"Content-Type": content_type})
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_image"
    assert objects(bucket) == []


def test_an_exif_rotated_photo_is_stored_upright(api: Any, bucket: str, pictured: str) -> None:
    response = api.put(pictured, body=sample_images.rotated_jpeg(), headers={"Content-Type": "image/jpeg"})
    assert response.status_code == 200
    image = sample_images.decode(api.get(pictured).data)
    assert image.size == (10, 20)
    assert not image.getexif()


def test_an_animated_gif_keeps_its_frames(api: Any, pictured: str) -> None:
    response = api.put(pictured, body=sample_images.animated_gif(3), headers={"Content-Type": "image/gif"})
    assert response.status_code == 200
    assert sample_images.frame_count(api.get(pictured).data) == 3
