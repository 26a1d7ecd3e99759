"""What ``@app.on_sqs`` and its siblings register: one :class:`EventHandler` per decorated function.

A handler names the resource it serves (a queue, bucket, table, stream, topic or schedule, by name or ARN;
``None`` for any); a record is given to the first handler of its source, in registration order, that
matches it, as routes are matched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

__all__ = ["BATCH_KINDS", "KINDS", "EventHandler", "Kind", "event_spec"]

Kind = Literal["sqs", "s3", "dynamodb", "kinesis", "sns", "schedule", "eventbridge"]

#: kind -> (decorator, the resource's keyword, what the source is called in messages).
KINDS: Final[dict[str, tuple[str, str, str]]] = {
    "sqs": ("on_sqs", "queue", "SQS"),
    "s3": ("on_s3", "bucket", "S3"),
    "dynamodb": ("on_dynamodb_stream", "table", "DynamoDB stream"),
    "kinesis": ("on_kinesis", "stream", "Kinesis"),
    "sns": ("on_sns", "topic", "SNS"),
    "schedule": ("schedule", "name", "schedule"),
    "eventbridge": ("on_event", "source", "EventBridge"),
}
#: The sources whose batches may fail in part (``batchItemFailures``).
BATCH_KINDS: Final = frozenset({"sqs", "dynamodb", "kinesis"})
_S3_CATEGORIES: Final = frozenset(
    {
        "ObjectCreated",
        "ObjectRemoved",
        "ObjectRestore",
        "ReducedRedundancyLostObject",
        "Replication",
        "LifecycleExpiration",
        "LifecycleTransition",
        "IntelligentTiering",
        "ObjectTagging",
        "ObjectAcl",
    }
)


def _arn_parts(arn: str) -> list[str]:
    return arn.split(":", 5)


def _name_of(kind: str, arn: str) -> str:
    """The resource name inside a source ARN, as a handler may give it."""
    parts = _arn_parts(arn)
    if len(parts) < 6:
        return arn
    resource = parts[5]
    if kind == "dynamodb":  # table/NAME/stream/LABEL
        pieces = resource.split("/")
        return pieces[1] if len(pieces) > 1 else resource
    if kind == "kinesis":  # stream/NAME
        return resource.partition("/")[2] or resource
    if kind == "schedule":  # rule/NAME, rule/BUS/NAME, schedule/GROUP/NAME
        return resource.rsplit("/", 1)[-1]
    return resource.rsplit(":", 1)[-1]  # queue-name, topic-name, bucket


@dataclass(frozen=True, slots=True)
class EventHandler:
    """One registered handler: its source, what it matches, and how it is called."""

    kind: Kind
    func: Callable[..., Any]
    #: The queue, bucket, table, stream, topic or schedule (name or ARN); ``None`` matches any.
    resource: str | None = None
    #: Call the function once with the list of records instead of once per record.
    batch: bool = False
    #: S3: event types (``ObjectCreated:*``, ``ObjectRemoved:Delete``), key prefix and suffix.
    events: tuple[str, ...] = ()
    prefix: str = ""
    suffix: str = ""
    #: EventBridge: the ``source`` and ``detail-type`` values accepted (empty: any).
    sources: tuple[str, ...] = ()
    detail_types: tuple[str, ...] = ()
    #: The blueprint that registered it (its registered name), or ``None``.
    blueprint: str | None = None

    @property
    def label(self) -> str:
        """``@app.on_sqs(queue='orders') handle_order``: how messages and the drift check name it."""
        decorator, keyword, _ = KINDS[self.kind]
        args: list[str] = []
        if self.kind == "eventbridge":
            if self.sources:
                args.append(f"source={_one_or_many(self.sources)}")
            if self.detail_types:
                args.append(f"detail_type={_one_or_many(self.detail_types)}")
        elif self.resource is not None:
            args.append(f"{keyword}={self.resource!r}")
        if self.kind == "s3":
            if self.events != ("ObjectCreated:*",):
                args.append(f"events={self.events!r}")
            if self.prefix:
                args.append(f"prefix={self.prefix!r}")
            if self.suffix:
                args.append(f"suffix={self.suffix!r}")
        if self.batch:
            args.append("batch=True")
        owner = self.blueprint or "app"
        name = getattr(self.func, "__qualname__", repr(self.func))
        return f"@{owner}.{decorator}({', '.join(args)}) {name}"

    def matches_resource(self, arn_or_name: str) -> bool:
        """Whether the handler serves the resource of this ARN (or name)."""
        wanted = self.resource
        if wanted is None:
            return True
        if wanted in (arn_or_name, _name_of(self.kind, arn_or_name)):
            return True
        if self.kind == "dynamodb" and "/stream/" in arn_or_name:  # the table's ARN given
            return wanted == arn_or_name.partition("/stream/")[0]
        if self.kind == "schedule":  # GROUP/NAME of an EventBridge Scheduler schedule
            resource = _arn_parts(arn_or_name)[-1]
            return resource.startswith("schedule/") and wanted == resource.removeprefix("schedule/")
        return False

    def matches_s3(self, bucket: str, bucket_arn: str, event_name: str, key: str) -> bool:
        """Whether an S3 record (its bucket, event name and decoded key) is for this handler."""
        if self.resource is not None and self.resource not in (bucket, bucket_arn):
            return False
        if not key.startswith(self.prefix) or not key.endswith(self.suffix):
            return False
        return any(_s3_event_matches(pattern, event_name) for pattern in self.events)

    def matches_eventbridge(self, source: str, detail_type: str) -> bool:
        """Whether an EventBridge event's ``source`` and ``detail-type`` are among those accepted."""
        return (not self.sources or source in self.sources) and (
            not self.detail_types or detail_type in self.detail_types
        )

    def bind(self, func: Callable[..., Any]) -> EventHandler:
        """The handler calling ``func`` (``TypeError`` when it is not callable)."""
        if not callable(func):
            raise TypeError(f"@{KINDS[self.kind][0]} decorates a function, got {func!r}")
        return replace(self, func=func)

    def for_blueprint(self, name: str) -> EventHandler:
        """The same handler, registered by blueprint ``name``."""
        return replace(self, blueprint=name)


def _one_or_many(values: tuple[str, ...]) -> str:
    return repr(values[0]) if len(values) == 1 else repr(list(values))


def _s3_event_matches(pattern: str, event_name: str) -> bool:
    pattern = pattern.removeprefix("s3:")
    if pattern.endswith(":*"):
        return event_name.startswith(pattern[:-1])
    return pattern == event_name


def _strings(value: str | Iterable[str] | None, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = (value,) if isinstance(value, str) else tuple(value)
    if not items or not all(isinstance(item, str) and item for item in items):
        raise TypeError(f"{what} must be a non-empty string or a list of them, got {value!r}")
    return items


def _unbound(*args: Any) -> Any:
    raise RuntimeError("an event handler spec used before bind()")


def event_spec(kind: Kind, **options: Any) -> EventHandler:
    """Check a decorator's arguments (``TypeError``/``ValueError`` at the decorator line) and build the
    :class:`EventHandler` that :meth:`EventHandler.bind` gives its function."""
    decorator, keyword, _ = KINDS[kind]
    resource = options.pop("resource", None)
    if resource is not None and (not isinstance(resource, str) or not resource):
        raise TypeError(f"@{decorator}({keyword}=...) must be a name or an ARN, got {resource!r}")
    batch = options.pop("batch", False)
    if not isinstance(batch, bool):
        raise TypeError(f"@{decorator}(batch=...) must be True or False, got {batch!r}")
    if batch and kind not in BATCH_KINDS:
        raise TypeError(f"@{decorator} has no batch=: only SQS, Kinesis and DynamoDB streams deliver batches")
    spec = EventHandler(kind=kind, func=_unbound, resource=resource, batch=batch)
    if kind == "s3":
        events = _strings(options.pop("events", ("ObjectCreated:*",)), "@on_s3(events=...)")
        for event in events:
            category, _, detail = event.removeprefix("s3:").partition(":")
            if category not in _S3_CATEGORIES or (not detail and category != "ReducedRedundancyLostObject"):
                known = ", ".join(sorted(_S3_CATEGORIES))
                raise ValueError(
                    f"@on_s3(events=...): {event!r} is not an S3 event type such as 'ObjectCreated:*' or "
                    f"'ObjectRemoved:Delete' (categories: {known})"
                )
        prefix, suffix = options.pop("prefix", "") or "", options.pop("suffix", "") or ""
        if not isinstance(prefix, str) or not isinstance(suffix, str):
            raise TypeError("@on_s3(prefix=..., suffix=...) must be strings")
        spec = replace(spec, events=events, prefix=prefix, suffix=suffix)
    elif kind == "eventbridge":
        spec = replace(
            spec,
            sources=_strings(options.pop("source", None), "@on_event(source=...)"),
            detail_types=_strings(options.pop("detail_type", None), "@on_event(detail_type=...)"),
        )
    if options:
        raise TypeError(f"@{decorator} got unexpected arguments: {', '.join(sorted(options))}")
    return spec
