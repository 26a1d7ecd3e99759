"""The embedded AWS behind the local gateway: moto's threaded server on a free loopback port.

Functions keep using plain boto3: they find the server through ``AWS_ENDPOINT_URL`` (honoured by boto3 for
every service), with a region and dummy credentials, so no function code special-cases local runs. The
template's tables and buckets are created at start by the test kit's ``create_resources``; the server (and
its data) lives as long as the gateway process, across reloads.
"""

from __future__ import annotations

import logging
import os
import urllib.request
from collections.abc import Mapping, MutableMapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .sam import SamTemplate

__all__ = [
    "CONFLICTING_VARIABLES",
    "EmbeddedAWS",
    "EmbeddedAWSError",
    "aws_environment",
    "reset_moto",
    "scrub_environment",
]

#: Dummy credentials: moto accepts any, and real AWS rejects these, so nothing can reach a real account.
DUMMY_ACCESS_KEY_ID = "testing"
DUMMY_SECRET_ACCESS_KEY = "testing"  # noqa: S105 - a placeholder moto accepts, never a secret

#: Variables that would send boto3 somewhere else than the embedded server or to real credentials.
CONFLICTING_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


class EmbeddedAWSError(Exception):
    """The embedded AWS could not start (moto's server extra missing, no free port...)."""


def scrub_environment(environ: MutableMapping[str, str]) -> list[str]:
    """Remove from ``environ`` what would steer boto3 away from the embedded server; return the names.

    That is a profile (its credentials or endpoints would win over ours), session tokens, and every
    service-specific ``AWS_ENDPOINT_URL_<SERVICE>`` (which beats the global ``AWS_ENDPOINT_URL``).
    """
    removed = [
        name for name in environ if name in CONFLICTING_VARIABLES or name.startswith("AWS_ENDPOINT_URL_")
    ]
    for name in removed:
        del environ[name]
    return sorted(removed)


class EmbeddedAWS:
    """moto's ``ThreadedMotoServer`` on ``host`` (loopback) and a port the OS picks, for one gateway process.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. :attr:`environment` is what the
    functions need (pass it as ``extra_env`` to ``load_function``).
    """

    def __init__(self, *, region: str = "us-east-1", host: str = "127.0.0.1") -> None:
        self.region = region
        self.host = host
        self._server: Any = None
        self._endpoint: str | None = None

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``, the server's URL (only after :meth:`start`)."""
        if self._endpoint is None:
            raise EmbeddedAWSError("the embedded AWS is not started")
        return self._endpoint

    @property
    def running(self) -> bool:
        """Whether the server is up."""
        return self._endpoint is not None

    @property
    def environment(self) -> dict[str, str]:
        """Environment variables that point boto3 in a function at this server."""
        return aws_environment(self.endpoint, self.region)

    @property
    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``boto3.client(...)`` talking to this server."""
        return {
            "endpoint_url": self.endpoint,
            "region_name": self.region,
            "aws_access_key_id": DUMMY_ACCESS_KEY_ID,
            "aws_secret_access_key": DUMMY_SECRET_ACCESS_KEY,
        }

    def start(self) -> str:
        """Start the server (idempotent); return its endpoint URL."""
        if self._endpoint is not None:
            return self._endpoint
        try:
            # Imported here: moto takes a second to import, and `routes`/`check` never need it.
            from moto.server import ThreadedMotoServer  # noqa: PLC0415
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise EmbeddedAWSError(
                f"the embedded AWS needs moto's server extra ({exc}); install 'lambda-micro[local]' "
                "or run with --aws real"
            ) from exc
        from .dynamodb_atomic import make_dynamodb_atomic  # noqa: PLC0415 - imports moto

        # DynamoDB's item operations are atomic; moto's are made so, or a lost-update test means nothing.
        make_dynamodb_atomic()
        # moto's request handler logs every call through werkzeug's logger; the gateway logs its own lines.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # Port 0: the OS picks a free port, so two gateways (or a test run) never collide.
        server = ThreadedMotoServer(ip_address=self.host, port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        self._server = server
        self._endpoint = f"http://{host}:{port}"
        # moto keeps its data in process-wide backends, not per server: start from nothing, whatever an
        # earlier server (or test) in this process left.
        reset_moto(self._endpoint)
        return self._endpoint

    def create_resources(self, template: SamTemplate) -> None:
        """Create the template's tables and buckets on the server (those that exist already are kept)."""
        from .resources import create_resources  # noqa: PLC0415 - boto3 is imported only when needed

        create_resources(template, client_kwargs=self.client_kwargs)

    def stop(self) -> None:
        """Stop the server (idempotent); its data is gone.

        moto's data lives in process-wide backends: two embedded AWS running at once in one process share
        it, and each starts and stops with all of it wiped.
        """
        server, endpoint = self._server, self._endpoint
        self._server = self._endpoint = None
        if server is not None:
            assert endpoint is not None
            reset_moto(endpoint)
            server.stop()

    def apply_to(self, environ: MutableMapping[str, str]) -> None:
        """Point a process environment (usually ``os.environ``) at the server; scrub conflicting variables."""
        scrub_environment(environ)
        environ.update(self.environment)

    def __enter__(self) -> EmbeddedAWS:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def aws_environment(endpoint: str, region: str) -> dict[str, str]:
    """Environment variables that point boto3 at the local AWS on ``endpoint`` (this process's or
    another's, such as a running ``serve``)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_ACCESS_KEY,
    }


def reset_moto(endpoint: str) -> None:
    """Wipe every resource of the moto server at ``endpoint`` (moto's ``POST /moto-api/reset``)."""
    request = urllib.request.Request(  # noqa: S310 - always our own http:// endpoint
        f"{endpoint}/moto-api/reset", data=b"", method="POST"
    )
    # No proxy: the server is on loopback, whatever HTTP_PROXY says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        response.read()


def default_region(environ: Mapping[str, str] | None = None) -> str:
    """The region to use locally: ``AWS_REGION``, else ``AWS_DEFAULT_REGION``, else ``us-east-1``."""
    env = os.environ if environ is None else environ
    return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
