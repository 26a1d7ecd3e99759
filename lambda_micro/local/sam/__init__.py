"""The SAM template: its model (:mod:`.model`), read from YAML (:mod:`.reader`) with CloudFormation's
intrinsic functions evaluated (:mod:`.intrinsics`) and line numbers kept for messages (:mod:`.cfn_yaml`)."""

from __future__ import annotations

from .model import (
    IMPLICIT_HTTP_API,
    IMPLICIT_REST_API,
    Api,
    ApiKind,
    Bucket,
    EventSource,
    ExternalLayer,
    Function,
    FunctionUrl,
    Layer,
    Queue,
    Route,
    SamTemplate,
    Stream,
    Table,
    TemplateError,
    Topic,
)
from .reader import load_template

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
    "load_template",
]
