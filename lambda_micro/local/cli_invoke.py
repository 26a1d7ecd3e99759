"""``lambda-micro invoke``, ``event`` and ``trigger``: one request as its event source hands it to Lambda, or
one firing of a schedule or an EventBridge rule."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from lambda_micro.adapter.infer import ALB, EDGE

from .console import PROG
from .devserver import restore_environ
from .embedded_aws import EmbeddedAWS, aws_environment, default_region, scrub_environment
from .envvars import function_with_env_vars, load_env_vars
from .events import build_event, encode_path
from .exchange import GatewayRequest
from .integration import function_event
from .invoke import error_payload, invoke
from .loader import load_function
from .sam import SamTemplate
from .workdir import read_serve

__all__ = ["CliError", "region_of", "run_event", "run_invoke", "run_trigger"]

logger = logging.getLogger("lambda_micro.local")


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


def _headers(values: Sequence[str] | None) -> tuple[tuple[str, str], ...]:
    """``--header 'Name: value'`` (or ``Name=value``) options as pairs."""
    pairs = []
    for item in values or ():
        name, sep, value = item.partition(":")
        if not sep:
            name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CliError(f"--header: expected 'Name: value', got {item!r}")
        pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


def _body(value: str | None) -> bytes | None:
    """``--body TEXT``, ``--body @file`` (its bytes) or ``--body -`` (stdin)."""
    if value is None:
        return None
    if value == "-":
        return sys.stdin.buffer.read()
    if value.startswith("@"):
        try:
            return Path(value[1:]).read_bytes()
        except OSError as exc:
            raise CliError(f"--body {value}: cannot read it: {exc.strerror or exc}") from None
    return value.encode("utf-8")


def region_of(args: argparse.Namespace) -> str:
    """``--region``, else ``AWS_REGION``/``AWS_DEFAULT_REGION``, else ``us-east-1``."""
    return str(args.region) if args.region else default_region()


@contextlib.contextmanager
def _pointed_at(environment: dict[str, str]) -> Iterator[None]:
    """This process's environment pointed at a local AWS for the block, then restored.

    Functions run in this process: everything in it (import-time clients included) must see that AWS.
    """
    saved = dict(os.environ)
    try:
        scrub_environment(os.environ)
        os.environ.update(environment)
        yield
    finally:
        restore_environ(os.environ, saved)


@contextlib.contextmanager
def _aws(args: argparse.Namespace) -> Iterator[EmbeddedAWS | None]:
    """The embedded AWS for ``--aws moto`` (pointed at from this process's environment), else nothing."""
    if args.aws != "moto":
        yield None
        return
    aws = EmbeddedAWS(region=region_of(args))
    aws.start()
    try:
        with _pointed_at(aws.environment):
            yield aws
    finally:
        aws.stop()


@contextlib.contextmanager
def _trigger_aws(args: argparse.Namespace, template: SamTemplate) -> Iterator[dict[str, str] | None]:
    """The AWS a triggered function talks to: the running ``serve``'s for this template (so its effects
    show there: the cleanup really removes the served images), else a fresh embedded one with the
    template's resources (``--aws moto``), else the environment as it is (``--aws real``)."""
    record = read_serve(template.path) if args.aws == "moto" else None
    if record is None:
        with _aws(args) as aws:
            if aws is not None:
                aws.create_resources(template)
            yield aws.environment if aws is not None else None
        return
    print(
        f"{PROG} trigger: against the running server's AWS ({record.url or record.aws_endpoint})",
        file=sys.stderr,
    )
    environment = aws_environment(record.aws_endpoint, record.region)
    with _pointed_at(environment):
        yield environment


def _read_event(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"--event {source}: cannot read it: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = "stdin" if source == "-" else source
        raise CliError(f"--event {where}: not valid JSON: {exc}") from None


def event_request_id(event: object) -> str:
    """The event's API Gateway request id when it has one (so logs correlate), else a fresh one."""
    if isinstance(event, dict):
        context = event.get("requestContext")
        if isinstance(context, dict) and isinstance(context.get("requestId"), str):
            return str(context["requestId"])
    return str(uuid.uuid4())


def _invoke_event(args: argparse.Namespace, template: SamTemplate, function_id: str) -> Any:
    """``--event``'s JSON, else the request options' event through the function's routes."""
    request_given = args.path is not None or args.body is not None or args.header or args.query
    if args.event:
        if request_given or args.method.upper() != "GET":
            raise CliError("--event and the request options (--method, --path, ...) exclude each other")
        return _read_event(args.event)
    request = None
    if args.path is not None or request_given or args.method.upper() != "GET":
        path, _, query = (args.path or "/").partition("?")
        request = GatewayRequest(
            method=args.method.upper(),
            path=encode_path(path),
            query=args.query if args.query is not None else query,
            headers=(("User-Agent", PROG), *_headers(args.header)),
            body=_body(args.body) or b"",
            scheme="https",
        )
    try:
        return function_event(template, function_id, request)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def run_invoke(args: argparse.Namespace, template: SamTemplate) -> int:
    """Invoke ``args.function_id`` of ``template`` once; print the result (exit status 1 when it fails)."""
    env_vars = load_env_vars(args.env_vars) if args.env_vars else None
    try:
        declared = template.function(args.function_id)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None
    event = _invoke_event(args, template, declared.logical_id)
    function = function_with_env_vars(declared, env_vars)
    with _aws(args) as aws:
        if aws is not None:
            aws.create_resources(template)
        loaded = load_function(
            function, extra_env=aws.environment if aws is not None else None, region=template.region
        )
        request_id = event_request_id(event)
        try:
            outcome = invoke(loaded, event, loaded.make_context(request_id))
        finally:
            loaded.unload()
    if outcome.timed_out:
        seconds = f"{loaded.timeout:.2f}"
        payload: Any = {
            "errorMessage": f"RequestId: {request_id} Error: Task timed out after {seconds} seconds",
            "errorType": "Sandbox.Timedout",
        }
        print(json.dumps(payload, indent=2))
        return 1
    if outcome.error is not None:
        logger.error(
            "%s: the handler raised %s: %s",
            function.logical_id,
            type(outcome.error).__name__,
            outcome.error,
            exc_info=(type(outcome.error), outcome.error, outcome.error.__traceback__),
        )
        print(json.dumps(error_payload(outcome.error), indent=2))
        return 1
    return _print_result(outcome.result)


def _print_result(result: Any) -> int:
    """Print a handler's result as JSON (exit status 0), or the runtime's marshal error (1)."""
    try:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        payload = {"errorMessage": f"Unable to marshal response: {exc}", "errorType": "Runtime.MarshalError"}
        print(json.dumps(payload, indent=2))
        return 1
    return 0


def run_event(args: argparse.Namespace) -> int:
    """Print the event ``args.source`` sends for the request the options describe."""
    if args.multi_value_headers and args.source != ALB:
        raise CliError("--multi-value-headers is an ALB setting: use it with SOURCE alb")
    if args.source != EDGE and (args.origin_request or not args.include_body):
        option = "--origin-request" if args.origin_request else "--no-include-body"
        raise CliError(f"{option} is a Lambda@Edge setting: use it with SOURCE edge")
    payload = (
        "alb-multi" if args.multi_value_headers else "edge-origin" if args.origin_request else args.source
    )
    try:
        event = build_event(
            args.method,
            args.path,
            payload=payload,
            query=args.query,
            headers=_headers(args.header),
            body=_body(args.body),
            cookies=args.cookie,
            stage=args.stage,
            resource=args.resource,
            include_body=args.include_body,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    print(json.dumps(event, indent=2, ensure_ascii=False))
    return 0


def run_trigger(args: argparse.Namespace, template: SamTemplate) -> int:
    """Fire ``args.event`` (``Function.Event``, a schedule or an EventBridge rule) once; print the result."""
    from .sources.delivery import EventDelivery, TriggerError  # noqa: PLC0415 - this command only

    function_id, _, event_id = args.event.partition(".")
    detail = None
    if args.detail is not None:
        try:
            detail = json.loads(args.detail)
        except json.JSONDecodeError as exc:
            raise CliError(f"--detail: not valid JSON: {exc}") from None
        if not isinstance(detail, dict):
            raise CliError("--detail: the event's detail must be a JSON object")
    source = next((s for s in template.event_sources if s.qualified_id == args.event), None)
    if not event_id or source is None:
        known = ", ".join(s.qualified_id for s in template.event_sources) or "none"
        raise CliError(
            f"{template.path}: no event {args.event!r} (FunctionId.EventId; non-HTTP events: {known})"
        )
    env_vars = load_env_vars(args.env_vars) if args.env_vars else None
    function = function_with_env_vars(template.function(function_id), env_vars)
    with _trigger_aws(args, template) as environment:
        loaded = load_function(function, extra_env=environment, region=template.region)
        try:
            delivery = EventDelivery(template, lambda: {function_id: loaded}).trigger(
                args.event, detail=detail
            )
        except TriggerError as exc:
            raise CliError(str(exc)) from None
        finally:
            loaded.unload()
    if delivery.error is not None:
        print(json.dumps({"errorMessage": delivery.error, "errorType": "Unhandled"}, indent=2))
        return 1
    return _print_result(delivery.result)
