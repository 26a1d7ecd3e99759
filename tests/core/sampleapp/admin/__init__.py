"""A blueprint with its own template and static folders."""

from __future__ import annotations

from lambda_micro import Blueprint, render_template

admin = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="assets")


@admin.get("/")
def dashboard() -> str:
    return render_template("admin/dashboard.html")


@admin.get("/shadowed")
def shadowed() -> str:
    return render_template("shared.html")
