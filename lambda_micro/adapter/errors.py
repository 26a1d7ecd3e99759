"""Exceptions of the adapter: one public type for non-HTTP events, private ones for malformed input."""

from __future__ import annotations

from typing import Any

__all__ = ["BadEvent", "ResponseTooLarge", "UnsupportedEvent"]


class UnsupportedEvent(Exception):
    """Raised for an event that is not an HTTP event of a known source.

    The message names what was received (the event's top-level keys, or its type when it is not an object),
    never the values: events carry cookies and Authorization headers.
    """

    @classmethod
    def for_event(cls, event: Any) -> UnsupportedEvent:
        """Build the exception for ``event``, naming its keys (or its type)."""
        if isinstance(event, dict):
            keys = sorted(str(key) for key in event)
            shown = ", ".join(keys[:20]) + (", ..." if len(keys) > 20 else "")
            received = f"an object with keys [{shown}]" if keys else "an empty object"
        else:
            received = f"a value of type {type(event).__name__}"
        return cls(
            "Not an HTTP event from API Gateway (REST or HTTP API), an Application Load Balancer or a "
            f"Lambda Function URL: received {received}."
        )


class BadEvent(Exception):
    """An HTTP event whose ``field`` is missing, null where required, of the wrong type or undecodable."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"invalid event field {field!r}: {problem}")
        self.field = field
        self.problem = problem


class ResponseTooLarge(Exception):
    """The proxy result would exceed the payload limit of Lambda (6 MB) or of the load balancer (1 MB)."""
