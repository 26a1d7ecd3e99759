"""The API function (functions/api) through its real handler, with HTTP API (payload 2.0) events."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from lambda_micro.local.events import build_event
from lambda_micro.local.loader import load_function
from lambda_micro.local.results import parse_result
from lambda_micro.testing import Client, LambdaResponse, jwt_authorizer
from lambda_micro.testing.plugin import AwsResources

from . import sample_images
from .conftest import AUTHOR, error_of, header, objects, stored

ORIGIN = "http://localhost:5173"  # the template's default CorsAllowOrigin

PNG = sample_images.png()
JPEG = sample_images.jpeg()
GIF = sample_images.gif()
WEBP = sample_images.webp()


def send_json(api: Any, method: str, path: str, document: Any, headers: dict[str, str] | None = None) -> Any:
    return api.request(
        method,
        path,
        body=json.dumps(document).encode("utf-8"),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def create(api: Any, slug: str, title: str = "A title", body: str = "A body.") -> dict[str, Any]:
    response = send_json(api, "POST", "/api/posts", {"slug": slug, "title": title, "body": body})
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json
    return document


# --- create and read -------------------------------------------------------------------------------


def test_create_returns_the_post_with_location_and_etag(api: Any, table: str) -> None:
    response = send_json(api, "POST", "/api/posts", {"title": "Hello, API", "body": "**hi**"})
    assert response.status_code == 201
    assert header(response, "Location") == "/api/posts/hello-api"
    assert header(response, "ETag") == '"1"'
    document = response.json
    assert document["slug"] == "hello-api"
    assert document["title"] == "Hello, API"
    assert document["format"] == "markdown"
    assert document["version"] == 1
    assert document["image"] is None
    assert document["url"] == "/api/posts/hello-api"
    assert stored(table, "hello-api") is not None


def test_get_returns_the_post_and_honours_if_none_match(api: Any) -> None:
    create(api, "readable", title="Readable")
    response = api.get("/api/posts/readable")
    assert response.status_code == 200
    assert response.json["title"] == "Readable"
    assert header(response, "ETag") == '"1"'
    cached = api.get("/api/posts/readable", headers={"If-None-Match": '"1"'})
    assert cached.status_code == 304
    assert cached.data == b""


@pytest.mark.parametrize("path", ["/api/posts/missing", "/api/posts/NOT_VALID"])
def test_get_of_a_missing_post_is_a_json_404(api: Any, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"{not json", "application/json", (400, "invalid_json")),
        (b"\xff\xfe\x00", "application/json", (400, "invalid_json")),
        (b"", "application/json", (400, "invalid_json")),
        (b'["a list"]', "application/json", (400, "invalid_json")),
        (b'"a string"', "application/json", (400, "invalid_json")),
        (b"title=x&body=y", "application/x-www-form-urlencoded", (415, "unsupported_media_type")),
    ],
)
def test_create_rejects_bodies_that_are_not_a_json_object(
    api: Any, table: str, body: bytes, content_type: str, expected: tuple[int, str]
) -> None:
    status, code = expected
    response = api.post("/api/posts", body=body, headers={"Content-Type": content_type})
    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert boto3.client("dynamodb").scan(TableName=table)["Count"] == 0


def test_create_reports_every_invalid_field(api: Any, table: str) -> None:
    response = send_json(api, "POST", "/api/posts", {"title": 5, "format": "html", "slug": "Bad!"})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert error["fields"] == {
        "title": "must be a string",
        "body": "is required",
        "format": "must be one of: markdown, text",
        "slug": "may contain only lower-case letters, digits and single hyphens between them",
    }
    assert boto3.client("dynamodb").scan(TableName=table)["Count"] == 0


def test_create_of_an_existing_slug_is_a_409_and_keeps_the_original(api: Any, table: str) -> None:
    create(api, "taken", title="Original")
    before = stored(table, "taken")
    response = send_json(api, "POST", "/api/posts", {"slug": "taken", "title": "Other", "body": "x"})
    assert response.status_code == 409
    assert error_of(response)["fields"] == {"slug": "is already taken"}
    assert stored(table, "taken") == before


# --- listing and cursors ------------------------------------------------------------------------------


def test_list_pages_through_every_post_newest_first(api: Any) -> None:
    for number in range(5):
        create(api, f"post-{number}")
    seen: list[str] = []
    query: dict[str, str] = {"limit": "2"}
    while True:
        response = api.get("/api/posts", query=query)
        assert response.status_code == 200
        seen.extend(item["slug"] for item in response.json["items"])
        cursor = response.json["next_cursor"]
        if cursor is None:
            break
        query = {"limit": "2", "cursor": cursor}
    assert seen == ["post-4", "post-3", "post-2", "post-1", "post-0"]


def test_list_defaults_to_20_and_reports_the_end(api: Any) -> None:
    create(api, "only-one")
    response = api.get("/api/posts")
    assert [item["slug"] for item in response.json["items"]] == ["only-one"]
    assert response.json["next_cursor"] is None


def test_list_items_have_the_excerpt_and_one_post_its_html(api: Any) -> None:
    create(api, "rendered", body="Some **bold** text")
    (item,) = api.get("/api/posts").json["items"]
    assert item["excerpt"] == "Some bold text"
    assert "html" not in item
    assert api.get("/api/posts/rendered").json["html"] == "<p>Some <strong>bold</strong> text</p>\n"


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5", ""])
def test_list_rejects_a_bad_limit(api: Any, limit: str) -> None:
    response = api.get("/api/posts", query={"limit": limit})
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_limit"
    assert "limit" in error_of(response)["fields"]


def _tampered(cursor: str) -> str:
    """The cursor with another position in it, and the signature it came with."""
    payload, signature = cursor.split(".")
    raw = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw["s"] = "p-0"
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=") + "." + signature


def test_list_rejects_a_bad_or_tampered_cursor(api: Any) -> None:
    for number in range(3):
        create(api, f"p-{number}")
    cursor = api.get("/api/posts", query={"limit": "1"}).json["next_cursor"]
    assert cursor
    for bad in ("garbage", cursor[:-3], _tampered(cursor), "e30", cursor.split(".")[0]):
        response = api.get("/api/posts", query={"cursor": bad})
        assert response.status_code == 400, bad
        assert error_of(response)["code"] == "invalid_cursor"
        assert "cursor" in error_of(response)["fields"]


# --- updates: optimistic concurrency ------------------------------------------------------------------


def test_put_replaces_the_post_with_if_match(api: Any, table: str) -> None:
    create(api, "editable", title="Before", body="old")
    response = send_json(
        api,
        "PUT",
        "/api/posts/editable",
        {"title": "After", "body": "new", "format": "text"},
        {"If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert header(response, "ETag") == '"2"'
    assert response.json["title"] == "After"
    assert response.json["format"] == "text"
    assert response.json["version"] == 2
    item = stored(table, "editable")
    assert item is not None
    assert item["body"] == {"S": "new"}
    assert item["version"] == {"N": "2"}


def test_put_requires_all_fields(api: Any, table: str) -> None:
    create(api, "full")
    before = stored(table, "full")
    response = send_json(api, "PUT", "/api/posts/full", {"title": "Only a title"}, {"If-Match": '"1"'})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"body": "is required"}
    assert stored(table, "full") == before


def test_patch_changes_only_what_is_sent(api: Any) -> None:
    create(api, "patchable", title="Title", body="Body")
    response = send_json(api, "PATCH", "/api/posts/patchable", {"title": "New title"}, {"If-Match": '"1"'})
    assert response.status_code == 200
    assert response.json["title"] == "New title"
    assert response.json["body"] == "Body"
    assert response.json["version"] == 2


def test_patch_accepts_the_version_in_the_body(api: Any) -> None:
    create(api, "body-version")
    response = send_json(api, "PATCH", "/api/posts/body-version", {"body": "x", "version": 1})
    assert response.status_code == 200
    assert response.json["version"] == 2
    stale = send_json(api, "PATCH", "/api/posts/body-version", {"body": "y", "version": 1})
    assert stale.status_code == 412


def test_if_match_star_applies_to_whatever_version_exists(api: Any) -> None:
    create(api, "starred")
    send_json(api, "PATCH", "/api/posts/starred", {"title": "Two"}, {"If-Match": '"1"'})
    response = send_json(api, "PATCH", "/api/posts/starred", {"title": "Three"}, {"If-Match": "*"})
    assert response.status_code == 200
    assert response.json["version"] == 3
    assert api.delete("/api/posts/starred", headers={"If-Match": "*"}).status_code == 204


@pytest.mark.parametrize("version", ["1", True, 0, -1, 1.5])
def test_an_invalid_body_version_is_a_422(api: Any, table: str, version: object) -> None:
    create(api, "versioned")
    before = stored(table, "versioned")
    response = send_json(api, "PATCH", "/api/posts/versioned", {"title": "x", "version": version})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"version": "must be a positive integer"}
    assert stored(table, "versioned") == before


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_writes_without_a_precondition_are_refused_with_428(api: Any, table: str, method: str) -> None:
    create(api, "guarded")
    before = stored(table, "guarded")
    response = send_json(api, method, "/api/posts/guarded", {"title": "x", "body": "y"})
    assert response.status_code == 428
    assert error_of(response)["code"] == "precondition_required"
    assert stored(table, "guarded") == before


@pytest.mark.parametrize("if_match", ['"7"', 'W/"1"', '"0"', '"2", "3"'])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_stale_if_match_is_a_412_and_changes_nothing(
    api: Any, table: str, method: str, if_match: str
) -> None:
    create(api, "stale")
    before = stored(table, "stale")
    response = send_json(api, method, "/api/posts/stale", {"title": "x", "body": "y"}, {"If-Match": if_match})
    assert response.status_code == 412
    assert error_of(response)["code"] == "precondition_failed"
    assert stored(table, "stale") == before


def test_two_writers_from_the_same_version_one_wins_and_nothing_is_lost(api: Any, table: str) -> None:
    create(api, "contested", body="v1")
    first = send_json(api, "PATCH", "/api/posts/contested", {"body": "alice"}, {"If-Match": '"1"'})
    second = send_json(api, "PATCH", "/api/posts/contested", {"body": "bob"}, {"If-Match": '"1"'})
    assert (first.status_code, second.status_code) == (200, 412)
    item = stored(table, "contested")
    assert item is not None
    assert item["body"] == {"S": "alice"}
    # Bob re-reads, sees Alice's text, and writes on top of it knowingly.
    current = api.get("/api/posts/contested")
    retry = send_json(
        api,
        "PATCH",
        "/api/posts/contested",
        {"body": "alice + bob"},
        {"If-Match": header(current, "ETag") or ""},
    )
    assert retry.status_code == 200
    assert retry.json["version"] == 3


def writer_slips_in_after_the_check(
    client: Any, monkeypatch: pytest.MonkeyPatch, table: str, slug: str
) -> None:
    """Make the function's next read of ``slug`` be followed at once by another writer's change.

    The app checks If-Match against that read; the other writer then bumps the post to the next version,
    so only the app's conditional write stands between it and a lost update.
    """
    repository = client.target.module.posts
    real_get = repository.get

    def get_then_someone_writes(wanted: str) -> Any:
        post = real_get(wanted)
        if wanted == slug and post is not None:
            monkeypatch.setattr(repository, "get", real_get)
            boto3.client("dynamodb").update_item(
                TableName=table,
                Key={"slug": {"S": slug}},
                UpdateExpression="SET version = version + :one, body = :theirs",
                ExpressionAttributeValues={":one": {"N": "1"}, ":theirs": {"S": "theirs"}},
            )
        return post

    monkeypatch.setattr(repository, "get", get_then_someone_writes)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_writer_between_check_and_write_still_gets_412(
    api: Any, table: str, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    create(api, "racy")
    writer_slips_in_after_the_check(api, monkeypatch, table, "racy")
    response = send_json(api, method, "/api/posts/racy", {"title": "x", "body": "mine"}, {"If-Match": '"1"'})
    assert response.status_code == 412
    assert "changed meanwhile" in error_of(response)["message"]
    item = stored(table, "racy")
    assert item is not None
    assert item["body"] == {"S": "theirs"}
    assert item["version"] == {"N": "2"}


def test_a_delete_racing_a_writer_deletes_nothing(
    api: Any, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    create(api, "racy-delete")
    writer_slips_in_after_the_check(api, monkeypatch, table, "racy-delete")
    response = api.delete("/api/posts/racy-delete", headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert stored(table, "racy-delete") is not None


def test_an_image_upload_racing_a_writer_leaves_no_trace(
    api: Any, table: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    create(api, "racy-image")
    writer_slips_in_after_the_check(api, monkeypatch, table, "racy-image")
    response = api.put(
        "/api/posts/racy-image/image", body=PNG, headers={"Content-Type": "image/png", "If-Match": '"1"'}
    )
    assert response.status_code == 412
    item = stored(table, "racy-image")
    assert item is not None
    assert "image" not in item
    assert objects(bucket) == []  # the object uploaded before the failed write was removed


def test_put_cannot_change_the_slug(api: Any) -> None:
    create(api, "fixed")
    response = send_json(
        api, "PUT", "/api/posts/fixed", {"slug": "moved", "title": "t", "body": "b"}, {"If-Match": '"1"'}
    )
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"slug": "cannot be changed"}


def test_put_of_a_missing_post_is_a_404(api: Any, table: str) -> None:
    response = send_json(api, "PUT", "/api/posts/ghost", {"title": "t", "body": "b"}, {"If-Match": '"1"'})
    assert response.status_code == 404
    assert stored(table, "ghost") is None


def test_put_with_bad_json_is_a_400(api: Any) -> None:
    create(api, "json-only")
    response = api.put(
        "/api/posts/json-only", body=b"{", headers={"Content-Type": "application/json", "If-Match": '"1"'}
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


# --- delete -----------------------------------------------------------------------------------------


def test_delete_removes_the_post_and_its_image(api: Any, table: str, bucket: str) -> None:
    create(api, "gone")
    assert (
        api.put("/api/posts/gone/image", body=PNG, headers={"Content-Type": "image/png"}).status_code == 200
    )
    assert len(objects(bucket)) == 1
    stale = api.delete("/api/posts/gone", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stored(table, "gone") is not None
    response = api.delete("/api/posts/gone", headers={"If-Match": '"2"'})
    assert response.status_code == 204
    assert response.data == b""
    assert header(response, "Content-Type") is None
    assert stored(table, "gone") is None
    assert objects(bucket) == []
    assert api.delete("/api/posts/gone").status_code == 404


# --- images -----------------------------------------------------------------------------------------


def stored_object(bucket: str) -> bytes:
    (key,) = objects(bucket)
    data: bytes = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return data


@pytest.mark.parametrize(
    ("data", "content_type", "kind"),
    [
        (PNG, "image/png", "PNG"),
        (JPEG, "image/jpeg", "JPEG"),
        (GIF, "image/gif", "GIF"),
        (WEBP, "image/webp", "WEBP"),
    ],
)
def test_image_upload_and_download_round_trip_the_re_encoded_image(
    api: Any, bucket: str, data: bytes, content_type: str, kind: str
) -> None:
    create(api, "pictured")
    upload = api.put("/api/posts/pictured/image", body=data, headers={"Content-Type": content_type})
    assert upload.status_code == 200, upload.text
    stored = stored_object(bucket)
    assert upload.json["image"] == {
        "url": "/api/posts/pictured/image",
        "content_type": content_type,
        "size": len(stored),
    }
    assert upload.json["version"] == 2
    assert header(upload, "ETag") == '"2"'
    # The event carried the bytes base64-encoded, as API Gateway sends binary bodies.
    assert upload.event["isBase64Encoded"] is True
    download = api.get("/api/posts/pictured/image")
    assert download.status_code == 200
    assert header(download, "Content-Type") == content_type
    assert download.data == stored
    assert download.result["isBase64Encoded"] is True
    assert base64.b64decode(download.result["body"]) == stored
    # What is stored and served is the same picture, written anew by the decoder's encoder.
    image = sample_images.decode(stored)
    assert (image.format, image.size) == (kind, (16, 12))


def test_an_image_without_content_type_is_typed_from_its_bytes(api: Any) -> None:
    create(api, "untyped")
    upload = api.put(
        "/api/posts/untyped/image", body=GIF, headers={"Content-Type": "application/octet-stream"}
    )
    assert upload.status_code == 200
    assert header(api.get("/api/posts/untyped/image"), "Content-Type") == "image/gif"


def test_replacing_an_image_deletes_the_old_object(api: Any, bucket: str) -> None:
    create(api, "replaced")
    api.put("/api/posts/replaced/image", body=PNG, headers={"Content-Type": "image/png"})
    (first_key,) = objects(bucket)
    api.put("/api/posts/replaced/image", body=JPEG, headers={"Content-Type": "image/jpeg"})
    (second_key,) = objects(bucket)
    assert second_key != first_key
    assert sample_images.decode(api.get("/api/posts/replaced/image").data).format == "JPEG"


@pytest.fixture
def refused(api: Any, table: str, bucket: str) -> Callable[[Any, int, str], None]:
    """Check that an upload to ``target`` failed and left its post and image exactly as they were."""

    def check(response: Any, status: int, code: str) -> None:
        assert response.status_code == status, response.text
        assert error_of(response)["code"] == code
        item = stored(table, "target")
        assert item is not None
        assert item["version"] == {"N": "2"}
        assert objects(bucket) == [item["image"]["M"]["key"]["S"]]
        assert sample_images.decode(api.get("/api/posts/target/image").data).format == "PNG"

    return check


@pytest.fixture
def target(api: Any) -> None:
    """A post that already has a PNG image (version 2): failed uploads must leave both untouched."""
    create(api, "target")
    assert (
        api.put("/api/posts/target/image", body=PNG, headers={"Content-Type": "image/png"}).status_code == 200
    )


@pytest.mark.usefixtures("target")
@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (b"just some text", "text/plain", "unsupported_image"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "image/svg+xml",
            "unsupported_image",
        ),
        (b"%PDF-1.7 not an image", "image/png", "unsupported_image"),
        (PNG, "image/jpeg", "content_type_mismatch"),
        (GIF, "text/html", "content_type_mismatch"),
    ],
)
def test_wrong_image_types_are_refused_with_415(
    api: Any, refused: Callable[[Any, int, str], None], body: bytes, content_type: str, code: str
) -> None:
    response = api.put("/api/posts/target/image", body=body, headers={"Content-Type": content_type})
    refused(response, 415, code)


def invoke_directly(api: Any, path: str, body: bytes, content_type: str) -> LambdaResponse:
    """PUT ``body`` with the event API Gateway would send, but invoking the handler directly.

    Through API Gateway a binary body travels base64-encoded, so above about 4.5 MB the event passes
    Lambda's 6 MB request limit and API Gateway answers 413 before the function runs: the app's own 5 MB
    rule is only reachable this way.
    """
    event = build_event(
        "PUT",
        path,
        body=body,
        headers={"Content-Type": content_type},
        resource="/api/posts/{slug}/image",
        authorizer=jwt_authorizer(AUTHOR),  # what the API's JWT authorizer passes for the author
    )
    result = api.handler(event, api.make_context())
    return LambdaResponse(parse_result(result, "http-2.0"), event=event, result=result)


@pytest.mark.usefixtures("target")
def test_an_image_over_5_mb_is_refused_with_413(api: Any, refused: Callable[[Any, int, str], None]) -> None:
    too_big = PNG + b"\x00" * (5 * 1024 * 1024 - len(PNG) + 1)
    refused(invoke_directly(api, "/api/posts/target/image", too_big, "image/png"), 413, "too_large")
    # Through API Gateway the base64 event is over Lambda's 6 MB: its own 413, the function never runs.
    response = api.put("/api/posts/target/image", body=too_big, headers={"Content-Type": "image/png"})
    assert response.status_code == 413
    assert response.json == {"message": "Request Too Long"}
    assert response.event is None


@pytest.mark.usefixtures("target")
def test_an_upload_of_exactly_5_mb_is_accepted_and_stored_re_encoded(api: Any, bucket: str) -> None:
    """Bytes after the image's end (where a ZIP or HTML polyglot hides) are accepted, and not kept."""
    just_fits = PNG + b"\x00" * (5 * 1024 * 1024 - len(PNG))
    response = invoke_directly(api, "/api/posts/target/image", just_fits, "image/png")
    assert response.status_code == 200
    stored = stored_object(bucket)
    assert response.json["image"]["size"] == len(stored) < 1024
    assert sample_images.decode(stored).size == (16, 12)


@pytest.mark.usefixtures("target")
def test_an_image_upload_with_a_stale_if_match_changes_nothing(
    api: Any, refused: Callable[[Any, int, str], None]
) -> None:
    response = api.put(
        "/api/posts/target/image", body=JPEG, headers={"Content-Type": "image/jpeg", "If-Match": '"1"'}
    )
    refused(response, 412, "precondition_failed")


@pytest.mark.usefixtures("target")
def test_an_empty_image_upload_is_a_400(api: Any, refused: Callable[[Any, int, str], None]) -> None:
    response = api.put("/api/posts/target/image", body=b"", headers={"Content-Type": "image/png"})
    refused(response, 400, "empty_body")


def _failing(operation: str) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise ClientError(
            {"Error": {"Code": "InternalServerError", "Message": "simulated outage"}}, operation
        )

    return fail


@pytest.mark.usefixtures("target")
def test_a_database_failure_after_the_upload_removes_the_new_object(
    api: Any, table: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.target.module.posts, "set_image", _failing("UpdateItem"))
    before = stored(table, "target")
    response = api.put("/api/posts/target/image", body=JPEG, headers={"Content-Type": "image/jpeg"})
    assert response.status_code == 500
    assert stored(table, "target") == before
    assert len(objects(bucket)) == 1  # only the image the post already had
    monkeypatch.undo()
    assert sample_images.decode(api.get("/api/posts/target/image").data).format == "PNG"


@pytest.mark.usefixtures("target")
def test_a_storage_failure_leaves_the_post_unchanged(
    api: Any, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.target.module.images, "put", _failing("PutObject"))
    before = stored(table, "target")
    response = api.put("/api/posts/target/image", body=JPEG, headers={"Content-Type": "image/jpeg"})
    assert response.status_code == 500
    assert stored(table, "target") == before


def test_an_image_for_a_missing_post_is_a_404_and_stores_nothing(api: Any, bucket: str) -> None:
    response = api.put("/api/posts/nobody/image", body=PNG, headers={"Content-Type": "image/png"})
    assert response.status_code == 404
    assert objects(bucket) == []


def test_an_image_missing_from_s3_is_a_404_not_a_crash(api: Any, bucket: str) -> None:
    create(api, "orphaned")
    api.put("/api/posts/orphaned/image", body=PNG, headers={"Content-Type": "image/png"})
    for key in objects(bucket):
        boto3.client("s3").delete_object(Bucket=bucket, Key=key)
    response = api.get("/api/posts/orphaned/image")
    assert response.status_code == 404
    assert "missing from storage" in error_of(response)["message"]


def test_getting_a_missing_image_is_a_404(api: Any) -> None:
    create(api, "imageless")
    assert api.get("/api/posts/imageless/image").status_code == 404
    assert api.get("/api/posts/nobody/image").status_code == 404


# --- CORS and protocol errors ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/posts", "/api/posts/some-post", "/api/posts/some-post/image"])
def test_preflight_from_the_configured_origin(api: Any, path: str) -> None:
    response = api.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type, if-match",
        },
    )
    assert response.status_code == 204
    assert header(response, "Access-Control-Allow-Origin") == ORIGIN
    assert "PUT" in (header(response, "Access-Control-Allow-Methods") or "")
    assert "If-Match" in (header(response, "Access-Control-Allow-Headers") or "")
    assert header(response, "Access-Control-Max-Age") == "600"
    assert "Origin" in (header(response, "Vary") or "")


def test_preflight_from_another_origin_is_refused(api: Any) -> None:
    response = api.options(
        "/api/posts", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 403
    assert header(response, "Access-Control-Allow-Origin") is None


def test_responses_carry_cors_headers_for_the_allowed_origin_only(api: Any) -> None:
    create(api, "shared-post")
    allowed = api.get("/api/posts/shared-post", headers={"Origin": ORIGIN})
    assert header(allowed, "Access-Control-Allow-Origin") == ORIGIN
    assert "ETag" in (header(allowed, "Access-Control-Expose-Headers") or "")
    other = api.get("/api/posts/shared-post", headers={"Origin": "https://evil.example"})
    assert header(other, "Access-Control-Allow-Origin") is None
    assert "Origin" in (header(other, "Vary") or "")


def test_an_undeclared_method_is_answered_by_the_http_api_not_the_function(api: Any) -> None:
    """Only the template's routes reach the function: API Gateway answers the rest itself."""
    response = api.post("/api/posts/some-post", json={})
    assert response.status_code == 404
    assert response.json == {"message": "Not Found"}
    assert response.event is None


def test_without_the_gateways_routing_the_app_answers_405_as_json(function_client: Any) -> None:
    """Behind a catch-all route (or a $default one) the app's own errors keep the API's JSON shape."""
    direct = function_client("ApiFunction", payload="2.0")
    response = direct.post("/api/posts/some-post", json={})
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in (header(response, "Allow") or "")
    missing = direct.get("/api/nothing/here")
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"


@pytest.fixture
def api_with_origins(aws: AwsResources, sam_template: Any) -> Iterator[Callable[[str], Any]]:
    """An API client whose CORS_ALLOW_ORIGIN is the given value (the CorsAllowOrigin parameter)."""
    loaded: list[Any] = []

    def make(origins: str) -> Any:
        function = sam_template.function("ApiFunction")
        instance = load_function(function, extra_env={"CORS_ALLOW_ORIGIN": origins})
        loaded.append(instance)
        return Client(instance, payload="2.0", routes=function.routes)

    yield make
    for instance in loaded:
        instance.unload()


def test_cors_accepts_a_list_of_origins(api_with_origins: Callable[[str], Any]) -> None:
    api = api_with_origins("https://a.example, https://b.example/")
    for origin in ("https://a.example", "https://b.example"):
        response = api.get("/api/posts", headers={"Origin": origin})
        assert header(response, "Access-Control-Allow-Origin") == origin
    assert (
        header(api.get("/api/posts", headers={"Origin": "https://c.example"}), "Access-Control-Allow-Origin")
        is None
    )


def test_cors_star_allows_any_origin(api_with_origins: Callable[[str], Any]) -> None:
    api = api_with_origins("*")
    response = api.options(
        "/api/posts", headers={"Origin": "https://anywhere.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 204
    assert header(response, "Access-Control-Allow-Origin") == "*"


def test_cors_disabled_when_no_origin_is_configured(api_with_origins: Callable[[str], Any]) -> None:
    api = api_with_origins("")
    response = api.get("/api/posts", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert header(response, "Access-Control-Allow-Origin") is None
    preflight = api.options("/api/posts", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 403
