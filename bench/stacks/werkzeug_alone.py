"""The six routes on werkzeug alone: its Map, Request and Response, behind lambda_micro's adapter.

No framework code: at cold start, in memory and in the zip, this is the least any stack built on
werkzeug's routing and wrappers can cost, the bound lambda_micro is measured against (warm, it is werkzeug
used plainly, no bound). werkzeug's package ``__init__`` is deferred as lambda_micro does it
(``lambda_micro._bootstrap``), which is the best case for werkzeug's import time.
"""

from __future__ import annotations

import json
from typing import Any

# First: importing lambda_micro defers werkzeug's package __init__ (its best case, as in lambda_micro).
from lambda_micro.adapter import make_handler  # isort: skip
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ._shared import (
    BINARY,
    BINARY_TYPE,
    HTML_TYPE,
    TEXT_TYPE,
    render_page,
    user_payload,
)

_URLS = Map(
    [
        Rule("/", endpoint="hello", methods=["GET"]),
        Rule("/users/<user_id>", endpoint="user", methods=["GET"]),
        Rule("/echo", endpoint="echo", methods=["POST"]),
        Rule("/page/<name>", endpoint="page", methods=["GET"]),
        Rule("/bin", endpoint="bin", methods=["GET"]),
    ]
)


def _respond(request: Request) -> Response:
    endpoint, args = _URLS.bind_to_environ(request.environ).match()
    if endpoint == "hello":
        return Response("hello", content_type=TEXT_TYPE)
    if endpoint == "user":
        body = json.dumps(user_payload(args["user_id"], request.args.get("verbose") == "1"))
        return Response(body, mimetype="application/json")
    if endpoint == "echo":
        return Response(json.dumps(request.get_json()), mimetype="application/json")
    if endpoint == "page":
        return Response(render_page(args["name"]), content_type=HTML_TYPE)
    return Response(BINARY, content_type=BINARY_TYPE)


@Request.application  # type: ignore[arg-type]
def app(request: Request) -> Any:
    try:
        return _respond(request)
    except HTTPException as exc:
        return exc


handler = make_handler(app)
