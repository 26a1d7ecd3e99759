"""The events of the non-HTTP sources, as Lambda delivers them: the test kit's builders (re-exported by
:mod:`lambda_micro.testing`) and what local delivery sends to the functions.

=========================  ==================================================================
``sqs_event``              SQS (standard or FIFO, by the queue's name), one record per body
``s3_event``               S3 event notifications (``ObjectCreated:Put``...), keys URL-encoded
``dynamodb_stream_event``  DynamoDB stream records, images given as plain Python values
``kinesis_event``          Kinesis data stream records, data base64-encoded
``scheduled_event``        an EventBridge rule's or EventBridge Scheduler's schedule firing
``eventbridge_event``      an event an EventBridge rule delivers
``sns_event``              SNS notifications
=========================  ==================================================================

Every builder's output validates against AWS Lambda Powertools' parser models of the event.
"""

from __future__ import annotations

from ._common import item_to_dynamodb, to_dynamodb
from .eventbridge import eventbridge_event, scheduled_event
from .queues import sns_event, sns_record, sqs_event, sqs_message
from .s3 import s3_event, s3_record
from .streams import dynamodb_change, dynamodb_stream_event, kinesis_event, kinesis_record

__all__ = [
    "dynamodb_change",
    "dynamodb_stream_event",
    "eventbridge_event",
    "item_to_dynamodb",
    "kinesis_event",
    "kinesis_record",
    "s3_event",
    "s3_record",
    "scheduled_event",
    "sns_event",
    "sns_record",
    "sqs_event",
    "sqs_message",
    "to_dynamodb",
]
