"""The adapter package itself: public API, import cost, and hot-path hygiene."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from adapter_kit import RecordingApp, check_result, load_event

from lambda_micro import adapter
from lambda_micro.adapter import UnsupportedEvent, make_handler, response

PACKAGE = Path(adapter.__file__).parent


def test_public_api() -> None:
    assert set(adapter.__all__) == {
        "DEFAULT_TEXT_MIME_TYPES",
        "Source",
        "UnsupportedEvent",
        "infer_source",
        "make_handler",
        "response",
    }
    assert issubclass(UnsupportedEvent, Exception)
    for name in ("make_handler", "response", "infer_source"):
        assert getattr(adapter, name).__doc__


def test_import_needs_no_werkzeug_or_dev_only_packages() -> None:
    # Import the adapter on its own: a bare `lambda_micro` package object stands in for the real
    # lambda_micro/__init__ (which also loads the App and werkzeug), so only the adapter's imports count.
    code = (
        "import json, sys, types\n"
        "package = types.ModuleType('lambda_micro')\n"
        f"package.__path__ = [{str(PACKAGE.parent)!r}]\n"
        "sys.modules['lambda_micro'] = package\n"
        "import lambda_micro.adapter\n"
        "heavy = ('werkzeug', 'jinja2', 'yaml', 'boto3', 'botocore', 'flask', 'pydantic')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_response_drop_in_alb_and_v2(context: Any) -> None:
    app = RecordingApp(headers=[("Content-Type", "image/webp")], body=b"RIFF")
    result = check_result(response(app, load_event("alb_multi"), context), "alb")
    assert result["isBase64Encoded"] is True
    assert app.environ["awsgi.context"] is context
    result = check_result(response(RecordingApp(), load_event("http_v2_default_stage"), context), "http-2.0")
    assert result["statusCode"] == 200


def test_handler_is_reusable_and_keeps_no_state_between_events() -> None:
    app = RecordingApp()
    handler = make_handler(app)
    first = handler(load_event("rest_cognito_authorizer"), None)
    second = handler(load_event("rest_cognito_authorizer"), None)
    assert first == second
    assert app.calls == 2


def test_response_drop_in_accepts_one_type_as_a_string() -> None:
    app = RecordingApp(headers=[("Content-Type", "application/json; charset=utf-8")], body=b"{}")
    result = response(
        app, load_event("rest_execute_api_stage"), None, base64_content_types="application/json"
    )
    assert result["isBase64Encoded"] is True
    assert result["body"] == "e30="
