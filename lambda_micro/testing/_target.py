"""What the test client's gateway invokes: the target's ``(event, context)`` handler, with its contexts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._client import Client

__all__ = ["Handler", "HandlerTarget", "handler_of"]

Handler = Callable[[dict[str, Any], Any], Any]


def handler_of(target: Any) -> Handler:
    """The ``(event, context)`` callable behind an App, a loaded function or a handler."""
    invoke = getattr(target, "invoke", None)
    if callable(invoke) and hasattr(target, "function"):  # a LoadedFunction
        return invoke  # type: ignore[no-any-return]
    lambda_handler = getattr(target, "lambda_handler", None)
    if callable(lambda_handler):
        return lambda_handler  # type: ignore[no-any-return]
    if callable(target):
        return target  # type: ignore[no-any-return]
    raise TypeError(f"Client needs a Lambda handler (event, context) or an App, got {target!r}")


class HandlerTarget:
    """The client's handler as the gateway invokes it (contexts from the client)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @property
    def function_id(self) -> str:
        return self._client.function_name

    @property
    def timeout(self) -> float:
        return float(self._client.timeout)

    def make_context(self, request_id: str) -> Any:
        return self._client.make_context()

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass

    def invoke(self, event: Any, context: Any) -> Any:
        return self._client.handler(event, context)
