"""The same raw WSGI app behind apig-wsgi."""

from __future__ import annotations

from apig_wsgi import make_lambda_handler

from ._raw_wsgi import app

handler = make_lambda_handler(app, binary_support=True)
