"""The Lambda context: what the Python runtime passes as ``context`` (the test kit re-exports it)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .sam import Function

__all__ = ["LambdaContext", "lambda_context"]


def _request_id() -> str:
    return str(uuid.uuid4())


@dataclass
class LambdaContext:
    """What Lambda passes as ``context``: names, ARN, memory, request id, log names and the time left.

    ``timeout`` is the function's timeout in seconds; the deadline starts when the context is created (each
    :class:`~lambda_micro.testing.Client` call creates a fresh one), so ``get_remaining_time_in_millis()``
    decreases as the handler runs. ``memory_limit_in_mb`` is a string, as the real runtime gives it.
    """

    function_name: str = "test-function"
    function_version: str = "$LATEST"
    invoked_function_arn: str = ""
    memory_limit_in_mb: str = "128"
    aws_request_id: str = field(default_factory=_request_id)
    log_group_name: str = ""
    log_stream_name: str = "2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef"
    timeout: float = 3.0
    region: str = "us-east-1"
    account_id: str = "123456789012"
    identity: Any = None
    client_context: Any = None
    tenant_id: str | None = None
    _deadline_ms: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        self.memory_limit_in_mb = str(self.memory_limit_in_mb)
        if not self.invoked_function_arn:
            self.invoked_function_arn = (
                f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"
            )
        if not self.log_group_name:
            self.log_group_name = f"/aws/lambda/{self.function_name}"
        if not self._deadline_ms:
            self._deadline_ms = int(time.time() * 1000 + self.timeout * 1000)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's timeout (never negative)."""
        return max(0, self._deadline_ms - int(time.time() * 1000))


def lambda_context(
    function: Function, request_id: str | None = None, *, region: str = "us-east-1"
) -> LambdaContext:
    """The context Lambda passes to one invocation of ``function``.

    Named, sized and timed from the template; its deadline starts now and is the function's ``Timeout``.
    A fresh request id is drawn unless ``request_id`` is given.
    """
    context = LambdaContext(
        function_name=function.function_name or function.logical_id,
        timeout=float(function.timeout),
        memory_limit_in_mb=str(function.memory_size),
        region=region,
    )
    if request_id is not None:
        context.aws_request_id = request_id
    return context
