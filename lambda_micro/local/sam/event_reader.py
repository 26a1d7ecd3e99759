"""Reading queues, topics, Kinesis streams and each function's non-HTTP events (:mod:`.event_sources`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ._base import ReaderBase, truthy
from .cfn_yaml import line_of
from .event_sources import APPLIED, BATCH_DEFAULTS, EVENT_SOURCE_TYPES, EventSource, Queue, Stream, Topic
from .filter_criteria import FilterCriteriaError, read_filter_criteria

__all__ = ["EventSourceReader"]


def _referenced(value: Any) -> str | None:
    """The logical id a ``!Ref X`` or ``!GetAtt X.Attr`` names (``None`` for anything else)."""
    if isinstance(value, Mapping) and len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Ref" and isinstance(argument, str):
            return argument
        if key == "Fn::GetAtt":
            parts = argument.split(".", 1) if isinstance(argument, str) else argument
            if isinstance(parts, list) and parts and isinstance(parts[0], str):
                return parts[0]
    return None


class EventSourceReader(ReaderBase):
    """Reads queues, topics and streams, and each function's non-HTTP events."""

    def _queue(self, logical_id: str, resource: Mapping[str, Any], line: int | None) -> Queue:
        raw = self._properties(logical_id, resource, line)
        props = self.resolve(raw, resource=logical_id, line=line)
        fifo = truthy(props.get("FifoQueue"))
        name = self.resolver.physical_name(logical_id).rsplit("/", 1)[-1]
        redrive = props.get("RedrivePolicy")
        if isinstance(redrive, str):
            try:
                redrive = json.loads(redrive)
            except ValueError:
                raise self.error(
                    "RedrivePolicy must be JSON or a mapping", line=line, resource=logical_id
                ) from None
        dead_letter, max_receive = None, None
        if redrive is not None:
            if not isinstance(redrive, Mapping) or "deadLetterTargetArn" not in redrive:
                raise self.error(
                    "RedrivePolicy needs deadLetterTargetArn and maxReceiveCount",
                    line=line,
                    resource=logical_id,
                )
            raw_redrive = raw.get("RedrivePolicy")
            target = (
                _referenced(raw_redrive.get("deadLetterTargetArn"))
                if isinstance(raw_redrive, Mapping)
                else None
            )
            dead_letter = target or str(redrive["deadLetterTargetArn"])
            max_receive = self._number(
                redrive.get("maxReceiveCount", 10), "RedrivePolicy.maxReceiveCount", logical_id, line
            )
        return Queue(
            logical_id=logical_id,
            name=name,
            arn=self.resolver.arn(logical_id).rsplit(":", 1)[0] + f":{name}",
            fifo=fifo,
            visibility_timeout=self._number(
                props.get("VisibilityTimeout", 30), "VisibilityTimeout", logical_id, line
            ),
            content_based_deduplication=truthy(props.get("ContentBasedDeduplication")),
            dead_letter_queue=dead_letter,
            max_receive_count=max_receive,
            line=line,
        )

    def _topic(self, logical_id: str, resource: Mapping[str, Any], line: int | None) -> Topic:
        props = self.resolve(self._properties(logical_id, resource, line), resource=logical_id, line=line)
        arn = self.resolver.arn(logical_id)
        return Topic(logical_id, arn.rsplit(":", 1)[-1], arn, fifo=truthy(props.get("FifoTopic")), line=line)

    def _kinesis_stream(self, logical_id: str, resource: Mapping[str, Any], line: int | None) -> Stream:
        props = self.resolve(self._properties(logical_id, resource, line), resource=logical_id, line=line)
        name = self.resolver.physical_name(logical_id)
        arn = f"arn:{self.resolver.partition}:kinesis:{self.region}:{self.resolver.account_id}:stream/{name}"
        shards = self._number(props.get("ShardCount", 1), "ShardCount", logical_id, line)
        return Stream(logical_id, name, arn, shard_count=shards, line=line)

    def _number(self, value: Any, name: str, resource: str, line: int | None) -> int:
        try:
            return int(str(value))
        except ValueError:
            raise self.error(
                f"{name} must be an integer, got {value!r}", line=line, resource=resource
            ) from None

    # -- a function's events ----------------------------------------------------------------------------

    def _event_sources(self, function_id: str, events: Any, function_line: int | None) -> list[EventSource]:
        if not isinstance(events, Mapping):
            return []  # _routes reports it
        sources = []
        for event_id, event in events.items():
            if not isinstance(event, Mapping) or event.get("Type") not in EVENT_SOURCE_TYPES:
                continue
            where = f"{function_id}.Events.{event_id}"
            line = line_of(events, event_id) or function_line
            raw = event.get("Properties") or {}
            if not isinstance(raw, Mapping):
                raise self.error("Properties must be a mapping", line=line, resource=where)
            sources.append(
                self._event_source(function_id, str(event_id), str(event["Type"]), raw, where, line)
            )
        return sources

    def _event_source(  # noqa: PLR0917 - one call site, every argument needed
        self,
        function_id: str,
        event_id: str,
        etype: str,
        raw: Mapping[str, Any],
        where: str,
        line: int | None,
    ) -> EventSource:
        props = self.resolve(raw, resource=where, line=line)
        source = EventSource(function_id=function_id, event_id=event_id, type=etype, line=line)
        reference = EVENT_SOURCE_TYPES[etype]
        values: dict[str, Any] = {
            "ignored": tuple(sorted(str(name) for name in raw if name not in APPLIED[etype]))
        }
        if reference is not None:
            if reference not in props:
                raise self.error(f"a {etype} event needs {reference}", line=line, resource=where)
            values["resource_id"] = _referenced(raw.get(reference))
            values["resource_arn"] = str(props[reference])
        if "Enabled" in props:
            values["enabled"] = truthy(props["Enabled"])
        if "State" in props:
            values["enabled"] = str(props["State"]).upper() == "ENABLED"
        if etype in BATCH_DEFAULTS:
            values["batch_size"] = self._number(
                props.get("BatchSize", BATCH_DEFAULTS[etype]), "BatchSize", where, line
            )
            types = props.get("FunctionResponseTypes") or []
            values["report_batch_item_failures"] = (
                isinstance(types, list) and "ReportBatchItemFailures" in types
            )
            if "FilterCriteria" in props:
                try:
                    values["filters"] = read_filter_criteria(props["FilterCriteria"])
                except FilterCriteriaError as exc:
                    raise self.error(str(exc), line=line, resource=where) from None
            if etype != "SQS":
                position = props.get("StartingPosition")
                if position not in ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"):
                    raise self.error(
                        f"StartingPosition must be TRIM_HORIZON, LATEST or AT_TIMESTAMP, got {position!r}",
                        line=line,
                        resource=where,
                    )
                values["starting_position"] = position
                if "MaximumRetryAttempts" in props:
                    values["maximum_retry_attempts"] = self._number(
                        props["MaximumRetryAttempts"], "MaximumRetryAttempts", where, line
                    )
        if etype == "S3":
            values.update(self._s3_filter(props, where, line))
        if etype in ("Schedule", "ScheduleV2"):
            expression = props.get("Schedule" if etype == "Schedule" else "ScheduleExpression")
            if not isinstance(expression, str):
                wanted = "Schedule" if etype == "Schedule" else "ScheduleExpression"
                raise self.error(f"a {etype} event needs {wanted}", line=line, resource=where)
            values["schedule_expression"] = expression
            values["timezone"] = str(props.get("ScheduleExpressionTimezone") or "UTC")
            values["group"] = str(props.get("GroupName") or "default")
        if etype in ("Schedule", "ScheduleV2", "EventBridgeRule"):
            name = props.get("RuleName" if etype == "EventBridgeRule" else "Name")
            values["name"] = str(name) if name else self.resolver.generated_name(f"{function_id}{event_id}")
            if props.get("Input") is not None:
                values["input"] = str(props["Input"])
        if etype == "EventBridgeRule":
            pattern = props.get("Pattern")
            if not isinstance(pattern, Mapping):
                raise self.error("an EventBridgeRule event needs a Pattern", line=line, resource=where)
            values["pattern"] = dict(pattern)
            values["event_bus"] = str(props.get("EventBusName") or "default")
        if etype == "SNS" and isinstance(props.get("FilterPolicy"), Mapping):
            values["filter_policy"] = dict(props["FilterPolicy"])
        return replace(source, **values)

    def _s3_filter(self, props: Mapping[str, Any], where: str, line: int | None) -> dict[str, Any]:
        events = props.get("Events")
        events = [events] if isinstance(events, str) else events
        if not isinstance(events, list) or not events or not all(isinstance(item, str) for item in events):
            raise self.error("an S3 event needs Events (s3:ObjectCreated:* ...)", line=line, resource=where)
        prefix = suffix = ""
        rules = (((props.get("Filter") or {}).get("S3Key") or {}).get("Rules")) or []
        for rule in rules:
            if not isinstance(rule, Mapping) or str(rule.get("Name", "")).lower() not in ("prefix", "suffix"):
                raise self.error(
                    "S3Key Rules are {Name: prefix|suffix, Value: ...}", line=line, resource=where
                )
            if str(rule["Name"]).lower() == "prefix":
                prefix = str(rule.get("Value", ""))
            else:
                suffix = str(rule.get("Value", ""))
        return {"s3_events": tuple(events), "s3_prefix": prefix, "s3_suffix": suffix}
