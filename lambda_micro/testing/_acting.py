"""Acting as a user in the test client: ``client.as_user(...)`` and ``client.anonymous()``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lambda_micro.local.auth.dev_issuer import DEV_ISSUER, DevIssuer
from lambda_micro.local.auth.principal import Principal

__all__ = ["DEV_ISSUER", "ActingAs", "dev_token"]


def dev_token(
    *,
    issuer: str = DEV_ISSUER,
    subject: str = "dev-user",
    audience: str | Sequence[str] | None = None,
    scopes: Sequence[str] = (),
    claims: Mapping[str, Any] | None = None,
    expires_in: int = 3600,
) -> str:
    """A JWT signed by the test process's dev issuer (a negative ``expires_in``: an expired one).

    ``function_client(..., enforce_auth=True)`` accepts it for an authorizer whose issuer is
    :data:`DEV_ISSUER`, or for any non-Cognito issuer with ``trust_dev_issuer=True``.
    """
    return DevIssuer.in_memory().token(
        issuer=issuer, subject=subject, audience=audience, scopes=scopes, claims=claims, expires_in=expires_in
    )


class ActingAs:
    """``client.as_user(...)``: a context (``with client.as_user(sub="u1"):``) or a per-call ``user=``.

    ``principal`` is ``None`` for :meth:`Client.anonymous`.
    """

    def __init__(self, client: _Identities, principal: Principal | None) -> None:
        self.client = client
        self.principal = principal

    def __enter__(self) -> Any:
        self.client._acting.append(self.principal)
        return self.client

    def __exit__(self, *exc_info: object) -> None:
        self.client._acting.pop()

    def __repr__(self) -> str:
        return f"<ActingAs {self.principal!r}>"


class _Identities:
    """The client's ``as_user``/``anonymous`` (the principals in effect: ``_acting``, innermost last)."""

    _acting: list[Principal | None]

    def as_user(
        self,
        sub: str = "test-user",
        *,
        username: str | None = None,
        email: str | None = None,
        claims: Mapping[str, Any] | None = None,
        groups: Sequence[str] = (),
        scopes: Sequence[str] = (),
        kind: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> ActingAs:
        """Requests from this user: ``with client.as_user(sub="u1", groups=["editors"]):``, or ``user=`` it.

        Each request's event gets the block the route's authorizer would give this user (REST Cognito
        claims, an HTTP API ``jwt`` block, a Lambda authorizer's context, IAM's caller; without an
        authorizer, the payload's usual one), with no token to make: ``kind`` (``cognito``, ``jwt``,
        ``lambda``, ``iam``) picks another. With ``enforce_auth`` the route's scopes and API key still apply.
        """
        for name, names in (("groups", groups), ("scopes", scopes)):
            if isinstance(names, str):
                raise TypeError(f"as_user({name}=...) takes a list of strings, not a string")
        principal = Principal(
            sub=sub, username=username, email=email, claims=dict(claims or {}), groups=tuple(groups),
            scopes=tuple(scopes), kind=kind, context=dict(context or {}),
        )  # fmt: skip
        return ActingAs(self, principal)

    def anonymous(self) -> ActingAs:
        """Requests from nobody (inside an ``as_user`` block too): ``with client.anonymous():``."""
        return ActingAs(self, None)
