"""Non-HTTP events on the same App: SQS, S3, DynamoDB and Kinesis streams, schedules, EventBridge, SNS.

``@app.on_sqs``, ``@app.on_s3``, ``@app.on_dynamodb_stream``, ``@app.on_kinesis``, ``@app.schedule``,
``@app.on_event`` and ``@app.on_sns`` (on blueprints too) register handlers; ``app.lambda_handler`` sends
HTTP events to the WSGI app and the others here (:mod:`.dispatch`), with an application context pushed.
Handlers receive the typed records of :mod:`.records`. Nothing here is imported by an app that only
serves HTTP.
"""

from __future__ import annotations

from .errors import BadRecord as BadRecord
from .errors import BatchFailed as BatchFailed
from .errors import UnmatchedEvent as UnmatchedEvent
from .records import EventBridgeEvent as EventBridgeEvent
from .records import KinesisRecord as KinesisRecord
from .records import S3Object as S3Object
from .records import ScheduledEvent as ScheduledEvent
from .records import SNSMessage as SNSMessage
from .records import SQSMessage as SQSMessage
from .records import StreamRecord as StreamRecord
from .registry import EventHandler as EventHandler

__all__ = [
    "BadRecord",
    "BatchFailed",
    "EventBridgeEvent",
    "EventHandler",
    "KinesisRecord",
    "S3Object",
    "SNSMessage",
    "SQSMessage",
    "ScheduledEvent",
    "StreamRecord",
    "UnmatchedEvent",
]
