"""The application factory and its configuration (instance folder, config.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_config(flaskr: Any, tmp_path: Path) -> None:
    assert not flaskr.create_app(instance_path=str(tmp_path)).testing
    assert flaskr.create_app({"TESTING": True}, instance_path=str(tmp_path)).testing


def test_config_from_the_instance_folder(flaskr: Any, tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-the-instance'\nDATABASE = 'elsewhere.sqlite'\n")
    app = flaskr.create_app(instance_path=str(tmp_path))
    assert app.instance_path == str(tmp_path)
    assert app.config["SECRET_KEY"] == "from-the-instance"
    assert app.config["DATABASE"] == "elsewhere.sqlite"


def test_without_an_instance_config_the_defaults_stay(flaskr: Any, tmp_path: Path) -> None:
    app = flaskr.create_app(instance_path=str(tmp_path / "new"))
    assert app.config["SECRET_KEY"] == "dev"
    assert app.config["DATABASE"] == str(tmp_path / "new" / "flaskr.sqlite")
    assert (tmp_path / "new").is_dir()  # the factory made it, as the tutorial's does


def test_hello(client: Any) -> None:
    response = client.get("/hello")
    assert response.data == b"Hello, World!"
