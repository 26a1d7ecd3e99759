"""The test client goes through the local gateway: API Gateway's additions, errors and timeouts."""

from __future__ import annotations

import logging
import time

import pytest

from lambda_micro import App
from lambda_micro.testing import Client, FunctionTimedOut, InvalidResult


def slow(event: dict[str, object], context: object) -> dict[str, object]:
    time.sleep(0.3)
    return {"statusCode": 200, "body": "late"}


def raising(event: dict[str, object], context: object) -> dict[str, object]:
    raise ValueError("boom")


def invalid(event: dict[str, object], context: object) -> dict[str, object]:
    return {"statusCode": "200", "body": "x"}


def bare(event: dict[str, object], context: object) -> dict[str, object]:
    return {"statusCode": 200, "body": "no content type"}


def test_client_rest_answer_has_api_gateways_default_content_type_and_request_id() -> None:
    response = Client(bare, payload="rest").get("/")
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-RequestId"] == response.event["requestContext"]["requestId"]
    http = Client(bare, payload="http-2.0").get("/")
    assert "Content-Type" not in http.headers  # an HTTP API adds none
    assert http.headers["Apigw-Requestid"] == http.event["requestContext"]["requestId"]


def test_client_source_names_and_their_default_stage() -> None:
    assert Client(bare, payload="rest").get("/").event["requestContext"]["stage"] == "Prod"
    assert Client(bare, payload="http-1.0").get("/").event["version"] == "1.0"
    assert Client(bare, payload="url").get("/").event["requestContext"]["domainName"].endswith(".on.aws")
    with pytest.raises(ValueError, match="unknown payload 'sqs'"):
        Client(bare, payload="sqs")


def test_client_timeout_raises_or_answers_like_api_gateway(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(FunctionTimedOut, match=r"test-function: Task timed out after 0\.10 seconds"):
        Client(slow, payload="rest", timeout=0.1).get("/")
    with caplog.at_level(logging.ERROR, logger="lambda_micro.local"):
        response = Client(slow, payload="rest", timeout=0.1, propagate_errors=False).get("/")
    assert (response.status_code, response.data) == (502, b'{"message": "Internal server error"}')
    assert "Task timed out" in caplog.text


@pytest.mark.parametrize(
    ("payload", "status", "body"),
    [
        ("rest", 502, b'{"message": "Internal server error"}'),
        ("2.0", 500, b'{"message":"Internal Server Error"}'),
    ],
)
def test_client_without_propagation_answers_failures_like_api_gateway(
    payload: str, status: int, body: bytes
) -> None:
    with pytest.raises(ValueError, match="boom"):
        Client(raising, payload=payload).get("/")
    with pytest.raises(InvalidResult, match="statusCode must be an int"):
        Client(invalid, payload=payload).get("/")
    for handler in (raising, invalid):
        response = Client(handler, payload=payload, propagate_errors=False).get("/")
        assert (response.status_code, response.data) == (status, body)
        assert response.event is None


def test_client_rest_binary_result_needs_a_binary_accept() -> None:
    app = App("binary_app")

    @app.get("/png")
    def png() -> tuple[bytes, int, dict[str, str]]:
        return b"\x89PNG\x00", 200, {"Content-Type": "image/png"}

    client = Client(app, payload="rest", binary_media_types=["image/png"])
    assert client.get("/png", headers={"Accept": "image/png"}).data == b"\x89PNG\x00"
    assert client.get("/png").data == b"iVBORwA="  # the base64 text, as API Gateway gives it


def test_client_refuses_what_api_gateway_refuses_before_the_handler() -> None:
    calls: list[object] = []

    def handler(event: dict[str, object], context: object) -> dict[str, object]:
        calls.append(event)
        return {"statusCode": 200}

    client = Client(handler, payload="rest")
    too_long = client.post("/", body=b"\x00" * (5 * 1024 * 1024), headers={"Content-Type": "image/png"})
    assert (too_long.status_code, too_long.json) == (413, {"message": "Request Too Long"})
    big = client.post("/", body=b"a" * (10 * 1024 * 1024 + 1))
    assert big.status_code == 413
    assert big.text == "HTTP content length exceeded 10485760 bytes."
    assert client.get("/?q=" + "a" * 8200).status_code == 414
    assert calls == []
