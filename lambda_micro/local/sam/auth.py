"""Reading ``Auth``: each API's authorizers (:class:`ApiAuth`) and what each route needs (:class:`RouteAuth`).

SAM's rules, from its documentation and its translator (``samtranslator/model/apigateway.py`` and
``apigatewayv2.py``): a REST authorizer with ``UserPoolArn`` is a Cognito user pool authorizer, one with
``FunctionArn`` a Lambda authorizer (``FunctionPayloadType`` ``TOKEN`` by default; ``REQUEST`` must name an
identity source unless ``ReauthorizeEvery`` is 0); an unset ``ReauthorizeEvery`` is API Gateway's default
TTL, 300 s on REST and none on HTTP APIs; ``Identity.Header`` defaults to ``Authorization``. An HTTP API
authorizer with ``JwtConfiguration`` is a JWT authorizer (``IdentitySource`` required), one with
``FunctionArn`` a Lambda authorizer (``AuthorizerPayloadFormatVersion`` required). An event's
``Auth.Authorizer`` names one of its API's authorizers, ``AWS_IAM`` or ``NONE``; without it the API's
``DefaultAuthorizer`` applies. ``AuthorizationScopes`` on the event replace the authorizer's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._base import ReaderBase, truthy
from .auth_model import (
    IAM,
    ApiAuth,
    Authorizer,
    CognitoAuthorizer,
    IdentitySources,
    JwtAuthorizer,
    LambdaAuthorizer,
    RouteAuth,
)
from .cfn_yaml import line_of
from .model import ApiKind

__all__ = ["AuthReader"]

_HEADER_SOURCE = "$request.header."
_QUERY_SOURCE = "$request.querystring."


class AuthReader(ReaderBase):
    """Reads ``Auth`` of APIs (``_api_auth``) and events (``_route_auth``)."""

    def _api_auth(self, api_id: str, kind: ApiKind, auth: Any, line: int | None) -> ApiAuth:
        if auth is None:
            return ApiAuth()
        where = f"{api_id}.Auth"
        if not isinstance(auth, Mapping):
            raise self.error("Auth must be a mapping", line=line, resource=where)
        line = line_of(auth) or line
        raw_authorizers = auth.get("Authorizers") or {}
        if not isinstance(raw_authorizers, Mapping):
            raise self.error("Authorizers must be a mapping of names", line=line, resource=where)
        authorizers: dict[str, Authorizer] = {}
        for name, spec in raw_authorizers.items():
            at = f"{where}.Authorizers.{name}"
            spec_line = line_of(raw_authorizers, name) or line
            if not isinstance(spec, Mapping):
                raise self.error("an authorizer must be a mapping", line=spec_line, resource=at)
            if kind == "rest":
                authorizers[str(name)] = self._rest_authorizer(str(name), spec, at, spec_line)
            else:
                authorizers[str(name)] = self._http_authorizer(str(name), spec, at, spec_line)
        resolved = self.resolve(
            {key: auth.get(key) for key in ("DefaultAuthorizer", "ApiKeyRequired", "EnableIamAuthorizer")},
            resource=where,
            line=line,
        )
        enable_iam = truthy(resolved.get("EnableIamAuthorizer"))
        default = resolved.get("DefaultAuthorizer")
        if default is not None:
            default = str(default)
            known = default in authorizers or (default == "AWS_IAM" and (kind == "rest" or enable_iam))
            if not known:
                raise self.error(
                    f"DefaultAuthorizer {default!r} is not one of the API's authorizers "
                    f"({', '.join(authorizers) or 'none'}"
                    f"{', AWS_IAM' if kind == 'rest' or enable_iam else ''})",
                    line=line_of(auth, "DefaultAuthorizer") or line,
                    resource=where,
                )
        return ApiAuth(
            authorizers=authorizers,
            default=default,
            api_key_required=truthy(resolved.get("ApiKeyRequired")),
            enable_iam=enable_iam,
        )

    def _function_of(self, arn_value: Any, at: str, line: int | None) -> tuple[str | None, str]:
        """The template function a ``FunctionArn`` names (``!GetAtt Fn.Arn``, or its ARN), and the ARN."""
        target: str | None = None
        if isinstance(arn_value, Mapping) and set(arn_value) == {"Fn::GetAtt"}:
            argument = arn_value["Fn::GetAtt"]
            parts = argument.split(".", 1) if isinstance(argument, str) else list(argument)
            if len(parts) == 2 and parts[1] == "Arn":
                target = str(parts[0])
        arn = str(self.resolve(arn_value, resource=at, line=line))
        if target is None:
            target = next(
                (
                    logical
                    for logical, resource in self.resources.items()
                    if isinstance(resource, Mapping)
                    and resource.get("Type") == "AWS::Serverless::Function"
                    and self.resolver.arn(logical) == arn
                ),
                None,
            )
        if target is not None and self.resolver.resource_type(target) != "AWS::Serverless::Function":
            target = None
        return target, arn

    def _scopes(self, value: Any, at: str, line: int | None) -> tuple[str, ...]:
        scopes = self.resolve(value, resource=at, line=line)
        if scopes is None:
            return ()
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise self.error("AuthorizationScopes must be a list of strings", line=line, resource=at)
        return tuple(scopes)

    def _identity(self, spec: Mapping[str, Any], at: str, line: int | None) -> dict[str, Any]:
        identity = self.resolve(spec.get("Identity") or {}, resource=at, line=line)
        if not isinstance(identity, Mapping):
            raise self.error("Identity must be a mapping", line=line, resource=at)
        for key in ("Headers", "QueryStrings", "StageVariables", "Context"):
            value = identity.get(key)
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, str) for v in value)
            ):
                raise self.error(f"Identity.{key} must be a list of strings", line=line, resource=at)
        return dict(identity)

    def _ttl(self, identity: Mapping[str, Any], default: int, at: str, line: int | None) -> int:
        value = identity.get("ReauthorizeEvery")
        if value is None:
            return default
        try:
            ttl = int(str(value))
        except ValueError:
            raise self.error(
                f"ReauthorizeEvery must be a number of seconds, got {value!r}", line=line, resource=at
            ) from None
        if not 0 <= ttl <= 3600:
            raise self.error(f"ReauthorizeEvery must be 0..3600 seconds, got {ttl}", line=line, resource=at)
        return ttl

    def _rest_authorizer(self, name: str, spec: Mapping[str, Any], at: str, line: int | None) -> Authorizer:
        identity = self._identity(spec, at, line)
        header = str(identity.get("Header") or "Authorization")
        expression = identity.get("ValidationExpression")
        scopes = self._scopes(spec.get("AuthorizationScopes"), at, line)
        if "UserPoolArn" in spec:
            arns = self.resolve(spec["UserPoolArn"], resource=at, line=line)
            arns = arns if isinstance(arns, list) else [arns]
            return CognitoAuthorizer(
                name=name,
                user_pool_arns=tuple(str(arn) for arn in arns),
                header=header,
                validation_expression=str(expression) if expression else None,
                ttl=self._ttl(identity, 300, at, line),
                scopes=scopes,
            )
        if "FunctionArn" not in spec:
            raise self.error(
                "a REST authorizer needs UserPoolArn (Cognito) or FunctionArn (Lambda)",
                line=line,
                resource=at,
            )
        payload = str(self.resolve(spec.get("FunctionPayloadType") or "TOKEN", resource=at, line=line))
        if payload not in ("TOKEN", "REQUEST"):
            raise self.error(
                f"FunctionPayloadType must be TOKEN or REQUEST, got {payload!r}", line=line, resource=at
            )
        sources = self._sources(identity)
        ttl = self._ttl(identity, 300, at, line)
        if payload == "TOKEN":
            sources = IdentitySources(headers=(header,))
        elif sources.empty and ttl > 0:
            raise self.error(
                "a REQUEST authorizer must name Identity Headers, QueryStrings, StageVariables or Context "
                "(or set ReauthorizeEvery: 0)",
                line=line,
                resource=at,
            )
        function_id, arn = self._function_of(spec["FunctionArn"], at, line)
        return LambdaAuthorizer(
            name=name,
            api_kind="rest",
            function_id=function_id,
            function_arn=arn,
            payload="TOKEN" if payload == "TOKEN" else "REQUEST",
            identity=sources,
            validation_expression=str(expression) if expression and payload == "TOKEN" else None,
            ttl=ttl,
        )

    @staticmethod
    def _sources(identity: Mapping[str, Any]) -> IdentitySources:
        return IdentitySources(
            headers=tuple(identity.get("Headers") or ()),
            query_strings=tuple(identity.get("QueryStrings") or ()),
            stage_variables=tuple(identity.get("StageVariables") or ()),
            context=tuple(identity.get("Context") or ()),
        )

    def _http_authorizer(self, name: str, spec: Mapping[str, Any], at: str, line: int | None) -> Authorizer:
        scopes = self._scopes(spec.get("AuthorizationScopes"), at, line)
        if "JwtConfiguration" in spec:
            config = self.resolve(spec["JwtConfiguration"], resource=at, line=line)
            source = self.resolve(spec.get("IdentitySource"), resource=at, line=line)
            if not isinstance(config, Mapping) or not config.get("issuer"):
                raise self.error("JwtConfiguration needs an issuer", line=line, resource=at)
            if not isinstance(source, str) or not source.startswith(_HEADER_SOURCE):
                raise self.error(
                    f"IdentitySource must be $request.header.NAME for a JWT authorizer, got {source!r}",
                    line=line,
                    resource=at,
                )
            audience = config.get("audience") or []
            audience = audience if isinstance(audience, list) else [audience]
            return JwtAuthorizer(
                name=name,
                issuer=str(config["issuer"]),
                audience=tuple(str(item) for item in audience),
                header=source[len(_HEADER_SOURCE) :],
                scopes=scopes,
            )
        if "FunctionArn" not in spec:
            raise self.error(
                "an HTTP API authorizer needs JwtConfiguration (JWT) or FunctionArn (Lambda)",
                line=line,
                resource=at,
            )
        version = self.resolve(spec.get("AuthorizerPayloadFormatVersion"), resource=at, line=line)
        if str(version) not in ("1.0", "2.0"):
            raise self.error(
                f"AuthorizerPayloadFormatVersion must be 1.0 or 2.0, got {version!r}", line=line, resource=at
            )
        simple = truthy(self.resolve(spec.get("EnableSimpleResponses"), resource=at, line=line))
        if simple and str(version) != "2.0":
            raise self.error(
                "EnableSimpleResponses needs AuthorizerPayloadFormatVersion 2.0", line=line, resource=at
            )
        identity = self._identity(spec, at, line)
        function_id, arn = self._function_of(spec["FunctionArn"], at, line)
        return LambdaAuthorizer(
            name=name,
            api_kind="http",
            function_id=function_id,
            function_arn=arn,
            payload="REQUEST",
            identity=self._sources(identity),
            ttl=self._ttl(identity, 0, at, line),
            payload_format_version=str(version),
            simple_responses=simple,
        )

    def _route_auth(
        self, api_auth: ApiAuth, kind: ApiKind, auth: Any, where: str, line: int | None
    ) -> RouteAuth | None:
        """What an event's route requires: its ``Auth`` over its API's; ``None`` when nothing."""
        resolved = self.resolve(auth, resource=where, line=line) if auth is not None else {}
        if not isinstance(resolved, Mapping):
            raise self.error("Auth must be a mapping", line=line, resource=where)
        name = resolved.get("Authorizer", api_auth.default)
        authorizer: Authorizer | None = None
        if name is not None and name != "NONE":
            name = str(name)
            if name == "AWS_IAM" and (kind == "rest" or api_auth.enable_iam):
                authorizer = IAM
            elif name in api_auth.authorizers:
                authorizer = api_auth.authorizers[name]
            else:
                known = [*api_auth.authorizers, "NONE"]
                if kind == "rest" or api_auth.enable_iam:
                    known.append("AWS_IAM")
                hint = (
                    " (AWS_IAM needs the API's Auth.EnableIamAuthorizer: true)" if name == "AWS_IAM" else ""
                )
                raise self.error(
                    f"Auth.Authorizer {name!r} is not an authorizer of the event's API (its authorizers: "
                    f"{', '.join(known)}){hint}",
                    line=line_of(auth, "Authorizer") if isinstance(auth, Mapping) else line,
                    resource=where,
                )
        scopes: tuple[str, ...] = ()
        if "AuthorizationScopes" in resolved:
            scopes = self._scopes(resolved["AuthorizationScopes"], where, line)
        elif isinstance(authorizer, CognitoAuthorizer | JwtAuthorizer):
            scopes = authorizer.scopes
        api_key = resolved.get("ApiKeyRequired", api_auth.api_key_required if kind == "rest" else False)
        route = RouteAuth(
            authorizer=authorizer, scopes=scopes, api_key_required=kind == "rest" and truthy(api_key)
        )
        return None if route.open else route
