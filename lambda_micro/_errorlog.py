"""One structured log record per unhandled exception, shared by the App and the adapter.

Lambda ships each line written to stderr/stdout to CloudWatch as one event, so the record is a single JSON
line: CloudWatch Logs Insights can filter on its fields, and a multi-line traceback never splits into
several events. The raw event is never logged (it carries cookies and Authorization headers).
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Mapping
from typing import Any

__all__ = ["log_unhandled_exception"]


def _request_ids(environ: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    if not environ:
        return None, None
    context = environ.get("lambda.context")
    aws_request_id = getattr(context, "aws_request_id", None)
    request_context = environ.get("lambda.request_context")
    api_request_id = request_context.get("requestId") if isinstance(request_context, Mapping) else None
    return (
        aws_request_id if isinstance(aws_request_id, str) else None,
        api_request_id if isinstance(api_request_id, str) else None,
    )


def log_unhandled_exception(
    logger: logging.Logger,
    exc: BaseException,
    environ: Mapping[str, Any] | None = None,
    *,
    message: str = "Unhandled exception",
    fields: Mapping[str, Any] | None = None,
) -> None:
    """Log ``exc`` once: a single JSON line with the Lambda and API Gateway request ids and the traceback.

    ``fields`` are added to the record (a non-HTTP event's source and record id).
    """
    aws_request_id, api_request_id = _request_ids(environ)
    record: dict[str, Any] = {
        "level": "ERROR",
        "message": message,
        "error_type": type(exc).__qualname__,
        "error": str(exc),
        **(fields or {}),
    }
    if aws_request_id is not None:
        record["aws_request_id"] = aws_request_id
    if api_request_id is not None:
        record["api_request_id"] = api_request_id
    if environ:
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO")
        if isinstance(method, str):
            record["method"] = method
        if isinstance(path, str):
            record["path"] = (environ.get("SCRIPT_NAME") or "") + path
    record["traceback"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    # default=str: a request id or message that is not JSON-native must never make logging itself fail.
    logger.error(json.dumps(record, default=str, ensure_ascii=False))
