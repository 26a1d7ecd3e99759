"""The non-HTTP registration decorators of App and Blueprint (``@app.on_sqs`` and its siblings).

Kept apart from :mod:`.scaffold`, and importing :mod:`lambda_micro.events` only when one is used, so an app
that serves HTTP alone never loads the event records or their dispatch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .events.registry import EventHandler, Kind

__all__ = ["EventRegistration"]

#: Any handler: the decorators return the function unchanged, its signature kept.
T_event_handler = TypeVar("T_event_handler", bound=Callable[..., Any])


class EventRegistration:
    """Decorators that register a function for records of one event source (see :mod:`lambda_micro.events`).

    A handler is called with one record (``batch=True``: the list of them, for SQS, Kinesis and DynamoDB
    streams). The resource (queue, bucket, table, stream, topic, schedule) is a name or an ARN, matched
    against the event's; ``None`` matches any. Records go to the first matching handler, in registration
    order.
    """

    def _check_setup_finished(self, method: str) -> None:
        raise NotImplementedError

    def _add_event_handler(self, spec: EventHandler) -> None:
        raise NotImplementedError

    def _event_decorator(self, kind: Kind, **options: Any) -> Callable[[T_event_handler], T_event_handler]:
        from .events.registry import KINDS, event_spec  # noqa: PLC0415 - only apps with event handlers

        spec = event_spec(kind, **options)  # bad arguments fail at the decorator line

        def decorator(f: T_event_handler) -> T_event_handler:
            self._check_setup_finished(KINDS[kind][0])
            self._add_event_handler(spec.bind(f))
            return f

        return decorator

    def on_sqs(
        self, queue: str | None = None, *, batch: bool = False
    ) -> Callable[[T_event_handler], T_event_handler]:
        """Handle the messages of SQS ``queue`` (name or ARN): ``f(message: SQSMessage)``.

        A message whose handler raises is reported in ``batchItemFailures`` (the event source mapping needs
        ``FunctionResponseTypes: [ReportBatchItemFailures]``), so only it is retried; from a FIFO queue,
        processing stops at the first failure. ``batch=True``: ``f(messages: list[SQSMessage])``, which
        returns the failed messages (or ``None``).
        """
        return self._event_decorator("sqs", resource=queue, batch=batch)

    def on_s3(
        self,
        bucket: str | None = None,
        events: str | Iterable[str] = ("ObjectCreated:*",),
        *,
        prefix: str = "",
        suffix: str = "",
    ) -> Callable[[T_event_handler], T_event_handler]:
        """Handle S3 notifications of ``bucket`` for ``events`` (``ObjectCreated:*``, ``ObjectRemoved:*``,
        ``ObjectCreated:Put``...) on keys with ``prefix`` and ``suffix``: ``f(obj: S3Object)``."""
        return self._event_decorator("s3", resource=bucket, events=events, prefix=prefix, suffix=suffix)

    def on_dynamodb_stream(
        self, table: str | None = None, *, batch: bool = False
    ) -> Callable[[T_event_handler], T_event_handler]:
        """Handle the stream of DynamoDB ``table`` (its name, ARN or stream ARN): ``f(record: StreamRecord)``.

        Streams are ordered: at the first failure, that record and every later one are reported in
        ``batchItemFailures`` (by sequence number), and retried.
        """
        return self._event_decorator("dynamodb", resource=table, batch=batch)

    def on_kinesis(
        self, stream: str | None = None, *, batch: bool = False
    ) -> Callable[[T_event_handler], T_event_handler]:
        """Handle the records of Kinesis ``stream`` (name or ARN): ``f(record: KinesisRecord)``; ordered, as
        DynamoDB streams are."""
        return self._event_decorator("kinesis", resource=stream, batch=batch)

    def schedule(self, name: str | None = None) -> Callable[[T_event_handler], T_event_handler]:
        """Handle the firings of schedule ``name``: an EventBridge rule (SAM ``Schedule``, its ``Name``) or
        an EventBridge Scheduler schedule (SAM ``ScheduleV2``, ``Name`` or ``GROUP/NAME``) that sends no
        input of its own: ``f(event: ScheduledEvent)``; its return value is the invocation's result."""
        return self._event_decorator("schedule", resource=name)

    def on_event(
        self, source: str | Iterable[str] | None = None, detail_type: str | Iterable[str] | None = None
    ) -> Callable[[T_event_handler], T_event_handler]:
        """Handle EventBridge events with this ``source`` and ``detail_type`` (a value or a list; ``None``:
        any): ``f(event: EventBridgeEvent)``; its return value is the invocation's result."""
        return self._event_decorator("eventbridge", source=source, detail_type=detail_type)

    def on_sns(self, topic: str | None = None) -> Callable[[T_event_handler], T_event_handler]:
        """Handle the notifications of SNS ``topic`` (name or ARN): ``f(message: SNSMessage)``."""
        return self._event_decorator("sns", resource=topic)
