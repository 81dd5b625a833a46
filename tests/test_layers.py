"""The floors of DESIGN.md are enforced by import-linter (pyproject.toml): prove the contracts bite.

Each test copies the two packages, adds one import that breaks a rule, and runs `lint-imports`
on the copy, as tests/run.sh runs it on the real tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_copy(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess[str]:
    for package in ("kommunen", "scrapers"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / Path(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )


def test_the_real_tree_keeps_every_contract() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        (
            "kommunen.store.upsert",
            "import kommunen.cli.common",
            "kommunen.store.upsert -> kommunen.cli.common",
        ),
        (
            "kommunen.places.similar",
            "import kommunen.matching.score",
            "kommunen.places.similar -> kommunen.matching",
        ),
        (
            "kommunen.outputs.render",
            "import kommunen.collect.pipeline",
            "kommunen.outputs.render -> kommunen.collect",
        ),
        ("scrapers.eforms", "import kommunen.text", "scrapers.eforms -> kommunen.text"),
    ],
    ids=[
        "store-imports-cli",
        "places-imports-matching",
        "outputs-imports-collect",
        "scrapers-imports-kommunen",
    ],
)
def test_a_lower_floor_importing_a_higher_one_breaks_a_contract(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    result = lint_copy(tmp_path, module, line)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert broken in result.stdout


def test_a_circle_between_siblings_breaks_a_contract(tmp_path: Path) -> None:
    result = lint_copy(tmp_path, "scrapers.base", "import scrapers.http")  # http imports base
    assert result.returncode == 1
    assert "no import circles" in result.stdout
    assert "BROKEN" in result.stdout
