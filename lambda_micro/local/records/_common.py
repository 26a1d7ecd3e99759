"""What the non-HTTP event builders share: ARNs, timestamps, ids and DynamoDB's attribute-value JSON."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Mapping, Set
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from lambda_micro.local.sam.stack import ACCOUNT_ID

__all__ = ["ACCOUNT_ID", "arn", "body_text", "epoch_millis", "iso_time", "md5_hex", "new_id", "to_dynamodb"]

DEFAULT_REGION = "us-east-1"


def arn(service: str, resource: str, *, region: str = DEFAULT_REGION, account: str = ACCOUNT_ID) -> str:
    """``arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE`` (an S3 bucket's ARN has neither region nor account)."""
    if service == "s3":
        return f"arn:aws:s3:::{resource}"
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def now() -> datetime:
    return datetime.now(UTC)


def iso_time(moment: datetime | None = None, *, millis: bool = True) -> str:
    """``2024-01-02T03:04:05.678Z`` (``millis=False``: ``2024-01-02T03:04:05Z``, as EventBridge writes it)."""
    moment = (moment or now()).astimezone(UTC)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_millis(moment: datetime | None = None) -> str:
    return str(int((moment or now()).timestamp() * 1000))


def new_id() -> str:
    return str(uuid.uuid4())


def md5_hex(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def body_text(body: Any) -> str:
    """A message body: text as given, anything else as JSON."""
    if isinstance(body, str):
        return body
    if isinstance(body, bytes):
        return body.decode("utf-8")
    return json.dumps(body, separators=(",", ":"), default=str)


def _number(value: int | float | Decimal) -> str:
    return str(value)


def to_dynamodb(value: Any) -> dict[str, Any]:
    """A Python value as DynamoDB attribute-value JSON (``"a"`` -> ``{"S": "a"}``; binaries base64)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | float | Decimal):
        return {"N": _number(value)}
    if isinstance(value, bytes | bytearray):
        return {"B": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Set):
        items = list(value)
        if items and all(isinstance(item, str) for item in items):
            return {"SS": sorted(items)}
        if items and all(isinstance(item, bytes) for item in items):
            return {"BS": [base64.b64encode(item).decode("ascii") for item in sorted(items)]}
        if items and all(
            isinstance(item, int | float | Decimal) and not isinstance(item, bool) for item in items
        ):
            return {"NS": [_number(item) for item in sorted(items)]}
        raise TypeError(f"a DynamoDB set holds strings, numbers or binaries, all of one kind: got {value!r}")
    if isinstance(value, Mapping):
        return {"M": {str(key): to_dynamodb(item) for key, item in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_dynamodb(item) for item in value]}
    raise TypeError(f"{type(value).__name__} has no DynamoDB type")


def item_to_dynamodb(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item of Python values as DynamoDB JSON."""
    return {str(key): to_dynamodb(value) for key, value in item.items()}
