"""Non-HTTP events through ``app.lambda_handler``: which source sent it, which handler gets each record.

SQS, Kinesis and DynamoDB streams deliver batches: each record goes to its handler (or the whole list, with
``batch=True``) and the records that failed are answered as ``{"batchItemFailures": [{"itemIdentifier":
...}]}``, the partial batch response Lambda expects from a mapping with ``ReportBatchItemFailures``. FIFO
queues and streams are ordered: processing stops at the first failure, which is reported with every record
after it. A batch whose every record failed raises :class:`BatchFailed`, so it is retried whole even by a
mapping without ``ReportBatchItemFailures``. S3, SNS, schedules and EventBridge rules invoke asynchronously:
a handler's exception fails the invocation (Lambda retries it), and a schedule's or a rule's handler's
return value is the invocation's result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from lambda_micro._errorlog import log_unhandled_exception
from lambda_micro.adapter.errors import UnsupportedEvent

from .errors import BadRecord, BatchFailed, UnmatchedEvent
from .records import (
    EventBridgeEvent,
    KinesisRecord,
    S3Object,
    ScheduledEvent,
    SNSMessage,
    SQSMessage,
    StreamRecord,
)
from .registry import BATCH_KINDS, KINDS, EventHandler, Kind

if TYPE_CHECKING:
    from lambda_micro.app import App

__all__ = ["classify", "dispatch_event"]

logger: Final = logging.getLogger("lambda_micro.events")

_RECORD_SOURCES: Final[dict[str, Kind]] = {
    "aws:sqs": "sqs",
    "aws:s3": "s3",
    "aws:dynamodb": "dynamodb",
    "aws:kinesis": "kinesis",
    "aws:sns": "sns",
}
_SCHEDULE_SOURCES: Final = frozenset({"aws.events", "aws.scheduler"})
_BATCH_RECORDS: Final[dict[str, Callable[[Mapping[str, Any], int], Any]]] = {
    "sqs": SQSMessage,
    "dynamodb": StreamRecord,
    "kinesis": KinesisRecord,
}


def _record_source(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    source = record.get("eventSource", record.get("EventSource"))  # SNS capitalises its keys
    return source if isinstance(source, str) else None


def classify(event: Any) -> Kind | None:
    """The non-HTTP source of ``event`` (``"sqs"``, ``"schedule"``...), or ``None``. Never raises."""
    if not isinstance(event, dict):
        return None
    records = event.get("Records")
    if type(records) is list and records:
        return _RECORD_SOURCES.get(_record_source(records[0]) or "")
    source, detail_type = event.get("source"), event.get("detail-type")
    if isinstance(source, str) and isinstance(detail_type, str) and "id" in event:
        if detail_type == "Scheduled Event" and source in _SCHEDULE_SOURCES:
            return "schedule"
        return "eventbridge"
    return None


def _describe(kind: Kind, where: str) -> str:
    return (
        f"an {KINDS[kind][2]} event ({where})"
        if kind in ("sqs", "s3", "sns")
        else f"a {KINDS[kind][2]} event ({where})"
    )


def _no_handler(kind: Kind, where: str, handlers: Sequence[EventHandler]) -> UnsupportedEvent:
    decorator = KINDS[kind][0]
    if not handlers:
        return UnsupportedEvent(
            f"No handler for {_describe(kind, where)}: the app registers no @app.{decorator} handler."
        )
    listed = "; ".join(handler.label for handler in handlers)
    return UnmatchedEvent(f"No handler for {_describe(kind, where)}: the app's handlers for it are {listed}.")


def dispatch_event(app: App, event: Any, context: Any, unsupported: UnsupportedEvent) -> Any:
    """Run ``event`` through the app's event handlers, in an application context; return the result.

    Raises ``unsupported`` (the adapter's error) when the event is of no source handlers exist for, an
    :class:`UnsupportedEvent` when the app has no handler of the event's source, and an
    :class:`UnmatchedEvent` when none of its handlers of that source matches the event's resource.
    """
    kind = classify(event)
    if kind is None:
        raise unsupported
    handlers = [handler for handler in app.event_handlers if handler.kind == kind]
    with app.app_context():
        if kind in BATCH_KINDS:
            return _batch(app, kind, handlers, event["Records"], context)
        if kind == "s3":
            _each_s3(handlers, event["Records"])
            return None
        if kind == "sns":
            _each_sns(handlers, event["Records"])
            return None
        record: EventBridgeEvent = ScheduledEvent(event) if kind == "schedule" else EventBridgeEvent(event)
        return _single(kind, handlers, record)(record)


def _check_sources(kind: Kind, records: list[Any]) -> None:
    expected = next(source for source, value in _RECORD_SOURCES.items() if value == kind)
    for index, record in enumerate(records):
        source = _record_source(record)
        if source != expected:
            raise BadRecord(
                f"{KINDS[kind][2]} record {index}",
                "eventSource",
                f"is {source!r} where the batch's first record has {expected!r} (Lambda never mixes sources)",
            )


def _single(kind: Kind, handlers: Sequence[EventHandler], event: EventBridgeEvent) -> Callable[..., Any]:
    for handler in handlers:
        if kind == "schedule":
            assert isinstance(event, ScheduledEvent)
            if handler.matches_resource(event.arn):
                return handler.func
        elif handler.matches_eventbridge(event.source, event.detail_type):
            return handler.func
    if kind == "schedule":
        assert isinstance(event, ScheduledEvent)
        raise _no_handler(kind, f"{event.source}, {event.arn or 'no resources'}", handlers)
    raise _no_handler(kind, f"source {event.source!r}, detail-type {event.detail_type!r}", handlers)


def _each_s3(handlers: Sequence[EventHandler], records: list[Any]) -> None:
    _check_sources("s3", records)
    objects = [S3Object(record, index) for index, record in enumerate(records)]
    chosen = []
    for obj in objects:
        handler = next(
            (h for h in handlers if h.matches_s3(obj.bucket, obj.bucket_arn, obj.event_name, obj.key)), None
        )
        if handler is None:
            raise _no_handler("s3", f"{obj.event_name} of s3://{obj.bucket}/{obj.key}", handlers)
        chosen.append(handler)
    for handler, obj in zip(chosen, objects, strict=True):
        handler.func(obj)


def _each_sns(handlers: Sequence[EventHandler], records: list[Any]) -> None:
    _check_sources("sns", records)
    messages = [SNSMessage(record, index) for index, record in enumerate(records)]
    chosen = []
    for message in messages:
        handler = next((h for h in handlers if h.matches_resource(message.topic_arn)), None)
        if handler is None:
            raise _no_handler("sns", f"topic {message.topic_arn}", handlers)
        chosen.append(handler)
    for handler, message in zip(chosen, messages, strict=True):
        handler.func(message)


# -- batches -------------------------------------------------------------------------------------------


def _identifier(kind: Kind, raw: Any) -> str | None:
    """The item identifier of a record too malformed to build (``None`` when it has none either)."""
    if not isinstance(raw, dict):
        return None
    if kind == "sqs":
        value = raw.get("messageId")
    else:
        inner = raw.get("dynamodb" if kind == "dynamodb" else "kinesis")
        value = (
            inner.get("SequenceNumber" if kind == "dynamodb" else "sequenceNumber")
            if isinstance(inner, dict)
            else None
        )
    return value if isinstance(value, str) and value else None


def _source_arn(raw: Any) -> str:
    value = raw.get("eventSourceARN") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else ""


class _Batch:
    """One batch of records of one source, processed by one handler."""

    def __init__(self, app: App, kind: Kind, handler: EventHandler, source: str, context: Any) -> None:
        self.app = app
        self.kind = kind
        self.handler = handler
        self.source = source
        self.context = context

    def log_failure(self, exc: BaseException, identifier: str) -> None:
        what = KINDS[self.kind][2]
        fields: dict[str, Any] = {
            "event_source": what,
            "source_arn": self.source,
            "item_identifier": identifier,
        }
        request_id = getattr(self.context, "aws_request_id", None)
        if isinstance(request_id, str):
            fields["aws_request_id"] = request_id
        log_unhandled_exception(
            self.app.logger, exc, message=f"{what} record {identifier} failed", fields=fields
        )

    def each(self, identifiers: list[str], built: list[Any], ordered: bool) -> set[str]:
        """One call per record; a failure is logged and recorded (ordered: the rest is not processed)."""
        failed: set[str] = set()
        for identifier, record in zip(identifiers, built, strict=True):
            error = record if isinstance(record, BadRecord) else _call(self.handler.func, record)
            if error is not None:
                self.log_failure(error, identifier)
                failed.add(identifier)
                if ordered:
                    break
        return failed

    def whole(self, identifiers: list[str], built: list[Any]) -> set[str]:
        """``batch=True``: the handler gets the well-formed records; it returns the failed ones (records or
        identifiers; ``None`` when all succeeded) or raises (all failed)."""
        failed: set[str] = set()
        for identifier, record in zip(identifiers, built, strict=True):
            if isinstance(record, BadRecord):
                self.log_failure(record, identifier)
                failed.add(identifier)
        records = [record for record in built if not isinstance(record, BadRecord)]
        if not records:
            return failed
        try:
            result = self.handler.func(records)
        except Exception as exc:
            self.log_failure(exc, ", ".join(identifiers))
            return set(identifiers)
        return failed | _returned_failures(result, set(identifiers), self.handler)


def _batch(app: App, kind: Kind, handlers: Sequence[EventHandler], records: list[Any], context: Any) -> Any:
    _check_sources(kind, records)
    source = _source_arn(records[0])
    handler = next((h for h in handlers if h.matches_resource(source)), None)
    if handler is None:
        raise _no_handler(kind, source or "no eventSourceARN", handlers)
    # Ordered sources: a later record must not be processed before an earlier one that failed.
    ordered = kind != "sqs" or source.endswith(".fifo")
    identifiers: list[str] = []
    built: list[Any] = []  # a record, or the BadRecord it could not be built for
    for index, raw in enumerate(records):
        try:
            record = _BATCH_RECORDS[kind](raw, index)
        except BadRecord as exc:
            identifier = _identifier(kind, raw)
            if identifier is None:
                raise  # nothing to name it by in a partial response: the whole invocation fails
            identifiers.append(identifier)
            built.append(exc)
            continue
        identifiers.append(record.item_identifier)
        built.append(record)
    run = _Batch(app, kind, handler, source, context)
    failed = run.whole(identifiers, built) if handler.batch else run.each(identifiers, built, ordered)
    failures = _failures(identifiers, failed, ordered)
    if failures and len(failures) == len(identifiers):
        raise BatchFailed(
            f"every record of the {KINDS[kind][2]} batch from {source} failed ({len(failures)}); "
            "the whole batch is retried",
            failures,
        )
    return {"batchItemFailures": [{"itemIdentifier": identifier} for identifier in failures]}


def _call(func: Callable[..., Any], record: Any) -> Exception | None:
    try:
        func(record)
    except Exception as exc:  # one record's failure must not stop the others
        return exc
    return None


def _returned_failures(result: Any, known: set[str], handler: EventHandler) -> set[str]:
    if result is None:
        return set()
    if isinstance(result, str | bytes) or not isinstance(result, Iterable):
        raise TypeError(
            f"{handler.label} returned {type(result).__name__}: a batch handler returns None (all succeeded) "
            "or the records (or item identifiers) that failed"
        )
    failed = set()
    for item in result:
        identifier = getattr(item, "item_identifier", item)
        if not isinstance(identifier, str) or identifier not in known:
            raise ValueError(
                f"{handler.label} returned {item!r} as failed, which is not a record of the batch"
            )
        failed.add(identifier)
    return failed


def _failures(identifiers: list[str], failed: set[str], ordered: bool) -> list[str]:
    if not ordered:
        return [identifier for identifier in identifiers if identifier in failed]
    for position, identifier in enumerate(identifiers):
        if identifier in failed:
            return identifiers[position:]
    return []
