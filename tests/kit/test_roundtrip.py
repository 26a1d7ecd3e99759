"""Round trips through the real stack: Client -> build_event -> adapter -> App -> result -> LambdaResponse."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_micro import App, Response, jsonify, request
from lambda_micro.testing import Client

from .strategies import HEADER_VALUE, NAME, SEGMENT, VALUE

app = App(__name__)


@app.route("/<path:rest>", methods=["GET", "POST"])
def echo(rest: str) -> Any:
    return jsonify(
        path=request.path,
        args=request.args.to_dict(flat=False),
        headers={k.lower(): v for k, v in request.headers.items() if k.lower().startswith("x-t-")},
        body=base64.b64encode(request.get_data()).decode(),
    )


@app.route("/bytes", methods=["POST"])
def raw_bytes() -> Any:
    return Response(request.get_data(), mimetype=request.mimetype or "application/octet-stream")


PAYLOADS = st.sampled_from(["rest", "1.0", "2.0", "alb-multi", "url"])


def client_for(payload: str, **options: Any) -> Client:
    if payload == "rest":
        return Client(app, payload="1.0", stage="Prod", **options)
    return Client(app, payload=payload, **options)


@settings(max_examples=100, deadline=None)
@given(
    payload=PAYLOADS,
    segments=st.lists(SEGMENT, min_size=1, max_size=3),
    query=st.lists(st.tuples(NAME, VALUE), max_size=4),
    headers=st.dictionaries(NAME.map(lambda n: "x-t-" + n), HEADER_VALUE, max_size=3),
)
def test_roundtrip_path_query_headers(
    payload: str, segments: list[str], query: list[tuple[str, str]], headers: dict[str, str]
) -> None:
    from urllib.parse import quote

    path = "/" + "/".join(segments)
    response = client_for(payload).get(quote(path), query=query, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json
    assert body["path"] == path
    expected: dict[str, list[str]] = {}
    for name, value in query:
        expected.setdefault(name, []).append(value)
    assert body["args"] == expected
    assert body["headers"] == headers


@settings(max_examples=100, deadline=None)
@given(
    payload=PAYLOADS,
    data=st.binary(max_size=256),
    content_type=st.sampled_from(["application/octet-stream", "image/png", "text/plain", "application/json"]),
)
def test_roundtrip_binary_bodies(payload: str, data: bytes, content_type: str) -> None:
    client = client_for(payload, binary_media_types=["*/*"])
    # A REST API decodes a base64 result only for a request that accepts a binary media type.
    response = client.post(
        "/bytes", body=data, headers={"Content-Type": content_type, "Accept": content_type}
    )
    assert response.status_code == 200
    # REST with BinaryMediaTypes */* base64-encodes every body; HTTP APIs, ALBs and Function URLs pass valid
    # UTF-8 text as text and anything else as base64: either way the bytes survive both directions.
    assert response.data == data
