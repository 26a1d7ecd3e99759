"""Request bodies as JSON objects, with every way Python's parser can fail turned into a clear 400 or 422.

Python's parser recurses once per nesting level (1,000 levels raise RecursionError), turns 5,000-digit
integers into a ValueError, accepts NaN and Infinity, and ``json.loads(bytes)`` guesses UTF-16 or UTF-32
from the first bytes. A post is a flat object of strings and one integer, so a body must be at most
``MAX_JSON_BYTES`` of UTF-8, nested at most ``MAX_JSON_DEPTH`` deep, with no NaN or Infinity; integers of
more than ``MAX_INTEGER_DIGITS`` digits become :data:`OUT_OF_RANGE`, which no field accepts, so validation
names their field in a 422.
"""

from __future__ import annotations

import json
import re
from typing import Any

# A 50,000-character body escaped as \uXXXX surrogate pairs is 600 KB of JSON.
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
MAX_INTEGER_DIGITS = 20

# Strings (whole, with their escapes), the brackets that nest, and the colons that follow keys.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:]', re.DOTALL)


class JsonInputError(ValueError):
    """A body that is not a JSON object this API can read; ``field`` is the member at fault, if known."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class _OutOfRange:
    """An integer too long to be any field's value (kept, so validation can name its field)."""

    def __repr__(self) -> str:
        return "OUT_OF_RANGE"


OUT_OF_RANGE: Any = _OutOfRange()
_TOO_DEEP = object()


def _integer(text: str) -> Any:
    digits = len(text) - text.startswith("-")
    return int(text) if digits <= MAX_INTEGER_DIGITS else OUT_OF_RANGE


def _constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not a JSON number (RFC 8259)")


def _depth(document: object) -> int:
    """How deep ``document`` nests (an object or array is one level), without recursing."""
    deepest = 0
    pending: list[tuple[object, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        pending.extend((child, depth + 1) for child in children)
    return deepest


def _deep_member(text: str) -> str | None:
    """The top-level member under which ``text`` first nests deeper than MAX_JSON_DEPTH, if it has one.

    Called only when the parser got that deep, so every string before that point is well formed and the
    scan, which stops there, is linear.
    """
    depth = 0
    last_string: str | None = None
    member: str | None = None
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":  # noqa: S105 - JSON tokens, not passwords
            depth += 1
            if depth > MAX_JSON_DEPTH:
                break
        elif token in "]}":  # noqa: S105
            depth -= 1
        elif token == ":":  # noqa: S105
            if depth == 1:
                member = last_string
        else:
            last_string = token
    if member is None:
        return None
    name = json.loads(member)
    return name if isinstance(name, str) else None


def parse_object(raw: bytes) -> dict[str, Any]:
    """The JSON object in ``raw``; :class:`JsonInputError` with a precise message for anything else."""
    if len(raw) > MAX_JSON_BYTES:
        raise JsonInputError(f"the body is {len(raw)} bytes; at most {MAX_JSON_BYTES} are accepted")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JsonInputError(
            f"the body is not UTF-8: byte 0x{raw[error.start]:02x} at offset {error.start}"
        ) from error
    try:
        document = json.loads(text, parse_int=_integer, parse_constant=_constant)
    except RecursionError:
        document = _TOO_DEEP
    except JsonInputError:
        raise
    except ValueError as error:
        raise JsonInputError(f"the body is not valid JSON: {error}") from error
    if document is _TOO_DEEP or _depth(document) > MAX_JSON_DEPTH:
        field = _deep_member(text)
        where = f" (in member {field!r})" if field is not None else ""
        raise JsonInputError(f"the body nests deeper than {MAX_JSON_DEPTH} levels{where}", field=field)
    if not isinstance(document, dict):
        raise JsonInputError("the body must be a JSON object")
    return document
