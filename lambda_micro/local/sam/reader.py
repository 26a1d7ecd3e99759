"""Read ``template.yaml`` into the model the way SAM and CloudFormation would, for what matters locally.

``load_template("template.yaml")``: ``Globals`` are merged into each function, ``Parameters`` take their
defaults (or overrides), ``Conditions`` decide which resources exist, and intrinsic functions in environment
variables and names are evaluated (``!Ref Table`` is the table's name, ``!GetAtt Table.Arn`` a plausible
ARN). Anything broken raises :class:`TemplateError`, whose message names the file, the line and the
resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lambda_micro.adapter.infer import HTTP_V1, HTTP_V2, REST

from ._base import FUNCTION_TYPES, cfn_string, merge_globals
from .auth import AuthReader
from .cfn_yaml import YamlError, line_of, load_yaml
from .cognito import CognitoReader
from .event_reader import EventSourceReader
from .event_sources import Queue, Stream, Topic
from .intrinsics import ResolveError, api_physical_id
from .layers import LayerReader
from .model import (
    IMPLICIT_HTTP_API,
    IMPLICIT_REST_API,
    Api,
    ApiKind,
    Bucket,
    ExternalLayer,
    Function,
    FunctionUrl,
    Layer,
    Route,
    SamTemplate,
    Table,
    TemplateError,
)
from .references import ReferenceChecks
from .tables import TABLE_TYPES, TableReader

__all__ = ["load_template"]

_HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")


class _Reader(ReferenceChecks, LayerReader, TableReader, EventSourceReader, AuthReader, CognitoReader):
    def read(self) -> SamTemplate:
        functions: dict[str, Function] = {}
        tables: dict[str, Table] = {}
        buckets: dict[str, Bucket] = {}
        queues: dict[str, Queue] = {}
        topics: dict[str, Topic] = {}
        streams: dict[str, Stream] = {}
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
            if rtype in FUNCTION_TYPES:
                functions[logical_id] = self._function(logical_id, resource, line, apis, layers)
            elif rtype in TABLE_TYPES:
                tables[logical_id] = self._table(logical_id, rtype, resource, line)
            elif rtype == "AWS::S3::Bucket":
                self._properties(logical_id, resource, line)
                buckets[logical_id] = Bucket(
                    logical_id=logical_id,
                    name=self.resolver.physical_name(logical_id),
                    arn=self.resolver.arn(logical_id),
                    line=line,
                )
            elif rtype == "AWS::SQS::Queue":
                queues[logical_id] = self._queue(logical_id, resource, line)
            elif rtype == "AWS::SNS::Topic":
                topics[logical_id] = self._topic(logical_id, resource, line)
            elif rtype == "AWS::Kinesis::Stream":
                streams[logical_id] = self._kinesis_stream(logical_id, resource, line)
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
        pools, clients, groups, keys = self._cognito()
        return SamTemplate(
            path=self.path,
            user_pools=pools,
            user_pool_clients=clients,
            user_pool_groups=groups,
            api_keys=keys,
            functions=functions,
            tables=tables,
            buckets=buckets,
            apis=apis,
            parameters=dict(self.parameter_strings),
            stack_name=self.stack_name,
            region=self.region,
            conditions=conditions,
            layers=layers,
            queues=queues,
            topics=topics,
            streams=streams,
        )

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
            raw = merge_globals(
                rest_globals if kind == "rest" else http_globals,
                self._properties(logical_id, resource, line),
            )
            # Auth is read apart: its FunctionArns must stay ``!GetAtt``s to name the template's functions.
            props = self.resolve(
                {k: v for k, v in raw.items() if k != "Auth"}, resource=logical_id, line=line
            )
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
                auth=self._api_auth(logical_id, kind, raw.get("Auth"), line),
            )
        rest_props = self.resolve(
            {k: v for k, v in rest_globals.items() if k != "Auth"}, resource="Globals.Api"
        )
        apis.setdefault(
            IMPLICIT_REST_API,
            Api(
                logical_id=IMPLICIT_REST_API,
                kind="rest",
                stage="Prod",
                api_id=api_physical_id(self.stack_name, IMPLICIT_REST_API),
                binary_media_types=self._binary_types(rest_props, "Globals.Api", None),
                implicit=True,
                auth=self._api_auth(
                    "Globals.Api", "rest", rest_globals.get("Auth"), line_of(self.globals, "Api")
                ),
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
                auth=self._api_auth(
                    "Globals.HttpApi", "http", http_globals.get("Auth"), line_of(self.globals, "HttpApi")
                ),
            ),
        )
        return apis

    def _binary_types(self, props: Mapping[str, Any], resource: str, line: int | None) -> tuple[str, ...]:
        types = props.get("BinaryMediaTypes") or []
        if not isinstance(types, list) or not all(isinstance(item, str) for item in types):
            raise self.error("BinaryMediaTypes must be a list of strings", line=line, resource=resource)
        # API Gateway escapes "/" as "~1" in media types (``image~1png``).
        return tuple(item.replace("~1", "/") for item in types)

    def _function(
        self,
        logical_id: str,
        resource: Mapping[str, Any],
        line: int | None,
        apis: Mapping[str, Api],
        layers: Mapping[str, Layer | ExternalLayer] | None = None,
    ) -> Function:
        raw = merge_globals(self.globals.get("Function") or {}, self._properties(logical_id, resource, line))
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
                environment[str(name)] = cfn_string(value)

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
            event_sources=self._event_sources(logical_id, events, line),
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
                {k: v for k, v in props.items() if k not in ("RestApiId", "ApiId", "Auth")},
                resource=where,
                line=line,
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
                    source=REST if kind == "rest" else (HTTP_V2 if payload == "2.0" else HTTP_V1),
                    api_id=api_logical,
                    stage=api.stage,
                    binary_media_types=api.binary_media_types,
                    is_default_route=is_default,
                    line=line,
                    physical_api_id=api.api_id,
                    auth=self._route_auth(api.auth, kind, props.get("Auth"), where, line),
                )
            )
        return routes


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
