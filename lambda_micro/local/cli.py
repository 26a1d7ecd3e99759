"""``lambda-micro``: serve, invoke, list and check a SAM template's functions, locally and without Docker.

::

    lambda-micro serve   [--template template.yaml] [--host 127.0.0.1] [--port 3000] [--api NAME]
                         [--no-reload] [--parameter-overrides K=V ...] [--env-vars env.json] [--aws moto|real]
    lambda-micro invoke  FUNCTION_ID [--event FILE|-] [--method M --path P --query Q --header K:V --body B]
    lambda-micro event   SOURCE [--method M --path P --query Q --header K:V --body B --stage S ...]
                         (SOURCE: rest, http-1.0, http-2.0, url, alb, lattice-1.0, lattice-2.0, edge)
    lambda-micro trigger FUNCTION_ID.EVENT_ID [--detail JSON]   (a schedule or an EventBridge rule, now)
    lambda-micro routes  [--template template.yaml]
    lambda-micro check   [--template template.yaml]
    lambda-micro new     PATH [--api http|rest|both] [--with-table] [--with-bucket] [--name NAME] [--force]
    lambda-micro users   add EMAIL [--pool NAME] [--group G]... | list
    lambda-micro token   EMAIL [--access] | --issuer URL [--claim K=V --scope S ...]
    lambda-micro --app PATH[:NAME] COMMAND ...   (an app's own commands, and shell)
    lambda-micro --version

Errors (a template that cannot be read, a handler that does not import, a port in use) are one line on
stderr and exit status 2, never a traceback. ``invoke`` exits 1 when the function fails, ``check`` when it
finds drift. Each command is one ``_cmd_<name>`` function in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType

from lambda_micro.adapter.infer import SOURCES

from . import cli_auth
from .cli_invoke import CliError, region_of, run_event, run_invoke, run_trigger
from .console import PROG, banner, format_routes, logging_to, plural
from .devserver import DevServer, is_loopback
from .drift import check_drift
from .embedded_aws import EmbeddedAWSError
from .envvars import EnvVarsError
from .loader import FunctionLoadError
from .project import APIS, NewProjectError, ProjectOptions, create_project, function_name_for
from .routing import RouteTable
from .sam import SamTemplate, TemplateError, load_template
from .server import GatewayStartError

__all__ = ["COMMANDS", "build_parser", "main"]

logger = logging.getLogger("lambda_micro.local")


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


def _add_request_options(parser: argparse.ArgumentParser, *, default_path: str | None) -> None:
    parser.add_argument("--method", "-X", default="GET", help="the HTTP method (default: GET)")
    parser.add_argument(
        "--path", default=default_path, help="the request path, percent-encoded or not (may end in ?query)"
    )
    parser.add_argument("--query", "-q", default=None, help="the raw query string (a=1&b=2)")
    parser.add_argument(
        "--header", "-H", action="append", metavar="'NAME: VALUE'", help="a request header (repeatable)"
    )
    parser.add_argument("--body", "-d", default=None, help="the request body: TEXT, @FILE or - for stdin")


def _version() -> str:
    try:
        return importlib.metadata.version("lambda-micro-local")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The ``lambda-micro`` argument parser."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Serve, invoke and check the functions of a SAM template locally, without Docker.",
        epilog="lambda-micro --app PATH[:NAME] COMMAND ...: run a command of an app (its app.cli commands,"
        " or shell), as `flask --app`; `lambda-micro --app PATH --help` lists them.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="serve the template's API routes like API Gateway", description=_SERVE_HELP
    )
    _add_template_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    serve.add_argument(
        "--port",
        "-p",
        type=int,
        default=3000,
        help="port of every API together (default: 3000; 0: any); each API also gets the next ports",
    )
    serve.add_argument("--api", metavar="NAME", help="serve this API alone (its logical id), on --port")
    serve.add_argument("--no-reload", action="store_true", help="do not reload on template or code changes")
    serve.add_argument(
        "--trust-dev-issuer",
        action="store_true",
        help="accept tokens of `lambda-micro token --issuer` for every JWT authorizer whose issuer is not "
        "a user pool of the template",
    )
    _add_runtime_options(serve)

    invoke_cmd = commands.add_parser(
        "invoke",
        help="invoke one function once and print its result",
        description="Invoke FUNCTION_ID with an event and print the result as JSON (exit 1 if it fails). "
        "The event is --event's JSON, or the request --method/--path/... as API Gateway sends it through "
        "the function's routes (default: a GET to its first route).",
    )
    invoke_cmd.add_argument("function_id", metavar="FUNCTION_ID", help="the function's logical id")
    invoke_cmd.add_argument("--event", "-e", metavar="FILE", help="the event as a JSON file, or - for stdin")
    _add_request_options(invoke_cmd, default_path=None)
    _add_template_options(invoke_cmd)
    _add_runtime_options(invoke_cmd)

    event = commands.add_parser(
        "event",
        help="print the event an HTTP request becomes (like sam local generate-event)",
        description="Print the Lambda event SOURCE sends for one request, as JSON.",
    )
    event.add_argument("source", choices=SOURCES, metavar="SOURCE", help=f"one of {', '.join(SOURCES)}")
    _add_request_options(event, default_path="/")
    event.add_argument(
        "--stage", default=None, help="the API's stage (default: Prod for rest, else $default)"
    )
    event.add_argument("--resource", default=None, help="the matched route, e.g. /posts/{slug}")
    event.add_argument("--cookie", action="append", metavar="NAME=VALUE", help="a cookie (repeatable)")
    event.add_argument(
        "--multi-value-headers", action="store_true", help="alb: the target group's multi-value headers"
    )
    event.add_argument(
        "--origin-request",
        action="store_true",
        help="edge: an origin-request trigger (default: viewer-request)",
    )
    event.add_argument(
        "--include-body",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="edge: the trigger's 'include body' option (default: on)",
    )

    trigger = commands.add_parser(
        "trigger",
        help="fire a schedule or an EventBridge rule of the template once, now",
        description="Invoke the function of FUNCTION_ID.EVENT_ID (a Schedule, ScheduleV2 or EventBridgeRule "
        "event) with the event that schedule or rule sends, and print the result (exit 1 if it fails). "
        "`lambda-micro serve` fires schedules on time by itself; while it runs, trigger uses its AWS.",
    )
    trigger.add_argument("event", metavar="FUNCTION_ID.EVENT_ID", help="e.g. CleanupFunction.Nightly")
    trigger.add_argument("--detail", metavar="JSON", help="an EventBridgeRule event's detail (default: {})")
    _add_template_options(trigger)
    _add_runtime_options(trigger)

    routes = commands.add_parser("routes", help="list the template's routes")
    _add_template_options(routes)

    check = commands.add_parser(
        "check",
        help="check the code against the template (drift); exit 1 when anything is off",
        description="Report where the functions' code and the template disagree; exit 1 when any.",
    )
    _add_template_options(check)

    new = commands.add_parser(
        "new",
        help="create a new project: template, function, tests, Makefile",
        description="Create a SAM project on lambda_micro in PATH: template.yaml (python3.13), a function "
        "with an HTML and a JSON route, its tests on the pytest plugin, a Makefile (serve, test, check, "
        "build, deploy), requirements, .gitignore and a README.",
    )
    new.add_argument("path", metavar="PATH", help="the project's folder (created; must be empty)")
    new.add_argument(
        "--api",
        choices=APIS,
        default="http",
        help="http (default): an HTTP API; rest: a REST API (stage Prod); both: the page on a REST API, "
        "the JSON routes on an HTTP API",
    )
    new.add_argument("--with-table", action="store_true", help="a DynamoDB table and its /api/items routes")
    new.add_argument("--with-bucket", action="store_true", help="an S3 bucket and its /api/files routes")
    new.add_argument(
        "--name", help="the function's name, a Python identifier (default: from PATH's folder name)"
    )
    new.add_argument("--force", action="store_true", help="write into PATH even if it is not empty")

    cli_auth.add_parsers(commands, _add_template_options)
    return parser


_SERVE_HELP = (
    "Serve every Api/HttpApi route of the template on one port, building the events API Gateway would "
    "send and running the handlers in-process, with an embedded AWS (moto) holding the template's tables "
    "and buckets. REST APIs also answer under their stage (/Prod/...), as on their execute-api URL; each "
    "API also answers alone on a port of its own."
)


# -- shared by the commands ----------------------------------------------------------------------------------


def _load_template(args: argparse.Namespace) -> SamTemplate:
    return load_template(
        args.template,
        parameter_overrides=_parameter_overrides(args.parameter_overrides),
        region=region_of(args),
    )


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


# -- commands ------------------------------------------------------------------------------------------------


def _cmd_serve(args: argparse.Namespace) -> int:
    dev = DevServer(
        args.template,
        host=args.host,
        port=args.port,
        reload=not args.no_reload,
        parameter_overrides=_parameter_overrides(args.parameter_overrides),
        env_vars_path=args.env_vars,
        aws=args.aws,
        region=region_of(args),
        # Functions run in this process: everything in it (import-time clients included) must see moto.
        process_environ=os.environ,
        api=args.api,
        trust_dev_issuer=args.trust_dev_issuer,
    )
    dev.start(serve_in_thread=False)
    if not is_loopback(args.host):
        print(
            f"{PROG}: warning: listening on {args.host}, not loopback: other machines can reach the "
            "functions and, through them, the local AWS (a development server, not for production)",
            file=sys.stderr,
        )
    print(banner(dev), file=sys.stderr, flush=True)
    with _sigterm_stops():
        try:
            dev.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            dev.stop()
    print(f"\n{PROG}: stopped", file=sys.stderr)
    return 0


def _cmd_invoke(args: argparse.Namespace) -> int:
    return run_invoke(args, _load_template(args))


def _cmd_event(args: argparse.Namespace) -> int:
    return run_event(args)


def _cmd_trigger(args: argparse.Namespace) -> int:
    return run_trigger(args, _load_template(args))


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
        print(f"{PROG} check: {plural(len(problems), 'problem')} in {template.path}", file=sys.stderr)
        return 1
    print(f"{PROG} check: {template.path}: no drift ({plural(len(template.functions), 'function')})")
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    path = Path(args.path)
    options = ProjectOptions(
        name=args.name or function_name_for(path),
        api=args.api,
        table=args.with_table,
        bucket=args.with_bucket,
    )
    written = create_project(path, options, force=args.force)
    print(f"{PROG} new: created {path} ({plural(len(written), 'file')}), function {options.logical_id}")
    print(f"next:\n  cd {path}\n  make test    # the tests\n  make serve   # http://127.0.0.1:3000")
    return 0


#: ``lambda-micro COMMAND``: one function per command (extend here).
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": _cmd_serve,
    "invoke": _cmd_invoke,
    "event": _cmd_event,
    "trigger": _cmd_trigger,
    "routes": _cmd_routes,
    "check": _cmd_check,
    "new": _cmd_new,
    "users": lambda args: cli_auth.run_users(args, _load_template(args)),
    "token": lambda args: cli_auth.run_token(args, _load_template(args)),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``lambda-micro`` with ``argv`` (default: the command line); return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and (arguments[0] == "--app" or arguments[0].startswith("--app=")):
        from .app_commands import main as app_main  # noqa: PLC0415 - click, only for app commands

        return app_main(arguments)
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:  # --help, --version, or a usage error argparse already printed
        return exc.code if isinstance(exc.code, int) else 2
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        with logging_to(sys.stderr):
            return COMMANDS[args.command](args)
    except (
        CliError,
        TemplateError,
        FunctionLoadError,
        EnvVarsError,
        GatewayStartError,
        EmbeddedAWSError,
        NewProjectError,
    ) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
