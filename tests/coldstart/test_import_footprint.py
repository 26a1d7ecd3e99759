"""Which modules a Lambda function pays for, checked in a fresh interpreter (imports, not timings)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lambda_micro.local.events import build_event

FreshPython = Callable[..., Any]

# Modules a Lambda function never needs: `import lambda_micro` and a JSON-only app must load none of them.
DEV_ONLY_MODULES = (
    "jinja2",
    "itsdangerous",
    "click",
    "blinker",
    "yaml",
    "boto3",
    "botocore",
    "moto",
    "pytest",
    "lambda_micro.local",
    "lambda_micro.testing",
    "lambda_micro._click",
    "lambda_micro.app_testing",
    "werkzeug.serving",
    "werkzeug.test",
    "werkzeug.debug",
    "http.server",
    "socketserver",
)

_CONTEXT = """
class Context:
    function_name = "users"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:users"
    memory_limit_in_mb = "256"
    aws_request_id = "6f5ae8c1-7a51-4d0f-9b43-1c2f7e0a9d11"
    log_group_name = "/aws/lambda/users"
    log_stream_name = "2026/11/24/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self):
        return 3000
"""


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in modules]


def test_import_lambda_micro_loads_no_dev_only_module(fresh_python: FreshPython) -> None:
    modules = fresh_python(
        "import json, sys\nfrom lambda_micro import App\nprint(json.dumps(sorted(sys.modules)))"
    )
    assert _loaded(modules, DEV_ONLY_MODULES) == []
    assert "lambda_micro.adapter" in modules  # the handler is created at INIT, so the adapter is loaded


def test_json_only_app_serving_a_request_loads_no_dev_only_module(fresh_python: FreshPython) -> None:
    event = build_event(
        "GET",
        "/users/42",
        payload="1.0",
        query={"verbose": "1"},
        headers={"Accept": "application/json"},
        resource="/{proxy+}",
        path_parameters={"proxy": "users/42"},
        stage="Prod",
    )
    result = fresh_python(
        _CONTEXT
        + """
import json, sys
from lambda_micro import App, jsonify, request

app = App("users")

@app.get("/users/<user_id>")
def user(user_id):
    return jsonify(id=user_id, verbose=request.args.get("verbose") == "1")

handler = app.lambda_handler
after_init = sorted(sys.modules)
result = handler(json.loads(sys.stdin.read()), Context())
print(json.dumps({"result": result, "after_init": after_init, "after_request": sorted(sys.modules)}))
""",
        stdin=json.dumps(event),
    )
    assert result["result"]["statusCode"] == 200
    assert json.loads(result["result"]["body"]) == {"id": "42", "verbose": True}
    assert _loaded(result["after_init"], DEV_ONLY_MODULES) == []
    assert _loaded(result["after_request"], DEV_ONLY_MODULES) == []


def test_template_app_loads_jinja2_on_first_render_not_at_import(fresh_python: FreshPython) -> None:
    event = build_event("GET", "/", payload="2.0", headers={"Accept": "text/html"})
    result = fresh_python(
        _CONTEXT
        + """
import json, sys
from lambda_micro import App, render_template_string

app = App("pages")

@app.get("/")
def index():
    return render_template_string("<p>{{ greeting }}</p>", greeting="<hi>")

handler = app.lambda_handler
jinja_at_init = "jinja2" in sys.modules
result = handler(json.loads(sys.stdin.read()), Context())
print(json.dumps({"result": result, "jinja_at_init": jinja_at_init, "jinja_after": "jinja2" in sys.modules}))
""",
        stdin=json.dumps(event),
    )
    assert result["result"]["statusCode"] == 200
    assert result["result"]["body"] == "<p>&lt;hi&gt;</p>"
    assert result["jinja_at_init"] is False
    assert result["jinja_after"] is True
