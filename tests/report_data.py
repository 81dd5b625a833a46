"""The report of the example profile on the shared data, built once per test session: the
Gemeindeverzeichnis and the German TED eForms notices imported, ranked as of 8 January 2024
(when many of those notices were open), and `kommunen bericht` run as a user runs it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kommunen.outputs.report import Bericht
from tests.recorded import SHARED

NOW = datetime(2024, 1, 8, 7, 0, tzinfo=UTC)
PROFILE = Path(__file__).resolve().parents[1] / "data/profiles/integration.toml"


@dataclass(frozen=True, slots=True)
class Built:
    path: Path  # the report as of NOW
    report: Bericht
    today: Path  # the file `kommunen bericht` wrote
    output: str  # and what it printed


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    from kommunen.cli import app
    from kommunen.cli.common import engine, gemeinde_index
    from kommunen.cli.leads import ranked_leads
    from kommunen.outputs import report

    home = tmp_path_factory.mktemp("bericht")
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith("KOMMUNEN_"):
                env.delenv(name)
        env.setenv("KOMMUNEN_HOME", str(home))
        env.setenv("XDG_CONFIG_HOME", str(home / "config"))
        env.setenv("KOMMUNEN_DATA_DIR", str(SHARED))
        for command in (["import-gemeinden"], ["import-notices", str(SHARED / "tenders/ted-eforms-de")]):
            done = runner.invoke(app, command)
            assert done.exit_code == 0, (command, done.exit_code, done.output, repr(done.exception))
        today = home / "heute.html"
        cli = runner.invoke(app, ["bericht", "--profile", str(PROFILE), "-o", str(today)])
        assert cli.exit_code == 0, cli.output
        profile, ranked = ranked_leads(PROFILE, NOW)
        made = report.bericht(engine(), profile, ranked, gemeinde_index(), SHARED, NOW, limit=100)
        path = home / "bericht.html"
        report.write(made, path)
        yield Built(path, made, today, cli.output)
