"""The documentation site's pages: the tutorial matches what ``lambda-micro new`` writes, and every guide is
in the navigation."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import yaml

from lambda_micro.local.project import ProjectOptions, render_project

from .test_examples import DOCS, ROOT, blocks_of


def test_the_tutorial_shows_the_app_lambda_micro_new_writes() -> None:
    tutorial = blocks_of(DOCS / "tutorial.md")
    first_python = next(block for block in tutorial if block.language == "python")
    assert first_python.code == render_project(ProjectOptions("demo"))["functions/demo/app.py"]


def _hook() -> Any:
    spec = importlib.util.spec_from_file_location("guides_nav", DOCS / "_hooks" / "guides_nav.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Config(dict[str, Any]):
    """The part of MkDocs' config the hook reads (``config["docs_dir"]``, ``config["nav"]``)."""


def _site_config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return config


def test_every_guide_is_in_the_navigation_the_listed_ones_first(tmp_path: Path) -> None:
    site = _site_config()
    guides = next(
        list(section["Guides"])
        for section in site["nav"]
        if isinstance(section, dict) and "Guides" in section
    )
    (tmp_path / "guides").mkdir()
    for page in [*guides, "guides/zeta.md", "guides/events.md"]:
        (tmp_path / page).write_text("# A guide\n", encoding="utf-8")
    config = _Config(docs_dir=str(tmp_path), nav=site["nav"])
    result = _hook().on_config(config)
    after = next(
        section["Guides"] for section in result["nav"] if isinstance(section, dict) and "Guides" in section
    )
    assert after == [*guides, "guides/events.md", "guides/zeta.md"]


def test_the_site_lists_every_page_of_docs() -> None:
    """Pages outside guides/ must be in mkdocs.yml's nav (MkDocs only notes the others, at INFO level)."""

    def listed(entries: list[Any]) -> set[str]:
        found: set[str] = set()
        for entry in entries:
            value = next(iter(entry.values())) if isinstance(entry, dict) else entry
            found |= listed(value) if isinstance(value, list) else {value}
        return found

    in_nav = listed(_site_config()["nav"])
    pages = {page.relative_to(DOCS).as_posix() for page in DOCS.rglob("*.md") if "_hooks" not in page.parts}
    assert {page for page in pages if not page.startswith("guides/")} <= in_nav
