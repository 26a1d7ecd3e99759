"""Authors sign in on the login form: Cognito checks the password, the signed session remembers who.

A browser sends no ``Authorization`` header with a form, so the pages cannot sit behind an API Gateway
authorizer the way the JSON API does. Instead the web function calls Cognito's ``InitiateAuth``
(``USER_PASSWORD_AUTH``, the blog's app client, ``USER_POOL_CLIENT_ID``) with what the author typed, and keeps
the ID token's subject, email, groups and expiry in the session cookie, which is signed with the app's secret
key: the pages then know the author (``request.identity``, through the app's identity loader) until the token
would have expired, when they ask to sign in again.

The ID token's signature is not checked here: it comes straight from Cognito's endpoint over TLS, in the
response to this function's own call, which OpenID Connect Core 1.0 (section 3.1.3.7, item 6) allows in
place of the signature check. Locally the same call reaches the embedded AWS's Cognito (moto).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

import boto3
from blog_posts import require_env

from lambda_micro import Identity

__all__ = ["SignInError", "SignedIn", "identity_of", "safe_next", "sign_in"]

_client: Any = None


class SignInError(Exception):
    """Cognito refused the sign-in; ``status`` is the page's status, the message is for the author."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SignedIn:
    """Who signed in, as kept in the session."""

    sub: str
    email: str
    groups: list[str]
    expires: int

    def as_session(self) -> dict[str, Any]:
        """The session's ``author`` value (JSON)."""
        return {"sub": self.sub, "email": self.email, "groups": self.groups, "exp": self.expires}


def _cognito() -> Any:
    global _client  # noqa: PLW0603 - one client per container, made on the first sign-in
    if _client is None:
        _client = boto3.client("cognito-idp")
    return _client


def _claims(id_token: str) -> dict[str, Any]:
    payload = id_token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def sign_in(email: str, password: str) -> SignedIn:
    """Check ``email`` and ``password`` with Cognito; raise :class:`SignInError` saying why not."""
    cognito = _cognito()
    errors = cognito.exceptions
    try:
        answer = cognito.initiate_auth(
            ClientId=require_env("USER_POOL_CLIENT_ID"),
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except (errors.NotAuthorizedException, errors.UserNotFoundException):
        raise SignInError("Wrong email or password.") from None
    except errors.UserNotConfirmedException:
        raise SignInError("This account is not confirmed yet.", 403) from None
    except errors.PasswordResetRequiredException:
        raise SignInError("This account's password must be reset by an administrator first.", 403) from None
    except errors.TooManyRequestsException:
        raise SignInError("Too many sign-in attempts; wait a minute and try again.", 429) from None
    result = answer.get("AuthenticationResult")
    if not result:
        # NEW_PASSWORD_REQUIRED (an administrator created the user with a temporary password), MFA...
        raise SignInError(
            f"Cognito asks for {answer.get('ChallengeName', 'another step')}, which this form does not "
            "offer: an administrator can set a permanent password (aws cognito-idp admin-set-user-password "
            "--permanent).",
            403,
        )
    claims = _claims(result["IdToken"])
    groups = claims.get("cognito:groups") or []
    return SignedIn(
        sub=str(claims["sub"]),
        email=str(claims.get("email") or email),
        groups=[str(group) for group in groups] if isinstance(groups, list) else [str(groups)],
        expires=int(claims.get("exp") or time.time() + int(result.get("ExpiresIn", 3600))),
    )


def identity_of(author: object) -> Identity | None:
    """The session's ``author`` as ``request.identity`` (``None``: absent, malformed or expired)."""
    if not isinstance(author, dict):
        return None
    expires = author.get("exp")
    if not isinstance(expires, int) or expires <= time.time() or not isinstance(author.get("sub"), str):
        return None
    groups = author.get("groups")
    return Identity(
        "cognito",
        subject=author["sub"],
        username=str(author.get("email") or ""),
        groups=[str(group) for group in groups] if isinstance(groups, list) else [],
        claims={"sub": author["sub"], "email": author.get("email")},
    )


def safe_next(target: str | None, default: str) -> str:
    """Where to go after signing in: a path of this site only (never ``//host`` or another origin)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target
