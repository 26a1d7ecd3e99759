"""Create the template's DynamoDB tables, S3 buckets, SQS queues, SNS topics, Kinesis streams and Cognito user
pools on a local AWS (moto), with boto3.

Works in-process inside ``moto.mock_aws()`` and against a moto server
(``client_kwargs={"endpoint_url": ...}``). Creation is idempotent: what already exists is left as it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .sam import Queue, SamTemplate, Table

__all__ = ["CreatedResources", "create_resources", "table_request"]


@dataclass
class CreatedResources:
    """What :func:`create_resources` made: logical id -> physical name."""

    tables: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)
    #: Queue logical id -> its URL; topic and stream logical ids -> their ARNs.
    queues: dict[str, str] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)
    streams: dict[str, str] = field(default_factory=dict)
    user_pools: dict[str, str] = field(default_factory=dict)  # logical id -> pool id


def table_request(table: Table) -> dict[str, Any]:
    """The ``CreateTable`` request for ``table`` (keys, indexes, billing, streams)."""
    request: dict[str, Any] = {
        "TableName": table.name,
        "KeySchema": [dict(key) for key in table.key_schema],
        "AttributeDefinitions": [dict(item) for item in table.attribute_definitions],
        "BillingMode": table.billing_mode,
    }
    if table.billing_mode == "PROVISIONED":
        request["ProvisionedThroughput"] = dict(
            table.provisioned_throughput or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    if table.global_secondary_indexes:
        request["GlobalSecondaryIndexes"] = [dict(index) for index in table.global_secondary_indexes]
    if table.local_secondary_indexes:
        request["LocalSecondaryIndexes"] = [dict(index) for index in table.local_secondary_indexes]
    stream = table.stream_specification
    if stream:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            **{key: value for key, value in stream.items() if key == "StreamViewType"},
        }
    return request


def create_resources(
    template: SamTemplate, *, client_kwargs: Mapping[str, Any] | None = None
) -> CreatedResources:
    """Create every table (keys, GSIs, LSIs, TTL, streams), bucket, queue (with its redrive policy), topic,
    Kinesis stream and user pool (with its app clients and groups:
    :func:`~lambda_micro.local.cognito.create_user_pools`) of ``template``; existing ones are kept."""
    import boto3  # noqa: PLC0415 - dev-only dependency, imported when resources are created

    kwargs: dict[str, Any] = {"region_name": template.region, **dict(client_kwargs or {})}
    region = kwargs["region_name"]
    created = CreatedResources()
    if template.tables:
        dynamodb = boto3.client("dynamodb", **kwargs)
        existing = set(_all_tables(dynamodb))
        for logical_id, table in template.tables.items():
            created.tables[logical_id] = table.name
            if table.name in existing:
                continue
            try:
                dynamodb.create_table(**table_request(table))
            except dynamodb.exceptions.ResourceInUseException:
                continue  # created meanwhile by another process sharing the local AWS
            if table.time_to_live_attribute:
                dynamodb.update_time_to_live(
                    TableName=table.name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": table.time_to_live_attribute},
                )
    if template.buckets:
        s3 = boto3.client("s3", **kwargs)
        existing_buckets = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
        for logical_id, bucket in template.buckets.items():
            created.buckets[logical_id] = bucket.name
            if bucket.name in existing_buckets:
                continue
            request: dict[str, Any] = {"Bucket": bucket.name}
            if region != "us-east-1":
                request["CreateBucketConfiguration"] = {"LocationConstraint": region}
            try:
                s3.create_bucket(**request)
            except (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
                continue
    if template.queues:
        created.queues = _create_queues(template, boto3.client("sqs", **kwargs))
    if template.topics:
        sns = boto3.client("sns", **kwargs)
        for logical_id, topic in template.topics.items():
            attributes = {"FifoTopic": "true"} if topic.fifo else {}
            created.topics[logical_id] = sns.create_topic(Name=topic.name, Attributes=attributes)["TopicArn"]
    if template.streams:
        kinesis = boto3.client("kinesis", **kwargs)
        existing_streams = set(kinesis.list_streams().get("StreamNames", []))
        for logical_id, stream in template.streams.items():
            if stream.name not in existing_streams:
                kinesis.create_stream(StreamName=stream.name, ShardCount=stream.shard_count)
            created.streams[logical_id] = stream.arn
    if template.user_pools:
        from .cognito import create_user_pools  # noqa: PLC0415 - moto's Cognito, only when there are pools

        create_user_pools(template, client_kwargs=kwargs)
        created.user_pools = {logical: pool.pool_id for logical, pool in template.user_pools.items()}
    return created


def _queue_attributes(queue: Queue) -> dict[str, str]:
    attributes = {"VisibilityTimeout": str(queue.visibility_timeout)}
    if queue.fifo:
        attributes["FifoQueue"] = "true"
        if queue.content_based_deduplication:
            attributes["ContentBasedDeduplication"] = "true"
    return attributes


def _create_queues(template: SamTemplate, sqs: Any) -> dict[str, str]:
    """Create the queues (idempotent), then point each redrive policy at its dead-letter queue."""
    urls = {
        logical_id: sqs.create_queue(QueueName=queue.name, Attributes=_queue_attributes(queue))["QueueUrl"]
        for logical_id, queue in template.queues.items()
    }
    for logical_id, queue in template.queues.items():
        if queue.dead_letter_queue is None:
            continue
        target = template.queues.get(queue.dead_letter_queue)
        policy = {
            "deadLetterTargetArn": target.arn if target is not None else queue.dead_letter_queue,
            "maxReceiveCount": queue.max_receive_count or 10,
        }
        sqs.set_queue_attributes(QueueUrl=urls[logical_id], Attributes={"RedrivePolicy": json.dumps(policy)})
    return urls


def _all_tables(client: Any) -> list[str]:
    names: list[str] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = client.list_tables(**kwargs)
        names.extend(page.get("TableNames", []))
        last = page.get("LastEvaluatedTableName")
        if not last:
            return names
        kwargs["ExclusiveStartTableName"] = last
