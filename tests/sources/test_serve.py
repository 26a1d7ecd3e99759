"""``lambda-micro serve`` delivers every non-HTTP source from its embedded AWS, on time and after reloads."""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lambda_micro.local.cli import main
from lambda_micro.local.console import banner
from lambda_micro.local.devserver import DevServer

from .conftest import PROJECT


def wait_for(predicate: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT, tmp_path / "project")
    return tmp_path / "project"


@pytest.fixture
def served(project: Path) -> Iterator[DevServer]:
    dev = DevServer(project / "template.yaml", port=0, reload_interval=0.1, delivery_interval=0.05)
    dev.start()
    try:
        yield dev
    finally:
        dev.stop()


def client(dev: DevServer, service: str) -> Any:
    import boto3

    assert dev.aws is not None
    return boto3.client(service, **dev.aws.client_kwargs)  # type: ignore[call-overload]


def effects(dev: DevServer) -> set[str]:
    assert dev.gateway is not None
    assert dev.gateway.state.template is not None
    table = dev.gateway.state.template.tables["Effects"].name
    return {item["id"]["S"] for item in client(dev, "dynamodb").scan(TableName=table)["Items"]}


def names(dev: DevServer) -> Any:
    assert dev.gateway is not None
    return dev.gateway.state.template


def test_serve_delivers_each_source_from_the_embedded_aws(served: DevServer) -> None:
    template = names(served)
    sqs = client(served, "sqs")
    sqs.send_message(
        QueueUrl=sqs.get_queue_url(QueueName=template.queues["Jobs"].name)["QueueUrl"], MessageBody="m"
    )
    orders = sqs.get_queue_url(QueueName=template.queues["Orders"].name)["QueueUrl"]
    sqs.send_message(QueueUrl=orders, MessageBody="o", MessageGroupId="g")
    client(served, "s3").put_object(Bucket=template.buckets["Uploads"].name, Key="uploads/k.txt", Body=b"12")
    client(served, "dynamodb").put_item(
        TableName=template.tables["Items"].name, Item={"id": {"S": "i"}, "n": {"N": "4"}}
    )
    client(served, "kinesis").put_record(
        StreamName=template.streams["Clicks"].name, Data=b"c", PartitionKey="p"
    )
    client(served, "sns").publish(
        TopicArn=template.topics["News"].arn,
        Message="n",
        Subject="S",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "news"}},
    )
    client(served, "events").put_events(
        Entries=[{"Source": "test.shop", "DetailType": "Paid", "Detail": '{"n": 1}'}]
    )
    expected = {
        "sqs:m:1",
        "fifo:o",
        "s3:ObjectCreated:Put:uploads/k.txt:2",
        "ddb:INSERT:i:4",
        "kinesis:c",
        "sns:S:n",
        "event:Paid:1",
    }
    wait_for(lambda: effects(served) >= expected)
    assert effects(served) == expected


def test_serve_banner_lists_the_event_sources(served: DevServer) -> None:
    text = banner(served)
    assert "queue  Jobs: local-Jobs-" in text
    assert "SQS Jobs → WorkerFunction (batch 10, partial failures)" in text
    assert "S3 Uploads → WorkerFunction" in text
    assert "Schedule every-minute rate(1 minute) → WorkerFunction, next " in text
    assert "ScheduleV2 nightly cron(0 3 * * ? *) → WorkerFunction, next " in text


def test_serve_logs_each_delivery(served: DevServer, caplog: pytest.LogCaptureFixture) -> None:
    template = names(served)
    sqs = client(served, "sqs")
    url = sqs.get_queue_url(QueueName=template.queues["Jobs"].name)["QueueUrl"]
    with caplog.at_level(logging.INFO, logger="lambda_micro.local"):
        sqs.send_message(QueueUrl=url, MessageBody="ok")
        sqs.send_message(QueueUrl=url, MessageBody="fail")
        wait_for(lambda: "SQS Jobs → WorkerFunction 2 records, 1 failed" in caplog.text)


def test_serve_delivers_to_the_reloaded_code(served: DevServer, project: Path) -> None:
    app = project / "functions" / "worker" / "app.py"
    app.write_text(app.read_text().replace('record(f"kinesis:{data.text()}")', 'record(f"v2:{data.text()}")'))
    assert served.gateway is not None
    first = served.gateway.state
    wait_for(lambda: served.gateway is not None and served.gateway.state is not first)
    client(served, "kinesis").put_record(
        StreamName=names(served).streams["Clicks"].name, Data=b"x", PartitionKey="p"
    )
    wait_for(lambda: "v2:x" in effects(served))


def test_serve_fires_a_schedule_on_time(project: Path) -> None:
    template = project / "template.yaml"
    template.write_text(template.read_text().replace("rate(1 minute)", "cron(* * * * ? *)"))
    dev = DevServer(template, port=0, reload=False, delivery_interval=0.05)
    dev.start()
    try:
        assert dev.delivery is not None
        runner = next(r for r in dev.delivery.schedules if r.source.event_id == "EveryMinute")
        assert runner.next_fire is not None
        runner.next_fire = runner.next_fire.replace(year=2000)  # due now: fired by the next round
        wait_for(lambda: "schedule:every-minute:aws.events" in effects(dev))
        assert runner.next_fire is not None
        assert runner.next_fire.year > 2000
    finally:
        dev.stop()


def test_cli_trigger_fires_a_schedule_and_a_rule(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = str(project / "template.yaml")
    assert main(["trigger", "WorkerFunction.Nightly", "--template", template]) == 0
    assert json.loads(capsys.readouterr().out) == "nightly"
    assert main(["trigger", "WorkerFunction.ShopEvent", "--template", template, "--detail", '{"n": 2}']) == 0
    assert "handled" in json.loads(capsys.readouterr().out)


def test_cli_trigger_acts_on_the_running_servers_aws(
    served: DevServer, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The schedule's effect is written where `serve` reads: a cleanup triggered by hand really cleans the
    # served data, instead of a throwaway AWS's.
    assert main(["trigger", "WorkerFunction.Nightly", "--template", str(project / "template.yaml")]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == "nightly"
    assert "against the running server's AWS" in err
    assert "schedule:nightly:aws.scheduler" in effects(served)


def test_cli_trigger_without_a_server_leaves_nothing_behind(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = str(project / "template.yaml")
    assert main(["trigger", "WorkerFunction.Nightly", "--template", template]) == 0
    assert "running server" not in capsys.readouterr().err
    dev = DevServer(project / "template.yaml", port=0, reload=False, delivery_interval=60)
    dev.start()
    try:
        assert effects(dev) == set()  # the fresh AWS of the trigger was its own
    finally:
        dev.stop()


def test_cli_trigger_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = str(project / "template.yaml")
    assert main(["trigger", "WorkerFunction.Nope", "--template", template]) == 2
    assert "no event 'WorkerFunction.Nope'" in capsys.readouterr().err
    assert main(["trigger", "WorkerFunction.JobsEvent", "--template", template]) == 2
    assert "trigger fires schedules and EventBridge rules" in capsys.readouterr().err
    assert main(["trigger", "WorkerFunction.ShopEvent", "--template", template, "--detail", "[1]"]) == 2
    assert "must be a JSON object" in capsys.readouterr().err
    assert main(["trigger", "WorkerFunction.ShopEvent", "--template", template, "--detail", "{"]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_cli_trigger_of_a_failing_schedule_exits_1(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = project / "functions" / "worker" / "app.py"
    app.write_text(app.read_text().replace('record(f"schedule:', 'record(f"fail:'))
    assert main(["trigger", "WorkerFunction.Nightly", "--template", str(project / "template.yaml")]) == 1
    assert "asked to fail" in json.loads(capsys.readouterr().out)["errorMessage"]
