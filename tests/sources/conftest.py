"""A project with one worker function on every non-HTTP source, on moto, with the test kit's delivery."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambda_micro.local.sam import SamTemplate, load_template

PROJECT = Path(__file__).parent / "project"


@pytest.fixture(scope="session")
def worker_template() -> SamTemplate:
    return load_template(PROJECT / "template.yaml")


class Worker:
    """The worker project's local AWS: its resources, its delivery, and what the function did."""

    def __init__(self, aws: Any, template: SamTemplate) -> None:
        self.aws = aws
        self.template = template

    def effects(self) -> set[str]:
        table = self.aws.resource("dynamodb").Table(self.aws.table_name("Effects"))
        return {item["id"] for item in table.scan()["Items"]}

    def queue_url(self, logical_id: str) -> str:
        return str(self.aws.queue_url(logical_id))

    def deliver(self) -> list[Any]:
        return list(self.aws.deliver())


@pytest.fixture
def worker(worker_template: SamTemplate, monkeypatch: pytest.MonkeyPatch) -> Iterator[Worker]:
    """The plugin's ``aws`` fixture, for the worker project's template."""
    from lambda_micro.testing.plugin import local_aws

    with local_aws(worker_template, monkeypatch) as resources:
        yield Worker(resources, worker_template)
