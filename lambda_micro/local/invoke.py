"""Running a handler the way Lambda does: its own thread, its Timeout, and API Gateway's limit."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .loader import FunctionUnloaded

__all__ = ["FunctionTimedOut", "Invocation", "Target", "error_payload", "invoke"]


class FunctionTimedOut(AssertionError):
    """The handler ran past its Timeout or API Gateway's integration limit (raised for the test client)."""


class Target(Protocol):
    """What the gateway invokes: a loaded function, or the test client's handler."""

    @property
    def function_id(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    def make_context(self, request_id: str) -> Any: ...
    def acquire(self) -> bool: ...
    def release(self) -> None: ...
    def invoke(self, event: Any, context: Any) -> Any: ...


@dataclass
class Invocation:
    """How one invocation ended."""

    result: object = None
    error: BaseException | None = None
    timed_out: bool = False  # the function's own Timeout passed (Lambda's "Task timed out")
    integration_timed_out: bool = False  # API Gateway's integration limit passed first
    duration_ms: float = 0.0


def invoke(
    loaded: Target,
    event: Mapping[str, Any],
    context: Any,
    *,
    limit: float | None = None,
    inline: bool = False,
) -> Invocation:
    """Run the handler in its own thread; stop waiting at the function's Timeout or at ``limit`` seconds.

    Raises :class:`FunctionUnloaded` when ``loaded`` was unloaded before the call.

    A Python thread cannot be killed: after a timeout the handler keeps running in the background until it
    returns (its result is dropped), as a Lambda invocation would until the sandbox is frozen. ``inline``
    runs it in the caller's thread instead (the test client: a debugger and thread-local state work as in
    any test); a timeout is then known only once the handler returns.
    """
    timeout = float(loaded.timeout)
    wait = timeout if limit is None else min(timeout, limit)
    outcome = Invocation()
    done = threading.Event()
    # Held from here until the handler returns, even after a timeout: a reload never unloads the code
    # under an invocation that is still running (FunctionUnloaded when it was unloaded before this call).
    if not loaded.acquire():
        raise FunctionUnloaded(f"{loaded.function_id} was unloaded (its code was reloaded)")

    def run() -> None:
        try:
            outcome.result = loaded.invoke(dict(event), context)
        except BaseException as exc:  # SystemExit in a handler is an error too, as on Lambda
            outcome.error = exc
        finally:
            loaded.release()
            done.set()

    started = time.perf_counter()
    if inline:
        run()
        outcome.duration_ms = (time.perf_counter() - started) * 1000
        finished = outcome.duration_ms <= wait * 1000
    else:
        worker = threading.Thread(target=run, name=f"lambda:{loaded.function_id}", daemon=True)
        worker.start()
        finished = done.wait(wait)
        outcome.duration_ms = (time.perf_counter() - started) * 1000
    if not finished:
        if limit is not None and limit < timeout:
            return Invocation(integration_timed_out=True, duration_ms=outcome.duration_ms)
        return Invocation(timed_out=True, duration_ms=outcome.duration_ms)
    return outcome


def error_payload(exc: BaseException) -> dict[str, Any]:
    """What the Lambda runtime reports for a handler exception (``errorMessage``, ``errorType``, ...)."""
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)),
    }
