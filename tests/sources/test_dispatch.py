"""``app.lambda_handler`` with non-HTTP events: each decorator, matching, partial batches, errors."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from lambda_micro import App, Blueprint, current_app, g
from lambda_micro.adapter import UnsupportedEvent
from lambda_micro.events import (
    BatchFailed,
    EventBridgeEvent,
    KinesisRecord,
    S3Object,
    ScheduledEvent,
    SQSMessage,
    StreamRecord,
    UnmatchedEvent,
)
from lambda_micro.testing import (
    LambdaContext,
    build_event,
    dynamodb_stream_event,
    eventbridge_event,
    kinesis_event,
    s3_event,
    scheduled_event,
    sns_event,
    sqs_event,
    sqs_message,
)


@pytest.fixture
def app() -> App:
    return App(__name__)


def failures(result: dict[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in result["batchItemFailures"]]


def test_sqs_handler_gets_each_message(app: App) -> None:
    seen: list[Any] = []

    @app.on_sqs("orders")
    def handle(message: SQSMessage) -> None:
        seen.append(message.json())

    result = app.lambda_handler(sqs_event({"n": 1}, {"n": 2}, queue="orders"), LambdaContext())
    assert result == {"batchItemFailures": []}
    assert seen == [{"n": 1}, {"n": 2}]


def test_decorators_return_the_function_unchanged(app: App) -> None:
    def handler(record: Any) -> None: ...

    for decorator in (
        app.on_sqs(),
        app.on_s3(),
        app.on_dynamodb_stream(),
        app.on_kinesis(),
        app.schedule(),
        app.on_event(),
        app.on_sns(),
    ):
        assert decorator(handler) is handler
    assert [spec.kind for spec in app.event_handlers] == [
        "sqs",
        "s3",
        "dynamodb",
        "kinesis",
        "schedule",
        "eventbridge",
        "sns",
    ]


def test_sqs_partial_batch_failure_reports_only_the_failed(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    @app.on_sqs()
    def handle(message: SQSMessage) -> None:
        if message.json()["n"] == 2:
            raise RuntimeError("boom")

    event = sqs_event({"n": 1}, {"n": 2}, {"n": 3}, queue="orders")
    with caplog.at_level(logging.ERROR):
        result = app.lambda_handler(event, LambdaContext(aws_request_id="req-1"))
    bad = event["Records"][1]["messageId"]
    assert failures(result) == [bad]
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == app.logger.name]
    assert len(records) == 1  # logged once
    assert records[0]["item_identifier"] == bad
    assert records[0]["aws_request_id"] == "req-1"
    assert records[0]["error"] == "boom"
    assert records[0]["event_source"] == "SQS"


def test_fifo_queue_stops_at_the_first_failure(app: App) -> None:
    calls: list[int] = []

    @app.on_sqs("jobs.fifo")
    def handle(message: SQSMessage) -> None:
        calls.append(message.json())
        if message.json() == 2:
            raise ValueError("no")

    event = sqs_event(1, 2, 3, 4, queue="jobs.fifo")
    result = app.lambda_handler(event, LambdaContext())
    ids = [record["messageId"] for record in event["Records"]]
    assert failures(result) == ids[1:]  # the failed one and everything after it
    assert calls == [1, 2]  # 3 and 4 never ran before 2 succeeded


def test_dynamodb_stream_is_ordered_by_sequence_number(app: App) -> None:
    @app.on_dynamodb_stream("posts")
    def handle(record: StreamRecord) -> None:
        if record.keys["id"] == "b":
            raise RuntimeError("fail")

    event = dynamodb_stream_event(
        *({"event_name": "INSERT", "keys": {"id": key}, "new": {"id": key}} for key in "abc"), table="posts"
    )
    result = app.lambda_handler(event, LambdaContext())
    sequence = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
    assert failures(result) == sequence[1:]


def test_kinesis_batch_handler_returns_failed_records(app: App) -> None:
    @app.on_kinesis("clicks", batch=True)
    def handle(records: list[KinesisRecord]) -> list[KinesisRecord]:
        return [record for record in records if record.json()["ok"] is False]

    event = kinesis_event({"ok": True}, {"ok": False}, {"ok": True}, stream="clicks")
    result = app.lambda_handler(event, LambdaContext())
    sequence = [r["kinesis"]["sequenceNumber"] for r in event["Records"]]
    assert failures(result) == sequence[1:]  # a stream is ordered: the failed record and those after it


def test_sqs_batch_handler_may_return_identifiers_or_none(app: App) -> None:
    returned: list[Any] = [None]

    @app.on_sqs(batch=True)
    def handle(messages: list[SQSMessage]) -> Any:
        return returned[0]

    event = sqs_event("a", "b")
    assert failures(app.lambda_handler(event, LambdaContext())) == []
    returned[0] = [event["Records"][0]["messageId"]]
    assert failures(app.lambda_handler(event, LambdaContext())) == [event["Records"][0]["messageId"]]
    returned[0] = ["not-in-batch"]
    with pytest.raises(ValueError, match="not a record of the batch"):
        app.lambda_handler(event, LambdaContext())
    returned[0] = "oops"
    with pytest.raises(TypeError, match="returns None"):
        app.lambda_handler(event, LambdaContext())


def test_every_record_failing_fails_the_invocation(app: App) -> None:
    @app.on_sqs()
    def handle(message: SQSMessage) -> None:
        raise RuntimeError("down")

    event = sqs_event("a", "b")
    with pytest.raises(BatchFailed, match="every record of the SQS batch") as caught:
        app.lambda_handler(event, LambdaContext())
    assert caught.value.failures == [r["messageId"] for r in event["Records"]]


def test_batch_handler_raising_fails_every_record(app: App) -> None:
    @app.on_sqs(batch=True)
    def handle(messages: list[SQSMessage]) -> None:
        raise RuntimeError("down")

    with pytest.raises(BatchFailed):
        app.lambda_handler(sqs_event("a", "b"), LambdaContext())


def test_malformed_record_is_a_failure_named_by_its_id(app: App) -> None:
    seen: list[str] = []

    @app.on_sqs()
    def handle(message: SQSMessage) -> None:
        seen.append(message.body)

    event = sqs_event("a", "b")
    del event["Records"][1]["body"]
    result = app.lambda_handler(event, LambdaContext())
    assert failures(result) == [event["Records"][1]["messageId"]]
    assert seen == ["a"]


def test_malformed_body_fails_only_its_message(app: App) -> None:
    @app.on_sqs()
    def handle(message: SQSMessage) -> None:
        message.json()

    event = sqs_event('{"ok": 1}', "{broken")
    assert failures(app.lambda_handler(event, LambdaContext())) == [event["Records"][1]["messageId"]]


def test_record_without_an_identifier_fails_the_invocation(app: App) -> None:
    app.on_sqs()(lambda message: None)
    event = sqs_event("a", "b")
    del event["Records"][0]["messageId"]
    with pytest.raises(Exception, match="SQS record 0: messageId is missing"):
        app.lambda_handler(event, LambdaContext())


def test_mixed_sources_are_refused(app: App) -> None:
    app.on_sqs()(lambda message: None)
    event = {"Records": [sqs_message("a"), s3_event()["Records"][0]]}
    with pytest.raises(ValueError, match="Lambda never mixes sources"):
        app.lambda_handler(event, LambdaContext())


def test_handlers_match_by_name_or_arn(app: App) -> None:
    got: list[str] = []
    app.on_sqs("arn:aws:sqs:us-east-1:123456789012:invoices")(lambda m: got.append(f"invoices:{m.body}"))
    app.on_sqs("orders")(lambda m: got.append(f"orders:{m.body}"))
    app.lambda_handler(sqs_event("1", queue="orders"), LambdaContext())
    app.lambda_handler(sqs_event("2", queue="invoices"), LambdaContext())
    assert got == ["orders:1", "invoices:2"]


def test_unmatched_queue_names_the_source_and_the_handlers(app: App) -> None:
    @app.on_sqs("orders")
    def handle_order(message: SQSMessage) -> None: ...

    with pytest.raises(UnmatchedEvent) as caught:
        app.lambda_handler(sqs_event("x", queue="invoices"), LambdaContext())
    message = str(caught.value)
    assert "arn:aws:sqs:us-east-1:123456789012:invoices" in message
    assert "@app.on_sqs(queue='orders')" in message
    assert "handle_order" in message
    assert isinstance(caught.value, UnsupportedEvent)


def test_event_of_a_source_without_handlers_is_unsupported(app: App) -> None:
    app.on_sqs()(lambda message: None)
    with pytest.raises(UnsupportedEvent, match=r"SNS event .*no @app.on_sns handler"):
        app.lambda_handler(sns_event("x"), LambdaContext())


def test_unknown_event_is_the_adapters_unsupported_event(app: App) -> None:
    with pytest.raises(UnsupportedEvent, match="Not an HTTP event"):
        app.lambda_handler({"hello": "world"}, LambdaContext())


def test_http_events_still_reach_the_routes(app: App) -> None:
    app.get("/")(lambda: "home")
    app.on_sqs()(lambda message: None)
    assert app.lambda_handler(build_event("GET", "/"), LambdaContext())["body"] == "home"


def test_s3_handler_filters_by_event_prefix_and_suffix(app: App) -> None:
    got: list[str] = []

    @app.on_s3("photos", prefix="uploads/", suffix=".jpg")
    def created(obj: S3Object) -> None:
        got.append(f"created {obj.key} {obj.size}")

    @app.on_s3("photos", events=["ObjectRemoved:*"])
    def removed(obj: S3Object) -> None:
        got.append(f"removed {obj.key}")

    assert app.lambda_handler(s3_event("photos", "uploads/my cat.jpg", size=5), LambdaContext()) is None
    app.lambda_handler(s3_event("photos", "x.png", event_name="ObjectRemoved:Delete"), LambdaContext())
    assert got == ["created uploads/my cat.jpg 5", "removed x.png"]
    with pytest.raises(UnmatchedEvent, match=r"ObjectCreated:Put of s3://photos/uploads/a.png"):
        app.lambda_handler(s3_event("photos", "uploads/a.png"), LambdaContext())


def test_s3_handler_exception_fails_the_invocation(app: App) -> None:
    @app.on_s3()
    def created(obj: S3Object) -> None:
        raise RuntimeError("cannot")

    with pytest.raises(RuntimeError, match="cannot"):
        app.lambda_handler(s3_event(), LambdaContext())


def test_schedule_by_rule_and_scheduler_name_returns_the_result(app: App) -> None:
    @app.schedule("nightly")
    def nightly(event: ScheduledEvent) -> dict[str, str]:
        return {"ran": event.name, "source": event.source}

    @app.schedule("ops/hourly")
    def hourly(event: ScheduledEvent) -> str:
        return "hourly"

    assert app.lambda_handler(scheduled_event("nightly"), LambdaContext()) == {
        "ran": "nightly",
        "source": "aws.events",
    }
    assert (
        app.lambda_handler(scheduled_event("nightly", scheduler=True), LambdaContext())["source"]
        == "aws.scheduler"
    )
    assert (
        app.lambda_handler(scheduled_event("hourly", scheduler=True, group="ops"), LambdaContext())
        == "hourly"
    )
    with pytest.raises(UnmatchedEvent, match="rule/weekly"):
        app.lambda_handler(scheduled_event("weekly"), LambdaContext())


def test_eventbridge_handler_matches_source_and_detail_type(app: App) -> None:
    @app.on_event(source="shop", detail_type=["Order Placed", "Order Paid"])
    def orders(event: EventBridgeEvent) -> int:
        return int(event.detail["n"])

    @app.on_event(source="shop")
    def other(event: EventBridgeEvent) -> str:
        return "other"

    assert app.lambda_handler(eventbridge_event({"n": 3}, source="shop", detail_type="Order Paid"), None) == 3
    assert app.lambda_handler(eventbridge_event({}, source="shop", detail_type="Refund"), None) == "other"
    with pytest.raises(UnmatchedEvent, match="source 'bank'"):
        app.lambda_handler(eventbridge_event({}, source="bank"), None)


def test_sns_handler_by_topic(app: App) -> None:
    got: list[Any] = []
    app.on_sns("news")(lambda message: got.append((message.subject, message.json())))
    assert app.lambda_handler(sns_event({"a": 1}, topic="news", subject="Hi"), None) is None
    assert got == [("Hi", {"a": 1})]
    with pytest.raises(UnmatchedEvent, match="topic arn:aws:sns:us-east-1:123456789012:sports"):
        app.lambda_handler(sns_event("x", topic="sports"), None)


def test_handlers_run_in_an_application_context(app: App) -> None:
    app.config["GREETING"] = "hi"
    seen: list[Any] = []

    @app.teardown_appcontext
    def teardown(exc: BaseException | None) -> None:
        seen.append("teardown")

    @app.on_sqs()
    def handle(message: SQSMessage) -> None:
        g.count = getattr(g, "count", 0) + 1  # g lives for the invocation, shared by its records
        seen.append((current_app.config["GREETING"], g.count))

    app.lambda_handler(sqs_event("a", "b"), None)
    assert seen == [("hi", 1), ("hi", 2), "teardown"]


def test_blueprint_handlers_are_registered_with_the_blueprint(app: App) -> None:
    bp = Blueprint("jobs", __name__)
    got: list[str] = []

    @bp.on_sqs("jobs")
    def job(message: SQSMessage) -> None:
        got.append(message.body)

    @bp.on_dynamodb_stream("posts")
    def change(record: StreamRecord) -> None: ...

    app.register_blueprint(bp)
    app.lambda_handler(sqs_event("run", queue="jobs"), None)
    assert got == ["run"]
    assert [spec.blueprint for spec in app.event_handlers] == ["jobs", "jobs"]
    assert (
        app.event_handlers[0].label
        == "@jobs.on_sqs(queue='jobs') test_blueprint_handlers_are_registered_with_the_blueprint.<locals>.job"
    )
    with pytest.raises(AssertionError, match="already been registered"):
        bp.on_sqs()(lambda m: None)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda app: app.on_sqs(queue=""), TypeError, "must be a name or an ARN"),
        (lambda app: app.on_sqs(batch="yes"), TypeError, "must be True or False"),
        (lambda app: app.on_s3(events=["Created"]), ValueError, "is not an S3 event type"),
        (lambda app: app.on_s3(events=[]), TypeError, "non-empty string"),
        (lambda app: app.on_s3(prefix=1), TypeError, "must be strings"),
        (lambda app: app.on_event(source=[""]), TypeError, "non-empty string"),
        (lambda app: app.schedule(name=3), TypeError, "must be a name or an ARN"),
    ],
)
def test_bad_decorator_arguments_fail_at_the_decorator(
    app: App, make: Any, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        make(app)


def test_decorating_a_non_callable_fails(app: App) -> None:
    with pytest.raises(TypeError, match="decorates a function"):
        app.on_sqs()("not a function")  # type: ignore[type-var]


def test_batch_only_for_batch_sources(app: App) -> None:
    from lambda_micro.events.registry import event_spec

    with pytest.raises(TypeError, match="only SQS, Kinesis and DynamoDB streams"):
        event_spec("s3", batch=True)
    with pytest.raises(TypeError, match="unexpected arguments: colour"):
        event_spec("sqs", colour="red")
