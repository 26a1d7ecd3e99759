"""The blog's authors: writes behind a Cognito user (the API's JWT authorizer, the web function's sign-in),
reads open to everyone, posts recording who wrote them. Cognito is moto's, with the template's pool."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from lambda_micro.local.cognito import LocalUser
from lambda_micro.testing.plugin import AwsResources

from .conftest import csrf_from, form_body, header

ORIGIN = "http://localhost:5173"


@pytest.fixture
def author(aws: AwsResources) -> LocalUser:
    return aws.cognito.add_user("ada@example.com", password="Correct-Horse-42")


@pytest.fixture
def id_token(aws: AwsResources, author: LocalUser) -> str:
    token: str = aws.cognito.tokens(author.username, author.password)["IdToken"]
    return token


@pytest.fixture
def guarded_api(function_client: Any) -> Any:
    """The API as API Gateway serves it: its JWT authorizer enforced."""
    return function_client("ApiFunction", enforce_auth=True)


POST = {"title": "By an author", "body": "Hello", "slug": "by-an-author"}


# -- the JSON API --------------------------------------------------------------------------------------------


def test_api_writes_need_a_token_reads_do_not(guarded_api: Any) -> None:
    refused = guarded_api.post("/api/posts", json=POST)
    assert (refused.status_code, refused.json) == (401, {"message": "Unauthorized"})  # API Gateway's own
    assert header(refused, "www-authenticate") == "Bearer"
    assert refused.event is None  # the function never ran
    for method, path in (("PUT", "/api/posts/x"), ("PATCH", "/api/posts/x"), ("DELETE", "/api/posts/x")):
        assert guarded_api.request(method, path, json={}).status_code == 401
    assert guarded_api.put("/api/posts/x/image", body=b"x").status_code == 401
    assert guarded_api.get("/api/posts").status_code == 200
    assert guarded_api.get("/api/posts/none").status_code == 404  # the function's answer: it ran


def test_api_create_with_a_cognito_token_records_the_author(
    guarded_api: Any, id_token: str, author: LocalUser
) -> None:
    created = guarded_api.post("/api/posts", json=POST, headers={"Authorization": f"Bearer {id_token}"})
    assert created.status_code == 201, created.text
    assert created.json["author"] == {"sub": author.sub, "name": "ada@example.com"}
    assert guarded_api.get("/api/posts/by-an-author").json["author"]["sub"] == author.sub
    listed = guarded_api.get("/api/posts").json["items"][0]
    assert listed["author"] == {"sub": author.sub, "name": "ada@example.com"}


def test_api_accepts_the_access_token_too(guarded_api: Any, aws: AwsResources, author: LocalUser) -> None:
    access = aws.cognito.tokens(author.username, author.password)["AccessToken"]
    headers = {"Authorization": f"Bearer {access}"}
    assert guarded_api.post("/api/posts", json=POST, headers=headers).status_code == 201
    replaced = guarded_api.put(
        "/api/posts/by-an-author",
        json={"title": "New", "body": "b", "format": "text"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert replaced.status_code == 200, replaced.text


def test_api_refuses_a_tampered_token(guarded_api: Any, id_token: str) -> None:
    head, payload, signature = id_token.split(".")
    forged = f"{head}.{payload[:-4]}AAAA.{signature}"
    assert (
        guarded_api.post("/api/posts", json=POST, headers={"Authorization": f"Bearer {forged}"}).status_code
        == 401
    )


def test_api_preflight_stays_open_and_allows_the_authorization_header(guarded_api: Any) -> None:
    preflight = guarded_api.options(
        "/api/posts", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 204
    assert "Authorization" in (header(preflight, "Access-Control-Allow-Headers") or "")


def test_api_app_refuses_an_anonymous_write_even_without_the_authorizer(function_client: Any) -> None:
    """Defence in depth: the app checks the identity too (without the authorizer, writes stay closed)."""
    api = function_client("ApiFunction")  # enforce_auth off: the authorizer does not run
    response = api.post("/api/posts", json=POST)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert header(response, "WWW-Authenticate") == "Bearer"


# -- the pages: sign in on the login form -------------------------------------------------------------------


@pytest.fixture
def visitor(function_client: Any) -> Any:
    return function_client("WebFunction")


def sign_in(client: Any, email: str, password: str, next_path: str | None = None) -> Any:
    query = {"next": next_path} if next_path else None
    form = client.get("/login", query=query)
    assert form.status_code == 200
    fields = {"csrf_token": csrf_from(form.text), "email": email, "password": password}
    if next_path:
        fields["next"] = next_path
    return client.post("/login", **form_body(fields))


def test_writing_pages_send_a_visitor_to_sign_in(visitor: Any) -> None:
    page = visitor.get("/posts/new", headers={"Accept": "text/html"})
    assert page.status_code == 303
    assert page.location == "/Prod/login?next=/Prod/posts/new"
    home = visitor.get("/")
    assert home.status_code == 200
    assert 'id="sign-in-link"' in home.text
    assert header(home, "Set-Cookie") is None  # reading starts no session


def test_an_author_signs_in_writes_and_signs_out(visitor: Any, author: LocalUser) -> None:
    signed_in = sign_in(visitor, "ada@example.com", author.password, "/Prod/posts/new")
    assert signed_in.status_code == 303
    assert signed_in.location == "/Prod/posts/new"
    form = visitor.get("/posts/new")
    assert form.status_code == 200
    assert 'id="signed-in">ada@example.com<' in form.text
    created = visitor.post(
        "/posts/new", **form_body({"csrf_token": csrf_from(form.text), "title": "Signed", "body": "text"})
    )
    assert created.status_code == 303, created.text
    post = visitor.get("/posts/signed")
    assert 'id="post-author">ada@example.com<' in post.text
    out = visitor.post("/logout", **form_body({"csrf_token": csrf_from(post.text)}))
    assert out.status_code == 303
    assert visitor.get("/posts/new").status_code == 303  # signed out: back to the login form


def test_a_wrong_password_is_refused_on_the_form(visitor: Any, author: LocalUser) -> None:
    refused = sign_in(visitor, "ada@example.com", "not-the-password")
    assert refused.status_code == 401
    assert "Wrong email or password." in refused.text
    assert 'value="ada@example.com"' in refused.text  # the email is kept
    assert sign_in(visitor, "nobody@example.com", "x").status_code == 401


def test_sign_in_never_redirects_off_site(visitor: Any, author: LocalUser) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        answer = sign_in(visitor, "ada@example.com", author.password, target)
        assert answer.location == "/Prod/", target


def test_a_user_with_a_temporary_password_is_told_what_to_do(visitor: Any, aws: AwsResources) -> None:
    pool = aws.template.user_pool() if aws.template else None
    assert pool is not None
    boto3.client("cognito-idp", region_name=aws.region).admin_create_user(
        UserPoolId=pool.pool_id,
        Username="new@example.com",
        TemporaryPassword="Temporary-Pass-1",
        MessageAction="SUPPRESS",
    )
    answer = sign_in(visitor, "new@example.com", "Temporary-Pass-1")
    assert answer.status_code == 403
    assert "NEW_PASSWORD_REQUIRED" in answer.text
    assert "admin-set-user-password" in answer.text
