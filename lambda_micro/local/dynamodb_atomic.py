"""DynamoDB's item-write atomicity, given to moto (the embedded AWS and the test kit's ``aws`` fixture).

On DynamoDB every item operation is atomic: a conditional write evaluates its ``ConditionExpression`` and
writes as one step, and a transaction applies all its items or none. moto evaluates the condition and then
writes without a lock, so under concurrent requests (the local gateway serves them in parallel) two
conditional writes with the same expected version can both succeed, and an acknowledged update is lost:
a lost-update test would then fail locally for a reason DynamoDB never has, or pass for a wrong one.

:func:`make_dynamodb_atomic` serialises moto's DynamoDB item operations (reads included, so a read never
sees half of a write) with one lock per process. That is stronger than DynamoDB (which only orders writes
to the same item), and invisible at local request rates.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["ITEM_OPERATIONS", "make_dynamodb_atomic"]

#: moto's ``DynamoDBBackend`` methods that read or write items (the batch calls go through them).
ITEM_OPERATIONS = (
    "put_item",
    "update_item",
    "delete_item",
    "get_item",
    "query",
    "scan",
    "transact_write_items",
    "execute_statement",
    "execute_transaction",
    "batch_execute_statement",
)

_lock = threading.RLock()  # re-entrant: a transaction calls the item operations it is made of
_MARK = "_lambda_micro_atomic"


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return method(*args, **kwargs)

    return locked


def make_dynamodb_atomic() -> bool:
    """Make moto's DynamoDB item operations atomic (idempotent); ``False`` when they already were."""
    from moto.dynamodb.models import DynamoDBBackend  # noqa: PLC0415 - moto is imported only when used

    with _lock:
        if getattr(DynamoDBBackend, _MARK, False):
            return False
        for name in ITEM_OPERATIONS:
            method = getattr(DynamoDBBackend, name, None)
            if callable(method):
                setattr(DynamoDBBackend, name, _serialised(method))
        setattr(DynamoDBBackend, _MARK, True)
        return True
