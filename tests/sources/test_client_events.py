"""The test client invokes handlers with non-HTTP events too (``invoke_event``)."""

from __future__ import annotations

import time

import pytest

from lambda_micro import App
from lambda_micro.events import BatchFailed, SQSMessage
from lambda_micro.testing import Client, FunctionTimedOut, sqs_event


@pytest.fixture
def app() -> App:
    app = App(__name__)

    @app.on_sqs()
    def handle(message: SQSMessage) -> None:
        if message.body == "fail":
            raise RuntimeError("no")
        if message.body == "slow":
            time.sleep(0.3)

    return app


def test_invoke_event_returns_the_partial_batch_response(app: App) -> None:
    event = sqs_event("ok", "fail")
    result = Client(app).invoke_event(event)
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}


def test_invoke_event_propagates_the_handlers_exception(app: App) -> None:
    with pytest.raises(BatchFailed, match="every record of the SQS batch"):
        Client(app).invoke_event(sqs_event("fail"))


def test_invoke_event_honours_the_timeout(app: App) -> None:
    with pytest.raises(FunctionTimedOut, match=r"Task timed out after 0\.10 seconds"):
        Client(app, timeout=0.1).invoke_event(sqs_event("slow"))
