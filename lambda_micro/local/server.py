"""The HTTP server under ``lambda-micro serve``: waitress, one or more ports, API Gateway's limits.

waitress does HTTP/1.1 properly (keep-alive, pipelining, chunked request bodies, ``Expect: 100-continue``),
buffers large bodies to temporary files rather than memory, answers 400 for a malformed request (a bad or
repeated ``Content-Length``, a bad chunk header) and closes idle connections. On top of it:

- request bodies over API Gateway's 10 MB are refused with API Gateway's own 413, whether announced by
  ``Content-Length`` or found while reading a chunked body;
- a chunk size no request could have (``ffffffffffffffff``) is a 400 at once, and a chunk larger than the
  body limit a 413, before anything of it is read;
- the request line and headers together are capped at 64 KiB (waitress's 431), and the gateway applies
  API Gateway's own 10 KB and URL quotas (:mod:`.apigw`);
- the header lines reach the gateway as received (order, case, repeats), for ``multiValueHeaders``.

Several listeners share one event loop and one pool of worker threads: the combined port and one port per
API. waitress is pure Python and cross-platform, like the rest of the local tools.
"""

from __future__ import annotations

import errno
import socket
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, get_header_lines
from waitress.receiver import ChunkedReceiver
from waitress.rfc7230 import HEADER_FIELD_RE
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher, WSGITask
from waitress.utilities import BadRequest, RequestEntityTooLarge

from .apigw import BODY_LIMIT, api_error
from .gateway import RAW_HEADERS_KEY

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["HEADER_CAP", "GatewayStartError", "LocalServer"]

#: The most the server reads of a request line and its headers (API Gateway's own quota is 10 KB).
HEADER_CAP = 64 * 1024
# No request body is larger than this many bytes (2**63 - 1): a larger chunk size is not a size at all.
_MAX_CHUNK = (1 << 63) - 1


class GatewayStartError(Exception):
    """The gateway could not start listening (port in use, unknown host...)."""


class _ChunkedReceiver(ChunkedReceiver):  # type: ignore[misc]
    """waitress's chunked body reader, refusing a chunk size past the body limit as soon as it is read."""

    buf: Any
    chunk_remainder: int
    error: Any
    all_chunks_received: bool

    def __init__(self, buf: Any, limit: int) -> None:
        super().__init__(buf)
        self.limit = limit

    def received(self, s: bytes) -> int:
        consumed: int = super().received(s)
        # What the body will be once this chunk is read: over the limit, it is refused now.
        if self.error is None and len(self.buf) + self.chunk_remainder > self.limit:
            if self.chunk_remainder > _MAX_CHUNK:
                self.error = BadRequest(f"Invalid chunk size {self.chunk_remainder:x}")
            else:
                self.error = RequestEntityTooLarge(f"a chunk of {self.chunk_remainder} bytes")
            self.all_chunks_received = True
            self.chunk_remainder = 0
        return consumed


class _Parser(HTTPRequestParser):  # type: ignore[misc]
    """Keeps the header lines as received, and guards chunked bodies."""

    raw_headers: tuple[tuple[str, str], ...] = ()
    body_rcv: Any
    chunked: bool
    adj: Any

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        raw = []
        for line in get_header_lines(header_plus[header_plus.find(b"\r\n") + 2 :]):
            field = HEADER_FIELD_RE.match(line)
            if field is not None:
                name, value = field.group("name", "value")
                raw.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))
        self.raw_headers = tuple(raw)
        if self.chunked:
            self.body_rcv = _ChunkedReceiver(self.body_rcv.buf, self.adj.max_request_body_size - 1)


class _Task(WSGITask):  # type: ignore[misc]
    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[RAW_HEADERS_KEY] = self.request.raw_headers
        environ["RAW_URI"] = self.request.request_uri
        return environ


class _ErrorTask(ErrorTask):  # type: ignore[misc]
    """waitress's answer to a malformed request, except a too large body: API Gateway's own 413."""

    def execute(self) -> None:
        if not isinstance(self.request.error, RequestEntityTooLarge):
            super().execute()
            return
        error = api_error("rest", "body_too_large")
        self.status = "413 Request Entity Too Large"
        self.response_headers.extend(error.headers)
        self.set_close_on_finish()
        self.content_length = len(error.body)
        self.write(error.body)


class _Channel(HTTPChannel):  # type: ignore[misc]
    parser_class = _Parser
    task_class = _Task
    error_task_class = _ErrorTask


class _Server(TcpWSGIServer):  # type: ignore[misc]
    channel_class = _Channel


def _listening_socket(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise GatewayStartError(f"cannot listen on {host}:{port}: unknown host ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise GatewayStartError(
                f"port {port} on {host} is already in use; stop the other program or pass --port"
            ) from None
        raise GatewayStartError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


class LocalServer:
    """waitress serving WSGI apps on ``host``: ``LocalServer(app, port=3000)``, or several ``listeners``.

    ``listeners`` is a list of ``(app, port)``; port 0 lets the OS pick a free one. :attr:`ports` are the
    ports actually listened on, in order. ``threads`` is the size of the worker pool (the handlers run in
    their own threads, so a worker mostly waits); idle keep-alive connections close after
    ``channel_timeout`` seconds.
    """

    def __init__(
        self,
        app: WSGIApplication | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        listeners: Sequence[tuple[WSGIApplication, int]] | None = None,
        threads: int = 8,
        channel_timeout: int = 60,
    ) -> None:
        if listeners is None:
            if app is None:
                raise TypeError("LocalServer needs an app or listeners")
            listeners = [(app, port)]
        self.host = host
        self._map: dict[int, Any] = {}
        self._adjustments = Adjustments(
            threads=threads,
            channel_timeout=channel_timeout,
            cleanup_interval=min(30, channel_timeout),
            connection_limit=1000,
            # ``>=`` in waitress: a body of exactly 10 MB passes, as on API Gateway.
            max_request_body_size=BODY_LIMIT + 1,
            max_request_header_size=HEADER_CAP,
            clear_untrusted_proxy_headers=False,  # the gateway forwards X-Forwarded-For as API Gateway does
            ident="lambda-micro",
            expose_tracebacks=False,
        )
        self._dispatcher = ThreadedTaskDispatcher()
        self._servers: list[Any] = []
        sockets: list[socket.socket] = []
        try:
            for _, listen_port in listeners:
                sockets.append(_listening_socket(host, listen_port))
            for (listener_app, _), sock in zip(listeners, sockets, strict=True):
                self._servers.append(
                    _Server(
                        listener_app,
                        self._map,
                        True,
                        sock,
                        dispatcher=self._dispatcher,
                        adj=self._adjustments,
                        bind_socket=False,
                        sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
                    )
                )
        except BaseException:
            for sock in sockets:
                sock.close()
            raise
        self._dispatcher.set_thread_count(threads)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._stopped = threading.Event()

    @property
    def ports(self) -> list[int]:
        """The ports listened on, in the order of the listeners."""
        return [int(server.effective_port) for server in self._servers]

    @property
    def port(self) -> int:
        """The first listener's port."""
        return self.ports[0]

    def url_for(self, port: int) -> str:
        """``http://host:port``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The first listener's URL."""
        return self.url_for(self.port)

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` (from another thread) or KeyboardInterrupt."""
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=0.2, map=self._map, count=1)
        finally:
            self._close()
            self._stopped.set()

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="lambda-micro-gateway", daemon=True)
        self._thread.start()

    def _close(self) -> None:
        self._dispatcher.shutdown(timeout=2)
        wasyncore.close_all(self._map)

    def shutdown(self) -> None:
        """Stop serving and close the sockets."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        elif not self._stopped.is_set():
            self._close()

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.shutdown()
