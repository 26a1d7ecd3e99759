"""``FilterCriteria`` on SQS, DynamoDB and Kinesis mappings: read from the template, applied on delivery."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lambda_micro.local.sam import SamTemplate, TemplateError, load_template
from lambda_micro.local.sam.filter_criteria import FilterCriteriaError, read_filter_criteria
from lambda_micro.local.sources.filters import RecordFilter

from .conftest import Worker

# -- reading -------------------------------------------------------------------------------------------------


def test_patterns_are_read_from_text_or_mappings() -> None:
    criteria = {
        "Filters": [{"Pattern": '{"body": {"kind": ["order"]}}'}, {"Pattern": {"eventName": ["INSERT"]}}]
    }
    assert read_filter_criteria(criteria) == ({"body": {"kind": ["order"]}}, {"eventName": ["INSERT"]})
    assert read_filter_criteria({"Filters": []}) == ()


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ([], "must be a mapping with Filters"),
        ({"Filters": {"Pattern": "{}"}}, "Filters must be a list"),
        ({"Filters": [{"Pattern": "{nope"}]}, r"Filters\[0\].Pattern is not valid JSON"),
        ({"Filters": [{"Pattern": "[1]"}]}, r"Filters\[0\].Pattern must be a JSON object"),
        ({"Filters": [{}, {"Pattern": '{"body": []}'}]}, r"Filters\[0\].Pattern must be a JSON object"),
        ({"Filters": [{"Pattern": '{"body": []}'}]}, "'body' is an empty array"),
        ({"Filters": [{"Pattern": '{"body": {"a": 1}}'}]}, "'a' must be an object or an array, got 1"),
        ({"Filters": [{"Pattern": '{"$or": [3]}'}]}, "'\\$or' must be a non-empty list of objects"),
    ],
)
def test_patterns_lambda_refuses_are_refused(criteria: Any, message: str) -> None:
    with pytest.raises(FilterCriteriaError, match=message):
        read_filter_criteria(criteria)


TEMPLATE = """\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: app.handler
      Runtime: python3.13
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Q.Arn
            FilterCriteria: {FILTERS}
  Q:
    Type: AWS::SQS::Queue
"""


def _template(tmp_path: Path, filters: str) -> SamTemplate:
    (tmp_path / "fn").mkdir(exist_ok=True)
    (tmp_path / "template.yaml").write_text(TEMPLATE.replace("{FILTERS}", filters))
    return load_template(tmp_path / "template.yaml")


def test_the_template_gives_the_mapping_its_patterns(tmp_path: Path) -> None:
    template = _template(tmp_path, """{Filters: [{Pattern: '{"body": {"n": [{"numeric": [">", 2]}]}}'}]}""")
    (source,) = template.event_sources
    assert source.filters == ({"body": {"n": [{"numeric": [">", 2]}]}},)
    assert "FilterCriteria" not in source.ignored


def test_a_bad_pattern_in_the_template_names_the_event(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"Fn.Events.Jobs.*Filters\[0\].Pattern is not valid JSON"):
        _template(tmp_path, "{Filters: [{Pattern: '{oops'}]}")


# -- matching ------------------------------------------------------------------------------------------------


def _source(worker_template: SamTemplate, event_id: str, *patterns: dict[str, Any]) -> Any:
    source = next(s for s in worker_template.event_sources if s.event_id == event_id)
    return replace(source, filters=patterns)


def test_an_sqs_body_is_matched_as_json_when_it_is_json_and_as_text_otherwise(
    worker_template: SamTemplate,
) -> None:
    only_orders = RecordFilter(_source(worker_template, "JobsEvent", {"body": {"kind": ["order"]}}))
    assert only_orders.matches({"messageId": "1", "body": '{"kind": "order", "n": 1}'})
    assert not only_orders.matches({"messageId": "2", "body": '{"kind": "refund"}'})
    assert not only_orders.matches({"messageId": "3", "body": "kind=order"})
    text = RecordFilter(_source(worker_template, "JobsEvent", {"body": [{"prefix": "urgent:"}]}))
    assert text.matches({"body": "urgent: call"})
    assert not text.matches({"body": "later"})


def test_any_pattern_matching_delivers_the_record(worker_template: SamTemplate) -> None:
    either = RecordFilter(
        _source(
            worker_template,
            "ItemsEvent",
            {"eventName": ["REMOVE"]},
            {"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">=", 10]}]}}}},
        )
    )
    assert either.matches({"eventName": "REMOVE", "dynamodb": {"Keys": {"id": {"S": "a"}}}})
    assert either.matches({"eventName": "INSERT", "dynamodb": {"NewImage": {"n": {"N": 12}}}})
    assert not either.matches({"eventName": "INSERT", "dynamodb": {"NewImage": {"n": {"N": 3}}}})


def test_kinesis_data_is_matched_by_its_json_fields(worker_template: SamTemplate) -> None:
    clicks = RecordFilter(
        _source(worker_template, "ClicksEvent", {"data": {"page": [{"prefix": "/posts/"}]}})
    )

    def record(data: bytes) -> dict[str, Any]:
        return {"kinesis": {"partitionKey": "p", "data": base64.b64encode(data).decode()}}

    assert clicks.matches(record(b'{"page": "/posts/hello"}'))
    assert not clicks.matches(record(b'{"page": "/about"}'))
    assert not clicks.matches(record(b"/posts/not-json"))
    # The record the function receives keeps its base64 data: only the view matched is parsed.
    original = record(b'{"page": "/posts/x"}')
    clicks.matches(original)
    assert original["kinesis"]["data"] == base64.b64encode(b'{"page": "/posts/x"}').decode()


# -- delivery ------------------------------------------------------------------------------------------------


@pytest.fixture
def filtered_worker(worker_template: SamTemplate, monkeypatch: pytest.MonkeyPatch) -> Iterator[Worker]:
    """The worker project with filters on its queue, table stream and Kinesis stream."""
    from lambda_micro.testing.plugin import local_aws

    patterns = {
        "JobsEvent": ({"body": [{"anything-but": ["skip"]}]},),
        "ItemsEvent": ({"eventName": ["INSERT"]},),
        "ClicksEvent": ({"data": {"keep": [True]}},),
    }
    function = worker_template.functions["WorkerFunction"]
    sources = [
        replace(s, filters=patterns[s.event_id]) if s.event_id in patterns else s
        for s in function.event_sources
    ]
    template = replace(
        worker_template, functions={"WorkerFunction": replace(function, event_sources=sources)}
    )
    with local_aws(template, monkeypatch) as resources:
        yield Worker(resources, template)


def test_filtered_out_messages_are_deleted_and_never_delivered(
    filtered_worker: Worker, caplog: pytest.LogCaptureFixture
) -> None:
    sqs = filtered_worker.aws.client("sqs")
    url = filtered_worker.queue_url("Jobs")
    for body in ("a", "skip", "b"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    with caplog.at_level(logging.INFO, logger="lambda_micro.local"):
        deliveries = filtered_worker.deliver()
    assert [(d.records, d.failed) for d in deliveries] == [(2, 0)]
    assert filtered_worker.effects() == {"sqs:a:1", "sqs:b:1"}
    assert "SQS Jobs → WorkerFunction: 1 of 3 messages filtered out (FilterCriteria)" in caplog.text
    assert sqs.receive_message(QueueUrl=url).get("Messages") is None  # deleted, not left to redrive


def test_a_batch_filtered_out_entirely_invokes_nothing(filtered_worker: Worker) -> None:
    sqs = filtered_worker.aws.client("sqs")
    sqs.send_message(QueueUrl=filtered_worker.queue_url("Jobs"), MessageBody="skip")
    assert filtered_worker.deliver() == []
    assert filtered_worker.effects() == set()


def test_stream_records_no_filter_matches_are_skipped(filtered_worker: Worker) -> None:
    table = filtered_worker.aws.resource("dynamodb").Table(filtered_worker.aws.table_name("Items"))
    table.put_item(Item={"id": "a", "n": 1})
    table.put_item(Item={"id": "a", "n": 2})  # MODIFY: filtered out
    table.put_item(Item={"id": "b", "n": 3})
    kinesis = filtered_worker.aws.client("kinesis")
    stream = filtered_worker.template.streams["Clicks"].name
    kinesis.put_record(StreamName=stream, Data=json.dumps({"keep": True}).encode(), PartitionKey="p")
    kinesis.put_record(StreamName=stream, Data=json.dumps({"keep": False}).encode(), PartitionKey="p")
    filtered_worker.deliver()
    effects = filtered_worker.effects()
    assert {e for e in effects if e.startswith("ddb:")} == {"ddb:INSERT:a:1", "ddb:INSERT:b:3"}
    assert {e for e in effects if e.startswith("kinesis:")} == {'kinesis:{"keep": true}'}
    assert filtered_worker.deliver() == []  # the checkpoint moved past the skipped records
