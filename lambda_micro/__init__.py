"""lambda_micro: a Flask-like micro-framework for AWS Lambda, on werkzeug (and jinja2, loaded when used)."""

from . import _bootstrap  # noqa: F401
from .app import App as App
from .blueprints import Blueprint as Blueprint
from .config import Config as Config
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
from .helpers import url_for as url_for
from .wrappers import Request as Request
from .wrappers import Response as Response

__version__ = "0.1.0"

__all__ = [
    "App",
    "Blueprint",
    "Config",
    "Request",
    "Response",
    "abort",
    "current_app",
    "flash",
    "g",
    "get_flashed_messages",
    "jsonify",
    "make_response",
    "redirect",
    "render_template",
    "render_template_string",
    "request",
    "send_file",
    "send_from_directory",
    "session",
    "url_for",
]
