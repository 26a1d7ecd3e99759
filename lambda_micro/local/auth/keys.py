"""Where a JWT's public keys come from: the local Cognito (moto), the dev issuer, or the issuer itself.

- A user pool of the template: moto's Cognito serves the pool's JWKS at ``/{pool_id}/.well-known/jwks.json``
  on the embedded AWS (``lambda-micro serve``); in a test under ``mock_aws`` the same document is fetched at
  the pool's real URL, which moto intercepts (moto's documented way, see its ``cognito-idp`` backend).
- :data:`~.dev_issuer.DEV_ISSUER`, or any other issuer with ``trust_dev_issuer``: the dev issuer's key.
- Any other issuer: its OpenID Connect discovery document, then its ``jwks_uri`` (needs the network), kept
  for two hours as API Gateway keeps it.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any, Final

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .dev_issuer import DEV_ISSUER, DevIssuer

__all__ = ["IssuerKeys", "KeysUnavailable"]

#: How long fetched keys are reused (API Gateway caches an issuer's public keys for two hours).
KEY_TTL: Final = 2 * 3600.0


class KeysUnavailable(Exception):
    """The issuer's keys cannot be had; the message says why and what to do."""


def _fetch_json(url: str, *, local: bool) -> Any:
    handlers = [urllib.request.ProxyHandler({})] if local else []  # loopback never goes through a proxy
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - http(s) only
    with opener.open(request, timeout=5) as response:
        return json.loads(response.read())


def _fetch_json_mocked(url: str) -> Any:
    # Under moto's mock_aws, requests to AWS URLs are answered by moto (it patches `requests`, not urllib).
    import requests  # noqa: PLC0415 - moto's own dependency, only for this case

    response = requests.get(url, timeout=5)
    response.raise_for_status()
    return response.json()


class IssuerKeys:
    """The public keys of each issuer a JWT authorizer may meet.

    ``pool_issuers`` are the template's Cognito user pools' issuers; ``cognito_endpoint`` the embedded AWS
    serving their keys (``None``: a test's in-process ``mock_aws``).
    """

    def __init__(
        self,
        *,
        pool_issuers: Iterable[str] = (),
        cognito_endpoint: str | None = None,
        dev_issuer: DevIssuer | None = None,
        trust_dev_issuer: bool = False,
        fetch: Callable[[str], Any] | None = None,
    ) -> None:
        self.pool_issuers = frozenset(pool_issuers)
        self.cognito_endpoint = cognito_endpoint.rstrip("/") if cognito_endpoint else None
        self.dev_issuer = dev_issuer
        self.trust_dev_issuer = trust_dev_issuer
        self._fetch = fetch
        self._cache: dict[str, tuple[float, KeySet]] = {}
        self._lock = threading.Lock()

    def source(self, issuer: str) -> str:
        """Where ``issuer``'s keys come from: ``"cognito"``, ``"dev"`` or ``"remote"``."""
        if issuer in self.pool_issuers:
            return "cognito"
        if self.dev_issuer is not None and (issuer == DEV_ISSUER or self.trust_dev_issuer):
            return "dev"
        return "remote"

    def key_set(self, issuer: str) -> KeySet:
        """``issuer``'s public keys; :class:`KeysUnavailable` when they cannot be had."""
        source = self.source(issuer)
        if source == "dev":
            assert self.dev_issuer is not None
            return self.dev_issuer.key_set
        with self._lock:
            cached = self._cache.get(issuer)
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
        document = self._document(issuer, source)
        try:
            keys = KeySet.import_key_set(document)
        except (ValueError, KeyError, TypeError, JoseError) as exc:
            raise KeysUnavailable(f"the JWKS of {issuer} is not a key set: {exc}") from exc
        with self._lock:
            self._cache[issuer] = (time.monotonic() + KEY_TTL, keys)
        return keys

    def _get(self, url: str, *, local: bool, mocked: bool = False) -> Any:
        if self._fetch is not None:
            return self._fetch(url)
        return _fetch_json_mocked(url) if mocked else _fetch_json(url, local=local)

    def _document(self, issuer: str, source: str) -> Any:
        if source == "cognito":
            pool_id = issuer.rstrip("/").rsplit("/", 1)[-1]
            if self.cognito_endpoint is not None:
                url = f"{self.cognito_endpoint}/{pool_id}/.well-known/jwks.json"
            else:
                url = f"{issuer.rstrip('/')}/.well-known/jwks.json"
            try:
                return self._get(url, local=True, mocked=self.cognito_endpoint is None)
            except Exception as exc:
                raise KeysUnavailable(
                    f"the local Cognito did not serve the keys of {issuer} ({exc})"
                ) from exc
        discovery = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
        try:
            jwks_uri = self._get(discovery, local=False).get("jwks_uri")
            if not isinstance(jwks_uri, str):
                raise ValueError(f"{discovery} has no jwks_uri")
            return self._get(jwks_uri, local=False)
        except Exception as exc:
            raise KeysUnavailable(
                f"cannot fetch the keys of {issuer} ({exc}); offline, sign tokens with "
                f"`lambda-micro token --issuer {issuer}` and serve with --trust-dev-issuer"
            ) from exc
