"""Static files: served from the package's static folder, safely, with caching headers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from werkzeug.test import Client

from lambda_micro import App, Response, send_file, send_from_directory


def test_static_file_served_with_content_type_etag_and_cache_control(sample_client: Client) -> None:
    response = sample_client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.data == b"body { color: #333; }\n"
    assert response.headers["ETag"]
    assert "no-cache" in response.headers["Cache-Control"]
    assert response.headers["Content-Length"] == str(len(response.data))
    assert response.headers["Last-Modified"]


def test_static_conditional_get_gives_304(sample_client: Client) -> None:
    etag = sample_client.get("/static/hello.txt").headers["ETag"]
    response = sample_client.get("/static/hello.txt", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""


def test_static_head_has_headers_no_body(sample_client: Client) -> None:
    response = sample_client.head("/static/hello.txt")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Length"] == "13"


def test_static_range_request(sample_client: Client) -> None:
    response = sample_client.get("/static/hello.txt", headers={"Range": "bytes=0-4"})
    assert (response.status_code, response.data) == (206, b"hello")


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/css/../../app.py",
        "/static//etc/passwd",
        "/static/missing.css",
        "/static/css",
    ],
)
def test_static_traversal_and_missing_are_404(sample_client: Client, path: str) -> None:
    # "//" is first merged by a redirect (werkzeug merge_slashes); every path ends in 404.
    assert sample_client.get(path, follow_redirects=True).status_code == 404


def test_static_max_age_config(sample_app: App, sample_client: Client) -> None:
    sample_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600
    cache_control = sample_client.get("/static/hello.txt").headers["Cache-Control"]
    assert "max-age=3600" in cache_control
    assert "public" in cache_control


def test_static_url_for(sample_app: App) -> None:
    from lambda_micro import url_for

    with sample_app.test_request_context("/", base_url="https://x.example/Prod"):
        assert url_for("static", filename="css/site.css") == "/Prod/static/css/site.css"
        assert url_for("admin.static", filename="admin.js") == "/Prod/admin/assets/admin.js"


def test_blueprint_static_folder(sample_client: Client) -> None:
    response = sample_client.get("/admin/assets/admin.js")
    assert response.status_code == 200
    assert response.data == b"admin asset\n"
    assert sample_client.get("/admin/assets/../__init__.py").status_code == 404


def test_custom_static_url_path(tmp_path: Path) -> None:
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "a.txt").write_text("A")
    app = App("custom_static", root_path=str(tmp_path), static_folder="public", static_url_path="/assets/")
    assert Client(app, Response).get("/assets/a.txt").text == "A"


def test_no_static_route_without_folder(tmp_path: Path) -> None:
    app = App("no_static", root_path=str(tmp_path))
    assert "static" not in app.view_functions
    disabled = App("disabled", root_path=str(tmp_path), static_folder=None)
    assert "static" not in disabled.view_functions


def test_send_file_and_send_from_directory_helpers(tmp_path: Path) -> None:
    (tmp_path / "report.csv").write_text("a,b\n")
    app = App("files", root_path=str(tmp_path), static_folder=None)

    @app.get("/download")
    def download() -> Response:
        return send_from_directory(tmp_path, "report.csv", as_attachment=True)

    @app.get("/escape")
    def escape() -> Response:
        return send_from_directory(tmp_path, "../etc/passwd")

    @app.get("/buffer")
    def buffer() -> Response:
        return send_file(io.BytesIO(b"\x89PNG"), mimetype="image/png", download_name="x.png")

    client = Client(app, Response)
    response = client.get("/download")
    assert response.headers["Content-Disposition"] == "attachment; filename=report.csv"
    assert response.data == b"a,b\n"
    assert client.get("/escape").status_code == 404
    png = client.get("/buffer")
    assert (png.mimetype, png.data) == ("image/png", b"\x89PNG")
