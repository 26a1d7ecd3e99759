"""Startup as in Flask: constructor arguments, instance folder, config files, resources, testing mode."""

from __future__ import annotations

import json
import os
import sys
import tomllib
import types
from pathlib import Path

import pytest
from werkzeug.exceptions import BadRequest

from lambda_micro import App, Config, Request, request
from lambda_micro.scaffold import find_instance_path
from lambda_micro.testing import LambdaContext, build_event


def test_constructor_takes_flasks_arguments_in_flasks_order(tmp_path: Path) -> None:
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "a.txt").write_text("A")
    app = App(
        "flask_order",
        "/assets",
        "public",
        None,
        False,
        False,
        "views",
        str(tmp_path / "inst"),
        True,
        str(tmp_path),
    )
    assert app.static_url_path == "/assets"
    assert app.template_folder == "views"
    assert app.instance_path == str(tmp_path / "inst")
    assert app.config.root_path == str(tmp_path / "inst")  # instance_relative_config
    assert app.test_client().get("/assets/a.txt").text == "A"


def test_static_url_path_defaults_to_the_folder_name(tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "x.css").write_text("x")
    app = App("static_name", static_folder="files", root_path=str(tmp_path))
    assert app.static_url_path == "/files"
    assert app.test_client().get("/files/x.css").text == "x"


def test_host_matching_and_static_host(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "s.js").write_text("s")
    app = App("hosts", host_matching=True, static_host="cdn.example", root_path=str(tmp_path))
    app.add_url_rule("/", "index", lambda: "main", host="www.example")
    client = app.test_client()
    assert client.get("/", base_url="http://www.example").text == "main"
    assert client.get("/static/s.js", base_url="http://cdn.example").text == "s"
    assert client.get("/static/s.js", base_url="http://www.example").status_code == 404


def test_constructor_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="instance path must be absolute"):
        App("bad", instance_path="relative/instance")
    with pytest.raises(ValueError, match="subdomain_matching is not supported"):
        App("bad", subdomain_matching=True)
    with pytest.raises(ValueError, match="static_host requires host_matching"):
        App("bad", static_host="cdn.example")


def test_instance_path_is_beside_the_module_or_package_and_never_created(tmp_path: Path) -> None:
    module_app = App("single_module", root_path=str(tmp_path / "fn"))
    assert module_app.instance_path == str(tmp_path / "fn" / "instance")
    package = types.ModuleType("instpkg")
    package.__path__ = [str(tmp_path / "instpkg")]
    sys.modules["instpkg"] = package
    try:
        package_app = App("instpkg", root_path=str(tmp_path / "instpkg"))
        sub_app = App("instpkg.web", root_path=str(tmp_path / "instpkg"))
    finally:
        del sys.modules["instpkg"]
    assert package_app.instance_path == str(tmp_path / "instance")
    assert sub_app.instance_path == str(tmp_path / "instance")
    assert not (tmp_path / "instance").exists()
    assert not (tmp_path / "fn").exists()


def test_instance_path_of_an_installed_package_is_under_the_prefix() -> None:
    # root_path is the folder of the module: site-packages itself for a module installed there.
    site_packages = os.path.join(sys.prefix, "lib", "python3.11", "site-packages")
    assert find_instance_path("installed_mod", site_packages, "installed_mod") == (
        os.path.join(os.path.abspath(sys.prefix), "var", "installed_mod-instance")
    )
    outside = "/opt/venvs/blog/lib/python3.12/site-packages"
    assert find_instance_path("blog", outside, "blog") == "/opt/venvs/blog/var/blog-instance"
    assert find_instance_path("blog", "/srv/prefix/site-packages", "blog") == "/srv/prefix/var/blog-instance"
    assert find_instance_path("blog", "/srv/win/Lib/site-packages", "blog") == "/srv/win/var/blog-instance"
    assert find_instance_path("__main__", "/srv/script", "script") == "/srv/script/instance"
    assert find_instance_path("nowhere", None) == os.path.join(os.getcwd(), "instance")


def test_config_from_pyfile_relative_to_the_instance_folder(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-file'\nDATABASE = 'x.sqlite'\nlower = 1\n")
    app = App("pyfile", instance_path=str(tmp_path), instance_relative_config=True)
    assert app.config.from_pyfile("config.py") is True
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["DATABASE"] == "x.sqlite"
    assert "lower" not in app.config


def test_config_from_pyfile_missing_file_names_the_path(tmp_path: Path) -> None:
    config = Config(tmp_path)
    with pytest.raises(FileNotFoundError, match="Unable to load configuration file") as info:
        config.from_pyfile("absent.py")
    assert info.value.filename == str(tmp_path / "absent.py")
    assert config.from_pyfile("absent.py", silent=True) is False
    (tmp_path / "broken.py").write_text("X = (\n")
    with pytest.raises(SyntaxError):
        config.from_pyfile("broken.py")


def test_config_from_file_with_json_and_toml(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text(json.dumps({"TABLE": "posts", "lower": 1}))
    (tmp_path / "c.toml").write_text("PAGE_SIZE = 20\n")
    (tmp_path / "list.json").write_text("[1, 2]")
    config = Config(str(tmp_path))
    assert config.from_file("c.json", load=json.load) is True
    assert config.from_file("c.toml", load=tomllib.load, text=False) is True
    assert config == {"TABLE": "posts", "PAGE_SIZE": 20}
    assert config.from_file("none.json", load=json.load, silent=True) is False
    with pytest.raises(FileNotFoundError, match="Unable to load configuration file"):
        config.from_file("none.json", load=json.load)
    with pytest.raises(TypeError, match="loaded as a list, not a mapping"):
        config.from_file("list.json", load=json.load)


def test_config_from_envvar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "settings.py").write_text("TABLE = 'from-env-file'\n")
    config = Config()
    monkeypatch.delenv("BLOG_SETTINGS", raising=False)
    with pytest.raises(RuntimeError, match="'BLOG_SETTINGS' is not set"):
        config.from_envvar("BLOG_SETTINGS")
    assert config.from_envvar("BLOG_SETTINGS", silent=True) is False
    monkeypatch.setenv("BLOG_SETTINGS", str(tmp_path / "settings.py"))
    assert config.from_envvar("BLOG_SETTINGS") is True
    assert config["TABLE"] == "from-env-file"
    monkeypatch.setenv("BLOG_SETTINGS", str(tmp_path / "missing.py"))
    assert config.from_envvar("BLOG_SETTINGS", silent=True) is False


def test_config_from_object_import_string() -> None:
    config = Config()
    config.from_object("http.HTTPStatus")  # "module.attribute"
    assert config["OK"] == 200
    config = Config()
    config.from_object("tests.core.test_startup:Settings")  # "module:attribute"
    assert config == {"TABLE": "posts"}
    with pytest.raises(ImportError):
        config.from_object("no_such_module_anywhere.settings")


class Settings:
    TABLE = "posts"
    private = "x"


def test_open_resource_and_open_instance_resource(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (x);")
    (tmp_path / "inst").mkdir()
    app = App("resources", root_path=str(tmp_path), instance_path=str(tmp_path / "inst"))
    with app.open_resource("schema.sql") as f:
        assert f.read() == b"CREATE TABLE t (x);"
    with app.open_resource("schema.sql", "r", encoding="utf-8") as f:
        assert f.read().startswith("CREATE")
    with pytest.raises(ValueError, match="only be opened for reading"):
        app.open_resource("schema.sql", "w")
    with pytest.raises(FileNotFoundError):
        app.open_resource("absent.sql")
    with app.open_instance_resource("notes.txt", "w") as f:
        f.write("written")
    with app.open_instance_resource("notes.txt") as f:
        assert f.read() == b"written"
    with app.open_instance_resource("notes.txt", "r") as f:
        assert f.read() == "written"


def test_flasks_default_config_keys() -> None:
    app = App("defaults")
    for key, value in {
        "TESTING": False,
        "PROPAGATE_EXCEPTIONS": None,
        "TRAP_HTTP_EXCEPTIONS": False,
        "TRAP_BAD_REQUEST_ERRORS": None,
        "SERVER_NAME": None,
        "APPLICATION_ROOT": "/",
        "PREFERRED_URL_SCHEME": "http",
        "MAX_CONTENT_LENGTH": None,
        "MAX_FORM_MEMORY_SIZE": 500_000,
        "MAX_FORM_PARTS": 1_000,
        "SESSION_COOKIE_PARTITIONED": False,
        "PROVIDE_AUTOMATIC_OPTIONS": True,
    }.items():
        assert app.config[key] == value, key
    assert app.testing is False
    app.testing = True
    assert app.config["TESTING"] is True


def _boom_app() -> App:
    app = App("boom", template_folder=None, static_folder=None)

    @app.get("/boom")
    def boom() -> str:
        raise LookupError("the real error")

    @app.errorhandler(500)
    def server_error(e: Exception) -> tuple[str, int]:
        return "custom 500", 500

    return app


def test_testing_mode_propagates_exceptions_to_the_test_client() -> None:
    app = _boom_app()
    assert app.test_client().get("/boom").text == "custom 500"
    app.testing = True
    with pytest.raises(LookupError, match="the real error"):
        app.test_client().get("/boom")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # explicit: answered even in testing mode
    assert app.test_client().get("/boom").status_code == 500


def test_propagate_exceptions_without_testing_mode() -> None:
    app = _boom_app()
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(LookupError):
        app.test_client().get("/boom")


def test_testing_and_propagate_never_apply_to_a_lambda_invocation() -> None:
    app = _boom_app()
    app.config.update(TESTING=True, DEBUG=True, PROPAGATE_EXCEPTIONS=True)
    result = app.lambda_handler(build_event("GET", "/boom"), LambdaContext())
    assert result["statusCode"] == 500
    assert result["body"] == "custom 500"  # the app's own 500 handler answered
    reraising = App("reraising", template_folder=None, static_folder=None, reraise=True)
    reraising.add_url_rule("/boom", "boom", lambda: {}["missing"])
    with pytest.raises(LookupError):
        reraising.lambda_handler(build_event("GET", "/boom"), LambdaContext())


def test_trap_http_exceptions_makes_http_errors_unhandled() -> None:
    app = App("trap", template_folder=None, static_folder=None)
    app.add_url_rule("/key", "key", lambda: request.args["missing"])
    client = app.test_client()
    assert client.get("/key").status_code == 400
    assert client.get("/absent").status_code == 404
    app.config.update(TESTING=True, TRAP_HTTP_EXCEPTIONS=True)
    with pytest.raises(BadRequest):
        client.get("/key")
    app.config.update(TRAP_HTTP_EXCEPTIONS=False, TRAP_BAD_REQUEST_ERRORS=True)
    with pytest.raises(BadRequest):
        client.get("/key")
    assert client.get("/absent").status_code == 404  # only 400s are trapped
    app.config.update(TRAP_BAD_REQUEST_ERRORS=None, DEBUG=True)
    with pytest.raises(BadRequest, match="missing"):  # a missing key is trapped in debug mode
        client.get("/key")


def test_provide_automatic_options_config() -> None:
    app = App("options", template_folder=None, static_folder=None)
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.add_url_rule("/", "index", lambda: "x")
    assert app.test_client().options("/").status_code == 405


def test_max_form_limits_come_from_the_config() -> None:
    app = App("forms", template_folder=None, static_folder=None)
    app.config.update(MAX_FORM_MEMORY_SIZE=500, MAX_FORM_PARTS=3)
    app.add_url_rule("/f", "f", lambda: dict(request.form), methods=["POST"])
    client = app.test_client()
    # werkzeug applies both limits to multipart bodies (an url-encoded body is bounded by its length)
    multipart = "multipart/form-data"
    assert client.post("/f", data={"a": "short"}, content_type=multipart).json == {"a": "short"}
    assert client.post("/f", data={"a": "x" * 1000}, content_type=multipart).status_code == 413
    five = dict.fromkeys("abcde", "1")
    assert client.post("/f", data=five, content_type=multipart).status_code == 413
    with app.test_request_context("/f", method="POST") as ctx:
        assert (ctx.request.max_form_parts, ctx.request.max_form_memory_size) == (3, 500)
        ctx.request.max_form_parts = 5
        ctx.request.max_form_memory_size = 100
        assert (ctx.request.max_form_parts, ctx.request.max_form_memory_size) == (5, 100)
    outside = Request.from_values("/")
    assert (outside.max_form_parts, outside.max_form_memory_size, outside.max_content_length) == (
        1000,
        500_000,
        None,
    )


def test_session_cookie_partitioned() -> None:
    app = App("partitioned", template_folder=None, static_folder=None)
    app.secret_key = "k" * 32
    app.config["SESSION_COOKIE_PARTITIONED"] = True

    @app.get("/login")
    def login() -> str:
        from lambda_micro import session

        session["user"] = 1
        return "in"

    cookie = app.test_client().get("/login", base_url="https://localhost").headers["Set-Cookie"]
    assert "Partitioned" in cookie


def test_extensions_and_flasks_json_provider_names() -> None:
    from lambda_micro import json as lm_json
    from lambda_micro.json import DefaultJSONProvider, JSONProvider

    app = App("extensions", template_folder=None, static_folder=None)
    assert app.extensions == {}
    app.extensions["cache"] = object()
    assert "cache" in app.extensions
    assert DefaultJSONProvider is JSONProvider
    provider = app.json
    for name in (
        "dumps",
        "loads",
        "dump",
        "load",
        "response",
        "default",
        "ensure_ascii",
        "sort_keys",
        "compact",
    ):
        assert hasattr(provider, name), name
    assert provider.mimetype == "application/json"
    with app.app_context():
        assert lm_json.jsonify(a=1).get_json() == {"a": 1}
        app.json.sort_keys = False
        assert lm_json.dumps({"b": 1, "a": 2}) == '{"b": 1, "a": 2}'
    assert lm_json.dumps({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'  # the default provider outside
