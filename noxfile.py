"""The runtime package's tests on every Python that Lambda runs and lambda_micro supports.

``make pythons`` (or ``nox`` with the interpreters on PATH: ``scripts/pythons`` links them) runs
``runtime-3.11``, ``runtime-3.12`` and ``runtime-3.13``: both distributions, editable, with the ``test``
dependency group, then the tests of the runtime (the core, the adapter, cold start, the Flask-compatibility
suite). The whole suite, with its coverage gates and the external tools, runs on one of them: ``make test``
(Python 3.11, the project's ``.venv``).
"""

from __future__ import annotations

import nox

PYTHONS = ["3.11", "3.12", "3.13"]
RUNTIME_TESTS = ["tests/core", "tests/adapter", "tests/coldstart", "tests/compat"]

nox.options.sessions = ["runtime"]
nox.options.error_on_missing_interpreters = True  # a Python that is not there fails, never skips


@nox.session(python=PYTHONS)
def runtime(session: nox.Session) -> None:
    """The runtime package's tests on one interpreter (extra arguments go to pytest)."""
    # `--group` (PEP 735) needs pip 25.1 or later; a fresh venv may bring an older one.
    session.install("--upgrade", "pip")
    session.install("--group", "test", "-e", ".[sessions,signals]", "-e", "packages/lambda-micro-local")
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *RUNTIME_TESTS, *session.posargs)
