"""A small app with templates, static files and a blueprint, loaded by the core tests from its file path."""

from __future__ import annotations

from lambda_micro import App, render_template

from .admin import admin

app = App(__name__)
app.register_blueprint(admin)


@app.get("/")
def index() -> str:
    return render_template("index.html", title="Home")
