"""``lambda-micro``: serve, invoke, list and check a SAM template's functions, locally and without Docker.

::

    lambda-micro serve   [--template template.yaml] [--host 127.0.0.1] [--port 3000] [--no-reload]
                         [--parameter-overrides K=V ...] [--env-vars env.json] [--aws moto|real]
    lambda-micro invoke  FUNCTION_ID [--event FILE|-] [...]
    lambda-micro routes  [--template template.yaml]
    lambda-micro check   [--template template.yaml]
    lambda-micro --app PATH[:NAME] COMMAND ...   (an app's own commands, and shell)

Errors (a template that cannot be read, a handler that does not import, a port in use) are one line on
stderr and exit status 2, never a traceback. ``invoke`` exits 1 when the function fails, ``check`` when it
finds drift.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from .drift import check_drift
from .embedded_aws import EmbeddedAWS, EmbeddedAWSError, default_region
from .functions import FunctionLoadError, lambda_context, load_function
from .gateway import (
    EnvVarsError,
    GatewayStartError,
    GatewayState,
    LocalGateway,
    LocalServer,
    default_event,
    error_payload,
    function_with_env_vars,
    invoke,
    load_env_vars,
    load_state,
)
from .reload import FileWatcher
from .routing import RouteTable
from .template import SamTemplate, TemplateError, load_template

__all__ = ["DevServer", "build_parser", "format_routes", "main"]

logger = logging.getLogger("lambda_micro.local")

PROG = "lambda-micro"


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


# -- arguments -----------------------------------------------------------------------------------------------


def _parameter_overrides(values: Sequence[str] | None) -> dict[str, str]:
    """``K=V`` pairs, or SAM's ``ParameterKey=K,ParameterValue=V`` spelling."""
    overrides: dict[str, str] = {}
    for item in values or ():
        if item.startswith("ParameterKey="):
            key_part, sep, value_part = item.partition(",ParameterValue=")
            if not sep:
                raise CliError(f"--parameter-overrides: {item!r} has ParameterKey= but no ,ParameterValue=")
            overrides[key_part.removeprefix("ParameterKey=")] = value_part
            continue
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliError(f"--parameter-overrides: expected KEY=VALUE, got {item!r}")
        overrides[key] = value
    return overrides


def _add_template_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--template", "-t", default="template.yaml", help="the SAM template (default: template.yaml)"
    )
    parser.add_argument(
        "--parameter-overrides",
        nargs="+",
        metavar="KEY=VALUE",
        help="template parameter values (also SAM's ParameterKey=K,ParameterValue=V)",
    )
    parser.add_argument(
        "--region", default=None, help="the region functions see (default: AWS_REGION, else us-east-1)"
    )


def _add_runtime_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env-vars",
        metavar="FILE",
        help='JSON file of environment overrides in SAM\'s format: {"FunctionId": {"VAR": "v"}, '
        '"Parameters": {"VAR": "v"}}',
    )
    parser.add_argument(
        "--aws",
        choices=("moto", "real"),
        default="moto",
        help="moto (default): an embedded AWS with the template's tables and buckets; "
        "real: leave the environment alone (your credentials, real AWS)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``lambda-micro`` argument parser."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Serve, invoke and check the functions of a SAM template locally, without Docker.",
        epilog="lambda-micro --app PATH[:NAME] COMMAND ...: run a command of an app (its app.cli commands,"
        " or shell), as `flask --app`; `lambda-micro --app PATH --help` lists them.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="serve the template's API routes like API Gateway", description=_SERVE_HELP
    )
    _add_template_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    serve.add_argument(
        "--port", "-p", type=int, default=3000, help="port to listen on (default: 3000; 0: any)"
    )
    serve.add_argument("--no-reload", action="store_true", help="do not reload on template or code changes")
    _add_runtime_options(serve)

    invoke_cmd = commands.add_parser(
        "invoke",
        help="invoke one function once and print its result",
        description="Invoke FUNCTION_ID with an event and print the result as JSON (exit 1 if it fails). "
        "Without --event: a GET request to the function's first route, as API Gateway would send it.",
    )
    invoke_cmd.add_argument("function_id", metavar="FUNCTION_ID", help="the function's logical id")
    invoke_cmd.add_argument("--event", "-e", metavar="FILE", help="the event as a JSON file, or - for stdin")
    _add_template_options(invoke_cmd)
    _add_runtime_options(invoke_cmd)

    routes = commands.add_parser("routes", help="list the template's routes")
    _add_template_options(routes)

    check = commands.add_parser(
        "check",
        help="check the code against the template (drift); exit 1 when anything is off",
        description="Report where the functions' code and the template disagree; exit 1 when any.",
    )
    _add_template_options(check)
    return parser


_SERVE_HELP = (
    "Serve every Api/HttpApi route of the template on one port, building the events API Gateway would "
    "send and running the handlers in-process, with an embedded AWS (moto) holding the template's tables "
    "and buckets. REST APIs also answer under their stage (/Prod/...), as on their execute-api URL."
)


# -- output helpers ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _logging_to(stream: TextIO) -> Iterator[None]:
    """The gateway's lines on ``stream`` for the command's duration; the previous setup is restored after.

    The functions' own records go through the root logger: shown from WARNING on, or lower where their code
    sets a lower level, as Lambda's Python runtime does.
    """
    saved = (list(logger.handlers), logger.level, logger.propagate)
    root = logging.getLogger()
    root_handler: logging.Handler | None = None
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the root handler would print every line a second time
    if not root.handlers:
        root_handler = logging.StreamHandler(stream)
        root_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(root_handler)
    try:
        yield
    finally:
        logger.handlers[:] = saved[0]
        logger.setLevel(saved[1])
        logger.propagate = saved[2]
        if root_handler is not None:
            root.removeHandler(root_handler)


def format_routes(table: RouteTable) -> str:
    """The route table as aligned text columns."""
    rows = [["METHOD", "PATH", "FUNCTION", "API", "STAGE", "PAYLOAD"]]
    for row in table.describe():
        rows.append([row["method"], row["path"], row["function"], row["api"], row["stage"], row["payload"]])
    if len(rows) == 1:
        return "(no Api or HttpApi events in the template)"
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)


def _banner(state: GatewayState, server: LocalServer, aws: EmbeddedAWS | None, *, reload: bool) -> str:
    template = state.template
    counts = f"{len(template.functions)} functions, {len(state.table.routes)} routes"
    lines = [f"{PROG}: serving {template.path} ({counts})"]
    if aws is not None:
        lines.append(f"  local AWS (moto): {aws.endpoint}")
        for table in template.tables.values():
            lines.append(f"    table  {table.logical_id}: {table.name}")
        for bucket in template.buckets.values():
            lines.append(f"    bucket {bucket.logical_id}: {bucket.name}")
    else:
        lines.append("  AWS: real (your environment's credentials and region)")
    lines.append("")
    lines.extend("  " + line for line in format_routes(state.table).splitlines())
    lines.append("")
    for prefix, api_ids in sorted(state.table.stage_prefixes().items()):
        lines.append(f"  {', '.join(api_ids)} also answers under its stage: {server.url}{prefix}/")
    lines.append(f"Listening on {server.url}/ ({'reloading on change; ' if reload else ''}Ctrl+C to quit)")
    return "\n".join(lines)


# -- commands ------------------------------------------------------------------------------------------------


def _region(args: argparse.Namespace) -> str:
    return str(args.region) if args.region else default_region()


@contextlib.contextmanager
def _aws(args: argparse.Namespace) -> Iterator[EmbeddedAWS | None]:
    """The embedded AWS for ``--aws moto`` (pointed at from this process's environment), else nothing."""
    if args.aws != "moto":
        yield None
        return
    aws = EmbeddedAWS(region=_region(args))
    aws.start()
    saved = dict(os.environ)
    try:
        # Functions run in this process: everything in it (import-time clients included) must see moto.
        aws.apply_to(os.environ)
        yield aws
    finally:
        aws.stop()
        _restore(os.environ, saved)


def _restore(environ: MutableMapping[str, str], saved: Mapping[str, str]) -> None:
    for name in [name for name in environ if name not in saved]:
        del environ[name]
    environ.update(saved)


def _env_vars(args: argparse.Namespace) -> dict[str, dict[str, str]] | None:
    return load_env_vars(args.env_vars) if args.env_vars else None


def _load_template(args: argparse.Namespace) -> SamTemplate:
    return load_template(
        args.template,
        parameter_overrides=_parameter_overrides(args.parameter_overrides),
        region=_region(args),
    )


class DevServer:
    """What ``lambda-micro serve`` runs: the embedded AWS, the gateway, its HTTP server and the reloader.

    ``start()`` raises ``TemplateError``/``FunctionLoadError``/``GatewayStartError``... before anything is
    left running; ``stop()`` shuts everything down. With ``process_environ`` (``os.environ`` for the
    command), the embedded AWS's variables are also set there, for code that reads them outside the
    loader's per-function environment.
    """

    def __init__(
        self,
        template: str | Path,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        reload: bool = True,
        parameter_overrides: Mapping[str, str] | None = None,
        env_vars_path: str | Path | None = None,
        aws: str = "moto",
        region: str = "us-east-1",
        process_environ: MutableMapping[str, str] | None = None,
        reload_interval: float = 0.5,
    ) -> None:
        self.template = Path(template)
        self.host = host
        self.port = port
        self.reload_enabled = reload
        self.parameter_overrides = dict(parameter_overrides or {})
        self.env_vars_path = Path(env_vars_path) if env_vars_path else None
        self.region = region
        self.process_environ = process_environ
        self.reload_interval = reload_interval
        self.aws = EmbeddedAWS(region=region) if aws == "moto" else None
        self.gateway: LocalGateway | None = None
        self.server: LocalServer | None = None
        self.watcher: FileWatcher | None = None
        self._saved_environ: dict[str, str] | None = None

    def build_state(self, *, strict: bool) -> GatewayState:
        """Load the template and functions (``strict``: the first function that does not import raises)."""
        env_vars = load_env_vars(self.env_vars_path) if self.env_vars_path else None
        state = load_state(
            self.template,
            parameter_overrides=self.parameter_overrides,
            env_vars=env_vars,
            extra_env=self.aws.environment if self.aws is not None else None,
            region=self.region,
            strict=strict,
        )
        if self.aws is not None:
            self.aws.create_resources(state.template)
        return state

    def start(self, *, serve_in_thread: bool = True) -> None:
        """Start the embedded AWS, load everything, listen; serve in a thread unless told otherwise."""
        try:
            if self.aws is not None:
                self.aws.start()
                if self.process_environ is not None:
                    self._saved_environ = dict(self.process_environ)
                    self.aws.apply_to(self.process_environ)
            state = self.build_state(strict=True)
            self.gateway = LocalGateway(state)
            self.server = LocalServer(self.gateway, host=self.host, port=self.port)
        except BaseException:
            self.stop()
            raise
        if self.reload_enabled:
            self.watcher = FileWatcher(self.watch_paths, self.reload, interval=self.reload_interval)
            self.watcher.start()
        if serve_in_thread:
            self.server.start()

    def watch_paths(self) -> list[Path]:
        """The template, every function's code folder and the env-vars file."""
        paths = self.gateway.state.watch_paths if self.gateway is not None else [self.template]
        return [*paths, *([self.env_vars_path] if self.env_vars_path else [])]

    def reload(self, changed: Sequence[Path] = ()) -> bool:
        """Rebuild and swap in the template's routes and functions; keep the old ones if the template fails.

        Returns whether the new version is being served. The embedded AWS and its data are kept.
        """

        if self.gateway is None:
            return False
        shown = ", ".join(_relative(p) for p in changed[:3]) or "the project"
        if len(changed) > 3:
            shown += f" and {len(changed) - 3} more"
        try:
            state = self.build_state(strict=False)
        except (TemplateError, EnvVarsError) as exc:
            logger.error(
                "reload after a change to %s failed; still serving the previous version:\n  %s", shown, exc
            )
            return False
        self.gateway.swap(state)
        logger.info("reloaded after a change to %s (%d routes)", shown, len(state.table.routes))
        for function_id, problem in state.load_errors.items():
            logger.error(
                "%s does not load; its routes answer with errors until it is fixed:\n  %s",
                function_id,
                problem,
            )
        return True

    def banner(self) -> str:
        """The start banner: routes, the local AWS endpoint and the URL."""
        if self.gateway is None or self.server is None:
            raise RuntimeError("start() the server first")
        return _banner(self.gateway.state, self.server, self.aws, reload=self.watcher is not None)

    def serve_forever(self) -> None:
        """Serve in this thread until KeyboardInterrupt (Ctrl+C, or SIGTERM through the command)."""
        if self.server is None:
            raise RuntimeError("start(serve_in_thread=False) the server first")
        self.server.serve_forever()

    def stop(self) -> None:
        """Stop the reloader, the HTTP server and the embedded AWS (idempotent)."""
        watcher, self.watcher = self.watcher, None
        if watcher is not None:
            watcher.stop()
        server, self.server = self.server, None
        if server is not None:
            server.shutdown()
        gateway, self.gateway = self.gateway, None
        if gateway is not None:
            for function in gateway.state.functions.values():
                function.retire()  # a request still under way finishes on its code
        if self.aws is not None:
            self.aws.stop()
        saved, self._saved_environ = self._saved_environ, None
        if saved is not None and self.process_environ is not None:
            _restore(self.process_environ, saved)


def _cmd_serve(args: argparse.Namespace) -> int:
    dev = DevServer(
        args.template,
        host=args.host,
        port=args.port,
        reload=not args.no_reload,
        parameter_overrides=_parameter_overrides(args.parameter_overrides),
        env_vars_path=args.env_vars,
        aws=args.aws,
        region=_region(args),
        # Functions run in this process: everything in it (import-time clients included) must see moto.
        process_environ=os.environ,
    )
    dev.start(serve_in_thread=False)
    print(dev.banner(), file=sys.stderr, flush=True)
    with _sigterm_stops():
        try:
            dev.serve_forever()  # returns on Ctrl+C (werkzeug's server swallows the KeyboardInterrupt)
        except KeyboardInterrupt:
            pass
        finally:
            dev.stop()
    print(f"\n{PROG}: stopped", file=sys.stderr)
    return 0


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@contextlib.contextmanager
def _sigterm_stops() -> Iterator[None]:
    """SIGTERM stops the server like Ctrl+C, so the embedded AWS and the watcher shut down cleanly."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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


def _cmd_invoke(args: argparse.Namespace) -> int:
    event = _read_event(args.event) if args.event else None
    env_vars = _env_vars(args)
    template = _load_template(args)
    try:
        declared = template.function(args.function_id)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None
    function = function_with_env_vars(declared, env_vars)
    if event is None:
        try:
            event = default_event(template, function.logical_id)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    with _aws(args) as aws:
        if aws is not None:
            aws.create_resources(template)
        loaded = load_function(
            function, extra_env=aws.environment if aws is not None else None, region=template.region
        )
        request_id = event_request_id(event)
        try:
            outcome = invoke(loaded, event, lambda_context(function, request_id, region=template.region))
        finally:
            loaded.unload()
    if outcome.timed_out:
        seconds = float(function.timeout)
        payload: Any = {
            "errorMessage": f"RequestId: {request_id} Error: Task timed out after {seconds:.2f} seconds",
            "errorType": "Sandbox.Timedout",
        }
        print(json.dumps(payload, indent=2))
        return 1
    if outcome.error is not None:
        print(json.dumps(error_payload(outcome.error), indent=2))
        return 1
    try:
        print(json.dumps(outcome.result, indent=2, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        payload = {"errorMessage": f"Unable to marshal response: {exc}", "errorType": "Runtime.MarshalError"}
        print(json.dumps(payload, indent=2))
        return 1
    return 0


def event_request_id(event: object) -> str:
    """The event's API Gateway request id when it has one (so logs correlate), else a fresh one."""
    if isinstance(event, Mapping):
        context = event.get("requestContext")
        if isinstance(context, Mapping) and isinstance(context.get("requestId"), str):
            return str(context["requestId"])
    return str(uuid.uuid4())


def _cmd_routes(args: argparse.Namespace) -> int:
    template = _load_template(args)
    try:
        table = RouteTable(template.routes)
    except ValueError as exc:  # a route API Gateway would refuse, e.g. a greedy variable before the end
        raise CliError(f"{template.path}: {exc}") from None
    print(format_routes(table))
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    template = _load_template(args)
    problems = check_drift(template)
    for problem in problems:
        print(str(problem))
    if problems:
        print(f"{PROG} check: {len(problems)} problem(s) in {template.path}", file=sys.stderr)
        return 1
    print(f"{PROG} check: {template.path}: no drift ({len(template.functions)} functions)")
    return 0


_COMMANDS = {"serve": _cmd_serve, "invoke": _cmd_invoke, "routes": _cmd_routes, "check": _cmd_check}


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``lambda-micro`` with ``argv`` (default: the command line); return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and (arguments[0] == "--app" or arguments[0].startswith("--app=")):
        from .app_commands import main as app_main  # noqa: PLC0415 - click, only for app commands

        return app_main(arguments)
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:  # --help, or a usage error argparse already printed
        return exc.code if isinstance(exc.code, int) else 2
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        with _logging_to(sys.stderr):
            return _COMMANDS[args.command](args)
    except (
        CliError,
        TemplateError,
        FunctionLoadError,
        EnvVarsError,
        GatewayStartError,
        EmbeddedAWSError,
    ) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
