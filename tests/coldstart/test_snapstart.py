"""SnapStart end to end: the real Lambda runtime client (awslambdaric) against a fake Runtime API that
implements ``/restore/next``; the App's hooks run once, in the documented order, and the first request
after the restore imports nothing. Plus the hooks' rules in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lambda_micro import App, snapstart
from lambda_micro.local.events import build_event

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUEST_ID = "5f0d6a3e-2c1b-4e8f-9a7d-0b1c2d3e4f5a"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:snapped"

pytest.importorskip("awslambdaric")
pytest.importorskip("snapshot_restore_py")

_HANDLER = """
import json, os, random, sys
from lambda_micro import App

LOG = os.environ["SNAPSTART_LOG"]


def log(line):
    with open(LOG, "a", encoding="utf-8") as f:
        f.write(line + "\\n")


app = App("snapped")
log("init")
state = {}


@app.get("/")
def index():
    new = sorted(set(sys.modules) - state["modules"])
    log("view: modules imported by the first request: " + json.dumps(new))
    return {"ok": True}


@app.before_request
def before():
    log("before_request")


@app.before_snapshot
def first_before():
    primed = "werkzeug.wrappers.request" in sys.modules and type(sys.modules["uuid"]).__name__ == "module"
    log(f"user before_snapshot 1 (framework primed first: {primed})")
    state["random"] = random.getstate()


@app.before_snapshot
def second_before():
    log("user before_snapshot 2")


@app.after_restore
def restored():
    log(f"user after_restore (random reseeded first: {random.getstate() != state['random']})")
    state["modules"] = set(sys.modules)


handler = app.lambda_handler
"""


class _RuntimeAPI(BaseHTTPRequestHandler):
    """The Lambda Runtime API endpoints the runtime client calls, logging each one."""

    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        server = self.server
        if self.path == "/2018-06-01/runtime/restore/next":
            server.log("runtime: restore/next")
            self._answer(200)
        elif self.path == "/2018-06-01/runtime/invocation/next":
            if server.invoked:
                server.done.wait(30)  # no second invocation: the test ends the process
                self._answer(500)
                return
            server.invoked = True
            server.log("runtime: invocation/next")
            deadline = str(int((time.time() + 30) * 1000))
            self._answer(
                200,
                json.dumps(server.event).encode(),
                {
                    "Lambda-Runtime-Aws-Request-Id": REQUEST_ID,
                    "Lambda-Runtime-Deadline-Ms": deadline,
                    "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
                    "Content-Type": "application/json",
                },
            )
        else:
            self._answer(404)

    def do_POST(self) -> None:
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server.log("runtime: POST " + self.path.removeprefix("/2018-06-01/runtime/"))
        server.posted.append((self.path, body))
        self._answer(202)
        if self.path.endswith(("/response", "/error")):
            server.done.set()


class _Server(ThreadingHTTPServer):
    def __init__(self, log_path: Path, event: dict[str, Any]) -> None:
        super().__init__(("127.0.0.1", 0), _RuntimeAPI)
        self.log_path = log_path
        self.event = event
        self.invoked = False
        self.done = threading.Event()
        self.posted: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()

    def log(self, line: str) -> None:
        with self._lock, self.log_path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")


@pytest.fixture
def runtime_api(tmp_path: Path) -> Iterator[_Server]:
    event = build_event("GET", "/", payload="1.0", headers={"Accept": "application/json"}, stage="Prod")
    server = _Server(tmp_path / "log.txt", event)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.done.set()
        server.shutdown()
        server.server_close()


def test_snapstart_hooks_run_once_in_order_under_the_real_runtime_client(
    tmp_path: Path, runtime_api: _Server
) -> None:
    (tmp_path / "snapped_function.py").write_text(_HANDLER, encoding="utf-8")
    host, port = runtime_api.server_address[:2]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAMBDA_MICRO_"))},
        "AWS_LAMBDA_RUNTIME_API": f"{host}:{port}",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start",
        "AWS_LAMBDA_FUNCTION_NAME": "snapped",
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_REGION": "us-east-1",
        "LAMBDA_TASK_ROOT": str(tmp_path),
        "SNAPSTART_LOG": str(runtime_api.log_path),
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO_ROOT)]),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "awslambdaric", "snapped_function.handler"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert runtime_api.done.wait(60), "the runtime client answered no invocation"
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0].decode(errors="replace")
    log = runtime_api.log_path.read_text(encoding="utf-8").splitlines()
    assert log == [
        "init",
        "user before_snapshot 1 (framework primed first: True)",
        "user before_snapshot 2",
        "runtime: restore/next",
        "user after_restore (random reseeded first: True)",
        "runtime: invocation/next",
        "before_request",
        "view: modules imported by the first request: []",
        f"runtime: POST invocation/{REQUEST_ID}/response",
    ], output
    path, body = runtime_api.posted[-1]
    assert path == f"/2018-06-01/runtime/invocation/{REQUEST_ID}/response"
    result = json.loads(body)
    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {"ok": True}


def _app_with_hooks(calls: list[str]) -> App:
    app = App("hooks", static_folder=None)

    @app.get("/")
    def index() -> str:
        calls.append("view")
        return "ok"

    app.before_snapshot(lambda: calls.append("before 1"))
    app.before_snapshot(lambda: calls.append("before 2"))
    app.after_restore(lambda: calls.append("after 1"))
    app.after_restore(lambda: calls.append("after 2"))
    return app


def test_hooks_run_in_registration_order_and_priming_calls_no_view() -> None:
    calls: list[str] = []
    app = _app_with_hooks(calls)
    snapstart.run_before_snapshot(app)
    snapstart.run_after_restore(app)
    assert calls == ["before 1", "before 2", "after 1", "after 2"]
    assert len(app.before_snapshot_funcs) == len(app.after_restore_funcs) == 2


def test_priming_skips_the_full_dispatch_when_the_app_has_hooks() -> None:
    calls: list[str] = []
    app = _app_with_hooks(calls)
    app.before_request(lambda: calls.append("before_request"))
    app.teardown_request(lambda exc: calls.append("teardown"))
    app.errorhandler(404)(lambda e: (calls.append("404 handler"), ("nf", 404))[1])
    snapstart.prime(app)
    assert calls == []  # no view, hook or handler of the app ran
    assert "werkzeug.wrappers.request" in sys.modules


def test_snapstart_registers_with_snapshot_restore_py_only_when_enabled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import snapshot_restore_py

    before = list(snapshot_restore_py.get_before_snapshot())
    after = list(snapshot_restore_py.get_after_restore())
    monkeypatch.delenv(snapstart.INITIALIZATION_TYPE, raising=False)
    App("not_snapped")
    assert snapshot_restore_py.get_before_snapshot() == before
    monkeypatch.setenv(snapstart.INITIALIZATION_TYPE, snapstart.SNAP_START)
    app = App("snapped")
    try:
        assert snapshot_restore_py.get_before_snapshot()[-1] == (snapstart.run_before_snapshot, (app,), {})
        assert snapshot_restore_py.get_after_restore()[-1] == (snapstart.run_after_restore, (app,), {})
    finally:
        snapshot_restore_py.get_before_snapshot()[:] = before
        snapshot_restore_py.get_after_restore()[:] = after


def test_register_without_snapshot_restore_py_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # not importable
    assert snapstart.register(App("no_library")) is False


def _primed_app(calls: list[str]) -> App:
    app = App("primed", static_folder=None)

    @app.get("/")
    def index() -> str:
        calls.append("index")
        return "home"

    @app.route("/health", methods=["GET", "POST"])
    def health() -> dict[str, bool]:
        calls.append("health")
        return {"ok": True}

    @app.get("/users/<user_id>")
    def user(user_id: str) -> str:
        calls.append("user")
        return user_id

    return app


def test_priming_remembers_the_matches_of_rules_without_arguments_and_calls_no_view() -> None:
    calls: list[str] = []
    app = _primed_app(calls)
    snapstart.prime(app)
    assert calls == []
    remembered = {key: rule.endpoint for key, (rule, _args) in app._matches.items()}
    assert remembered[("", "/", "GET", False)] == "index"
    assert remembered[("", "/health", "POST", False)] == "health"
    assert not any(endpoint == "user" for endpoint in remembered.values())  # a rule with arguments
    # The remembered answers are the ones werkzeug's matcher gives: the views answer as without priming.
    result = app.lambda_handler(build_event("POST", "/health", payload="1.0", stage="Prod"), None)
    assert (result["statusCode"], json.loads(result["body"])) == (200, {"ok": True})
    assert calls == ["health"]


def test_priming_leaves_none_of_its_hosts_in_the_memos() -> None:
    from lambda_micro.adapter import environ

    app = _primed_app([])
    snapstart.prime(app)
    assert not [key for key in app._server_names if "snapstart.invalid" in str(key)]
    assert not [host for host in environ._SERVER_NAMES if "snapstart.invalid" in host]


def test_priming_fills_the_binary_verdicts_of_the_framework_s_own_content_types() -> None:
    app = _primed_app([])
    snapstart.prime(app)
    cache = app._lambda_handler._binary_cache
    assert cache["text/plain; charset=utf-8"] is False
    assert cache["text/html; charset=utf-8"] is False
    assert cache["application/json"] is False
