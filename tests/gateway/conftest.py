"""Fixtures for the local gateway tests: throwaway projects (template + functions) and a live server."""

from __future__ import annotations

import http.client
import json
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lambda_micro.local.embedded_aws import EmbeddedAWS
from lambda_micro.local.gateway import LocalGateway, load_state
from lambda_micro.local.server import LocalServer

# A handler that answers with what it received: the event, a few environment variables and the context.
ECHO_HANDLER = """
import json
import os

def handler(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({
            "event": event,
            "env": {name: os.environ.get(name) for name in ("GREETING", "AWS_ENDPOINT_URL", "AWS_REGION")},
            "function_name": context.function_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
            "request_id": context.aws_request_id,
        }),
    }
"""

# Globals and the start of a template every test template shares.
TEMPLATE_HEAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.11
    Timeout: 3
    MemorySize: 256
"""


@dataclass
class Project:
    """A throwaway SAM project in a temporary folder."""

    root: Path

    @property
    def template(self) -> Path:
        return self.root / "template.yaml"

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def write_template(self, resources: str, *, head: str = TEMPLATE_HEAD, extra_globals: str = "") -> Path:
        """Write template.yaml: ``head``, then ``extra_globals`` under Globals, then ``resources``."""
        extra = textwrap.indent(textwrap.dedent(extra_globals), "  ")
        text = head + extra + "Resources:\n" + textwrap.indent(textwrap.dedent(resources), "  ")
        self.template.write_text(text, encoding="utf-8")
        return self.template


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


@dataclass
class Reply:
    """An HTTP response as the client received it."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def header_all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class Live:
    """A gateway listening on a free port, with a tiny HTTP client."""

    server: LocalServer
    gateway: LocalGateway
    aws: EmbeddedAWS | None
    extra_cleanup: list[Callable[[], None]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def request(
        self,
        method: str,
        target: str,
        *,
        headers: Sequence[tuple[str, str]] | Mapping[str, str] = (),
        body: bytes | str | None = None,
        timeout: float = 30,
    ) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
            data = body.encode() if isinstance(body, str) else body
            for name, value in pairs:
                conn.putheader(name, value)
            framed = {n.lower() for n, _ in pairs} & {"content-length", "transfer-encoding"}
            if data is not None and not framed:
                conn.putheader("Content-Length", str(len(data)))
            conn.endheaders(data)
            response = conn.getresponse()
            return Reply(response.status, response.getheaders(), response.read())
        finally:
            conn.close()

    def get(self, target: str, **kwargs: Any) -> Reply:
        return self.request("GET", target, **kwargs)


@pytest.fixture
def serve() -> Iterator[Callable[..., Live]]:
    """``serve(template_path, aws=False, **load_state_kwargs)`` → a started :class:`Live` gateway."""
    started: list[Live] = []

    def start(template: Path, *, aws: bool = False, **kwargs: Any) -> Live:
        embedded = EmbeddedAWS() if aws else None
        if embedded is not None:
            embedded.start()
            kwargs.setdefault("extra_env", embedded.environment)
        state = load_state(template, **kwargs)
        if embedded is not None:
            embedded.create_resources(state.template)
        gateway = LocalGateway(state)
        server = LocalServer(gateway, host="127.0.0.1", port=0)
        server.start()
        live = Live(server, gateway, embedded)
        started.append(live)
        return live

    yield start
    for live in started:
        live.server.shutdown()
        if live.aws is not None:
            live.aws.stop()
        # Requests still under way (the server does not wait for its request threads) finish on their code.
        for function in live.gateway.state.functions.values():
            function.retire()
