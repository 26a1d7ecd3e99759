#!/usr/bin/env python3
"""The local gateway under load: requests/s and p50/p99 latency for 32 keep-alive clients.

    python bench/gateway.py                      every stack, 10 s per route (run it alone on the machine)
    python bench/gateway.py --duration 3         a short run
    python bench/gateway.py --stacks after,sam   some stacks only

Run with the development virtualenv (``make bench-gateway`` does), on the repository's ``template.yaml`` with
its embedded AWS (moto), for three routes of the example blog: ``GET /`` (the web function's page, REST
API), ``GET /api/posts`` and ``POST /api/posts`` (the JSON API, HTTP API; each POST creates a post with a
fresh slug), and ``GET /static/style.css`` (the web function's stylesheet: no DynamoDB or S3 call, so what
the gateway and the app cost alone). Stacks, each in its own server process on a free port:

- ``before``: ``lambda-micro serve`` of the ``--before-ref`` revision (default ``main``, exported with
  ``git archive``): werkzeug's development server;
- ``after``: ``lambda-micro serve`` of this checkout: waitress;
- ``sam``: SAM CLI's own local API Gateway service (``samcli.local.apigw.local_apigw_service``, Flask's
  threaded server) on the same template, with an invoker that calls the same in-process handlers (no
  Docker), on the same embedded AWS.

The blog's writes need a user of its local user pool: the benchmark adds ``bench@example.com`` to each
``lambda-micro serve`` it starts (so it stays in that checkout's ``.lambda-micro/users.json``) and sends
its token with every request; SAM CLI's service does not enforce the JWT authorizer.

The load generator is ``wrk`` (Debian: ``apt-get install wrk``; keep-alive, ``--latency``) when installed,
else a Python client with one persistent connection per client thread. Every answer's status is checked:
a stack that answers with errors is reported with the error count. Results are indicative unless the
machine runs nothing else.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
# The three routes, and a static file: no AWS call, so the gateway and the app alone.
ROUTES = [("GET", "/"), ("GET", "/api/posts"), ("POST", "/api/posts"), ("GET", "/static/style.css")]
STACKS = ("before", "after", "sam")

_POST_LUA = """
local counter = 0
-- one Lua state per wrk thread: its table addresses differ, so do the slugs of two threads
local id = tostring({}):gsub("table: ", "") .. tostring(math.random(1, 1000000000))
request = function()
  counter = counter + 1
  local body = string.format(
    '{"slug":"b-%s-%d","title":"Bench %d","body":"Some text."}', id, counter, counter)
  return wrk.format("POST", "/api/posts", {["Content-Type"] = "application/json"AUTHORIZATION}, body)
end
"""
# The blog's writes need a user of its local user pool (its JWT authorizer): one is added to each of our
# servers, and every request carries its token (a revision without local users, or SAM CLI, ignores it).
_AUTHOR = ("bench@example.com", "Bench-Password-42")


# -- servers -------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            status, _ = _request(port, "GET", "/api/posts")
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"the server on port {port} did not become ready")


@contextlib.contextmanager
def _exported(ref: str) -> Iterator[Path]:
    """The tree of git revision ``ref``, in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="gateway-bench-") as folder:
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder)


def _listening_port(process: subprocess.Popen[str], log: list[str], timeout: float = 120) -> int:
    """The port in the server's ``Listening on http://host:PORT/`` line (its other lines go to ``log``)."""
    assert process.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            raise RuntimeError(f"the server exited with status {process.wait()}:\n{''.join(log[-30:])}")
        log.append(line)
        found = re.match(r"Listening on http://[^:]+:(\d+)/", line)
        if found:
            # Keep reading its stderr, so that the server never blocks on a full pipe.
            threading.Thread(target=lambda: log.extend(process.stderr or ()), daemon=True).start()
            return int(found.group(1))
    raise RuntimeError("the server did not start listening")


def _author_token(cwd: Path, env: dict[str, str]) -> str | None:
    """A token of the bench's author on the running ``serve`` in ``cwd`` (``None``: no local users there)."""
    command = [sys.executable, "-m", "lambda_micro.local"]
    email, password = _AUTHOR
    added = subprocess.run(
        [*command, "users", "add", email, "--password", password],
        cwd=cwd, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if added.returncode != 0:
        return None
    token = subprocess.run(
        [*command, "token", email], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return token.stdout.strip()


@contextlib.contextmanager
def _server(stack: str, before_ref: str) -> Iterator[tuple[int, str | None]]:
    """The stack's server: its port, and the ``Authorization`` header value its writes need."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with contextlib.ExitStack() as stack_context:
        cwd = ROOT
        if stack == "before":
            cwd = stack_context.enter_context(_exported(before_ref))
            env["PYTHONPATH"] = str(cwd)  # its lambda_micro wins over this checkout's
        if stack == "sam":
            command = [sys.executable, __file__, "--serve-sam", "0"]
        else:
            # Port 0: the server picks free ports (the combined one, and after it one per API).
            command = [sys.executable, "-m", "lambda_micro.local", "serve", "--template", "template.yaml"]
            command += ["--port", "0", "--no-reload"]
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        log: list[str] = []
        try:
            port = _listening_port(process, log)
            _wait_ready(port, process)
            token = _author_token(cwd, env) if stack != "sam" else None
            authorization = f"Bearer {token}" if token else None
            for index in range(20):  # pages are not empty
                document = {"title": f"Seed {index}", "body": "Seed text."}
                status, body = _request(port, "POST", "/api/posts", document, authorization)
                if status >= 400:
                    raise RuntimeError(f"seeding a post: {status} {body[:200]!r}")
            yield port, authorization
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _serve_sam(port: int) -> None:
    """SAM CLI's local API Gateway service on the template, invoking the handlers in this process."""
    from samcli.lib.providers.provider import Api
    from samcli.local.apigw.local_apigw_service import LocalApigwService
    from samcli.local.apigw.route import Route

    from lambda_micro.local.embedded_aws import EmbeddedAWS
    from lambda_micro.local.loader import load_function
    from lambda_micro.local.sam import load_template

    template = load_template(TEMPLATE)
    aws = EmbeddedAWS(region=template.region)
    aws.start()
    aws.apply_to(os.environ)
    aws.create_resources(template)
    loaded = {
        name: load_function(function, extra_env=aws.environment, region=template.region)
        for name, function in template.functions.items()
    }

    class InProcessRunner:
        """What SAM's service needs of its LocalLambdaRunner: invoke, and no debugger."""

        def is_debugging(self) -> bool:
            return False

        def invoke(self, function_identifier: str, event: str, stdout: Any = None, **_: Any) -> None:
            function = loaded[function_identifier]
            result = function.invoke(json.loads(event), function.make_context(str(uuid.uuid4())))
            stdout.write_str(json.dumps(result))

    api = Api(
        routes=[
            Route(
                function_name=route.function_id,
                path=route.path,
                methods=Route.ANY_HTTP_METHODS if route.method == "ANY" else [route.method],
                event_type=Route.API if route.api_kind == "rest" else Route.HTTP,
                payload_format_version=route.payload if route.api_kind == "http" else None,
                is_default_route=route.is_default_route,
            )
            for route in template.routes
        ]
    )
    rest = template.apis.get("ServerlessRestApi")
    api.binary_media_types_set = set(rest.binary_media_types if rest else ())
    api.stage_name = "Prod"
    port = port or _free_port()
    service = LocalApigwService(api, InProcessRunner(), port=port, host="127.0.0.1")
    service.create()
    print(f"Listening on http://127.0.0.1:{port}/", file=sys.stderr, flush=True)
    service.run()


# -- load ----------------------------------------------------------------------------------------------------


def _headers(authorization: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    return headers


def _request(
    port: int, method: str, path: str, document: Any = None, authorization: str | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = json.dumps(document).encode() if document is not None else None
        conn.request(method, path, body=body, headers=_headers(authorization))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _seconds(text: str) -> float:
    """wrk's ``1.23ms`` / ``850.00us`` / ``1.02s`` as seconds."""
    found = re.fullmatch(r"(?P<number>[\d.]+)(?P<unit>us|ms|s|m)", text)
    if found is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(found["number"]) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[found["unit"]]


def _wrk(
    port: int, method: str, path: str, connections: int, duration: float, *, authorization: str | None
) -> dict[str, Any]:
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{duration:g}s",
        "--latency",
        "--timeout",
        "30s",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        header = f', ["Authorization"] = "{authorization}"' if authorization else ""
        script.write(_POST_LUA.replace("AUTHORIZATION", header) if method == "POST" else "")
    try:
        if method == "POST":
            command += ["-s", script.name]
        output = subprocess.run(
            [*command, f"http://127.0.0.1:{port}{path}"], check=True, capture_output=True, text=True
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _seconds(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _seconds(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def _python_load(
    port: int, method: str, path: str, connections: int, duration: float, *, authorization: str | None
) -> dict[str, Any]:
    """One persistent connection per client thread (HTTP/1.1 keep-alive where the server keeps it)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client(number: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        count = 0
        while time.monotonic() < stop:
            count += 1
            body = None
            if method == "POST":
                slug = f"b-{number}-{count}-{uuid.uuid4().hex[:8]}"
                body = json.dumps({"slug": slug, "title": f"Bench {count}", "body": "Some text."}).encode()
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=_headers(authorization))
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += not ok
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"rps": len(latencies) / elapsed, "p50": quantiles[49], "p99": quantiles[98], "errors": errors}


def _measure(stack: str, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    load = _wrk if shutil.which("wrk") and not args.python_client else _python_load
    with _server(stack, args.before_ref) as (port, authorization):
        for method, path in ROUTES:
            warm_up = min(2.0, args.duration)
            load(port, method, path, args.connections, warm_up, authorization=authorization)
            results[f"{method} {path}"] = load(
                port, method, path, args.connections, args.duration, authorization=authorization
            )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per route (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="keep-alive clients (default 32)")
    parser.add_argument("--stacks", default=",".join(STACKS), help=f"comma-separated, of {', '.join(STACKS)}")
    parser.add_argument("--before-ref", default="main", help="the git revision of 'before' (default main)")
    parser.add_argument("--python-client", action="store_true", help="use the Python client even with wrk")
    parser.add_argument("--serve-sam", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sam is not None:
        _serve_sam(args.serve_sam)
        return 0
    stacks = [name.strip() for name in args.stacks.split(",") if name.strip()]
    unknown = sorted(set(stacks) - set(STACKS))
    if unknown:
        parser.error(f"unknown stack(s): {', '.join(unknown)}")
    generator = "wrk" if shutil.which("wrk") and not args.python_client else "Python keep-alive client"
    print(f"# Gateway benchmark: {args.connections} clients, {args.duration:g} s per route, {generator}")
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python {sys.version.split()[0]}")
    print()
    print("| stack | route | requests/s | p50 ms | p99 ms | errors |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for stack in stacks:
        for route, row in _measure(stack, args).items():
            errors = str(row["errors"]) + (f" ({row['socket_errors']})" if row.get("socket_errors") else "")
            print(
                f"| {stack} | {route} | {row['rps']:.0f} | {row['p50'] * 1000:.1f} | "
                f"{row['p99'] * 1000:.1f} | {errors} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
