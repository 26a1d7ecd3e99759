"""The events an HTTP request becomes, one module per event source (Mangum's shape).

===============  ===================================================================================
``rest``         API Gateway REST API (payload 1.0): ``multiValueHeaders``, decoded query values
``http-1.0``     HTTP API with payload format 1.0
``http-2.0``     HTTP API payload 2.0: lower-cased headers, ``cookies``, ``rawQueryString``, ``routeKey``
``url``          Lambda Function URL (the 2.0 shape on ``<id>.lambda-url.<region>.on.aws``)
``alb``          Application Load Balancer (single- or multi-value headers; query values stay encoded)
``lattice-1.0``  VPC Lattice target group, event structure version 1: snake_case, one string per header
``lattice-2.0``  VPC Lattice version 2: camelCase, lists of values, ``requestContext`` (caller identity)
``edge``         Lambda@Edge viewer-request or origin-request trigger: ``Records[0].cf.request``
===============  ===================================================================================

Every builder (:data:`BUILDERS`) takes one frozen :class:`EventRequest`; :func:`event_for` picks it by the
request's ``source`` (the adapter's :data:`~lambda_micro.adapter.infer.Source`). The local gateway, the
test client, ``lambda-micro invoke`` and ``lambda-micro event`` all build their events here;
:func:`build_event` is the convenience for a request written by hand. Events validate against AWS Lambda
Powertools' event models (the Lambda@Edge ones, for which Powertools has none, follow AWS's documented
structure).
"""

from __future__ import annotations

from lambda_micro.local.routing import path_parameter_values

from ._common import is_text_content_type
from .authorizers import cognito_authorizer, iam_authorizer, jwt_authorizer, lambda_authorizer
from .build import (
    BUILDERS,
    PAYLOADS,
    CookiesArg,
    HeadersArg,
    QueryArg,
    build_event,
    default_stage,
    edge_trigger_for,
    encode_path,
    event_for,
    source_for_payload,
)
from .request import EventRequest

__all__ = [
    "BUILDERS",
    "PAYLOADS",
    "CookiesArg",
    "EventRequest",
    "HeadersArg",
    "QueryArg",
    "build_event",
    "cognito_authorizer",
    "default_stage",
    "edge_trigger_for",
    "encode_path",
    "event_for",
    "iam_authorizer",
    "is_text_content_type",
    "jwt_authorizer",
    "lambda_authorizer",
    "path_parameter_values",
    "source_for_payload",
]
