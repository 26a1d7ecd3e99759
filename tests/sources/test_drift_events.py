"""``lambda-micro check`` compares a function's non-HTTP events with its app's handlers, both ways."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lambda_micro.local.drift import check_drift
from lambda_micro.local.sam import load_template

from .conftest import PROJECT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT, tmp_path / "project")
    return tmp_path / "project"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def problems(project: Path) -> list[tuple[str, str | None, str]]:
    found = check_drift(load_template(project / "template.yaml"))
    return [(problem.kind, problem.event_id, problem.message) for problem in found]


def test_worker_project_has_no_drift(project: Path) -> None:
    assert problems(project) == []


def test_batch_event_without_report_batch_item_failures(project: Path) -> None:
    template = project / "template.yaml"
    edit(
        template,
        "            BatchSize: 10\n            FunctionResponseTypes: [ReportBatchItemFailures]\n",
        "",
    )
    ((kind, event, message),) = problems(project)
    assert (kind, event) == ("batch-failures", "JobsEvent")
    assert "@app.on_sqs(queue='local-Jobs-" in message
    assert "no FunctionResponseTypes: [ReportBatchItemFailures]" in message


def test_event_without_a_handler_and_handler_without_an_event(project: Path) -> None:
    app = project / "functions" / "worker" / "app.py"
    edit(app, '@app.on_kinesis(os.environ["CLICKS_STREAM"])', '@app.on_kinesis("someone-elses-stream")')
    edit(app, '@app.on_event(source="test.shop")', '@app.on_event(source="test.bank")')
    found = problems(project)
    assert ("unhandled-event", "ClicksEvent") in [(kind, event) for kind, event, _ in found]
    assert ("unhandled-event", "ShopEvent") in [(kind, event) for kind, event, _ in found]
    undeclared = [message for kind, _, message in found if kind == "undeclared-event"]
    assert len(undeclared) == 2
    assert any("@app.on_kinesis(stream='someone-elses-stream') click" in message for message in undeclared)
    unhandled = next(message for kind, event, message in found if event == "ClicksEvent")
    assert "has no @app.on_kinesis handler for it" in unhandled


def test_s3_handler_must_cover_the_template_filter(project: Path) -> None:
    edit(project / "functions" / "worker" / "app.py", 'prefix="uploads/"', 'prefix="other/"')
    kinds = sorted((kind, event) for kind, event, _ in problems(project))
    assert kinds == [("undeclared-event", None), ("unhandled-event", "UploadsEvent")]


def test_schedule_names_must_match(project: Path) -> None:
    edit(project / "template.yaml", "Name: nightly", "Name: weekly")
    kinds = sorted((kind, event) for kind, event, _ in problems(project))
    # The template's schedule has no handler, and the app's @app.schedule("nightly") no schedule.
    assert kinds == [("undeclared-event", None), ("unhandled-event", "Nightly")]
