"""Evaluation of CloudFormation intrinsic functions as the functions would see their values at run time.

The resolver knows the stack's parameters, conditions, mappings and resources (:class:`.stack.Stack`, which
also names the resources), and evaluates ``!Ref``, ``!GetAtt``, ``!Sub``, ``!If``, ``!Join``... against them.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .cfn_yaml import CfnMap, line_of
from .stack import ACCOUNT_ID, NO_VALUE, Stack, api_physical_id, suffix

__all__ = ["ACCOUNT_ID", "NO_VALUE", "ResolveError", "Resolver", "api_physical_id", "is_intrinsic"]

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class ResolveError(Exception):
    """An intrinsic function cannot be evaluated; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def is_intrinsic(value: object) -> bool:
    """True for ``{"Ref": ...}``, ``{"Fn::X": ...}`` and ``{"Condition": ...}`` (a one-key mapping)."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    (key,) = value.keys()
    return key in ("Ref", "Condition") or (isinstance(key, str) and key.startswith("Fn::"))


class Resolver(Stack):
    """Evaluate intrinsic functions against one stack."""

    def get_att(self, logical_id: str, attribute: str, line: int | None) -> Any:
        rtype = self.resource_type(logical_id)
        if rtype is None:
            raise ResolveError(f"!GetAtt {logical_id}.{attribute}: no resource named {logical_id!r}", line)
        name = self.physical_name(logical_id)
        if attribute == "Arn" or (rtype == "AWS::SNS::Topic" and attribute == "TopicArn"):
            return self.arn(logical_id)
        if rtype in ("AWS::Serverless::SimpleTable", "AWS::DynamoDB::Table") and attribute == "StreamArn":
            return f"{self.arn(logical_id)}/stream/2024-01-01T00:00:00.000"
        if rtype == "AWS::S3::Bucket":
            bucket_attributes = {
                "DomainName": f"{name}.s3.{self.url_suffix}",
                "RegionalDomainName": f"{name}.s3.{self.region}.{self.url_suffix}",
                "DualStackDomainName": f"{name}.s3.dualstack.{self.region}.{self.url_suffix}",
                "WebsiteURL": f"http://{name}.s3-website-{self.region}.{self.url_suffix}",
            }
            if attribute in bucket_attributes:
                return bucket_attributes[attribute]
        if rtype == "AWS::SQS::Queue":
            if attribute == "QueueUrl":
                return name
            if attribute == "QueueName":
                return name.rsplit("/", 1)[-1]
        if rtype == "AWS::SNS::Topic" and attribute == "TopicName":
            return name.rsplit(":", 1)[-1]
        if rtype == "AWS::Lambda::Url" and attribute == "FunctionUrl":
            url_id = suffix(self.stack_name, logical_id, "url", length=32).lower()
            return f"https://{url_id}.lambda-url.{self.region}.on.aws/"
        if rtype in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi") and attribute == "RootResourceId":
            return suffix(self.stack_name, logical_id, "root", length=10).lower()
        if rtype == "AWS::Cognito::UserPool" and attribute in ("ProviderName", "ProviderURL", "UserPoolId"):
            provider = f"cognito-idp.{self.region}.{self.url_suffix}/{name}"
            values = {"ProviderName": provider, "ProviderURL": f"https://{provider}", "UserPoolId": name}
            return values[attribute]
        if rtype == "AWS::Cognito::UserPoolClient" and attribute == "ClientId":
            return name
        if rtype == "AWS::ApiGateway::ApiKey" and attribute == "APIKeyId":
            return name
        if rtype in ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api") and attribute == "ApiEndpoint":
            return f"https://{name}.execute-api.{self.region}.{self.url_suffix}"
        # An attribute we do not model: a stable, recognisable placeholder rather than a failure.
        return f"{name}.{attribute}"

    # -- references -----------------------------------------------------------------------------------------

    def ref(self, target: object, line: int | None) -> Any:
        if not isinstance(target, str):
            raise ResolveError(f"!Ref needs a name, got {target!r}", line)
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (
                f"arn:{self.partition}:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/"
                "00000000-0000-4000-8000-000000000000"
            ),
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::NotificationARNs": [],
        }
        if target == "AWS::NoValue":
            return NO_VALUE
        if target in pseudo:
            return pseudo[target]
        if target in self.parameters:
            return self.parameters[target]
        if self.resource_type(target) is not None:
            return self.physical_name(target)
        raise ResolveError(f"!Ref {target}: no parameter or resource named {target!r}", line)

    # -- conditions -----------------------------------------------------------------------------------------

    def condition(self, name: object, line: int | None = None) -> bool:
        if not isinstance(name, str) or name not in self.conditions_source:
            raise ResolveError(f"unknown condition {name!r}", line)
        if name in self._condition_values:
            return self._condition_values[name]
        if name in self._evaluating:
            raise ResolveError(
                f"condition {name!r} refers to itself", line_of(self.conditions_source, name) or line
            )
        self._evaluating.add(name)
        try:
            expression = self.conditions_source[name]
            value = self.resolve(expression)
            if not isinstance(value, bool):
                raise ResolveError(
                    f"condition {name!r} must be built from Fn::Equals/And/Or/Not, got {value!r}",
                    line_of(expression) or line,
                )
        finally:
            self._evaluating.discard(name)
        self._condition_values[name] = value
        return value

    # -- evaluation -----------------------------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """Evaluate every intrinsic function in ``value``; ``AWS::NoValue`` entries disappear."""
        if isinstance(value, Mapping):
            if is_intrinsic(value):
                ((key, argument),) = value.items()
                return self._intrinsic(key, argument, line_of(value, key))
            result: dict[str, Any] = CfnMap() if isinstance(value, CfnMap) else {}
            if isinstance(value, CfnMap) and isinstance(result, CfnMap):
                result.line, result.key_lines = value.line, dict(value.key_lines)
            for key, item in value.items():
                resolved = self.resolve(item)
                if resolved is not NO_VALUE:
                    result[key] = resolved
            return result
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        return value

    def _intrinsic(self, key: str, argument: Any, line: int | None) -> Any:
        handlers: dict[str, Callable[[Any, int | None], Any]] = {
            "Ref": self.ref,
            "Condition": self.condition,
            "Fn::Sub": self._sub,
            "Fn::GetAtt": self._get_att,
            "Fn::If": self._if,
            "Fn::Join": self._join,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::Equals": self._equals,
            "Fn::Not": self._not,
            "Fn::And": self._and,
            "Fn::Or": self._or,
            "Fn::FindInMap": self._find_in_map,
            "Fn::ImportValue": self._import_value,
            "Fn::Base64": self._base64,
            "Fn::GetAZs": self._get_azs,
            "Fn::Length": self._length,
            "Fn::ToJsonString": self._to_json_string,
        }
        handler = handlers.get(key)
        if handler is None:
            raise ResolveError(f"{key} is not supported by the local template reader", line)
        return handler(argument, line)

    def _string(self, value: Any, what: str, line: int | None) -> str:
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return "true" if resolved else "false"
        if isinstance(resolved, str | int | float):
            return str(resolved)
        raise ResolveError(f"{what} must be a string, got {resolved!r}", line)

    def _list(self, value: Any, what: str, line: int | None) -> list[Any]:
        resolved = self.resolve(value)
        if not isinstance(resolved, list):
            raise ResolveError(f"{what} must be a list, got {resolved!r}", line)
        return resolved

    def _sub(self, argument: Any, line: int | None) -> str:
        variables: Mapping[str, Any] = {}
        if isinstance(argument, list):
            if len(argument) != 2 or not isinstance(argument[1], Mapping):
                raise ResolveError("Fn::Sub takes a string or [string, {variables}]", line)
            template, variables = argument[0], argument[1]
        else:
            template = argument
        if not isinstance(template, str):
            raise ResolveError(f"Fn::Sub needs a string, got {template!r}", line)

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            name = name.strip()
            if name in variables:
                return self._string(variables[name], f"Fn::Sub variable {name}", line)
            if "." in name and name not in self.parameters:
                resource, _, attribute = name.partition(".")
                return str(self.get_att(resource, attribute, line))
            value = self.ref(name, line)
            if isinstance(value, list):
                raise ResolveError(f"Fn::Sub ${{{name}}} is a list parameter", line)
            return str(value)

        return _SUB_VARIABLE.sub(replace, template)

    def _get_att(self, argument: Any, line: int | None) -> Any:
        if isinstance(argument, str):
            argument = list(argument.partition(".")[::2])
        if not isinstance(argument, list) or len(argument) != 2:
            raise ResolveError("Fn::GetAtt takes [Resource, Attribute] or Resource.Attribute", line)
        resource = argument[0]
        attribute = self._string(argument[1], "Fn::GetAtt attribute", line)
        if not isinstance(resource, str):
            raise ResolveError(f"Fn::GetAtt needs a resource name, got {resource!r}", line)
        return self.get_att(resource, attribute, line)

    def _if(self, argument: Any, line: int | None) -> Any:
        if not isinstance(argument, list) or len(argument) != 3:
            raise ResolveError("Fn::If takes [Condition, value_if_true, value_if_false]", line)
        return self.resolve(argument[1] if self.condition(argument[0], line) else argument[2])

    def _join(self, argument: Any, line: int | None) -> str:
        if not isinstance(argument, list) or len(argument) != 2:
            raise ResolveError("Fn::Join takes [delimiter, [values]]", line)
        delimiter = self._string(argument[0], "Fn::Join delimiter", line)
        items = self._list(argument[1], "Fn::Join values", line)
        return delimiter.join(self._string(item, "Fn::Join value", line) for item in items)

    def _select(self, argument: Any, line: int | None) -> Any:
        if not isinstance(argument, list) or len(argument) != 2:
            raise ResolveError("Fn::Select takes [index, [values]]", line)
        index_text = self._string(argument[0], "Fn::Select index", line)
        items = self._list(argument[1], "Fn::Select values", line)
        try:
            return items[int(index_text)]
        except (ValueError, IndexError):
            raise ResolveError(f"Fn::Select index {index_text} is out of range for {items!r}", line) from None

    def _split(self, argument: Any, line: int | None) -> list[str]:
        if not isinstance(argument, list) or len(argument) != 2:
            raise ResolveError("Fn::Split takes [delimiter, string]", line)
        delimiter = self._string(argument[0], "Fn::Split delimiter", line)
        return self._string(argument[1], "Fn::Split source", line).split(delimiter)

    def _equals(self, argument: Any, line: int | None) -> bool:
        if not isinstance(argument, list) or len(argument) != 2:
            raise ResolveError("Fn::Equals takes [value, value]", line)
        left, right = (self.resolve(item) for item in argument)
        # CloudFormation compares as strings: ``!Equals [!Ref Count, 1]`` holds for the parameter "1".
        return bool(left == right or (_scalar(left) and _scalar(right) and str(left) == str(right)))

    def _conditions(self, argument: Any, name: str, line: int | None) -> list[bool]:
        if not isinstance(argument, list) or not argument:
            raise ResolveError(f"{name} takes a list of conditions", line)
        values = [self.resolve(item) for item in argument]
        if not all(isinstance(value, bool) for value in values):
            raise ResolveError(f"{name} takes conditions, got {values!r}", line)
        return values

    def _not(self, argument: Any, line: int | None) -> bool:
        values = self._conditions(argument, "Fn::Not", line)
        if len(values) != 1:
            raise ResolveError("Fn::Not takes exactly one condition", line)
        return not values[0]

    def _and(self, argument: Any, line: int | None) -> bool:
        return all(self._conditions(argument, "Fn::And", line))

    def _or(self, argument: Any, line: int | None) -> bool:
        return any(self._conditions(argument, "Fn::Or", line))

    def _find_in_map(self, argument: Any, line: int | None) -> Any:
        if not isinstance(argument, list) or len(argument) not in (3, 4):
            raise ResolveError("Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]", line)
        keys = [self._string(item, "Fn::FindInMap key", line) for item in argument[:3]]
        try:
            return self.resolve(self.mappings[keys[0]][keys[1]][keys[2]])
        except (KeyError, TypeError):
            if len(argument) == 4 and isinstance(argument[3], Mapping) and "DefaultValue" in argument[3]:
                return self.resolve(argument[3]["DefaultValue"])
            raise ResolveError(
                f"Fn::FindInMap: no entry {keys[0]}/{keys[1]}/{keys[2]} in Mappings", line
            ) from None

    def _import_value(self, argument: Any, line: int | None) -> str:
        # Another stack's export cannot be known locally: its name stands in for its value.
        return self._string(argument, "Fn::ImportValue name", line)

    def _base64(self, argument: Any, line: int | None) -> str:
        return base64.b64encode(self._string(argument, "Fn::Base64 value", line).encode()).decode()

    def _get_azs(self, argument: Any, line: int | None) -> list[str]:
        region = self._string(argument, "Fn::GetAZs region", line) or self.region
        return [f"{region}{zone}" for zone in "abc"]

    def _length(self, argument: Any, line: int | None) -> int:
        return len(self._list(argument, "Fn::Length value", line))

    def _to_json_string(self, argument: Any, line: int | None) -> str:
        return json.dumps(self.resolve(argument), separators=(",", ":"))


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool)
