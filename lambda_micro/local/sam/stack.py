"""A stack's resources and the names CloudFormation gives them (``!Ref`` and ``!GetAtt X.Arn`` values).

Each resource gets a deterministic physical name (``<stack>-<LogicalId>-<SUFFIX>`` like CloudFormation,
unless the template names it), so ``!Ref Table`` in an ``Environment`` gives the table name the local tables
are created under, and ``!GetAtt Table.Arn`` a plausible ARN.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["ACCOUNT_ID", "NO_VALUE", "Stack", "api_physical_id", "suffix"]

ACCOUNT_ID: Final = "123456789012"


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Final = _NoValue()


def suffix(*parts: str, length: int = 12) -> str:
    """A stable, CloudFormation-like random-looking suffix for ``parts``."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return base64.b32encode(digest).decode().rstrip("=")[:length]


def api_physical_id(stack_name: str, logical_id: str) -> str:
    """A 10-character lower-case id like API Gateway's, stable for a stack and logical id."""
    return suffix(stack_name, logical_id, "api", length=10).lower()


class Stack:
    """One stack: parameters, conditions, mappings, resources, and the names CloudFormation gives them."""

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

    def resolve(self, value: Any) -> Any:
        """The value of ``value`` with every intrinsic function evaluated (:class:`Resolver`)."""
        raise NotImplementedError

    def resource_type(self, logical_id: str) -> str | None:
        """The resource's ``Type`` (SAM's implicit resources too), or ``None`` when there is none."""
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
        name = f"{self.stack_name}-{logical_id}-{suffix(self.stack_name, logical_id)}"
        if lower:
            name = name.lower()
        if max_length is not None and len(name) > max_length:
            name = name[: max_length - 13] + name[-13:]
        return name

    def physical_name(self, logical_id: str) -> str:
        """The value ``!Ref logical_id`` has at run time."""
        rtype = self.resource_type(logical_id)
        generated_id = self._generated_id(logical_id, rtype)
        if generated_id is not None:
            return generated_id
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
            "AWS::Kinesis::Stream": "Name",
        }.get(rtype or "")
        declared = self._declared_name(logical_id, named_by) if named_by else None
        if rtype == "AWS::S3::Bucket":
            return declared or self.generated_name(logical_id, lower=True, max_length=63)
        name = declared or self.generated_name(logical_id)
        if rtype == "AWS::SQS::Queue":
            if declared is None and str(self._declared_name(logical_id, "FifoQueue")).lower() == "true":
                name += ".fifo"  # CloudFormation's generated name for a FIFO queue ends in .fifo
            return f"https://sqs.{self.region}.{self.url_suffix}/{self.account_id}/{name}"
        if rtype == "AWS::SNS::Topic":
            return f"arn:{self.partition}:sns:{self.region}:{self.account_id}:{name}"
        return name

    def _generated_id(self, logical_id: str, rtype: str | None) -> str | None:
        """The id AWS generates for the resources whose ``!Ref`` is an id, not a name (``None`` otherwise).

        A Cognito user pool id is ``<region>_<9 letters and digits>``, an app client id 26 lower-case
        letters and digits, an API key or usage plan id 10; the local AWS creates them under these ids.
        """
        if rtype == "AWS::Cognito::UserPool":
            return f"{self.region}_{suffix(self.stack_name, logical_id, 'userpool', length=9)}"
        if rtype == "AWS::Cognito::UserPoolClient":
            return suffix(self.stack_name, logical_id, "client", length=26).lower()
        if rtype == "AWS::Cognito::UserPoolGroup":
            return self._declared_name(logical_id, "GroupName") or self.generated_name(logical_id)
        if rtype in ("AWS::ApiGateway::ApiKey", "AWS::ApiGateway::UsagePlan"):
            return suffix(self.stack_name, logical_id, "key", length=10).lower()
        return None

    def arn(self, logical_id: str) -> str:
        """A plausible ARN for the resource (``!GetAtt X.Arn``)."""
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
        if rtype == "AWS::Cognito::UserPool":
            return f"arn:{p}:cognito-idp:{region}:{account}:userpool/{name}"
        if rtype in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            return f"arn:{p}:states:{region}:{account}:stateMachine:{name}"
        if rtype == "AWS::Events::EventBus":
            return f"arn:{p}:events:{region}:{account}:event-bus/{name}"
        parts = rtype.split("::")
        service = parts[1].lower() if len(parts) == 3 else "unknown"
        kind = parts[2].lower() if len(parts) == 3 else "resource"
        return f"arn:{p}:{service}:{region}:{account}:{kind}/{name}"
