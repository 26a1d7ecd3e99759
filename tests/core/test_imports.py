"""Cold start: what `import lambda_micro` and typical apps load, checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("jinja2", "itsdangerous", "click", "blinker", "yaml", "boto3", "botocore", "moto")
DEV_ONLY = (
    "lambda_micro.local",
    "lambda_micro.testing",
    "lambda_micro.templating",
    "lambda_micro._click",
    "lambda_micro.app_testing",
)

# A minimal WSGI call without werkzeug.test, so the check sees only what serving a request loads.
CALL = """
def call(app, path, method="GET", cookie=None):
    import io
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    status = []
    body = b"".join(app(environ, lambda s, h, e=None: status.append((s, h))))
    return status[0][0], dict(status[0][1]), body
"""


def _modules_after(code: str) -> tuple[set[str], str]:
    script = CALL + textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    *out, modules = result.stdout.strip().splitlines()
    return set(json.loads(modules)), "\n".join(out)


def _loaded(modules: set[str], package: str) -> list[str]:
    return sorted(m for m in modules if m == package or m.startswith(f"{package}."))


def test_import_lambda_micro_is_light() -> None:
    modules, _ = _modules_after("import lambda_micro")
    for package in (*HEAVY, *DEV_ONLY):
        assert _loaded(modules, package) == [], f"`import lambda_micro` imported {package}"
    # Only the JSON encoder needs decimal, and only for a Decimal, which exists once its maker imported it.
    assert "decimal" not in modules


def test_decimal_imported_after_the_app_is_still_encoded() -> None:
    _, out = _modules_after(
        """
        from lambda_micro import App
        app = App("late_decimal")

        @app.get("/")
        def index():
            from decimal import Decimal
            return {"price": Decimal("9.50"), "count": Decimal("3")}

        print(call(app, "/")[2].decode())
        """
    )
    assert json.loads(out) == {"count": 3, "price": 9.5}


def test_json_only_app_never_imports_jinja2_or_itsdangerous() -> None:
    modules, out = _modules_after(
        """
        from decimal import Decimal
        from lambda_micro import App, abort, jsonify, request
        app = App("json_api")

        @app.get("/items/<int:n>")
        def item(n):
            return {"n": n, "price": Decimal("1.5")}

        @app.get("/missing")
        def missing():
            abort(404)

        print(call(app, "/items/3"))
        print(call(app, "/missing"))
        print(call(app, "/boom-404"))
        """
    )
    assert "'200 OK'" in out
    assert 'b\'{"n":3,"price":1.5}\\n\'' in out
    for package in (*HEAVY, *DEV_ONLY):
        assert _loaded(modules, package) == [], f"a JSON-only app imported {package}"
    # An app that declares no command does not even load the module recording them.
    assert _loaded(modules, "lambda_micro.cli") == []


def test_session_app_imports_itsdangerous_but_not_jinja2() -> None:
    modules, out = _modules_after(
        """
        from lambda_micro import App, session
        app = App("sessions_only")
        app.secret_key = "k"

        @app.post("/login")
        def login():
            session["user"] = "ann"
            return "ok"

        print(call(app, "/login", "POST"))
        """
    )
    assert "Set-Cookie" in out
    assert _loaded(modules, "itsdangerous")
    assert _loaded(modules, "jinja2") == []


def test_template_app_imports_jinja2_on_first_render_only() -> None:
    modules, out = _modules_after(
        """
        import sys
        from lambda_micro import App, render_template_string
        app = App("pages")

        @app.get("/")
        def index():
            return render_template_string("<b>{{ 1 + 1 }}</b>")

        print("jinja2 before:", "jinja2" in sys.modules)
        print(call(app, "/"))
        """
    )
    assert "jinja2 before: False" in out
    assert "<b>2</b>" in out
    assert _loaded(modules, "jinja2")
    assert _loaded(modules, "itsdangerous") == []


def test_flask_style_app_with_commands_signals_and_g_imports_no_click_or_blinker() -> None:
    # What a Flask app moved over declares at import: commands, a teardown, signal and view names.
    modules, out = _modules_after(
        """
        from lambda_micro import App, after_this_request, current_app, g, request_started, template_rendered
        from lambda_micro.cli import argument, option
        from lambda_micro.views import MethodView
        app = App("flask_style", instance_relative_config=True)
        app.config.from_mapping(DATABASE="x")
        app.config.from_pyfile("config.py", silent=True)
        app.teardown_appcontext(lambda exc: g.pop("db", None))

        @app.cli.command("init-db")
        @option("--force", is_flag=True)
        def init_db(force):
            pass

        class Items(MethodView):
            def get(self):
                g.db = current_app.config["DATABASE"]
                after_this_request(lambda response: response)
                return {"db": g.db}

        app.add_url_rule("/items", view_func=Items.as_view("items"))
        with app.app_context():
            pass
        print(call(app, "/items"))
        """
    )
    assert "'200 OK'" in out
    assert '{"db":"x"}' in out
    for package in (*HEAVY, *DEV_ONLY):
        assert _loaded(modules, package) == [], f"a Flask-style JSON app imported {package}"


@pytest.mark.parametrize("module", ["yaml", "boto3"])
def test_no_heavy_import_even_with_static_and_blueprints(module: str) -> None:
    modules, _ = _modules_after(
        """
        from lambda_micro import App, Blueprint
        bp = Blueprint("bp", __name__, url_prefix="/bp")
        bp.add_url_rule("/x", "x", lambda: "x")
        app = App("bp_app")
        app.register_blueprint(bp)
        print(call(app, "/bp/x"))
        """
    )
    assert _loaded(modules, module) == []


def test_adapter_only_import_skips_the_framework() -> None:
    # A Flask or Django app behind our adapter must not pay for our App, routing or wrappers at cold start.
    modules, out = _modules_after(
        """
        from lambda_micro.adapter import make_handler
        from lambda_micro import _bootstrap
        print(_bootstrap.is_lazy("werkzeug.wrappers"))
        """
    )
    assert _loaded(modules, "lambda_micro.app") == []
    assert _loaded(modules, "lambda_micro.wrappers") == []
    # werkzeug.wrappers is registered, its __init__ deferred (nothing of it ran); no other werkzeug module.
    assert [m for m in modules if m.startswith("werkzeug.")] == ["werkzeug.wrappers"]
    assert out == "True"


def test_public_names_resolve_lazily_and_completely() -> None:
    _, out = _modules_after(
        """
        import lambda_micro
        from lambda_micro import *  # noqa: F403
        from lambda_micro.app import App as Direct
        names = sorted(lambda_micro.__all__)
        assert App is Direct and lambda_micro.App is Direct
        assert all(getattr(lambda_micro, name) is not None for name in names)
        assert set(names) <= set(dir(lambda_micro))
        try:
            lambda_micro.no_such_name
        except AttributeError as error:
            print(error)
        """
    )
    assert out == "module 'lambda_micro' has no attribute 'no_such_name'"


# A Lambda invocation of each kind, written out (the test kit's builders would import dev-only modules).
HTTP_EVENT = {
    "version": "2.0",
    "routeKey": "$default",
    "rawPath": "/",
    "rawQueryString": "",
    "headers": {"host": "abc.execute-api.us-east-1.amazonaws.com"},
    "requestContext": {
        "accountId": "123456789012",
        "apiId": "abc",
        "domainName": "abc.execute-api.us-east-1.amazonaws.com",
        "http": {
            "method": "GET",
            "path": "/",
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "t",
        },
        "requestId": "r1",
        "routeKey": "$default",
        "stage": "$default",
        "time": "01/Jan/2024:00:00:00 +0000",
        "timeEpoch": 1704067200000,
    },
    "isBase64Encoded": False,
}
SQS_EVENT = {
    "Records": [
        {
            "messageId": "m1",
            "receiptHandle": "r1",
            "body": "hello",
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1704067200000"},
            "messageAttributes": {},
            "md5OfBody": "5d41402abc4b2a76b9719d911017c592",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:jobs",
            "awsRegion": "us-east-1",
        }
    ]
}


def test_http_only_lambda_app_never_imports_the_event_handlers() -> None:
    modules, out = _modules_after(
        f"""
        from lambda_micro import App
        app = App("http_only")

        @app.get("/")
        def index():
            return {{"ok": True}}

        print(app.lambda_handler({HTTP_EVENT!r}, None)["statusCode"])
        """
    )
    assert out == "200"
    assert _loaded(modules, "lambda_micro.events") == []
    assert "decimal" not in modules


def test_event_handlers_load_their_dispatch_with_the_first_event() -> None:
    modules, out = _modules_after(
        f"""
        import sys
        from lambda_micro import App
        app = App("worker")

        @app.on_sqs("jobs")
        def job(message):
            print("job", message.body)

        print("dispatch at INIT:", "lambda_micro.events.dispatch" in sys.modules)
        print(app.lambda_handler({SQS_EVENT!r}, None))
        """
    )
    assert out.splitlines() == ["dispatch at INIT: False", "job hello", "{'batchItemFailures': []}"]
    for package in (*HEAVY, *DEV_ONLY):
        assert _loaded(modules, package) == [], f"an SQS worker imported {package}"


def test_http_only_app_refuses_an_sqs_event_by_name() -> None:
    _, out = _modules_after(
        f"""
        from lambda_micro import App
        from lambda_micro.adapter import UnsupportedEvent
        app = App("http_only")
        try:
            app.lambda_handler({SQS_EVENT!r}, None)
        except UnsupportedEvent as exc:
            print(exc)
        """
    )
    assert out == (
        "No handler for an SQS event (arn:aws:sqs:us-east-1:123456789012:jobs): the app registers no"
        " @app.on_sqs handler."
    )
