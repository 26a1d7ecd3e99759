"""Drift between ``template.yaml`` and the functions' apps, found before API Gateway finds it.

Three checks, every problem reported at once (file, resource, line):

1. every function's Handler imports (CodeUri + Handler, with the function's Environment);
2. every route the template declares reaches a view of the function's app: for a lambda_micro ``App`` (or
   anything with a werkzeug ``url_map``) the route's path, with sample values for ``{param}``, is matched
   against the app's URL map (a 404 or 405 there is drift; ``{proxy+}`` routes need some app route under
   them); for any other handler the route is invoked with a real event and a 404 or 405 answer is drift;
3. every route of an ``App`` is declared in the template for each of its methods (HEAD and OPTIONS aside,
   which API Gateway answers or forwards with GET's route), otherwise API Gateway answers 403/404 before the
   function runs. The ``static`` endpoints are exempt: static files are often served from S3 or a CDN;
4. the function's non-HTTP events and the ``App``'s event handlers agree, both ways, and a batch source
   whose handler reports partial failures has ``ReportBatchItemFailures`` (:mod:`.drift_events`).

The check runs inside moto's ``mock_aws`` with the template's tables and buckets, so functions that create
boto3 clients (or even read a table) at import time load as they would in the local gateway.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .drift_events import check_event_handlers
from .gateway import GatewayRequest, GatewayState, LocalGateway
from .loader import FunctionLoadError, LoadedFunction, load_function
from .results import InvalidResult
from .routing import RouteTable, path_parameter_values
from .sam import Function, Route, SamTemplate

__all__ = ["DriftProblem", "check_drift"]

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
_SAMPLES = ("1", "sample", "00000000-0000-4000-8000-000000000000", "1.5")
_CONVERTER = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<args>.*?)\))?:)?(?P<name>[a-zA-Z_]\w*)>"
)


@dataclass(frozen=True)
class DriftProblem:
    """One disagreement between the template and a function; ``str()`` names the file and the resource."""

    # "import", "unreachable-route", "undeclared-route", "invalid-result", "unhandled-event",
    # "undeclared-event", "batch-failures"
    kind: str
    file: Path
    resource: str  # the function's logical id
    message: str
    line: int | None = None
    event_id: str | None = None

    def __str__(self) -> str:
        where = str(self.file) + (f":{self.line}" if self.line is not None else "")
        resource = self.resource + (f".Events.{self.event_id}" if self.event_id else "")
        return f"{where}: {resource}: {self.message}"


def _find_app(loaded: LoadedFunction) -> Any | None:
    """The WSGI app behind the handler: ``handler = app.lambda_handler`` or a module-level App."""
    owner = getattr(loaded.handler, "__self__", None)
    if owner is not None and hasattr(owner, "url_map"):
        return owner
    candidates = [
        value
        for value in vars(loaded.module).values()
        if hasattr(value, "url_map") and callable(getattr(value, "lambda_handler", None))
    ]
    return candidates[0] if len(candidates) == 1 else None


def _route_samples(route: Route) -> Iterator[str]:
    """Concrete paths for a template route: each ``{param}`` filled with sample values."""
    segments = route.path.split("/")
    slots = [i for i, segment in enumerate(segments) if segment.startswith("{") and segment.endswith("}")]
    if not slots:
        yield route.path
        return
    for sample in _SAMPLES:
        filled = list(segments)
        for i in slots:
            filled[i] = sample
        yield "/".join(filled)


def _rule_sample(rule: Any) -> str:
    """A concrete path a werkzeug rule matches (``/posts/<int:id>`` -> ``/posts/1``)."""

    def replace(match: re.Match[str]) -> str:
        converter = (match.group("converter") or "default").lower()
        if converter == "int":
            return "1"
        if converter == "float":
            return "1.5"
        if converter == "uuid":
            return _SAMPLES[2]
        if converter == "path":
            return "sample/path"
        if converter == "any":
            options = (match.group("args") or "").split(",")
            return options[0].strip().strip("'\"") or "sample"
        return "sample"

    return _CONVERTER.sub(replace, str(rule.rule))


def _route_covers(route: Route, method: str, path: str) -> bool:
    if route.method not in ("ANY", method):
        return False
    if route.is_default_route:
        return True
    candidates = {path, path.rstrip("/") or "/"}
    return any(path_parameter_values(route.path, candidate) is not None for candidate in candidates)


def _greedy_prefix(route: Route) -> str | None:
    if route.is_default_route:
        return "/"
    if route.path.endswith("+}"):
        return route.path[: route.path.rindex("{")]
    return None


def _is_static(rule: Any) -> bool:
    endpoint = str(rule.endpoint)
    return endpoint == "static" or endpoint.endswith(".static")


def _check_app_routes(
    template: SamTemplate, function: Function, app: Any, problems: list[DriftProblem]
) -> None:
    from werkzeug.exceptions import MethodNotAllowed, NotFound  # noqa: PLC0415
    from werkzeug.routing import RequestRedirect  # noqa: PLC0415

    url_map = app.url_map
    adapter = url_map.bind("localhost", url_scheme="https")
    rules = [rule for rule in url_map.iter_rules() if not getattr(rule, "host", None)]

    for route in function.routes:
        prefix = _greedy_prefix(route)
        if prefix is not None:
            # A catch-all route forwards everything under it: some app route must live there.
            served = [
                rule
                for rule in rules
                if route.is_default_route
                or (_rule_sample(rule).startswith(prefix) and len(_rule_sample(rule)) > len(prefix))
            ]
            if not served:
                problems.append(
                    DriftProblem(
                        "unreachable-route",
                        template.path,
                        function.logical_id,
                        f"{route.route_key if route.api_kind == 'http' else route.method + ' ' + route.path} "
                        f"forwards to the function, but its app has no route under {prefix}",
                        route.line,
                        route.event_id,
                    )
                )
            continue
        methods = _METHODS if route.method == "ANY" else (route.method,)
        outcome = "not-found"
        for sample, method in itertools.product(_route_samples(route), methods):
            try:
                adapter.match(sample, method=method)
            except RequestRedirect:
                outcome = "ok"
            except MethodNotAllowed:
                outcome = "method" if outcome == "not-found" else outcome
                continue
            except NotFound:
                continue
            else:
                outcome = "ok"
            break
        if outcome == "ok":
            continue
        if outcome == "method":
            message = (
                f"{route.method} {route.path} reaches the app, which has no {route.method} view there (405)"
            )
        else:
            message = (
                f"{route.method} {route.path} reaches no view of the function's app (the app answers 404)"
            )
        problems.append(
            DriftProblem(
                "unreachable-route", template.path, function.logical_id, message, route.line, route.event_id
            )
        )

    for rule in rules:
        if _is_static(rule):
            continue
        sample = _rule_sample(rule)
        rule_methods = sorted(set(rule.methods or {"GET"}) - _IGNORED_METHODS)
        missing = [
            method
            for method in rule_methods
            if not any(_route_covers(route, method, sample) for route in function.routes)
        ]
        if missing:
            problems.append(
                DriftProblem(
                    "undeclared-route",
                    template.path,
                    function.logical_id,
                    f"app route {', '.join(missing)} {rule.rule} (endpoint {rule.endpoint!r}) is not "
                    "declared in the template: API Gateway answers 403/404 before the function runs",
                    function.line,
                )
            )


def _check_handler_routes(
    template: SamTemplate, function: Function, loaded: LoadedFunction, problems: list[DriftProblem]
) -> None:
    # The gateway's own pipeline (routing, event, result checks), raising what would be a 5xx.
    state = GatewayState(
        table=RouteTable(function.routes), functions={function.logical_id: loaded}, region=template.region
    )
    gateway = LocalGateway(state, propagate_errors=True, inline=True)
    for route in function.routes:
        if _greedy_prefix(route) is not None:
            continue  # nothing to learn from one sample under a catch-all
        method = "GET" if route.method == "ANY" else route.method
        path = next(_route_samples(route))
        prefix = f"/{route.stage}" if route.stage != "$default" else ""
        host = f"{route.physical_api_id or 'a1b2c3d4e5'}.execute-api.{template.region}.amazonaws.com"
        request = GatewayRequest(method, prefix + path, headers=(("Host", host),), scheme="https")
        where = (template.path, function.logical_id)
        try:
            status = gateway.handle(request).status
        except InvalidResult as exc:
            problems.append(DriftProblem("invalid-result", *where, str(exc), route.line, route.event_id))
            continue
        except Exception as exc:  # any failure of the handler is reported, not raised
            message = f"{method} {path} raised {type(exc).__name__}: {exc}"
            problems.append(DriftProblem("unreachable-route", *where, message, route.line, route.event_id))
            continue
        if status in (404, 405):
            message = f"{route.method} {route.path} reaches no view of the function (it answers {status})"
            problems.append(DriftProblem("unreachable-route", *where, message, route.line, route.event_id))


@contextlib.contextmanager
def _local_aws(template: SamTemplate, use_moto: bool) -> Iterator[None]:
    if not use_moto:
        yield
        return
    try:
        from moto import mock_aws  # noqa: PLC0415
    except ImportError:  # pragma: no cover - moto is part of the local extra
        yield
        return
    from .resources import create_resources  # noqa: PLC0415

    with mock_aws():
        create_resources(template)
        yield


def check_drift(
    template: SamTemplate,
    *,
    extra_env: Mapping[str, str] | None = None,
    functions: Sequence[str] | None = None,
    use_moto: bool = True,
) -> list[DriftProblem]:
    """Every disagreement between ``template`` and its functions (all of them, in template order).

    ``functions`` limits the check to some logical ids; ``use_moto=False`` runs without moto (when the caller
    provides AWS, e.g. ``AWS_ENDPOINT_URL`` in ``extra_env``).
    """
    problems: list[DriftProblem] = []
    selected = (
        [template.functions[name] for name in functions] if functions else list(template.functions.values())
    )
    with _local_aws(template, use_moto):
        for function in selected:
            if not function.runtime.startswith("python"):
                continue  # another language's function: nothing to import here
            try:
                loaded = load_function(function, extra_env=extra_env, region=template.region)
            except FunctionLoadError as exc:
                problems.append(
                    DriftProblem("import", template.path, function.logical_id, exc.cause, function.line)
                )
                continue
            try:
                app = _find_app(loaded)
                if app is not None:
                    _check_app_routes(template, function, app, problems)
                    check_event_handlers(template, function, app, problems)
                else:
                    _check_handler_routes(template, function, loaded, problems)
            finally:
                loaded.unload()
    return problems
