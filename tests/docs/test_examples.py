"""Every fenced ``python`` block of the documentation runs, so no example rots.

The rules, per Markdown page (``docs/**/*.md`` and ``README.md``):

- A block with a ``title="path"`` (any language) is a file: it is written at that path in the page's own
  temporary folder before anything runs (``templates/post.html``, ``template.yaml``, ``functions/x/app.py``).
- The ``python`` blocks without a title run in page order in one module namespace, whose ``__file__`` is in
  that folder (so ``App(__name__)`` finds the page's ``templates/``), with that folder as the working
  directory and first on ``sys.path``. Then every ``test_*`` function they defined without parameters is
  called, as pytest would.
- When the page has titled ``tests/test_*.py`` files, pytest runs them in that folder (a fresh process, with
  lambda_micro's pytest plugin reading the page's ``template.yaml``); they must pass.
- A ``python`` block whose first line is ``# Chalice`` shows Chalice's code, for comparison: it is only
  compiled (Chalice pins an older pip than this project's tools, so it is not installed beside them).

Fences are ```` ``` ```` or ``~~~`` of three or more; blocks indented in a list item count too.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")
_TITLE = re.compile(r"""title=["']([^"']+)["']""")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int  # of the opening fence, 1-based
    language: str
    title: str | None
    code: str

    @property
    def where(self) -> str:
        return f"{_shown(self.page)}:{self.line}"


def _shown(page: Path) -> str:
    """The page's path as a message shows it: relative to the repository when it is in it."""
    return page.relative_to(ROOT).as_posix() if page.is_relative_to(ROOT) else str(page)


def blocks_of(page: Path) -> list[Block]:
    """The fenced blocks of a Markdown page, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence, info = opening["indent"], opening["fence"], opening["info"].strip()
        body: list[str] = []
        start = index
        index += 1
        while index < len(lines):
            closing = _FENCE.match(lines[index])
            if closing and closing["fence"].startswith(fence) and not closing["info"].strip():
                break
            body.append(lines[index])
            index += 1
        else:
            raise AssertionError(f"{_shown(page)}:{start + 1}: fenced block never closed")
        index += 1
        language = info.split()[0].strip("{}.").lower() if info else ""
        title = _TITLE.search(info)
        code = textwrap.dedent("\n".join(line.removeprefix(indent) for line in body)) + "\n"
        found.append(Block(page, start + 1, language, title[1] if title else None, code))
    return found


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def _page_id(page: Path) -> str:
    return _shown(page)


def _is_python(block: Block) -> bool:
    return block.language in ("python", "py", "python3")


@pytest.fixture
def page_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The page's folder: the working directory, first on sys.path; modules it imports are forgotten after."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        module = sys.modules.get(name)
        if module is not None and str(getattr(module, "__file__", "") or "").startswith(str(tmp_path)):
            del sys.modules[name]


@pytest.mark.parametrize("page", pages(), ids=_page_id)
def test_docs_python_examples_run(page: Path, page_folder: Path) -> None:
    blocks = blocks_of(page)
    for block in blocks:
        if block.title is not None:
            target = page_folder / block.title
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.code, encoding="utf-8")

    name = "docs_example_" + re.sub(r"\W", "_", _shown(page).removesuffix(".md"))
    module = types.ModuleType(name)
    module.__file__ = str(page_folder / f"{name}.py")
    sys.modules[name] = module
    try:
        for block in blocks:
            if not _is_python(block) or block.title is not None:
                continue
            code = compile(block.code, block.where, "exec")
            if block.code.startswith("# Chalice"):
                continue  # compiled only: see the module docstring
            exec(code, module.__dict__)  # the documentation's own examples
        for attribute, value in list(vars(module).items()):
            if (
                attribute.startswith("test_")
                and inspect.isfunction(value)
                and value.__module__ == name
                and not inspect.signature(value).parameters
            ):
                value()
    finally:
        sys.modules.pop(name, None)

    test_files = [
        block.title for block in blocks if block.title and re.match(r"tests/test_\w+\.py$", block.title)
    ]
    if test_files:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *test_files],
            cwd=page_folder,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert result.returncode == 0, (
            f"{_page_id(page)}: pytest {test_files}\n{result.stdout}\n{result.stderr}"
        )


# --- the rules above, on pages made for the purpose ---------------------------------------------------------


def test_blocks_of_reads_titles_languages_and_indented_fences(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n"
        '```html title="templates/x.html"\n<p>{{ x }}</p>\n```\n\n'
        "- a list item:\n\n"
        "    ```python\n    x = 1\n    ```\n\n"
        "````text\n```python\nnot a block\n```\n````\n",
        encoding="utf-8",
    )
    found = blocks_of(page)
    assert [(b.language, b.title, b.code) for b in found] == [
        ("html", "templates/x.html", "<p>{{ x }}</p>\n"),
        ("python", None, "x = 1\n"),
        ("text", None, "```python\nnot a block\n```\n"),
    ]
    assert [b.line for b in found] == [3, 9, 13]


def test_blocks_of_refuses_an_unclosed_fence(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\nx = 1\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="fenced block never closed"):
        blocks_of(page)
