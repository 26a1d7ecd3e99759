"""The AWS credentials a SigV4-signed request may be signed with, locally: the embedded AWS's own.

Known are the dummy pair the local tools use (``testing``/``testing``: the local account's root) and every
access key created in moto's IAM (``aws iam create-access-key --endpoint-url ...`` against the embedded AWS,
or ``boto3`` under ``mock_aws`` in a test). moto keeps them in its process-wide IAM backend, which the
embedded server and the gateway share (one process); there is no public API that returns a secret key
after its creation, so this module reads that backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambda_micro.local.embedded_aws import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY
from lambda_micro.local.events.request import DEFAULT_ACCOUNT_ID

__all__ = ["Caller", "Credentials"]


@dataclass(frozen=True)
class Caller:
    """Who holds an access key: its secret, account, ARN and unique id (``AIDA...``)."""

    access_key: str
    secret_key: str
    account_id: str
    user_arn: str
    user_id: str


class Credentials:
    """Look up access keys: the dummy pair, ``extra`` ones, then moto's IAM (``moto=False``: not it)."""

    def __init__(self, *, extra: dict[str, Caller] | None = None, moto: bool = True) -> None:
        self.extra = dict(extra or {})
        self.moto = moto

    def lookup(self, access_key: str) -> Caller | None:
        """The holder of ``access_key``, or ``None`` when it is unknown."""
        if access_key == DUMMY_ACCESS_KEY_ID:
            return Caller(
                access_key=access_key,
                secret_key=DUMMY_SECRET_ACCESS_KEY,
                account_id=DEFAULT_ACCOUNT_ID,
                user_arn=f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:root",
                user_id=DEFAULT_ACCOUNT_ID,
            )
        if access_key in self.extra:
            return self.extra[access_key]
        return self._moto(access_key) if self.moto else None

    @staticmethod
    def _moto(access_key: str) -> Caller | None:
        try:
            from moto.iam.models import get_account_id_from, iam_backends  # noqa: PLC0415 - moto is heavy
        except ImportError:  # pragma: no cover - moto is a dependency of lambda-micro-local
            return None
        account_id = get_account_id_from(access_key)
        backend: Any = iam_backends[account_id]["aws"]
        key = backend.access_keys.get(access_key)
        if key is None or getattr(key, "status", "Active") != "Active":
            return None
        user = backend.users.get(key.user_name) if key.user_name else None
        arn = getattr(user, "arn", None) or key.role_arn or f"arn:aws:iam::{account_id}:user/{key.user_name}"
        return Caller(
            access_key=access_key,
            secret_key=key.secret_access_key,
            account_id=account_id,
            user_arn=str(arn),
            user_id=str(getattr(user, "id", None) or account_id),
        )
