"""The records a non-HTTP handler receives: small typed views over the event's JSON (no pydantic).

Each is built from one record of the event (``raw`` keeps it whole); the fields every record of its
source carries are checked when it is built, so a malformed record is a :class:`BadRecord` naming the
field before the handler runs. Bodies are decoded on demand (``json()``), with the same kind of error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from ._fields import Fields, decode_base64, parse_json
from .dynamodb_json import item_from_dynamodb
from .errors import BadRecord

__all__ = [
    "EventBridgeEvent",
    "KinesisRecord",
    "S3Object",
    "SNSMessage",
    "SQSMessage",
    "ScheduledEvent",
    "StreamRecord",
]


def _arn_resource(arn: str) -> str:
    """What follows the service part of an ARN (``table/posts/stream/...``, ``queue-name``)."""
    return arn.split(":", 5)[5] if arn.count(":") >= 5 else arn


class SQSMessage:
    """One message of an SQS event (``@app.on_sqs``)."""

    __slots__ = (
        "attributes",
        "aws_region",
        "body",
        "message_attributes",
        "message_id",
        "queue_arn",
        "raw",
        "receipt_handle",
    )

    def __init__(self, record: Mapping[str, Any], index: int = 0) -> None:
        fields = Fields(record, f"SQS record {index}")
        self.raw = record
        self.message_id: str = fields.text("messageId")
        fields.what = f"SQS message {self.message_id}"
        self.receipt_handle: str = fields.text("receiptHandle")
        self.body: str = fields.text("body")
        #: The queue's ARN (``eventSourceARN``).
        self.queue_arn: str = fields.text("eventSourceARN")
        self.aws_region: str = fields.optional_text("awsRegion") or ""
        #: SQS's attributes (``ApproximateReceiveCount``, ``SentTimestamp``, ``MessageGroupId``...).
        self.attributes: dict[str, str] = {
            str(k): str(v) for k, v in fields.optional_object("attributes").items()
        }
        self.message_attributes: dict[str, str | bytes] = self._message_attributes(fields)

    @staticmethod
    def _message_attributes(fields: Fields) -> dict[str, str | bytes]:
        values: dict[str, str | bytes] = {}
        for name, attribute in fields.optional_object("messageAttributes").items():
            attr = Fields(attribute, fields.what, f"messageAttributes.{name}.")
            data_type = attr.text("dataType")
            if data_type.startswith("Binary"):
                values[str(name)] = decode_base64(
                    attr.text("binaryValue"), fields.what, attr.prefix + "binaryValue"
                )
            else:
                values[str(name)] = attr.text("stringValue")
        return values

    @property
    def queue_name(self) -> str:
        """The queue's name (the last part of its ARN)."""
        return self.queue_arn.rsplit(":", 1)[-1]

    @property
    def is_fifo(self) -> bool:
        """Whether the message comes from a FIFO queue (``.fifo``)."""
        return self.queue_name.endswith(".fifo")

    @property
    def receive_count(self) -> int:
        """How many times the message was received (``ApproximateReceiveCount``; 1 on the first delivery)."""
        return int(self.attributes.get("ApproximateReceiveCount", "1"))

    @property
    def message_group_id(self) -> str | None:
        """The FIFO message group, or ``None``."""
        return self.attributes.get("MessageGroupId")

    @property
    def sent_at(self) -> datetime | None:
        """When the message was sent (``SentTimestamp``)."""
        return Fields(self.attributes, f"SQS message {self.message_id}", "attributes.").epoch(
            "SentTimestamp", milliseconds=True
        )

    def json(self) -> Any:
        """The body parsed as JSON; :class:`BadRecord` when it is not JSON."""
        return parse_json(self.body, f"SQS message {self.message_id}", "body")

    @property
    def item_identifier(self) -> str:
        """What a partial batch response names this message by (its ``messageId``)."""
        return self.message_id

    def __repr__(self) -> str:
        return f"<SQSMessage {self.message_id} from {self.queue_name}>"


class S3Object:
    """The object of one S3 event notification record (``@app.on_s3``)."""

    __slots__ = (
        "bucket",
        "bucket_arn",
        "etag",
        "event_name",
        "event_time",
        "key",
        "raw",
        "size",
        "version_id",
    )

    def __init__(self, record: Mapping[str, Any], index: int = 0) -> None:
        fields = Fields(record, f"S3 record {index}")
        self.raw = record
        #: ``ObjectCreated:Put``, ``ObjectRemoved:Delete``... (without the ``s3:`` prefix).
        self.event_name: str = fields.text("eventName")
        self.event_time: datetime = fields.time("eventTime")
        s3 = fields.nested("s3")
        bucket = s3.nested("bucket")
        self.bucket: str = bucket.text("name")
        self.bucket_arn: str = bucket.optional_text("arn") or f"arn:aws:s3:::{self.bucket}"
        obj = s3.nested("object")
        #: The key, URL-decoded (S3 sends ``my+photo%281%29.jpg`` for ``my photo(1).jpg``).
        self.key: str = unquote_plus(obj.text("key"))
        #: The size in bytes (``None`` for events without one, such as deletions).
        self.size: int | None = obj.optional_int("size")
        self.etag: str | None = obj.optional_text("eTag")
        self.version_id: str | None = obj.optional_text("versionId")

    @property
    def item_identifier(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def __repr__(self) -> str:
        return f"<S3Object {self.event_name} s3://{self.bucket}/{self.key}>"


class StreamRecord:
    """One change of a DynamoDB stream (``@app.on_dynamodb_stream``), images as plain Python values.

    ``keys``, ``new_image`` and ``old_image`` are dicts of Python values (numbers as ``Decimal``, sets as
    ``set``, binaries as ``bytes``); an image the stream's view type does not carry is ``None``.
    """

    __slots__ = (
        "event_id",
        "event_name",
        "event_source_arn",
        "keys",
        "new_image",
        "old_image",
        "raw",
        "sequence_number",
        "stream_view_type",
    )

    def __init__(self, record: Mapping[str, Any], index: int = 0) -> None:
        fields = Fields(record, f"DynamoDB stream record {index}")
        self.raw = record
        self.event_id: str = fields.text("eventID")
        #: ``INSERT``, ``MODIFY`` or ``REMOVE``.
        self.event_name: str = fields.text("eventName")
        self.event_source_arn: str = fields.text("eventSourceARN")
        change = fields.nested("dynamodb")
        self.sequence_number: str = change.text("SequenceNumber")
        fields.what = change.what = f"DynamoDB stream record {self.sequence_number}"
        self.stream_view_type: str | None = change.optional_text("StreamViewType")
        self.keys: dict[str, Any] = self._image(change, "Keys", required=True) or {}
        self.new_image: dict[str, Any] | None = self._image(change, "NewImage")
        self.old_image: dict[str, Any] | None = self._image(change, "OldImage")

    @staticmethod
    def _image(change: Fields, name: str, *, required: bool = False) -> dict[str, Any] | None:
        value = change.data.get(name)
        if value is None:
            if required:
                raise change.bad(name, "is missing")
            return None
        if not isinstance(value, Mapping):
            raise change.bad(name, "must be an object")
        try:
            return item_from_dynamodb(value, change.prefix + name)
        except ValueError as exc:
            raise BadRecord(change.what, change.prefix + name, f"is not DynamoDB JSON ({exc})") from None

    @property
    def table_name(self) -> str:
        """The table's name, from the stream's ARN (``arn:aws:dynamodb:...:table/NAME/stream/...``)."""
        return _arn_resource(self.event_source_arn).split("/")[1] if "/" in self.event_source_arn else ""

    @property
    def is_ttl_delete(self) -> bool:
        """Whether DynamoDB's time to live removed the item (not a user's delete)."""
        identity = self.raw.get("userIdentity")
        return isinstance(identity, Mapping) and identity.get("principalId") == "dynamodb.amazonaws.com"

    @property
    def item_identifier(self) -> str:
        """What a partial batch response names this record by (its sequence number)."""
        return self.sequence_number

    def __repr__(self) -> str:
        return f"<StreamRecord {self.event_name} {self.keys!r} in {self.table_name}>"


class KinesisRecord:
    """One record of a Kinesis data stream (``@app.on_kinesis``); ``data`` is base64-decoded."""

    __slots__ = ("data", "event_id", "event_source_arn", "partition_key", "raw", "sequence_number")

    def __init__(self, record: Mapping[str, Any], index: int = 0) -> None:
        fields = Fields(record, f"Kinesis record {index}")
        self.raw = record
        self.event_id: str = fields.text("eventID")
        self.event_source_arn: str = fields.text("eventSourceARN")
        kinesis = fields.nested("kinesis")
        self.sequence_number: str = kinesis.text("sequenceNumber")
        kinesis.what = f"Kinesis record {self.sequence_number}"
        self.partition_key: str = kinesis.text("partitionKey")
        self.data: bytes = decode_base64(kinesis.text("data"), kinesis.what, "kinesis.data")

    @property
    def stream_name(self) -> str:
        """The stream's name, from its ARN (``arn:aws:kinesis:...:stream/NAME``)."""
        return _arn_resource(self.event_source_arn).partition("/")[2]

    @property
    def approximate_arrival(self) -> datetime | None:
        """When the record reached the stream."""
        return Fields(self.raw.get("kinesis"), f"Kinesis record {self.sequence_number}", "kinesis.").epoch(
            "approximateArrivalTimestamp", milliseconds=False
        )

    def text(self) -> str:
        """``data`` as UTF-8 text; :class:`BadRecord` when it is not."""
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRecord(
                f"Kinesis record {self.sequence_number}", "kinesis.data", "is not UTF-8 text"
            ) from None

    def json(self) -> Any:
        """``data`` parsed as JSON; :class:`BadRecord` when it is not."""
        return parse_json(self.data, f"Kinesis record {self.sequence_number}", "kinesis.data")

    @property
    def item_identifier(self) -> str:
        return self.sequence_number

    def __repr__(self) -> str:
        return f"<KinesisRecord {self.sequence_number} in {self.stream_name}>"


class EventBridgeEvent:
    """An event delivered by an EventBridge rule (``@app.on_event``)."""

    __slots__ = ("account", "detail", "detail_type", "id", "raw", "region", "resources", "source", "time")

    def __init__(self, event: Mapping[str, Any]) -> None:
        fields = Fields(event, "EventBridge event")
        self.raw = event
        self.id: str = fields.text("id")
        fields.what = f"EventBridge event {self.id}"
        self.source: str = fields.text("source")
        self.detail_type: str = fields.text("detail-type")
        self.account: str = fields.optional_text("account") or ""
        self.region: str = fields.optional_text("region") or ""
        self.time: datetime = fields.time("time")
        resources = event.get("resources", [])
        if not isinstance(resources, list) or not all(isinstance(item, str) for item in resources):
            raise fields.bad("resources", "must be a list of strings")
        self.resources: list[str] = resources
        detail = event.get("detail", {})
        if isinstance(detail, str):  # EventBridge Scheduler sends "{}" when the schedule has no input
            detail = parse_json(detail, fields.what, "detail") if detail.strip() else {}
        if not isinstance(detail, Mapping):
            raise fields.bad("detail", "must be an object")
        self.detail: dict[str, Any] = dict(detail)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.source} {self.detail_type!r} {self.id}>"


class ScheduledEvent(EventBridgeEvent):
    """A schedule firing (``@app.schedule``): an EventBridge rule's ``Scheduled Event`` (SAM ``Schedule``)
    or an EventBridge Scheduler schedule's (SAM ``ScheduleV2``) without an input of its own."""

    __slots__ = ()

    @property
    def arn(self) -> str:
        """The rule's or the schedule's ARN."""
        return self.resources[0] if self.resources else ""

    @property
    def name(self) -> str:
        """The rule's name (``rule/NAME``, ``rule/BUS/NAME``) or the schedule's (``schedule/GROUP/NAME``)."""
        return _arn_resource(self.arn).rsplit("/", 1)[-1]

    @property
    def group(self) -> str | None:
        """The EventBridge Scheduler schedule group (``default`` unless set), ``None`` for a rule."""
        parts = _arn_resource(self.arn).split("/")
        return parts[1] if parts[0] == "schedule" and len(parts) == 3 else None


class SNSMessage:
    """One notification of an SNS event (``@app.on_sns``)."""

    __slots__ = (
        "message",
        "message_attributes",
        "message_id",
        "raw",
        "subject",
        "timestamp",
        "topic_arn",
        "type",
    )

    def __init__(self, record: Mapping[str, Any], index: int = 0) -> None:
        fields = Fields(record, f"SNS record {index}")
        self.raw = record
        sns = fields.nested("Sns")
        self.message_id: str = sns.text("MessageId")
        fields.what = sns.what = f"SNS message {self.message_id}"
        self.topic_arn: str = sns.text("TopicArn")
        self.message: str = sns.text("Message")
        self.subject: str | None = sns.optional_text("Subject")
        self.type: str = sns.optional_text("Type") or "Notification"
        self.timestamp: datetime = sns.time("Timestamp")
        values: dict[str, str | bytes] = {}
        for name, attribute in sns.optional_object("MessageAttributes").items():
            attr = Fields(attribute, sns.what, f"Sns.MessageAttributes.{name}.")
            kind, value = attr.text("Type"), attr.text("Value")
            values[str(name)] = (
                decode_base64(value, sns.what, attr.prefix + "Value") if kind == "Binary" else value
            )
        self.message_attributes = values

    @property
    def topic_name(self) -> str:
        """The topic's name (the last part of its ARN)."""
        return self.topic_arn.rsplit(":", 1)[-1]

    def json(self) -> Any:
        """``message`` parsed as JSON; :class:`BadRecord` when it is not."""
        return parse_json(self.message, f"SNS message {self.message_id}", "Sns.Message")

    @property
    def item_identifier(self) -> str:
        return self.message_id

    def __repr__(self) -> str:
        return f"<SNSMessage {self.message_id} from {self.topic_name}>"
