"""The template's Cognito user pools, app clients and groups, and its API Gateway API keys (plain data).

:mod:`.cognito` reads them. Each has the id ``!Ref`` gives it (``<region>_<9 characters>`` for a pool, 26
characters for a client: :meth:`.stack.Stack.physical_name`), which the local AWS creates it under.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ApiKey", "UserPool", "UserPoolClient", "UserPoolGroup"]


@dataclass
class UserPool:
    """An ``AWS::Cognito::UserPool``: created in the local AWS under ``pool_id``."""

    logical_id: str
    pool_id: str
    name: str
    arn: str
    request: dict[str, Any] = field(default_factory=dict)  # the CreateUserPool parameters
    line: int | None = None

    @property
    def issuer(self) -> str:
        """The ``iss`` of the pool's tokens, also a JWT authorizer's issuer for it."""
        region = self.pool_id.split("_", 1)[0]
        return f"https://cognito-idp.{region}.amazonaws.com/{self.pool_id}"

    @property
    def username_is_email(self) -> bool:
        """Users sign in with their email address (``UsernameAttributes: [email]``)."""
        return "email" in (self.request.get("UsernameAttributes") or [])


@dataclass
class UserPoolClient:
    """An ``AWS::Cognito::UserPoolClient`` of one of the template's pools."""

    logical_id: str
    client_id: str
    pool: str  # the pool's logical id
    name: str
    request: dict[str, Any] = field(default_factory=dict)  # the CreateUserPoolClient parameters
    line: int | None = None

    @property
    def generates_secret(self) -> bool:
        """The client has a secret (its InitiateAuth calls then need a SECRET_HASH)."""
        value = self.request.get("GenerateSecret")
        return value is True or (isinstance(value, str) and value.lower() == "true")


@dataclass
class UserPoolGroup:
    """An ``AWS::Cognito::UserPoolGroup``."""

    logical_id: str
    name: str
    pool: str  # the pool's logical id
    description: str = ""
    precedence: int | None = None
    line: int | None = None


@dataclass
class ApiKey:
    """An ``AWS::ApiGateway::ApiKey``. Without a ``Value``, AWS generates one; locally it is ``value``."""

    logical_id: str
    key_id: str
    value: str
    enabled: bool = True
    generated: bool = False  # the template sets no Value
    line: int | None = None
