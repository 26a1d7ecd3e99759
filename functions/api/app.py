"""The blog's JSON API: a lambda_micro app behind API Gateway's HTTP API (payload 2.0).

- ``GET /api/posts`` (``?limit=&cursor=``, newest first) and ``POST /api/posts``;
- ``GET/PUT/PATCH/DELETE /api/posts/{slug}`` with optimistic concurrency: every post has a ``version``,
  sent as a strong ``ETag``; PUT, PATCH and DELETE need ``If-Match`` (PUT and PATCH may send ``version`` in
  the body instead) and fail with 412 when the post has changed since, so no update is ever lost;
- ``GET/PUT /api/posts/{slug}/image``: PNG, JPEG, GIF or WebP, up to 5 MB, decoded and re-encoded
  (imaging.py), stored in S3 and served back as binary.

Writes are for the blog's authors: the HTTP API's JWT authorizer (template.yaml, ``BlogAuthors``) checks
their Cognito token before the function runs, and the app checks again (``login_required``: a 401 should the
authorizer ever be removed). A new post records its author, ``request.identity``'s subject and email.

Errors are JSON: ``{"error": {"code": ..., "message": ..., "fields": {...}}}`` (http_errors.py). CORS is
answered by the app itself (not by the HTTP API's CorsConfiguration) so it behaves the same locally, in tests
and on AWS. Every response says ``X-Content-Type-Options: nosniff``, and over https
``Strict-Transport-Security``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from typing import Any

from blog_posts import (
    MAX_IMAGE_BYTES,
    Author,
    Cursors,
    Image,
    ImageNotFound,
    ImageStore,
    InvalidCursor,
    Position,
    Post,
    PostExists,
    PostNotFound,
    PostRepository,
    ValidationError,
    VersionConflict,
    body_html,
    image_headers,
    is_valid_slug,
    post_excerpt,
    secret_key,
    transport_headers,
    validate_post,
)
from blog_posts.headers import NOSNIFF
from blog_posts.repository import MAX_PAGE_SIZE
from http_errors import ApiError, error_response
from imaging import ImageRejected, clean_image
from json_input import JsonInputError, parse_object
from preconditions import conflict, entity_tags, expected_version
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers.response import Response as WerkzeugResponse

from lambda_micro import App, Response, login_required, request, url_for

DEFAULT_PAGE_SIZE = 20
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match"
CORS_EXPOSE = "ETag, Location"

# ASCII digits only: "²" is a digit to str.isdigit, and 5,000 digits are too many for int().
LIMIT_PATTERN = re.compile(r"[0-9]{1,3}")

app = App(__name__)
logger = logging.getLogger(__name__)
app.secret_key = secret_key(logger)
cursors = Cursors(app.secret_key)
posts = PostRepository.from_environment()
images = ImageStore.from_environment()
allowed_origins = frozenset(
    origin.strip().rstrip("/")
    for origin in os.environ.get("CORS_ALLOW_ORIGIN", "").split(",")
    if origin.strip()
)
handler = app.lambda_handler


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
def security_headers(response: WerkzeugResponse) -> WerkzeugResponse:
    """No content sniffing of anything this API answers, and HSTS over https (errors included)."""
    response.headers["X-Content-Type-Options"] = NOSNIFF
    response.headers.update(transport_headers(secure=request.is_secure))
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


def post_document(post: Post, *, with_html: bool = True) -> dict[str, Any]:
    """The JSON representation of a post; ``with_html`` False for listings, which show excerpts (and whose
    pages stay well inside Lambda's 6 MB response: a post's source and HTML are up to 350 KB)."""
    image = None
    if post.image is not None:
        image = {
            "url": url_for("get_image", slug=post.slug),
            "content_type": post.image.content_type,
            "size": post.image.size,
        }
    document: dict[str, Any] = {
        "slug": post.slug,
        "title": post.title,
        "body": post.body,
        "format": post.format,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "version": post.version,
        "url": url_for("get_post", slug=post.slug),
        "image": image,
        "excerpt": post_excerpt(post),
        "author": {"sub": post.author.sub, "name": post.author.name} if post.author is not None else None,
    }
    if with_html:
        # Rendered when the post was written (sanitised HTML, or the plain text escaped).
        document["html"] = body_html(post)
    return document


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
    try:
        return parse_object(request.get_data())
    except JsonInputError as error:
        fields = {error.field: "is nested too deeply"} if error.field is not None else None
        raise ApiError(400, "invalid_json", str(error), fields=fields) from error


def load_post(slug: str) -> Post:
    """The post, or a 404."""
    post = posts.get(slug) if is_valid_slug(slug) else None
    if post is None:
        raise ApiError(404, "not_found", f"no post with slug '{slug}'")
    return post


# --- Posts --------------------------------------------------------------------------------------------


@app.get("/api/posts")
def list_posts() -> Response:
    """Newest first: ``limit`` (1-100, default 20), ``cursor`` from the last page's ``next_cursor``."""
    raw_limit = request.args.get("limit", str(DEFAULT_PAGE_SIZE))
    if not LIMIT_PATTERN.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= MAX_PAGE_SIZE:
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
            after = cursors.decode(cursor)
        except InvalidCursor as exc:
            raise ApiError(400, "invalid_cursor", str(exc), fields={"cursor": str(exc)}) from exc
    page = posts.list(limit=int(raw_limit), after=after)
    document = {
        "items": [post_document(post, with_html=False) for post in page.posts],
        "next_cursor": cursors.encode(page.next) if page.next else None,
    }
    return Response(json.dumps(document), mimetype="application/json")


def current_author() -> Author:
    """The signed-in author (``login_required`` let the request in): subject, and email to show."""
    identity = request.identity
    name = identity.claims.get("email") or identity.username or identity.subject
    return Author(sub=str(identity.subject), name=str(name))


@app.post("/api/posts")
@login_required
def create_post() -> Response:
    """Create a post from ``{"title", "body", "format"?, "slug"?}``; 409 if the slug is taken."""
    body = json_body()
    try:
        post = posts.create(validate_post(body), author=current_author())
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
    if_none_match = entity_tags("If-None-Match")
    if if_none_match is not None and if_none_match.matches_weakly(str(post.version)):
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
@login_required
def replace_post(slug: str) -> Response:
    """Replace title, body and format (all required); needs If-Match."""
    return _write(slug, partial=False)


@app.patch("/api/posts/<slug>")
@login_required
def patch_post(slug: str) -> Response:
    """Change some of title, body and format; needs If-Match."""
    return _write(slug, partial=True)


@app.delete("/api/posts/<slug>")
@login_required
def delete_post(slug: str) -> Response:
    """Delete a post and its image; needs If-Match, as a delete based on a stale read loses an update too."""
    post = load_post(slug)
    version = expected_version(post, None, required=True)
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
@login_required
def put_image(slug: str) -> Response:
    """Store the request body as the post's image (PNG, JPEG, GIF or WebP, at most 5 MB), re-encoded.

    The re-encoded bytes go to a fresh S3 key first; only then does the post point at them (a conditional
    write). If that write fails the new object is removed, so a failed upload leaves the post as it was.
    """
    if request.content_length is not None and request.content_length > MAX_IMAGE_BYTES:
        raise ApiError(413, "too_large", f"images may be at most {MAX_IMAGE_BYTES} bytes")
    data = request.get_data()
    if len(data) > MAX_IMAGE_BYTES:
        raise ApiError(413, "too_large", f"images may be at most {MAX_IMAGE_BYTES} bytes")
    if not data:
        raise ApiError(400, "empty_body", "send the image bytes as the request body")
    # The cheap checks first: decoding up to 5 MB is the expensive part.
    post = load_post(slug)
    version = expected_version(post, None, required=False)
    try:
        clean = clean_image(data)
    except ImageRejected as error:
        raise ApiError(error.status, error.code, str(error)) from error
    actual = clean.content_type
    declared = request.mimetype
    if declared and declared not in ("application/octet-stream", actual):
        raise ApiError(
            415, "content_type_mismatch", f"Content-Type says {declared} but the bytes are {actual}"
        )
    if len(clean.data) > MAX_IMAGE_BYTES:
        message = f"the image is {len(clean.data)} bytes once re-encoded; at most {MAX_IMAGE_BYTES}"
        raise ApiError(413, "too_large", message)
    image = Image(key=f"posts/{slug}/{uuid.uuid4().hex}", content_type=actual, size=len(clean.data))
    images.put(image.key, clean.data, actual)
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
    """The post's image bytes, with their Content-Type, served as nothing but an image."""
    post = load_post(slug)
    entity_tags("If-None-Match")  # a malformed one is a 400 here too
    if post.image is None:
        raise ApiError(404, "not_found", f"post '{slug}' has no image")
    try:
        data = images.get(post.image.key)
    except ImageNotFound as error:
        raise ApiError(404, "not_found", f"the image of post '{slug}' is missing from storage") from error
    response = Response(data, mimetype=post.image.content_type)
    response.headers.update(image_headers(post.slug, post.image.content_type))
    response.set_etag(post.image.key.rsplit("/", 1)[-1])
    response.headers["Cache-Control"] = "public, max-age=300"
    response.make_conditional(request)
    return response
