"""Templates: lazy jinja2, package-relative loading, autoescape, context, blueprints, preloading."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from jinja2 import TemplateNotFound
from werkzeug.test import Client

from lambda_micro import App, Response, g, render_template, render_template_string, request, session

from .conftest import SAMPLE_DIR


def test_render_template_from_package_folder(sample_client: Client) -> None:
    response = sample_client.get("/", environ_overrides={"SCRIPT_NAME": "/Prod"})
    assert response.text.strip() == '<title>Home</title><a href="/Prod/">home</a>'


def test_templates_resolve_from_module_not_cwd(
    sample_app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "index.html").write_text("WRONG: from the working directory")
    monkeypatch.chdir(tmp_path)
    assert sample_app.root_path == str(SAMPLE_DIR)
    response = Client(sample_app, Response).get("/")
    assert "<title>Home</title>" in response.text


def test_blueprint_templates_and_app_precedence(sample_client: Client) -> None:
    assert sample_client.get("/admin/").text.strip() == "<h1>Admin</h1>/admin/"
    # The app's folder is searched before the blueprints' folders (Flask's rule).
    assert sample_client.get("/admin/shadowed").text.strip() == "app version"


def test_autoescape_html_but_not_txt(sample_app: App) -> None:
    with sample_app.test_request_context():
        html = render_template("blog/post.html", post={"title": "<script>", "body": "<b>hi</b>"})
        text = render_template("note.txt", text="<raw>")
    assert html.strip() == "<!doctype html><main><h1>&lt;script&gt;</h1>&lt;b&gt;hi&lt;/b&gt;</main>"
    assert text.strip() == "<raw>"


def test_render_template_string_is_autoescaped(app: App) -> None:
    with app.test_request_context():
        assert render_template_string("{{ v }}", v="<i>") == "&lt;i&gt;"
        assert render_template_string("{{ v|safe }}", v="<i>") == "<i>"


def test_select_template_from_list(sample_app: App) -> None:
    with sample_app.test_request_context():
        assert render_template(["missing.html", "shared.html"]).strip() == "app version"


def test_template_not_found(sample_app: App) -> None:
    with sample_app.test_request_context(), pytest.raises(TemplateNotFound, match=r"nope\.html"):
        render_template("nope.html")


def test_template_context_has_request_session_g_config_and_helpers(app: App, client: Client) -> None:
    app.secret_key = "test-secret"
    app.config["SITE"] = "My blog"

    @app.get("/")
    def index() -> str:
        g.user = "ann"
        session["visits"] = 1
        return render_template_string(
            "{{ request.path }}|{{ session.visits }}|{{ g.user }}|{{ config.SITE }}|{{ url_for('index') }}"
            "|{{ get_flashed_messages() }}"
        )

    assert client.get("/").text == "/|1|ann|My blog|/|[]"


def test_template_not_using_session_does_not_open_it(app: App, client: Client) -> None:
    @app.get("/")
    def index() -> str:
        return render_template_string("{{ request.method }}")

    response = client.get("/")
    assert response.text == "GET"
    assert "Cookie" not in response.headers.get("Vary", "")


def test_context_processors_filters_globals(app: App, client: Client) -> None:
    app.context_processor(lambda: {"brand": "LM", "title": "from processor"})

    @app.template_filter()
    def shout(value: str) -> str:
        return value.upper() + "!"

    @app.template_global("answer")
    def forty_two() -> int:
        return 42

    @app.get("/")
    def index() -> str:
        return render_template_string(
            "{{ brand }} {{ 'hi'|shout }} {{ answer() }} {{ title }}", title="explicit"
        )

    assert client.get("/").text == "LM HI! 42 explicit"
    # Filters and globals added after the environment exists are applied too.
    app.add_template_filter(str.lower, "low")
    app.add_template_global(lambda: "late", "late")
    with app.test_request_context():
        assert render_template_string("{{ 'A'|low }} {{ late() }}") == "a late"


def test_preload_templates_compiles_everything(sample_app: App) -> None:
    names = sample_app.preload_templates()
    assert names == [
        "admin/dashboard.html",
        "blog/post.html",
        "index.html",
        "layout.html",
        "note.txt",
        "shared.html",
    ]
    assert sample_app.preload_templates(extensions=(".txt",)) == ["note.txt"]


def test_preload_templates_reports_syntax_errors(tmp_path: Path) -> None:
    from jinja2 import TemplateSyntaxError

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "broken.html").write_text("{% if %}")
    app = App("broken_app", root_path=str(tmp_path), static_folder=None)
    with pytest.raises(TemplateSyntaxError):
        app.preload_templates()


def test_template_folder_none_and_missing_folder(tmp_path: Path) -> None:
    app = App("no_templates", root_path=str(tmp_path), template_folder=None, static_folder=None)
    assert app.preload_templates() == []
    missing = App("missing_folder", root_path=str(tmp_path), static_folder=None)
    assert missing.preload_templates() == []


def test_absolute_template_folder(tmp_path: Path) -> None:
    (tmp_path / "abs.html").write_text("absolute {{ 1 + 1 }}")
    app = App("absolute", template_folder=str(tmp_path), static_folder=None)
    with app.test_request_context():
        assert render_template("abs.html") == "absolute 2"


def test_auto_reload_follows_debug_unless_configured(tmp_path: Path) -> None:
    app = App("reload", root_path=str(tmp_path), static_folder=None)
    app.debug = True
    assert app.jinja_env.auto_reload is True
    fixed = App("fixed", root_path=str(tmp_path), static_folder=None)
    fixed.config["TEMPLATES_AUTO_RELOAD"] = False
    fixed.debug = True
    assert fixed.jinja_env.auto_reload is False


def test_jinja_options_are_applied(app: App) -> None:
    app.jinja_options["trim_blocks"] = True
    assert app.jinja_env.trim_blocks is True


def test_render_outside_request_is_a_clear_error(app: App) -> None:
    with pytest.raises(RuntimeError, match="render_template_string\\(\\) needs an application context"):
        render_template_string("x")


def test_request_proxy_in_template_is_the_request(app: App) -> None:
    with app.test_request_context("/p?q=1"):
        assert render_template_string("{{ request.args.q }}") == request.args["q"]


def test_root_path_found_for_module_run_by_custom_loader(tmp_path: Path) -> None:
    module_file = tmp_path / "loaded_by_hand.py"
    module_file.write_text(
        textwrap.dedent(
            """
            from lambda_micro import App
            app = App(__name__)
            """
        )
    )
    code = textwrap.dedent(
        f"""
        import importlib.util
        spec = importlib.util.spec_from_file_location("not_registered_name", {str(module_file)!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # not inserted in sys.modules
        print(module.app.root_path)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=os.sep
    )
    assert result.stdout.strip() == str(tmp_path)


def test_root_path_none_for_unknown_module_disables_folders() -> None:
    app = App("no_such_module_anywhere")
    assert app.root_path is None
    assert app.template_folder_path is None
    assert app.static_folder is None
    assert app.preload_templates() == []


def test_session_proxy_usable_in_template(app: App, client: Client) -> None:
    app.secret_key = "k"

    @app.get("/")
    def index() -> str:
        session["name"] = "zoe"
        return render_template_string("{% if session.name %}hi {{ session['name'] }}{% endif %}")

    assert client.get("/").text == "hi zoe"


@pytest.mark.parametrize(
    ("name", "escaped"), [("a.htm", True), ("a.xml", True), ("a.svg", True), ("a.md", False)]
)
def test_autoescape_by_extension(tmp_path: Path, name: str, escaped: bool) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / name).write_text("{{ v }}")
    app = App("escapes", root_path=str(tmp_path), static_folder=None)
    with app.test_request_context():
        assert render_template(name, v="<&>") == ("&lt;&amp;&gt;" if escaped else "<&>")
