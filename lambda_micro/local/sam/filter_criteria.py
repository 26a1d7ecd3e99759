"""An event source mapping's ``FilterCriteria``: the patterns of ``Filters``, read and checked.

SAM passes ``FilterCriteria: {Filters: [{Pattern: '<JSON>'}, ...]}`` to the mapping as it is; Lambda keeps
a record when any pattern matches it (the rules of EventBridge patterns). A pattern is JSON text (or, as
SAM also accepts, a mapping) whose values are objects or non-empty arrays, at any depth; ``$or`` holds a
list of such objects. What Lambda refuses at deploy time is refused here, naming the filter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["FilterCriteriaError", "read_filter_criteria"]


class FilterCriteriaError(ValueError):
    """A ``FilterCriteria`` Lambda would refuse (the message names the filter and the problem)."""


def _check(node: Mapping[str, Any], where: str) -> None:
    for key, value in node.items():
        if key == "$or":
            if not isinstance(value, list) or not value or not all(isinstance(v, Mapping) for v in value):
                raise FilterCriteriaError(f"{where}: '$or' must be a non-empty list of objects")
            for branch in value:
                _check(branch, where)
        elif isinstance(value, Mapping):
            _check(value, where)
        elif isinstance(value, list):
            if not value:
                raise FilterCriteriaError(f"{where}: {key!r} is an empty array (Lambda refuses it)")
        else:
            raise FilterCriteriaError(f"{where}: {key!r} must be an object or an array, got {value!r}")


def read_filter_criteria(value: Any) -> tuple[dict[str, Any], ...]:
    """The patterns of a mapping's ``FilterCriteria`` (parsed); ``FilterCriteriaError`` for a bad one."""
    if not isinstance(value, Mapping):
        raise FilterCriteriaError("FilterCriteria must be a mapping with Filters")
    filters = value.get("Filters", [])
    if not isinstance(filters, list):
        raise FilterCriteriaError("FilterCriteria.Filters must be a list of {Pattern: ...}")
    patterns = []
    for index, item in enumerate(filters):
        where = f"FilterCriteria.Filters[{index}].Pattern"
        raw = item.get("Pattern") if isinstance(item, Mapping) else None
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError as exc:
                raise FilterCriteriaError(f"{where} is not valid JSON: {exc}") from None
        if not isinstance(raw, Mapping):
            raise FilterCriteriaError(f"{where} must be a JSON object")
        _check(raw, where)
        patterns.append(dict(raw))
    return tuple(patterns)
