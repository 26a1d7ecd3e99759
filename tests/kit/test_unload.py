"""Unloading a function's modules while other threads import, and retiring a version that is still running."""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lambda_micro.local.invoke import invoke
from lambda_micro.local.loader import FunctionUnloaded, LoadedFunction, load_function
from lambda_micro.local.sam import load_template

WriteProject = Callable[..., Path]

TEMPLATE = (
    "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
    "    Properties: {CodeUri: fn, Handler: app.handler, Runtime: python3.11, Timeout: 10}\n"
)
# The handler waits until the test lets it go, then imports a sibling module it has not imported yet: the
# import only works while the function's package is still registered.
BLOCKING_APP = """\
def handler(event, context):
    event["started"].set()
    if not event["release"].wait(10):
        raise TimeoutError("the test never released the handler")
    import late
    return late.VALUE
"""


@pytest.fixture
def blocking(write_project: WriteProject) -> Iterator[LoadedFunction]:
    path = write_project(TEMPLATE, {"fn/app.py": BLOCKING_APP, "fn/late.py": "VALUE = 'old code'\n"})
    loaded = load_function(load_template(path).functions["Fn"])
    yield loaded
    loaded.unload()


def _settle_tracers(folder: Path) -> None:
    """Run code from a new file once, before the churn starts.

    A coverage tracer, on the first new file it meets after ``sys.path`` changed (other tests change it),
    re-imports its source packages inside a "remove the modules imported meanwhile" block that does not
    expect another thread to remove them first. Meeting a new file now lets it do that while nothing else
    touches ``sys.modules``; under the churn, no test here changes ``sys.path``.
    """
    source = folder / "_settle_tracers.py"
    source.write_text("VALUE = 1\n")
    spec = importlib.util.spec_from_file_location("_lambda_micro_test_settle", source)
    assert spec is not None
    assert spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


@pytest.fixture
def churn(tmp_path: Path) -> Iterator[None]:
    """Another thread adding and removing modules in ``sys.modules`` as fast as it can, with the
    interpreter switching threads far more often than usual, so that any iteration over ``sys.modules``
    itself meets a change of size."""
    _settle_tracers(tmp_path)
    stop = threading.Event()

    def run() -> None:
        n = 0
        while not stop.is_set():
            # Several new names, then their removal: the size of sys.modules keeps changing.
            names = [f"_lambda_micro_test_churn_{n}_{i}" for i in range(8)]
            for name in names:
                sys.modules[name] = types.ModuleType(name)
            for name in names:
                sys.modules.pop(name, None)
            n += 1

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)


def test_unload_while_another_thread_imports_never_raises(write_project: WriteProject, churn: None) -> None:
    # Before the fix this failed within a few dozen rounds: "dictionary changed size during iteration".
    path = write_project(
        TEMPLATE,
        {
            "fn/app.py": "import late\n\ndef handler(e, c):\n    return late.VALUE\n",
            "fn/late.py": "VALUE = 1\n",
        },
    )
    function = load_template(path).functions["Fn"]
    for _ in range(300):
        loaded = load_function(function)
        assert loaded.invoke({}, None) == 1
        loaded.unload()
        assert not [name for name in list(sys.modules) if name.startswith(loaded.package)]


def test_retire_waits_for_the_invocation_under_way(blocking: LoadedFunction) -> None:
    started, release = threading.Event(), threading.Event()
    results: list[object] = []
    worker = threading.Thread(
        target=lambda: results.append(blocking.invoke({"started": started, "release": release}, None))
    )
    worker.start()
    assert started.wait(5)
    blocking.retire()
    # Still running on the old code: nothing of its package is gone yet.
    assert blocking.package in sys.modules
    release.set()
    worker.join(5)
    assert results == ["old code"]  # its late import found the package whole
    assert blocking.package not in sys.modules  # the last use unloaded it
    with pytest.raises(FunctionUnloaded, match="Fn was unloaded"):
        blocking.invoke({}, None)


def test_retire_without_uses_unloads_at_once(blocking: LoadedFunction) -> None:
    blocking.retire()
    assert blocking.package not in sys.modules
    assert blocking.acquire() is False


def test_invoke_holds_the_code_after_a_timeout(blocking: LoadedFunction) -> None:
    # The gateway stops waiting at its limit, but the handler runs on: its code must stay loaded until it
    # returns, as a Lambda sandbox keeps running until it is frozen.
    started, release = threading.Event(), threading.Event()
    outcome = invoke(blocking, {"started": started, "release": release}, None, limit=0.05)
    assert outcome.integration_timed_out
    assert started.wait(5)
    blocking.retire()
    assert blocking.package in sys.modules
    release.set()
    for _ in range(500):
        if blocking.package not in sys.modules:
            break
        threading.Event().wait(0.01)
    assert blocking.package not in sys.modules


def test_invoke_of_an_unloaded_function_raises(blocking: LoadedFunction) -> None:
    blocking.unload()
    with pytest.raises(FunctionUnloaded):
        invoke(blocking, {}, None)
