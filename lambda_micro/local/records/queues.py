"""SQS and SNS events, as Lambda delivers them (``sqs_event``, ``sns_event``)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ._common import ACCOUNT_ID, DEFAULT_REGION, arn, body_text, epoch_millis, iso_time, md5_hex, new_id

__all__ = [
    "sns_event",
    "sns_record",
    "sqs_event",
    "sqs_message",
    "sqs_message_attributes",
    "sqs_record_from_message",
]

MessageAttributes = Mapping[str, str | int | float | bytes]


def sqs_message_attributes(values: MessageAttributes | None) -> dict[str, Any]:
    """Message attributes as an SQS event carries them (``{"stringValue": ..., "dataType": "String"}``)."""
    attributes: dict[str, Any] = {}
    for name, value in (values or {}).items():
        if isinstance(value, bytes):
            attribute = {"binaryValue": base64.b64encode(value).decode("ascii"), "dataType": "Binary"}
        elif isinstance(value, bool) or not isinstance(value, int | float):
            attribute = {"stringValue": str(value), "dataType": "String"}
        else:
            attribute = {"stringValue": str(value), "dataType": "Number"}
        attributes[name] = {**attribute, "stringListValues": [], "binaryListValues": []}
    return attributes


def sqs_message(
    body: Any = "",
    *,
    queue: str = "my-queue",
    message_id: str | None = None,
    receive_count: int = 1,
    message_attributes: MessageAttributes | None = None,
    group_id: str | None = None,
    deduplication_id: str | None = None,
    sent_at: datetime | None = None,
    region: str = DEFAULT_REGION,
    account: str = ACCOUNT_ID,
) -> dict[str, Any]:
    """One record of an SQS event; ``body`` is text, or JSON-encoded when it is not. ``queue`` is a name or
    an ARN; a FIFO queue's name ends in ``.fifo`` (its records carry a group, a deduplication id and a
    sequence number)."""
    queue_arn = queue if queue.startswith("arn:") else arn("sqs", queue, region=region, account=account)
    text = body_text(body)
    attributes = {
        "ApproximateReceiveCount": str(receive_count),
        "SentTimestamp": epoch_millis(sent_at),
        "SenderId": "AIDAIENQZJOLO23YVJ4VO",
        "ApproximateFirstReceiveTimestamp": epoch_millis(sent_at),
    }
    if queue_arn.endswith(".fifo"):
        attributes["SequenceNumber"] = str(18849496460467696128 + secrets.randbelow(10**6))
        attributes["MessageGroupId"] = group_id or "default"
        attributes["MessageDeduplicationId"] = deduplication_id or md5_hex(text)
    elif group_id is not None:
        raise ValueError(f"group_id is for FIFO queues (a name ending in .fifo), not {queue_arn}")
    return {
        "messageId": message_id or new_id(),
        "receiptHandle": base64.b64encode(secrets.token_bytes(48)).decode("ascii"),
        "body": text,
        "attributes": attributes,
        "messageAttributes": sqs_message_attributes(message_attributes),
        "md5OfBody": md5_hex(text),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3] or region,
    }


def sqs_event(
    *bodies: Any,
    queue: str = "my-queue",
    region: str = DEFAULT_REGION,
    account: str = ACCOUNT_ID,
    **options: Any,
) -> dict[str, Any]:
    """An SQS event with one record per body (``sqs_event({"id": 1}, "text", queue="orders")``); a body that
    is already a record (from :func:`sqs_message`) is used as it is. ``options`` go to :func:`sqs_message`."""
    records = [
        body
        if isinstance(body, Mapping) and "messageId" in body
        else sqs_message(body, queue=queue, region=region, account=account, **options)
        for body in bodies
    ]
    return {"Records": records or [sqs_message(queue=queue, region=region, account=account, **options)]}


def sns_record(
    message: Any = "",
    *,
    topic: str = "my-topic",
    subject: str | None = None,
    message_id: str | None = None,
    message_attributes: MessageAttributes | None = None,
    timestamp: datetime | None = None,
    region: str = DEFAULT_REGION,
    account: str = ACCOUNT_ID,
) -> dict[str, Any]:
    """One record of an SNS event; ``message`` is text, or JSON-encoded when it is not."""
    topic_arn = topic if topic.startswith("arn:") else arn("sns", topic, region=region, account=account)
    topic_region = topic_arn.split(":")[3]
    subscription = f"{topic_arn}:{new_id()}"
    attributes = {}
    for name, value in (message_attributes or {}).items():
        if isinstance(value, bytes):
            attributes[name] = {"Type": "Binary", "Value": base64.b64encode(value).decode("ascii")}
        elif isinstance(value, bool) or not isinstance(value, int | float):
            attributes[name] = {"Type": "String", "Value": str(value)}
        else:
            attributes[name] = {"Type": "Number", "Value": str(value)}
    host = f"https://sns.{topic_region}.amazonaws.com"
    return {
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription,
        "EventSource": "aws:sns",
        "Sns": {
            "SignatureVersion": "1",
            "Timestamp": iso_time(timestamp),
            "Signature": base64.b64encode(secrets.token_bytes(64)).decode("ascii"),
            "SigningCertUrl": f"{host}/SimpleNotificationService-{secrets.token_hex(16)}.pem",
            "MessageId": message_id or new_id(),
            "Message": body_text(message),
            "MessageAttributes": attributes,
            "Type": "Notification",
            "UnsubscribeUrl": f"{host}/?Action=Unsubscribe&SubscriptionArn={subscription}",
            "TopicArn": topic_arn,
            "Subject": subject,
        },
    }


def sns_event(*messages: Any, topic: str = "my-topic", **options: Any) -> dict[str, Any]:
    """An SNS event with one record per message (SNS sends one; more are allowed for tests)."""
    records = [
        message
        if isinstance(message, Mapping) and "Sns" in message
        else sns_record(message, topic=topic, **options)
        for message in messages
    ]
    return {"Records": records or [sns_record(topic=topic, **options)]}


def sqs_record_from_message(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    """The event record Lambda builds from a message ``ReceiveMessage`` returned (boto3's shape)."""
    attributes = {str(key): str(value) for key, value in (message.get("Attributes") or {}).items()}
    message_attributes: dict[str, Any] = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        attribute: dict[str, Any] = {
            "dataType": value["DataType"],
            "stringListValues": [],
            "binaryListValues": [],
        }
        if "BinaryValue" in value:
            attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
        else:
            attribute["stringValue"] = value.get("StringValue", "")
        message_attributes[name] = attribute
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody") or md5_hex(message["Body"]),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record
