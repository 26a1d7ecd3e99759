"""What every reference app serves, the same on every stack.

Standard library only: no stack pre-pays another's imports.

The six routes:
- ``GET /``                   -> 200 text/plain "hello"
- ``GET /users/<id>?verbose=1`` -> 200 application/json ``user_payload(id, verbose)``
- ``POST /echo``              -> 200 application/json, the request's JSON document echoed
- ``GET /page/<name>``        -> 200 text/html, templates/page.html rendered with ``name`` and ``ITEMS``
- ``GET /bin``                -> 200 application/octet-stream, ``BINARY`` (64 KiB, every byte value)
- ``GET /missing``            -> 404 (the framework's own answer)
"""

from __future__ import annotations

import os
from typing import Any

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
TEMPLATE_NAME = "page.html"
ITEMS = [f"item {i}" for i in range(50)]
BINARY = bytes(range(256)) * 256
BINARY_TYPE = "application/octet-stream"
TEXT_TYPE = "text/plain; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


def user_payload(user_id: str, verbose: bool) -> dict[str, object]:
    """The JSON document of ``GET /users/<id>``."""
    user: dict[str, object] = {"id": user_id, "name": f"User {user_id}"}
    if verbose:
        user["email"] = f"user{user_id}@example.com"
        user["roles"] = ["reader", "writer"]
        user["active"] = True
    return user


_templates: dict[str, Any] = {}


def render_page(name: str) -> str:
    """``GET /page/<name>`` rendered directly with jinja2 (imported on the first render, as a careful
    hand-written handler would): for the stacks with no template integration of their own."""
    template = _templates.get("page")
    if template is None:
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=jinja2.select_autoescape()
        )
        template = _templates["page"] = env.get_template(TEMPLATE_NAME)
    return str(template.render(name=name, items=ITEMS))
