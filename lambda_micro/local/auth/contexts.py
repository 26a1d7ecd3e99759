"""What an authorizer hands the integration, shaped exactly as API Gateway shapes it for each payload.

Every claim of a verified JWT reaches the function as a **string**: on REST (Cognito user pool authorizers,
``requestContext.authorizer.claims``) ``exp`` and ``iat`` become a Java date (``Sun Nov 24 09:00:00 UTC
2024``), other numbers their decimal text and lists their values joined with commas; on HTTP APIs (JWT
authorizers, ``requestContext.authorizer.jwt.claims``) numbers keep their decimal text and lists print as
Go prints a slice, ``[admin editors]``, with ``scopes`` the token's ``scope``/``scp`` as a list, or null.
A REST Lambda authorizer's ``context`` values are stringified beside ``principalId`` (its objects and
arrays are refused); an HTTP API's pass through as JSON under ``authorizer.lambda``.

These forms come from public captures (the REST Cognito ``exp`` date in this repository's
``tests/events/rest_cognito_authorizer.json``; HTTP API's ``[a b]`` lists reported against AWS, e.g.
aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock#802), and from AWS's
documentation of the Lambda authorizer response formats.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

__all__ = [
    "InvalidContext",
    "http_claims",
    "http_scopes",
    "iam_block",
    "rest_claims",
    "rest_lambda_context",
    "token_scopes",
]

_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: The REST claims API Gateway shows as dates (Java's ``Date.toString()``), not as epoch seconds.
_DATE_CLAIMS: Final = frozenset({"exp", "iat"})


class InvalidContext(ValueError):
    """A Lambda authorizer's context API Gateway refuses (a REST context value that is an object or list)."""


def _java_date(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    return f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment:%d %H:%M:%S} UTC {moment.year}"


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rest_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """A verified token's claims as a REST Cognito authorizer passes them (``authorizer.claims``)."""
    result: dict[str, str] = {}
    for name, value in claims.items():
        if name in _DATE_CLAIMS and isinstance(value, int | float) and not isinstance(value, bool):
            result[name] = _java_date(value)
        elif isinstance(value, list | tuple):
            result[name] = ",".join(_scalar_text(item) for item in value)
        elif isinstance(value, Mapping):
            result[name] = json.dumps(value, separators=(",", ":"))
        else:
            result[name] = _scalar_text(value)
    return result


def _go_text(value: object) -> str:
    if isinstance(value, list | tuple):
        return "[" + " ".join(_go_text(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return json.dumps(value, separators=(",", ":"))
    return _scalar_text(value)


def http_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """A verified token's claims as an HTTP API JWT authorizer passes them (``authorizer.jwt.claims``)."""
    return {name: _go_text(value) for name, value in claims.items()}


def token_scopes(claims: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The scopes a token grants (its ``scope``, else ``scp``: a space-separated string or a list)."""
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            return tuple(value.split())
        if isinstance(value, list | tuple):
            return tuple(str(item) for item in value)
    return None


def http_scopes(claims: Mapping[str, Any]) -> list[str] | None:
    """``authorizer.jwt.scopes``: the token's scopes as a list, or null when it carries none."""
    scopes = token_scopes(claims)
    return list(scopes) if scopes is not None else None


def rest_lambda_context(principal_id: str, context: Mapping[str, Any], latency_ms: int) -> dict[str, Any]:
    """A REST Lambda authorizer's output as the integration sees it: every context value a string.

    Raises :class:`InvalidContext` for a value that is an object or an array, which API Gateway refuses
    (the request then gets a 500).
    """
    values: dict[str, Any] = {"principalId": principal_id, "integrationLatency": latency_ms}
    for name, value in context.items():
        if isinstance(value, Mapping | list | tuple):
            raise InvalidContext(
                f"context[{name!r}] is {type(value).__name__}: a REST authorizer's context values must be "
                "strings, numbers or booleans"
            )
        values[str(name)] = None if value is None else _scalar_text(value)
    return values


def iam_block(
    *, access_key: str, account_id: str, caller_id: str, user_arn: str, principal_org_id: str | None = None
) -> dict[str, Any]:
    """The caller of an IAM-authorized request (``authorizer.iam`` on HTTP APIs and Function URLs)."""
    return {
        "accessKey": access_key,
        "accountId": account_id,
        "callerId": caller_id,
        "cognitoIdentity": None,
        "principalOrgId": principal_org_id,
        "userArn": user_arn,
        "userId": caller_id,
    }


def joined(values: Sequence[str]) -> str:
    """Identity source values as a payload 1.0 authorizer event joins them (``"user1,123"``)."""
    return ",".join(values)
