"""The test client as VPC Lattice and CloudFront (Lambda@Edge): the gateway's one pipeline with each service's
own limits, waits, error answers and response headers, on a representative app."""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import pytest

from lambda_micro import App, Response, jsonify, make_response, redirect, request
from lambda_micro.local import cloudfront
from lambda_micro.local.results import InvalidResult
from lambda_micro.local.sam import Route
from lambda_micro.testing import Client, FunctionTimedOut, iam_authorizer

LATTICE = ["lattice-1.0", "lattice-2.0"]
EDGE = ["edge", "edge-origin"]
PAYLOADS = LATTICE + EDGE


def make_app() -> App:
    app = App(__name__)

    @app.route("/echo/<path:rest>", methods=["GET", "POST", "PUT", "DELETE"])
    def echo(rest: str) -> Any:
        return jsonify(
            method=request.method,
            path=request.path,
            args=request.args.to_dict(flat=False),
            form=request.form.to_dict(flat=False),
            data=request.get_data(as_text=True) if not request.form else "",
            cookies=request.cookies.to_dict(),
            header=request.headers.get("X-Test"),
            url=request.url,
            remote_addr=request.remote_addr,
        )

    @app.post("/login")
    def login() -> Any:
        response = make_response("ok")
        response.set_cookie("session", "s1", httponly=True)
        response.set_cookie("theme", "dark")
        return response

    @app.get("/me")
    def me() -> Any:
        return jsonify(request.cookies.to_dict())

    @app.get("/go")
    def go() -> Any:
        return redirect("/me")

    @app.get("/png")
    def png() -> Any:
        return Response(b"\x89PNG\r\n\x1a\n\x00\xff", mimetype="image/png")

    @app.get("/big")
    def big() -> Any:
        return Response("a" * (50 * 1024), mimetype="text/plain")

    @app.post("/size")
    def size() -> Any:
        return jsonify(size=len(request.get_data()))

    @app.get("/identity")
    def identity() -> Any:
        return jsonify(request.lambda_event["requestContext"]["identity"])

    return app


@pytest.fixture
def app() -> App:
    return make_app()


def failing(kind: str) -> Any:
    """A plain handler that fails as ``kind`` says (an App answers its own exceptions with a 500)."""

    def handler(event: dict[str, Any], context: Any) -> Any:
        if kind == "raise":
            raise RuntimeError("boom")
        if kind == "sleep":
            time.sleep(0.2)
            return None
        return {"statusCode": "200"} if "Records" not in event else {"status": 200}

    return handler


# -- the request reaches the app, the answer the client ------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_client_round_trip(app: App, payload: str) -> None:
    client = Client(app, payload=payload, source_ip="203.0.113.9")
    response = client.post(
        "/echo/caf%C3%A9?x=1&x=2",
        data={"title": "Hi there", "tag": ["a", "b"]},
        headers={"X-Test": "yes"},
        cookies={"pref": "1"},
    )
    assert response.status_code == 200, response.text
    body = response.json
    assert body["method"] == "POST"
    assert body["path"] == "/echo/café"
    assert body["args"] == {"x": ["1", "2"]}
    assert body["form"] == {"title": ["Hi there"], "tag": ["a", "b"]}
    assert body["cookies"] == {"pref": "1"}
    assert body["header"] == "yes"
    assert body["remote_addr"] == "203.0.113.9"
    assert body["url"].startswith("https://")
    if payload in EDGE:
        assert response.event["Records"][0]["cf"]["request"]["uri"] == "/echo/caf%C3%A9"
    else:
        assert (response.event.get("raw_path") or response.event["path"]) == "/echo/caf%C3%A9?x=1&x=2"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_client_cookie_jar(app: App, payload: str) -> None:
    client = Client(app, payload=payload)
    response = client.post("/login")
    assert response.cookies == {"session": "s1", "theme": "dark"}  # two Set-Cookie, both kept
    assert client.get("/me").json == {"session": "s1", "theme": "dark"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_client_follows_redirects(app: App, payload: str) -> None:
    client = Client(app, payload=payload)
    client.set_cookie("k", "v")
    response = client.get("/go", follow_redirects=True)
    assert [r.status_code for r in response.history] == [302]
    assert response.history[0].location == "/me"
    assert response.json == {"k": "v"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_client_binary_response_is_decoded(app: App, payload: str) -> None:
    response = Client(app, payload=payload).get("/png")
    assert response.data == b"\x89PNG\r\n\x1a\n\x00\xff"
    assert response.mimetype == "image/png"
    if payload in EDGE:
        assert response.result["bodyEncoding"] == "base64"
    else:
        assert response.result["isBase64Encoded"] is True


@pytest.mark.parametrize("payload", PAYLOADS)
def test_client_head_keeps_headers_without_a_body(app: App, payload: str) -> None:
    response = Client(app, payload=payload).head("/me")
    assert response.status_code == 200
    assert response.data == b""
    assert response.mimetype == "application/json"


@pytest.mark.parametrize("payload", LATTICE)
def test_client_lattice_adds_nothing_to_the_response(app: App, payload: str) -> None:
    response = Client(app, payload=payload).get("/me")
    assert response.result["statusDescription"] == "200 OK"
    assert {name.lower() for name, _ in response.headers.items()} == {"content-type", "content-length"}


@pytest.mark.parametrize("payload", EDGE)
def test_client_edge_response_carries_cloudfronts_headers(app: App, payload: str) -> None:
    response = Client(app, payload=payload).get("/me")
    config = response.event["Records"][0]["cf"]["config"]
    assert response.headers["X-Cache"] == "LambdaGeneratedResponse from cloudfront"
    assert response.headers["X-Amz-Cf-Id"] == config["requestId"]
    assert re.fullmatch(r"1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)", response.headers["Via"])
    assert "Content-Length" not in response.result["headers"]  # CloudFront sets it itself


def test_client_edge_origin_request_sees_the_viewers_scheme(app: App) -> None:
    assert Client(app, payload="edge-origin", scheme="http").get("/echo/x").json["url"] == "http://" + (
        cloudfront.distribution_domain(cloudfront.DEFAULT_DISTRIBUTION_ID) + "/echo/x"
    )
    # A viewer request says nothing of the scheme: CloudFront's viewer side is https.
    assert Client(app, payload="edge", scheme="http").get("/echo/x").json["url"].startswith("https://")


def test_client_edge_without_include_body_the_app_sees_none(app: App) -> None:
    response = Client(app, payload="edge", include_body=False).post("/echo/x", body="kept back")
    assert response.json["data"] == ""
    assert "body" not in response.event["Records"][0]["cf"]["request"]


def test_client_lattice_v2_iam_caller(app: App) -> None:
    role = "arn:aws:sts::123456789012:assumed-role/orders-client/i-0c7de02a688bde9f7"
    client = Client(app, payload="lattice-2.0")
    identity = client.get("/identity", authorizer=iam_authorizer(user_arn=role)).json
    assert identity["type"] == "AWS_IAM"
    assert identity["principal"] == role
    assert client.get("/identity").json["type"] == "NONE"


# -- failures: propagated, or answered as the service answers them -------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_client_failures_propagate(payload: str) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        Client(failing("raise"), payload=payload).get("/")
    expected = r"CloudFront \((viewer|origin) request\)" if payload in EDGE else "VPC Lattice"
    with pytest.raises(InvalidResult, match=expected):
        Client(failing("invalid"), payload=payload).get("/")
    with pytest.raises(FunctionTimedOut, match=r"Task timed out after 0\.05 seconds"):
        Client(failing("sleep"), payload=payload, timeout=0.05).get("/")


@pytest.mark.parametrize("payload", LATTICE)
@pytest.mark.parametrize("kind", ["raise", "invalid", "sleep"])
def test_client_lattice_answers_failures_502(
    payload: str, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(failing(kind), payload=payload, timeout=0.05, propagate_errors=False)
    response = client.get("/")
    assert response.status_code == 502
    assert response.text == "Bad Gateway"
    assert response.mimetype == "text/plain"
    assert caplog.records  # the reason is logged


@pytest.mark.parametrize("payload", EDGE)
@pytest.mark.parametrize(
    ("kind", "status", "cache", "sentence"),
    [
        ("raise", 503, "LambdaExecutionError", "is invalid or doesn't have the required permissions"),
        ("sleep", 503, "LambdaExecutionError", "is invalid or doesn't have the required permissions"),
        ("invalid", 502, "LambdaValidationError", "The Lambda function result failed validation."),
    ],
)
def test_client_cloudfront_answers_failures_with_its_error_page(
    payload: str, kind: str, status: int, cache: str, sentence: str
) -> None:
    client = Client(failing(kind), payload=payload, timeout=0.05, propagate_errors=False)
    response = client.get("/")
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert response.headers["X-Cache"] == f"{cache} from cloudfront"
    assert response.headers["Server"] == "CloudFront"
    assert f"<H1>{status} ERROR</H1>" in response.text
    assert sentence in response.text
    assert f"Request ID: {response.headers['X-Amz-Cf-Id']}" in response.text


@pytest.mark.parametrize(
    ("payload", "trigger"), [("edge", "viewer-request"), ("edge-origin", "origin-request")]
)
def test_client_cloudfront_stops_waiting_at_the_triggers_timeout(
    payload: str, trigger: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lambda@Edge's 5 s (viewer) / 30 s (origin), shortened so that the test does not wait for them.
    monkeypatch.setitem(cloudfront.TRIGGER_TIMEOUT, trigger, 0.05)
    with pytest.raises(FunctionTimedOut, match=rf"CloudFront stopped waiting after 0\.05 s .*{trigger}"):
        Client(failing("sleep"), payload=payload, timeout=3).get("/")
    response = Client(failing("sleep"), payload=payload, timeout=3, propagate_errors=False).get("/")
    assert response.status_code == 503


def test_client_edge_result_over_the_viewer_limit() -> None:
    big = {"status": "200", "body": "a" * (41 * 1024)}
    with pytest.raises(InvalidResult, match="over Lambda@Edge's limit of 40960 bytes for a viewer request"):
        Client(lambda event, context: big, payload="edge").get("/")
    assert Client(lambda event, context: big, payload="edge-origin").get("/").status_code == 200
    # The adapter itself refuses to build one (a logged 502 of the app's), so an App never trips CloudFront.
    assert Client(make_app(), payload="edge").get("/big").status_code == 502
    assert len(Client(make_app(), payload="edge-origin").get("/big").data) == 50 * 1024


# -- the services' limits ------------------------------------------------------------------------------------


def test_client_lattice_request_body_limit(app: App) -> None:
    calls: list[Any] = []
    response = Client(lambda e, c: calls.append(e), payload="lattice-2.0").post(
        "/", body=b"a" * (6 * 1024 * 1024 + 1)
    )
    assert response.status_code == 413
    assert calls == []  # never invoked


@pytest.mark.parametrize("payload", EDGE)
def test_client_cloudfront_url_and_header_quotas(payload: str) -> None:
    calls: list[Any] = []
    client = Client(lambda e, c: calls.append(e), payload=payload, propagate_errors=False)
    assert client.get("/" + "a" * 8192).status_code == 414
    assert client.get("/", headers={"X-Big": "a" * 20480}).status_code == 431
    assert calls == []


@pytest.mark.parametrize(("payload", "limit"), [("edge", 40 * 1024), ("edge-origin", 1024 * 1024)])
def test_client_edge_truncated_body_is_a_413_never_a_partial_request(
    app: App, payload: str, limit: int
) -> None:
    client = Client(app, payload=payload)
    assert client.post("/size", body="a" * limit).json == {"size": limit}
    response = client.post("/size", body="a" * (limit + 1))
    assert response.status_code == 413
    assert response.event["Records"][0]["cf"]["request"]["body"]["inputTruncated"] is True


# -- what these sources do not have --------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_client_lattice_and_edge_have_no_stages_or_routes(app: App, payload: str) -> None:
    with pytest.raises(ValueError, match="has no stages"):
        Client(app, payload=payload, stage="Prod")
    route = Route(
        function_id="Fn", event_id="E", method="GET", path="/", source="rest", api_id="Api", stage="Prod"
    )
    with pytest.raises(ValueError, match="routes= are an API's"):
        Client(app, payload=payload, routes=[route])
    client = Client(app, payload=payload, binary_media_types=["image/png"])  # no meaning here: ignored
    assert client.get("/png").data.startswith(b"\x89PNG")


def test_client_edge_plain_handler_sees_cloudfronts_event() -> None:
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        request = event["Records"][0]["cf"]["request"]
        return {
            "status": "200",
            "headers": {"content-type": [{"key": "Content-Type", "value": "text/plain"}]},
            "body": base64.b64encode(
                f"{request['method']} {request['uri']}?{request['querystring']}".encode()
            ).decode(),
            "bodyEncoding": "base64",
        }

    assert Client(handler, payload="edge").get("/a b?q=1").text == "GET /a%20b?q=1"
