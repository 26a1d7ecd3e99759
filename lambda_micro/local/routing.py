"""API Gateway route matching for the local gateway.

Routes come from the template model (one :class:`~lambda_micro.local.sam.Route` per function event);
this module answers "which route serves ``METHOD /path``?" the way API Gateway does:

- Path templates are compared segment by segment: a static segment beats a ``{param}``, which beats a
  greedy ``{proxy+}`` (which must be last and matches one or more segments, never the bare root). A
  trailing slash on the request is ignored for matching, as both REST and HTTP APIs do.
- Path and method are resolved together: the most specific route whose method matches wins (an exact
  method beats ``ANY`` on the same path), so a method the most specific resource lacks falls through to a
  less specific one (``/users/{id}`` GET serves ``GET /users/me`` when ``/users/me`` only has PATCH; a
  ``/{proxy+}`` ANY catches the rest). This is what REST APIs do (captured against AWS) and what the HTTP
  API documentation describes.
- Unmatched: REST answers 403 ``Missing Authentication Token`` (a known path with the wrong method too),
  HTTP APIs 404 ``Not Found``; an HTTP API's ``$default`` route catches what nothing else does.
- REST ``pathParameters`` keep the request's percent-encoding, HTTP APIs decode them (as AWS does).

One port serves every API of the template. Each API also answers under its stage prefix, the way its
``execute-api`` URL does (``/Prod/posts`` for a REST API's ``Prod`` stage, ``/dev/posts`` for an HTTP API
stage ``dev``; never for ``$default``): the event then carries the stage in ``requestContext.path`` (REST)
or ``rawPath`` (HTTP API), so the adapter sets ``SCRIPT_NAME`` and ``url_for`` links keep the prefix. Without
a prefix every API is matched at once (as through a custom domain), the most specific route winning and
template order breaking ties. An unprefixed request that no API claims gets HTTP API's 404 when the
template has any HTTP API, else REST's 403.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import unquote

from .apigw import GatewayError, api_error
from .sam.model import ApiKind

__all__ = ["CatchAll", "Match", "Miss", "RouteLike", "RouteTable", "path_parameter_values"]

# Segment kinds, ordered so that a larger value is more specific.
_GREEDY, _PARAM, _STATIC = 0, 1, 2


class RouteLike(Protocol):
    """What routing needs from a template route (``lambda_micro.local.sam.Route`` satisfies it)."""

    @property
    def function_id(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def api_kind(self) -> str: ...
    @property
    def payload(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def api_id(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def is_default_route(self) -> bool: ...


@dataclass(frozen=True)
class Match:
    """A request matched to a route.

    ``path`` is the request path as the API sees it (still percent-encoded, stage prefix removed);
    ``stage_prefix`` is ``"/Prod"`` when the request came in under the API's stage, else ``""``;
    ``resource`` is the route's path template and ``route_key`` the HTTP API route key.
    """

    route: RouteLike
    path: str
    path_parameters: dict[str, str] | None
    stage_prefix: str = ""
    catch_all: bool = False  # :class:`CatchAll`: no route template, so no resource or route key

    @property
    def resource(self) -> str | None:
        """The matched resource, as REST events carry it (``/posts/{slug}``; ``$default`` for that route)."""
        if self.catch_all:
            return None
        if _is_default(self.route):
            return "$default"
        return _normalise_template(self.route.path)

    @property
    def route_key(self) -> str | None:
        """The HTTP API route key: ``"GET /posts/{slug}"``, or ``"$default"``."""
        if self.catch_all:
            return None
        if _is_default(self.route):
            return "$default"
        return f"{self.route.method.upper()} {self.resource}"


@dataclass(frozen=True)
class Miss:
    """No route matched: ``error`` is the response API Gateway would give."""

    kind: ApiKind
    error: GatewayError = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "error", api_error(self.kind, "unmatched"))


@dataclass(frozen=True)
class _Compiled:
    route: RouteLike
    index: int
    kinds: tuple[int, ...]  # one per segment
    names: tuple[str, ...]  # static text or parameter name, per segment
    is_default: bool  # HTTP API `$default`


def _normalise_template(path: str) -> str:
    """``/posts/`` → ``/posts`` (a REST resource defined with a trailing slash is deployed without it)."""
    return "/" + path.strip("/")


def _is_default(route: RouteLike) -> bool:
    return route.is_default_route or route.path == "$default"


def _compile_template(path: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """A path template's segment kinds and names (static text or parameter name, per segment).

    Raises ``ValueError`` when a greedy variable is not the last segment.
    """
    kinds: list[int] = []
    names: list[str] = []
    segments = [s for s in _normalise_template(path).split("/")[1:] if s]
    for position, segment in enumerate(segments):
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            if name.endswith("+"):
                if position != len(segments) - 1:
                    raise ValueError(f"{path}: a greedy path variable must be the last segment")
                kinds.append(_GREEDY)
                names.append(name[:-1])
            else:
                kinds.append(_PARAM)
                names.append(name)
        else:
            kinds.append(_STATIC)
            names.append(segment)
    return tuple(kinds), tuple(names)


def _compile(route: RouteLike, index: int) -> _Compiled:
    if _is_default(route):
        return _Compiled(route, index, (), (), is_default=True)
    try:
        kinds, names = _compile_template(route.path)
    except ValueError as exc:
        raise ValueError(f"route {route.method} {route.path} of {route.function_id}: {exc}") from None
    return _Compiled(route, index, kinds, names, is_default=False)


def _split(path: str) -> list[str]:
    """Request path → segments; one trailing slash is ignored (API Gateway routes ``/a/`` like ``/a``)."""
    body = path[1:] if path.startswith("/") else path
    if body.endswith("/"):
        body = body[:-1]
    return body.split("/") if body else []


def _segments(path: str, *, decode: bool) -> tuple[list[str], list[str]]:
    """``(segments parameters are taken from, decoded segments static parts compare with)``.

    ``decode`` is the HTTP API rule: the whole path is decoded before routing (an encoded ``/`` splits
    segments there) and parameters arrive decoded. Otherwise (REST) segments split on the raw path and
    parameters keep the request's percent-encoding.
    """
    if decode:
        decoded = _split(unquote(path))
        return decoded, decoded
    raw = _split(path)
    return raw, [unquote(s) for s in raw]


def _match_path(
    kinds: Sequence[int], names: Sequence[str], raw_segments: Sequence[str], decoded_segments: Sequence[str]
) -> dict[str, str] | None:
    """Path parameters (taken from ``raw_segments``) when the template matches, else ``None``."""
    greedy = bool(kinds) and kinds[-1] == _GREEDY
    fixed = len(kinds) - 1 if greedy else len(kinds)
    if greedy:
        if len(raw_segments) < len(kinds):  # the greedy part needs at least one segment
            return None
    elif len(raw_segments) != len(kinds):
        return None
    params: dict[str, str] = {}
    source = raw_segments
    for i in range(fixed):
        if kinds[i] == _STATIC:
            if decoded_segments[i] != names[i]:
                return None
        else:
            if not raw_segments[i]:
                return None
            params[names[i]] = source[i]
    if greedy:
        rest = "/".join(source[fixed:])
        if not rest:
            return None
        params[names[-1]] = rest
    return params


class _Api:
    """The routes of one API (one ``api_id``), matched with that API's rules."""

    def __init__(self, api_id: str, kind: ApiKind, stage: str, routes: list[_Compiled]) -> None:
        self.api_id = api_id
        self.kind: ApiKind = kind
        self.stage = stage
        self.routes = routes

    @property
    def stage_prefix(self) -> str | None:
        """``/Prod``: the path prefix this API answers under on its own URL (``None`` for ``$default``)."""
        if not self.stage or self.stage == "$default":
            return None
        return "/" + self.stage

    def candidates(self, method: str, path: str) -> tuple[list[tuple[_Key, Match]], bool]:
        """Matching routes with their sort keys, and whether any route's *path* matched.

        Every route whose path and method match is a candidate; ``$default`` comes last.
        """
        raw_segments, decoded_segments = _segments(path, decode=self.kind == "http")
        by_path: list[tuple[_Compiled, dict[str, str]]] = []
        for compiled in self.routes:
            if compiled.is_default:
                continue
            params = _match_path(compiled.kinds, compiled.names, raw_segments, decoded_segments)
            if params is not None:
                by_path.append((compiled, params))
        method = method.upper()
        found: list[tuple[_Key, Match]] = []
        for compiled, params in by_path:
            route_method = compiled.route.method.upper()
            if route_method in (method, "ANY"):
                key = (1, compiled.kinds, int(route_method == method), -compiled.index)
                found.append((key, Match(compiled.route, path, params or None)))
        for compiled in self.routes:
            if compiled.is_default and compiled.route.method.upper() in (method, "ANY"):
                key = (0, (), int(compiled.route.method.upper() == method), -compiled.index)
                found.append((key, Match(compiled.route, path, None)))
        return found, bool(by_path)


# Sort key of a candidate: (not $default, segment kinds, exact method, earlier in the template).
# Segment kinds compare lexicographically, so a static segment early wins over a parameter there, and a
# greedy variable (lowest rank) loses to a parameter or static segment at the same position.
_Key = tuple[int, tuple[int, ...], int, int]


class RouteTable:
    """Every route of a template, grouped per API, ready to match requests."""

    def __init__(self, routes: Iterable[RouteLike], *, default_kind: ApiKind | None = None) -> None:
        self.default_kind = default_kind
        grouped: dict[str, list[_Compiled]] = {}
        kinds: dict[str, ApiKind] = {}
        stages: dict[str, str] = {}
        self.routes: tuple[RouteLike, ...] = tuple(routes)
        for index, route in enumerate(self.routes):
            kind: ApiKind = "rest" if route.api_kind == "rest" else "http"
            if route.api_kind not in ("rest", "http"):
                raise ValueError(
                    f"route {route.method} {route.path} of {route.function_id}: unknown API kind"
                )
            grouped.setdefault(route.api_id, []).append(_compile(route, index))
            kinds.setdefault(route.api_id, kind)
            stages.setdefault(route.api_id, route.stage)
        self._apis = [
            _Api(api_id, kinds[api_id], stages[api_id], compiled) for api_id, compiled in grouped.items()
        ]

    @property
    def api_kinds(self) -> set[str]:
        """The kinds of API present (``{"rest"}``, ``{"http"}``, both, or empty)."""
        return {api.kind for api in self._apis}

    def stage_prefixes(self) -> dict[str, list[str]]:
        """``{"/Prod": ["ServerlessRestApi"]}``: which API ids answer under which stage prefix."""
        prefixes: dict[str, list[str]] = {}
        for api in self._apis:
            if api.stage_prefix is not None:
                prefixes.setdefault(api.stage_prefix, []).append(api.api_id)
        return prefixes

    def match(self, method: str, path: str) -> Match | Miss:
        """Match ``method`` and the request ``path`` (percent-encoded, as on the request line).

        A first segment naming an API's stage (``/Prod/...``) is tried as that API's stage URL first; when
        no route of those APIs matches, the whole path is matched as an unprefixed path, so an app whose
        own paths begin like a stage name still works.
        """
        if not path.startswith("/"):
            path = "/" + path
        segments = _split(path)
        first = "/" + segments[0] if segments else ""
        staged = [
            api for api in self._apis if api.stage_prefix is not None and api.stage_prefix == unquote(first)
        ]
        staged_miss: Miss | None = None
        if staged:
            rest_of_path = path[len(first) :] or "/"
            outcome = self._best(staged, method, rest_of_path)
            if isinstance(outcome, Match):
                return Match(outcome.route, outcome.path, outcome.path_parameters, stage_prefix=first)
            staged_miss = Miss(outcome or staged[0].kind)
        outcome = self._best(self._apis, method, path)
        if isinstance(outcome, Match):
            return outcome
        if staged_miss is not None:
            return staged_miss
        if outcome is not None:
            return Miss(outcome)
        if self.default_kind is not None and not self._apis:
            return Miss(self.default_kind)
        return Miss("http" if "http" in self.api_kinds else "rest")

    @staticmethod
    def _best(apis: Sequence[_Api], method: str, path: str) -> Match | ApiKind | None:
        """The best match across ``apis``; else the kind of an API whose path matched; else ``None``."""
        best: tuple[_Key, Match] | None = None
        path_kind: ApiKind | None = None
        for api in apis:
            found, path_matched = api.candidates(method, path)
            if path_matched and path_kind is None:
                path_kind = api.kind
            for candidate in found:
                if best is None or candidate[0] > best[0]:
                    best = candidate
        if best is not None:
            return best[1]
        return path_kind

    def describe(self) -> list[dict[str, str]]:
        """One row per route, for listings: method, path, function, api, payload, stage, auth."""
        return [
            {
                "method": route.method.upper(),
                "path": "$default" if _is_default(route) else _normalise_template(route.path),
                "function": route.function_id,
                "api": f"{'REST' if route.api_kind == 'rest' else 'HTTP'} {route.api_id}",
                "payload": route.payload,
                "stage": route.stage,
                "auth": _auth_label(getattr(route, "auth", None)),
            }
            for route in self.routes
        ]


def _auth_label(auth: object) -> str:
    """``BlogAuthors (jwt)``, ``AWS_IAM``, ``+ API key``...; ``-`` for an open route."""
    if auth is None:
        return "-"
    authorizer = getattr(auth, "authorizer", None)
    parts = []
    if authorizer is not None:
        name, kind = authorizer.name, authorizer.kind
        parts.append(name if kind == "iam" else f"{name} ({kind})")
    if getattr(auth, "api_key_required", False):
        parts.append("API key")
    return " + ".join(parts) or "-"


def path_parameter_values(template: str, path: str, *, decode: bool = True) -> dict[str, str] | None:
    """The ``{param}``/``{proxy+}`` values of the request ``path`` matched against the route ``template``.

    ``None`` when the path does not match. ``path`` is as on the request line (percent-encoded; one
    trailing slash ignored). ``decode=True`` is the HTTP API rule (values arrive decoded); ``decode=False``
    the REST API rule (values keep the request's percent-encoding). This is the matcher
    :class:`RouteTable` uses, for one template.
    """
    kinds, names = _compile_template(template)
    raw_segments, decoded_segments = _segments(path if path.startswith("/") else "/" + path, decode=decode)
    return _match_path(kinds, names, raw_segments, decoded_segments)


class CatchAll:
    """Every request goes to one route, with no path template (the test client without routes).

    The event then has no ``resource`` or ``routeKey`` of a template: its ``resource`` is the request path,
    as for a function invoked behind a ``{proxy+}`` it does not know about.
    """

    def __init__(self, route: RouteLike) -> None:
        self.route = route
        self.routes: tuple[RouteLike, ...] = (route,)

    @property
    def api_kinds(self) -> set[str]:
        """The route's API kind."""
        return {self.route.api_kind}

    def match(self, method: str, path: str) -> Match:
        """The one route, whatever the request."""
        return Match(self.route, path if path.startswith("/") else "/" + path, None, catch_all=True)
