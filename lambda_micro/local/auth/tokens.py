"""Verifying a JWT the way API Gateway's JWT and Cognito authorizers do (joserfc does the cryptography).

The order is AWS's (HTTP API JWT authorizers, "Authorizing API requests with a JWT authorizer"): decode the
token; check its algorithm (RSA only) and its signature with the issuer's key its ``kid`` names; then the
claims: ``iss`` must be the issuer, ``aud`` (or ``client_id`` when there is no ``aud``) one of the audiences,
``exp`` after now, ``nbf`` and ``iat`` before now. Each refusal says which check failed
(:class:`TokenRejected`), for the log and for HTTP APIs' ``www-authenticate`` header.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Collection, Mapping
from typing import Any, Final

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

__all__ = ["TokenRejected", "bearer_token", "check_claims", "unverified_header", "verify_signature"]

#: API Gateway's JWT authorizers verify RSA signatures only.
RSA_ALGORITHMS: Final = ("RS256", "RS384", "RS512")


class TokenRejected(Exception):
    """The token fails a check; ``description`` names which (AWS's wording where AWS publishes one)."""

    def __init__(self, description: str, *, expired: bool = False) -> None:
        super().__init__(description)
        self.description = description
        self.expired = expired


def bearer_token(value: str | None) -> str | None:
    """The token in an ``Authorization`` value: as is, or after ``Bearer`` (an HTTP API accepts both)."""
    if value is None:
        return None
    text = value.strip()
    if text.lower() == "bearer":
        return None
    if text[:7].lower() == "bearer ":
        text = text[7:].strip()
    return text or None


def _segment(text: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def unverified_header(token: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The token's header and claims before verification (to pick the key, to name the issuer)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenRejected("the token is not a JWT (three base64url segments)")
    try:
        header, claims = _segment(parts[0]), _segment(parts[1])
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise TokenRejected("the token is not a JWT (its header or claims are not base64url JSON)") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise TokenRejected("the token is not a JWT (its header or claims are not JSON objects)")
    return header, claims


def verify_signature(token: str, keys: KeySet) -> dict[str, Any]:
    """The token's claims once its algorithm and signature check out against ``keys``."""
    header, _ = unverified_header(token)
    algorithm = header.get("alg")
    if algorithm not in RSA_ALGORITHMS:
        raise TokenRejected(f"the token is signed with {algorithm!r}; only RSA algorithms are supported")
    kid = header.get("kid")
    key = next((key for key in keys.keys if key.kid == kid), None)
    if key is None:
        raise TokenRejected(f"the token's kid {kid!r} matches none of the issuer's keys")
    try:
        return dict(jwt.decode(token, key, algorithms=[str(algorithm)]).claims)
    except JoseError:
        raise TokenRejected("the token's signature is invalid") from None


def _number(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenRejected(f"the token's {name} is not a number")
    return float(value)


def check_claims(
    claims: Mapping[str, Any],
    *,
    issuers: Collection[str],
    audience: Collection[str] | None,
    now: float | None = None,
) -> None:
    """Check ``iss``, ``aud``/``client_id`` (unless ``audience`` is ``None``), ``exp``, ``nbf``, ``iat``."""
    if claims.get("iss") not in issuers:
        raise TokenRejected(f"the token's issuer {claims.get('iss')!r} is not {' or '.join(sorted(issuers))}")
    if audience is not None:
        claimed = claims["aud"] if "aud" in claims else claims.get("client_id")
        values = claimed if isinstance(claimed, list) else [claimed]
        if not any(value in audience for value in values):
            raise TokenRejected("the token does not have a valid audience")
    moment = time.time() if now is None else now
    expires = _number(claims, "exp")
    if expires is None:
        raise TokenRejected("the token has no exp")
    if moment >= expires:
        raise TokenRejected("the token has expired", expired=True)
    not_before = _number(claims, "nbf")
    if not_before is not None and moment < not_before:
        raise TokenRejected("the token is not valid yet (nbf)")
    issued = _number(claims, "iat")
    if issued is not None and moment + 1 < issued:  # a second's grace: iat is whole seconds
        raise TokenRejected("the token was issued in the future (iat)")
