"""The reference app on a Powertools event-handler resolver (one resolver class per payload format)."""

from __future__ import annotations

from typing import Any

import jinja2
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

from ._shared import (
    BINARY,
    BINARY_TYPE,
    HTML_TYPE,
    ITEMS,
    TEMPLATE_DIR,
    TEMPLATE_NAME,
    TEXT_TYPE,
    user_payload,
)

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=jinja2.select_autoescape()
)


def register(app: ApiGatewayResolver) -> None:
    """Add the six routes' views to ``app``."""

    @app.get("/")
    def hello() -> Response[str]:
        return Response(status_code=200, content_type=TEXT_TYPE, body="hello")

    @app.get("/users/<user_id>")
    def user(user_id: str) -> dict[str, Any]:
        verbose = app.current_event.get_query_string_value("verbose") == "1"
        return user_payload(user_id, verbose)

    @app.post("/echo")
    def echo() -> Any:
        return app.current_event.json_body

    @app.get("/page/<name>")
    def page(name: str) -> Response[str]:
        body = _templates.get_template(TEMPLATE_NAME).render(name=name, items=ITEMS)
        return Response(status_code=200, content_type=HTML_TYPE, body=body)

    @app.get("/bin")
    def binary() -> Response[bytes]:
        return Response(status_code=200, content_type=BINARY_TYPE, body=BINARY)
