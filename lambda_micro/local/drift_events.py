"""Drift between a function's non-HTTP events in the template and its app's event handlers.

Three checks, for an ``App`` (``@app.on_sqs`` and its siblings are what it handles):

1. every SQS, S3, DynamoDB, Kinesis, SNS, schedule or EventBridge rule event of the function in the
   template has a handler in the app that matches it (otherwise each of its events is an error);
2. every handler of the app matches some event of the function (otherwise it never runs on AWS);
3. an SQS, Kinesis or DynamoDB event whose handler reports partial batch failures has
   ``FunctionResponseTypes: [ReportBatchItemFailures]``: without it Lambda ignores the
   ``batchItemFailures`` the app returns and takes the whole batch as processed (an SQS message that
   failed is deleted, a stream moves past it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .sam import EventSource, Function, SamTemplate

if TYPE_CHECKING:
    from lambda_micro.events.registry import EventHandler

    from .drift import DriftProblem

__all__ = ["check_event_handlers"]

_DECORATORS = {
    "sqs": "on_sqs",
    "s3": "on_s3",
    "dynamodb": "on_dynamodb_stream",
    "kinesis": "on_kinesis",
    "sns": "on_sns",
    "schedule": "schedule",
    "eventbridge": "on_event",
}


def _source_arn(template: SamTemplate, source: EventSource) -> str:
    """The ARN the source's events carry (``eventSourceARN``, the topic, the rule or schedule)."""
    region, account = template.region, template.account_id
    if source.type == "Schedule":
        return f"arn:aws:events:{region}:{account}:rule/{source.name}"
    if source.type == "ScheduleV2":
        return f"arn:aws:scheduler:{region}:{account}:schedule/{source.group}/{source.name}"
    if source.type == "SQS" and source.resource_id in template.queues:
        return template.queues[source.resource_id].arn
    if source.type == "SNS" and source.resource_id in template.topics:
        return template.topics[source.resource_id].arn
    if source.type == "Kinesis" and source.resource_id in template.streams:
        return template.streams[source.resource_id].arn
    return source.resource_arn


def _overlaps(wanted: tuple[str, ...], declared: Any) -> bool:
    if not wanted or declared is None:
        return True
    values = declared if isinstance(declared, list) else [declared]
    if any(not isinstance(value, str) for value in values):
        return True  # a content filter ({"prefix": "shop."}): not decided here
    return any(value in wanted for value in values)


def _s3_event_overlaps(handler_events: tuple[str, ...], declared: tuple[str, ...]) -> bool:
    for pattern in (event.removeprefix("s3:") for event in handler_events):
        for event in (event.removeprefix("s3:") for event in declared):
            a, b = pattern.removesuffix("*"), event.removesuffix("*")
            if a.startswith(b) or b.startswith(a):
                return True
    return False


def handles(handler: EventHandler, template: SamTemplate, source: EventSource) -> bool:
    """Whether ``handler`` takes the events ``source`` sends."""
    if handler.kind != source.runtime_kind:
        return False
    if source.type == "S3":
        bucket = template.buckets.get(source.resource_id or "")
        name = bucket.name if bucket is not None else source.resource_arn
        if handler.resource is not None and handler.resource not in (name, f"arn:aws:s3:::{name}"):
            return False
        prefix_ok = handler.prefix.startswith(source.s3_prefix) or source.s3_prefix.startswith(handler.prefix)
        suffix_ok = handler.suffix.endswith(source.s3_suffix) or source.s3_suffix.endswith(handler.suffix)
        return prefix_ok and suffix_ok and _s3_event_overlaps(handler.events, source.s3_events)
    if source.type == "EventBridgeRule":
        pattern = source.pattern or {}
        return _overlaps(handler.sources, pattern.get("source")) and _overlaps(
            handler.detail_types, pattern.get("detail-type")
        )
    return handler.matches_resource(_source_arn(template, source))


def _what(source: EventSource) -> str:
    target = source.resource_id or source.name or source.resource_arn
    return f"{source.type} event ({target})"


def check_event_handlers(
    template: SamTemplate, function: Function, app: Any, problems: list[DriftProblem]
) -> None:
    """Add the disagreements between ``function``'s non-HTTP events and ``app``'s handlers to ``problems``."""
    from .drift import DriftProblem  # noqa: PLC0415 - the two modules describe one check

    handlers: Sequence[EventHandler] = list(getattr(app, "event_handlers", []) or [])
    where = (template.path, function.logical_id)
    for source in function.event_sources:
        matching = [handler for handler in handlers if handles(handler, template, source)]
        if not matching:
            decorator = _DECORATORS[source.runtime_kind]
            message = (
                f"the {_what(source)} invokes the function, but its app has no @app.{decorator} handler "
                "for it: every such invocation fails"
            )
            problems.append(DriftProblem("unhandled-event", *where, message, source.line, source.event_id))
            continue
        if source.is_batch and not source.report_batch_item_failures:
            message = (
                f"{matching[0].label} reports partial batch failures, but the {_what(source)} has no "
                "FunctionResponseTypes: [ReportBatchItemFailures]: Lambda would ignore them and take the "
                "whole batch as processed"
            )
            problems.append(DriftProblem("batch-failures", *where, message, source.line, source.event_id))
    for handler in handlers:
        if not any(handles(handler, template, source) for source in function.event_sources):
            message = f"{handler.label} matches no event of the function in the template: it never runs"
            problems.append(DriftProblem("undeclared-event", *where, message, function.line))
