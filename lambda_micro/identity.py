"""``request.identity``: who made the request, read from what the authorizer put in the event.

One read-only :class:`Identity` for every event source and authorizer, so a view never digs through the
shape-specific dicts API Gateway, Function URLs and VPC Lattice send (the adapter keeps the event; nothing
here verifies a token: the gateway did, before the function was invoked):

==========================================  =======================================================  =========
where the event carries it                  what sends it                                            ``kind``
==========================================  =======================================================  =========
``requestContext.authorizer.claims``        REST Cognito user pool authorizer (every value a         cognito
                                            string; ``cognito:groups`` comma-joined)
``requestContext.authorizer.jwt``           HTTP API JWT authorizer, payload 2.0 (values strings,    cognito /
                                            lists as ``[a b]``; ``scopes`` a list or null)           jwt
``requestContext.authorizer.claims`` +      HTTP API JWT authorizer, payload 1.0                     cognito /
``.scopes``                                                                                          jwt
``requestContext.authorizer.principalId``   REST Lambda authorizer (its ``context`` keys beside it)  lambda
``requestContext.authorizer.lambda``        HTTP API Lambda authorizer (its ``context``)             lambda
``requestContext.authorizer.iam``           HTTP API / Function URL IAM (SigV4) authorization        iam
``requestContext.identity.userArn``...      REST API IAM authorization                               iam
``requestContext.identity.type: AWS_IAM``   VPC Lattice (event structure version 2) IAM auth         iam
==========================================  =======================================================  =========

A JWT is ``cognito`` when its issuer is a Cognito user pool (``https://cognito-idp.``), else ``jwt``.
Anything else (no authorizer, an ALB, Lambda@Edge, a WSGI request outside Lambda) is the anonymous
identity, ``kind == "none"``. An app can supply the identity itself when the event has none (a login kept
in the session): ``@app.identity_loader``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal

__all__ = ["Identity", "IdentityKind", "identity_from_event", "parse_list_claim"]

#: What authenticated the caller: a Cognito user pool, another JWT issuer, a Lambda authorizer, IAM, none.
IdentityKind = Literal["cognito", "jwt", "lambda", "iam", "none"]

_KINDS: Final = ("cognito", "jwt", "lambda", "iam", "none")
_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})
# What a REST Lambda authorizer's block holds besides the authorizer's own context.
_REST_AUTHORIZER_KEYS: Final = frozenset({"principalId", "integrationLatency", "integrationStatus"})


class Identity:
    """Who made the request (``request.identity``): read-only, the same for every source and authorizer.

    ``claims`` are the token's claims as the event carries them (API Gateway makes every value a string),
    a Lambda authorizer's context, or the IAM caller's fields; ``raw`` is the authorizer's block exactly as
    in the event. ``scopes`` and ``groups`` are parsed from whichever form the authorizer used (a list, a
    space-separated ``scope``, a comma-joined or ``[a b]`` ``cognito:groups``).
    """

    __slots__ = (
        "claims",
        "groups",
        "kind",
        "principal_id",
        "raw",
        "scopes",
        "source_ip",
        "subject",
        "username",
    )

    kind: IdentityKind
    subject: str | None
    claims: Mapping[str, Any]
    scopes: tuple[str, ...]
    groups: tuple[str, ...]
    principal_id: str | None
    username: str | None
    source_ip: str | None
    raw: Mapping[str, Any]

    def __init__(
        self,
        kind: IdentityKind = "none",
        *,
        subject: str | None = None,
        claims: Mapping[str, Any] | None = None,
        scopes: Iterable[str] = (),
        groups: Iterable[str] = (),
        principal_id: str | None = None,
        username: str | None = None,
        source_ip: str | None = None,
        raw: Mapping[str, Any] | None = None,
    ) -> None:
        if kind not in _KINDS:
            raise ValueError(f"Identity kind must be one of {', '.join(_KINDS)}; got {kind!r}")
        for name, names in (("scopes", scopes), ("groups", groups)):
            if isinstance(names, str):
                raise TypeError(f"Identity {name} must be an iterable of strings, not the string {names!r}")
        values: dict[str, object] = {
            "kind": kind,
            "subject": subject,
            "claims": MappingProxyType(dict(claims)) if claims else _EMPTY,
            "scopes": tuple(scopes),
            "groups": tuple(groups),
            "principal_id": principal_id,
            "username": username,
            "source_ip": source_ip,
            "raw": MappingProxyType(dict(raw)) if raw else _EMPTY,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def authenticated(self) -> bool:
        """Whether an authorizer (or the app's identity loader) identified the caller."""
        return self.kind != "none"

    def has_scopes(self, *scopes: str) -> bool:
        """Whether every one of ``scopes`` was granted."""
        return all(scope in self.scopes for scope in scopes)

    def in_groups(self, *groups: str) -> bool:
        """Whether the caller is in every one of ``groups``."""
        return all(group in self.groups for group in groups)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Identity is read-only (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Identity is read-only (cannot delete {name!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Identity):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    def __hash__(self) -> int:
        return hash((self.kind, self.subject, self.principal_id, self.scopes, self.groups))

    def __repr__(self) -> str:
        if not self.authenticated:
            return f"<Identity none source_ip={self.source_ip!r}>"
        return f"<Identity {self.kind} subject={self.subject!r} username={self.username!r}>"


def parse_list_claim(value: object) -> tuple[str, ...]:
    """A list-valued claim in any of the forms API Gateway delivers it, as a tuple of strings.

    A JSON list stays a list; HTTP APIs render a list claim the way Go prints a slice (``"[admin
    editors]"``); REST Cognito authorizers join the values with commas (``"admin,editors"``).
    """
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        return tuple(text[1:-1].split())
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _text(value: object) -> str | None:
    if value is None or isinstance(value, Mapping | list):
        return None
    text = str(value)
    return text or None


def _scopes(scopes: object, claims: Mapping[str, Any]) -> tuple[str, ...]:
    if isinstance(scopes, list | tuple):
        return tuple(str(scope) for scope in scopes)
    for name in ("scope", "scp"):  # an OAuth 2.0 access token's space-separated scopes (Cognito: "scope")
        value = claims.get(name)
        if isinstance(value, list | tuple):
            return tuple(str(scope) for scope in value)
        if isinstance(value, str) and value.strip():
            text = value.strip()
            if text.startswith("[") and text.endswith("]"):
                text = text[1:-1]
            return tuple(text.split())
    return ()


def _token(block: Mapping[str, Any], claims: object, scopes: object, source_ip: str | None) -> Identity:
    claims = claims if isinstance(claims, Mapping) else {}
    issuer = str(claims.get("iss") or "")
    kind: IdentityKind = "jwt" if issuer and not issuer.startswith("https://cognito-idp.") else "cognito"
    groups = parse_list_claim(claims.get("cognito:groups", claims.get("groups")))
    username = next(
        (
            text
            for name in ("cognito:username", "username", "preferred_username")
            if (text := _text(claims.get(name)))
        ),
        None,
    )
    return Identity(
        kind,
        subject=_text(claims.get("sub")),
        claims=claims,
        scopes=_scopes(scopes, claims),
        groups=groups,
        username=username,
        source_ip=source_ip,
        raw=block,
    )


def _lambda(
    block: Mapping[str, Any], context: Mapping[str, Any], principal: object, source_ip: str | None
) -> Identity:
    principal_id = _text(principal) or _text(context.get("principalId"))
    return Identity(
        "lambda",
        subject=principal_id or _text(context.get("sub")),
        claims=context,
        scopes=_scopes(context.get("scopes"), context),
        groups=parse_list_claim(context.get("groups")),
        principal_id=principal_id,
        username=_text(context.get("username")),
        source_ip=source_ip,
        raw=block,
    )


def _arn_name(arn: str | None) -> str | None:
    """The user (``user/NAME``) or role session (``assumed-role/ROLE/SESSION``) an IAM ARN names."""
    if not arn or ":" not in arn:
        return None
    resource = arn.rsplit(":", 1)[-1]
    return resource.rsplit("/", 1)[-1] if "/" in resource else resource


def _iam(block: Mapping[str, Any], fields: Mapping[str, Any], source_ip: str | None) -> Identity:
    arn = _text(fields.get("userArn") or fields.get("principal"))
    principal_id = _text(fields.get("userId") or fields.get("caller") or fields.get("callerId"))
    return Identity(
        "iam",
        subject=arn or principal_id,
        claims={key: value for key, value in fields.items() if value is not None},
        principal_id=principal_id,
        username=_text(fields.get("sessionName")) or _arn_name(arn),
        source_ip=source_ip,
        raw=block,
    )


def identity_from_event(event: object, *, source_ip: str | None = None) -> Identity:
    """The :class:`Identity` an event carries (the anonymous identity when it carries none).

    ``source_ip`` is the client's address (the adapter's ``REMOTE_ADDR``). Malformed authorizer blocks
    (wrong types) count as absent: the caller is then anonymous, never someone else.
    """
    context = event.get("requestContext") if isinstance(event, Mapping) else None
    if not isinstance(context, Mapping):
        return Identity(source_ip=source_ip)
    authorizer = context.get("authorizer")
    if isinstance(authorizer, Mapping) and authorizer:
        jwt = authorizer.get("jwt")
        if isinstance(jwt, Mapping):
            return _token(authorizer, jwt.get("claims"), jwt.get("scopes"), source_ip)
        if isinstance(authorizer.get("lambda"), Mapping):
            return _lambda(authorizer, authorizer["lambda"], authorizer.get("principalId"), source_ip)
        if isinstance(authorizer.get("iam"), Mapping):
            return _iam(authorizer, authorizer["iam"], source_ip)
        if isinstance(authorizer.get("claims"), Mapping):
            return _token(authorizer, authorizer["claims"], authorizer.get("scopes"), source_ip)
        if "principalId" in authorizer:
            own = {k: v for k, v in authorizer.items() if k not in _REST_AUTHORIZER_KEYS}
            return _lambda(authorizer, own, authorizer.get("principalId"), source_ip)
    identity = context.get("identity")
    if isinstance(identity, Mapping):
        if identity.get("type") == "AWS_IAM":  # VPC Lattice v2: the caller's IAM principal
            return _iam(identity, identity, source_ip)
        if any(identity.get(name) for name in ("userArn", "accessKey", "caller", "cognitoIdentityId")):
            # A REST API with IAM authorization fills the caller into requestContext.identity.
            fields = {
                name: identity.get(name)
                for name in (
                    "accessKey", "accountId", "caller", "user", "userArn", "cognitoIdentityId",
                    "cognitoIdentityPoolId", "cognitoAuthenticationType", "cognitoAuthenticationProvider",
                    "principalOrgId",
                )
            }  # fmt: skip
            fields["userId"] = identity.get("user") or identity.get("caller")
            return _iam(identity, fields, source_ip)
    return Identity(source_ip=source_ip)


def identity_of_request(request: Any, app: Any) -> Identity:
    """``request.identity``: the event's identity, else what ``app``'s identity loader gives, or anonymous."""
    identity = identity_from_event(request.lambda_event, source_ip=request.remote_addr)
    loader = getattr(app, "identity_loader_func", None) if app is not None else None
    if identity.authenticated or loader is None:
        return identity
    loaded = loader()
    if loaded is None:
        return identity
    if not isinstance(loaded, Identity):
        raise TypeError(
            f"the identity loader {getattr(loader, '__qualname__', loader)!r} must return an Identity or "
            f"None, not {type(loaded).__name__}"
        )
    return loaded
