"""Reload on change: a polling watcher thread (standard library only).

The gateway reloads *in process*: the watcher notices a change to the template, the env-vars file or any
file under a function's ``CodeUri`` or one of its layers' folders and asks the gateway to rebuild its route
table and re-import its functions, then swaps them in at once. The embedded AWS server keeps running, so
its tables, items and objects survive a reload (a process-restarting reloader would lose them). Polling
(``stat`` every half second) needs no dependency and behaves the same on every OS and file system, network
mounts included.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["FileWatcher", "Snapshot", "snapshot"]

logger = logging.getLogger("lambda_micro.local")

#: Directory names never watched: caches, virtual environments, VCS and build folders.
IGNORED_DIRS = frozenset({"__pycache__", "node_modules", ".aws-sam", ".git", ".venv", "venv", ".mypy_cache"})
#: File suffixes never watched (compiled files change on import, editors' swap files change while typing).
IGNORED_SUFFIXES = (".pyc", ".pyo", ".swp", ".swx", ".tmp", "~")

#: ``path → (mtime_ns, size)``
Snapshot = dict[Path, tuple[int, int]]


def _ignored_file(name: str) -> bool:
    return name.startswith((".", "#")) or name.endswith(IGNORED_SUFFIXES)


def snapshot(paths: Iterable[Path]) -> Snapshot:
    """Stat every file at or under ``paths`` (files or folders), skipping caches and hidden entries."""
    result: Snapshot = {}
    for root in paths:
        try:
            st = root.stat()
        except OSError:
            continue  # a missing file is simply absent from the snapshot: its reappearance is a change
        if not root.is_dir():
            result[root] = (st.st_mtime_ns, st.st_size)
            continue
        # Symlinked folders are followed (a package shared between functions is often linked into
        # each CodeUri); each real folder is walked once, so a link cycle cannot loop.
        seen: set[str] = set()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            real = os.path.realpath(dirpath)
            if real in seen:
                dirnames[:] = []
                continue
            seen.add(real)
            dirnames[:] = [d for d in dirnames if d not in IGNORED_DIRS and not d.startswith(".")]
            for name in filenames:
                if _ignored_file(name):
                    continue
                path = Path(dirpath, name)
                try:
                    st = path.stat()
                except OSError:
                    continue
                result[path] = (st.st_mtime_ns, st.st_size)
    return result


def _changes(before: Snapshot, after: Snapshot) -> list[Path]:
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return sorted(changed)


class FileWatcher:
    """Polls the files under ``paths()`` and calls ``on_change(changed)`` once edits have settled.

    ``paths`` is called on every poll, so a reload that adds a function (a new ``CodeUri``) widens what is
    watched. A burst of writes (an editor saving several files, a ``git checkout``) gives one call: after a
    change the watcher waits until a poll sees nothing new. An exception in ``on_change`` is logged and
    the watcher keeps going.
    """

    def __init__(
        self,
        paths: Callable[[], Iterable[Path]],
        on_change: Callable[[list[Path]], object],
        *,
        interval: float = 0.5,
    ) -> None:
        self._paths = paths
        self._on_change = on_change
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: Snapshot = snapshot(self._paths())

    def poll(self) -> list[Path]:
        """Check once; return the files changed since the previous poll (without calling ``on_change``)."""
        current = snapshot(self._paths())
        changed = _changes(self._last, current)
        self._last = current
        return changed

    def check(self) -> list[Path]:
        """Poll until quiet; call ``on_change`` when anything changed; return the changed files."""
        changed = set(self.poll())
        if not changed:
            return []
        while not self._stop.wait(min(self.interval, 0.2)):
            more = self.poll()
            if not more:
                break
            changed.update(more)
        files = sorted(changed)
        try:
            self._on_change(files)
        except Exception:
            logger.exception("reload failed")
        return files

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.check()

    def start(self) -> None:
        """Watch in a daemon thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="lambda-micro-reloader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and wait for the thread."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)
