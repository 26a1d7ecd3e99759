"""EventBridge schedule expressions: rate, AWS's six-field cron (?, L, W, LW, #, years) and at()."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from lambda_micro.local.sources.expressions import ScheduleExpressionError, parse_schedule

START = datetime(2025, 1, 1, tzinfo=UTC)  # a Wednesday


def firings(expression: str, count: int = 3, timezone: str = "UTC") -> list[str]:
    schedule = parse_schedule(expression, timezone)
    moment: datetime | None = START
    out = []
    for _ in range(count):
        assert moment is not None
        moment = schedule.next_after(moment)
        if moment is None:
            break
        out.append(moment.strftime("%Y-%m-%d %H:%M %a"))
    return out


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0 3 * * ? *)", ["2025-01-01 03:00 Wed", "2025-01-02 03:00 Thu", "2025-01-03 03:00 Fri"]),
        ("cron(0/15 9 * * ? *)", ["2025-01-01 09:00 Wed", "2025-01-01 09:15 Wed", "2025-01-01 09:30 Wed"]),
        (
            "cron(0 18 ? * MON-FRI *)",
            ["2025-01-01 18:00 Wed", "2025-01-02 18:00 Thu", "2025-01-03 18:00 Fri"],
        ),
        ("cron(0 12 ? * 2-6 *)", ["2025-01-01 12:00 Wed", "2025-01-02 12:00 Thu", "2025-01-03 12:00 Fri"]),
        ("cron(0 10 ? * 1 *)", ["2025-01-05 10:00 Sun", "2025-01-12 10:00 Sun", "2025-01-19 10:00 Sun"]),
        ("cron(15 10 ? * 6L *)", ["2025-01-31 10:15 Fri", "2025-02-28 10:15 Fri", "2025-03-28 10:15 Fri"]),
        ("cron(0 8 ? * 2#1 *)", ["2025-01-06 08:00 Mon", "2025-02-03 08:00 Mon", "2025-03-03 08:00 Mon"]),
        ("cron(0 8 L * ? *)", ["2025-01-31 08:00 Fri", "2025-02-28 08:00 Fri", "2025-03-31 08:00 Mon"]),
        ("cron(0 8 LW * ? *)", ["2025-01-31 08:00 Fri", "2025-02-28 08:00 Fri", "2025-03-31 08:00 Mon"]),
        ("cron(0 8 1W * ? *)", ["2025-01-01 08:00 Wed", "2025-02-03 08:00 Mon", "2025-03-03 08:00 Mon"]),
        ("cron(0 0 1 JAN ? 2027-2028)", ["2027-01-01 00:00 Fri", "2028-01-01 00:00 Sat"]),
        ("cron(0 0 1 1 ? 2024)", []),
        ("rate(5 minutes)", ["2025-01-01 00:05 Wed", "2025-01-01 00:10 Wed", "2025-01-01 00:15 Wed"]),
        ("rate(1 day)", ["2025-01-02 00:00 Thu", "2025-01-03 00:00 Fri", "2025-01-04 00:00 Sat"]),
        ("at(2025-06-01T10:00:00)", ["2025-06-01 10:00 Sun"]),
    ],
)
def test_schedule_firings(expression: str, expected: list[str]) -> None:
    assert firings(expression) == expected


def test_cron_in_a_time_zone() -> None:
    assert firings("cron(0 9 * * ? *)", 1, "Europe/Paris") == ["2025-01-01 08:00 Wed"]
    assert parse_schedule("at(2025-06-01T10:00:00)", "Europe/Paris").at == datetime(2025, 6, 1, 8, tzinfo=UTC)


def test_rate_counts_from_its_anchor() -> None:
    schedule = parse_schedule("rate(10 minutes)")
    anchor = START + timedelta(minutes=3)
    assert schedule.next_after(START + timedelta(minutes=14), anchor=anchor) == START + timedelta(minutes=23)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("rate(1 minutes)", "expects rate(1 minute)"),
        ("rate(5 minute)", "expects rate(5 minutes)"),
        ("rate(0 minutes)", "positive"),
        ("cron(0 3 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 3 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 3 * *)", "six fields"),
        ("cron(0 3 ? * 8 *)", "day of the week '8' is not 1-7"),
        ("cron(0 3 ? * 2#7 *)", "the week after '#' must be 1-5"),
        ("cron(0 3 * * ? 1900)", "outside 1970-2199"),
        ("cron(0 3 * * ? x)", "is not a year"),
        ("cron(99 3 * * ? *)", "not a valid cron expression"),
        ("every day", "is not a schedule expression"),
    ],
)
def test_bad_expressions_are_named(expression: str, message: str) -> None:
    with pytest.raises(ScheduleExpressionError, match=re.escape(message)):
        parse_schedule(expression)


def test_unknown_time_zone() -> None:
    with pytest.raises(ScheduleExpressionError, match="is not a time zone name"):
        parse_schedule("rate(1 day)", "Mars/Olympus")
