"""``EventDelivery``: every non-HTTP event of the template, delivered from the embedded AWS.

``setup()`` wires moto for what it cannot do itself (a private queue per S3, SNS or EventBridge event,
the bucket's notification configuration, the topic's subscription, the rule and its target) and opens the
streams; then each :meth:`deliver_once` polls every source once and fires the schedules that are due.
``lambda-micro serve`` runs it in a thread (:meth:`start`); the test kit's ``aws.deliver()`` calls
:meth:`deliver_until_quiet`, synchronously; ``lambda-micro trigger`` calls :meth:`trigger`.

An event whose resource is not in the template (an ARN from another stack) cannot be delivered locally:
it is listed with the reason, and skipped.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from lambda_micro.local.invoke import Target
from lambda_micro.local.records import eventbridge_event
from lambda_micro.local.sam import EventSource, SamTemplate

from .invoker import Delivery, Invoker
from .queues import AsyncPoller, SqsPoller, eventbridge_events, internal_queue_name, s3_events, sns_events
from .schedules import ScheduleRunner
from .streams import StreamPoller

__all__ = ["Delivery", "EventDelivery", "TriggerError"]

logger = logging.getLogger("lambda_micro.local")


class TriggerError(Exception):
    """``trigger`` of an event that does not exist, or that is not a schedule or a rule."""


class _Poller(Protocol):
    source: EventSource
    label: str

    def poll(self) -> list[Delivery]: ...


class EventDelivery:
    """The template's non-HTTP events, polled from the local AWS and delivered to the functions.

    ``functions()`` gives the functions served now (the gateway's state: a reload's new code takes the
    next event). ``client_kwargs`` point boto3 at the embedded AWS (nothing: in-process ``mock_aws``).
    """

    def __init__(
        self,
        template: SamTemplate,
        functions: Callable[[], Mapping[str, Target]],
        *,
        client_kwargs: Mapping[str, Any] | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        self.template = template
        self.log = log or logger
        self.invoke = Invoker(functions, log=self.log)
        self.client_kwargs = {"region_name": template.region, **dict(client_kwargs or {})}
        self.pollers: list[_Poller] = []
        self.schedules: list[ScheduleRunner] = []
        #: ``(event source, why it cannot be delivered locally)``.
        self.skipped: list[tuple[EventSource, str]] = []
        self._clients: dict[str, Any] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def client(self, service: str) -> Any:
        if service not in self._clients:
            import boto3  # noqa: PLC0415 - dev-only, imported when events are delivered

            self._clients[service] = boto3.client(service, **self.client_kwargs)  # type: ignore[call-overload]
        return self._clients[service]

    # -- setup ---------------------------------------------------------------------------------------------

    def setup(self) -> EventDelivery:
        """Wire every event source of the template (the resources must exist: ``create_resources``)."""
        s3_configurations: dict[str, list[dict[str, Any]]] = {}
        for source in self.template.event_sources:
            try:
                if source.type in ("Schedule", "ScheduleV2"):
                    runner = ScheduleRunner(
                        source, self.invoke, region=self.template.region, account=self.template.account_id
                    )
                    if runner.problem is not None:
                        self.skipped.append((source, runner.problem))
                    self.schedules.append(runner)
                elif source.type == "SQS":
                    self._setup_sqs(source)
                elif source.type == "S3":
                    self._setup_s3(source, s3_configurations)
                elif source.type == "SNS":
                    self._setup_sns(source)
                elif source.type == "EventBridgeRule":
                    self._setup_rule(source)
                else:
                    self._setup_stream(source)
            except _Skip as skip:
                self.skipped.append((source, str(skip)))
        s3 = self.client("s3") if s3_configurations else None
        for bucket, configurations in s3_configurations.items():
            assert s3 is not None
            s3.put_bucket_notification_configuration(
                Bucket=bucket, NotificationConfiguration={"QueueConfigurations": configurations}
            )
        for source in self.template.event_sources:
            if source.ignored:
                self.log.warning(
                    "%s.Events.%s: %s not applied locally (its events are delivered without)",
                    source.function_id,
                    source.event_id,
                    ", ".join(source.ignored),
                )
        for source, reason in self.skipped:
            self.log.warning(
                "%s.Events.%s is not delivered locally: %s", source.function_id, source.event_id, reason
            )
        return self

    def _resource(self, source: EventSource, resources: Mapping[str, Any], kind: str) -> Any:
        if source.resource_id is None or source.resource_id not in resources:
            raise _Skip(f"its {kind} {source.resource_arn} is not a resource of this template")
        return resources[source.resource_id]

    def _setup_sqs(self, source: EventSource) -> None:
        queue = self._resource(source, self.template.queues, "queue")
        url = self.client("sqs").get_queue_url(QueueName=queue.name)["QueueUrl"]
        label = f"SQS {queue.logical_id}"
        self.pollers.append(
            SqsPoller(
                source,
                label=label,
                url=url,
                arn=queue.arn,
                visibility=queue.visibility_timeout,
                sqs=self.client("sqs"),
                invoke=self.invoke,
            )
        )

    def _internal_queue(self, source: EventSource) -> tuple[str, str]:
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=internal_queue_name(source))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def _setup_s3(self, source: EventSource, configurations: dict[str, list[dict[str, Any]]]) -> None:
        bucket = self._resource(source, self.template.buckets, "bucket")
        url, arn = self._internal_queue(source)
        rules = [
            {"Name": name, "Value": value}
            for name, value in (("prefix", source.s3_prefix), ("suffix", source.s3_suffix))
            if value
        ]
        configuration: dict[str, Any] = {
            "Id": source.qualified_id,
            "QueueArn": arn,
            "Events": list(source.s3_events),
        }
        if rules:
            configuration["Filter"] = {"Key": {"FilterRules": rules}}
        configurations.setdefault(bucket.name, []).append(configuration)
        self.sqs_purge(url)
        self.pollers.append(
            AsyncPoller(
                source,
                label=f"S3 {bucket.logical_id}",
                url=url,
                sqs=self.client("sqs"),
                invoke=self.invoke,
                events=s3_events,
            )
        )

    def sqs_purge(self, url: str) -> None:
        self.client("sqs").purge_queue(QueueUrl=url)

    def _setup_sns(self, source: EventSource) -> None:
        topic = self._resource(source, self.template.topics, "topic")
        url, arn = self._internal_queue(source)
        attributes = {"FilterPolicy": json.dumps(source.filter_policy)} if source.filter_policy else {}
        subscription = self.client("sns").subscribe(
            TopicArn=topic.arn,
            Protocol="sqs",
            Endpoint=arn,
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        events = sns_events(subscription)
        self.pollers.append(
            AsyncPoller(
                source,
                label=f"SNS {topic.logical_id}",
                url=url,
                sqs=self.client("sqs"),
                invoke=self.invoke,
                events=events,
            )
        )

    def _setup_rule(self, source: EventSource) -> None:
        events = self.client("events")
        url, arn = self._internal_queue(source)
        bus = source.event_bus.rsplit("/", 1)[-1]
        if bus != "default":
            with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):
                events.create_event_bus(Name=bus)
        name = str(source.name)
        events.put_rule(
            Name=name,
            EventPattern=json.dumps(source.pattern),
            EventBusName=bus,
            State="ENABLED" if source.enabled else "DISABLED",
        )
        events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "lambda-micro", "Arn": arn}])
        maker = eventbridge_events(source, self.template.account_id)
        self.pollers.append(
            AsyncPoller(
                source,
                label=f"EventBridgeRule {name}",
                url=url,
                sqs=self.client("sqs"),
                invoke=self.invoke,
                events=maker,
            )
        )

    def _setup_stream(self, source: EventSource) -> None:
        if source.type == "Kinesis":
            stream = self._resource(source, self.template.streams, "stream")
            label, client, arn = f"Kinesis {stream.logical_id}", self.client("kinesis"), stream.arn
        else:
            table = self._resource(source, self.template.tables, "table")
            if not table.stream_specification:
                raise _Skip(f"table {table.logical_id} has no StreamSpecification")
            arn = self.client("dynamodb").describe_table(TableName=table.name)["Table"].get("LatestStreamArn")
            if not arn:
                raise _Skip(f"table {table.logical_id} has no stream in the local AWS")
            label, client = f"DynamoDB {table.logical_id}", self.client("dynamodbstreams")
        self.pollers.append(StreamPoller(source, label, arn, client, self.invoke))

    # -- delivering ----------------------------------------------------------------------------------------

    def deliver_once(self) -> list[Delivery]:
        """Poll every source once and fire the schedules that are due; log and return the deliveries."""
        deliveries: list[Delivery] = []
        with self._lock:
            for poller in self.pollers:
                if poller.source.enabled:
                    deliveries.extend(poller.poll())
            for schedule in self.schedules:
                deliveries.extend(schedule.poll())
        for delivery in deliveries:
            self.log.info("%s", delivery)
        return deliveries

    def deliver_until_quiet(self, *, max_rounds: int = 20) -> list[Delivery]:
        """Deliver until a round delivers nothing (a function's writes may feed another's source)."""
        deliveries: list[Delivery] = []
        for _ in range(max_rounds):
            batch = self.deliver_once()
            if not batch:
                break
            deliveries.extend(batch)
        return deliveries

    def trigger(self, qualified_id: str, *, detail: Mapping[str, Any] | None = None) -> Delivery:
        """Fire ``Function.Event`` now: a schedule's event, or an event matching a rule's pattern."""
        source = next((s for s in self.template.event_sources if s.qualified_id == qualified_id), None)
        if source is None:
            known = ", ".join(s.qualified_id for s in self.template.event_sources) or "none"
            raise TriggerError(
                f"no event {qualified_id!r} in {self.template.path} (non-HTTP events: {known})"
            )
        if source.type in ("Schedule", "ScheduleV2"):
            runner = (
                next(runner for runner in self.schedules if runner.source is source)
                if self.schedules
                else None
            )
            runner = runner or ScheduleRunner(
                source, self.invoke, region=self.template.region, account=self.template.account_id
            )
            delivery = runner.fire()
        elif source.type == "EventBridgeRule":
            event = _matching_event(source, detail, self.template.region, self.template.account_id)
            invocation = self.invoke(source.function_id, event)
            error = Invoker.failure(invocation)
            delivery = Delivery(
                f"EventBridgeRule {source.name}",
                source.function_id,
                1,
                1 if error else 0,
                invocation.duration_ms,
                error,
                invocation.result,
            )
        else:
            raise TriggerError(
                f"{qualified_id} is a {source.type} event: it is delivered when its {source.type} source has "
                "something to deliver (send a message, put an object, write an item); trigger fires "
                "schedules "
                "and EventBridge rules"
            )
        self.log.info("%s", delivery)
        return delivery

    # -- the background thread -----------------------------------------------------------------------------

    def start(self, interval: float = 0.5) -> None:
        """Deliver in a background thread every ``interval`` seconds until :meth:`stop`."""
        if self._thread is not None or not (self.pollers or self.schedules):
            return
        self._stop.clear()

        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    self.deliver_once()
                except Exception:  # a bug of ours, or the local AWS going away, must not kill the loop
                    self.log.exception("event delivery failed; retrying")

        self._thread = threading.Thread(target=run, name="lambda-micro-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread (idempotent)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join(timeout=10)

    def describe(self) -> list[str]:
        """One line per event source, for the banner."""
        lines = []
        for poller in self.pollers:
            source = poller.source
            extra = ""
            if source.is_batch:
                partial = ", partial failures" if source.report_batch_item_failures else ""
                extra = f" (batch {source.batch_size}{partial})"
            if not source.enabled:
                extra += " (disabled)"
            lines.append(f"{poller.label} → {source.function_id}{extra}")
        for runner in self.schedules:
            when = (
                runner.next_fire.strftime("next %Y-%m-%d %H:%M UTC")
                if runner.next_fire
                else (runner.problem or "disabled")
            )
            lines.append(
                f"{runner.label} {runner.source.schedule_expression} → {runner.source.function_id}, {when}"
            )
        for source, reason in self.skipped:
            if source.type not in ("Schedule", "ScheduleV2"):
                lines.append(f"{source.type} {source.qualified_id}: not delivered locally ({reason})")
        return lines


class _Skip(Exception):
    """An event source that cannot be delivered locally (the message says why)."""


def _first(value: Any, default: str) -> str:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), None)
    return value if isinstance(value, str) else default


def _matching_event(source: EventSource, detail: Mapping[str, Any] | None, region: str, account: str) -> Any:
    if source.input is not None:
        return json.loads(source.input)
    pattern = source.pattern or {}
    return eventbridge_event(
        detail or {},
        source=_first(pattern.get("source"), "lambda-micro.trigger"),
        detail_type=_first(pattern.get("detail-type"), "Triggered"),
        region=region,
        account=account,
    )
