"""``app.config``: a dict with Flask's loading helpers."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

__all__ = ["Config"]


class Config(dict[str, Any]):
    """Application configuration: a plain ``dict`` (upper-case keys by convention) with loading helpers."""

    def from_mapping(self, mapping: Mapping[str, Any] | None = None, **kwargs: Any) -> bool:
        """Update from a mapping and/or keyword arguments, keeping only upper-case keys (like Flask)."""
        items: dict[str, Any] = {}
        if mapping is not None:
            items.update(mapping)
        items.update(kwargs)
        for key, value in items.items():
            if key.isupper():
                self[key] = value
        return True

    def from_object(self, obj: object) -> None:
        """Update from the upper-case attributes of an object (a module or a class)."""
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_prefixed_env(self, prefix: str = "LAMBDA_MICRO", *, loads: Any = json.loads) -> bool:
        """Load ``PREFIX_NAME`` environment variables as ``NAME``, parsing each value with ``loads``.

        Values that ``loads`` cannot parse stay strings (``LAMBDA_MICRO_DEBUG=true`` gives ``True``,
        ``LAMBDA_MICRO_SECRET_KEY=abc`` gives ``"abc"``). A double underscore sets a nested key:
        ``LAMBDA_MICRO_DB__NAME=x`` sets ``config["DB"]["NAME"]``.
        """
        prefix = f"{prefix}_"
        for key in sorted(os.environ):
            if not key.startswith(prefix):
                continue
            raw = os.environ[key]
            try:
                value = loads(raw)
            except Exception:  # any parse failure means "keep it as a string"
                value = raw
            name = key.removeprefix(prefix)
            if "__" not in name:
                self[name] = value
                continue
            current: dict[str, Any] = self
            *parts, tail = name.split("__")
            for part in parts:
                if not isinstance(current.get(part), dict):
                    current[part] = {}
                current = current[part]
            current[tail] = value
        return True

    def get_namespace(
        self, namespace: str, *, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, Any]:
        """The keys starting with ``namespace`` (e.g. ``"DB_"``), trimmed and lower-cased by default."""
        result: dict[str, Any] = {}
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            name = key[len(namespace) :] if trim_namespace else key
            result[name.lower() if lowercase else name] = value
        return result

    def __repr__(self) -> str:
        return f"<Config {dict.__repr__(self)}>"
