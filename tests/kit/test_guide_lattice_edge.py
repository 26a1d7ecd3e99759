"""docs/guides/lattice-and-edge.md: every Python block runs as written, and the tests it shows pass."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guides" / "lattice-and-edge.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


def test_guide_has_python_blocks() -> None:
    assert BLOCKS


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_guide_block_runs_and_its_tests_pass(block: str) -> None:
    namespace: dict[str, Any] = {"__name__": "lattice_and_edge_guide"}
    exec(compile(block, str(GUIDE), "exec"), namespace)  # the guide's own code, as a reader runs it
    tests = [value for name, value in namespace.items() if name.startswith("test_") and callable(value)]
    assert tests, "each block of the guide shows the tests it is about"
    for test in tests:
        test()
