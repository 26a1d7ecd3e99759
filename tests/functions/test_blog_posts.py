"""The shared post storage (functions/shared/blog_posts) against moto's DynamoDB and S3."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count

import boto3
import pytest
from blog_posts import (
    Cursors,
    Image,
    ImageNotFound,
    ImageStore,
    InvalidCursor,
    Position,
    PostExists,
    PostInput,
    PostNotFound,
    PostRepository,
    ValidationError,
    VersionConflict,
    is_valid_slug,
    is_version,
    parse_version,
    require_env,
    slugify,
    validate_post,
)

from .conftest import load_raw_template


def ticking_clock(start: datetime | None = None) -> Callable[[], datetime]:
    """A clock that moves one second per call, so creation order is explicit."""
    base = start or datetime(2026, 1, 1, tzinfo=UTC)
    ticks = count()
    return lambda: base + timedelta(seconds=next(ticks))


@pytest.fixture
def repo(posts_table: str) -> PostRepository:
    return PostRepository(posts_table, boto3.client("dynamodb"), clock=ticking_clock())


def new(slug: str, title: str = "A title", body: str = "Some *text*.", fmt: str = "markdown") -> PostInput:
    return validate_post({"slug": slug, "title": title, "body": body, "format": fmt})


KEY = "a-key-for-the-tests-" * 3


def stored_item(table: str, slug: str) -> dict[str, object] | None:
    return boto3.client("dynamodb").get_item(TableName=table, Key={"slug": {"S": slug}}).get("Item")


# --- validation -------------------------------------------------------------------------------------


def test_validate_post_cleans_fields_and_derives_the_slug() -> None:
    fields = validate_post({"title": "  Hello, Wörld!  ", "body": "text\n"})
    assert fields == PostInput(
        slug="hello-world",
        title="Hello, Wörld!",
        body="text\n",
        format="markdown",
        html="<p>text</p>\n",
        excerpt="text",
    )


def test_validate_post_reports_every_bad_field_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_post({"title": 12, "body": "   ", "format": "html", "slug": "Not A Slug"})
    assert caught.value.fields == {
        "title": "must be a string",
        "body": "must not be empty",
        "format": "must be one of: markdown, text",
        "slug": "may contain only lower-case letters, digits and single hyphens between them",
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"body": "b"}, "title", "is required"),
        ({"title": "t"}, "body", "is required"),
        ({"title": "x" * 201, "body": "b"}, "title", "must be at most 200 characters"),
        ({"title": "t", "body": "b" * 50_001}, "body", "must be at most 50000 characters"),
        ({"title": "t", "body": "b", "slug": "new"}, "slug", "'new' is reserved"),
        ({"title": "t", "body": "b", "slug": "a--b"}, "slug", "may contain only lower-case letters"),
        ({"title": "t", "body": "b", "slug": "a" * 81}, "slug", "must be at most 80 characters"),
        ({"title": "t", "body": "b", "slug": 5}, "slug", "must be a string"),
        ({"title": "!!!", "body": "b"}, "slug", "could not be derived from the title"),
    ],
)
def test_validate_post_rejects(data: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_post(data)
    assert caught.value.fields[field].startswith(message)


def test_validate_post_partial_keeps_current_values_and_refuses_a_new_slug(repo: PostRepository) -> None:
    current = repo.create(new("kept", title="Old", body="old body", fmt="text"))
    assert validate_post({"title": "New"}, partial=True, current=current) == PostInput(
        slug="kept", title="New", body="old body", format="text", html=None, excerpt="old body"
    )
    with pytest.raises(ValidationError) as caught:
        validate_post({"slug": "other"}, partial=True, current=current)
    assert caught.value.fields == {"slug": "cannot be changed"}


def test_slugify_and_is_valid_slug() -> None:
    assert slugify("  Ça marche -- vraiment!  ") == "ca-marche-vraiment"
    assert slugify("x" * 100) == "x" * 80
    assert is_valid_slug("a-1")
    assert not is_valid_slug("A")
    assert not is_valid_slug("new")


# --- repository -------------------------------------------------------------------------------------


def test_create_then_get_round_trips_every_field(repo: PostRepository, posts_table: str) -> None:
    created = repo.create(new("first", title="First", body="Body ✓", fmt="text"))
    assert created.version == 1
    assert created.created_at == created.updated_at == "2026-01-01T00:00:00.000000Z"
    assert repo.get("first") == created
    item = stored_item(posts_table, "first")
    assert item is not None
    assert item["kind"] == {"S": "post"}
    assert repo.get("missing") is None


def test_create_never_overwrites_an_existing_slug(repo: PostRepository) -> None:
    original = repo.create(new("taken", title="Original"))
    with pytest.raises(PostExists, match="'taken' already exists"):
        repo.create(new("taken", title="Impostor"))
    assert repo.get("taken") == original


def test_list_is_newest_first_and_pages_without_gaps_or_repeats(repo: PostRepository) -> None:
    for number in range(7):
        repo.create(new(f"post-{number}"))
    seen: list[str] = []
    after: Position | None = None
    pages = 0
    while True:
        page = repo.list(limit=3, after=after)
        seen.extend(post.slug for post in page.posts)
        pages += 1
        if page.next is None:
            break
        # The cursor survives its trip through a URL.
        cursors = Cursors(KEY)
        after = cursors.decode(cursors.encode(page.next))
    assert seen == [f"post-{number}" for number in reversed(range(7))]
    assert pages == 3  # 3 + 3 + 1, and no empty page at the end


def test_list_of_an_exact_multiple_has_no_next_page(repo: PostRepository) -> None:
    for number in range(4):
        repo.create(new(f"p-{number}"))
    first = repo.list(limit=2)
    assert first.next is not None
    second = repo.list(limit=2, after=first.next)
    assert [post.slug for post in second.posts] == ["p-1", "p-0"]
    assert second.next is None


def test_list_rejects_a_limit_out_of_range(repo: PostRepository) -> None:
    with pytest.raises(ValueError, match="between 1 and 100"):
        repo.list(limit=0)


def test_update_with_the_current_version_bumps_it(repo: PostRepository) -> None:
    repo.create(new("edit-me", title="Before"))
    updated = repo.update(new("edit-me", title="After", body="new", fmt="text"), expected_version=1)
    assert (updated.title, updated.body, updated.format, updated.version) == ("After", "new", "text", 2)
    assert updated.updated_at > updated.created_at
    assert repo.get("edit-me") == updated


def test_update_with_a_stale_version_changes_nothing(repo: PostRepository, posts_table: str) -> None:
    repo.create(new("contested"))
    repo.update(new("contested", title="First writer"), expected_version=1)
    before = stored_item(posts_table, "contested")
    with pytest.raises(VersionConflict) as caught:
        repo.update(new("contested", title="Second writer"), expected_version=1)
    assert caught.value.current.title == "First writer"
    assert caught.value.current.version == 2
    assert stored_item(posts_table, "contested") == before


def test_update_of_a_missing_post_raises_not_found_and_creates_nothing(
    repo: PostRepository, posts_table: str
) -> None:
    for version in (None, 1):
        with pytest.raises(PostNotFound, match="'ghost'"):
            repo.update(new("ghost"), expected_version=version)
    assert stored_item(posts_table, "ghost") is None


def test_delete_is_conditional_on_the_version(repo: PostRepository) -> None:
    repo.create(new("doomed"))
    with pytest.raises(VersionConflict):
        repo.delete("doomed", expected_version=7)
    assert repo.get("doomed") is not None
    deleted = repo.delete("doomed", expected_version=1)
    assert deleted.slug == "doomed"
    assert repo.get("doomed") is None
    with pytest.raises(PostNotFound):
        repo.delete("doomed", expected_version=None)


def test_set_image_returns_before_and_after(repo: PostRepository) -> None:
    repo.create(new("pictured"))
    first = Image(key="posts/pictured/a", content_type="image/png", size=10)
    before, after = repo.set_image("pictured", first, expected_version=1)
    assert before.image is None
    assert after.image == first
    assert after.version == 2
    assert repo.get("pictured") == after
    second = Image(key="posts/pictured/b", content_type="image/gif", size=20)
    before, after = repo.set_image("pictured", second, expected_version=None)
    assert before.image == first
    assert after.image == second
    assert after.version == 3
    with pytest.raises(VersionConflict):
        repo.set_image("pictured", first, expected_version=2)
    assert repo.get("pictured") == after


def test_post_etag_is_the_quoted_version(repo: PostRepository) -> None:
    assert repo.create(new("tagged")).etag == '"1"'


def test_from_environment_names_the_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POSTS_TABLE", raising=False)
    with pytest.raises(RuntimeError, match=r"POSTS_TABLE is not set: template\.yaml sets it"):
        PostRepository.from_environment()
    monkeypatch.setenv("IMAGES_BUCKET", "bucket-name")
    assert require_env("IMAGES_BUCKET") == "bucket-name"


# --- cursors ----------------------------------------------------------------------------------------

POSITION = Position(slug="a-post", created_at="2026-01-01T00:00:00.000000Z")


def test_cursor_round_trips_and_is_url_safe() -> None:
    cursor = Cursors(KEY).encode(POSITION)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert Cursors(KEY).decode(cursor) == POSITION


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _signed(payload: bytes, key: str = KEY) -> str:
    """A cursor with a valid signature over any payload: what only the key's holder can make."""
    signature = hmac.new(key.encode(), b"blog_posts.cursor\x00" + payload, hashlib.sha256).digest()[:16]
    return f"{_b64(payload)}.{_b64(signature)}"


def _forged(document: object) -> str:
    """A cursor in the right format whose signature was made with another key."""
    return _signed(json.dumps(document).encode(), key="not-the-apps-key")


def test_a_cursor_signed_with_another_key_is_rejected() -> None:
    with pytest.raises(InvalidCursor, match="signature does not match"):
        Cursors(KEY).decode(Cursors("another-key-entirely-" * 2).encode(POSITION))


def test_a_tampered_cursor_is_rejected() -> None:
    payload_part, signature = Cursors(KEY).encode(POSITION).split(".")
    document = json.loads(base64.urlsafe_b64decode(payload_part + "=" * (-len(payload_part) % 4)))
    document["s"] = "another-post"
    tampered = f"{_b64(json.dumps(document).encode())}.{signature}"
    with pytest.raises(InvalidCursor, match="signature does not match"):
        Cursors(KEY).decode(tampered)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not base64 !",
        "x" * 400,
        "no-signature-part",
        "é.é",
        _b64(json.dumps({"v": 2, "s": "a-post", "c": "2026-01-01T00:00:00.000000Z"}).encode()),
        _forged({"v": 2, "s": "a-post", "c": "2026-01-01T00:00:00.000000Z"}),
        # Signed with the right key but not what encode() writes: still refused.
        _signed(b"\xff\xfe"),
        _signed(json.dumps([1, 2]).encode()),
        _signed(json.dumps({"v": 2, "s": "a"}).encode()),
        _signed(json.dumps({"v": 1, "s": "a", "c": "2026-01-01T00:00:00.000000Z"}).encode()),
        _signed(json.dumps({"v": 2, "s": "A B", "c": "2026-01-01T00:00:00.000000Z"}).encode()),
        _signed(json.dumps({"v": 2, "s": "a", "c": "yesterday"}).encode()),
        _signed(json.dumps({"v": 2, "s": 5, "c": "2026-01-01T00:00:00.000000Z"}).encode()),
    ],
)
def test_decode_rejects_anything_it_did_not_make(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        Cursors(KEY).decode(cursor)


def test_cursors_need_a_key() -> None:
    with pytest.raises(ValueError, match="secret key"):
        Cursors("")


# --- numbers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (str(2**53 - 1), 2**53 - 1),
        ("0", None),
        ("-1", None),
        ("+1", None),
        ("1.5", None),
        ("1e3", None),
        (" 1", None),
        ("", None),
        ("²", None),  # a digit to str.isdigit, not to int()
        ("\u0661", None),  # an Arabic-Indic digit, which int() would take
        ("1" * 5000, None),  # too long for int() to parse at all
        (str(2**53), None),
    ],
)
def test_parse_version_takes_only_ascii_digits_in_range(text: str, expected: int | None) -> None:
    assert parse_version(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, True),
        (2**53 - 1, True),
        (0, False),
        (-3, False),
        (2**53, False),
        (True, False),
        (1.0, False),
        ("1", False),
    ],
)
def test_is_version_takes_json_integers_in_range(value: object, expected: bool) -> None:
    assert is_version(value) is expected


# --- images -----------------------------------------------------------------------------------------


def test_image_store_put_get_delete(images_bucket: str) -> None:
    store = ImageStore(images_bucket, boto3.client("s3"))
    payload = bytes(range(256)) * 10
    store.put("posts/x/1", payload, "image/png")
    assert store.get("posts/x/1") == payload
    head = boto3.client("s3").head_object(Bucket=images_bucket, Key="posts/x/1")
    assert head["ContentType"] == "image/png"
    store.delete("posts/x/1")
    store.delete("posts/x/1")  # deleting twice is fine
    assert boto3.client("s3").list_objects_v2(Bucket=images_bucket).get("KeyCount") == 0
    with pytest.raises(ImageNotFound):
        store.get("posts/x/1")


def test_template_declares_the_table_the_repository_queries() -> None:
    table = load_raw_template()["Resources"]["PostsTable"]["Properties"]
    assert table["KeySchema"] == [{"AttributeName": "slug", "KeyType": "HASH"}]
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by-date"
    assert index["KeySchema"] == [
        {"AttributeName": "kind", "KeyType": "HASH"},
        {"AttributeName": "created_at", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {"ProjectionType": "ALL"}
