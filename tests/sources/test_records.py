"""The typed records handlers receive, built from real event shapes; malformed records name their field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lambda_micro.events import (
    BadRecord,
    EventBridgeEvent,
    KinesisRecord,
    S3Object,
    ScheduledEvent,
    SNSMessage,
    SQSMessage,
    StreamRecord,
)
from lambda_micro.events.dynamodb_json import from_dynamodb
from lambda_micro.testing import (
    dynamodb_change,
    eventbridge_event,
    kinesis_record,
    s3_record,
    scheduled_event,
    sns_record,
    sqs_message,
)


def test_sqs_message_fields() -> None:
    raw = sqs_message(
        {"order": 7},
        queue="orders.fifo",
        group_id="c1",
        receive_count=3,
        message_attributes={"k": "v", "b": b"\x00"},
    )
    message = SQSMessage(raw)
    assert message.message_id == raw["messageId"]
    assert message.receipt_handle == raw["receiptHandle"]
    assert message.json() == {"order": 7}
    assert message.queue_name == "orders.fifo"
    assert message.is_fifo
    assert message.message_group_id == "c1"
    assert message.receive_count == 3
    assert message.message_attributes == {"k": "v", "b": b"\x00"}
    assert message.sent_at is not None
    assert message.sent_at.tzinfo is not None
    assert message.attributes["ApproximateReceiveCount"] == "3"
    assert message.raw is raw


def test_sqs_message_json_error_names_the_message_and_the_problem() -> None:
    message = SQSMessage(sqs_message("{not json"))
    with pytest.raises(BadRecord) as caught:
        message.json()
    assert f"SQS message {message.message_id}: body is not JSON" in str(caught.value)
    assert "not json" not in str(caught.value)  # never the value


def test_sqs_message_missing_field_is_named() -> None:
    raw = sqs_message("x")
    del raw["body"]
    with pytest.raises(BadRecord, match=r"SQS message .*: body is missing"):
        SQSMessage(raw)
    with pytest.raises(BadRecord, match="SQS record 2: the record must be an object"):
        SQSMessage("nope", 2)  # type: ignore[arg-type]


def test_s3_object_decodes_the_key() -> None:
    obj = S3Object(s3_record("photos", "2024/my photo(1).jpg", size=2048, etag="abc", version_id="v1"))
    assert (obj.bucket, obj.key, obj.size, obj.etag) == ("photos", "2024/my photo(1).jpg", 2048, "abc")
    assert obj.event_name == "ObjectCreated:Put"
    assert obj.version_id == "v1"
    assert obj.bucket_arn == "arn:aws:s3:::photos"
    removed = S3Object(s3_record("photos", "a", event_name="ObjectRemoved:Delete"))
    assert removed.size is None
    assert removed.etag is None


def test_s3_object_bad_time_is_named() -> None:
    raw = s3_record()
    raw["eventTime"] = "yesterday"
    with pytest.raises(BadRecord, match="S3 record 0: eventTime is not an ISO 8601 time"):
        S3Object(raw)


def test_stream_record_images_are_plain_python_values() -> None:
    record = StreamRecord(
        dynamodb_change(
            "MODIFY",
            keys={"slug": "a"},
            new={
                "slug": "a",
                "n": Decimal("1.50"),
                "tags": {"x", "y"},
                "nums": {1, 2},
                "blob": b"\x01",
                "bins": {b"\x02"},
                "nested": {"l": [True, None]},
            },
            old={"slug": "a", "n": 1},
            table="posts",
        )
    )
    assert record.event_name == "MODIFY"
    assert record.keys == {"slug": "a"}
    assert record.new_image == {
        "slug": "a",
        "n": Decimal("1.50"),
        "tags": {"x", "y"},
        "nums": {Decimal(1), Decimal(2)},
        "blob": b"\x01",
        "bins": {b"\x02"},
        "nested": {"l": [True, None]},
    }
    assert record.old_image == {"slug": "a", "n": Decimal(1)}
    assert record.table_name == "posts"
    assert not record.is_ttl_delete
    assert record.item_identifier == record.sequence_number


def test_stream_record_ttl_delete_and_missing_images() -> None:
    record = StreamRecord(dynamodb_change("REMOVE", keys={"id": "1"}, view_type="KEYS_ONLY", ttl_delete=True))
    assert record.is_ttl_delete
    assert record.new_image is None
    assert record.old_image is None


def test_stream_record_bad_dynamodb_json_is_named() -> None:
    raw = dynamodb_change("INSERT", keys={"id": "1"}, new={"n": 1})
    raw["dynamodb"]["NewImage"]["n"] = {"N": "one"}
    sequence = raw["dynamodb"]["SequenceNumber"]
    with pytest.raises(
        BadRecord, match=rf"DynamoDB stream record {sequence}: dynamodb.NewImage is not DynamoDB JSON"
    ):
        StreamRecord(raw)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"S": 1}, "S must be a string"),
        ({"N": 1}, "a number must be a string"),
        ({"BOOL": "yes"}, "BOOL must be true or false"),
        ({"B": "***"}, "not valid base64"),
        ({"SS": "a"}, "SS must be a list"),
        ({"SS": [1]}, "SS must hold strings"),
        ({"L": {}}, "L must be a list"),
        ({"M": []}, "M must be an object"),
        ({"X": 1}, "unknown attribute type"),
        ({"S": "a", "N": "1"}, "one type key"),
        ({"B": 1}, "a binary must be base64 text"),
    ],
)
def test_dynamodb_json_errors(value: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        from_dynamodb(value)


def test_kinesis_record_decodes_data() -> None:
    record = KinesisRecord(kinesis_record({"click": 1}, stream="clicks", partition_key="u1"))
    assert record.json() == {"click": 1}
    assert record.text() == '{"click":1}'
    assert record.stream_name == "clicks"
    assert record.partition_key == "u1"
    assert record.approximate_arrival is not None
    binary = KinesisRecord(kinesis_record(b"\xff"))
    with pytest.raises(BadRecord, match="is not UTF-8 text"):
        binary.text()
    raw = kinesis_record("x")
    raw["kinesis"]["data"] = "%%%"
    with pytest.raises(BadRecord, match=r"kinesis\.data is not valid base64"):
        KinesisRecord(raw)


def test_eventbridge_event_fields() -> None:
    event = EventBridgeEvent(
        eventbridge_event({"id": 7}, source="shop", detail_type="Order Placed", resources=["r"])
    )
    assert (event.source, event.detail_type, event.detail, event.resources) == (
        "shop",
        "Order Placed",
        {"id": 7},
        ["r"],
    )
    assert event.time.tzinfo is not None
    raw = eventbridge_event()
    raw["detail"] = [1]
    with pytest.raises(BadRecord, match="detail must be an object"):
        EventBridgeEvent(raw)


def test_scheduled_event_names_rules_and_schedules() -> None:
    rule = ScheduledEvent(scheduled_event("nightly"))
    assert (rule.name, rule.group, rule.detail) == ("nightly", None, {})
    schedule = ScheduledEvent(scheduled_event("nightly", scheduler=True, group="ops"))
    assert (schedule.name, schedule.group, schedule.detail) == ("nightly", "ops", {})  # "{}" text decoded
    assert schedule.arn.endswith(":schedule/ops/nightly")


def test_sns_message_fields() -> None:
    message = SNSMessage(
        sns_record({"a": 1}, topic="news", subject="Hi", message_attributes={"n": 2, "b": b"\x01"})
    )
    assert message.json() == {"a": 1}
    assert message.subject == "Hi"
    assert message.topic_name == "news"
    assert message.type == "Notification"
    assert message.message_attributes == {"n": "2", "b": b"\x01"}
    raw = sns_record()
    del raw["Sns"]["TopicArn"]
    with pytest.raises(BadRecord, match=r"SNS message .*: Sns.TopicArn is missing"):
        SNSMessage(raw)


def test_binary_sqs_attribute_must_be_base64() -> None:
    raw = sqs_message("x", message_attributes={"b": b"\x00"})
    raw["messageAttributes"]["b"]["binaryValue"] = "!!"
    with pytest.raises(BadRecord, match=r"messageAttributes\.b\.binaryValue is not valid base64"):
        SQSMessage(raw)
