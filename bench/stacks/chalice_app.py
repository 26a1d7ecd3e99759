"""Chalice (REST API payload 1.0; one API Gateway resource per route, as `chalice deploy` creates them)."""

from __future__ import annotations

import jinja2
from chalice import Chalice, Response

from ._shared import BINARY, BINARY_TYPE, ITEMS, TEMPLATE_DIR, TEMPLATE_NAME, TEXT_TYPE, user_payload

app = Chalice(app_name="bench")
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=jinja2.select_autoescape()
)


@app.route("/", methods=["GET"])
def hello() -> Response:
    return Response(body="hello", headers={"Content-Type": TEXT_TYPE})


@app.route("/users/{user_id}", methods=["GET"])
def user(user_id: str) -> dict[str, object]:
    query = app.current_request.query_params or {}
    return user_payload(user_id, query.get("verbose") == "1")


@app.route("/echo", methods=["POST"])
def echo() -> object:
    return app.current_request.json_body


@app.route("/page/{name}", methods=["GET"])
def page(name: str) -> Response:
    body = _templates.get_template(TEMPLATE_NAME).render(name=name, items=ITEMS)
    return Response(body=body, headers={"Content-Type": "text/html; charset=utf-8"})


@app.route("/bin", methods=["GET"])
def binary() -> Response:
    return Response(body=BINARY, headers={"Content-Type": BINARY_TYPE})


handler = app
