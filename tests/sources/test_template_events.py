"""The template model reads queues, topics, streams and each function's non-HTTP events as SAM does."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lambda_micro.local.sam import SamTemplate, TemplateError, load_template

HEAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.11
      Events:
        E:
"""


def test_worker_template_model(worker_template: SamTemplate) -> None:
    jobs = worker_template.queues["Jobs"]
    assert (jobs.visibility_timeout, jobs.dead_letter_queue, jobs.max_receive_count) == (
        0,
        "JobsDeadLetters",
        2,
    )
    orders = worker_template.queues["Orders"]
    assert orders.fifo
    assert orders.name.endswith(".fifo")  # as CloudFormation names a FIFO queue
    assert orders.content_based_deduplication
    assert worker_template.functions["WorkerFunction"].environment["ORDERS_QUEUE"] == orders.name
    by_id = {source.event_id: source for source in worker_template.event_sources}
    assert by_id["JobsEvent"].resource_id == "Jobs"
    assert by_id["JobsEvent"].report_batch_item_failures
    assert by_id["JobsEvent"].batch_size == 10
    assert by_id["ItemsEvent"].starting_position == "TRIM_HORIZON"
    assert by_id["ItemsEvent"].maximum_retry_attempts == 1
    assert by_id["ItemsEvent"].batch_size == 100  # DynamoDB's default
    uploads = by_id["UploadsEvent"]
    assert (uploads.s3_events, uploads.s3_prefix, uploads.s3_suffix) == (
        ("s3:ObjectCreated:*",),
        "uploads/",
        "",
    )
    assert by_id["NewsEvent"].filter_policy == {"kind": ["news"]}
    assert by_id["ShopEvent"].pattern == {"source": ["test.shop"]}
    assert by_id["ShopEvent"].name.startswith("local-WorkerFunctionShopEvent-")  # CloudFormation's name
    assert (by_id["EveryMinute"].name, by_id["EveryMinute"].schedule_expression) == (
        "every-minute",
        "rate(1 minute)",
    )
    assert by_id["Nightly"].qualified_id == "WorkerFunction.Nightly"
    assert worker_template.streams["Clicks"].arn.startswith(
        "arn:aws:kinesis:us-east-1:123456789012:stream/local-Clicks-"
    )


def read(tmp_path: Path, event: str, extra: str = "") -> SamTemplate:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return None\n")
    text = (
        HEAD
        + textwrap.indent(textwrap.dedent(event), " " * 10)
        + textwrap.indent(textwrap.dedent(extra), "  ")
    )
    (tmp_path / "template.yaml").write_text(text)
    return load_template(tmp_path / "template.yaml")


def test_external_queue_arn_is_kept(tmp_path: Path) -> None:
    template = read(tmp_path, "Type: SQS\nProperties:\n  Queue: arn:aws:sqs:us-east-1:111111111111:theirs\n")
    (source,) = template.event_sources
    assert (source.resource_id, source.resource_arn) == (None, "arn:aws:sqs:us-east-1:111111111111:theirs")


def test_schedule_v2_options(tmp_path: Path) -> None:
    template = read(
        tmp_path,
        """\
        Type: ScheduleV2
        Properties:
          ScheduleExpression: rate(1 hour)
          ScheduleExpressionTimezone: Europe/Paris
          GroupName: ops
          State: DISABLED
          Input: '{"at": "<aws.scheduler.scheduled-time>"}'
        """,
    )
    (source,) = template.event_sources
    assert (source.timezone, source.group, source.enabled) == ("Europe/Paris", "ops", False)
    assert source.input == '{"at": "<aws.scheduler.scheduled-time>"}'


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("Type: SQS\nProperties: {BatchSize: 5}\n", "a SQS event needs Queue"),
        (
            "Type: DynamoDB\nProperties: {Stream: x}\n",
            "StartingPosition must be TRIM_HORIZON, LATEST or AT_TIMESTAMP",
        ),
        ("Type: SQS\nProperties: {Queue: x, BatchSize: many}\n", "BatchSize must be an integer"),
        ("Type: S3\nProperties: {Bucket: x}\n", "an S3 event needs Events"),
        (
            "Type: S3\nProperties: {Bucket: x, Events: s3:ObjectCreated:*,"
            " Filter: {S3Key: {Rules: [{Name: middle}]}}}\n",
            "S3Key Rules are",
        ),
        ("Type: Schedule\nProperties: {Name: n}\n", "a Schedule event needs Schedule"),
        ("Type: ScheduleV2\nProperties: {}\n", "a ScheduleV2 event needs ScheduleExpression"),
        ("Type: EventBridgeRule\nProperties: {}\n", "an EventBridgeRule event needs a Pattern"),
        ("Type: SQS\nProperties: [1]\n", "Properties must be a mapping"),
    ],
)
def test_malformed_events_name_the_event(tmp_path: Path, event: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message) as caught:
        read(tmp_path, event)
    assert "Fn.Events.E" in str(caught.value)


def test_bad_redrive_policy(tmp_path: Path) -> None:
    queue = """\
      Q:
        Type: AWS::SQS::Queue
        Properties:
          RedrivePolicy: {maxReceiveCount: 3}
    """
    with pytest.raises(TemplateError, match="RedrivePolicy needs deadLetterTargetArn"):
        read(tmp_path, "Type: SQS\nProperties: {Queue: !GetAtt Q.Arn}\n", queue)
    text_policy = queue.replace("{maxReceiveCount: 3}", "not json")
    with pytest.raises(TemplateError, match="RedrivePolicy must be JSON or a mapping"):
        read(tmp_path, "Type: SQS\nProperties: {Queue: !GetAtt Q.Arn}\n", text_policy)


def test_properties_not_applied_locally_are_listed(tmp_path: Path) -> None:
    template = read(
        tmp_path,
        """\
        Type: SQS
        Properties:
          Queue: arn:aws:sqs:us-east-1:111111111111:theirs
          MaximumBatchingWindowInSeconds: 5
          FilterCriteria: {Filters: [{Pattern: '{"body": {"a": [1]}}'}]}
        """,
    )
    (source,) = template.event_sources
    assert source.ignored == ("MaximumBatchingWindowInSeconds",)
    assert source.filters == ({"body": {"a": [1]}},)
