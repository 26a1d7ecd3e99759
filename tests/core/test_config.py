"""Config and app-level settings: mappings, prefixed environment variables, secret key, logger, name."""

from __future__ import annotations

import logging
import types

import pytest

from lambda_micro import App, Config


def test_config_defaults(app: App) -> None:
    assert app.config["DEBUG"] is False
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.debug is False
    assert isinstance(app.config, dict)
    assert repr(Config(None, {"A": 1})) == "<Config {'A': 1}>"


def test_config_from_mapping_keeps_upper_case_keys() -> None:
    config = Config()
    assert config.from_mapping({"A": 1, "lower": 2}, B=3) is True
    assert config == {"A": 1, "B": 3}
    config.from_mapping()
    assert config == {"A": 1, "B": 3}


def test_config_from_object() -> None:
    settings = types.SimpleNamespace(TABLE="posts", private="x")
    config = Config()
    config.from_object(settings)
    assert config == {"TABLE": "posts"}


def test_config_from_prefixed_env_parses_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_MICRO_DEBUG", "true")
    monkeypatch.setenv("LAMBDA_MICRO_PAGE_SIZE", "20")
    monkeypatch.setenv("LAMBDA_MICRO_TABLE", "posts")
    monkeypatch.setenv("LAMBDA_MICRO_ORIGINS", '["https://a.example"]')
    monkeypatch.setenv("LAMBDA_MICRO_DB__NAME", "blog")
    monkeypatch.setenv("LAMBDA_MICRO_DB__PORT", "5432")
    monkeypatch.setenv("OTHER_THING", "ignored")
    config = Config(None, {"DB": "not a dict"})
    assert config.from_prefixed_env() is True
    assert config["DEBUG"] is True
    assert config["PAGE_SIZE"] == 20
    assert config["TABLE"] == "posts"
    assert config["ORIGINS"] == ["https://a.example"]
    assert config["DB"] == {"NAME": "blog", "PORT": 5432}
    assert "THING" not in config


def test_config_from_prefixed_env_custom_prefix_and_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLOG_SIZE", "20")
    config = Config()
    config.from_prefixed_env("BLOG", loads=str)
    assert config == {"SIZE": "20"}


def test_config_get_namespace() -> None:
    config = Config(None, {"DB_NAME": "blog", "DB_PORT": 1, "OTHER": 2})
    assert config.get_namespace("DB_") == {"name": "blog", "port": 1}
    assert config.get_namespace("DB_", lowercase=False, trim_namespace=False) == {
        "DB_NAME": "blog",
        "DB_PORT": 1,
    }


def test_secret_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_MICRO_SECRET_KEY", "from-env")
    app = App(__name__, template_folder=None, static_folder=None)
    assert app.secret_key == "from-env"
    app.secret_key = "explicit"
    assert app.config["SECRET_KEY"] == "explicit"


def test_secret_key_absent_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAMBDA_MICRO_SECRET_KEY", raising=False)
    assert App(__name__, template_folder=None, static_folder=None).secret_key is None


def test_logger_is_stdlib_logger_named_after_app() -> None:
    app = App("blog.web", template_folder=None, static_folder=None)
    assert app.logger is logging.getLogger("blog.web")
    assert app.name == "blog.web"
    assert repr(app) == "<App 'blog.web'>"


def test_app_name_for_main_module_uses_file_name(monkeypatch: pytest.MonkeyPatch) -> None:
    main = types.ModuleType("__main__")
    main.__file__ = "/srv/functions/web/handler.py"
    monkeypatch.setitem(__import__("sys").modules, "__main__", main)
    app = App("__main__", template_folder=None, static_folder=None)
    assert app.name == "handler"
    assert app.root_path == "/srv/functions/web"
