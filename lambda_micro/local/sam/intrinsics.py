"""Evaluation of CloudFormation intrinsic functions as the functions would see their values at run time.

The resolver knows the stack's parameters, conditions, mappings and resources, and gives each resource a
deterministic physical name (``<stack>-<LogicalId>-<SUFFIX>`` like CloudFormation, unless the template names
it), so ``!Ref Table`` in an ``Environment`` gives the table name the local tables are created under, and
``!GetAtt Table.Arn`` a plausible ARN.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from .cfn_yaml import CfnMap, line_of

__all__ = ["NO_VALUE", "ResolveError", "Resolver", "is_intrinsic"]

ACCOUNT_ID: Final = "123456789012"


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Final = _NoValue()

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


def _suffix(*parts: str, length: int = 12) -> str:
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return base64.b32encode(digest).decode().rstrip("=")[:length]


def api_physical_id(stack_name: str, logical_id: str) -> str:
    """A 10-character lower-case id like API Gateway's, stable for a stack and logical id."""
    return _suffix(stack_name, logical_id, "api", length=10).lower()


class Resolver:
    """Evaluate intrinsic functions against one stack."""

    def __init__(
        self,
        *,
        parameters: Mapping[str, str | list[str]],
        resources: Mapping[str, Mapping[str, Any]],
        conditions: Mapping[str, Any],
        mappings: Mapping[str, Any],
        stack_name: str,
        region: str,
        account_id: str = ACCOUNT_ID,
        implicit_resources: Mapping[str, str] | None = None,
    ) -> None:
        self.parameters = dict(parameters)
        self.resources = resources
        self.conditions_source = conditions
        self.mappings = mappings
        self.stack_name = stack_name
        self.region = region
        self.account_id = account_id
        self.partition = "aws-cn" if region.startswith("cn-") else "aws"
        self.url_suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        # Resources SAM creates (``ServerlessRestApi``, ``<Function>Role``...): logical id -> type.
        self.implicit_resources = dict(implicit_resources or {})
        self._condition_values: dict[str, bool] = {}
        self._evaluating: set[str] = set()

    # -- names --------------------------------------------------------------------------------------------

    def resource_type(self, logical_id: str) -> str | None:
        resource = self.resources.get(logical_id)
        if isinstance(resource, Mapping):
            rtype = resource.get("Type")
            return rtype if isinstance(rtype, str) else None
        return self.implicit_resources.get(logical_id)

    def _declared_name(self, logical_id: str, prop: str) -> str | None:
        resource = self.resources.get(logical_id)
        if not isinstance(resource, Mapping):
            return None
        properties = resource.get("Properties")
        if not isinstance(properties, Mapping) or prop not in properties:
            return None
        value = self.resolve(properties[prop])
        return None if value is NO_VALUE else str(value)

    def generated_name(self, logical_id: str, *, lower: bool = False, max_length: int | None = None) -> str:
        """``<stack>-<LogicalId>-<SUFFIX>``: how CloudFormation names an unnamed resource."""
        name = f"{self.stack_name}-{logical_id}-{_suffix(self.stack_name, logical_id)}"
        if lower:
            name = name.lower()
        if max_length is not None and len(name) > max_length:
            name = name[: max_length - 13] + name[-13:]
        return name

    def physical_name(self, logical_id: str) -> str:
        """The value ``!Ref logical_id`` has at run time."""
        rtype = self.resource_type(logical_id)
        if rtype in (
            "AWS::Serverless::Api",
            "AWS::Serverless::HttpApi",
            "AWS::ApiGateway::RestApi",
        ) or rtype in ("AWS::ApiGatewayV2::Api",):
            return api_physical_id(self.stack_name, logical_id)
        named_by = {
            "AWS::Serverless::SimpleTable": "TableName",
            "AWS::DynamoDB::Table": "TableName",
            "AWS::S3::Bucket": "BucketName",
            "AWS::Serverless::Function": "FunctionName",
            "AWS::Lambda::Function": "FunctionName",
            "AWS::SQS::Queue": "QueueName",
            "AWS::SNS::Topic": "TopicName",
            "AWS::IAM::Role": "RoleName",
        }.get(rtype or "")
        declared = self._declared_name(logical_id, named_by) if named_by else None
        if rtype == "AWS::S3::Bucket":
            return declared or self.generated_name(logical_id, lower=True, max_length=63)
        name = declared or self.generated_name(logical_id)
        if rtype == "AWS::SQS::Queue":
            return f"https://sqs.{self.region}.{self.url_suffix}/{self.account_id}/{name}"
        if rtype == "AWS::SNS::Topic":
            return f"arn:{self.partition}:sns:{self.region}:{self.account_id}:{name}"
        return name

    def arn(self, logical_id: str) -> str:
        rtype = self.resource_type(logical_id) or ""
        name = self.physical_name(logical_id)
        p, region, account = self.partition, self.region, self.account_id
        if rtype in ("AWS::Serverless::SimpleTable", "AWS::DynamoDB::Table"):
            return f"arn:{p}:dynamodb:{region}:{account}:table/{name}"
        if rtype == "AWS::S3::Bucket":
            return f"arn:{p}:s3:::{name}"
        if rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            return f"arn:{p}:lambda:{region}:{account}:function:{name}"
        if rtype == "AWS::SQS::Queue":
            return f"arn:{p}:sqs:{region}:{account}:{name.rsplit('/', 1)[-1]}"
        if rtype == "AWS::SNS::Topic":
            return name
        if rtype == "AWS::IAM::Role":
            return f"arn:{p}:iam::{account}:role/{name}"
        if rtype in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            return f"arn:{p}:states:{region}:{account}:stateMachine:{name}"
        if rtype == "AWS::Events::EventBus":
            return f"arn:{p}:events:{region}:{account}:event-bus/{name}"
        parts = rtype.split("::")
        service = parts[1].lower() if len(parts) == 3 else "unknown"
        kind = parts[2].lower() if len(parts) == 3 else "resource"
        return f"arn:{p}:{service}:{region}:{account}:{kind}/{name}"

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
            url_id = _suffix(self.stack_name, logical_id, "url", length=32).lower()
            return f"https://{url_id}.lambda-url.{self.region}.on.aws/"
        if rtype in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi") and attribute == "RootResourceId":
            return _suffix(self.stack_name, logical_id, "root", length=10).lower()
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
