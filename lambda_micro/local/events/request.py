"""The one input of every event builder: an HTTP request as an event source hands it to Lambda."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from lambda_micro.adapter.infer import HTTP_V2, Source

__all__ = ["DEFAULT_ACCOUNT_ID", "DEFAULT_API_ID", "DEFAULT_REGION", "DEFAULT_URL_ID", "EventRequest"]

DEFAULT_ACCOUNT_ID: Final = "123456789012"
DEFAULT_REGION: Final = "us-east-1"
DEFAULT_API_ID: Final = "a1b2c3d4e5"
DEFAULT_URL_ID: Final = "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class EventRequest:
    """One request, normalised, and what the source knows about it (route, stage, authorizer...).

    ``path`` is percent-encoded as on the request line, without the stage prefix; ``query`` is the raw
    query string; ``headers`` keep order, case and repeats; ``body`` is ``None`` when the request has none.
    ``stage_in_path`` says whether the client's URL carried the stage (``/Prod/x`` on the API's own URL);
    ``None`` derives it from the host (an ``execute-api`` host carries it). ``authorizer`` is ``(kind,
    context)`` with kind ``claims``, ``jwt``, ``lambda`` or ``iam``; ``api_key`` the REST API key that
    passed (``identity.apiKey``/``apiKeyId``). ``multi_value_headers`` is the ALB target group's setting.
    For VPC Lattice ``api_id`` is the service's id (``svc-...``) and ``domain_name`` its host; for
    Lambda@Edge ``api_id`` is the distribution's id, ``domain_name`` the Host the viewer used (an alternate
    domain name; else the distribution's own ``*.cloudfront.net``), ``edge_trigger`` the event type
    (``viewer-request`` or ``origin-request``) and ``include_body`` the trigger's "include body" option.
    """

    method: str = "GET"
    path: str = "/"
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    cookies: tuple[str, ...] = ()
    source: Source = HTTP_V2
    stage: str = "$default"
    stage_in_path: bool | None = None
    resource: str | None = None
    path_parameters: Mapping[str, str] | None = None
    route_key: str | None = None
    authorizer: tuple[str, Mapping[str, Any]] | None = None
    api_key: tuple[str, str] | None = None  # (value, id) of the request's REST API key
    source_ip: str = "127.0.0.1"
    domain_name: str | None = None
    binary_media_types: tuple[str, ...] = ()
    stage_variables: Mapping[str, str] | None = None
    request_id: str = ""
    time: datetime = field(default_factory=_now)
    api_id: str | None = None
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID
    scheme: str | None = None
    port: int | None = None
    protocol: str = "HTTP/1.1"
    multi_value_headers: bool = False
    edge_trigger: str = "viewer-request"
    include_body: bool = True

    def header(self, name: str) -> str | None:
        """The last value of header ``name`` (case-insensitive), or ``None``."""
        lowered = name.lower()
        for key, value in reversed(self.headers):
            if key.lower() == lowered:
                return value
        return None
