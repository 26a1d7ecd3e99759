"""What ``lambda-micro`` keeps next to a project's template, in ``.lambda-micro/`` (git-ignore it).

- ``serve.json``: the running ``lambda-micro serve`` of this template (its process and embedded AWS), so
  ``lambda-micro users add`` and ``lambda-micro token`` reach the same local Cognito; removed at stop.
- ``users.json``: the users ``lambda-micro users add`` made (pool, name, password, groups), created again
  in the local Cognito each time ``serve`` starts (its data lives as long as the process).
- ``dev-issuer.json``: the dev issuer's private key (:mod:`lambda_micro.local.auth.dev_issuer`).

Files holding passwords or keys are written with mode 0600. These are local development users of an
emulated Cognito, never real credentials.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ServeRecord", "StoredUser", "Users", "project_dir", "read_serve", "remove_serve", "write_private",
    "write_serve",
]  # fmt: skip

FOLDER = ".lambda-micro"


def project_dir(template: Path | str) -> Path:
    """``.lambda-micro/`` beside the template."""
    return Path(template).resolve().parent / FOLDER


def write_private(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``path``, readable by this user only (0600): keys and passwords."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=2)
        stream.write("\n")


@dataclass(frozen=True)
class ServeRecord:
    """A running ``serve``: its process id, the embedded AWS's endpoint and region, its URL."""

    pid: int
    aws_endpoint: str
    region: str
    url: str = ""


def write_serve(template: Path | str, record: ServeRecord) -> Path:
    """Record the running server (``serve.json``)."""
    path = project_dir(template) / "serve.json"
    write_private(path, asdict(record))
    return path


def read_serve(template: Path | str) -> ServeRecord | None:
    """The running server of this template, or ``None`` (none recorded, or its process is gone)."""
    path = project_dir(template) / "serve.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        record = ServeRecord(
            pid=int(data["pid"]), aws_endpoint=str(data["aws_endpoint"]), region=str(data["region"]),
            url=str(data.get("url", "")),
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(record.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # pragma: no cover - another user's process: it is running
        pass
    return record


def remove_serve(template: Path | str, pid: int) -> None:
    """Forget the server record if it is ``pid``'s."""
    path = project_dir(template) / "serve.json"
    try:
        if int(json.loads(path.read_text(encoding="utf-8"))["pid"]) == pid:
            path.unlink()
    except (OSError, ValueError, KeyError, TypeError):
        return


@dataclass(frozen=True)
class StoredUser:
    """A user ``lambda-micro users add`` made."""

    pool: str
    username: str
    password: str
    groups: list[str] = field(default_factory=list)


class Users:
    """``users.json``: the project's local users (one per pool and name; a later ``add`` replaces it)."""

    def __init__(self, template: Path | str) -> None:
        self.path = project_dir(template) / "users.json"

    def all(self) -> list[StoredUser]:
        """Every stored user, in the order they were added."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise ValueError(f"{self.path}: not a users file ({exc}); fix or delete it") from exc
        users = []
        for item in data.get("users", []) if isinstance(data, dict) else []:
            try:
                groups = [str(group) for group in item.get("groups", [])]
                pool, name, password = str(item["pool"]), str(item["username"]), str(item["password"])
                users.append(StoredUser(pool, name, password, groups))
            except (KeyError, TypeError) as exc:
                raise ValueError(f"{self.path}: a user entry lacks {exc}") from exc
        return users

    def find(self, username: str, pool: str | None = None) -> StoredUser | None:
        """The stored user ``username`` (of ``pool`` when given)."""
        return next(
            (u for u in self.all() if u.username == username and (pool is None or u.pool == pool)), None
        )

    def put(self, user: StoredUser) -> None:
        """Add or replace ``user``."""
        kept = [u for u in self.all() if (u.pool, u.username) != (user.pool, user.username)]
        write_private(self.path, {"users": [asdict(u) for u in [*kept, user]]})
