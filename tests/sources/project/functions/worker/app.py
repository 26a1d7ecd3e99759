"""A worker on every non-HTTP source: each record it handles leaves an item in the Effects table."""

from __future__ import annotations

import os

import boto3

from lambda_micro import App
from lambda_micro.events import (
    EventBridgeEvent,
    KinesisRecord,
    S3Object,
    ScheduledEvent,
    SNSMessage,
    SQSMessage,
    StreamRecord,
)

app = App(__name__)
effects = boto3.resource("dynamodb").Table(os.environ["EFFECTS_TABLE"])
handler = app.lambda_handler


def record(effect: str) -> None:
    if "fail" in effect:
        raise RuntimeError(f"asked to fail: {effect}")
    effects.put_item(Item={"id": effect})


@app.on_sqs(os.environ["JOBS_QUEUE"])
def job(message: SQSMessage) -> None:
    record(f"sqs:{message.body}:{message.receive_count}")


@app.on_sqs(os.environ["ORDERS_QUEUE"])
def order(message: SQSMessage) -> None:
    record(f"fifo:{message.body}")


@app.on_s3(os.environ["UPLOADS_BUCKET"], prefix="uploads/")
def upload(obj: S3Object) -> None:
    record(f"s3:{obj.event_name}:{obj.key}:{obj.size}")


@app.on_dynamodb_stream(os.environ["ITEMS_TABLE"])
def item(change: StreamRecord) -> None:
    image = change.new_image or change.old_image or {}
    record(f"ddb:{change.event_name}:{change.keys['id']}:{image.get('n')}")


@app.on_kinesis(os.environ["CLICKS_STREAM"])
def click(data: KinesisRecord) -> None:
    record(f"kinesis:{data.text()}")


@app.on_sns(os.environ["NEWS_TOPIC"])
def news(message: SNSMessage) -> None:
    record(f"sns:{message.subject}:{message.message}")


@app.on_event(source="test.shop")
def shop(event: EventBridgeEvent) -> dict[str, str]:
    record(f"event:{event.detail_type}:{event.detail.get('n')}")
    return {"handled": event.id}


@app.schedule("every-minute")
@app.schedule("nightly")
def tick(event: ScheduledEvent) -> str:
    record(f"schedule:{event.name}:{event.source}")
    return event.name
