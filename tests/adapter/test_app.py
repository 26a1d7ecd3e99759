"""``App.lambda_handler``: the framework's App runs through this adapter with its options passed on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from adapter_kit import DELETE, check_result, load_event, result_headers

from lambda_micro import App, redirect, request, url_for
from lambda_micro.adapter import UnsupportedEvent


def create_app(**options: Any) -> App:
    app = App(__name__, **options)

    @app.get("/posts/<slug>")
    def post(slug: str) -> dict[str, Any]:
        return {
            "slug": slug,
            "link": url_for("post", slug="next"),
            "stage": request.request_context["stage"] if request.request_context else None,
            "table": (request.stage_variables or {}).get("table"),
            "has_event": request.lambda_event is not None,
        }

    @app.post("/payment")
    def payment() -> Any:
        return redirect(url_for("post", slug="paid"))

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("view failed")

    return app


def test_app_lambda_handler_rest_stage_links_and_lambda_fields(context: Any) -> None:
    handler = create_app().lambda_handler
    result = check_result(handler(load_event("rest_execute_api_stage"), context), "rest")
    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {
        "slug": "hello-world",
        "link": "/Prod/posts/next",
        "stage": "Prod",
        "table": "posts-prod",
        "has_event": True,
    }


def test_app_lambda_handler_base_path_option_passes_through() -> None:
    event = load_event("rest_custom_domain_base_path", path="/api/payment")
    plain = create_app().lambda_handler(event, None)
    assert dict(result_headers(plain))["location"] == "/api/posts/paid"  # derived from the resource
    # Without a resource to derive it from, only the base_path option can move /api to SCRIPT_NAME.
    underived = load_event("rest_custom_domain_base_path", path="/api/payment", resource=DELETE)
    assert create_app().lambda_handler(underived, None)["statusCode"] == 404
    mapped = create_app(base_path="api").lambda_handler(underived, None)
    assert dict(result_headers(mapped))["location"] == "/api/posts/paid"


def test_app_lambda_handler_text_mime_types_option_passes_through() -> None:
    handler = create_app(text_mime_types=["text/*"]).lambda_handler
    event = load_event("http_v2_default_stage", rawPath="/posts/x", rawQueryString="")
    result = check_result(handler(event, None), "http-2.0")
    assert result["isBase64Encoded"] is True  # JSON is not in the configured textual list


def test_app_lambda_handler_reraise_option_passes_through() -> None:
    event = load_event("alb_single", path="/boom")
    assert create_app().lambda_handler(event, None)["statusCode"] == 500
    with pytest.raises(RuntimeError, match="view failed"):
        create_app(reraise=True).lambda_handler(load_event("alb_single", path="/boom"), None)


def test_app_lambda_handler_non_http_event() -> None:
    with pytest.raises(UnsupportedEvent, match="Records"):
        create_app().lambda_handler({"Records": []}, None)
