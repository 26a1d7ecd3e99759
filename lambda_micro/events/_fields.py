"""Reading a record's fields with errors that name the record and the field, never the value."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .errors import BadRecord

__all__ = ["Fields", "decode_base64", "parse_json"]


class Fields:
    """The fields of one record (or of a nested object of it), for ``what`` (``"SQS message 0"``)."""

    __slots__ = ("data", "prefix", "what")

    def __init__(self, data: Any, what: str, prefix: str = "") -> None:
        if not isinstance(data, Mapping):
            raise BadRecord(what, prefix.rstrip(".") or "the record", "must be an object")
        self.data: Mapping[str, Any] = data
        self.what = what
        self.prefix = prefix

    def bad(self, name: str, problem: str) -> BadRecord:
        return BadRecord(self.what, self.prefix + name, problem)

    def text(self, name: str) -> str:
        value = self.data.get(name)
        if not isinstance(value, str):
            raise self.bad(name, "is missing" if value is None else "must be a string")
        return value

    def optional_text(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is not None and not isinstance(value, str):
            raise self.bad(name, "must be a string")
        return value

    def nested(self, name: str) -> Fields:
        value = self.data.get(name)
        if value is None:
            raise self.bad(name, "is missing")
        return Fields(value, self.what, f"{self.prefix}{name}.")

    def optional_object(self, name: str) -> Mapping[str, Any]:
        value = self.data.get(name)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.bad(name, "must be an object")
        return value

    def optional_int(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.bad(name, "must be a number")
        try:
            return int(value)
        except ValueError:
            raise self.bad(name, "must be a number") from None

    def time(self, name: str) -> datetime:
        """An ISO 8601 timestamp (``2024-01-02T03:04:05.678Z``) as an aware datetime."""
        text = self.text(name)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise self.bad(name, "is not an ISO 8601 time") from None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

    def epoch(self, name: str, *, milliseconds: bool) -> datetime | None:
        """Seconds (or milliseconds) since the epoch, as an aware datetime (``None`` when absent)."""
        value = self.data.get(name)
        if value is None:
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise self.bad(name, "must be a time since the epoch") from None
        return datetime.fromtimestamp(number / 1000 if milliseconds else number, UTC)


def decode_base64(text: str, what: str, field: str) -> bytes:
    """``text`` base64-decoded; :class:`BadRecord` when it is not base64."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadRecord(what, field, "is not valid base64") from None


def parse_json(text: str | bytes, what: str, field: str) -> Any:
    """``text`` as JSON (bytes must be UTF-8, as JSON is); :class:`BadRecord` saying where it stops being
    JSON."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")  # json.loads would also guess UTF-16 and UTF-32
        except UnicodeDecodeError:
            raise BadRecord(what, field, "is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRecord(
            what, field, f"is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
