"""Authorizer blocks given explicitly to the test client (``authorizer=``), put in the event as they are.

The local gateway's own authorizers (:mod:`lambda_micro.local.auth`) and ``client.as_user(...)`` produce
these kinds too, shaped as API Gateway shapes them.

- ``{"claims": {...}}``: a Cognito user pool authorizer (REST: ``requestContext.authorizer.claims``; on
  payload 2.0 the claims arrive as a JWT authorizer's).
- ``{"jwt": {"claims": {...}, "scopes": [...]}}``: an HTTP API JWT authorizer
  (``requestContext.authorizer.jwt``; payload 1.0 gets ``authorizer.claims`` and ``authorizer.scopes``).
- ``{"lambda": {...}}``: a Lambda authorizer's context (REST: ``authorizer.principalId`` plus the context
  keys, ``principalId`` defaulting to ``"user"``; payload 2.0: ``authorizer.lambda``).
- ``{"iam": {...}}``: IAM authorization (payload 2.0 and Function URLs: ``authorizer.iam``; REST: the caller's
  fields in ``requestContext.identity``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .request import DEFAULT_ACCOUNT_ID

__all__ = ["authorizer_kind", "cognito_authorizer", "iam_authorizer", "jwt_authorizer", "lambda_authorizer"]

_KINDS = ("claims", "jwt", "lambda", "iam")


def cognito_authorizer(claims: Mapping[str, Any]) -> dict[str, Any]:
    """A Cognito user pool authorizer's claims (``{"sub": ..., "email": ...}``)."""
    return {"claims": dict(claims)}


def jwt_authorizer(claims: Mapping[str, Any], scopes: Sequence[str] | None = None) -> dict[str, Any]:
    """An HTTP API JWT authorizer's claims and scopes."""
    return {"jwt": {"claims": dict(claims), "scopes": list(scopes) if scopes is not None else None}}


def lambda_authorizer(
    context: Mapping[str, Any] | None = None, *, principal_id: str = "user"
) -> dict[str, Any]:
    """A Lambda authorizer's context; ``principal_id`` is what a REST API shows as ``principalId``."""
    return {"lambda": {"principalId": principal_id, **dict(context or {})}}


def iam_authorizer(
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    user_arn: str | None = None,
    access_key: str = "AKIAIOSFODNN7EXAMPLE",
    caller_id: str = "AIDACKCEVSQ6C2EXAMPLE",
) -> dict[str, Any]:
    """IAM (SigV4) authorization: the calling principal."""
    return {
        "iam": {
            "accessKey": access_key,
            "accountId": account_id,
            "callerId": caller_id,
            "cognitoIdentity": None,
            "principalOrgId": None,
            "userArn": user_arn or f"arn:aws:iam::{account_id}:user/example-user",
            "userId": caller_id,
        }
    }


def authorizer_kind(authorizer: Mapping[str, Any] | None) -> tuple[str, Mapping[str, Any]] | None:
    """``(kind, context)`` of an ``authorizer=`` mapping; ``ValueError`` naming what is wrong."""
    if authorizer is None:
        return None
    if not isinstance(authorizer, Mapping) or len(authorizer) != 1:
        raise ValueError(
            "authorizer= takes one of {'claims': {...}}, {'jwt': {'claims': {...}, 'scopes': [...]}}, "
            f"{{'lambda': {{...}}}} or {{'iam': {{...}}}}; got {authorizer!r}"
        )
    ((kind, value),) = authorizer.items()
    if kind not in _KINDS:
        raise ValueError(f"unknown authorizer kind {kind!r}: use 'claims', 'jwt', 'lambda' or 'iam'")
    if not isinstance(value, Mapping):
        raise ValueError(f"authorizer[{kind!r}] must be a mapping, got {value!r}")
    return kind, value
