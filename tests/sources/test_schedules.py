"""What schedules send, a schedule EventBridge would refuse, and a stream batch that keeps failing."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from lambda_micro.local.sam import EventSource
from lambda_micro.local.sources.invoker import Invoker
from lambda_micro.local.sources.schedules import ScheduleRunner, schedule_event
from lambda_micro.local.sources.streams import StreamPoller

from .conftest import Worker

MOMENT = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def source(**values: Any) -> EventSource:
    base = EventSource(
        function_id="Fn", event_id="Tick", type="ScheduleV2", name="tick", schedule_expression="rate(1 hour)"
    )
    return replace(base, **values)


def test_scheduler_input_gets_its_context_attributes() -> None:
    text = json.dumps(
        {
            "at": "<aws.scheduler.scheduled-time>",
            "arn": "<aws.scheduler.schedule-arn>",
            "attempt": "<aws.scheduler.attempt-number>",
            "id": "<aws.scheduler.execution-id>",
        }
    )
    event = schedule_event(
        source(input=text, group="ops"), MOMENT, region="eu-west-1", account="111122223333"
    )
    assert event["at"] == "2030-01-02T03:04:05Z"
    assert event["arn"] == "arn:aws:scheduler:eu-west-1:111122223333:schedule/ops/tick"
    assert event["attempt"] == "1"
    assert len(event["id"]) == 16


def test_rule_input_is_sent_as_it_is() -> None:
    rule = source(type="Schedule", input='{"job": "<aws.scheduler.schedule-arn>"}')
    assert schedule_event(rule, MOMENT, region="us-east-1", account="1") == {
        "job": "<aws.scheduler.schedule-arn>"
    }


def test_schedule_without_input_sends_a_scheduled_event() -> None:
    event = schedule_event(source(), MOMENT, region="us-east-1", account="123456789012")
    assert (event["source"], event["detail"], event["time"]) == (
        "aws.scheduler",
        "{}",
        "2030-01-02T03:04:05Z",
    )


def test_a_refused_expression_never_fires_and_says_why() -> None:
    runner = ScheduleRunner(
        source(schedule_expression="rate(1 minutes)"), Invoker(dict), region="r", account="a"
    )
    assert runner.next_fire is None
    assert runner.problem is not None
    assert "expects rate(1 minute)" in runner.problem
    assert runner.poll() == []


def test_a_disabled_schedule_does_not_fire_on_time() -> None:
    runner = ScheduleRunner(source(enabled=False), Invoker(dict), region="r", account="a")
    assert runner.next_fire is None
    assert runner.poll(datetime(2100, 1, 1, tzinfo=UTC)) == []


def test_a_failing_stream_batch_is_skipped_after_maximum_retry_attempts(
    worker: Worker, caplog: pytest.LogCaptureFixture
) -> None:
    table = worker.aws.resource("dynamodb").Table(worker.aws.table_name("Items"))
    table.put_item(Item={"id": "fail", "n": 1})
    poller = next(p for p in worker.aws._delivery.pollers if isinstance(p, StreamPoller))
    assert [(d.records, d.failed) for d in worker.deliver()] == [(1, 1)]
    assert worker.deliver() == []  # pausing before the retry
    for shard in poller.shards:
        shard.not_before = 0.0
    with caplog.at_level(logging.ERROR, logger="lambda_micro.local"):
        assert [(d.records, d.failed) for d in worker.deliver()] == [
            (1, 1)
        ]  # the one retry (MaximumRetryAttempts 1)
    assert "1 records skipped after 1 retries (MaximumRetryAttempts)" in caplog.text
    table.put_item(Item={"id": "next", "n": 2})
    for shard in poller.shards:
        shard.not_before = 0.0
    assert [(d.records, d.failed) for d in worker.deliver()] == [(1, 0)]  # the stream moved on
    assert worker.effects() == {"ddb:INSERT:next:2"}
