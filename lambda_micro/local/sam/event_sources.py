"""The model of a function's non-HTTP events (``SQS``, ``S3``, ``DynamoDB``, ``Kinesis``, ``SNS``,
``Schedule``, ``ScheduleV2``, ``EventBridgeRule``) and of the queues, topics and streams they read from.

Read by :mod:`.event_reader` as SAM reads them: what an event refers to (``Queue: !GetAtt Jobs.Arn``,
``Bucket: !Ref Images``) is kept as the template's logical id when it is one of its resources, so local
delivery can poll it; an ARN from elsewhere is kept as it is (and cannot be delivered locally).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "APPLIED",
    "BATCH_DEFAULTS",
    "EVENT_SOURCE_TYPES",
    "RUNTIME_KINDS",
    "EventSource",
    "Queue",
    "Stream",
    "Topic",
]

#: The SAM event types read here, and the property naming what each reads from.
EVENT_SOURCE_TYPES: Final[dict[str, str | None]] = {
    "SQS": "Queue",
    "S3": "Bucket",
    "DynamoDB": "Stream",
    "Kinesis": "Stream",
    "SNS": "Topic",
    "Schedule": None,
    "ScheduleV2": None,
    "EventBridgeRule": None,
}
#: What each type is called in the runtime (``@app.on_sqs`` handles ``"sqs"``), for the drift check.
RUNTIME_KINDS: Final = {
    "SQS": "sqs",
    "S3": "s3",
    "DynamoDB": "dynamodb",
    "Kinesis": "kinesis",
    "SNS": "sns",
    "Schedule": "schedule",
    "ScheduleV2": "schedule",
    "EventBridgeRule": "eventbridge",
}
BATCH_DEFAULTS: Final = {"SQS": 10, "DynamoDB": 100, "Kinesis": 100}


@dataclass(frozen=True)
class Queue:
    """An ``AWS::SQS::Queue``."""

    logical_id: str
    name: str
    arn: str
    fifo: bool = False
    visibility_timeout: int = 30
    content_based_deduplication: bool = False
    #: ``RedrivePolicy``: the dead-letter queue (logical id when in the template, else its ARN) and count.
    dead_letter_queue: str | None = None
    max_receive_count: int | None = None
    line: int | None = None


@dataclass(frozen=True)
class Topic:
    """An ``AWS::SNS::Topic``."""

    logical_id: str
    name: str
    arn: str
    fifo: bool = False
    line: int | None = None


@dataclass(frozen=True)
class Stream:
    """An ``AWS::Kinesis::Stream``."""

    logical_id: str
    name: str
    arn: str
    shard_count: int = 1
    line: int | None = None


@dataclass(frozen=True)
class EventSource:
    """One non-HTTP event of a function (``Events.<event_id>`` of type ``type``)."""

    function_id: str
    event_id: str
    type: str  # "SQS", "S3", "DynamoDB", "Kinesis", "SNS", "Schedule", "ScheduleV2", "EventBridgeRule"
    #: The queue, bucket, table, stream or topic read (its logical id), or ``None`` (an ARN from elsewhere,
    #: or a schedule or rule, which read nothing).
    resource_id: str | None = None
    #: The ARN (or bucket name) the event refers to, resolved.
    resource_arn: str = ""
    enabled: bool = True
    batch_size: int = 1
    report_batch_item_failures: bool = False
    starting_position: str | None = None
    maximum_retry_attempts: int | None = None
    #: S3: ``Events`` and the key filter.
    s3_events: tuple[str, ...] = ()
    s3_prefix: str = ""
    s3_suffix: str = ""
    #: Schedules: the expression (``rate(1 day)``, ``cron(0 3 * * ? *)``, ``at(...)``), time zone, name.
    schedule_expression: str | None = None
    timezone: str = "UTC"
    name: str | None = None
    group: str = "default"
    #: Schedules and rules: the ``Input`` they send instead of their own event (JSON text).
    input: str | None = None
    #: EventBridgeRule: the pattern and the bus; SNS: the subscription's filter policy.
    pattern: dict[str, Any] | None = None
    event_bus: str = "default"
    filter_policy: dict[str, Any] | None = None
    #: SQS, DynamoDB, Kinesis: the ``FilterCriteria`` patterns (a record is delivered when one matches).
    filters: tuple[dict[str, Any], ...] = ()
    #: Properties the template gives that local delivery does not apply (``BisectBatchOnFunctionError``...).
    ignored: tuple[str, ...] = ()
    line: int | None = None

    @property
    def qualified_id(self) -> str:
        """``FunctionId.EventId``, as ``lambda-micro trigger`` names it."""
        return f"{self.function_id}.{self.event_id}"

    @property
    def runtime_kind(self) -> str:
        """The runtime's name for the source (``"sqs"``, ``"schedule"``...)."""
        return RUNTIME_KINDS[self.type]

    @property
    def is_batch(self) -> bool:
        """Whether the source delivers batches that may fail in part (SQS, Kinesis, DynamoDB)."""
        return self.type in BATCH_DEFAULTS


#: The properties local delivery applies (or that change nothing locally), by event type.
APPLIED: Final[dict[str, frozenset[str]]] = {
    "SQS": frozenset({"Queue", "BatchSize", "Enabled", "FunctionResponseTypes", "FilterCriteria"}),
    "S3": frozenset({"Bucket", "Events", "Filter"}),
    "DynamoDB": frozenset(
        {
            "Stream",
            "BatchSize",
            "Enabled",
            "FunctionResponseTypes",
            "StartingPosition",
            "MaximumRetryAttempts",
            "FilterCriteria",
        }
    ),
    "Kinesis": frozenset(
        {
            "Stream",
            "BatchSize",
            "Enabled",
            "FunctionResponseTypes",
            "StartingPosition",
            "MaximumRetryAttempts",
            "FilterCriteria",
        }
    ),
    "SNS": frozenset({"Topic", "FilterPolicy", "Region"}),
    "Schedule": frozenset({"Schedule", "Name", "Input", "Enabled", "State", "Description"}),
    "ScheduleV2": frozenset(
        {
            "ScheduleExpression",
            "ScheduleExpressionTimezone",
            "Name",
            "GroupName",
            "Input",
            "State",
            "Description",
        }
    ),
    "EventBridgeRule": frozenset({"Pattern", "EventBusName", "RuleName", "Input", "State"}),
}
