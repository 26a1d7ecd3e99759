"""Each function's own ``os.environ``, in one process shared by every function.

Lambda gives each function its own ``os.environ``. Locally several functions live
in one process and the local gateway invokes them from several threads at once, so ``os.environ`` is replaced
(once, on first use) by :class:`EnvironOverlay`: a mapping that reads and writes the process environment,
except while a function's code runs (its import, each invocation), when a :class:`contextvars.ContextVar`
points it at that function's own layer — the process environment, then Lambda's reserved variables, then the
template's ``Environment``, then ``extra_env`` — so concurrent invocations each see their own values without a
global lock. Threads that a function starts itself begin outside the layer (a new thread has a fresh context),
and child processes get the process environment.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
import threading
from collections.abc import Iterator, Mapping, MutableMapping

from .sam import Function

__all__ = ["EnvironOverlay", "FunctionEnviron", "in_environment", "install_overlay", "lambda_environment"]

_install_lock = threading.Lock()


class FunctionEnviron:
    """One function's environment: its own values and deletions on top of the process environment."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values: dict[str, str] = dict(values)
        self.deleted: set[str] = set()


_active_layer: contextvars.ContextVar[FunctionEnviron | None] = contextvars.ContextVar(
    "lambda_micro_function_environ", default=None
)


class EnvironOverlay(MutableMapping[str, str]):
    """``os.environ`` replacement: the process environment, or the running function's layer over it."""

    def __init__(self, base: MutableMapping[str, str]) -> None:
        self._base = base

    @property
    def base(self) -> MutableMapping[str, str]:
        """The process environment this overlay wraps."""
        return self._base

    def __getitem__(self, key: str) -> str:
        layer = _active_layer.get()
        if layer is not None:
            if key in layer.values:
                return layer.values[key]
            if key in layer.deleted:
                raise KeyError(key)
        return self._base[key]

    def __setitem__(self, key: str, value: str) -> None:
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"str expected, not {type(key if not isinstance(key, str) else value).__name__}")
        layer = _active_layer.get()
        if layer is None:
            self._base[key] = value
            return
        layer.values[key] = value
        layer.deleted.discard(key)

    def __delitem__(self, key: str) -> None:
        layer = _active_layer.get()
        if layer is None:
            del self._base[key]
            return
        if key not in self:
            raise KeyError(key)
        layer.values.pop(key, None)
        layer.deleted.add(key)

    def _keys(self) -> list[str]:
        layer = _active_layer.get()
        keys = [key for key in self._base if layer is None or key not in layer.deleted]
        if layer is not None:
            keys += [key for key in layer.values if key not in self._base]
        return keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        try:
            self[key]
        except KeyError:
            return False
        return True

    def copy(self) -> dict[str, str]:
        """A plain dict of what the current code sees (``os.environ.copy()``)."""
        return dict(self.items())

    def __repr__(self) -> str:
        return f"EnvironOverlay({self.copy()!r})"

    def __or__(self, other: Mapping[str, str]) -> dict[str, str]:
        return {**self.copy(), **other}

    def __ror__(self, other: Mapping[str, str]) -> dict[str, str]:
        return {**other, **self.copy()}


def install_overlay() -> EnvironOverlay:
    with _install_lock:
        current = os.environ
        if isinstance(current, EnvironOverlay):
            return current
        overlay = EnvironOverlay(current)
        # Replacing the mapping (not clearing it) is the point: the overlay wraps the original.
        os.environ = overlay  # type: ignore[assignment]  # noqa: B003
        # botocore sessions keep the ``os.environ`` object they were created with; boto3's default session,
        # if it exists already, would never see a function's variables (AWS_REGION...): start a new one.
        boto3 = sys.modules.get("boto3")
        if boto3 is not None:
            boto3.__dict__["DEFAULT_SESSION"] = None
        return overlay


@contextlib.contextmanager
def in_environment(layer: FunctionEnviron) -> Iterator[None]:
    install_overlay()
    token = _active_layer.set(layer)
    try:
        yield
    finally:
        _active_layer.reset(token)


def lambda_environment(function: Function, region: str = "us-east-1") -> dict[str, str]:
    """The variables Lambda itself sets for ``function`` (``AWS_LAMBDA_FUNCTION_NAME``, ``AWS_REGION``...)."""
    name = function.function_name or function.logical_id
    return {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]00000000000000000000000000000000",
        "LAMBDA_TASK_ROOT": str(function.code_uri),
        "_HANDLER": function.handler,
    }
