"""What can go wrong with a non-HTTP event: a malformed record, an event no handler fits, a failed batch."""

from __future__ import annotations

from lambda_micro.adapter.errors import UnsupportedEvent

__all__ = ["BadRecord", "BatchFailed", "UnmatchedEvent"]


class BadRecord(ValueError):
    """A record that lacks a field, has one of the wrong type, or whose body cannot be decoded.

    The message names the source, the record (its id when it has one) and the field, never the value:
    message bodies and images carry user data.
    """

    def __init__(self, what: str, field: str, problem: str) -> None:
        super().__init__(f"{what}: {field} {problem}")
        self.what = what
        self.field = field
        self.problem = problem


class UnmatchedEvent(UnsupportedEvent):
    """An event of a source the app has handlers for, from a resource none of them is registered for
    (``@app.on_sqs(queue="orders")`` and a message from queue ``invoices``). The message names the source
    and what the handlers match."""


class BatchFailed(Exception):
    """Every record of a batch failed: the invocation fails, so Lambda retries the whole batch (and a
    queue redrives it) even for an event source mapping without ``ReportBatchItemFailures``."""

    def __init__(self, message: str, failures: list[str]) -> None:
        super().__init__(message)
        #: The item identifiers of the failed records (message ids or sequence numbers).
        self.failures = failures
