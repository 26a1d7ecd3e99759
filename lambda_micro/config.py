"""``app.config``: a dict with Flask's loading helpers (files, environment variables, objects)."""

from __future__ import annotations

import errno
import json
import os
import types
from collections.abc import Callable, Mapping
from typing import IO, Any

__all__ = ["Config"]


class Config(dict[str, Any]):
    """Application configuration: a plain ``dict`` (upper-case keys by convention) with loading helpers.

    :param root_path: the folder relative file names are resolved from (the app's ``root_path``, or its
        ``instance_path`` with ``instance_relative_config=True``); ``None`` for the working directory.
    :param defaults: the initial values.
    """

    def __init__(
        self, root_path: str | os.PathLike[str] | None = None, defaults: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(defaults or {})
        self.root_path = os.fspath(root_path) if root_path is not None else None

    def _path(self, filename: str | os.PathLike[str]) -> str:
        filename = os.fspath(filename)
        return os.path.join(self.root_path, filename) if self.root_path is not None else filename

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load the Python file named by environment variable ``variable_name`` (see :meth:`from_pyfile`).

        An unset or empty variable is a ``RuntimeError`` naming it, or ``False`` with ``silent=True``.
        """
        filename = os.environ.get(variable_name)
        if not filename:
            if silent:
                return False
            raise RuntimeError(
                f"The environment variable {variable_name!r} is not set, so no configuration could be loaded"
                " from it. Set it to the path of a configuration file."
            )
        return self.from_pyfile(filename, silent=silent)

    def from_pyfile(self, filename: str | os.PathLike[str], silent: bool = False) -> bool:
        """Execute a Python file (relative to ``root_path``) and load its upper-case names.

        A missing file raises ``OSError`` naming the path ("Unable to load configuration file"), or returns
        ``False`` with ``silent=True``; a file that does not run raises its own error.
        """
        path = self._path(filename)
        module = types.ModuleType("config")
        module.__file__ = path
        try:
            with open(path, mode="rb") as config_file:
                source = config_file.read()
        except OSError as e:
            if silent and e.errno in (errno.ENOENT, errno.EISDIR, errno.ENOTDIR):
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        exec(compile(source, path, "exec"), module.__dict__)  # noqa: S102 - the app's own config file
        self.from_object(module)
        return True

    def from_file(
        self,
        filename: str | os.PathLike[str],
        load: Callable[[IO[Any]], Mapping[str, Any]],
        silent: bool = False,
        text: bool = True,
    ) -> bool:
        """Load a data file (relative to ``root_path``) with ``load`` (``json.load``, ``tomllib.load`` with
        ``text=False``) and keep its upper-case keys; a missing file as in :meth:`from_pyfile`."""
        path = self._path(filename)
        try:
            with open(path, "r" if text else "rb") as f:
                data = load(f)
        except OSError as e:
            if silent and e.errno in (errno.ENOENT, errno.EISDIR):
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        if not isinstance(data, Mapping):
            raise TypeError(
                f"The configuration file {path!r} loaded as a {type(data).__name__}, not a mapping of names"
                " to values."
            )
        return self.from_mapping(data)

    def from_mapping(self, mapping: Mapping[str, Any] | None = None, **kwargs: Any) -> bool:
        """Update from a mapping and/or keyword arguments, keeping only upper-case keys (like Flask)."""
        items: dict[str, Any] = {}
        if mapping is not None:
            items.update(mapping)
        items.update(kwargs)
        for key, value in items.items():
            if key.isupper():
                self[key] = value
        return True

    def from_object(self, obj: object | str) -> None:
        """Update from the upper-case attributes of an object (a module or a class), or of the object an
        import string names (``"blog.settings"``, ``"blog.settings:Production"``)."""
        if isinstance(obj, str):
            from werkzeug.utils import import_string  # noqa: PLC0415 - only for import strings

            obj = import_string(obj)
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_prefixed_env(self, prefix: str = "LAMBDA_MICRO", *, loads: Any = json.loads) -> bool:
        """Load ``PREFIX_NAME`` environment variables as ``NAME``, parsing each value with ``loads``.

        Values that ``loads`` cannot parse stay strings (``LAMBDA_MICRO_DEBUG=true`` gives ``True``,
        ``LAMBDA_MICRO_SECRET_KEY=abc`` gives ``"abc"``). A double underscore sets a nested key:
        ``LAMBDA_MICRO_DB__NAME=x`` sets ``config["DB"]["NAME"]``.
        """
        prefix = f"{prefix}_"
        for key in sorted(os.environ):
            if not key.startswith(prefix):
                continue
            raw = os.environ[key]
            try:
                value = loads(raw)
            except Exception:  # any parse failure means "keep it as a string"
                value = raw
            name = key.removeprefix(prefix)
            if "__" not in name:
                self[name] = value
                continue
            current: dict[str, Any] = self
            *parts, tail = name.split("__")
            for part in parts:
                if not isinstance(current.get(part), dict):
                    current[part] = {}
                current = current[part]
            current[tail] = value
        return True

    def get_namespace(
        self, namespace: str, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, Any]:
        """The keys starting with ``namespace`` (e.g. ``"DB_"``), trimmed and lower-cased by default."""
        result: dict[str, Any] = {}
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            name = key[len(namespace) :] if trim_namespace else key
            result[name.lower() if lowercase else name] = value
        return result

    def __repr__(self) -> str:
        return f"<Config {dict.__repr__(self)}>"
