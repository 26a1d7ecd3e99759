"""The blog's JSON API: a lambda_micro app behind API Gateway's HTTP API (payload 2.0).

- ``GET /api/posts`` (``?limit=&cursor=``, newest first) and ``POST /api/posts``;
- ``GET/PUT/PATCH/DELETE /api/posts/{slug}`` with optimistic concurrency: every post has a ``version``,
  sent as a strong ``ETag``; PUT and PATCH need ``If-Match`` (or ``version`` in the body) and fail with
  412 when the post has changed since, so no update is ever lost;
- ``GET/PUT /api/posts/{slug}/image``: PNG, JPEG, GIF or WebP (checked from the bytes), up to 5 MB,
  stored in S3 and served back as binary.

Errors are JSON: ``{"error": {"code": ..., "message": ..., "fields": {...}}}``. CORS is answered by the
app itself (not by the HTTP API's CorsConfiguration) so it behaves the same locally, in tests and on AWS.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Mapping
from typing import Any

from blog_posts import (
    ALLOWED_IMAGE_TYPES,
    MAX_IMAGE_BYTES,
    Image,
    ImageNotFound,
    ImageStore,
    InvalidCursor,
    Post,
    PostExists,
    PostNotFound,
    PostRepository,
    ValidationError,
    VersionConflict,
    decode_cursor,
    encode_cursor,
    sniff_image_type,
    validate_post,
)
from blog_posts.cursor import Position
from blog_posts.model import is_valid_slug
from blog_posts.repository import MAX_PAGE_SIZE
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers.response import Response as WerkzeugResponse

from lambda_micro import App, Response, request, url_for

DEFAULT_PAGE_SIZE = 20
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
CORS_HEADERS = "Content-Type, If-Match, If-None-Match"
CORS_EXPOSE = "ETag, Location"

app = App(__name__)
logger = logging.getLogger(__name__)
posts = PostRepository.from_environment()
images = ImageStore.from_environment()
allowed_origins = frozenset(
    origin.strip().rstrip("/")
    for origin in os.environ.get("CORS_ALLOW_ORIGIN", "").split(",")
    if origin.strip()
)
handler = app.lambda_handler


class ApiError(Exception):
    """An error answered as ``{"error": {...}}`` with its HTTP status."""

    def __init__(
        self, status: int, code: str, message: str, *, fields: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = dict(fields) if fields else None


def error_response(status: int, code: str, message: str, fields: Mapping[str, str] | None = None) -> Response:
    """The JSON error document every failure of this API uses."""
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = dict(fields)
    return Response(json.dumps({"error": error}), status=status, mimetype="application/json")


@app.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    """Answer an :class:`ApiError`."""
    return error_response(error.status, error.code, error.message, error.fields)


@app.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    """Routing and protocol errors (404, 405, ...) in the same JSON shape."""
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_")
    response = error_response(status, code, error.description or error.name)
    # Keep the headers werkzeug computed for the error (Allow on a 405), not its HTML Content-Type.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


# --- CORS ---------------------------------------------------------------------------------------------


def _allowed_origin() -> str | None:
    origin = request.headers.get("Origin")
    if not origin:
        return None
    if "*" in allowed_origins:
        return "*"
    return origin if origin.rstrip("/") in allowed_origins else None


@app.before_request
def cors_preflight() -> Response | None:
    """Answer CORS preflight requests (OPTIONS with Access-Control-Request-Method) for allowed origins."""
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    origin = _allowed_origin()
    if origin is None:
        return error_response(403, "cors_origin_not_allowed", "this origin may not call the API")
    response = no_content()
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
    response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
    response.headers["Access-Control-Max-Age"] = "600"
    response.vary.add("Origin")
    return response


@app.after_request
def cors_headers(response: WerkzeugResponse) -> WerkzeugResponse:
    """Let allowed origins read responses (and the ETag they need for If-Match)."""
    if "Access-Control-Allow-Origin" not in response.headers:
        origin = _allowed_origin()
        if origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE
    if allowed_origins and "*" not in allowed_origins:
        response.vary.add("Origin")
    return response


# --- Helpers ------------------------------------------------------------------------------------------


def post_document(post: Post) -> dict[str, Any]:
    """The JSON representation of a post."""
    image = None
    if post.image is not None:
        image = {
            "url": url_for("get_image", slug=post.slug),
            "content_type": post.image.content_type,
            "size": post.image.size,
        }
    return {
        "slug": post.slug,
        "title": post.title,
        "body": post.body,
        "format": post.format,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "version": post.version,
        "url": url_for("get_post", slug=post.slug),
        "image": image,
    }


def no_content() -> Response:
    """An empty 204 (without the default text/html Content-Type that an empty body does not have)."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def post_response(post: Post, status: int = 200) -> Response:
    """A post as JSON, with its ETag."""
    response = Response(json.dumps(post_document(post)), status=status, mimetype="application/json")
    response.headers["ETag"] = post.etag
    return response


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    mimetype = request.mimetype
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiError(
            415, "unsupported_media_type", "send the post as JSON (Content-Type: application/json)"
        )
    raw = request.get_data()
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object")
    return document


def load_post(slug: str) -> Post:
    """The post, or a 404."""
    post = posts.get(slug) if is_valid_slug(slug) else None
    if post is None:
        raise ApiError(404, "not_found", f"no post with slug '{slug}'")
    return post


def expected_version(post: Post, body: Mapping[str, Any] | None, *, required: bool) -> int | None:
    """The version the client based its change on, from If-Match or the body's ``version``.

    Checked here against ``post`` so a stale client gets 412 before anything is written; the write itself
    is conditional on the same version, which closes the race with a concurrent writer.
    """
    if request.if_match:
        if request.if_match.star_tag:
            return None if not required else post.version
        if not request.if_match.contains(post.etag.strip('"')):
            raise ApiError(
                412,
                "precondition_failed",
                f"the post is at version {post.version} (ETag {post.etag}), not the one in If-Match",
            )
        return post.version
    version = body.get("version") if body is not None else None
    if version is not None:
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ApiError(
                422, "validation_failed", "invalid version", fields={"version": "must be a positive integer"}
            )
        if version != post.version:
            raise ApiError(
                412, "precondition_failed", f"the post is at version {post.version}, not {version}"
            )
        return version
    if required:
        raise ApiError(
            428,
            "precondition_required",
            "send If-Match with the post's ETag (or the post's version in the body) so a concurrent change "
            "is not overwritten",
        )
    return None


def conflict(error: VersionConflict) -> ApiError:
    """The 412 for a conditional write that lost the race."""
    return ApiError(
        412,
        "precondition_failed",
        f"the post changed meanwhile: it is at version {error.current.version}, not {error.expected_version}",
    )


# --- Posts --------------------------------------------------------------------------------------------


@app.get("/api/posts")
def list_posts() -> Response:
    """Newest first: ``limit`` (1-100, default 20), ``cursor`` from the last page's ``next_cursor``."""
    raw_limit = request.args.get("limit", str(DEFAULT_PAGE_SIZE))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_PAGE_SIZE:
        raise ApiError(
            400,
            "invalid_limit",
            "invalid limit",
            fields={"limit": f"must be a whole number from 1 to {MAX_PAGE_SIZE}"},
        )
    after: Position | None = None
    cursor = request.args.get("cursor")
    if cursor is not None:
        try:
            after = decode_cursor(cursor)
        except InvalidCursor as exc:
            raise ApiError(400, "invalid_cursor", str(exc)) from exc
    page = posts.list(limit=int(raw_limit), after=after)
    document = {
        "items": [post_document(post) for post in page.posts],
        "next_cursor": encode_cursor(page.next) if page.next else None,
    }
    return Response(json.dumps(document), mimetype="application/json")


@app.post("/api/posts")
def create_post() -> Response:
    """Create a post from ``{"title", "body", "format"?, "slug"?}``; 409 if the slug is taken."""
    body = json_body()
    try:
        post = posts.create(validate_post(body))
    except ValidationError as error:
        raise ApiError(422, "validation_failed", "the post is not valid", fields=error.fields) from error
    except PostExists as error:
        raise ApiError(409, "already_exists", str(error), fields={"slug": "is already taken"}) from error
    response = post_response(post, status=201)
    response.headers["Location"] = url_for("get_post", slug=post.slug)
    return response


@app.get("/api/posts/<slug>")
def get_post(slug: str) -> Response:
    """One post; ``If-None-Match`` with its ETag gives 304."""
    post = load_post(slug)
    if request.if_none_match.contains(post.etag.strip('"')):
        not_modified = no_content()
        not_modified.status_code = 304
        not_modified.headers["ETag"] = post.etag
        return not_modified
    return post_response(post)


def _write(slug: str, *, partial: bool) -> Response:
    body = json_body()
    post = load_post(slug)
    version = expected_version(post, body, required=True)
    document = {key: value for key, value in body.items() if key != "version"}
    try:
        fields = validate_post(document, partial=partial, current=post)
        updated = posts.update(fields, expected_version=version)
    except ValidationError as error:
        raise ApiError(422, "validation_failed", "the post is not valid", fields=error.fields) from error
    except PostNotFound as error:
        raise ApiError(404, "not_found", str(error)) from error
    except VersionConflict as error:
        raise conflict(error) from error
    return post_response(updated)


@app.put("/api/posts/<slug>")
def replace_post(slug: str) -> Response:
    """Replace title, body and format (all required); needs If-Match."""
    return _write(slug, partial=False)


@app.patch("/api/posts/<slug>")
def patch_post(slug: str) -> Response:
    """Change some of title, body and format; needs If-Match."""
    return _write(slug, partial=True)


@app.delete("/api/posts/<slug>")
def delete_post(slug: str) -> Response:
    """Delete a post and its image; honours If-Match when sent."""
    post = load_post(slug)
    version = expected_version(post, None, required=False)
    try:
        deleted = posts.delete(slug, expected_version=version)
    except PostNotFound as error:
        raise ApiError(404, "not_found", str(error)) from error
    except VersionConflict as error:
        raise conflict(error) from error
    if deleted.image is not None:
        delete_image_quietly(deleted.image.key)
    return no_content()


# --- Images -------------------------------------------------------------------------------------------


def delete_image_quietly(key: str) -> None:
    """Delete an image no post points at any more; a failure leaves garbage, never a broken post."""
    try:
        images.delete(key)
    except Exception:
        logger.exception("could not delete unreferenced image %s", key)


@app.put("/api/posts/<slug>/image")
def put_image(slug: str) -> Response:
    """Store the request body as the post's image (PNG, JPEG, GIF or WebP, at most 5 MB).

    The bytes go to a fresh S3 key first; only then does the post point at them (a conditional write).
    If that write fails the new object is removed, so a failed upload leaves the post as it was.
    """
    if request.content_length is not None and request.content_length > MAX_IMAGE_BYTES:
        raise ApiError(413, "too_large", f"images may be at most {MAX_IMAGE_BYTES} bytes")
    data = request.get_data()
    if len(data) > MAX_IMAGE_BYTES:
        raise ApiError(413, "too_large", f"images may be at most {MAX_IMAGE_BYTES} bytes")
    if not data:
        raise ApiError(400, "empty_body", "send the image bytes as the request body")
    actual = sniff_image_type(data)
    declared = request.mimetype
    if actual is None:
        raise ApiError(415, "unsupported_image", f"the body is not a {', '.join(ALLOWED_IMAGE_TYPES)} image")
    if declared and declared not in ("application/octet-stream", actual):
        raise ApiError(
            415, "content_type_mismatch", f"Content-Type says {declared} but the bytes are {actual}"
        )
    post = load_post(slug)
    version = expected_version(post, None, required=False)
    image = Image(key=f"posts/{slug}/{uuid.uuid4().hex}", content_type=actual, size=len(data))
    images.put(image.key, data, actual)
    try:
        before, after = posts.set_image(slug, image, expected_version=version)
    except (PostNotFound, VersionConflict) as error:
        delete_image_quietly(image.key)
        if isinstance(error, VersionConflict):
            raise conflict(error) from error
        raise ApiError(404, "not_found", str(error)) from error
    except Exception:
        delete_image_quietly(image.key)
        raise
    if before.image is not None:
        delete_image_quietly(before.image.key)
    return post_response(after)


@app.get("/api/posts/<slug>/image")
def get_image(slug: str) -> Response:
    """The post's image bytes, with their real Content-Type."""
    post = load_post(slug)
    if post.image is None:
        raise ApiError(404, "not_found", f"post '{slug}' has no image")
    try:
        data = images.get(post.image.key)
    except ImageNotFound as error:
        raise ApiError(404, "not_found", f"the image of post '{slug}' is missing from storage") from error
    response = Response(data, mimetype=post.image.content_type)
    response.set_etag(post.image.key.rsplit("/", 1)[-1])
    response.headers["Cache-Control"] = "public, max-age=300"
    response.make_conditional(request)
    return response
