"""lambda_micro: a Flask-like micro-framework for AWS Lambda, on werkzeug (and jinja2, loaded when used).

The public names below are imported on first use (PEP 562), so a function that only needs the adapter
(``from lambda_micro.adapter import make_handler`` around a Flask or Django app) never pays for the App,
werkzeug's routing or its wrappers at cold start. ``from lambda_micro import App`` behaves as usual.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import _bootstrap  # noqa: F401  (first: prepares werkzeug's lazy package before anything imports it)

if TYPE_CHECKING:
    from .app import App as App
    from .auth import login_required as login_required
    from .auth import require_groups as require_groups
    from .auth import require_scopes as require_scopes
    from .blueprints import Blueprint as Blueprint
    from .config import Config as Config
    from .ctx import after_this_request as after_this_request
    from .ctx import copy_current_request_context as copy_current_request_context
    from .ctx import has_app_context as has_app_context
    from .ctx import has_request_context as has_request_context
    from .events import EventBridgeEvent as EventBridgeEvent
    from .events import KinesisRecord as KinesisRecord
    from .events import S3Object as S3Object
    from .events import ScheduledEvent as ScheduledEvent
    from .events import SNSMessage as SNSMessage
    from .events import SQSMessage as SQSMessage
    from .events import StreamRecord as StreamRecord
    from .globals import current_app as current_app
    from .globals import g as g
    from .globals import request as request
    from .globals import session as session
    from .helpers import abort as abort
    from .helpers import flash as flash
    from .helpers import get_flashed_messages as get_flashed_messages
    from .helpers import jsonify as jsonify
    from .helpers import make_response as make_response
    from .helpers import redirect as redirect
    from .helpers import render_template as render_template
    from .helpers import render_template_string as render_template_string
    from .helpers import send_file as send_file
    from .helpers import send_from_directory as send_from_directory
    from .helpers import stream_with_context as stream_with_context
    from .helpers import url_for as url_for
    from .identity import Identity as Identity
    from .signals import appcontext_popped as appcontext_popped
    from .signals import appcontext_pushed as appcontext_pushed
    from .signals import appcontext_tearing_down as appcontext_tearing_down
    from .signals import before_render_template as before_render_template
    from .signals import got_request_exception as got_request_exception
    from .signals import message_flashed as message_flashed
    from .signals import request_finished as request_finished
    from .signals import request_started as request_started
    from .signals import request_tearing_down as request_tearing_down
    from .signals import template_rendered as template_rendered
    from .wrappers import Request as Request
    from .wrappers import Response as Response

__version__ = "0.1.0"

# Public name -> the submodule defining it.
_EXPORTS: dict[str, str] = {
    "EventBridgeEvent": ".events",
    "KinesisRecord": ".events",
    "S3Object": ".events",
    "SNSMessage": ".events",
    "SQSMessage": ".events",
    "ScheduledEvent": ".events",
    "StreamRecord": ".events",
    "App": ".app",
    "Blueprint": ".blueprints",
    "Config": ".config",
    "Identity": ".identity",
    "Request": ".wrappers",
    "Response": ".wrappers",
    "abort": ".helpers",
    "after_this_request": ".ctx",
    "appcontext_popped": ".signals",
    "appcontext_pushed": ".signals",
    "appcontext_tearing_down": ".signals",
    "before_render_template": ".signals",
    "copy_current_request_context": ".ctx",
    "current_app": ".globals",
    "flash": ".helpers",
    "g": ".globals",
    "get_flashed_messages": ".helpers",
    "got_request_exception": ".signals",
    "has_app_context": ".ctx",
    "has_request_context": ".ctx",
    "jsonify": ".helpers",
    "login_required": ".auth",
    "make_response": ".helpers",
    "message_flashed": ".signals",
    "redirect": ".helpers",
    "render_template": ".helpers",
    "render_template_string": ".helpers",
    "request": ".globals",
    "request_finished": ".signals",
    "request_started": ".signals",
    "request_tearing_down": ".signals",
    "require_groups": ".auth",
    "require_scopes": ".auth",
    "send_file": ".helpers",
    "send_from_directory": ".helpers",
    "session": ".globals",
    "stream_with_context": ".helpers",
    "template_rendered": ".signals",
    "url_for": ".helpers",
}

__all__ = [
    "App",
    "Blueprint",
    "Config",
    "EventBridgeEvent",
    "Identity",
    "KinesisRecord",
    "Request",
    "Response",
    "S3Object",
    "SNSMessage",
    "SQSMessage",
    "ScheduledEvent",
    "StreamRecord",
    "abort",
    "after_this_request",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "copy_current_request_context",
    "current_app",
    "flash",
    "g",
    "get_flashed_messages",
    "got_request_exception",
    "has_app_context",
    "has_request_context",
    "jsonify",
    "login_required",
    "make_response",
    "message_flashed",
    "redirect",
    "render_template",
    "render_template_string",
    "request",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "require_groups",
    "require_scopes",
    "send_file",
    "send_from_directory",
    "session",
    "stream_with_context",
    "template_rendered",
    "url_for",
]
# The module's own namespace, held once: importing the submodule ``lambda_micro.globals`` binds the name
# ``globals`` in this namespace, shadowing the builtin.
_NAMESPACE = globals()


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    _NAMESPACE[name] = value  # later lookups are plain module attributes
    return value


def __dir__() -> list[str]:
    return sorted({*_NAMESPACE, *_EXPORTS})
