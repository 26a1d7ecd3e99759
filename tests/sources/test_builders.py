"""The test kit's non-HTTP event builders produce what AWS sends: each validates against Powertools' model."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    DynamoDBStreamModel,
    EventBridgeModel,
    KinesisDataStreamModel,
    S3Model,
    SnsModel,
    SqsModel,
)

from lambda_micro.testing import (
    dynamodb_change,
    dynamodb_stream_event,
    eventbridge_event,
    kinesis_event,
    s3_event,
    scheduled_event,
    sns_event,
    sqs_event,
    sqs_message,
)

CASES: list[tuple[str, Any, Any]] = [
    ("sqs", SqsModel, lambda: sqs_event({"order": 1}, "plain text", queue="orders")),
    ("sqs-fifo", SqsModel, lambda: sqs_event("a", "b", queue="orders.fifo", group_id="customer-1")),
    (
        "sqs-attributes",
        SqsModel,
        lambda: sqs_event("x", message_attributes={"kind": "order", "count": 3, "blob": b"\x00\x01"}),
    ),
    ("s3-put", S3Model, lambda: s3_event("photos", "2024/my photo(1).jpg", size=2048)),
    ("s3-delete", S3Model, lambda: s3_event("photos", ["a.jpg", "b.jpg"], event_name="ObjectRemoved:Delete")),
    (
        "dynamodb",
        DynamoDBStreamModel,
        lambda: dynamodb_stream_event(
            {"event_name": "INSERT", "keys": {"id": "1"}, "new": {"id": "1", "n": 2, "tags": {"a", "b"}}},
            {"event_name": "MODIFY", "keys": {"id": "1"}, "new": {"id": "1"}, "old": {"id": "1", "n": 2}},
            {"event_name": "REMOVE", "keys": {"id": "1"}, "old": {"id": "1"}},
            table="posts",
        ),
    ),
    (
        "dynamodb-keys-only",
        DynamoDBStreamModel,
        lambda: dynamodb_stream_event(
            {"event_name": "INSERT", "keys": {"id": "1"}, "new": {"id": "1"}}, view_type="KEYS_ONLY"
        ),
    ),
    (
        "kinesis",
        KinesisDataStreamModel,
        lambda: kinesis_event(b"\x00raw", "text", {"json": True}, stream="clicks"),
    ),
    (
        "eventbridge",
        EventBridgeModel,
        lambda: eventbridge_event({"id": 7}, source="shop", detail_type="Order Placed"),
    ),
    ("schedule-rule", EventBridgeModel, lambda: scheduled_event("nightly")),
    ("schedule-scheduler", EventBridgeModel, lambda: scheduled_event("nightly", scheduler=True)),
    (
        "sns",
        SnsModel,
        lambda: sns_event({"hello": "world"}, topic="news", subject="Hi", message_attributes={"a": "b"}),
    ),
]


@pytest.mark.parametrize(("name", "model", "build"), CASES, ids=[case[0] for case in CASES])
def test_builder_output_validates_against_powertools(name: str, model: Any, build: Any) -> None:
    event = build()
    json.dumps(event)  # what Lambda sends is JSON
    model.model_validate(event)


def test_sqs_event_names_the_queue_and_encodes_bodies() -> None:
    event = sqs_event({"order": 1}, "text", queue="orders", region="eu-west-1")
    first, second = event["Records"]
    assert first["eventSourceARN"] == "arn:aws:sqs:eu-west-1:123456789012:orders"
    assert json.loads(first["body"]) == {"order": 1}
    assert second["body"] == "text"
    assert first["messageId"] != second["messageId"]


def test_sqs_fifo_records_carry_group_and_sequence() -> None:
    record = sqs_message("a", queue="jobs.fifo", group_id="g1")
    assert record["attributes"]["MessageGroupId"] == "g1"
    assert "SequenceNumber" in record["attributes"]
    with pytest.raises(ValueError, match="FIFO"):
        sqs_message("a", queue="jobs", group_id="g1")


def test_s3_event_url_encodes_keys_as_s3_does() -> None:
    record = s3_event("photos", "2024/my photo(1).jpg")["Records"][0]
    assert record["s3"]["object"]["key"] == "2024/my+photo%281%29.jpg"
    assert record["s3"]["bucket"]["arn"] == "arn:aws:s3:::photos"


def test_s3_removal_has_no_size_or_etag() -> None:
    obj = s3_event("b", "k", event_name="s3:ObjectRemoved:Delete")["Records"][0]["s3"]["object"]
    assert "size" not in obj
    assert "eTag" not in obj


def test_dynamodb_change_encodes_python_values_and_honours_the_view_type() -> None:
    record = dynamodb_change(
        "MODIFY",
        keys={"id": "1"},
        new={"n": Decimal("1.5"), "b": b"\x01", "ok": True, "none": None, "l": [1, "a"], "m": {"x": 1}},
        old={"n": 1},
        table="posts",
        view_type="NEW_IMAGE",
    )
    change = record["dynamodb"]
    assert change["NewImage"]["n"] == {"N": "1.5"}
    assert change["NewImage"]["b"] == {"B": base64.b64encode(b"\x01").decode()}
    assert change["NewImage"]["l"] == {"L": [{"N": "1"}, {"S": "a"}]}
    assert "OldImage" not in change  # NEW_IMAGE streams carry no old image
    assert record["eventSourceARN"].startswith("arn:aws:dynamodb:us-east-1:123456789012:table/posts/stream/")


def test_dynamodb_change_refuses_unknown_names() -> None:
    with pytest.raises(ValueError, match="INSERT, MODIFY or REMOVE"):
        dynamodb_change("UPSERT", keys={"id": "1"})
    with pytest.raises(ValueError, match="view_type"):
        dynamodb_change("INSERT", keys={"id": "1"}, view_type="ALL")
    with pytest.raises(TypeError, match="no DynamoDB type"):
        dynamodb_change("INSERT", keys={"id": object()})


def test_stream_sequence_numbers_grow() -> None:
    records = kinesis_event("a", "b")["Records"]
    assert int(records[0]["kinesis"]["sequenceNumber"]) < int(records[1]["kinesis"]["sequenceNumber"])


def test_scheduled_event_shapes_of_rules_and_scheduler() -> None:
    rule = scheduled_event("nightly", region="eu-west-1")
    assert rule["source"] == "aws.events"
    assert rule["detail"] == {}
    assert rule["resources"] == ["arn:aws:events:eu-west-1:123456789012:rule/nightly"]
    scheduler = scheduled_event("nightly", scheduler=True, group="ops")
    assert scheduler["source"] == "aws.scheduler"
    assert scheduler["detail"] == "{}"
    assert scheduler["resources"] == ["arn:aws:scheduler:us-east-1:123456789012:schedule/ops/nightly"]
