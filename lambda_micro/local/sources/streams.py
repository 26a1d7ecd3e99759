"""DynamoDB stream and Kinesis event source mappings, as Lambda's stream poller runs them.

Each shard is read from ``StartingPosition`` (``TRIM_HORIZON``: its oldest record; ``LATEST``: what is
written after the mapping starts), ``BatchSize`` records at a time, in order. A batch that fails is retried,
with a growing pause (1, 2, 4... up to 30 seconds), until it succeeds or ``MaximumRetryAttempts`` is spent
(then it is skipped with an error; without the setting, as on AWS, it is retried until it succeeds). With
``ReportBatchItemFailures`` a partial batch response moves the checkpoint to the first failed record, so
the retry starts there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from lambda_micro.local.records import dynamodb_change, kinesis_record
from lambda_micro.local.sam import EventSource

from .filters import record_filter
from .invoker import Delivery, Invoker
from .queues import batch_failures

__all__ = ["StreamPoller"]

_MAX_PAUSE: Final = 30.0


@dataclass
class _Shard:
    shard_id: str
    iterator: str | None
    attempts: int = 0
    not_before: float = 0.0
    #: Records read but not yet delivered successfully (a retry sends them again).
    pending: list[dict[str, Any]] = field(default_factory=list)
    next_iterator: str | None = None


class StreamPoller:
    """One DynamoDB or Kinesis event of a function, over every shard of its stream."""

    def __init__(
        self, source: EventSource, label: str, stream_arn: str, client: Any, invoke: Invoker
    ) -> None:
        self.source = source
        self.label = label
        self.stream_arn = stream_arn
        self.client = client  # a dynamodbstreams or kinesis client
        self.invoke = invoke
        self.kinesis = source.type == "Kinesis"
        self.filter = record_filter(source)
        position = (
            source.starting_position if source.starting_position in ("TRIM_HORIZON", "LATEST") else "LATEST"
        )
        self.shards = [_Shard(shard_id, self._iterator(shard_id, position)) for shard_id in self._shard_ids()]

    @property
    def _kinesis_name(self) -> str:
        return self.stream_arn.rsplit("/", 1)[-1]

    def _shard_ids(self) -> list[str]:
        if self.kinesis:
            shards = self.client.list_shards(StreamName=self._kinesis_name)["Shards"]
        else:
            shards = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        return [shard["ShardId"] for shard in shards]

    def _iterator(self, shard_id: str, position: str, sequence: str | None = None) -> str:
        options: dict[str, Any] = {"ShardId": shard_id, "ShardIteratorType": position}
        if sequence is not None:
            options["StartingSequenceNumber"] = sequence
        if self.kinesis:
            # By name: moto's iterators made from a StreamARN do not find their stream again.
            iterator = self.client.get_shard_iterator(StreamName=self._kinesis_name, **options)
            return str(iterator["ShardIterator"])
        return str(self.client.get_shard_iterator(StreamArn=self.stream_arn, **options)["ShardIterator"])

    def poll(self) -> list[Delivery]:
        deliveries = []
        for shard in self.shards:
            delivery = self._poll_shard(shard)
            if delivery is not None:
                deliveries.append(delivery)
        return deliveries

    def _read(self, shard: _Shard) -> None:
        if shard.pending or shard.iterator is None:
            return
        response = self.client.get_records(ShardIterator=shard.iterator, Limit=self.source.batch_size)
        shard.pending = [self._record(raw, shard.shard_id) for raw in response.get("Records", [])]
        if self.filter is not None and shard.pending:
            # The checkpoint moves past records no filter matches: they are never delivered.
            kept, _ = self.filter.split(shard.pending, log=self.invoke.log, label=self.label, noun="records")
            shard.pending = [shard.pending[index] for index in kept]
        shard.next_iterator = response.get("NextShardIterator")
        if not shard.pending:
            shard.iterator = shard.next_iterator

    def _record(self, raw: dict[str, Any], shard_id: str) -> dict[str, Any]:
        if self.kinesis:
            return kinesis_record(
                raw["Data"],
                stream=self.stream_arn,
                partition_key=raw["PartitionKey"],
                sequence_number=raw["SequenceNumber"],
                arrived_at=raw.get("ApproximateArrivalTimestamp"),
                shard_id=shard_id,
            )
        change = raw["dynamodb"]
        created = change.get("ApproximateCreationDateTime")
        record = dynamodb_change(
            raw["eventName"],
            keys=change["Keys"],
            new=change.get("NewImage"),
            old=change.get("OldImage"),
            table=self.stream_arn,
            view_type=change.get("StreamViewType", "NEW_AND_OLD_IMAGES"),
            sequence_number=change["SequenceNumber"],
            created_at=created if isinstance(created, datetime) else None,
            ttl_delete=raw.get("userIdentity", {}).get("principalId") == "dynamodb.amazonaws.com",
            dynamodb_json=True,
        )
        record["eventID"] = raw.get("eventID", record["eventID"])
        return record

    def _sequence(self, record: dict[str, Any]) -> str:
        return str(
            record["kinesis"]["sequenceNumber"] if self.kinesis else record["dynamodb"]["SequenceNumber"]
        )

    def _poll_shard(self, shard: _Shard) -> Delivery | None:
        if time.monotonic() < shard.not_before:
            return None
        self._read(shard)
        if not shard.pending:
            return None
        records = shard.pending
        sequences = [self._sequence(record) for record in records]
        started = time.perf_counter()
        invocation = self.invoke(self.source.function_id, {"Records": records})
        elapsed = (time.perf_counter() - started) * 1000
        error = Invoker.failure(invocation)
        first_failed = 0
        if error is None and self.source.report_batch_item_failures:
            reported = batch_failures(invocation.result, sequences)
            if reported is None:
                error = "the partial batch response names no record of the batch: the whole batch failed"
                self.invoke.log.error("%s: %s", self.source.function_id, error)
            elif reported:
                first_failed = min(sequences.index(sequence) for sequence in reported)
                error = f"records from sequence number {sequences[first_failed]} on failed"
            else:
                first_failed = len(records)
        elif error is None:
            first_failed = len(records)
        failed = len(records) - first_failed
        if failed == 0:
            shard.pending, shard.iterator, shard.attempts, shard.not_before = [], shard.next_iterator, 0, 0.0
        else:
            self._retry_later(shard, first_failed)
        return Delivery(
            self.label, self.source.function_id, len(records), failed, elapsed, error, invocation.result
        )

    def _retry_later(self, shard: _Shard, first_failed: int) -> None:
        shard.pending = shard.pending[first_failed:]  # the checkpoint moves past what succeeded
        shard.attempts += 1
        limit = self.source.maximum_retry_attempts
        if limit is not None and limit >= 0 and shard.attempts > limit:
            self.invoke.log.error(
                "%s → %s: %d records skipped after %d retries (MaximumRetryAttempts)",
                self.label,
                self.source.function_id,
                len(shard.pending),
                limit,
            )
            shard.pending, shard.iterator, shard.attempts, shard.not_before = [], shard.next_iterator, 0, 0.0
            return
        shard.not_before = time.monotonic() + min(2.0 ** (shard.attempts - 1), _MAX_PAUSE)
