"""INIT imports only what a request needs: the standard-library stand-ins, werkzeug's wrappers deferred,
the IDNA fast path; each stand-in behaves as the module it stands for."""

from __future__ import annotations

import hashlib
import inspect
import json
import pprint
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambda_micro import _stdlib
from lambda_micro._routing import idna_host
from lambda_micro.local.events import build_event

FreshPython = Callable[..., Any]

_REAL_MODULES = """
import sys
from lambda_micro import _bootstrap
from lambda_micro._stdlib import DeferredModule

def real(names):
    # Loaded modules: neither stand-ins nor packages registered with their __init__ deferred.
    return sorted(n for n in names if not isinstance(sys.modules.get(n), DeferredModule)
                  and not _bootstrap.is_lazy(n))
"""

_JSON_APP = (
    """
import json, sys
try:
    import awslambdaric.bootstrap  # what the Lambda runtime has loaded before INIT
except ImportError:
    pass
before = set(sys.modules)
from lambda_micro import App, jsonify, request

app = App("users")

@app.get("/users/<user_id>")
def user(user_id):
    return jsonify(id=user_id, verbose=request.args.get("verbose") == "1")

handler = app.lambda_handler
after_init = set(sys.modules)
result = handler(json.loads(sys.stdin.read()), None)
"""
    + _REAL_MODULES
    + """
print(json.dumps({
    "status": result["statusCode"],
    "body": result["body"],
    "init": real(after_init - before),
    "first": real(set(sys.modules) - after_init),
}))
"""
)

# What `import lambda_micro` and a JSON app's INIT load of werkzeug: routing, datastructures, the sansio
# layer and the response module; never the WSGI Request (form parser), the dev server or the test client.
WERKZEUG_AT_INIT = [
    "werkzeug._internal",
    "werkzeug.datastructures",
    "werkzeug.datastructures.accept",
    "werkzeug.datastructures.auth",
    "werkzeug.datastructures.cache_control",
    "werkzeug.datastructures.csp",
    "werkzeug.datastructures.etag",
    "werkzeug.datastructures.file_storage",
    "werkzeug.datastructures.headers",
    "werkzeug.datastructures.mixins",
    "werkzeug.datastructures.range",
    "werkzeug.datastructures.structures",
    "werkzeug.exceptions",
    "werkzeug.http",
    "werkzeug.local",
    "werkzeug.routing",
    "werkzeug.routing.converters",
    "werkzeug.routing.exceptions",
    "werkzeug.routing.map",
    "werkzeug.routing.matcher",
    "werkzeug.routing.rules",
    "werkzeug.sansio",
    "werkzeug.sansio.http",
    "werkzeug.sansio.request",
    "werkzeug.sansio.response",
    "werkzeug.sansio.utils",
    "werkzeug.security",
    "werkzeug.urls",
    "werkzeug.user_agent",
    "werkzeug.utils",
    "werkzeug.wrappers.response",
    "werkzeug.wsgi",
]
# Standard-library modules a request never needs, which werkzeug imports: none is loaded at INIT.
NEVER_AT_INIT = (
    *_stdlib.DEFERRED,
    "dis",
    "platform",
    "socket",
    "random",
    "calendar",
    "tempfile",
    "shutil",
    "bz2",
    "lzma",
    "encodings.idna",
    "stringprep",
    "werkzeug.formparser",
    "werkzeug.sansio.multipart",
    "werkzeug.wrappers.request",
    "werkzeug.serving",
    "werkzeug.test",
    "jinja2",
    "lambda_micro.sessions",  # made by the first session, not by the App
)


def _event() -> dict[str, Any]:
    return build_event(
        "GET",
        "/users/42",
        payload="1.0",
        query={"verbose": "1"},
        headers={"Accept": "application/json", "Host": "abc123.execute-api.us-east-1.amazonaws.com"},
        resource="/{proxy+}",
        path_parameters={"proxy": "users/42"},
        stage="Prod",
    )


def test_json_app_init_loads_the_listed_modules_and_the_first_request_none(fresh_python: FreshPython) -> None:
    loaded = fresh_python(_JSON_APP, stdin=json.dumps(_event()))
    assert loaded["status"] == 200
    assert json.loads(loaded["body"]) == {"id": "42", "verbose": True}
    init = set(loaded["init"])
    assert sorted(m for m in init if m.startswith("werkzeug.")) == WERKZEUG_AT_INIT
    assert sorted(init & set(NEVER_AT_INIT)) == []
    # The first request (routing, the Host, the JSON response, the proxy result) imports nothing more:
    # no IDNA codec for an ASCII Host either.
    assert loaded["first"] == []


def test_eager_stdlib_opt_out_imports_the_real_modules(fresh_python: FreshPython) -> None:
    loaded = fresh_python(_JSON_APP, stdin=json.dumps(_event()), env={"LAMBDA_MICRO_EAGER_STDLIB": "1"})
    assert loaded["status"] == 200
    assert {"email.utils", "uuid", "hashlib", "difflib"} <= set(loaded["init"])


def test_each_stand_in_imports_its_module_on_first_use_and_forwards_to_it(fresh_python: FreshPython) -> None:
    # One attribute werkzeug (or a user) reads from each module.
    attributes = {
        "email.utils": "parsedate_tz",
        "uuid": "UUID",
        "hashlib": "sha256",
        "hmac": "compare_digest",
        "secrets": "token_hex",
        "difflib": "get_close_matches",
        "mimetypes": "guess_type",
        "pkgutil": "iter_modules",
        "unicodedata": "normalize",
        "pprint": "PrettyPrinter",
        "ipaddress": "ip_address",
        "inspect": "signature",
    }
    assert set(attributes) == set(_stdlib.DEFERRED)
    report = fresh_python(
        """
        import importlib, json, sys
        import lambda_micro
        from lambda_micro import _stdlib
        attributes = json.loads(sys.stdin.read())
        out = {}
        for name, attribute in attributes.items():
            stand_in = sys.modules[name]
            deferred = _stdlib.is_deferred(name)
            imported = importlib.import_module(name)  # `import name`: the stand-in, still not loaded
            still_deferred = _stdlib.is_deferred(name)
            value = getattr(stand_in, attribute)
            real = sys.modules[name]
            stand_in.lambda_micro_probe = 1  # writes and deletions go to the real module
            written = getattr(real, "lambda_micro_probe", None)
            del stand_in.lambda_micro_probe
            out[name] = {
                "deferred": deferred and still_deferred and imported is stand_in,
                "same_value": value is getattr(real, attribute),
                "real_replaced": real is not stand_in and not _stdlib.is_deferred(name),
                "written": written == 1 and not hasattr(real, "lambda_micro_probe"),
                "dir": dir(stand_in) == dir(real),
                "file": stand_in.__file__ == real.__file__,
                "not_a_package": not hasattr(stand_in, "__path__") and not hasattr(real, "__path__"),
            }
        print(json.dumps(out))
        """,
        stdin=json.dumps(attributes),
    )
    for name, checks in report.items():
        assert all(checks.values()), (name, checks)


def test_email_utils_stand_in_is_the_email_packages_attribute(fresh_python: FreshPython) -> None:
    # werkzeug.http does `import email.utils` and calls email.utils.parsedate_tz(...).
    report = fresh_python(
        """
        import json, sys
        import lambda_micro
        import email.utils
        from werkzeug.http import parse_date
        stand_in = sys.modules["email.utils"]
        before = type(email.utils).__name__
        attribute_is_stand_in = email.utils is stand_in
        parsed = parse_date("Sun, 06 Nov 1994 08:49:37 GMT")
        print(json.dumps({"before": before, "parsed": parsed.isoformat(),
                          "after": type(sys.modules["email.utils"]).__name__,
                          "attribute_is_stand_in": attribute_is_stand_in}))
        """
    )
    assert report == {
        "before": "DeferredModule",
        "parsed": "1994-11-06T08:49:37+00:00",
        "after": "module",
        "attribute_is_stand_in": True,
    }


def test_form_parsing_loads_werkzeugs_wsgi_request_on_first_use(fresh_python: FreshPython) -> None:
    event = build_event(
        "POST",
        "/form",
        payload="2.0",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body="name=Ann&tag=a&tag=b",
    )
    report = fresh_python(
        """
        import json, sys
        from lambda_micro import App, Request, request
        import werkzeug.wrappers as wrappers_package  # the package, its __init__ deferred

        app = App("forms")

        @app.post("/form")
        def form():
            return {"name": request.form["name"], "tags": request.form.getlist("tag"),
                    "is_request": isinstance(request._get_current_object(), Request)}

        at_init = "werkzeug.wrappers.request" in sys.modules
        result = app.lambda_handler(json.loads(sys.stdin.read()), None)
        print(json.dumps({"at_init": at_init, "after": "werkzeug.wrappers.request" in sys.modules,
                          "body": json.loads(result["body"]),
                          "package_request": wrappers_package.Request.__module__}))
        """,
        stdin=json.dumps(event),
    )
    assert report == {
        "at_init": False,
        "after": True,
        "body": {"name": "Ann", "tags": ["a", "b"], "is_request": True},
        "package_request": "werkzeug.wrappers.request",
    }


def test_sha1_and_pformat_of_the_stand_ins_are_the_standard_librarys() -> None:
    for data in (b"", b"abc", bytes(range(256)) * 3):
        assert _stdlib._sha1(data).hexdigest() == hashlib.sha1(data).hexdigest()
        assert _stdlib._sha1(data, usedforsecurity=False).digest() == hashlib.sha1(data).digest()
    value = {"rules": [f"/r{i}/<int:x>" for i in range(30)], "nested": {"a": (1, 2)}}
    assert _stdlib._pformat(value) == pprint.pformat(value)
    assert _stdlib._pformat(value, width=20) == pprint.pformat(value, width=20)


_DOC_TEXT = st.text(alphabet=st.sampled_from(" \t\n\x0bax\u3000\u00a0"), max_size=60)


@given(_DOC_TEXT)
def test_cleandoc_of_the_stand_in_is_inspects(doc: str) -> None:
    assert _stdlib._cleandoc(doc) == inspect.cleandoc(doc)


@pytest.mark.parametrize(
    "doc", ["", "one line", "  first\n    second\n      third\n", "\n\n  a\n\tb\n\n", "x\n \u3000y"]
)
def test_cleandoc_examples(doc: str) -> None:
    assert _stdlib._cleandoc(doc) == inspect.cleandoc(doc)


class _Plain:
    pass


class _Annotated:
    x: int
    y: list[str] = []


class _Child(_Annotated):  # inherits annotations, has none of its own
    pass


class _Meta(type):
    pass


class _WithMeta(metaclass=_Meta):
    z: bytes


class _Odd:
    pass


_Odd.__annotations__ = ("not", "a", "dict")  # type: ignore[assignment]


def _annotated_function(a: int, b: str = "") -> bool:
    return bool(a)


@pytest.mark.parametrize(
    "obj", [_Plain, _Annotated, _Child, _Meta, _WithMeta, int, dict, _annotated_function]
)
@pytest.mark.parametrize("eval_str", [False, True])
def test_get_annotations_of_the_stand_in_is_inspects(obj: object, eval_str: bool) -> None:
    ours = _stdlib._get_annotations(obj, eval_str=eval_str)
    assert ours == inspect.get_annotations(obj, eval_str=eval_str)  # type: ignore[arg-type]
    # A fresh dict every call, as the standard library promises.
    assert ours is not _stdlib._get_annotations(obj, eval_str=eval_str)


def test_get_annotations_of_the_stand_in_refuses_what_inspect_refuses() -> None:
    with pytest.raises(ValueError, match="neither a dict nor None"):
        _stdlib._get_annotations(_Odd)
    with pytest.raises(ValueError, match="neither a dict nor None"):
        inspect.get_annotations(_Odd)
    with pytest.raises(TypeError, match="is not a module, class, or callable"):
        _stdlib._get_annotations(42)


def _codec(name: str) -> str | None:
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def _fast(name: str) -> str | None:
    try:
        return idna_host(name)
    except UnicodeError:
        return None


_LABEL = st.text(alphabet=st.sampled_from("ab-9"), min_size=0, max_size=70)


@given(st.lists(_LABEL, min_size=1, max_size=5).map(".".join))
def test_idna_fast_path_agrees_with_the_codec_on_ascii_names(name: str) -> None:
    assert _fast(name) == _codec(name)


@given(st.text(max_size=30))
def test_idna_host_agrees_with_the_codec_on_any_text(name: str) -> None:
    assert _fast(name) == _codec(name)


def test_idna_host_keeps_the_codecs_answers_for_international_names() -> None:
    assert idna_host("bücher.example") == "xn--bcher-kva.example"
    assert idna_host("a" * 63 + ".example") == "a" * 63 + ".example"
    with pytest.raises(UnicodeError):
        idna_host("a" * 64 + ".example")
    with pytest.raises(UnicodeError):
        idna_host("a..example")


@pytest.mark.parametrize("name", ["", ".", "a.", ".a", "a..b", "a.b.", "..", "a" * 63, "a" * 62 + "."])
def test_idna_host_agrees_with_the_codec_on_short_names_with_empty_labels(name: str) -> None:
    assert _fast(name) == _codec(name)


def test_stand_ins_are_installed_only_for_modules_not_imported_yet() -> None:
    # In this process every deferred module is already imported: installing changes nothing.
    for name in _stdlib.DEFERRED:
        __import__(name)
    before = {name: sys.modules[name] for name in _stdlib.DEFERRED}
    assert _stdlib.install() == []
    assert {name: sys.modules[name] for name in _stdlib.DEFERRED} == before


# The stand-in type itself, in this process, on a module of the test's own -------------------------------


@pytest.fixture
def fake_module(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A module `lm_fake_<n>` on sys.path that is not imported yet (and is forgotten afterwards)."""
    name = f"lm_fake_{abs(hash(str(tmp_path))) % 10**8}"
    (tmp_path / f"{name}.py").write_text("VALUE = 41\nitems = []\n\ndef double(x):\n    return 2 * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_a_stand_in_loads_on_first_read_and_forwards_everything(fake_module: str) -> None:
    assert _stdlib.install((fake_module,)) == [fake_module]
    stand_in = sys.modules[fake_module]
    assert isinstance(stand_in, _stdlib.DeferredModule)
    assert _stdlib.is_deferred(fake_module)
    assert repr(stand_in) == f"<module {fake_module!r} (not imported yet)>"
    assert not hasattr(stand_in, "__path__")  # asked by `from x import y`: never loads
    assert _stdlib.is_deferred(fake_module)
    assert stand_in.double(21) == 42  # the first read imports the real module
    real = sys.modules[fake_module]
    assert real is not stand_in
    assert not _stdlib.is_deferred(fake_module)
    assert repr(stand_in) == repr(real)
    stand_in.VALUE = 42  # writes and deletions reach the real module
    assert real.VALUE == 42
    del stand_in.VALUE
    assert not hasattr(real, "VALUE")
    assert "double" in dir(stand_in)
    assert stand_in.__name__ == fake_module  # the stand-in's own attributes stay its own
    stand_in.__doc__ = "changed"
    assert real.__doc__ is None
    del stand_in.__doc__


def test_a_stand_in_whose_module_fails_to_import_stays_deferred(fake_module: str, tmp_path: Any) -> None:
    (tmp_path / f"{fake_module}.py").write_text("raise RuntimeError('broken at import')\n")
    _stdlib.install((fake_module,))
    stand_in = sys.modules[fake_module]
    with pytest.raises(RuntimeError, match="broken at import"):
        stand_in.anything  # noqa: B018 - the attribute read is the point
    assert sys.modules[fake_module] is stand_in
    assert _stdlib.is_deferred(fake_module)


def test_a_submodule_stand_in_is_its_packages_attribute(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "lm_fake_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "child.py").write_text("NAME = 'child'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert _stdlib.install(("lm_fake_pkg.child",)) == ["lm_fake_pkg.child"]
        import lm_fake_pkg  # type: ignore[import-not-found]

        assert lm_fake_pkg.child is sys.modules["lm_fake_pkg.child"]
        assert lm_fake_pkg.child.NAME == "child"
        # Installed again: the package has the attribute, nothing is replaced.
        del sys.modules["lm_fake_pkg.child"]
        assert _stdlib.install(("lm_fake_pkg.child",)) == []
    finally:
        for name in ("lm_fake_pkg", "lm_fake_pkg.child"):
            sys.modules.pop(name, None)
