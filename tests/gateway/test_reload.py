"""The polling file watcher behind reload-on-change."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from lambda_micro.local.reload import FileWatcher, snapshot


def touch(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    # Make the change visible even on file systems with coarse timestamps.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_snapshot_walks_folders_and_skips_caches_and_hidden(tmp_path: Path) -> None:
    code = tmp_path / "fn"
    touch(code / "app.py", "x")
    touch(code / "templates" / "index.html", "x")
    touch(code / "__pycache__" / "app.cpython-311.pyc", "x")
    touch(code / ".hidden" / "secret.py", "x")
    touch(code / ".swap.swp", "x")
    touch(code / "app.pyc", "x")
    template = tmp_path / "template.yaml"
    touch(template, "x")
    snap = snapshot([template, code, tmp_path / "missing"])
    assert set(snap) == {template, code / "app.py", code / "templates" / "index.html"}


def test_watcher_reports_modified_added_and_removed_files(tmp_path: Path) -> None:
    touch(tmp_path / "a.py", "1")
    touch(tmp_path / "b.py", "1")
    calls: list[list[Path]] = []
    watcher = FileWatcher(lambda: [tmp_path], calls.append, interval=0.01)
    assert watcher.check() == []
    touch(tmp_path / "a.py", "2")
    touch(tmp_path / "c.py", "new")
    (tmp_path / "b.py").unlink()
    changed = watcher.check()
    assert changed == [tmp_path / "a.py", tmp_path / "b.py", tmp_path / "c.py"]
    assert calls == [changed]
    assert watcher.check() == []
    assert len(calls) == 1


def test_watcher_paths_are_re_read_on_every_poll(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    touch(first / "app.py", "x")
    touch(second / "app.py", "x")
    roots = [first]
    watcher = FileWatcher(lambda: list(roots), lambda changed: None, interval=0.01)
    roots.append(second)  # e.g. a reload added a function
    assert watcher.check() == [second / "app.py"]


def test_watcher_survives_a_failing_callback(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    touch(tmp_path / "a.py", "1")

    def boom(changed: list[Path]) -> None:
        raise RuntimeError("reload exploded")

    watcher = FileWatcher(lambda: [tmp_path], boom, interval=0.01)
    touch(tmp_path / "a.py", "2")
    assert watcher.check() == [tmp_path / "a.py"]
    assert "reload failed" in caplog.text
    assert "reload exploded" in caplog.text


def test_watcher_thread_reports_every_changed_file(tmp_path: Path) -> None:
    touch(tmp_path / "a.py", "1")
    seen: list[list[Path]] = []
    event = threading.Event()

    def on_change(changed: list[Path]) -> None:
        seen.append(changed)
        event.set()

    watcher = FileWatcher(lambda: [tmp_path], on_change, interval=0.05)
    watcher.start()
    watcher.start()  # idempotent
    try:
        touch(tmp_path / "a.py", "2")
        touch(tmp_path / "b.py", "1")
        assert event.wait(10), "the watcher never noticed the change"
        deadline = time.monotonic() + 10  # the two writes may straddle two polls on a busy machine
        while len({p for batch in seen for p in batch}) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        watcher.stop()
    assert sorted({p for batch in seen for p in batch}) == [tmp_path / "a.py", tmp_path / "b.py"]
    watcher.stop()  # idempotent


def test_snapshot_follows_symlinked_folders_once(tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "pkg"
    touch(shared / "model.py", "x")
    code = tmp_path / "fn"
    touch(code / "app.py", "x")
    (code / "pkg").symlink_to(shared, target_is_directory=True)
    (shared / "loop").symlink_to(code, target_is_directory=True)  # a cycle must not hang the walk
    snap = snapshot([code])
    assert code / "pkg" / "model.py" in snap
    assert code / "app.py" in snap
    watcher = FileWatcher(lambda: [code], lambda changed: None, interval=0.01)
    touch(shared / "model.py", "changed")
    assert code / "pkg" / "model.py" in watcher.check()
