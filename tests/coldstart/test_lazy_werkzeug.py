"""`import lambda_micro` skips werkzeug's package __init__ (dev server, test client); werkzeug is intact."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

FreshPython = Callable[..., Any]

# Prints, for the werkzeug package as user code sees it, every public name with a description of its value.
_DESCRIBE_WERKZEUG = """
    import json, sys, types
    import werkzeug

    def describe(value):
        if isinstance(value, types.ModuleType):
            return "module " + value.__name__
        return type(value).__name__ + " " + getattr(value, "__module__", "?") + "." + getattr(
            value, "__qualname__", repr(value)
        )

    names = sorted(name for name in dir(werkzeug) if not name.startswith("__"))
    print(json.dumps({
        "names": {name: describe(getattr(werkzeug, name)) for name in names},
        "has_version": hasattr(werkzeug, "__version__"),
        "file": werkzeug.__file__,
        "path": list(werkzeug.__path__),
    }))
"""


def test_import_lambda_micro_does_not_load_werkzeug_dev_server_or_test_client(
    fresh_python: FreshPython,
) -> None:
    loaded = fresh_python(
        """
        import json, sys
        from lambda_micro import App  # noqa: F401
        from lambda_micro import _bootstrap
        print(json.dumps({
            "modules": sorted(sys.modules),
            "lazy": _bootstrap.is_lazy("werkzeug"),
        }))
        """
    )
    assert "werkzeug.routing" in loaded["modules"]
    assert "werkzeug.serving" not in loaded["modules"]
    assert "werkzeug.test" not in loaded["modules"]
    assert "http.server" not in loaded["modules"]
    assert loaded["lazy"] is True


def test_werkzeug_package_attributes_are_the_real_ones_after_lambda_micro(fresh_python: FreshPython) -> None:
    plain = fresh_python(_DESCRIBE_WERKZEUG)
    after_lambda_micro = fresh_python("from lambda_micro import App\n" + textwrap.dedent(_DESCRIBE_WERKZEUG))
    # Same package file, same attributes with the same values; the only extra names are the submodules
    # lambda_micro itself imported (werkzeug.routing...), which a package gains whenever they are imported.
    assert (after_lambda_micro["file"], after_lambda_micro["path"]) == (plain["file"], plain["path"])
    assert after_lambda_micro["has_version"] == plain["has_version"]
    for name, description in plain["names"].items():
        assert after_lambda_micro["names"].get(name) == description, name
    extra = set(after_lambda_micro["names"]) - set(plain["names"])
    assert extra
    assert all(after_lambda_micro["names"][name] == f"module werkzeug.{name}" for name in extra)
    assert plain["names"]["Request"] == "type werkzeug.wrappers.request.Request"
    assert plain["names"]["run_simple"] == "function werkzeug.serving.run_simple"


def test_werkzeug_request_access_runs_the_real_init_once(fresh_python: FreshPython) -> None:
    result = fresh_python(
        """
        import json, sys
        from lambda_micro import App  # noqa: F401
        from lambda_micro import _bootstrap
        import werkzeug
        from werkzeug.wrappers.request import Request
        before = "werkzeug.serving" in sys.modules
        same = werkzeug.Request is Request
        after = "werkzeug.serving" in sys.modules
        print(json.dumps({
            "before": before, "same": same, "after": after,
            "lazy": _bootstrap.is_lazy("werkzeug"),
            "hook_left": "__getattr__" in vars(werkzeug),
        }))
        """
    )
    assert result == {"before": False, "same": True, "after": True, "lazy": False, "hook_left": False}


def test_from_werkzeug_import_run_simple_works_after_lambda_micro(fresh_python: FreshPython) -> None:
    result = fresh_python(
        """
        import json
        from lambda_micro import App  # noqa: F401
        from werkzeug import run_simple, Client, Response
        import werkzeug.serving
        print(json.dumps({
            "run_simple": run_simple is werkzeug.serving.run_simple,
            "client": Client.__module__,
            "response": Response.__module__,
        }))
        """
    )
    assert result == {"run_simple": True, "client": "werkzeug.test", "response": "werkzeug.wrappers.response"}


def test_werkzeug_test_client_works_after_lambda_micro(fresh_python: FreshPython) -> None:
    result = fresh_python(
        """
        import json
        from lambda_micro import App  # noqa: F401
        from werkzeug.test import Client
        from werkzeug.wrappers import Response

        response = Client(Response("hello from werkzeug", mimetype="text/plain")).get("/anything")
        print(json.dumps({"status": response.status_code, "body": response.get_data(as_text=True)}))
        """
    )
    assert result == {"status": 200, "body": "hello from werkzeug"}


def test_from_werkzeug_import_submodule_stays_lazy(fresh_python: FreshPython) -> None:
    result = fresh_python(
        """
        import json, sys
        from lambda_micro import App  # noqa: F401
        from lambda_micro import _bootstrap
        from werkzeug import exceptions, routing
        import werkzeug.routing
        print(json.dumps({
            "same": routing is werkzeug.routing and exceptions is sys.modules["werkzeug.exceptions"],
            "serving": "werkzeug.serving" in sys.modules,
            "lazy": _bootstrap.is_lazy("werkzeug"),
        }))
        """
    )
    assert result == {"same": True, "serving": False, "lazy": True}


def test_unknown_werkzeug_attribute_raises_attribute_error_like_the_real_package(
    fresh_python: FreshPython,
) -> None:
    result = fresh_python(
        """
        import json
        from lambda_micro import App  # noqa: F401
        import werkzeug
        try:
            werkzeug.no_such_name
        except AttributeError as exc:
            message = str(exc)
        print(json.dumps({"message": message, "has_version": hasattr(werkzeug, "__version__")}))
        """
    )
    plain = fresh_python(
        """
        import json
        import werkzeug
        try:
            werkzeug.no_such_name
        except AttributeError as exc:
            message = str(exc)
        print(json.dumps({"message": message, "has_version": hasattr(werkzeug, "__version__")}))
        """
    )
    assert result == plain
    assert "no_such_name" in result["message"]


def test_werkzeug_imported_before_lambda_micro_is_left_untouched(fresh_python: FreshPython) -> None:
    result = fresh_python(
        """
        import json, sys
        import werkzeug
        module = sys.modules["werkzeug"]
        namespace = dict(vars(werkzeug))
        from lambda_micro import App  # noqa: F401
        from lambda_micro import _bootstrap
        print(json.dumps({
            "same_module": sys.modules["werkzeug"] is module,
            "kept": all(vars(werkzeug).get(k) is v for k, v in namespace.items()),
            "added": sorted(
                k for k, v in vars(werkzeug).items()
                if k not in namespace and v is not sys.modules.get("werkzeug." + k)
            ),
            "serving": "werkzeug.serving" in sys.modules,
            "lazy": _bootstrap.is_lazy("werkzeug"),
            "installed_again": _bootstrap.install_lazy_werkzeug(),
        }))
        """
    )
    assert result == {
        "same_module": True,
        "kept": True,
        "added": [],
        "serving": True,
        "lazy": False,
        "installed_again": False,
    }


def test_opt_out_environment_variable_imports_werkzeug_normally(fresh_python: FreshPython) -> None:
    result = fresh_python(
        """
        import json, sys
        from lambda_micro import App  # noqa: F401
        from lambda_micro import _bootstrap
        serving = "werkzeug.serving" in sys.modules
        print(json.dumps({"serving": serving, "lazy": _bootstrap.is_lazy("werkzeug")}))
        """,
        env={"LAMBDA_MICRO_EAGER_WERKZEUG": "1"},
    )
    assert result == {"serving": True, "lazy": False}


def test_concurrent_first_access_from_threads_sees_one_initialised_package(fresh_python: FreshPython) -> None:
    result = fresh_python(
        """
        import json, sys, threading
        from lambda_micro import App  # noqa: F401
        import werkzeug

        barrier = threading.Barrier(8)
        seen = []

        def access():
            barrier.wait()
            seen.append((werkzeug.Client, werkzeug.run_simple, werkzeug.Request))

        threads = [threading.Thread(target=access) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(json.dumps({
            "answers": len(seen),
            "distinct": len(set(seen)),
            "client_module": seen[0][0].__module__,
        }))
        """
    )
    assert result == {"answers": 8, "distinct": 1, "client_module": "werkzeug.test"}
