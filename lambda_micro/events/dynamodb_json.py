"""DynamoDB's attribute-value JSON (``{"N": "1.5"}``, ``{"SS": [...]}``) as plain Python values.

As boto3's ``TypeDeserializer`` does, without boto3 (a function's cold start must not load it): numbers are
``Decimal`` (exact, as DynamoDB stores them), string/number/binary sets are ``set``, binaries ``bytes``
(base64-decoded: a stream record carries them as base64 text), ``NULL`` is ``None``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["from_dynamodb", "item_from_dynamodb"]


def _number(text: Any, where: str) -> Decimal:
    if not isinstance(text, str):
        raise ValueError(f"{where}: a number must be a string, got {type(text).__name__}")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{where}: {text[:40]!r} is not a number") from None


def _binary(value: Any, where: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{where}: a binary must be base64 text, got {type(value).__name__}")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{where}: not valid base64") from None


def from_dynamodb(value: Any, where: str = "value") -> Any:
    """The Python value of one attribute value (``{"S": "x"}`` -> ``"x"``); ``ValueError`` names ``where``."""
    if not isinstance(value, Mapping) or len(value) != 1:
        raise ValueError(f"{where}: an attribute value must be an object with one type key")
    ((kind, data),) = value.items()
    if kind == "S":
        if not isinstance(data, str):
            raise ValueError(f"{where}: S must be a string")
        return data
    if kind == "N":
        return _number(data, where)
    if kind == "BOOL":
        if not isinstance(data, bool):
            raise ValueError(f"{where}: BOOL must be true or false")
        return data
    if kind == "NULL":
        return None
    if kind == "B":
        return _binary(data, where)
    if kind in ("SS", "NS", "BS"):
        if not isinstance(data, list):
            raise ValueError(f"{where}: {kind} must be a list")
        if kind == "SS":
            if not all(isinstance(item, str) for item in data):
                raise ValueError(f"{where}: SS must hold strings")
            return set(data)
        convert = _number if kind == "NS" else _binary
        return {convert(item, where) for item in data}
    if kind == "L":
        if not isinstance(data, list):
            raise ValueError(f"{where}: L must be a list")
        return [from_dynamodb(item, f"{where}[{index}]") for index, item in enumerate(data)]
    if kind == "M":
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: M must be an object")
        return item_from_dynamodb(data, where)
    raise ValueError(f"{where}: unknown attribute type {str(kind)[:10]!r}")


def item_from_dynamodb(item: Mapping[str, Any], where: str = "item") -> dict[str, Any]:
    """A whole item (``{"slug": {"S": "a"}, "n": {"N": "1"}}``) as a dict of Python values."""
    return {str(name): from_dynamodb(value, f"{where}.{name}") for name, value in item.items()}
