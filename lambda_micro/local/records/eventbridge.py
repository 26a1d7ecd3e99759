"""EventBridge events and schedule firings, as Lambda receives them (``eventbridge_event``,
``scheduled_event``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ._common import ACCOUNT_ID, DEFAULT_REGION, arn, iso_time, new_id

__all__ = ["eventbridge_event", "scheduled_event"]


def eventbridge_event(
    detail: Mapping[str, Any] | None = None,
    *,
    source: str = "my.app",
    detail_type: str = "Something Happened",
    resources: Iterable[str] = (),
    time: datetime | None = None,
    event_id: str | None = None,
    region: str = DEFAULT_REGION,
    account: str = ACCOUNT_ID,
) -> dict[str, Any]:
    """An event an EventBridge rule delivers (``PutEvents``' entry, as the bus shapes it)."""
    return {
        "version": "0",
        "id": event_id or new_id(),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": iso_time(time, millis=False),
        "region": region,
        "resources": list(resources),
        "detail": dict(detail or {}),
    }


def scheduled_event(
    name: str = "my-schedule",
    *,
    scheduler: bool = False,
    group: str = "default",
    time: datetime | None = None,
    region: str = DEFAULT_REGION,
    account: str = ACCOUNT_ID,
) -> dict[str, Any]:
    """A schedule firing: an EventBridge rule's (SAM ``Schedule``) or, with ``scheduler=True``, an
    EventBridge Scheduler schedule's without an input of its own (SAM ``ScheduleV2``), whose ``detail`` is
    the text ``"{}"``. ``name`` is the rule's or schedule's name (or ARN)."""
    path = f"schedule/{group}/{name}" if scheduler else f"rule/{name}"
    service = "scheduler" if scheduler else "events"
    resource = name if name.startswith("arn:") else arn(service, path, region=region, account=account)
    event = eventbridge_event(
        None,
        source=f"aws.{service}",
        detail_type="Scheduled Event",
        resources=[resource],
        time=time,
        region=region,
        account=account,
    )
    if scheduler:
        event["detail"] = "{}"
    return event
