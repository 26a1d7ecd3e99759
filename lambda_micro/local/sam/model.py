"""The SAM template model: functions, their HTTP routes, APIs, layers, tables and buckets, values resolved.

These are plain data classes; :mod:`.reader` builds them from ``template.yaml`` (:func:`load_template`).
Lambda layers are modelled too: each function's ``Layers`` (after Globals) become :class:`Layer` objects for
the template's ``AWS::Serverless::LayerVersion`` / ``AWS::Lambda::LayerVersion`` resources, whose
:meth:`Layer.import_paths_for` are the local folders that play ``/opt/python``, and :class:`ExternalLayer`
for layer version ARNs from elsewhere (which cannot be fetched locally).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lambda_micro.adapter.infer import HTTP_V1, REST, Source

from .auth_model import ApiAuth, RouteAuth
from .cognito_model import ApiKey, UserPool, UserPoolClient, UserPoolGroup
from .event_sources import EventSource, Queue, Stream, Topic
from .intrinsics import ACCOUNT_ID

__all__ = [
    "IMPLICIT_HTTP_API",
    "IMPLICIT_REST_API",
    "Api",
    "ApiKind",
    "Bucket",
    "EventSource",
    "ExternalLayer",
    "Function",
    "FunctionUrl",
    "Layer",
    "Queue",
    "Route",
    "SamTemplate",
    "Stream",
    "Table",
    "TemplateError",
    "Topic",
]

#: The two kinds of API Gateway API a SAM template declares (``Api`` and ``HttpApi`` events).
ApiKind = Literal["rest", "http"]

IMPLICIT_REST_API = "ServerlessRestApi"
IMPLICIT_HTTP_API = "ServerlessHttpApi"


class TemplateError(Exception):
    """A template that cannot be used; the message names the file, the line (when known) and the resource."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        resource: str | None = None,
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.resource = resource
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "<template>"
        if self.line is not None:
            where += f":{self.line}"
        if self.resource is not None:
            where += f": resource {self.resource}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Route:
    """One HTTP route an API forwards to a function (an ``Api`` or ``HttpApi`` event).

    ``source`` is the event source the function sees (the adapter's vocabulary): ``"rest"`` for an ``Api``
    event, ``"http-2.0"`` or ``"http-1.0"`` for an ``HttpApi`` event by its ``PayloadFormatVersion``.
    """

    function_id: str
    event_id: str
    method: str  # "GET", ..., or "ANY"
    path: str  # "/posts/{slug}", "/{proxy+}"
    source: Source
    api_id: str  # logical id; "ServerlessRestApi" / "ServerlessHttpApi" for the implicit ones
    stage: str  # "Prod" (implicit REST API), "$default" (implicit HTTP API), else the API's StageName
    binary_media_types: tuple[str, ...] = ()
    is_default_route: bool = False  # an HttpApi event without Path/Method: the API's ``$default`` route
    line: int | None = None
    physical_api_id: str | None = None  # as in ``<id>.execute-api.<region>.amazonaws.com``
    multi_value_headers: bool = False  # an ALB target group's setting (the test client's ALB routes)
    edge_trigger: str = "viewer-request"  # the test client's Lambda@Edge routes: the trigger
    include_body: bool = True  # and its "include body" option
    auth: RouteAuth | None = None  # the authorizer, scopes and API key the route requires (None: open)

    @property
    def api_kind(self) -> ApiKind:
        """``"rest"`` for a REST API, ``"http"`` for an HTTP API (and the test client's other sources)."""
        return "rest" if self.source == REST else "http"

    @property
    def payload(self) -> str:
        """The payload format version: ``"1.0"`` (REST, HTTP API 1.0) or ``"2.0"``."""
        return "1.0" if self.source in (REST, HTTP_V1) else "2.0"

    @property
    def route_key(self) -> str:
        """The HTTP API route key (``"GET /posts/{slug}"``, ``"$default"``)."""
        return "$default" if self.is_default_route else f"{self.method} {self.path}"

    @property
    def path_parameter_names(self) -> tuple[str, ...]:
        """The names of the ``{param}`` segments (``proxy`` for ``{proxy+}``)."""
        names = []
        for segment in self.path.split("/"):
            if segment.startswith("{") and segment.endswith("}"):
                names.append(segment[1:-1].rstrip("+"))
        return tuple(names)


@dataclass(frozen=True)
class FunctionUrl:
    """A function's ``FunctionUrlConfig``."""

    auth_type: str  # "NONE" or "AWS_IAM"
    invoke_mode: str = "BUFFERED"


@dataclass(frozen=True)
class Layer:
    """A layer of the template whose content is a local folder (``ContentUri`` / ``Content``).

    Lambda extracts a layer into ``/opt`` and puts ``/opt/python/lib/python3.X/site-packages`` and
    ``/opt/python`` on ``sys.path``. Which local folder plays ``/opt/python`` depends on how SAM builds
    the layer (``Metadata: BuildMethod``), see :meth:`import_paths_for`.
    """

    logical_id: str
    content_uri: Path
    build_method: str | None = None  # "python3.11", "makefile", ... or None (the folder is the layer as is)
    layer_name: str = ""
    arn: str = ""
    compatible_runtimes: tuple[str, ...] = ()
    resource_type: str = "AWS::Serverless::LayerVersion"
    line: int | None = None

    @property
    def is_python_build(self) -> bool:
        """``BuildMethod: python3.X``: SAM copies the folder (and its requirements) into ``python/``."""
        return self.build_method is not None and self.build_method.startswith("python")

    def import_paths_for(self, runtime: str | None = None) -> tuple[Path, ...]:
        """The local folders the layer adds to a ``runtime`` function's import path, in Lambda's order.

        * ``BuildMethod: python3.X``: ``sam build`` copies ``ContentUri`` into the layer's ``python/``
          folder (and pip-installs its ``requirements.txt`` next to it), so ``ContentUri`` itself is the
          import root; the requirements are expected in the local environment.
        * no ``BuildMethod``: the folder is the layer as deployed: ``ContentUri/python/lib/<runtime>/
          site-packages`` (when present), then ``ContentUri/python``.
        * ``BuildMethod: makefile``: the layer's files are whatever its Makefile produces; locally
          ``ContentUri/python`` is used when it exists (same shape as a prebuilt layer), else nothing: the
          local environment supplies those packages (see :attr:`note`).
        * any other ``BuildMethod`` (a non-Python runtime): nothing to import.

        ``runtime`` picks the ``site-packages`` folder (``python3.11``); ``None`` takes every one present.
        """
        if self.is_python_build:
            return (self.content_uri,)
        if self.build_method not in (None, "makefile"):
            return ()
        root = self.content_uri / "python"
        if not root.is_dir():
            return ()
        if runtime is not None:
            candidates = [root / "lib" / runtime / "site-packages"]
        else:
            candidates = sorted((root / "lib").glob("python3*/site-packages"))
        return (*[path for path in candidates if path.is_dir()], root)

    @property
    def import_paths(self) -> tuple[Path, ...]:
        """:meth:`import_paths_for` the layer's first ``CompatibleRuntimes`` entry (any Python when none)."""
        runtime = next((r for r in self.compatible_runtimes if r.startswith("python")), None)
        return self.import_paths_for(runtime)

    @property
    def note(self) -> str | None:
        """Why the layer adds nothing locally, when it does not (``None`` when it does)."""
        if self.import_paths_for(None):
            return None
        if self.build_method == "makefile":
            return (
                f"layer {self.logical_id} is built by {self.content_uri / 'Makefile'} "
                "(BuildMethod: makefile) and has no python/ folder locally: its packages are imported "
                "from the local environment"
            )
        if self.build_method is not None:
            return f"layer {self.logical_id} has BuildMethod {self.build_method}: no Python code to import"
        return (
            f"layer {self.logical_id} has no python/ folder in {self.content_uri}: Lambda would find nothing "
            "to import in it (put packages under python/, or set Metadata: BuildMethod: python3.X)"
        )


@dataclass(frozen=True)
class ExternalLayer:
    """A layer with no local folder: an ARN from elsewhere, or a layer of the template with content in S3."""

    arn: str
    logical_id: str | None = None  # the template's layer, when it is one whose content is in S3
    reason: str = "it is not defined in this template"
    line: int | None = None


@dataclass
class Function:
    """An ``AWS::Serverless::Function`` after Globals are merged and values resolved."""

    logical_id: str
    code_uri: Path
    handler: str
    runtime: str
    timeout: int = 3
    memory_size: int = 128
    environment: dict[str, str] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    function_name: str = ""
    architectures: tuple[str, ...] = ("x86_64",)
    function_url: FunctionUrl | None = None
    line: int | None = None
    #: ``Layers`` in order (Globals' first): the template's layers and external ones.
    layers: tuple[Layer | ExternalLayer, ...] = ()
    #: The non-HTTP events (SQS, S3, DynamoDB, Kinesis, SNS, schedules, EventBridge rules), in order.
    event_sources: list[EventSource] = field(default_factory=list)

    @property
    def template_layers(self) -> tuple[Layer, ...]:
        """The layers whose content is a local folder, in order."""
        return tuple(layer for layer in self.layers if isinstance(layer, Layer))

    @property
    def external_layers(self) -> tuple[ExternalLayer, ...]:
        """The layers that cannot be fetched locally (ARNs from elsewhere, content in S3), in order."""
        return tuple(layer for layer in self.layers if isinstance(layer, ExternalLayer))

    def layer_import_paths(self) -> list[Path]:
        """The folders the function's layers put on its import path, after its CodeUri, as on Lambda.

        Lambda extracts the layers into ``/opt`` in order, a later layer's files replacing an earlier
        one's, and puts ``/opt/python/lib/<runtime>/site-packages`` before ``/opt/python``. Locally the
        folders stay apart, so a later layer's folders come first: every layer's ``site-packages``, then
        every layer's ``python`` root.
        """
        site: list[Path] = []
        roots: list[Path] = []
        for layer in reversed(self.template_layers):
            for path in layer.import_paths_for(self.runtime):
                target = site if path.name == "site-packages" else roots
                if path not in site and path not in roots:
                    target.append(path)
        return site + roots

    @property
    def handler_module(self) -> str:
        """The handler's module as Python names it (``"app"``, ``"pkg.mod"`` for ``pkg/mod.handler``)."""
        return self.handler.rpartition(".")[0].replace("/", ".")

    @property
    def handler_attribute(self) -> str:
        """The handler's attribute in its module (``"handler"``)."""
        return self.handler.rpartition(".")[2]


@dataclass
class Api:
    """An API of the template (explicit, or SAM's implicit ``ServerlessRestApi``/``ServerlessHttpApi``)."""

    logical_id: str
    kind: ApiKind
    stage: str
    api_id: str  # the physical id, as in ``<api_id>.execute-api.<region>.amazonaws.com``
    binary_media_types: tuple[str, ...] = ()
    implicit: bool = False
    line: int | None = None
    auth: ApiAuth = field(default_factory=ApiAuth)


@dataclass
class Table:
    """A DynamoDB table (``AWS::Serverless::SimpleTable`` or ``AWS::DynamoDB::Table``)."""

    logical_id: str
    name: str
    key_schema: list[dict[str, str]]
    attribute_definitions: list[dict[str, str]]
    global_secondary_indexes: list[dict[str, Any]] = field(default_factory=list)
    local_secondary_indexes: list[dict[str, Any]] = field(default_factory=list)
    billing_mode: str = "PAY_PER_REQUEST"
    provisioned_throughput: dict[str, int] | None = None
    stream_specification: dict[str, Any] | None = None
    time_to_live_attribute: str | None = None
    resource_type: str = "AWS::DynamoDB::Table"
    arn: str = ""
    line: int | None = None

    @property
    def hash_key(self) -> str:
        """The partition key's attribute name."""
        return next(k["AttributeName"] for k in self.key_schema if k["KeyType"] == "HASH")

    @property
    def range_key(self) -> str | None:
        """The sort key's attribute name, if any."""
        return next((k["AttributeName"] for k in self.key_schema if k["KeyType"] == "RANGE"), None)


@dataclass
class Bucket:
    """An ``AWS::S3::Bucket``."""

    logical_id: str
    name: str
    arn: str = ""
    line: int | None = None


@dataclass
class SamTemplate:
    """A parsed SAM template."""

    path: Path
    functions: dict[str, Function]
    tables: dict[str, Table]
    buckets: dict[str, Bucket]
    apis: dict[str, Api]
    parameters: dict[str, str]
    stack_name: str = "local"
    region: str = "us-east-1"
    account_id: str = ACCOUNT_ID
    conditions: dict[str, bool] = field(default_factory=dict)
    #: The template's layer resources: a local folder (:class:`Layer`) or in S3 (:class:`ExternalLayer`).
    layers: dict[str, Layer | ExternalLayer] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    streams: dict[str, Stream] = field(default_factory=dict)

    @property
    def event_sources(self) -> list[EventSource]:
        """Every function's non-HTTP events, in template order."""
        return [source for function in self.functions.values() for source in function.event_sources]

    #: Cognito user pools, their app clients and groups (created in the local AWS under these ids).
    user_pools: dict[str, UserPool] = field(default_factory=dict)
    user_pool_clients: dict[str, UserPoolClient] = field(default_factory=dict)
    user_pool_groups: dict[str, UserPoolGroup] = field(default_factory=dict)
    #: API Gateway API keys (``AWS::ApiGateway::ApiKey``).
    api_keys: dict[str, ApiKey] = field(default_factory=dict)

    @property
    def routes(self) -> list[Route]:
        """Every function's routes, in template order."""
        return [route for function in self.functions.values() for route in function.routes]

    def user_pool(self, name: str | None = None) -> UserPool:
        """The pool ``name`` (logical id or ``UserPoolName``), or the template's only pool.

        A ``KeyError`` names the pools there are.
        """
        if name is None and len(self.user_pools) == 1:
            return next(iter(self.user_pools.values()))
        for pool in self.user_pools.values():
            if name in (pool.logical_id, pool.name, pool.pool_id):
                return pool
        known = ", ".join(sorted(self.user_pools)) or "none"
        if name is None:
            raise KeyError(f"{self.path}: which user pool? name one of: {known}")
        raise KeyError(f"{self.path}: no user pool {name!r} (user pools: {known})")

    def function(self, logical_id: str) -> Function:
        """The function ``logical_id``; a ``KeyError`` lists the ones that exist."""
        try:
            return self.functions[logical_id]
        except KeyError:
            known = ", ".join(sorted(self.functions)) or "none"
            raise KeyError(f"{self.path}: no function {logical_id!r} (functions: {known})") from None
