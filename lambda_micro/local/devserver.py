"""What ``lambda-micro serve`` runs: the embedded AWS, the gateway, its HTTP server, the delivery of the
template's non-HTTP events (:mod:`.sources`) and the reloader.

The gateway listens on the combined port (every API of the template, for the browser) and on one port per
API after it (``--port 3000``: 3001, 3002... in template order; ``--port 0``: free ports), where an
unknown path gets that API's own answer (HTTP API ``404 {"message":"Not Found"}``, REST ``403 {"message":
"Missing Authentication Token"}``). ``api=`` serves one API alone, on ``port``.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .auth.credentials import Credentials
from .auth.dev_issuer import DevIssuer
from .auth.keys import IssuerKeys
from .auth.stage import GatewayAuth
from .embedded_aws import EmbeddedAWS
from .envvars import EnvVarsError, load_env_vars
from .gateway import GatewayState, LocalGateway, load_state
from .loader import LoadedFunction
from .reload import FileWatcher
from .routing import RouteTable
from .sam import TemplateError
from .server import GatewayStartError, LocalServer
from .sources.delivery import EventDelivery
from .workdir import ServeRecord, Users, project_dir, remove_serve, write_serve

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from .cognito import LocalCognito

__all__ = ["DevServer", "is_loopback", "restore_environ"]

logger = logging.getLogger("lambda_micro.local")


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def restore_environ(environ: MutableMapping[str, str], saved: Mapping[str, str]) -> None:
    """Make ``environ`` equal to ``saved`` again."""
    for name in [name for name in environ if name not in saved]:
        del environ[name]
    environ.update(saved)


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class DevServer:
    """The embedded AWS, the gateway, its HTTP server (combined port and one per API) and the reloader.

    ``start()`` raises ``TemplateError``/``FunctionLoadError``/``GatewayStartError``... before anything is
    left running; ``stop()`` shuts everything down. With ``process_environ`` (``os.environ`` for the
    command), the embedded AWS's variables are also set there, for code that reads them outside the
    loader's per-function environment. ``api_ports=False`` listens on the combined port only.
    """

    def __init__(
        self,
        template: str | Path,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        reload: bool = True,
        parameter_overrides: Mapping[str, str] | None = None,
        env_vars_path: str | Path | None = None,
        aws: str = "moto",
        region: str = "us-east-1",
        process_environ: MutableMapping[str, str] | None = None,
        reload_interval: float = 0.5,
        api: str | None = None,
        api_ports: bool = True,
        delivery_interval: float = 0.5,
        trust_dev_issuer: bool = False,
    ) -> None:
        self.template = Path(template)
        self.host = host
        self.port = port
        self.reload_enabled = reload
        self.parameter_overrides = dict(parameter_overrides or {})
        self.env_vars_path = Path(env_vars_path) if env_vars_path else None
        self.region = region
        self.process_environ = process_environ
        self.reload_interval = reload_interval
        self.api = api
        self.api_ports = api_ports
        self.aws = EmbeddedAWS(region=region) if aws == "moto" else None
        # The template's authorizers, enforced: JWTs checked against the local Cognito's keys (or the dev
        # issuer's), SigV4 against the local AWS's credentials.
        self.keys = IssuerKeys(
            dev_issuer=DevIssuer(project_dir(self.template) / "dev-issuer.json"),
            trust_dev_issuer=trust_dev_issuer,
        )
        self.auth = GatewayAuth(keys=self.keys, credentials=Credentials(moto=self.aws is not None))
        self._recorded = False
        self.gateway: LocalGateway | None = None
        self.server: LocalServer | None = None
        self.watcher: FileWatcher | None = None
        #: The delivery of the template's SQS, S3, stream, SNS, EventBridge and schedule events (moto only).
        self.delivery: EventDelivery | None = None
        self.delivery_interval = delivery_interval
        #: ``(api id or None for the combined port, port)``, in the order listened on.
        self.listening: list[tuple[str | None, int]] = []
        self._saved_environ: dict[str, str] | None = None

    def build_state(self, *, strict: bool) -> GatewayState:
        """Load the template and functions (``strict``: the first function that does not import raises)."""
        env_vars = load_env_vars(self.env_vars_path) if self.env_vars_path else None
        state = load_state(
            self.template,
            parameter_overrides=self.parameter_overrides,
            env_vars=env_vars,
            extra_env=self.aws.environment if self.aws is not None else None,
            region=self.region,
            strict=strict,
        )
        if state.template is not None:
            self.keys.pool_issuers = frozenset(pool.issuer for pool in state.template.user_pools.values())
            if self.aws is not None:
                self.aws.create_resources(state.template)
                self.keys.cognito_endpoint = self.aws.endpoint
                self._create_users(state)
        return state

    @property
    def cognito(self) -> LocalCognito:
        """The template's user pools on the embedded AWS: ``dev.cognito.add_user(...)``, ``.tokens(...)``."""
        from .cognito import LocalCognito  # noqa: PLC0415 - boto3, only when asked

        if self.aws is None or self.gateway is None or self.gateway.state.template is None:
            raise RuntimeError("the local Cognito needs a started server with --aws moto")
        return LocalCognito(self.gateway.state.template, client_kwargs=self.aws.client_kwargs)

    def _create_users(self, state: GatewayState) -> None:
        """Create again the users ``lambda-micro users add`` recorded (the local Cognito starts empty)."""
        template = state.template
        if template is None or not template.user_pools:
            return
        from .cognito import CognitoError, LocalCognito  # noqa: PLC0415 - boto3, only with user pools

        assert self.aws is not None
        cognito = LocalCognito(template, client_kwargs=self.aws.client_kwargs)
        try:
            stored = Users(self.template).all()
        except ValueError as exc:
            logger.error("%s", exc)
            return
        for user in stored:
            if user.pool not in template.user_pools:
                continue
            try:
                cognito.add_user(user.username, pool=user.pool, password=user.password, groups=user.groups)
            except CognitoError as exc:
                logger.error("users.json: %s", exc)

    def _listeners(self, gateway: LocalGateway) -> list[tuple[str | None, WSGIApplication, int]]:
        apis = list(gateway.state.api_tables)
        if self.api is not None:
            if self.api not in apis:
                known = ", ".join(apis) or "none"
                raise GatewayStartError(f"--api {self.api}: no API of that name has routes (APIs: {known})")
            return [(self.api, gateway.wsgi_app(self.api), self.port)]
        listeners: list[tuple[str | None, WSGIApplication, int]] = [(None, gateway, self.port)]
        if self.api_ports:
            for index, api_id in enumerate(apis, start=1):
                listeners.append((api_id, gateway.wsgi_app(api_id), self.port + index if self.port else 0))
        return listeners

    def start(self, *, serve_in_thread: bool = True) -> None:
        """Start the embedded AWS, load everything, listen; serve in a thread unless told otherwise."""
        try:
            if self.aws is not None:
                self.aws.start()
                if self.process_environ is not None:
                    self._saved_environ = dict(self.process_environ)
                    self.aws.apply_to(self.process_environ)
            self.gateway = LocalGateway(self.build_state(strict=True), auth=self.auth)
            listeners = self._listeners(self.gateway)
            self.server = LocalServer(host=self.host, listeners=[(app, port) for _, app, port in listeners])
            self.listening = [
                (api, port) for (api, _, _), port in zip(listeners, self.server.ports, strict=True)
            ]
            self._start_delivery(self.gateway.state)
        except BaseException:
            self.stop()
            raise
        if self.aws is not None:
            url = self.server.url_for(self.listening[0][1])
            write_serve(self.template, ServeRecord(os.getpid(), self.aws.endpoint, self.region, url))
            self._recorded = True
        if self.reload_enabled:
            self.watcher = FileWatcher(self.watch_paths, self.reload, interval=self.reload_interval)
            self.watcher.start()
        if serve_in_thread:
            self.server.start()

    def _start_delivery(self, state: GatewayState) -> None:
        """Deliver the template's non-HTTP events from the embedded AWS to the functions served now."""
        template = state.template
        if template is None or not template.event_sources:
            return
        if self.aws is None:
            logger.warning("with --aws real, the template's non-HTTP events are not delivered locally")
            return
        gateway = self.gateway
        assert gateway is not None
        self.delivery = EventDelivery(
            template, lambda: gateway.state.functions, client_kwargs=self.aws.client_kwargs, log=logger
        ).setup()
        self.delivery.start(self.delivery_interval)

    def url(self, api: str | None = None) -> str:
        """The URL of the combined port, or of ``api``'s own port."""
        if self.server is None:
            raise RuntimeError("start() the server first")
        port = next((port for name, port in self.listening if name == api), None)
        if port is None:
            raise KeyError(f"no port serves {api or 'every API'} (ports: {self.listening})")
        return self.server.url_for(port)

    def watch_paths(self) -> list[Path]:
        """The template, every function's code folder and the env-vars file."""
        paths = self.gateway.state.watch_paths if self.gateway is not None else [self.template]
        return [*paths, *([self.env_vars_path] if self.env_vars_path else [])]

    def reload(self, changed: Sequence[Path] = ()) -> bool:
        """Rebuild and swap in the template's routes and functions; keep the old ones if the template fails.

        Returns whether the new version is being served. The embedded AWS and its data are kept. A port
        serves the APIs it served at start; an API added to the template is reached on the combined port.
        """
        if self.gateway is None:
            return False
        shown = ", ".join(_relative(p) for p in changed[:3]) or "the project"
        if len(changed) > 3:
            shown += f" and {len(changed) - 3} more"
        try:
            state = self.build_state(strict=False)
        except (TemplateError, EnvVarsError) as exc:
            logger.error(
                "reload after a change to %s failed; still serving the previous version:\n  %s", shown, exc
            )
            return False
        gone = [api for api, _ in self.listening if api is not None and api not in state.api_tables]
        if gone:  # its port stays open, answering as an API without routes
            state = replace(state, api_tables={**state.api_tables, **{api: RouteTable([]) for api in gone}})
        previous = self.gateway.swap(state)
        old_sources = previous.template.event_sources if previous.template is not None else []
        if state.template is not None and state.template.event_sources != old_sources:
            if self.delivery is not None:
                self.delivery.stop()
                self.delivery = None
            self._start_delivery(state)
        routes = len(state.table.routes)
        logger.info("reloaded after a change to %s (%d route%s)", shown, routes, "" if routes == 1 else "s")
        for function_id, problem in state.load_errors.items():
            logger.error(
                "%s does not load; its routes answer with errors until it is fixed:\n  %s",
                function_id,
                problem,
            )
        return True

    def serve_forever(self) -> None:
        """Serve in this thread until KeyboardInterrupt (Ctrl+C, or SIGTERM through the command)."""
        if self.server is None:
            raise RuntimeError("start(serve_in_thread=False) the server first")
        self.server.serve_forever()

    def stop(self) -> None:
        """Stop the reloader, the HTTP server and the embedded AWS (idempotent)."""
        watcher, self.watcher = self.watcher, None
        if watcher is not None:
            watcher.stop()
        delivery, self.delivery = self.delivery, None
        if delivery is not None:
            delivery.stop()
        server, self.server = self.server, None
        if server is not None:
            server.shutdown()
        gateway, self.gateway = self.gateway, None
        if gateway is not None:
            for function in gateway.state.functions.values():
                if isinstance(function, LoadedFunction):
                    function.retire()  # a request still under way finishes on its code
        if self._recorded:
            remove_serve(self.template, os.getpid())
            self._recorded = False
        if self.aws is not None:
            self.aws.stop()
        saved, self._saved_environ = self._saved_environ, None
        if saved is not None and self.process_environ is not None:
            restore_environ(self.process_environ, saved)
