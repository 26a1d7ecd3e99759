"""When a schedule fires: EventBridge's ``rate(...)``, ``cron(...)`` and ``at(...)`` expressions.

Cron expressions are AWS's six fields, ``cron(minutes hours day-of-month month day-of-week year)``, with
``?`` in one of the day fields, ``L`` (last day of the month, ``6L`` last Friday), ``W`` (``15W``, the
weekday nearest the 15th), ``LW`` (the last weekday) and ``#`` (``2#1``, the first Monday); days of the
week are numbered 1 (Sunday) to 7 (Saturday) or named ``SUN``-``SAT``. They are evaluated by croniter,
after translation to its syntax: the day-of-week numbers shift by one, ``nL`` becomes croniter's ``L(n-1)``,
and the two things croniter lacks, the year field and ``LW``, are applied here as filters over its answers.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["ScheduleExpression", "ScheduleExpressionError", "parse_schedule"]

_RATE: Final = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")
_CRON: Final = re.compile(r"cron\((.*)\)")
_AT: Final = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
_UNITS: Final = {"minute": 60, "hour": 3600, "day": 86400}
_DAY_NAMES: Final = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# No schedule fires less often than once in this many candidate times: a year field far in the future
# (or an ``LW`` filter on a minute-by-minute expression) ends the search instead of looping for ever.
_MAX_CANDIDATES: Final = 200_000


class ScheduleExpressionError(ValueError):
    """An expression EventBridge would refuse; the message says what is wrong with it."""


@dataclass(frozen=True)
class ScheduleExpression:
    """A parsed expression; :meth:`next_after` gives its next firing."""

    text: str
    kind: Literal["rate", "cron", "at"]
    timezone: str = "UTC"
    interval: timedelta | None = None  # rate
    cron: str | None = None  # cron, in croniter's five fields
    years: frozenset[int] | None = None  # cron: the year field (None: every year)
    last_weekday: bool = False  # cron: day-of-month LW
    at: datetime | None = None  # at

    def next_after(self, moment: datetime, *, anchor: datetime | None = None) -> datetime | None:
        """The first firing strictly after ``moment`` (aware), or ``None`` when there is none any more.

        A rate counts from ``anchor`` (when the schedule was created; default ``moment``).
        """
        if self.kind == "rate":
            assert self.interval is not None
            start = anchor or moment
            elapsed = max(moment - start, timedelta(0))
            steps = elapsed // self.interval + 1
            return start + steps * self.interval
        if self.kind == "at":
            assert self.at is not None
            return self.at if self.at > moment else None
        return self._next_cron(moment)

    def _next_cron(self, moment: datetime) -> datetime | None:
        from croniter import croniter  # noqa: PLC0415 - only when a cron schedule is evaluated

        zone = ZoneInfo(self.timezone)
        local = moment.astimezone(zone)
        if self.years is not None:
            later = [year for year in self.years if year >= local.year]
            if not later:
                return None
            first = min(later)
            if first > local.year:  # nothing can match before that year begins
                local = datetime(first, 1, 1, tzinfo=zone) - timedelta(seconds=1)
        iterator = croniter(self.cron, local)
        for _ in range(_MAX_CANDIDATES):
            candidate: datetime = iterator.get_next(datetime)
            if self.years is not None and candidate.year not in self.years:
                if candidate.year > max(self.years):
                    return None
                continue
            if self.last_weekday and candidate.day != _last_weekday(candidate.year, candidate.month):
                continue
            return candidate.astimezone(UTC)
        return None


def _last_weekday(year: int, month: int) -> int:
    day = calendar.monthrange(year, month)[1]
    while calendar.weekday(year, month, day) >= 5:  # Saturday, Sunday
        day -= 1
    return day


def parse_schedule(text: str, timezone: str = "UTC") -> ScheduleExpression:
    """Parse ``rate(5 minutes)``, ``cron(0 3 * * ? *)`` or ``at(2030-01-01T00:00:00)``."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleExpressionError(
            f"{timezone!r} is not a time zone name (such as Europe/Paris)"
        ) from None
    expression = text.strip()
    rate = _RATE.fullmatch(expression)
    if rate is not None:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1:
            raise ScheduleExpressionError(f"{text}: the rate must be a positive number")
        if (value == 1) != (not unit.endswith("s")):
            singular = unit.rstrip("s")
            wanted = f"rate(1 {singular})" if value == 1 else f"rate({value} {singular}s)"
            raise ScheduleExpressionError(f"{text}: EventBridge expects {wanted}")
        return ScheduleExpression(
            expression, "rate", timezone, interval=timedelta(seconds=value * _UNITS[unit.rstrip("s")])
        )
    at = _AT.fullmatch(expression)
    if at is not None:
        moment = datetime.fromisoformat(at.group(1)).replace(tzinfo=zone)
        return ScheduleExpression(expression, "at", timezone, at=moment.astimezone(UTC))
    cron = _CRON.fullmatch(expression)
    if cron is None:
        raise ScheduleExpressionError(
            f"{text!r} is not a schedule expression: rate(5 minutes), cron(0 3 * * ? *) or "
            "at(2030-01-01T00:00:00)"
        )
    return _parse_cron(expression, cron.group(1), timezone)


def _parse_cron(text: str, body: str, timezone: str) -> ScheduleExpression:
    fields = body.split()
    if len(fields) != 6:
        raise ScheduleExpressionError(
            f"{text}: an AWS cron expression has six fields (minutes hours day-of-month month day-of-week "
            f"year), not {len(fields)}"
        )
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleExpressionError(
            f"{text}: exactly one of day-of-month and day-of-week must be '?' (EventBridge cannot combine "
            "them)"
        )
    last_weekday = day_of_month.upper() == "LW"
    dom = "*" if day_of_month == "?" or last_weekday else day_of_month.upper()
    dow = "*" if day_of_week == "?" else _day_of_week(day_of_week.upper(), text)
    expression = f"{minutes} {hours} {dom} {month.upper()} {dow}"
    from croniter import croniter  # noqa: PLC0415

    if not croniter.is_valid(expression):
        raise ScheduleExpressionError(f"{text}: not a valid cron expression ({expression!r} for croniter)")
    return ScheduleExpression(
        text,
        "cron",
        timezone,
        cron=expression,
        years=_years(year, text),
        last_weekday=last_weekday,
    )


def _day_number(token: str, text: str) -> str:
    """An AWS day of the week (1-7 or SUN-SAT) as croniter's (0-6)."""
    if token in _DAY_NAMES:
        return token
    if not token.isdigit() or not 1 <= int(token) <= 7:
        raise ScheduleExpressionError(f"{text}: day of the week {token!r} is not 1-7 or SUN-SAT")
    return str(int(token) - 1)


def _day_of_week(field: str, text: str) -> str:
    parts = []
    for part in field.split(","):
        if part == "*":
            parts.append(part)
        elif part == "L":  # the last day of the week: Saturday
            parts.append("6")
        elif part.endswith("L"):  # 6L: the last Friday of the month
            parts.append("L" + _day_number(part[:-1], text))
        elif "#" in part:
            day, _, nth = part.partition("#")
            if not nth.isdigit() or not 1 <= int(nth) <= 5:
                raise ScheduleExpressionError(f"{text}: {part!r}: the week after '#' must be 1-5")
            parts.append(f"{_day_number(day, text)}#{nth}")
        else:
            base, slash, step = part.partition("/")
            low, dash, high = base.partition("-")
            translated = _day_number(low, text) if low != "*" else "*"
            if dash:
                translated += "-" + _day_number(high, text)
            parts.append(translated + (slash + step if slash else ""))
    return ",".join(parts)


def _years(field: str, text: str) -> frozenset[int] | None:
    if field == "*":
        return None
    years: set[int] = set()
    for part in field.split(","):
        base, slash, step_text = part.partition("/")
        low_text, dash, high_text = base.partition("-")
        try:
            low = 1970 if low_text == "*" else int(low_text)
            high = int(high_text) if dash else (2199 if slash or low_text == "*" else low)
            step = int(step_text) if slash else 1
        except ValueError:
            raise ScheduleExpressionError(f"{text}: year {part!r} is not a year, range or step") from None
        if not 1970 <= low <= high <= 2199 or step < 1:
            raise ScheduleExpressionError(f"{text}: year {part!r} is outside 1970-2199")
        years.update(range(low, high + 1, step))
    return frozenset(years)
