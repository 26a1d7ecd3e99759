"""The template's ``Schedule`` and ``ScheduleV2`` events, fired on time (and on demand, ``trigger``).

A ``Schedule`` (an EventBridge rule) sends its ``Input`` when it has one, else a ``Scheduled Event`` from
``aws.events`` naming the rule; a ``ScheduleV2`` (EventBridge Scheduler) sends its ``Input`` with the
context attributes (``<aws.scheduler.scheduled-time>``...) filled in, else the ``Scheduled Event`` from
``aws.scheduler`` whose ``detail`` is the text ``"{}"``. A disabled schedule (``Enabled: false``, ``State:
DISABLED``) never fires on time, but can be triggered.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from lambda_micro.local.records import scheduled_event
from lambda_micro.local.sam import EventSource

from .expressions import ScheduleExpression, ScheduleExpressionError, parse_schedule
from .invoker import Delivery, Invoker

__all__ = ["ScheduleRunner", "schedule_event"]


def schedule_event(
    source: EventSource, moment: datetime, *, region: str, account: str, attempt: int = 1
) -> Any:
    """The event ``source`` sends when it fires at ``moment``."""
    name = source.name or f"{source.function_id}{source.event_id}"
    scheduler = source.type == "ScheduleV2"
    if source.input is None:
        return scheduled_event(
            name, scheduler=scheduler, group=source.group, time=moment, region=region, account=account
        )
    text = source.input
    if scheduler:
        schedule_arn = f"arn:aws:scheduler:{region}:{account}:schedule/{source.group}/{name}"
        for keyword, value in (
            ("schedule-arn", schedule_arn),
            ("scheduled-time", moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
            ("execution-id", uuid.uuid4().hex[:16]),
            ("attempt-number", str(attempt)),
        ):
            text = text.replace(f"<aws.scheduler.{keyword}>", value)
    return json.loads(text)


class ScheduleRunner:
    """One schedule: when it fires next, and firing it."""

    def __init__(self, source: EventSource, invoke: Invoker, *, region: str, account: str) -> None:
        self.source = source
        self.invoke = invoke
        self.region = region
        self.account = account
        self.label = f"{source.type} {source.name or source.event_id}"
        self.created = datetime.now(UTC)
        #: The parsed expression; ``None`` (with :attr:`problem`) when EventBridge would refuse it.
        self.expression: ScheduleExpression | None = None
        self.problem: str | None = None
        try:
            self.expression = parse_schedule(source.schedule_expression or "", source.timezone)
        except ScheduleExpressionError as exc:
            self.problem = str(exc)
        self.next_fire = self._next(self.created)

    def _next(self, after: datetime) -> datetime | None:
        if self.expression is None or not self.source.enabled:
            return None
        return self.expression.next_after(after, anchor=self.created)

    def poll(self, now: datetime | None = None) -> list[Delivery]:
        """Fire when the time has come (once, however late: a missed firing is not made up)."""
        now = now or datetime.now(UTC)
        if self.next_fire is None or now < self.next_fire:
            return []
        moment, self.next_fire = self.next_fire, self._next(now)
        return [self.fire(moment)]

    def fire(self, moment: datetime | None = None) -> Delivery:
        """Invoke the function with the schedule's event now (``lambda-micro trigger``)."""
        event = schedule_event(
            self.source, moment or datetime.now(UTC), region=self.region, account=self.account
        )
        started = time.perf_counter()
        invocation = self.invoke(self.source.function_id, event)
        elapsed = (time.perf_counter() - started) * 1000
        error = Invoker.failure(invocation)
        return Delivery(
            self.label, self.source.function_id, 1, 1 if error else 0, elapsed, error, invocation.result
        )
