"""DynamoDB stream and Kinesis events, as Lambda receives them (``dynamodb_stream_event``,
``kinesis_event``). Sequence numbers grow from one record to the next, as a shard's do."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from ._common import ACCOUNT_ID, DEFAULT_REGION, arn, item_to_dynamodb, new_id, now

__all__ = ["dynamodb_change", "dynamodb_stream_event", "kinesis_event", "kinesis_record"]

_sequence = itertools.count(100000000000000000001)
_VIEW_TYPES: Final = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")


def _stream_arn(table: str, region: str, account: str) -> str:
    if table.startswith("arn:"):
        return table if "/stream/" in table else f"{table}/stream/2024-01-01T00:00:00.000"
    return arn("dynamodb", f"table/{table}/stream/2024-01-01T00:00:00.000", region=region, account=account)


def dynamodb_change(
    event_name: str = "INSERT",
    *,
    keys: Mapping[str, Any],
    new: Mapping[str, Any] | None = None,
    old: Mapping[str, Any] | None = None,
    table: str = "my-table",
    view_type: str = "NEW_AND_OLD_IMAGES",
    sequence_number: str | None = None,
    created_at: datetime | None = None,
    ttl_delete: bool = False,
    region: str = DEFAULT_REGION,
    account: str = ACCOUNT_ID,
    dynamodb_json: bool = False,
) -> dict[str, Any]:
    """One stream record. ``keys``, ``new`` and ``old`` are items of Python values (``dynamodb_json``:
    already in DynamoDB JSON); the images the ``view_type`` does not carry are left out, as DynamoDB does."""
    if event_name not in ("INSERT", "MODIFY", "REMOVE"):
        raise ValueError(f"event_name must be INSERT, MODIFY or REMOVE, not {event_name!r}")
    if view_type not in _VIEW_TYPES:
        raise ValueError(f"view_type must be one of {', '.join(_VIEW_TYPES)}, not {view_type!r}")

    def encode(item: Mapping[str, Any]) -> dict[str, Any]:
        return dict(item) if dynamodb_json else item_to_dynamodb(item)

    change: dict[str, Any] = {
        "ApproximateCreationDateTime": float(int((created_at or now()).timestamp())),
        "Keys": encode(keys),
        "SequenceNumber": sequence_number or str(next(_sequence)),
        "StreamViewType": view_type,
    }
    if new is not None and event_name != "REMOVE" and view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        change["NewImage"] = encode(new)
    if old is not None and event_name != "INSERT" and view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
        change["OldImage"] = encode(old)
    change["SizeBytes"] = len(json.dumps(change, separators=(",", ":")))
    stream_arn = _stream_arn(table, region, account)
    record: dict[str, Any] = {
        "eventID": new_id().replace("-", ""),
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": stream_arn.split(":")[3] or region,
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }
    if ttl_delete:
        record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    return record


def dynamodb_stream_event(
    *changes: Mapping[str, Any], table: str = "my-table", **options: Any
) -> dict[str, Any]:
    """A DynamoDB stream event: each change is a record from :func:`dynamodb_change`, or the keyword
    arguments of one (``{"event_name": "INSERT", "keys": {"id": "1"}, "new": {...}}``)."""
    records = [
        dict(change) if "dynamodb" in change else dynamodb_change(table=table, **{**options, **change})
        for change in changes
    ]
    return {"Records": records}


def kinesis_record(
    data: Any = b"",
    *,
    stream: str = "my-stream",
    partition_key: str = "1",
    sequence_number: str | None = None,
    arrived_at: datetime | None = None,
    shard_id: str = "shardId-000000000000",
    region: str = DEFAULT_REGION,
    account: str = ACCOUNT_ID,
) -> dict[str, Any]:
    """One record: ``data`` is bytes, text (UTF-8) or JSON-encoded, base64-encoded as Kinesis sends it."""
    if isinstance(data, str):
        payload = data.encode("utf-8")
    elif isinstance(data, bytes):
        payload = data
    else:
        payload = json.dumps(data, separators=(",", ":")).encode("utf-8")
    stream_arn = (
        stream
        if stream.startswith("arn:")
        else arn("kinesis", f"stream/{stream}", region=region, account=account)
    )
    sequence = sequence_number or f"4959{next(_sequence):052d}"
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": sequence,
            "data": base64.b64encode(payload).decode("ascii"),
            "approximateArrivalTimestamp": round((arrived_at or now()).timestamp(), 3),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": f"arn:aws:iam::{account}:role/lambda-role",
        "awsRegion": stream_arn.split(":")[3] or region,
        "eventSourceARN": stream_arn,
    }


def kinesis_event(*data: Any, stream: str = "my-stream", **options: Any) -> dict[str, Any]:
    """A Kinesis event with one record per item of ``data`` (a record from :func:`kinesis_record` is kept)."""
    records = [
        item
        if isinstance(item, Mapping) and "kinesis" in item
        else kinesis_record(item, stream=stream, **options)
        for item in data
    ]
    return {"Records": records}
