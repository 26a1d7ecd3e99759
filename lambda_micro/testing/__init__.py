"""Test kit: invoke Lambda handlers with real events, and a pytest plugin for SAM projects.

``Client`` sends HTTP requests to a handler (or an ``App``) as API Gateway, an ALB, a Function URL, VPC
Lattice or a Lambda@Edge trigger would, ``build_event`` builds those events, ``sqs_event``, ``s3_event``,
``dynamodb_stream_event``, ``kinesis_event``, ``scheduled_event``, ``eventbridge_event`` and ``sns_event``
build the non-HTTP ones, ``LambdaContext`` stands in for Lambda's context, and ``assert_no_drift`` checks
that ``template.yaml`` and the functions agree. The pytest plugin (loaded automatically) adds the
``lambda_context``, ``aws``, ``sam_template`` and ``function_client`` fixtures.

Everything is imported on first use, so loading the plugin costs almost nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lambda_micro.local.context import LambdaContext as LambdaContext
    from lambda_micro.local.events import build_event as build_event
    from lambda_micro.local.events import cognito_authorizer as cognito_authorizer
    from lambda_micro.local.events import iam_authorizer as iam_authorizer
    from lambda_micro.local.events import jwt_authorizer as jwt_authorizer
    from lambda_micro.local.events import lambda_authorizer as lambda_authorizer
    from lambda_micro.local.invoke import FunctionTimedOut as FunctionTimedOut
    from lambda_micro.local.records import dynamodb_change as dynamodb_change
    from lambda_micro.local.records import dynamodb_stream_event as dynamodb_stream_event
    from lambda_micro.local.records import eventbridge_event as eventbridge_event
    from lambda_micro.local.records import kinesis_event as kinesis_event
    from lambda_micro.local.records import kinesis_record as kinesis_record
    from lambda_micro.local.records import s3_event as s3_event
    from lambda_micro.local.records import s3_record as s3_record
    from lambda_micro.local.records import scheduled_event as scheduled_event
    from lambda_micro.local.records import sns_event as sns_event
    from lambda_micro.local.records import sns_record as sns_record
    from lambda_micro.local.records import sqs_event as sqs_event
    from lambda_micro.local.records import sqs_message as sqs_message
    from lambda_micro.local.results import InvalidResult as InvalidResult

    from ._acting import DEV_ISSUER as DEV_ISSUER
    from ._acting import ActingAs as ActingAs
    from ._acting import dev_token as dev_token
    from ._client import Client as Client
    from ._client import LambdaResponse as LambdaResponse
    from ._drift import assert_no_drift as assert_no_drift

__all__ = [
    "DEV_ISSUER",
    "ActingAs",
    "Client",
    "FunctionTimedOut",
    "InvalidResult",
    "LambdaContext",
    "LambdaResponse",
    "assert_no_drift",
    "build_event",
    "cognito_authorizer",
    "dev_token",
    "dynamodb_change",
    "dynamodb_stream_event",
    "eventbridge_event",
    "iam_authorizer",
    "jwt_authorizer",
    "kinesis_event",
    "kinesis_record",
    "lambda_authorizer",
    "s3_event",
    "s3_record",
    "scheduled_event",
    "sns_event",
    "sns_record",
    "sqs_event",
    "sqs_message",
]

_EXPORTS = {
    "ActingAs": "lambda_micro.testing._acting",
    "DEV_ISSUER": "lambda_micro.testing._acting",
    "dev_token": "lambda_micro.testing._acting",
    "Client": "lambda_micro.testing._client",
    "LambdaResponse": "lambda_micro.testing._client",
    "LambdaContext": "lambda_micro.local.context",
    "assert_no_drift": "lambda_micro.testing._drift",
    "build_event": "lambda_micro.local.events",
    "cognito_authorizer": "lambda_micro.local.events",
    "iam_authorizer": "lambda_micro.local.events",
    "jwt_authorizer": "lambda_micro.local.events",
    "lambda_authorizer": "lambda_micro.local.events",
    "InvalidResult": "lambda_micro.local.results",
    "FunctionTimedOut": "lambda_micro.local.invoke",
    "dynamodb_change": "lambda_micro.local.records",
    "dynamodb_stream_event": "lambda_micro.local.records",
    "eventbridge_event": "lambda_micro.local.records",
    "kinesis_event": "lambda_micro.local.records",
    "kinesis_record": "lambda_micro.local.records",
    "s3_event": "lambda_micro.local.records",
    "s3_record": "lambda_micro.local.records",
    "scheduled_event": "lambda_micro.local.records",
    "sns_event": "lambda_micro.local.records",
    "sns_record": "lambda_micro.local.records",
    "sqs_event": "lambda_micro.local.records",
    "sqs_message": "lambda_micro.local.records",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
