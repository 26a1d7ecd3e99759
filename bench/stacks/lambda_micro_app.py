"""The reference app on lambda_micro."""

from __future__ import annotations

from lambda_micro import App, Response, jsonify, render_template, request

from ._shared import BINARY, BINARY_TYPE, ITEMS, TEMPLATE_NAME, TEXT_TYPE, user_payload

app = App(__name__)


@app.get("/")
def hello() -> Response:
    return Response("hello", content_type=TEXT_TYPE)


@app.get("/users/<user_id>")
def user(user_id: str) -> Response:
    return jsonify(user_payload(user_id, request.args.get("verbose") == "1"))


@app.post("/echo")
def echo() -> Response:
    return jsonify(request.get_json())


@app.get("/page/<name>")
def page(name: str) -> str:
    return render_template(TEMPLATE_NAME, name=name, items=ITEMS)


@app.get("/bin")
def binary() -> Response:
    return Response(BINARY, content_type=BINARY_TYPE)


handler = app.lambda_handler
