"""The HTTP server under ``serve`` (waitress): keep-alive, chunked bodies, and API Gateway's limits.

Malformed requests are sent as raw bytes on a socket, as an attacker would: each gets a 4xx, the server
stays up, and its memory stays flat.
"""

from __future__ import annotations

import http.client
import json
import resource
import socket
import sys
import time
from collections.abc import Callable

import pytest

from lambda_micro.local.apigw import BODY_LIMIT

from .conftest import Live, Project

SIZE_HANDLER = """
import json

def handler(event, context):
    query = event.get("queryStringParameters") or {}
    if "big" in query:  # a result over Lambda's 6 MB response limit
        return {"statusCode": 200, "body": "x" * (6 * 1024 * 1024 + 10)}
    body = event.get("body") or ""
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"length": len(body), "base64": event["isBase64Encoded"]}),
    }
"""

RESOURCES = """\
Rest:
  Type: AWS::Serverless::Function
  Properties:
    CodeUri: size/
    Handler: app.handler
    Events:
      Any:
        Type: Api
        Properties: {Path: /size, Method: ANY}
"""


@pytest.fixture
def live(project: Project, serve: Callable[..., Live]) -> Live:
    project.write("size/app.py", SIZE_HANDLER)
    project.write_template(RESOURCES)
    return serve(project.template)


def raw(live: Live, data: bytes, *, half_close: bool = False, timeout: float = 10) -> bytes:
    """Send ``data`` on a fresh connection; return everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", live.server.port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and close before everything is sent
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return answer


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split(b" ", 2)[1])


def body_of(answer: bytes) -> bytes:
    return answer.partition(b"\r\n\r\n")[2]


def test_server_keeps_the_connection_alive_across_requests(live: Live) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", live.server.port, timeout=10)
    try:
        for _ in range(3):
            conn.request("POST", "/size", body=b"abc")
            response = conn.getresponse()
            assert response.status == 200
            assert json.loads(response.read()) == {"length": 3, "base64": False}
            assert response.getheader("Connection") != "close"
        assert conn.sock is not None  # still the first connection: HTTP/1.1 keep-alive
    finally:
        conn.close()


def test_server_reads_a_chunked_body_whole(live: Live) -> None:
    request = (
        b"POST /size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"
    )
    answer = raw(live, request)
    assert status_of(answer) == 200
    assert json.loads(body_of(answer)) == {"length": 7, "base64": False}


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def test_server_refuses_an_impossible_chunk_size_at_once_and_memory_stays_flat(live: Live) -> None:
    head = b"POST /size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n"
    before = _peak_rss_mb()
    # The stream closes inside the chunk: werkzeug's development server allocated without bound here.
    answer = raw(live, head + b"a" * 65536, half_close=True)
    assert status_of(answer) == 400
    assert b"Invalid chunk size" in body_of(answer)
    # And when the client keeps streaming after it, nothing of it is kept.
    with socket.create_connection(("127.0.0.1", live.server.port), timeout=10) as sock:
        sock.sendall(head)
        sent = 0
        try:
            while sent < 50 * 1024 * 1024:
                sock.sendall(b"a" * 1024 * 1024)
                sent += 1024 * 1024
        except OSError:
            pass  # refused and closed: what a guarded server does
    assert _peak_rss_mb() - before < 30
    assert live.get("/size").status == 200  # the server is still serving


def test_server_answers_a_chunk_over_the_body_limit_with_api_gateways_413(live: Live) -> None:
    size = f"{BODY_LIMIT + 1:x}".encode()
    answer = raw(
        live, b"POST /size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + size + b"\r\nab"
    )
    assert status_of(answer) == 413
    assert body_of(answer) == f"HTTP content length exceeded {BODY_LIMIT} bytes.".encode()


@pytest.mark.parametrize(
    "chunks",
    [b"zz\r\nabc\r\n0\r\n\r\n", b"3\r\nabcXY0\r\n\r\n", b"3;bad ext\r\nabc\r\n0\r\n\r\n"],
    ids=["bad-size", "not-terminated", "bad-extension"],
)
def test_server_answers_a_bad_chunk_with_400_not_a_500(live: Live, chunks: bytes) -> None:
    answer = raw(live, b"POST /size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
    assert status_of(answer) == 400


@pytest.mark.parametrize(
    "lengths",
    [[b"3", b"3"], [b"3", b"4"], [b"-1"], [b"3x"], [b"+3"], [b""]],
    ids=["duplicate", "conflicting", "negative", "not-a-number", "signed", "empty"],
)
def test_server_answers_a_bad_content_length_with_400(live: Live, lengths: list[bytes]) -> None:
    headers = b"".join(b"Content-Length: " + value + b"\r\n" for value in lengths)
    answer = raw(live, b"POST /size HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\nabc")
    assert status_of(answer) == 400


def test_server_refuses_a_50_mb_body_before_reading_it(live: Live) -> None:
    started = time.perf_counter()
    answer = raw(live, b"POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 52428800\r\n\r\n" + b"a" * 4096)
    assert status_of(answer) == 413
    assert body_of(answer) == b"HTTP content length exceeded 10485760 bytes."
    assert time.perf_counter() - started < 5  # answered at the headers, not after 50 MB


def test_server_refuses_a_65_kb_url(live: Live) -> None:
    answer = raw(live, b"GET /size?" + b"a" * 65 * 1024 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_of(answer) == 431


def test_gateway_applies_api_gateways_url_and_header_quotas(live: Live) -> None:
    long_url = live.get("/size?q=" + "a" * 8200)
    assert (long_url.status, long_url.json()) == (414, {"message": "Request-URI Too Long"})
    big_headers = live.get("/size", headers=[(f"X-H{i}", "v" * 1000) for i in range(11)])
    assert (big_headers.status, big_headers.json()) == (431, {"message": "Request Header Fields Too Large"})
    assert live.get("/size?q=" + "a" * 8000).status == 200  # within the quota


def test_gateway_answers_lambdas_request_and_response_limits(live: Live) -> None:
    # 5 MB of binary travels base64-encoded: the event is over Lambda's 6 MB, API Gateway answers 413.
    too_long = live.request(
        "POST",
        "/size",
        body=b"\x00" * (5 * 1024 * 1024),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert (too_long.status, too_long.json()) == (413, {"message": "Request Too Long"})
    text = live.request(
        "POST", "/size", body=b"a" * (4 * 1024 * 1024), headers={"Content-Type": "text/plain"}
    )
    assert text.json() == {"length": 4 * 1024 * 1024, "base64": False}
    # A result over Lambda's 6 MB response limit: API Gateway's 502.
    big = live.get("/size?big=1")
    assert (big.status, big.body) == (502, b'{"message": "Internal server error"}')
