"""Request and Response: werkzeug's, plus routing facts, Lambda facts and JSON errors as JSON."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NoReturn

from werkzeug.exceptions import BadRequest
from werkzeug.wrappers.request import Request as _WerkzeugRequest
from werkzeug.wrappers.response import Response as _WerkzeugResponse

from . import json as _json

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from werkzeug.routing import Rule

__all__ = ["MalformedJSON", "Request", "Response"]


class MalformedJSON(BadRequest):  # an HTTP error, named like werkzeug's
    """400 for a request body that is not valid JSON; always answered with a JSON error body."""

    #: The error renderer answers JSON for this error whatever the client's Accept header says.
    always_json = True


class Request(_WerkzeugRequest):
    """The request object (``lambda_micro.request``): werkzeug's Request with routing and Lambda facts.

    ``lambda_event``, ``lambda_context``, ``request_context`` and ``stage_variables`` come from the Lambda
    adapter; they are ``None`` when the app is not running under Lambda.
    """

    json_module: Any = _json

    #: The matched URL rule, or ``None`` when routing failed.
    url_rule: Rule | None = None
    #: The view arguments matched from the URL.
    view_args: dict[str, Any] | None = None
    #: The routing error (404, 405, redirect) raised while matching, if any.
    routing_exception: Exception | None = None

    @property
    def endpoint(self) -> str | None:
        """The endpoint of the matched rule (``"index"``, ``"blog.show"``)."""
        return self.url_rule.endpoint if self.url_rule is not None else None

    @property
    def blueprint(self) -> str | None:
        """The full name of the blueprint that handles this request (``"parent.child"``), if any."""
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    @property
    def blueprints(self) -> list[str]:
        """The blueprint names from innermost to outermost (``["parent.child", "parent"]``)."""
        name = self.blueprint
        if name is None:
            return []
        parts = name.split(".")
        return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]

    @property
    def lambda_event(self) -> dict[str, Any] | None:
        """The raw Lambda event, or ``None`` outside Lambda."""
        return self.environ.get("lambda.event")

    @property
    def lambda_context(self) -> Any:
        """The Lambda context (``aws_request_id``, ``get_remaining_time_in_millis()``…), or ``None``."""
        return self.environ.get("lambda.context")

    @property
    def request_context(self) -> dict[str, Any] | None:
        """The event's ``requestContext`` (authorizer claims, request id…), or ``None`` outside Lambda."""
        return self.environ.get("lambda.request_context")

    @property
    def stage_variables(self) -> dict[str, Any] | None:
        """API Gateway stage variables, or ``None`` outside Lambda."""
        return self.environ.get("lambda.stage_variables")

    def on_json_loading_failed(self, e: ValueError | None) -> NoReturn:
        """Malformed JSON → :class:`MalformedJSON` (400, JSON body); wrong Content-Type → 415."""
        if e is not None:
            raise MalformedJSON(f"Failed to decode JSON object: {e}")
        super().on_json_loading_failed(e)
        raise AssertionError("unreachable")  # pragma: no cover - the base method always raises


class Response(_WerkzeugResponse):
    """The response object: werkzeug's Response, ``text/html`` by default, JSON through the app's provider."""

    default_mimetype = "text/html"
    json_module: Any = _json

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer as a WSGI application: werkzeug's behaviour, without its generic steps when none applies.

        The common response (a buffered list of bytes, no ``Location``/``Content-Location`` header, no
        close callbacks, a status that has a body) needs none of werkzeug's per-response fixes but the
        ``Content-Length`` it adds; every other response, and any subclass that overrides a step, takes
        werkzeug's own path.
        """
        body = self.response
        status_code = self.status_code
        if (
            type(body) is list
            and not self._on_close
            and not self.direct_passthrough
            and status_code >= 200
            and status_code not in (204, 304)
            and type(self).get_wsgi_response is _get_wsgi_response
            and type(self).get_wsgi_headers is _get_wsgi_headers
            and type(self).get_app_iter is _get_app_iter
            and type(self).iter_encoded is _iter_encoded
        ):
            headers = self.headers.to_wsgi_list()
            content_length: str | None = None
            for name, value in headers:
                lower = name.lower()
                if lower in {"location", "content-location"}:
                    break  # werkzeug rewrites these (IRI to URI, absolute URL): its own path
                if lower == "content-length":
                    content_length = value
            else:
                length = 0
                for chunk in body:
                    if type(chunk) is not bytes:
                        break  # str items are encoded by werkzeug's path
                    length += len(chunk)
                else:
                    if content_length is None and self.automatically_set_content_length:
                        headers.append(("Content-Length", str(length)))
                    start_response(self.status, headers)
                    # A list has no close() and there are no callbacks: nothing for a ClosingIterator to do.
                    return [] if environ["REQUEST_METHOD"] == "HEAD" else body
        return super().__call__(environ, start_response)


_get_wsgi_response = Response.get_wsgi_response
_get_wsgi_headers = Response.get_wsgi_headers
_get_app_iter = Response.get_app_iter
_iter_encoded = Response.iter_encoded
