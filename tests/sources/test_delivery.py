"""Local delivery from moto to the worker function, source by source, with ``aws.deliver()``."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from .conftest import Worker


def test_sqs_messages_are_delivered_and_deleted(worker: Worker) -> None:
    sqs = worker.aws.client("sqs")
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=worker.queue_url("Jobs"), MessageBody=body)
    deliveries = worker.deliver()
    assert [str(d).split(",")[0] for d in deliveries] == ["SQS Jobs → WorkerFunction 3 records"]
    assert worker.effects() == {"sqs:a:1", "sqs:b:1", "sqs:c:1"}
    assert sqs.receive_message(QueueUrl=worker.queue_url("Jobs")).get("Messages") is None


def test_sqs_partial_failure_deletes_only_the_successes_and_redrives(worker: Worker) -> None:
    sqs = worker.aws.client("sqs")
    sqs.send_message(QueueUrl=worker.queue_url("Jobs"), MessageBody="ok")
    sqs.send_message(QueueUrl=worker.queue_url("Jobs"), MessageBody="fail-me")
    deliveries = worker.deliver()
    # The failed message comes back at once (VisibilityTimeout 0) and fails again; after maxReceiveCount
    # (2) receives the queue's redrive policy moves it to the dead-letter queue, and delivery is quiet.
    assert [(d.records, d.failed) for d in deliveries] == [(2, 1), (1, 1)]
    assert "1 failed" in str(deliveries[0])
    assert worker.effects() == {"sqs:ok:1"}
    dead = sqs.receive_message(QueueUrl=worker.queue_url("JobsDeadLetters"), MaxNumberOfMessages=10)
    assert [m["Body"] for m in dead["Messages"]] == ["fail-me"]
    assert sqs.receive_message(QueueUrl=worker.queue_url("Jobs")).get("Messages") is None


def test_fifo_queue_keeps_what_follows_a_failure(worker: Worker) -> None:
    sqs = worker.aws.client("sqs")
    for body in ("1", "fail-2", "3"):
        sqs.send_message(QueueUrl=worker.queue_url("Orders"), MessageBody=body, MessageGroupId="g")
    delivery = worker.deliver()[0]
    assert (delivery.records, delivery.failed) == (3, 2)  # the failed one and everything after it
    assert worker.effects() == {"fifo:1"}


def test_s3_notifications_follow_the_template_filter(worker: Worker) -> None:
    s3 = worker.aws.client("s3")
    bucket = worker.aws.bucket_name("Uploads")
    s3.put_object(Bucket=bucket, Key="uploads/my photo.jpg", Body=b"12345")
    s3.put_object(Bucket=bucket, Key="elsewhere/x.jpg", Body=b"1")  # outside the prefix: not delivered
    deliveries = worker.deliver()
    assert [str(d).split(",")[0] for d in deliveries] == ["S3 Uploads → WorkerFunction 1 record"]
    assert worker.effects() == {"s3:ObjectCreated:Put:uploads/my photo.jpg:5"}


def test_dynamodb_stream_changes_are_delivered_in_order(worker: Worker) -> None:
    table = worker.aws.resource("dynamodb").Table(worker.aws.table_name("Items"))
    table.put_item(Item={"id": "a", "n": 1})
    table.put_item(Item={"id": "a", "n": 2})
    table.delete_item(Key={"id": "a"})
    deliveries = worker.deliver()
    assert [(d.records, d.failed) for d in deliveries] == [(3, 0)]
    assert worker.effects() == {"ddb:INSERT:a:1", "ddb:MODIFY:a:2", "ddb:REMOVE:a:2"}
    assert worker.deliver() == []  # the checkpoint moved past them


def test_dynamodb_stream_failure_is_retried_from_the_failed_record(worker: Worker) -> None:
    table = worker.aws.resource("dynamodb").Table(worker.aws.table_name("Items"))
    table.put_item(Item={"id": "a", "n": 1})
    table.put_item(Item={"id": "fail", "n": 2})
    table.put_item(Item={"id": "c", "n": 3})
    first = worker.deliver()
    assert [(d.records, d.failed) for d in first] == [(3, 2)]
    assert worker.effects() == {"ddb:INSERT:a:1"}


def test_kinesis_records_are_delivered(worker: Worker) -> None:
    kinesis = worker.aws.client("kinesis")
    stream = worker.template.streams["Clicks"].name
    kinesis.put_record(StreamName=stream, Data=b"click-1", PartitionKey="u")
    kinesis.put_record(StreamName=stream, Data=b"click-2", PartitionKey="u")
    assert [(d.records, d.failed) for d in worker.deliver()] == [(2, 0)]
    assert worker.effects() == {"kinesis:click-1", "kinesis:click-2"}


def test_sns_subscription_honours_the_filter_policy(worker: Worker) -> None:
    sns = worker.aws.client("sns")
    topic = worker.aws.topic_arn("News")
    kind = {"kind": {"DataType": "String", "StringValue": "news"}}
    sns.publish(TopicArn=topic, Message="hello", Subject="Hi", MessageAttributes=kind)
    other = {"kind": {"DataType": "String", "StringValue": "sports"}}
    sns.publish(TopicArn=topic, Message="ignored", MessageAttributes=other)
    deliveries = worker.deliver()
    assert [str(d).split(",")[0] for d in deliveries] == ["SNS News → WorkerFunction 1 record"]
    assert worker.effects() == {"sns:Hi:hello"}


def test_eventbridge_rule_delivers_matching_events(worker: Worker) -> None:
    events = worker.aws.client("events")
    events.put_events(
        Entries=[
            {"Source": "test.shop", "DetailType": "Order Placed", "Detail": json.dumps({"n": 7})},
            {"Source": "other", "DetailType": "Order Placed", "Detail": "{}"},
        ]
    )
    deliveries = worker.deliver()
    assert len(deliveries) == 1
    assert worker.effects() == {"event:Order Placed:7"}


def test_async_failure_is_retried_then_dropped(worker: Worker, caplog: pytest.LogCaptureFixture) -> None:
    s3 = worker.aws.client("s3")
    s3.put_object(Bucket=worker.aws.bucket_name("Uploads"), Key="uploads/fail.jpg", Body=b"1")
    delivery = worker.deliver()[0]
    assert delivery.failed == 1
    assert "RuntimeError: asked to fail" in str(delivery.error)


def test_trigger_fires_schedules_and_rules(worker: Worker) -> None:
    rule = worker.aws.trigger("WorkerFunction.EveryMinute")
    assert rule.result == "every-minute"
    scheduler = worker.aws.trigger("WorkerFunction.Nightly")
    assert scheduler.result == "nightly"
    shop = worker.aws.trigger("WorkerFunction.ShopEvent", detail={"n": 3})
    assert shop.result["handled"]
    assert worker.effects() == {
        "schedule:every-minute:aws.events",
        "schedule:nightly:aws.scheduler",
        "event:Triggered:3",
    }


def test_trigger_refuses_unknown_and_record_events(worker: Worker) -> None:
    from lambda_micro.local.sources.delivery import TriggerError

    with pytest.raises(TriggerError, match=r"no event 'WorkerFunction\.Nope'.*WorkerFunction\.JobsEvent"):
        worker.aws.trigger("WorkerFunction.Nope")
    with pytest.raises(TriggerError, match="is a SQS event"):
        worker.aws.trigger("WorkerFunction.JobsEvent")


def test_unapplied_properties_and_foreign_resources_are_warned_about(
    worker_template: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from lambda_micro.testing.plugin import local_aws

    jobs = next(s for s in worker_template.event_sources if s.event_id == "JobsEvent")
    filtered = replace(jobs, ignored=("BisectBatchOnFunctionError",))
    foreign = replace(
        jobs, event_id="Theirs", resource_id=None, resource_arn="arn:aws:sqs:us-east-1:1:theirs"
    )
    function = replace(worker_template.functions["WorkerFunction"], event_sources=[filtered, foreign])
    template = replace(worker_template, functions={"WorkerFunction": function})
    with (
        caplog.at_level(logging.WARNING, logger="lambda_micro.local"),
        local_aws(template, monkeypatch) as aws,
    ):
        assert aws._delivery is not None
        assert any(
            "SQS WorkerFunction.Theirs: not delivered locally" in line for line in aws._delivery.describe()
        )
    assert "WorkerFunction.Events.JobsEvent: BisectBatchOnFunctionError not applied locally" in caplog.text
    assert "WorkerFunction.Events.Theirs is not delivered locally: its queue arn:aws:sqs" in caplog.text
