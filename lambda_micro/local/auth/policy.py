"""A Lambda authorizer's IAM policy, evaluated against the request's method (or route) ARN as IAM does.

A statement applies when its ``Action`` matches ``execute-api:Invoke`` (case-insensitively; ``*`` and
``?`` are wildcards, so ``execute-api:*`` and ``*`` match) and its ``Resource`` matches the ARN
(``arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/{METHOD}/{path}``, wildcards again). Any
matching ``Deny`` wins; otherwise a matching ``Allow`` allows; otherwise the request is denied implicitly.
``NotAction``/``NotResource`` are honoured (a statement then applies to what they do not match).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import Enum
from functools import lru_cache
from typing import Any

__all__ = ["Decision", "PolicyError", "evaluate", "method_arn"]

_ACTION = "execute-api:Invoke"


class PolicyError(ValueError):
    """A policy document API Gateway would reject (the request then gets a 500)."""


class Decision(Enum):
    """What a policy says about one ARN."""

    ALLOW = "allow"
    EXPLICIT_DENY = "explicit deny"
    IMPLICIT_DENY = "no statement allows it"


def method_arn(*, region: str, account_id: str, api_id: str, stage: str, method: str, path: str) -> str:
    """The ARN API Gateway authorizes: ``arn:aws:execute-api:region:account:api/stage/METHOD/path``."""
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{method.upper()}/{path.lstrip('/')}"


@lru_cache(maxsize=512)
def _pattern(text: str, ignore_case: bool) -> re.Pattern[str]:
    parts = (".*" if char == "*" else "." if char == "?" else re.escape(char) for char in text)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _strings(value: Any, what: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(item, str) for item in items):
        raise PolicyError(f"a statement's {what} must be a string or a list of strings, got {value!r}")
    return items


def _matches(statement: Mapping[str, Any], key: str, target: str, ignore_case: bool) -> bool:
    """Whether the statement's ``key`` (or ``Not``+``key``) covers ``target``."""
    if key in statement:
        return any(_pattern(p, ignore_case).fullmatch(target) for p in _strings(statement[key], key))
    negated = f"Not{key}"
    if negated in statement:
        return not any(
            _pattern(p, ignore_case).fullmatch(target) for p in _strings(statement[negated], negated)
        )
    raise PolicyError(f"a statement needs {key} or {negated}")


def statements(document: object) -> Sequence[Mapping[str, Any]]:
    """The policy document's statements (``Statement`` may be one object or a list)."""
    if not isinstance(document, Mapping):
        raise PolicyError(f"policyDocument must be an object, got {document!r}")
    found = document.get("Statement")
    items = [found] if isinstance(found, Mapping) else found
    if not isinstance(items, list) or not items:
        raise PolicyError("policyDocument.Statement must be a statement or a non-empty list of them")
    for item in items:
        if not isinstance(item, Mapping):
            raise PolicyError(f"a statement must be an object, got {item!r}")
        if item.get("Effect") not in ("Allow", "Deny"):
            raise PolicyError(f"a statement's Effect must be Allow or Deny, got {item.get('Effect')!r}")
    return items


def evaluate(document: object, arn: str) -> Decision:
    """What the policy ``document`` decides for ``arn`` (:class:`PolicyError` for a malformed one)."""
    allowed = False
    for statement in statements(document):
        if not (_matches(statement, "Action", _ACTION, True) and _matches(statement, "Resource", arn, False)):
            continue
        if statement["Effect"] == "Deny":
            return Decision.EXPLICIT_DENY
        allowed = True
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY
