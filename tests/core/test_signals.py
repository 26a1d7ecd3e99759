"""Flask's signals on blinker: sent with Flask's arguments, free (no blinker) until a receiver connects."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

import lambda_micro
from lambda_micro import (
    App,
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    before_render_template,
    flash,
    got_request_exception,
    message_flashed,
    render_template_string,
    request_finished,
    request_started,
    request_tearing_down,
    template_rendered,
)
from lambda_micro.signals import LazySignal
from lambda_micro.testing import LambdaContext, build_event


@pytest.fixture
def app() -> App:
    app = App(__name__, template_folder=None, static_folder=None)
    app.secret_key = "signals-secret-key-of-32-characters"

    @app.get("/")
    def index() -> str:
        flash("saved", "info")
        return render_template_string("{{ greeting }}", greeting="hi")

    @app.get("/boom")
    def boom() -> str:
        raise KeyError("boom")

    return app


@pytest.fixture
def events(app: App) -> Iterator[list[tuple[str, Any, dict[str, Any]]]]:
    recorded: list[tuple[str, Any, dict[str, Any]]] = []
    signals = [
        request_started,
        request_finished,
        request_tearing_down,
        got_request_exception,
        appcontext_pushed,
        appcontext_popped,
        appcontext_tearing_down,
        before_render_template,
        template_rendered,
        message_flashed,
    ]
    receivers = []
    for signal in signals:

        def receiver(sender: Any, _name: str = signal.name, **kwargs: Any) -> None:
            recorded.append((_name, sender, kwargs))

        receivers.append(receiver)
        signal.connect(receiver, app)
    yield recorded
    for signal, receiver in zip(signals, receivers, strict=True):
        signal.disconnect(receiver, app)


def test_every_signal_is_sent_in_flasks_order(
    app: App, events: list[tuple[str, Any, dict[str, Any]]]
) -> None:
    assert app.test_client().get("/").text == "hi"
    names = [name for name, _, _ in events]
    assert names == [
        "appcontext-pushed",
        "request-started",
        "message-flashed",
        "before-render-template",
        "template-rendered",
        "request-finished",
        "request-tearing-down",
        "appcontext-tearing-down",
        "appcontext-popped",
    ]
    assert all(sender is app for _, sender, _ in events)
    by_name = {name: kwargs for name, _, kwargs in events}
    assert by_name["message-flashed"] == {"message": "saved", "category": "info"}
    assert by_name["template-rendered"]["context"]["greeting"] == "hi"
    assert by_name["template-rendered"]["template"].render(greeting="x") == "x"
    assert by_name["request-finished"]["response"].status_code == 200
    assert by_name["request-tearing-down"] == {"exc": None}
    assert by_name["appcontext-tearing-down"] == {"exc": None}


def test_got_request_exception_is_sent_with_the_exception(
    app: App, events: list[tuple[str, Any, dict[str, Any]]]
) -> None:
    result = app.lambda_handler(build_event("GET", "/boom"), LambdaContext())
    assert result["statusCode"] == 500
    sent = [kwargs for name, _, kwargs in events if name == "got-request-exception"]
    assert len(sent) == 1
    assert isinstance(sent[0]["exception"], KeyError)
    tearing = [kwargs for name, _, kwargs in events if name == "request-tearing-down"]
    assert isinstance(tearing[0]["exc"], KeyError)


def test_receivers_for_another_sender_are_not_called(app: App) -> None:
    other = App("other_sender", template_folder=None, static_folder=None)
    calls: list[Any] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        calls.append(sender)

    with request_started.connected_to(receiver, other):
        app.test_client().get("/")
        assert calls == []
        other.add_url_rule("/", "index", lambda: "x")
        other.test_client().get("/")
        assert calls == [other]


def test_app_context_signals_outside_requests(app: App) -> None:
    seen: list[str] = []

    def pushed(sender: Any, **kwargs: Any) -> None:
        seen.append("pushed")

    def popped(sender: Any, **kwargs: Any) -> None:
        seen.append("popped")

    with (
        appcontext_pushed.connected_to(pushed, app),
        appcontext_popped.connected_to(popped, app),
        app.app_context(),
    ):
        seen.append("inside")
    assert seen == ["pushed", "inside", "popped"]


def test_lazy_signal_api(app: App) -> None:
    # blinker keeps named signals for the process: a name of this test's own (it runs once per door).
    signal = LazySignal(f"custom-signal-{id(app)}")
    assert signal.send(app) == []
    assert not signal.connected
    assert not signal.has_receivers_for(app)
    assert list(signal.receivers_for(app)) == []
    assert "custom-signal" in repr(signal)

    @signal.connect_via(app)
    def receiver(sender: Any, **kwargs: Any) -> str:
        return "called"

    assert signal.connected
    assert "(blinker)" in repr(signal)
    assert signal.has_receivers_for(app)
    assert list(signal.receivers_for(app)) == [receiver]
    assert signal.send(app) == [(receiver, "called")]
    with signal.muted():
        assert signal.send(app) == []
    assert signal.receivers
    signal.disconnect(receiver, app)
    assert signal.send(app) == []
    any_sender: list[Any] = []
    signal.connect(lambda sender, **kw: any_sender.append(sender), weak=False)
    signal.send("someone")
    assert any_sender == ["someone"]
    assert signal.signal is signal.signal


def test_signals_are_exported_like_flasks() -> None:
    import flask

    for name in (
        "template_rendered",
        "before_render_template",
        "request_started",
        "request_finished",
        "request_tearing_down",
        "got_request_exception",
        "appcontext_tearing_down",
        "appcontext_pushed",
        "appcontext_popped",
        "message_flashed",
    ):
        ours, theirs = getattr(lambda_micro, name), getattr(flask, name)
        assert ours.name == theirs.name, name


def _fresh(code: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_sending_without_receivers_imports_no_blinker() -> None:
    out = _fresh(
        """
        import json, sys
        sys.modules["blinker"] = None  # as if the extra were not installed
        from lambda_micro import App, render_template_string
        app = App("no_blinker", template_folder=None, static_folder=None)
        app.add_url_rule("/", "index", lambda: render_template_string("ok"))
        with app.test_request_context():
            pass
        status = app.test_client().get("/").status_code
        with app.app_context():
            pass
        print(json.dumps({"status": status}))
        """
    )
    assert out == {"status": 200}


def test_connecting_without_blinker_names_the_extra() -> None:
    out = _fresh(
        """
        import json, sys
        sys.modules["blinker"] = None
        from lambda_micro import template_rendered
        try:
            template_rendered.connect(lambda sender, **kw: None)
        except ModuleNotFoundError as e:
            print(json.dumps({"error": str(e), "name": e.name}))
        """
    )
    assert out["name"] == "blinker"
    assert "lambda-micro[signals]" in out["error"]
