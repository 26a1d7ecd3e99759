"""The SAM template model: functions, their HTTP routes, APIs, tables and buckets, with values resolved.

``load_template("template.yaml")`` reads the template the way SAM and CloudFormation would for the parts that
matter locally: ``Globals`` are merged into each function, ``Parameters`` take their defaults (or overrides),
``Conditions`` decide which resources exist, and intrinsic functions in environment variables and names are
evaluated (``!Ref Table`` is the table's name, ``!GetAtt Table.Arn`` a plausible ARN). Anything broken raises
:class:`TemplateError`, whose message names the file, the line and the resource.

Lambda layers are modelled too: each function's ``Layers`` (after Globals) become :class:`Layer` objects for
the template's ``AWS::Serverless::LayerVersion`` / ``AWS::Lambda::LayerVersion`` resources, whose
:meth:`Layer.import_paths_for` are the local folders that play ``/opt/python``, and :class:`ExternalLayer`
for layer version ARNs from elsewhere (which cannot be fetched locally).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ._intrinsics import ACCOUNT_ID, NO_VALUE, ResolveError, Resolver, api_physical_id, is_intrinsic
from ._yaml import CfnMap, YamlError, line_of, load_yaml

__all__ = [
    "Api",
    "Bucket",
    "ExternalLayer",
    "Function",
    "FunctionUrl",
    "Layer",
    "Route",
    "SamTemplate",
    "Table",
    "TemplateError",
    "load_template",
]

ApiKind = Literal["rest", "http"]

IMPLICIT_REST_API = "ServerlessRestApi"
IMPLICIT_HTTP_API = "ServerlessHttpApi"

_FUNCTION_TYPES = ("AWS::Serverless::Function",)
_TABLE_TYPES = ("AWS::Serverless::SimpleTable", "AWS::DynamoDB::Table")
_HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
#: Layer resource types and the property naming their content.
_LAYER_TYPES = {"AWS::Serverless::LayerVersion": "ContentUri", "AWS::Lambda::LayerVersion": "Content"}
_LAYER_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$")


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
    """One HTTP route an API forwards to a function (an ``Api`` or ``HttpApi`` event)."""

    function_id: str
    event_id: str
    method: str  # "GET", ..., or "ANY"
    path: str  # "/posts/{slug}", "/{proxy+}"
    api_kind: ApiKind
    payload: str  # "1.0" or "2.0"
    api_id: str  # logical id; "ServerlessRestApi" / "ServerlessHttpApi" for the implicit ones
    stage: str  # "Prod" (implicit REST API), "$default" (implicit HTTP API), else the API's StageName
    binary_media_types: tuple[str, ...] = ()
    is_default_route: bool = False  # an HttpApi event without Path/Method: the API's ``$default`` route
    line: int | None = None

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

    @property
    def routes(self) -> list[Route]:
        """Every function's routes, in template order."""
        return [route for function in self.functions.values() for route in function.routes]

    def function(self, logical_id: str) -> Function:
        """The function ``logical_id``; a ``KeyError`` lists the ones that exist."""
        try:
            return self.functions[logical_id]
        except KeyError:
            known = ", ".join(sorted(self.functions)) or "none"
            raise KeyError(f"{self.path}: no function {logical_id!r} (functions: {known})") from None


# ------------------------------------------------------------------------------------------------------------


def _merge_globals(global_props: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rules: the resource wins for scalars, maps are merged, lists are concatenated."""
    merged: dict[str, Any] = copy.deepcopy(dict(global_props))
    for key, value in props.items():
        current = merged.get(key)
        if (
            isinstance(current, Mapping)
            and isinstance(value, Mapping)
            and not is_intrinsic(current)
            and not is_intrinsic(value)
        ):
            merged[key] = _merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = current + value
        else:
            merged[key] = value
    if isinstance(props, CfnMap):
        result = CfnMap(merged)
        result.line = props.line
        result.key_lines = {**getattr(global_props, "key_lines", {}), **props.key_lines}
        return result
    return merged


class _Reader:
    def __init__(
        self,
        path: Path,
        document: Mapping[str, Any],
        *,
        parameter_overrides: Mapping[str, str],
        stack_name: str,
        region: str,
    ) -> None:
        self.path = path
        self.document = document
        self.stack_name = stack_name
        self.region = region
        self.resources = self._section("Resources", required=True)
        self.globals = self._section("Globals")
        self.parameters, self.parameter_strings = self._parameters(parameter_overrides)
        implicit: dict[str, str] = {}
        for logical_id, resource in self.resources.items():
            if isinstance(resource, Mapping) and resource.get("Type") in _FUNCTION_TYPES:
                implicit[f"{logical_id}Role"] = "AWS::IAM::Role"
                implicit[f"{logical_id}Url"] = "AWS::Lambda::Url"
        implicit[IMPLICIT_REST_API] = "AWS::Serverless::Api"
        implicit[IMPLICIT_HTTP_API] = "AWS::Serverless::HttpApi"
        self.resolver = Resolver(
            parameters=self.parameters,
            resources=self.resources,
            conditions=self._section("Conditions"),
            mappings=self._section("Mappings"),
            stack_name=stack_name,
            region=region,
            implicit_resources=implicit,
        )

    def error(self, message: str, *, line: int | None = None, resource: str | None = None) -> TemplateError:
        return TemplateError(message, path=self.path, line=line, resource=resource)

    def _section(self, name: str, *, required: bool = False) -> Mapping[str, Any]:
        value = self.document.get(name)
        if value is None:
            if required:
                raise self.error(f"the template has no {name} section", line=1)
            return {}
        if not isinstance(value, Mapping):
            raise self.error(f"{name} must be a mapping", line=line_of(self.document, name))
        return value

    def resolve(self, value: Any, *, resource: str | None, line: int | None = None) -> Any:
        try:
            return self.resolver.resolve(value)
        except ResolveError as exc:
            raise self.error(exc.message, line=exc.line or line, resource=resource) from None

    # -- parameters --------------------------------------------------------------------------------

    def _parameters(self, overrides: Mapping[str, str]) -> tuple[dict[str, str | list[str]], dict[str, str]]:
        declared = self._section("Parameters")
        unknown = sorted(set(overrides) - set(declared))
        if unknown:
            raise self.error(f"parameter override for undeclared parameter(s): {', '.join(unknown)}")
        values: dict[str, str | list[str]] = {}
        strings: dict[str, str] = {}
        for name, spec in declared.items():
            line = line_of(declared, name)
            if not isinstance(spec, Mapping):
                raise self.error(f"parameter {name} must be a mapping", line=line, resource=name)
            if name in overrides:
                raw: object = overrides[name]
            elif "Default" in spec:
                raw = spec["Default"]
            else:
                raise self.error(
                    f"parameter {name} has no Default and no override was given", line=line, resource=name
                )
            text = ",".join(str(item) for item in raw) if isinstance(raw, list) else _cfn_string(raw)
            allowed = spec.get("AllowedValues")
            if isinstance(allowed, list) and text not in [_cfn_string(item) for item in allowed]:
                raise self.error(
                    f"parameter {name} is {text!r}, not one of its AllowedValues {allowed!r}",
                    line=line,
                    resource=name,
                )
            ptype = str(spec.get("Type", "String"))
            is_list = ptype == "CommaDelimitedList" or (ptype.startswith("List<") and ptype.endswith(">"))
            values[name] = [item.strip() for item in text.split(",")] if is_list else text
            strings[name] = text
        return values, strings

    # -- resources ---------------------------------------------------------------------------------

    # -- references ---------------------------------------------------------------------------------

    def check_references(self) -> None:
        """Every ``Ref``/``GetAtt``/``${...}`` in Resources, Conditions and Outputs names something real.

        Resources are only evaluated where the local tools need values; this catches a typo anywhere, with
        its line, as CloudFormation would at deploy time.
        """
        for section in ("Resources", "Conditions", "Outputs"):
            entries = self.document.get(section)
            if not isinstance(entries, Mapping):
                continue
            for name, value in entries.items():
                where = name if section == "Resources" else f"{section}.{name}"
                self._walk_references(value, where, line_of(entries, name))

    def _known(self, name: str) -> bool:
        return (
            name.startswith("AWS::")
            or name in self.parameters
            or self.resolver.resource_type(name) is not None
        )

    def _walk_references(self, value: Any, where: str, line: int | None) -> None:
        if isinstance(value, Mapping):
            line = line_of(value) or line
            if len(value) == 1:
                ((key, argument),) = value.items()
                if key == "Ref" and isinstance(argument, str) and not self._known(argument):
                    raise self.error(
                        f"!Ref {argument}: no parameter or resource named {argument!r}",
                        line=line,
                        resource=where,
                    )
                if key == "Fn::GetAtt":
                    parts = argument.split(".", 1) if isinstance(argument, str) else argument
                    target = parts[0] if isinstance(parts, list) and parts else None
                    if isinstance(target, str) and self.resolver.resource_type(target) is None:
                        shown = ".".join(str(part) for part in parts)
                        raise self.error(
                            f"!GetAtt {shown}: no resource named {target!r}", line=line, resource=where
                        )
                if key == "Fn::Sub":
                    template, variables = (
                        (argument, {})
                        if not isinstance(argument, list)
                        else (
                            argument[0] if argument else "",
                            argument[1] if len(argument) > 1 and isinstance(argument[1], Mapping) else {},
                        )
                    )
                    if isinstance(template, str):
                        for match in re.finditer(r"\$\{([^}!][^}]*)\}", template):
                            name = match.group(1).strip()
                            head = name.partition(".")[0] if name not in self.parameters else name
                            if name not in variables and head not in variables and not self._known(head):
                                raise self.error(
                                    f"!Sub ${{{name}}}: no parameter or resource named {head!r}",
                                    line=line,
                                    resource=where,
                                )
                    self._walk_references(variables, where, line)
                    return
            for key, item in value.items():
                if key in ("RestApiId", "ApiId"):
                    continue  # the event reader names the event and the expected API type
                self._walk_references(item, where, line)
        elif isinstance(value, list):
            for item in value:
                self._walk_references(item, where, line)

    def read(self) -> SamTemplate:
        functions: dict[str, Function] = {}
        tables: dict[str, Table] = {}
        buckets: dict[str, Bucket] = {}
        self.check_references()
        apis = self._apis()
        layers = self._layers()
        for logical_id, resource in self.resources.items():
            line = line_of(self.resources, logical_id)
            if not isinstance(resource, Mapping):
                raise self.error("a resource must be a mapping", line=line, resource=logical_id)
            rtype = resource.get("Type")
            if not isinstance(rtype, str):
                raise self.error("the resource has no Type", line=line, resource=logical_id)
            if not self._exists(logical_id, resource, line):
                continue
            if rtype in _FUNCTION_TYPES:
                functions[logical_id] = self._function(logical_id, resource, line, apis, layers)
            elif rtype in _TABLE_TYPES:
                tables[logical_id] = self._table(logical_id, rtype, resource, line)
            elif rtype == "AWS::S3::Bucket":
                self._properties(logical_id, resource, line)
                buckets[logical_id] = Bucket(
                    logical_id=logical_id,
                    name=self.resolver.physical_name(logical_id),
                    arn=self.resolver.arn(logical_id),
                    line=line,
                )
        used_apis = {route.api_id for function in functions.values() for route in function.routes}
        apis = {
            logical_id: api for logical_id, api in apis.items() if not api.implicit or logical_id in used_apis
        }
        conditions = {}
        for name in self.resolver.conditions_source:
            try:
                conditions[name] = self.resolver.condition(name)
            except ResolveError as exc:
                raise self.error(exc.message, line=exc.line, resource=name) from None
        return SamTemplate(
            path=self.path,
            functions=functions,
            tables=tables,
            buckets=buckets,
            apis=apis,
            parameters=dict(self.parameter_strings),
            stack_name=self.stack_name,
            region=self.region,
            conditions=conditions,
            layers=layers,
        )

    def _exists(self, logical_id: str, resource: Mapping[str, Any], line: int | None) -> bool:
        condition = resource.get("Condition")
        if condition is None:
            return True
        try:
            return self.resolver.condition(condition, line_of(resource, "Condition"))
        except ResolveError as exc:
            raise self.error(exc.message, line=exc.line or line, resource=logical_id) from None

    def _properties(
        self, logical_id: str, resource: Mapping[str, Any], line: int | None
    ) -> Mapping[str, Any]:
        props = resource.get("Properties", {})
        if props is None:
            return {}
        if not isinstance(props, Mapping):
            raise self.error("Properties must be a mapping", line=line, resource=logical_id)
        return props

    def _apis(self) -> dict[str, Api]:
        apis: dict[str, Api] = {}
        rest_globals = self.globals.get("Api") or {}
        http_globals = self.globals.get("HttpApi") or {}
        for logical_id, resource in self.resources.items():
            if not isinstance(resource, Mapping):
                continue
            rtype = resource.get("Type")
            line = line_of(self.resources, logical_id)
            if rtype not in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
                continue
            if not self._exists(logical_id, resource, line):
                continue
            kind: ApiKind = "rest" if rtype == "AWS::Serverless::Api" else "http"
            props = _merge_globals(
                rest_globals if kind == "rest" else http_globals,
                self._properties(logical_id, resource, line),
            )
            props = self.resolve(props, resource=logical_id, line=line)
            stage = props.get("StageName")
            if kind == "rest" and not stage:
                raise self.error("an AWS::Serverless::Api needs a StageName", line=line, resource=logical_id)
            apis[logical_id] = Api(
                logical_id=logical_id,
                kind=kind,
                stage=str(stage or "$default"),
                api_id=api_physical_id(self.stack_name, logical_id),
                binary_media_types=self._binary_types(props, logical_id, line) if kind == "rest" else (),
                line=line,
            )
        rest_props = self.resolve(rest_globals, resource="Globals.Api")
        apis.setdefault(
            IMPLICIT_REST_API,
            Api(
                logical_id=IMPLICIT_REST_API,
                kind="rest",
                stage="Prod",
                api_id=api_physical_id(self.stack_name, IMPLICIT_REST_API),
                binary_media_types=self._binary_types(rest_props, "Globals.Api", None),
                implicit=True,
            ),
        )
        apis.setdefault(
            IMPLICIT_HTTP_API,
            Api(
                logical_id=IMPLICIT_HTTP_API,
                kind="http",
                stage="$default",
                api_id=api_physical_id(self.stack_name, IMPLICIT_HTTP_API),
                implicit=True,
            ),
        )
        return apis

    def _binary_types(self, props: Mapping[str, Any], resource: str, line: int | None) -> tuple[str, ...]:
        types = props.get("BinaryMediaTypes") or []
        if not isinstance(types, list) or not all(isinstance(item, str) for item in types):
            raise self.error("BinaryMediaTypes must be a list of strings", line=line, resource=resource)
        # API Gateway escapes "/" as "~1" in media types (``image~1png``).
        return tuple(item.replace("~1", "/") for item in types)

    # -- layers -------------------------------------------------------------------------------------------

    def _layers(self) -> dict[str, Layer | ExternalLayer]:
        layers: dict[str, Layer | ExternalLayer] = {}
        for logical_id, resource in self.resources.items():
            if not isinstance(resource, Mapping) or resource.get("Type") not in _LAYER_TYPES:
                continue
            line = line_of(self.resources, logical_id)
            if not self._exists(logical_id, resource, line):
                continue
            rtype = str(resource["Type"])
            content_key = _LAYER_TYPES[rtype]
            props = self._properties(logical_id, resource, line)
            content_line = line_of(props, content_key) or line
            content = self.resolve(props.get(content_key), resource=logical_id, line=content_line)
            name = self.resolve(props.get("LayerName"), resource=logical_id, line=line)
            layer_name = str(name) if isinstance(name, str | int) and name != "" else logical_id
            arn = (
                f"arn:{self.resolver.partition}:lambda:{self.region}:{self.resolver.account_id}:"
                f"layer:{layer_name}:1"
            )
            if content is None:
                raise self.error(f"the layer has no {content_key}", line=line, resource=logical_id)
            if isinstance(content, Mapping) or (isinstance(content, str) and content.startswith("s3://")):
                layers[logical_id] = ExternalLayer(
                    arn=arn, logical_id=logical_id, reason=f"its {content_key} is in S3", line=line
                )
                continue
            if not isinstance(content, str) or not content:
                raise self.error(
                    f"{content_key} must be a local folder or an S3 location, got {content!r}",
                    line=content_line,
                    resource=logical_id,
                )
            folder = (self.path.parent / content).resolve()
            if not folder.is_dir():
                what = "is a file, not a folder" if folder.exists() else "does not exist"
                raise self.error(
                    f"{content_key} {content!r} is not a folder ({folder} {what})",
                    line=content_line,
                    resource=logical_id,
                )
            metadata = resource.get("Metadata")
            build_method = metadata.get("BuildMethod") if isinstance(metadata, Mapping) else None
            if build_method is not None and not isinstance(build_method, str):
                raise self.error(
                    f"Metadata BuildMethod must be a runtime (python3.11) or makefile, got {build_method!r}",
                    line=line_of(metadata, "BuildMethod") or line,
                    resource=logical_id,
                )
            runtimes = self.resolve(props.get("CompatibleRuntimes") or [], resource=logical_id, line=line)
            layers[logical_id] = Layer(
                logical_id=logical_id,
                content_uri=folder,
                build_method=build_method.strip().lower() if build_method else None,
                layer_name=layer_name,
                arn=arn,
                compatible_runtimes=tuple(str(r) for r in runtimes) if isinstance(runtimes, list) else (),
                resource_type=rtype,
                line=line,
            )
        return layers

    def _function_layers(
        self,
        logical_id: str,
        raw: Mapping[str, Any],
        layers: Mapping[str, Layer | ExternalLayer],
        line: int | None,
    ) -> tuple[Layer | ExternalLayer, ...]:
        entries = raw.get("Layers")
        if entries is None:
            return ()
        entries_line = line_of(raw, "Layers") or line
        if not isinstance(entries, list):
            raise self.error("Layers must be a list", line=entries_line, resource=logical_id)
        if len(entries) > 5:
            raise self.error(
                f"a function can have at most 5 layers, got {len(entries)}",
                line=entries_line,
                resource=logical_id,
            )
        result: list[Layer | ExternalLayer] = []
        for index, entry in enumerate(entries):
            found = self._layer_entry(
                entry, layers, f"{logical_id}.Layers[{index}]", line_of(entry) or entries_line
            )
            if found is not None:
                result.append(found)
        return tuple(result)

    def _layer_entry(
        self, entry: Any, layers: Mapping[str, Layer | ExternalLayer], where: str, line: int | None
    ) -> Layer | ExternalLayer | None:
        """One ``Layers`` item: ``!Ref``/``!GetAtt`` of a layer, an ARN, or ``!If``; None for NoValue."""
        if isinstance(entry, Mapping) and len(entry) == 1:
            ((key, argument),) = entry.items()
            target: object = None
            if key == "Ref":
                target = argument
            elif key == "Fn::GetAtt":
                parts = argument.split(".", 1) if isinstance(argument, str) else argument
                target = parts[0] if isinstance(parts, list) and parts else None
            elif key == "Fn::If":
                if not isinstance(argument, list) or len(argument) != 3:
                    raise self.error(
                        "!If needs [condition, value if true, value if false]", line=line, resource=where
                    )
                try:
                    chosen = argument[1] if self.resolver.condition(argument[0], line) else argument[2]
                except ResolveError as exc:
                    raise self.error(exc.message, line=exc.line or line, resource=where) from None
                return self._layer_entry(chosen, layers, where, line_of(chosen) or line)
            if isinstance(target, str) and self.resolver.resource_type(target) in _LAYER_TYPES:
                layer = layers.get(target)
                if layer is None:
                    raise self.error(
                        f"layer {target} is not created (its Condition is false)", line=line, resource=where
                    )
                return layer
        value = self.resolve(entry, resource=where, line=line)
        if value is NO_VALUE:
            return None
        if isinstance(value, str) and _LAYER_ARN.match(value):
            for layer in layers.values():
                if layer.arn == value:
                    return layer
            return ExternalLayer(arn=value, line=line)
        raise self.error(
            f"a Layers entry must be !Ref to a layer of this template or a layer version ARN "
            f"(arn:aws:lambda:<region>:<account>:layer:<name>:<version>), got {value!r}",
            line=line,
            resource=where,
        )

    def _function(
        self,
        logical_id: str,
        resource: Mapping[str, Any],
        line: int | None,
        apis: Mapping[str, Api],
        layers: Mapping[str, Layer | ExternalLayer] | None = None,
    ) -> Function:
        raw = _merge_globals(self.globals.get("Function") or {}, self._properties(logical_id, resource, line))
        # Events are read separately: their Api references must stay ``!Ref``s, not physical ids; Layers
        # too, since a ``!Ref`` to a layer of the template names that layer, not a string.
        events = raw.get("Events") or {}
        props = self.resolve(
            {k: v for k, v in raw.items() if k not in ("Events", "Layers")}, resource=logical_id, line=line
        )

        if props.get("PackageType", "Zip") == "Image":
            raise self.error(
                "PackageType Image functions cannot run without Docker", line=line, resource=logical_id
            )
        code_uri_value = props.get("CodeUri")
        if code_uri_value is None:
            if "InlineCode" in props:
                raise self.error(
                    "InlineCode functions are not supported locally; use CodeUri",
                    line=line,
                    resource=logical_id,
                )
            raise self.error("the function has no CodeUri", line=line, resource=logical_id)
        if not isinstance(code_uri_value, str):
            raise self.error(
                f"CodeUri must be a local folder, got {code_uri_value!r}",
                line=line_of(raw, "CodeUri") or line,
                resource=logical_id,
            )
        code_uri = (self.path.parent / code_uri_value).resolve()
        if not code_uri.is_dir():
            raise self.error(
                f"CodeUri {code_uri_value!r} is not a folder ({code_uri} does not exist)",
                line=line_of(raw, "CodeUri") or line,
                resource=logical_id,
            )
        handler = props.get("Handler")
        if not isinstance(handler, str) or not handler:
            raise self.error("the function has no Handler", line=line, resource=logical_id)
        if "." not in handler.strip(".") or handler.startswith(".") or handler.endswith("."):
            raise self.error(
                f"Handler {handler!r} must be 'module.function' (e.g. 'app.handler')",
                line=line_of(raw, "Handler") or line,
                resource=logical_id,
            )
        runtime = props.get("Runtime")
        if not isinstance(runtime, str) or not runtime:
            raise self.error("the function has no Runtime", line=line, resource=logical_id)

        environment: dict[str, str] = {}
        env_block = props.get("Environment") or {}
        variables = env_block.get("Variables") if isinstance(env_block, Mapping) else None
        if variables is not None:
            if not isinstance(variables, Mapping):
                raise self.error("Environment.Variables must be a mapping", line=line, resource=logical_id)
            for name, value in variables.items():
                if isinstance(value, list | dict):
                    raise self.error(
                        f"environment variable {name} must be a string, got {value!r}",
                        line=line_of(variables, name) or line,
                        resource=logical_id,
                    )
                environment[str(name)] = _cfn_string(value)

        url_config = props.get("FunctionUrlConfig")
        function_url = None
        if isinstance(url_config, Mapping):
            function_url = FunctionUrl(
                auth_type=str(url_config.get("AuthType", "NONE")),
                invoke_mode=str(url_config.get("InvokeMode", "BUFFERED")),
            )
        architectures = props.get("Architectures") or ["x86_64"]
        return Function(
            logical_id=logical_id,
            code_uri=code_uri,
            handler=handler,
            runtime=runtime,
            timeout=self._int(props, "Timeout", 3, logical_id, line),
            memory_size=self._int(props, "MemorySize", 128, logical_id, line),
            environment=environment,
            routes=self._routes(logical_id, events, apis, line),
            function_name=self.resolver.physical_name(logical_id),
            architectures=tuple(str(item) for item in architectures),
            function_url=function_url,
            line=line,
            layers=self._function_layers(logical_id, raw, layers or {}, line),
        )

    def _int(self, props: Mapping[str, Any], name: str, default: int, resource: str, line: int | None) -> int:
        value = props.get(name, default)
        try:
            number = int(str(value))
        except ValueError:
            raise self.error(
                f"{name} must be an integer, got {value!r}", line=line, resource=resource
            ) from None
        if name == "Timeout" and not 1 <= number <= 900:
            raise self.error(f"Timeout must be 1..900 seconds, got {number}", line=line, resource=resource)
        if name == "MemorySize" and not 128 <= number <= 10240:
            raise self.error(f"MemorySize must be 128..10240 MB, got {number}", line=line, resource=resource)
        return number

    def _routes(
        self, logical_id: str, events: Any, apis: Mapping[str, Api], function_line: int | None
    ) -> list[Route]:
        if not isinstance(events, Mapping):
            raise self.error("Events must be a mapping", line=function_line, resource=logical_id)
        routes: list[Route] = []
        for event_id, event in events.items():
            where = f"{logical_id}.Events.{event_id}"
            line = line_of(events, event_id) or function_line
            if not isinstance(event, Mapping):
                raise self.error("an event must be a mapping", line=line, resource=where)
            etype = event.get("Type")
            if etype not in ("Api", "HttpApi"):
                continue
            props = event.get("Properties") or {}
            if not isinstance(props, Mapping):
                raise self.error("Properties must be a mapping", line=line, resource=where)
            kind: ApiKind = "rest" if etype == "Api" else "http"
            api_ref = props.get("RestApiId" if kind == "rest" else "ApiId")
            api_logical = IMPLICIT_REST_API if kind == "rest" else IMPLICIT_HTTP_API
            if api_ref is not None:
                if isinstance(api_ref, Mapping) and set(api_ref) == {"Ref"}:
                    api_logical = str(api_ref["Ref"])
                elif isinstance(api_ref, str):
                    api_logical = api_ref
                else:
                    raise self.error(
                        f"{'RestApiId' if kind == 'rest' else 'ApiId'} must !Ref an API of this template",
                        line=line,
                        resource=where,
                    )
            api = apis.get(api_logical)
            if api is None or api.kind != kind:
                expected = "AWS::Serverless::Api" if kind == "rest" else "AWS::Serverless::HttpApi"
                raise self.error(
                    f"{etype} event refers to {api_logical!r}, which is not an {expected} in this template",
                    line=line,
                    resource=where,
                )
            resolved = self.resolve(
                {k: v for k, v in props.items() if k not in ("RestApiId", "ApiId")}, resource=where, line=line
            )
            path = resolved.get("Path")
            method = resolved.get("Method")
            is_default = kind == "http" and path is None and method is None
            if is_default:
                path, method = "/{proxy+}", "ANY"
            if not isinstance(path, str) or not path.startswith("/"):
                raise self.error(
                    f"Path must be a string starting with '/', got {path!r}", line=line, resource=where
                )
            if not isinstance(method, str) or method.upper() not in _HTTP_METHODS:
                raise self.error(
                    f"Method must be an HTTP method or ANY, got {method!r}", line=line, resource=where
                )
            payload = "1.0"
            if kind == "http":
                payload = str(resolved.get("PayloadFormatVersion", "2.0"))
                if payload not in ("1.0", "2.0"):
                    raise self.error(
                        f"PayloadFormatVersion must be '1.0' or '2.0', got {payload!r}",
                        line=line,
                        resource=where,
                    )
            routes.append(
                Route(
                    function_id=logical_id,
                    event_id=str(event_id),
                    method=method.upper(),
                    path=path,
                    api_kind=kind,
                    payload=payload,
                    api_id=api_logical,
                    stage=api.stage,
                    binary_media_types=api.binary_media_types,
                    is_default_route=is_default,
                    line=line,
                )
            )
        return routes

    def _table(self, logical_id: str, rtype: str, resource: Mapping[str, Any], line: int | None) -> Table:
        props = self.resolve(self._properties(logical_id, resource, line), resource=logical_id, line=line)
        if rtype == "AWS::Serverless::SimpleTable":
            props = _merge_globals(
                self.resolve(self.globals.get("SimpleTable") or {}, resource=logical_id), props
            )
            primary = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
            if not isinstance(primary, Mapping) or not isinstance(primary.get("Name"), str):
                raise self.error("PrimaryKey must have a Name", line=line, resource=logical_id)
            ptype = str(primary.get("Type", "String"))
            attribute_type = {"String": "S", "Number": "N", "Binary": "B"}.get(ptype)
            if attribute_type is None:
                raise self.error(
                    f"PrimaryKey Type must be String, Number or Binary, got {ptype!r}",
                    line=line,
                    resource=logical_id,
                )
            throughput = props.get("ProvisionedThroughput")
            return Table(
                logical_id=logical_id,
                name=self.resolver.physical_name(logical_id),
                key_schema=[{"AttributeName": primary["Name"], "KeyType": "HASH"}],
                attribute_definitions=[{"AttributeName": primary["Name"], "AttributeType": attribute_type}],
                billing_mode="PROVISIONED" if throughput else "PAY_PER_REQUEST",
                provisioned_throughput=self._throughput(throughput, logical_id, line) if throughput else None,
                resource_type=rtype,
                arn=self.resolver.arn(logical_id),
                line=line,
            )

        key_schema = self._key_schema(props.get("KeySchema"), logical_id, line)
        definitions = props.get("AttributeDefinitions")
        if not isinstance(definitions, list) or not all(
            isinstance(item, Mapping) and "AttributeName" in item and "AttributeType" in item
            for item in definitions
        ):
            raise self.error(
                "AttributeDefinitions must be a list of {AttributeName, AttributeType}",
                line=line_of(props, "AttributeDefinitions") or line,
                resource=logical_id,
            )
        attribute_definitions = [
            {"AttributeName": str(item["AttributeName"]), "AttributeType": str(item["AttributeType"])}
            for item in definitions
        ]
        defined = {item["AttributeName"] for item in attribute_definitions}
        throughput = props.get("ProvisionedThroughput")
        billing_mode = str(props.get("BillingMode") or ("PROVISIONED" if throughput else "PAY_PER_REQUEST"))
        gsis = [
            self._index(index, logical_id, line, "GlobalSecondaryIndexes", billing_mode)
            for index in props.get("GlobalSecondaryIndexes") or []
        ]
        lsis = [
            self._index(index, logical_id, line, "LocalSecondaryIndexes", None)
            for index in props.get("LocalSecondaryIndexes") or []
        ]
        for keys in [key_schema] + [index["KeySchema"] for index in gsis + lsis]:
            for key in keys:
                if key["AttributeName"] not in defined:
                    raise self.error(
                        f"key attribute {key['AttributeName']!r} is not in AttributeDefinitions",
                        line=line_of(props, "AttributeDefinitions") or line,
                        resource=logical_id,
                    )
        ttl = props.get("TimeToLiveSpecification")
        ttl_attribute = None
        if (
            isinstance(ttl, Mapping)
            and _truthy(ttl.get("Enabled"))
            and isinstance(ttl.get("AttributeName"), str)
        ):
            ttl_attribute = ttl["AttributeName"]
        stream = props.get("StreamSpecification")
        return Table(
            logical_id=logical_id,
            name=self.resolver.physical_name(logical_id),
            key_schema=key_schema,
            attribute_definitions=attribute_definitions,
            global_secondary_indexes=gsis,
            local_secondary_indexes=lsis,
            billing_mode=billing_mode,
            provisioned_throughput=self._throughput(throughput, logical_id, line)
            if billing_mode == "PROVISIONED"
            else None,
            stream_specification=dict(stream) if isinstance(stream, Mapping) else None,
            time_to_live_attribute=ttl_attribute,
            resource_type=rtype,
            arn=self.resolver.arn(logical_id),
            line=line,
        )

    def _key_schema(self, value: Any, resource: str, line: int | None) -> list[dict[str, str]]:
        if (
            not isinstance(value, list)
            or not value
            or not all(
                isinstance(item, Mapping) and "AttributeName" in item and "KeyType" in item for item in value
            )
        ):
            raise self.error(
                "KeySchema must be a list of {AttributeName, KeyType}", line=line, resource=resource
            )
        schema = [
            {"AttributeName": str(item["AttributeName"]), "KeyType": str(item["KeyType"])} for item in value
        ]
        if [key["KeyType"] for key in schema] not in (["HASH"], ["HASH", "RANGE"]):
            raise self.error(
                "KeySchema must be a HASH key, optionally followed by a RANGE key",
                line=line,
                resource=resource,
            )
        return schema

    def _throughput(self, value: Any, resource: str, line: int | None) -> dict[str, int]:
        if value is None:
            # CloudFormation requires it for PROVISIONED tables; locally a small default keeps moto happy.
            return {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        try:
            return {
                "ReadCapacityUnits": int(value["ReadCapacityUnits"]),
                "WriteCapacityUnits": int(value["WriteCapacityUnits"]),
            }
        except (KeyError, TypeError, ValueError):
            raise self.error(
                "ProvisionedThroughput needs integer ReadCapacityUnits and WriteCapacityUnits",
                line=line,
                resource=resource,
            ) from None

    def _index(
        self, index: Any, resource: str, line: int | None, section: str, billing_mode: str | None
    ) -> dict[str, Any]:
        if not isinstance(index, Mapping) or not isinstance(index.get("IndexName"), str):
            raise self.error(
                f"each of {section} needs an IndexName", line=line_of(index) or line, resource=resource
            )
        where = f"{resource} ({section} {index['IndexName']})"
        projection = index.get("Projection") or {"ProjectionType": "ALL"}
        if not isinstance(projection, Mapping):
            raise self.error("Projection must be a mapping", line=line_of(index) or line, resource=where)
        result: dict[str, Any] = {
            "IndexName": index["IndexName"],
            "KeySchema": self._key_schema(index.get("KeySchema"), where, line_of(index) or line),
            "Projection": {
                key: (list(value) if isinstance(value, list) else value) for key, value in projection.items()
            },
        }
        if billing_mode == "PROVISIONED":
            result["ProvisionedThroughput"] = self._throughput(
                index.get("ProvisionedThroughput"), where, line_of(index) or line
            )
        return result


def _cfn_string(value: object) -> str:
    """How CloudFormation turns a scalar into a string property (``true``, ``3``, ``0.5``)."""
    if value is NO_VALUE:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def load_template(
    path: Path | str,
    *,
    parameter_overrides: Mapping[str, str] | None = None,
    stack_name: str = "local",
    region: str = "us-east-1",
) -> SamTemplate:
    """Read the SAM template at ``path``; raise :class:`TemplateError` naming file, line and resource."""
    template_path = Path(path).resolve()
    try:
        text = template_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError("the template file does not exist", path=template_path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read the template: {exc}", path=template_path) from None
    try:
        document = load_yaml(text, path=template_path)
    except YamlError as exc:
        raise TemplateError(exc.message, path=template_path, line=exc.line) from None
    if not isinstance(document, Mapping):
        raise TemplateError("the template must be a YAML mapping", path=template_path, line=1)
    reader = _Reader(
        template_path,
        document,
        parameter_overrides=dict(parameter_overrides or {}),
        stack_name=stack_name,
        region=region,
    )
    return reader.read()
