"""Invoking a template function with a non-HTTP event, as the gateway invokes it with an HTTP one.

The function is looked up in what is served *now* (``functions()``), so a reload's new code takes the next
event; an invocation that finds its function retired by a reload is retried on the new one. Each
invocation runs in its own thread with the function's ``Timeout``. Every delivery gives one log line::

    SQS Jobs → WorkerFunction 3 records, 1 failed, 12 ms
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lambda_micro.events.errors import BatchFailed
from lambda_micro.local.invoke import Invocation, Target, invoke
from lambda_micro.local.loader import FunctionUnloaded

__all__ = ["Delivery", "Invoker"]

logger = logging.getLogger("lambda_micro.local")


@dataclass(frozen=True)
class Delivery:
    """One invocation of a function by an event source, and how it went."""

    source: str  # "SQS Jobs", "S3 ImagesBucket", "Schedule Nightly"
    function_id: str
    records: int
    failed: int
    duration_ms: float
    #: Why the invocation failed (the handler's exception, a timeout), when it did.
    error: str | None = None
    result: Any = None

    def __str__(self) -> str:
        count = f"{self.records} record{'' if self.records == 1 else 's'}"
        outcome = f", {self.failed} failed" if self.failed or self.error else ""
        return f"{self.source} → {self.function_id} {count}{outcome}, {self.duration_ms:.0f} ms"


class Invoker:
    """``invoker(function_id, event)``: run the function, log its failure (once), return the invocation."""

    def __init__(
        self, functions: Callable[[], Mapping[str, Target]], *, log: logging.Logger | None = None
    ) -> None:
        self.functions = functions
        self.log = log or logger

    def __call__(self, function_id: str, event: dict[str, Any]) -> Invocation:
        for _ in range(3):
            target = self.functions().get(function_id)
            if target is None:
                message = f"{function_id} is not loaded (it failed to import); its events wait"
                return Invocation(error=RuntimeError(message))
            try:
                invocation = invoke(target, event, target.make_context(str(uuid.uuid4())))
            except FunctionUnloaded:
                time.sleep(0.01)  # a reload retired it between the lookup and the call: take the new one
                continue
            self._log_failure(function_id, invocation, target.timeout)
            return invocation
        return Invocation(error=RuntimeError(f"{function_id} kept being reloaded; its event waits"))

    def _log_failure(self, function_id: str, invocation: Invocation, timeout: float) -> None:
        if invocation.timed_out:
            self.log.error("%s: Task timed out after %.2f seconds", function_id, timeout)
        elif isinstance(invocation.error, BatchFailed):  # each record's failure is logged already
            self.log.error("%s: %s", function_id, invocation.error)
        elif invocation.error is not None:
            exc = invocation.error
            self.log.error(
                "%s: the handler raised %s: %s",
                function_id,
                type(exc).__name__,
                exc,
                exc_info=(type(exc), exc, exc.__traceback__),
            )

    @staticmethod
    def failure(invocation: Invocation) -> str | None:
        """Why ``invocation`` failed, or ``None``."""
        if invocation.timed_out:
            return "timed out"
        if invocation.error is not None:
            return f"{type(invocation.error).__name__}: {invocation.error}"
        return None
