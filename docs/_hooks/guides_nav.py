"""MkDocs hook: every page in docs/guides/ is in the Guides section, listed ones first in their order.

A guide added as a file (``docs/guides/events.md``) needs no edit of mkdocs.yml: it is appended, in name
order, and titled by its first heading as MkDocs titles any page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def on_config(config: Any) -> Any:
    guides_dir = Path(config["docs_dir"]) / "guides"
    for section in config["nav"] or []:
        if isinstance(section, dict) and "Guides" in section:
            listed = {
                entry if isinstance(entry, str) else next(iter(entry.values())) for entry in section["Guides"]
            }
            for path in sorted(guides_dir.glob("*.md")):
                page = f"guides/{path.name}"
                if page not in listed:
                    section["Guides"].append(page)
    return config
