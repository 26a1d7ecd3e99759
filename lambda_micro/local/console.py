"""What the command line shows: log lines, readable tracebacks, the route table and the start banner."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from .routing import RouteTable

if TYPE_CHECKING:
    from .devserver import DevServer

__all__ = ["DevLogFormatter", "banner", "format_routes", "logging_to", "plural"]

logger = logging.getLogger("lambda_micro.local")
PROG = "lambda-micro"


def plural(count: int, noun: str) -> str:
    """``1 function``, ``2 functions``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


class DevLogFormatter(logging.Formatter):
    """Log lines for a terminal: the runtime's one-line JSON error record becomes a readable traceback.

    In Lambda an unhandled exception is logged as a single JSON line (CloudWatch keeps it one event); in a
    terminal that line is unreadable. The record is still logged by the runtime as is: only how the
    development tools print it changes, so the runtime's default stays what Lambda needs.
    """

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        message = record.getMessage()
        if not message.startswith('{"level": "ERROR"'):
            return line
        try:
            data = json.loads(message)
        except ValueError:
            return line
        if not isinstance(data, dict) or "traceback" not in data:
            return line
        where = " ".join(str(data[key]) for key in ("method", "path") if key in data)
        ids = ", ".join(f"{key} {data[key]}" for key in ("aws_request_id", "api_request_id") if key in data)
        head = f"{data.get('message', 'Unhandled exception')}{f' in {where}' if where else ''}"
        head += f" ({ids})" if ids else ""
        prefix = line[: line.index(message)] if message in line else ""
        return f"{prefix}{head}\n{str(data['traceback']).rstrip()}"


@contextlib.contextmanager
def logging_to(stream: TextIO) -> Iterator[None]:
    """The gateway's lines on ``stream`` for the command's duration; the previous setup is restored after.

    The functions' own records go through the root logger: shown from WARNING on, or lower where their code
    sets a lower level, as Lambda's Python runtime does; an unhandled exception shows as a traceback.
    """
    saved = (list(logger.handlers), logger.level, logger.propagate)
    root = logging.getLogger()
    root_handler: logging.Handler | None = None
    handler = logging.StreamHandler(stream)
    handler.setFormatter(DevLogFormatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the root handler would print every line a second time
    if not root.handlers:
        root_handler = logging.StreamHandler(stream)
        root_handler.setFormatter(DevLogFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(root_handler)
    try:
        yield
    finally:
        logger.handlers[:] = saved[0]
        logger.setLevel(saved[1])
        logger.propagate = saved[2]
        if root_handler is not None:
            root.removeHandler(root_handler)


def format_routes(table: RouteTable) -> str:
    """The route table as aligned text columns."""
    rows = [["METHOD", "PATH", "FUNCTION", "API", "STAGE", "PAYLOAD", "AUTH"]]
    for row in table.describe():
        rows.append(
            [
                row["method"],
                row["path"],
                row["function"],
                row["api"],
                row["stage"],
                row["payload"],
                row["auth"],
            ]
        )
    if len(rows) == 1:
        return "(no Api or HttpApi events in the template)"
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)


def banner(dev: DevServer) -> str:
    """The start banner: routes, the local AWS endpoint, tables and buckets, and every port's URL."""
    if dev.gateway is None or dev.server is None:
        raise RuntimeError("start() the server first")
    state = dev.gateway.state
    template = state.template
    table = state.table
    assert template is not None
    assert isinstance(table, RouteTable)
    counts = f"{plural(len(template.functions), 'function')}, {plural(len(state.table.routes), 'route')}"
    lines = [f"{PROG}: serving {template.path} ({counts})"]
    if dev.aws is not None:
        lines.append(f"  local AWS (moto): {dev.aws.endpoint}")
        lines.extend(f"    table  {table.logical_id}: {table.name}" for table in template.tables.values())
        lines.extend(f"    bucket {bucket.logical_id}: {bucket.name}" for bucket in template.buckets.values())
        lines.extend(f"    queue  {queue.logical_id}: {queue.name}" for queue in template.queues.values())
        lines.extend(f"    topic  {topic.logical_id}: {topic.name}" for topic in template.topics.values())
        lines.extend(f"    stream {stream.logical_id}: {stream.name}" for stream in template.streams.values())
        for pool in template.user_pools.values():
            clients = [c.client_id for c in template.user_pool_clients.values() if c.pool == pool.logical_id]
            lines.append(
                f"    user pool {pool.logical_id}: {pool.pool_id}"
                + (f" (app client {', '.join(clients)})" if clients else "")
            )
        if template.user_pools:
            lines.append(f"    users: {PROG} users add EMAIL; tokens: {PROG} token EMAIL")
    else:
        lines.append("  AWS: real (your environment's credentials and region)")
    keys = [key for key in template.api_keys.values() if key.enabled]
    lines.extend(f"  API key {key.logical_id} (x-api-key): {key.value}" for key in keys)
    lines.append("")
    lines.extend("  " + line for line in format_routes(table).splitlines())
    lines.append("")
    if dev.delivery is not None:
        lines.append("  events (delivered from the local AWS):")
        lines.extend(f"    {line}" for line in dev.delivery.describe())
        lines.append("")
    combined = next((port for api, port in dev.listening if api is None), None)
    if combined is not None:
        url = dev.server.url_for(combined)
        for prefix, api_ids in sorted(table.stage_prefixes().items()):
            lines.append(f"  {', '.join(api_ids)} also answers under its stage: {url}{prefix}/")
    for api, port in dev.listening:
        if api is not None:
            api_kind = "REST" if next(iter(state.api_tables[api].api_kinds), "rest") == "rest" else "HTTP"
            lines.append(f"  {api} ({api_kind} API) alone: {dev.server.url_for(port)}/")
    reload = "reloading on change; " if dev.watcher is not None else ""
    first = dev.server.url_for(dev.listening[0][1])
    what = "every API" if combined is not None else dev.listening[0][0]
    lines.append(f"Listening on {first}/ for {what} ({reload}Ctrl+C to quit)")
    return "\n".join(lines)
