"""SQS event source mappings, and the services that invoke a function asynchronously (S3, SNS, EventBridge).

**SQS**, as Lambda's poller does: up to ``BatchSize`` messages received with the queue's visibility timeout,
one invocation, then only the successes deleted. A message reported in ``batchItemFailures`` (with
``ReportBatchItemFailures``), or every message of a failed invocation, stays in the queue: it comes back
when its visibility timeout ends, and the queue's redrive policy moves it to the dead-letter queue after
``maxReceiveCount`` receives (moto applies the policy). Without ``ReportBatchItemFailures`` a partial
batch response is ignored, as Lambda ignores it: every message of a successful invocation is deleted.

**S3, SNS and EventBridge rules** cannot invoke a function in moto, but they can send to a queue: each
such event gets a private queue (``lambda-micro-<Function>-<Event>``) that the bucket's notification
configuration, the topic's subscription (with the event's filter policy) or the rule's target sends to.
Each message becomes the event Lambda would receive; a failed invocation is retried twice, a minute apart
(the queue's visibility timeout), as Lambda retries asynchronous invocations, then dropped with an error.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final
from urllib.parse import unquote_plus

from lambda_micro.local.records import eventbridge_event, s3_record, sns_record
from lambda_micro.local.records.queues import sqs_record_from_message
from lambda_micro.local.sam import EventSource

from .filters import record_filter
from .invoker import Delivery, Invoker

__all__ = ["ASYNC_ATTEMPTS", "AsyncPoller", "SqsPoller", "internal_queue_name", "s3_events", "sns_events"]

#: Lambda's asynchronous invocations: the first attempt and two retries.
ASYNC_ATTEMPTS: Final = 3
#: Seconds before a failed asynchronous invocation is retried (Lambda waits about a minute).
ASYNC_RETRY_DELAY: Final = 60


def internal_queue_name(source: EventSource) -> str:
    """The private queue an S3, SNS or EventBridge event is delivered through."""
    name = re.sub(r"[^A-Za-z0-9_-]", "-", f"lambda-micro-{source.function_id}-{source.event_id}")
    return name[:80]


def _receive(sqs: Any, url: str, count: int, visibility: int) -> list[dict[str, Any]]:
    messages: dict[str, dict[str, Any]] = {}
    while len(messages) < count:
        wanted = min(10, count - len(messages))
        batch = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=wanted,
            VisibilityTimeout=visibility,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        fresh = [message for message in batch if message["MessageId"] not in messages]
        if not fresh:  # nothing more, or (a visibility timeout of 0) the same messages again
            break
        messages.update((message["MessageId"], message) for message in fresh)
        if len(batch) < wanted:  # the queue has nothing more now (asking again would receive twice)
            break
    return list(messages.values())


def _delete(sqs: Any, url: str, messages: list[dict[str, Any]]) -> None:
    for start in range(0, len(messages), 10):
        entries = [
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
            for index, message in enumerate(messages[start : start + 10])
        ]
        sqs.delete_message_batch(QueueUrl=url, Entries=entries)


def batch_failures(result: Any, identifiers: list[str]) -> set[str] | None:
    """The identifiers a partial batch response names; ``None`` when the response is malformed, which Lambda
    treats as a failure of the whole batch."""
    if result is None or result == {}:
        return set()
    if not isinstance(result, dict) or not isinstance(result.get("batchItemFailures", []), list):
        return None
    failed = set()
    for item in result.get("batchItemFailures", []):
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or identifier not in identifiers:
            return None
        failed.add(identifier)
    return failed


class SqsPoller:
    """One SQS event of a function: receive, invoke, delete the successes."""

    def __init__(
        self,
        source: EventSource,
        *,
        label: str,
        url: str,
        arn: str,
        visibility: int,
        sqs: Any,
        invoke: Invoker,
    ) -> None:
        self.source = source
        self.label = label
        self.url = url
        self.arn = arn
        self.visibility = visibility
        self.sqs = sqs
        self.invoke = invoke
        self.filter = record_filter(source)

    def poll(self) -> list[Delivery]:
        messages = _receive(self.sqs, self.url, self.source.batch_size, self.visibility)
        if not messages:
            return []
        records = [sqs_record_from_message(message, self.arn) for message in messages]
        if self.filter is not None:
            kept, dropped = self.filter.split(records, log=self.invoke.log, label=self.label, noun="messages")
            # Lambda deletes the messages no filter matches: they never reach the function.
            _delete(self.sqs, self.url, [messages[index] for index in dropped])
            messages = [messages[index] for index in kept]
            records = [records[index] for index in kept]
            if not records:
                return []
        identifiers = [record["messageId"] for record in records]
        started = time.perf_counter()
        invocation = self.invoke(self.source.function_id, {"Records": records})
        error = Invoker.failure(invocation)
        failed: set[str]
        if error is not None:
            failed = set(identifiers)
        elif self.source.report_batch_item_failures:
            reported = batch_failures(invocation.result, identifiers)
            if reported is None:
                error = "the partial batch response names no message of the batch: the whole batch failed"
                self.invoke.log.error("%s: %s", self.source.function_id, error)
            failed = set(identifiers) if reported is None else reported
        else:
            failed = set()
        _delete(self.sqs, self.url, [m for m in messages if m["MessageId"] not in failed])
        elapsed = (time.perf_counter() - started) * 1000
        return [
            Delivery(
                self.label,
                self.source.function_id,
                len(records),
                len(failed),
                elapsed,
                error,
                invocation.result,
            )
        ]


#: Turns a message of the private queue into the function's event (``None``: nothing to deliver).
EventMaker = Callable[[dict[str, Any]], "list[dict[str, Any]]"]


class AsyncPoller:
    """An S3, SNS or EventBridge event, through its private queue: one invocation per message."""

    def __init__(
        self, source: EventSource, *, label: str, url: str, sqs: Any, invoke: Invoker, events: EventMaker
    ) -> None:
        self.source = source
        self.label = label
        self.url = url
        self.sqs = sqs
        self.invoke = invoke
        self.events = events

    def poll(self) -> list[Delivery]:
        deliveries = []
        for message in _receive(self.sqs, self.url, 10, ASYNC_RETRY_DELAY):
            try:
                body = json.loads(message["Body"])
            except ValueError:
                body = None
            events = self.events(body) if isinstance(body, dict) else []
            failed = False
            for event in events:
                started = time.perf_counter()
                invocation = self.invoke(self.source.function_id, event)
                error = Invoker.failure(invocation)
                elapsed = (time.perf_counter() - started) * 1000
                records = len(event.get("Records", [event]))
                deliveries.append(
                    Delivery(
                        self.label, self.source.function_id, records, records if error else 0, elapsed, error
                    )
                )
                failed = failed or error is not None
            attempts = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
            if failed and attempts < ASYNC_ATTEMPTS:
                continue  # back after ASYNC_RETRY_DELAY seconds, as Lambda retries
            if failed:
                self.invoke.log.error(
                    "%s → %s: dropped after %d attempts (Lambda's retries of an asynchronous invocation)",
                    self.label,
                    self.source.function_id,
                    attempts,
                )
            _delete(self.sqs, self.url, [message])
        return deliveries


# -- what each service's message becomes --------------------------------------------------------------------


def _time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def s3_events(body: dict[str, Any]) -> list[dict[str, Any]]:
    """moto's S3 notification (``Records``; its test event has none) as the events S3 sends Lambda."""
    events = []
    for record in body.get("Records", []):
        s3 = record["s3"]
        obj = s3["object"]
        full = s3_record(
            s3["bucket"]["name"],
            unquote_plus(obj["key"]),
            event_name=record["eventName"],
            size=obj.get("size"),
            etag=obj.get("eTag"),
            version_id=obj.get("versionId"),
            event_time=_time(record.get("eventTime")),
            configuration_id=s3.get("configurationId"),
            region=record.get("awsRegion", "us-east-1"),
        )
        events.append({"Records": [full]})
    return events


def sns_events(subscription_arn: str) -> EventMaker:
    """An SNS envelope (what a subscribed queue receives) as the event SNS sends Lambda."""

    def make(envelope: dict[str, Any]) -> list[dict[str, Any]]:
        if envelope.get("Type") != "Notification":
            return []
        record = sns_record(
            envelope.get("Message", ""),
            topic=envelope["TopicArn"],
            subject=envelope.get("Subject"),
            message_id=envelope.get("MessageId"),
            timestamp=_time(envelope.get("Timestamp")),
        )
        record["EventSubscriptionArn"] = subscription_arn
        record["Sns"]["MessageAttributes"] = envelope.get("MessageAttributes") or {}
        return [{"Records": [record]}]

    return make


def eventbridge_events(source: EventSource, account: str) -> EventMaker:
    """An event a rule sent to its target queue as Lambda receives it (or the rule's ``Input``)."""

    def make(event: dict[str, Any]) -> list[dict[str, Any]]:
        if source.input is not None:
            return [json.loads(source.input)]
        return [
            eventbridge_event(
                event.get("detail") or {},
                source=str(event.get("source", "")),
                detail_type=str(event.get("detail-type", "")),
                resources=event.get("resources") or [],
                time=_time(event.get("time")),
                event_id=event.get("id"),
                region=str(event.get("region", "us-east-1")),
                account=account,
            )
        ]

    return make
