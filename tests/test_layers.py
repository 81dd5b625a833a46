"""The layers of DESIGN.md: `scrapers` is the lower floor and never imports `kommunen`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SCRAPERS = sorted((Path(__file__).resolve().parents[1] / "scrapers").glob("*.py"))


@pytest.mark.parametrize("path", SCRAPERS, ids=lambda p: p.name)
def test_scrapers_never_import_kommunen(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [
        name
        for node in ast.walk(tree)
        for name in (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    ]
    assert not [name for name in imported if name.split(".")[0] == "kommunen"]
