"""Malformed records of every source: each error names the record and the field, never the value."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_micro import App
from lambda_micro.events import (
    BadRecord,
    EventBridgeEvent,
    KinesisRecord,
    S3Object,
    SNSMessage,
    SQSMessage,
    StreamRecord,
)
from lambda_micro.events.dispatch import classify
from lambda_micro.testing import (
    LambdaContext,
    dynamodb_change,
    dynamodb_stream_event,
    eventbridge_event,
    kinesis_event,
    kinesis_record,
    s3_record,
    sns_record,
    sqs_event,
    sqs_message,
)


def broken(record: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``record`` with the field at dotted ``path`` set to ``value`` (``...`` deletes it)."""
    *parents, last = path.split(".")
    target = record
    for name in parents:
        target = target[name]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return record


@pytest.mark.parametrize(
    ("build", "path", "value", "message"),
    [
        (lambda: SQSMessage(broken(sqs_message(), "awsRegion", 3)), None, None, "awsRegion must be a string"),
        (
            lambda: SQSMessage(broken(sqs_message(), "attributes", [])),
            None,
            None,
            "attributes must be an object",
        ),
        (lambda: S3Object(broken(s3_record(), "s3", ...)), None, None, "S3 record 0: s3 is missing"),
        (lambda: S3Object(broken(s3_record(), "s3.object", "k")), None, None, "s3.object must be an object"),
        (lambda: S3Object(broken(s3_record(), "s3.object.size", [1])), None, None, "size must be a number"),
        (lambda: S3Object(broken(s3_record(), "s3.object.size", "big")), None, None, "size must be a number"),
        (lambda: S3Object(broken(s3_record(), "s3.object.size", True)), None, None, "size must be a number"),
        (
            lambda: StreamRecord(broken(dynamodb_change(keys={"id": "1"}), "dynamodb.Keys", ...)),
            None,
            None,
            "dynamodb.Keys is missing",
        ),
        (
            lambda: StreamRecord(
                broken(dynamodb_change(keys={"id": "1"}, new={"a": 1}), "dynamodb.NewImage", [])
            ),
            None,
            None,
            "dynamodb.NewImage must be an object",
        ),
        (
            lambda: EventBridgeEvent(broken(eventbridge_event(), "resources", [1])),
            None,
            None,
            "resources must be a list of strings",
        ),
        (
            lambda: EventBridgeEvent(broken(eventbridge_event(), "detail", "{x")),
            None,
            None,
            "detail is not JSON",
        ),
    ],
)
def test_malformed_fields_are_named(build: Any, path: Any, value: Any, message: str) -> None:
    with pytest.raises(BadRecord, match=message):
        build()


def test_sent_timestamp_that_is_no_time_is_named() -> None:
    message = SQSMessage(broken(sqs_message(), "attributes.SentTimestamp", "soon"))
    with pytest.raises(BadRecord, match=r"attributes\.SentTimestamp must be a time since the epoch"):
        _ = message.sent_at


def test_text_body_that_is_no_utf8() -> None:
    record = KinesisRecord(kinesis_record(b"\xff\xfe"))
    with pytest.raises(BadRecord, match="is not UTF-8 text"):
        record.json()


def test_reprs_name_the_record() -> None:
    message = SQSMessage(sqs_message("x", queue="jobs"))
    assert repr(message) == f"<SQSMessage {message.message_id} from jobs>"
    assert repr(S3Object(s3_record("b", "k"))) == "<S3Object ObjectCreated:Put s3://b/k>"
    assert S3Object(s3_record("b", "k")).item_identifier == "s3://b/k"
    change = StreamRecord(dynamodb_change(keys={"id": "1"}, table="posts"))
    assert repr(change) == "<StreamRecord INSERT {'id': '1'} in posts>"
    record = KinesisRecord(kinesis_record("x", stream="clicks"))
    assert repr(record) == f"<KinesisRecord {record.sequence_number} in clicks>"
    event = EventBridgeEvent(eventbridge_event(source="s", detail_type="d", event_id="e1"))
    assert repr(event) == "<EventBridgeEvent s 'd' e1>"
    sns = SNSMessage(sns_record("x", topic="news"))
    assert repr(sns) == f"<SNSMessage {sns.message_id} from news>"
    assert sns.item_identifier == sns.message_id


def test_classify_never_raises() -> None:
    assert classify(None) is None
    assert classify({"Records": [1]}) is None
    assert classify({"Records": [{"eventSource": 3}]}) is None
    assert classify({"source": "a", "detail-type": "b"}) is None  # no id: not an EventBridge event


def test_stream_record_without_a_sequence_number_fails_the_invocation() -> None:
    app = App(__name__)
    app.on_dynamodb_stream()(lambda record: None)
    event = dynamodb_stream_event({"event_name": "INSERT", "keys": {"id": "1"}})
    del event["Records"][0]["dynamodb"]["SequenceNumber"]
    with pytest.raises(BadRecord, match=r"dynamodb\.SequenceNumber is missing"):
        app.lambda_handler(event, LambdaContext())
    event = kinesis_event("a")
    event["Records"][0]["kinesis"] = "oops"
    app.on_kinesis()(lambda record: None)
    with pytest.raises(BadRecord, match="kinesis must be an object"):
        app.lambda_handler(event, LambdaContext())


def test_malformed_record_in_a_batch_handler_is_failed_by_id() -> None:
    app = App(__name__)
    seen: list[int] = []
    app.on_sqs(batch=True)(lambda messages: seen.append(len(messages)))
    event = sqs_event("a", "b")
    del event["Records"][0]["body"]
    result = app.lambda_handler(event, LambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert seen == [1]
    del event["Records"][1]["body"]
    with pytest.raises(Exception, match="every record"):
        app.lambda_handler(event, LambdaContext())


def test_dynamodb_handler_by_table_arn() -> None:
    app = App(__name__)
    got: list[str] = []
    app.on_dynamodb_stream("arn:aws:dynamodb:us-east-1:123456789012:table/posts")(
        lambda r: got.append(r.event_name)
    )
    app.lambda_handler(dynamodb_stream_event({"keys": {"id": "1"}}, table="posts"), LambdaContext())
    assert got == ["INSERT"]
