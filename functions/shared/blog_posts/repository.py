"""Posts in DynamoDB: one item per post (key ``slug``), listed newest first through the ``by-date`` index
(partition ``kind`` = "post", sort ``created_at``).

Every change is a conditional write: a create never overwrites (``PostExists``), and an update or delete
given the version the client last saw fails with ``VersionConflict`` if anyone changed the post since,
so no update is ever lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from .cursor import Position
from .model import Author, Image, Post, PostInput
from .settings import require_env

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

BY_DATE_INDEX = "by-date"
POST_KIND = "post"
MAX_PAGE_SIZE = 100


class PostNotFound(LookupError):
    """No post has this slug."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        super().__init__(f"no post with slug {slug!r}")


class PostExists(ValueError):
    """A post with this slug already exists."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        super().__init__(f"a post with slug {slug!r} already exists")


class VersionConflict(ValueError):
    """The post changed since the version the client based its change on."""

    def __init__(self, current: Post, expected_version: int) -> None:
        self.current = current
        self.expected_version = expected_version
        super().__init__(f"post {current.slug!r} is at version {current.version}, not {expected_version}")


@dataclass(frozen=True, slots=True)
class Page:
    """One page of posts, newest first; ``next`` is where the following page starts (None at the end)."""

    posts: list[Post]
    next: Position | None


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def _n(value: int) -> AttributeValueTypeDef:
    return {"N": str(value)}


def _image_value(image: Image) -> AttributeValueTypeDef:
    return {"M": {"key": _s(image.key), "content_type": _s(image.content_type), "size": _n(image.size)}}


def post_from_item(item: Mapping[str, Any]) -> Post:
    """Build a :class:`Post` from a DynamoDB item in the client's attribute-value form."""
    author = None
    if "author" in item:
        who = item["author"]["M"]
        author = Author(sub=who["sub"]["S"], name=who["name"]["S"])
    image = None
    if "image" in item:
        fields = item["image"]["M"]
        image = Image(
            key=fields["key"]["S"],
            content_type=fields["content_type"]["S"],
            size=int(fields["size"]["N"]),
        )
    return Post(
        slug=item["slug"]["S"],
        title=item["title"]["S"],
        body=item["body"]["S"],
        format=item["format"]["S"],
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
        version=int(item["version"]["N"]),
        image=image,
        # Absent from posts stored before bodies were rendered at write time.
        html=item["html"]["S"] if "html" in item else None,
        excerpt=item["excerpt"]["S"] if "excerpt" in item else None,
        author=author,
    )


def post_to_item(post: Post) -> dict[str, AttributeValueTypeDef]:
    """The DynamoDB item for ``post``."""
    item: dict[str, AttributeValueTypeDef] = {
        "slug": _s(post.slug),
        "kind": _s(POST_KIND),
        "title": _s(post.title),
        "body": _s(post.body),
        "format": _s(post.format),
        "created_at": _s(post.created_at),
        "updated_at": _s(post.updated_at),
        "version": _n(post.version),
    }
    if post.image is not None:
        item["image"] = _image_value(post.image)
    if post.html is not None:
        item["html"] = _s(post.html)
    if post.excerpt is not None:
        item["excerpt"] = _s(post.excerpt)
    if post.author is not None:
        item["author"] = {"M": {"sub": _s(post.author.sub), "name": _s(post.author.name)}}
    return item


def _is_conditional_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class PostRepository:
    """Create, read, list, update and delete posts in one DynamoDB table."""

    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.table_name = table_name
        self._db = client
        self._clock = clock

    @classmethod
    def from_environment(cls) -> PostRepository:
        """The repository for the table named by ``POSTS_TABLE``."""
        return cls(require_env("POSTS_TABLE"), boto3.client("dynamodb"))

    def get(self, slug: str) -> Post | None:
        """The post with this slug, or None. Strongly consistent, so a redirect after a write sees it."""
        response = self._db.get_item(TableName=self.table_name, Key={"slug": _s(slug)}, ConsistentRead=True)
        item = response.get("Item")
        return post_from_item(item) if item else None

    def list(self, *, limit: int = 20, after: Position | None = None) -> Page:
        """Posts newest first, at most ``limit`` of them, starting after ``after``."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}, not {limit}")
        posts: list[Post] = []
        start: dict[str, AttributeValueTypeDef] | None = None
        if after is not None:
            start = {"slug": _s(after.slug), "kind": _s(POST_KIND), "created_at": _s(after.created_at)}
        while True:
            # One more than asked for tells whether another page exists without an empty last page.
            kwargs: dict[str, Any] = {
                "TableName": self.table_name,
                "IndexName": BY_DATE_INDEX,
                "KeyConditionExpression": "kind = :kind",
                "ExpressionAttributeValues": {":kind": _s(POST_KIND)},
                "ScanIndexForward": False,
                "Limit": limit + 1 - len(posts),
            }
            if start is not None:
                kwargs["ExclusiveStartKey"] = start
            response = self._db.query(**kwargs)
            posts.extend(post_from_item(item) for item in response.get("Items", []))
            last_key = response.get("LastEvaluatedKey")
            if len(posts) > limit or not last_key:
                break
            # DynamoDB stops at 1 MB per query: keep reading until the page is full.
            start = dict(last_key)
        if len(posts) > limit:
            posts = posts[:limit]
            last = posts[-1]
            return Page(posts=posts, next=Position(slug=last.slug, created_at=last.created_at))
        return Page(posts=posts, next=None)

    def create(self, fields: PostInput, *, author: Author | None = None) -> Post:
        """Store a new post at version 1, by ``author``; raise :class:`PostExists` if the slug is taken."""
        now = _timestamp(self._clock())
        post = Post(
            slug=fields.slug,
            title=fields.title,
            body=fields.body,
            format=fields.format,
            created_at=now,
            updated_at=now,
            version=1,
            html=fields.html,
            excerpt=fields.excerpt,
            author=author,
        )
        try:
            self._db.put_item(
                TableName=self.table_name,
                Item=post_to_item(post),
                ConditionExpression="attribute_not_exists(slug)",
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                raise PostExists(fields.slug) from error
            raise
        return post

    def update(self, fields: PostInput, *, expected_version: int | None) -> Post:
        """Replace a post's title, body and format (and the body's rendering).

        With ``expected_version`` the write happens only if the stored post is still at that version;
        otherwise :class:`VersionConflict` (or :class:`PostNotFound`) is raised and nothing changes.
        """
        values: dict[str, AttributeValueTypeDef] = {
            ":title": _s(fields.title),
            ":body": _s(fields.body),
            ":format": _s(fields.format),
            ":excerpt": _s(fields.excerpt),
            ":updated_at": _s(_timestamp(self._clock())),
        }
        assignments = "title = :title, body = :body, #format = :format, excerpt = :excerpt"
        if fields.html is not None:
            values[":html"] = _s(fields.html)
            assignments += ", html = :html"
        old = self._conditional_update(
            fields.slug,
            f"SET {assignments}, updated_at = :updated_at",
            values,
            expected_version=expected_version,
            names={"#format": "format"},
            # A post now in plain text keeps no HTML from its Markdown days.
            remove="html" if fields.html is None else None,
        )
        return replace(
            old,
            title=fields.title,
            body=fields.body,
            format=fields.format,
            html=fields.html,
            excerpt=fields.excerpt,
            updated_at=values[":updated_at"]["S"],
            version=old.version + 1,
        )

    def set_image(self, slug: str, image: Image, *, expected_version: int | None) -> tuple[Post, Post]:
        """Point the post at a new image; return ``(before, after)`` so the caller can delete the old one."""
        updated_at = _timestamp(self._clock())
        old = self._conditional_update(
            slug,
            "SET image = :image, updated_at = :updated_at",
            {":image": _image_value(image), ":updated_at": _s(updated_at)},
            expected_version=expected_version,
        )
        return old, replace(old, image=image, updated_at=updated_at, version=old.version + 1)

    def delete(self, slug: str, *, expected_version: int | None) -> Post:
        """Delete a post (only at ``expected_version`` when given) and return what was deleted."""
        condition, values = self._condition(expected_version)
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": {"slug": _s(slug)},
            "ConditionExpression": condition,
            "ReturnValues": "ALL_OLD",
        }
        if values:
            kwargs["ExpressionAttributeValues"] = values
        try:
            response = self._db.delete_item(**kwargs)
        except ClientError as error:
            if _is_conditional_failure(error):
                raise self._why_not(slug, expected_version) from error
            raise
        return post_from_item(response["Attributes"])

    @staticmethod
    def _condition(expected_version: int | None) -> tuple[str, dict[str, AttributeValueTypeDef]]:
        if expected_version is None:
            return "attribute_exists(slug)", {}
        return "attribute_exists(slug) AND version = :expected", {":expected": _n(expected_version)}

    def _conditional_update(
        self,
        slug: str,
        set_expression: str,
        values: dict[str, AttributeValueTypeDef],
        *,
        expected_version: int | None,
        names: dict[str, str] | None = None,
        remove: str | None = None,
    ) -> Post:
        condition, condition_values = self._condition(expected_version)
        update = f"{set_expression}, version = version + :one"
        if remove is not None:
            update += f" REMOVE {remove}"
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": {"slug": _s(slug)},
            "UpdateExpression": update,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": {**values, **condition_values, ":one": _n(1)},
            # The old item: the new one is fully determined by it and the values written.
            "ReturnValues": "ALL_OLD",
        }
        if names:
            kwargs["ExpressionAttributeNames"] = names
        try:
            response = self._db.update_item(**kwargs)
        except ClientError as error:
            if _is_conditional_failure(error):
                raise self._why_not(slug, expected_version) from error
            raise
        return post_from_item(response["Attributes"])

    def _why_not(self, slug: str, expected_version: int | None) -> PostNotFound | VersionConflict:
        current = self.get(slug)
        if current is None or expected_version is None:
            return PostNotFound(slug)
        return VersionConflict(current, expected_version)
