"""The raw WSGI app behind lambda_micro's adapter alone (no App)."""

from __future__ import annotations

from lambda_micro.adapter import make_handler

from ._raw_wsgi import app

handler = make_handler(app)
