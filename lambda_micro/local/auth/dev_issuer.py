"""The dev issuer: a local RSA key that signs JWTs for plain (non-Cognito) JWT authorizers.

An HTTP API whose JWT authorizer trusts an outside identity provider (Auth0, Okta, Entra...) cannot be
called locally with real tokens offline. ``lambda-micro token --issuer ISSUER --claim k=v --scope s`` signs
a token with this key instead, and ``serve`` accepts it only where it is told to: when the authorizer's
issuer is :data:`DEV_ISSUER` itself, or with ``--trust-dev-issuer`` (then for every issuer that is not one of
the template's Cognito user pools). The key lives in the project (``.lambda-micro/dev-issuer.json``, mode
0600, git-ignored) so ``token`` and ``serve`` share it; the test kit keeps its own in memory.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from lambda_micro.local.workdir import write_private

__all__ = ["DEV_ISSUER", "DevIssuer"]

#: The issuer a template can name to trust the dev issuer outright (``.invalid`` never resolves, RFC 6761).
DEV_ISSUER: Final = "https://lambda-micro.invalid/dev-issuer"
_KID: Final = "lambda-micro-dev"


class DevIssuer:
    """An RSA key pair (RS256) that signs local tokens; ``path``: where it is kept (``None``: in memory)."""

    _memory: DevIssuer | None = None
    _lock = threading.Lock()

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._loaded: RSAKey | None = None

    @property
    def _key(self) -> RSAKey:
        # Made on first use: a project that never signs or checks a dev token gets no key file.
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load_or_create()
            return self._loaded

    @classmethod
    def in_memory(cls) -> DevIssuer:
        """The process's in-memory dev issuer (the test kit's: no file is written)."""
        with cls._lock:
            if cls._memory is None:
                cls._memory = cls(None)
            return cls._memory

    def _load_or_create(self) -> RSAKey:
        if self.path is not None and self.path.is_file():
            try:
                return RSAKey.import_key(json.loads(self.path.read_text(encoding="utf-8")))
            except (ValueError, KeyError, JoseError) as exc:
                raise ValueError(
                    f"{self.path}: not a dev issuer key ({exc}); delete it to make a new one"
                ) from exc
        key = RSAKey.generate_key(2048, parameters={"kid": _KID, "use": "sig", "alg": "RS256"})
        if self.path is not None:
            write_private(self.path, key.as_dict(private=True))
        return key

    @property
    def key_set(self) -> KeySet:
        """The public key, as a JWKS."""
        return KeySet([RSAKey.import_key(self._key.as_dict(private=False))])

    def token(
        self,
        *,
        issuer: str = DEV_ISSUER,
        subject: str = "dev-user",
        audience: str | Sequence[str] | None = None,
        scopes: Sequence[str] = (),
        claims: Mapping[str, Any] | None = None,
        expires_in: int = 3600,
    ) -> str:
        """A signed JWT: ``sub``, ``iss``, ``aud`` (when given), ``scope``, ``iat``/``exp``, ``claims``."""
        now = int(time.time())
        payload: dict[str, Any] = {"sub": subject, "iss": issuer, "iat": now, "exp": now + expires_in}
        if audience is not None:
            payload["aud"] = audience if isinstance(audience, str) else list(audience)
        if scopes:
            payload["scope"] = " ".join(scopes)
        payload["jti"] = str(uuid.uuid4())
        payload.update(claims or {})
        return jwt.encode({"alg": "RS256", "kid": _KID, "typ": "JWT"}, payload, self._key)
