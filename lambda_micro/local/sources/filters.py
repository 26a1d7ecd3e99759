"""``FilterCriteria`` applied to the records of an SQS, DynamoDB or Kinesis mapping, as Lambda applies them.

Lambda matches each record against the mapping's patterns (EventBridge's pattern rules: exact values,
``prefix``, ``suffix``, ``anything-but``, ``numeric``, ``exists``, ``equals-ignore-case``, ``wildcard``,
``cidr``, ``$or``) and delivers it when any one matches. Before matching, an SQS message's ``body`` and a
Kinesis record's ``data`` (base64) are parsed when they hold JSON, so a pattern can name their fields; a body
that is not JSON is matched as its text. SQS and DynamoDB patterns name the event record's fields
(``body``, ``attributes``, ``eventName``, ``dynamodb.NewImage``...), Kinesis patterns the fields of its
``kinesis`` object (``partitionKey``, ``data``...), as AWS documents them. A record no pattern matches is
never delivered: an SQS message is deleted, a stream's checkpoint moves past it (Lambda's documented
behaviour for both).

The matching is moto's EventBridge implementation, the one the local event rules already run on, so rules
and filters agree locally.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from lambda_micro.local.sam import EventSource

__all__ = ["RecordFilter", "record_filter"]


def _parsed(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _sqs_view(record: Mapping[str, Any]) -> dict[str, Any]:
    return {**record, "body": _parsed(record.get("body"))}


def _kinesis_view(record: Mapping[str, Any]) -> dict[str, Any]:
    # Kinesis patterns name the record's own fields (``partitionKey``, ``data``...), not the event's
    # ``kinesis`` envelope.
    kinesis = dict(record.get("kinesis") or {})
    data = kinesis.get("data")
    if isinstance(data, str):
        try:
            decoded = base64.b64decode(data, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = None
        if decoded is not None:
            parsed = _parsed(decoded)
            if parsed is not decoded:  # JSON: filterable by its fields; otherwise left as Lambda sees it
                kinesis["data"] = parsed
    return kinesis


_VIEWS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "SQS": _sqs_view,
    "Kinesis": _kinesis_view,
    "DynamoDB": dict,
}


class RecordFilter:
    """The patterns of one mapping; :meth:`matches` says whether a record is delivered."""

    def __init__(self, source: EventSource) -> None:
        from moto.events.models import EventPattern  # noqa: PLC0415 - only for mappings with filters

        self.function_id = source.function_id
        self.view = _VIEWS[source.type]
        self.patterns: list[Any] = [EventPattern.load(json.dumps(pattern)) for pattern in source.filters]

    def matches(self, record: Mapping[str, Any]) -> bool:
        view = self.view(record)
        return any(pattern.matches_event(view) for pattern in self.patterns)

    def split(
        self, records: list[dict[str, Any]], *, log: logging.Logger, label: str, noun: str
    ) -> tuple[list[int], list[int]]:
        """The indexes of the records delivered, and of those filtered out (counted in ``log``)."""
        kept: list[int] = []
        dropped: list[int] = []
        for index, record in enumerate(records):
            (kept if self.matches(record) else dropped).append(index)
        if dropped:
            log.info(
                "%s → %s: %d of %d %s filtered out (FilterCriteria)",
                label, self.function_id, len(dropped), len(records), noun,
            )  # fmt: skip
        return kept, dropped


def record_filter(source: EventSource) -> RecordFilter | None:
    """The mapping's filter, or ``None`` when it has no ``FilterCriteria`` (every record is delivered)."""
    return RecordFilter(source) if source.filters and source.type in _VIEWS else None
