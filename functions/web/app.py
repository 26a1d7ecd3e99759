"""The blog's pages: a lambda_micro app behind API Gateway's REST API (payload 1.0, stage Prod).

Home (newest first, paginated), one page per post, forms to write, edit and delete posts (CSRF token in
the signed session cookie, flash messages, redirect after a successful post), the post's image, a
stylesheet and a 404 page. Posts live in DynamoDB and images in S3 through the shared ``blog_posts``
package (the stack's BlogPostsLayer, functions/shared), which also renders bodies when posts are written:
pages show the stored HTML and excerpts. lambda_micro comes from the stack's LambdaMicroLayer.

Reading is open to everyone; writing, editing and deleting are for the blog's authors, who sign in on
``/login`` with their Cognito account (sign_in.py: the session then knows them). A new post records its
author.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Any

from blog_posts import (
    FEED_KEY,
    FEED_TYPE,
    SITEMAP_KEY,
    SITEMAP_TYPE,
    Author,
    Cursors,
    ImageNotFound,
    ImageStore,
    InvalidCursor,
    Position,
    Post,
    PostExists,
    PostInput,
    PostNotFound,
    PostRepository,
    ValidationError,
    VersionConflict,
    body_html,
    image_headers,
    is_valid_slug,
    parse_version,
    post_excerpt,
    secret_key,
    thumbnail_key,
    transport_headers,
    validate_post,
)
from forms import FORM_TYPE, undecodable_field
from markupsafe import Markup
from sign_in import SignInError, identity_of, safe_next, sign_in
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers.response import Response as WerkzeugResponse

from lambda_micro import (
    App,
    Identity,
    Response,
    abort,
    flash,
    login_required,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

PAGE_SIZE = 10

app = App(__name__)
logger = logging.getLogger(__name__)
# Pages that need an author send a browser that is not signed in to the login form (API clients get a 401).
app.config["LOGIN_VIEW"] = "login"


app.secret_key = secret_key(logger)
cursors = Cursors(app.secret_key)
# Compile the templates during INIT, so no visitor's request pays for it.
app.preload_templates()
posts = PostRepository.from_environment()
images = ImageStore.from_environment()
handler = app.lambda_handler


# --- CSRF: a random token in the signed session cookie, echoed by every form --------------------------


def csrf_token() -> str:
    """This session's CSRF token (created on first use)."""
    token = session.get("csrf_token")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session["csrf_token"] = token
    return token


def _csrf_ok() -> bool:
    expected = session.get("csrf_token")
    given = request.form.get("csrf_token", "")
    if not isinstance(expected, str) or not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """Render a page; forms call ``csrf_token()``, so only pages with a form touch the session."""
    return render_template(template, csrf_token=csrf_token, author=_signed_in, **context), status


@app.identity_loader
def session_author() -> Identity | None:
    """``request.identity`` for a browser: the author the session remembers, until the sign-in expires."""
    return identity_of(session.get("author"))


def _signed_in() -> dict[str, Any] | None:
    """The author for the page header: ``name``, and ``session`` when signed in on the login form (then
    a sign-out button); ``None`` for a visitor, whose pages start no session."""
    identity = request.identity
    if not identity.authenticated:
        return None
    return {"name": identity.username or identity.subject, "session": "author" in session}


def _author() -> Author:
    identity = request.identity
    name = identity.username or identity.claims.get("email") or ""
    return Author(sub=str(identity.subject), name=str(name))


# --- Signing in and out ---------------------------------------------------------------------------------


@app.route("/login", methods=["GET", "POST"])
def login() -> tuple[str, int] | WerkzeugResponse:
    """The sign-in form; posting it checks the password with Cognito and goes back to ``next``."""
    target = safe_next(request.values.get("next"), url_for("index"))
    if request.method == "GET":
        return page("login.html", next=target, email="", error=None)
    email = request.form.get("email", "").strip()
    try:
        author = sign_in(email, request.form.get("password", ""))
    except SignInError as error:
        return page("login.html", error.status, next=target, email=email, error=str(error))
    session["author"] = author.as_session()
    session["csrf_token"] = secrets.token_urlsafe(32)  # a new token for the signed-in session
    flash(f"Signed in as {author.email}.", "success")
    return redirect(target, code=303)


@app.post("/logout")
def logout() -> WerkzeugResponse:
    """Forget the signed-in author (a form post, CSRF-checked like every other)."""
    session.pop("author", None)
    flash("Signed out.", "success")
    return redirect(url_for("index"), code=303)


@app.before_request
def protect_forms() -> tuple[str, int] | None:
    """Refuse any form post that is not URL-encoded UTF-8 text or does not carry this session's CSRF token."""
    if request.method != "POST":
        return None
    if request.mimetype != FORM_TYPE:
        return page(
            "error.html",
            415,
            title="Unsupported form",
            message=f"This site's forms are sent as {FORM_TYPE}. Go back, reload the page and try again.",
        )
    field = undecodable_field(request.get_data())
    if field is not None:
        return page(
            "error.html",
            400,
            title="Bad form",
            message=f"The form field “{field}” is not valid UTF-8 text. Go back and check what you typed.",
        )
    if not _csrf_ok():
        return page(
            "error.html",
            400,
            title="Form expired",
            message="This form has expired or was not sent from this site. Go back, reload the page and "
            "try again.",
        )
    return None


@app.after_request
def security_headers(response: WerkzeugResponse) -> WerkzeugResponse:
    """Defence in depth for the rendered pages."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'none'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.update(transport_headers(secure=request.is_secure))
    return response


# --- Pages ------------------------------------------------------------------------------------------


def _post_or_404(slug: str) -> Post:
    post = posts.get(slug) if is_valid_slug(slug) else None
    if post is None:
        abort(404)
    return post


@app.get("/")
def index() -> tuple[str, int]:
    """Newest posts first, PAGE_SIZE per page; ``?cursor=`` continues from an "Older posts" link."""
    after: Position | None = None
    cursor = request.args.get("cursor")
    if cursor is not None:
        try:
            after = cursors.decode(cursor)
        except InvalidCursor:
            return page(
                "error.html",
                400,
                title="Bad page link",
                message="That page link is not valid. Start again from the home page.",
            )
    result = posts.list(limit=PAGE_SIZE, after=after)
    older = url_for("index", cursor=cursors.encode(result.next)) if result.next else None
    return page("index.html", posts=result.posts, older=older, excerpt=post_excerpt, first_page=after is None)


@app.get("/posts/<slug>")
def show_post(slug: str) -> tuple[str, int]:
    """One post, its body as rendered when it was written (Markdown sanitised, or plain text escaped)."""
    post = _post_or_404(slug)
    body = Markup(body_html(post))  # noqa: S704 - sanitised HTML, or escaped text (blog_posts.rendering)
    return page("post.html", post=post, body=body)


def _image_of(slug: str, thumbnail: bool) -> Response:
    post = _post_or_404(slug)
    if post.image is None:
        abort(404)
    key = post.image.key
    try:
        data = images.get(thumbnail_key(key) if thumbnail else key)
    except ImageNotFound:
        if not thumbnail:
            abort(404)
        return _image_of(slug, thumbnail=False)  # not made yet: the image itself
    response = Response(data, mimetype=post.image.content_type)
    response.headers.update(image_headers(post.slug, post.image.content_type))
    # Each upload has its own S3 key, so the key identifies these exact bytes (and their thumbnail).
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    response.set_etag("t" + digest[:31] if thumbnail else digest[:32])
    response.headers["Cache-Control"] = "public, max-age=300"
    response.make_conditional(request)
    return response


@app.get("/posts/<slug>/image")
def post_image(slug: str) -> Response:
    """The post's image, from S3; cached by browsers until the post gets a new image."""
    return _image_of(slug, thumbnail=False)


@app.get("/posts/<slug>/thumbnail")
def post_thumbnail(slug: str) -> Response:
    """The post's image, shrunk (the ThumbnailFunction writes it on upload); the image itself until then."""
    return _image_of(slug, thumbnail=True)


def _site_document(key: str, content_type: str) -> Response:
    """A document the FeedFunction wrote to the bucket (404 until the first post is written)."""
    try:
        data = images.get(key)
    except ImageNotFound:
        abort(404)
    response = Response(data, content_type=content_type)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()
    response.make_conditional(request)
    return response


@app.get("/feed.xml")
def feed() -> Response:
    """The Atom feed of the newest posts."""
    return _site_document(FEED_KEY, FEED_TYPE)


@app.get("/sitemap.xml")
def site_map() -> Response:
    """The sitemap of every post."""
    return _site_document(SITEMAP_KEY, SITEMAP_TYPE)


def _form_fields() -> dict[str, str]:
    return {name: request.form.get(name, "") for name in ("title", "slug", "body", "format")}


@app.route("/posts/new", methods=["GET", "POST"])
@login_required
def new_post() -> tuple[str, int] | WerkzeugResponse:
    """The form for a new post; posting it creates the post and redirects to it."""
    if request.method == "GET":
        return page("form.html", mode="new", form={"format": "markdown"}, errors={})
    form = _form_fields()
    try:
        post = posts.create(validate_post(form), author=_author())
    except ValidationError as error:
        return page("form.html", 422, mode="new", form=form, errors=error.fields)
    except PostExists:
        errors = {"slug": "is taken by another post; choose another"}
        return page("form.html", 409, mode="new", form=form, errors=errors)
    flash("Post published.", "success")
    return redirect(url_for("show_post", slug=post.slug), code=303)


def _expected_version() -> int:
    version = parse_version(request.form.get("version", ""))
    if version is None:
        abort(400, description="The form's “version” field is missing or is not the version of a post.")
    return version


@app.route("/posts/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_post(slug: str) -> tuple[str, int] | WerkzeugResponse:
    """Edit a post. The form carries the version it started from, so a concurrent edit is never lost."""
    post = _post_or_404(slug)
    if request.method == "GET":
        form = {"title": post.title, "slug": post.slug, "body": post.body, "format": post.format}
        return page("form.html", mode="edit", post=post, version=post.version, form=form, errors={})
    version = _expected_version()
    form = _form_fields()
    try:
        fields: PostInput = validate_post(form, current=post)
        updated = posts.update(fields, expected_version=version)
    except ValidationError as error:
        return page("form.html", 422, mode="edit", post=post, version=version, form=form, errors=error.fields)
    except PostNotFound:
        abort(404)
    except VersionConflict as conflict:
        # Keep the author's text and offer the current version: saving again overwrites knowingly.
        return page(
            "form.html",
            409,
            mode="edit",
            post=conflict.current,
            version=conflict.current.version,
            form=form,
            errors={},
            conflict=conflict.current,
        )
    flash("Post updated.", "success")
    return redirect(url_for("show_post", slug=updated.slug), code=303)


@app.route("/posts/<slug>/delete", methods=["GET", "POST"])
@login_required
def delete_post(slug: str) -> tuple[str, int] | WerkzeugResponse:
    """Ask for confirmation, then delete the post (and its image)."""
    post = _post_or_404(slug)
    if request.method == "GET":
        return page("delete.html", post=post, version=post.version)
    version = _expected_version()
    try:
        deleted = posts.delete(slug, expected_version=version)
    except PostNotFound:
        abort(404)
    except VersionConflict as conflict:
        return page(
            "delete.html",
            409,
            post=conflict.current,
            version=conflict.current.version,
            conflict=True,
        )
    if deleted.image is not None:
        _delete_image_quietly(deleted.image.key)
    flash(f"Deleted “{deleted.title}”.", "success")
    return redirect(url_for("index"), code=303)


def _delete_image_quietly(key: str) -> None:
    # The post is gone already; a leftover object costs storage, not correctness.
    try:
        images.delete(key)
    except Exception:
        logger.exception("could not delete image %s of a deleted post", key)


@app.errorhandler(404)
def not_found(error: HTTPException) -> tuple[str, int]:
    """The blog's own 404 page."""
    return page("404.html", 404)


@app.errorhandler(400)
def bad_request(error: HTTPException) -> tuple[str, int]:
    """Bad requests get a page, not a bare error."""
    return page("error.html", 400, title="Bad request", message=error.description or "Bad request.")
