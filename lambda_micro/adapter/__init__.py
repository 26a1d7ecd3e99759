"""The Lambda <-> WSGI adapter: API Gateway REST and HTTP APIs, ALB, Function URLs, VPC Lattice and
Lambda@Edge to any WSGI app.

``make_handler(app)`` returns ``handler(event, context)``; ``response(app, event, context)`` is a drop-in
for aws-wsgi's ``awsgi.response``. A non-HTTP event raises ``UnsupportedEvent``. What the adapter does for
each source, item by item, is docs/ADAPTER-CONTRACT.md.
"""

from __future__ import annotations

from .awsgi import response as response
from .errors import UnsupportedEvent as UnsupportedEvent
from .handler import make_handler as make_handler
from .infer import Source as Source
from .infer import infer_source as infer_source
from .result import DEFAULT_TEXT_MIME_TYPES as DEFAULT_TEXT_MIME_TYPES

__all__ = [
    "DEFAULT_TEXT_MIME_TYPES",
    "Source",
    "UnsupportedEvent",
    "infer_source",
    "make_handler",
    "response",
]
