"""Bottle behind apig-wsgi, templates through Bottle's own jinja2 integration."""

from __future__ import annotations

from typing import Any

import bottle
from apig_wsgi import make_lambda_handler

from ._shared import BINARY, BINARY_TYPE, ITEMS, TEMPLATE_DIR, TEMPLATE_NAME, TEXT_TYPE, user_payload

app = bottle.Bottle()
_LOOKUP = [TEMPLATE_DIR]


@app.get("/")
def hello() -> str:
    bottle.response.content_type = TEXT_TYPE
    return "hello"


@app.get("/users/<user_id>")
def user(user_id: str) -> dict[str, Any]:
    # Bottle's JSON plugin serialises a returned dict.
    return user_payload(user_id, bottle.request.query.get("verbose") == "1")


@app.post("/echo")
def echo() -> Any:
    bottle.response.content_type = "application/json"
    return bottle.json_dumps(bottle.request.json)


@app.get("/page/<name>")
def page(name: str) -> str:
    return bottle.jinja2_template(TEMPLATE_NAME, template_lookup=_LOOKUP, name=name, items=ITEMS)


@app.get("/bin")
def binary() -> bytes:
    bottle.response.content_type = BINARY_TYPE
    return BINARY


handler = make_lambda_handler(app, binary_support=True)
