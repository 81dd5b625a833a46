"""`kommunen similar` starts without rich where its table needs no wrapping (outputs/plain.py): the
same bytes as rich's table, in a pipe and in a terminal, at every width; rich where a cell wraps.

Real rows: the 2024 Gemeindeverzeichnis (conftest `index`).
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest

from kommunen.cli.places import _render_similar
from kommunen.outputs import plain
from kommunen.outputs.render import Format
from kommunen.places.gemeinden import GemeindeIndex
from kommunen.places.similar import KommunenModel, SimilarQuery


class Terminal(io.StringIO):
    """What a terminal looks like to rich: a tty that takes UTF-8."""

    def isatty(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


QUERIES = [
    SimilarQuery(["Augsburg"], k=20),
    SimilarQuery(["Landkreis Tübingen"], k=5),
    SimilarQuery(["Tübingen", "Marburg"], k=5, within_km=150),
    SimilarQuery(["Kreis 09575"], k=6),  # Landkreis Neustadt a.d.Aisch-Bad Windsheim: a long name
]


def shown(model: KommunenModel, query: SimilarQuery, out: io.StringIO) -> str:
    with redirect_stdout(out):
        _render_similar(model.find(query), Format.table, model.describe(query.references))
    return out.getvalue()


@pytest.mark.parametrize("query", QUERIES, ids=["augsburg", "kreis", "two-within", "long-name"])
@pytest.mark.parametrize("columns", [40, 60, 80, 100, 200])
@pytest.mark.parametrize("tty", [True, False], ids=["terminal", "pipe"])
def test_plain_table_is_what_rich_writes(
    index: GemeindeIndex, query: SimilarQuery, columns: int, tty: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = KommunenModel(index)
    for name in plain.RICH_OWN:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("TERM", "xterm")
    fast = shown(model, query, Terminal() if tty else io.StringIO())
    monkeypatch.setattr(plain, "table", lambda *args, **kwargs: False)  # rich draws every table
    assert fast == shown(model, query, Terminal() if tty else io.StringIO())


def test_rich_draws_only_what_wraps(index: GemeindeIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    model = KommunenModel(index)
    rows = [{"name": r.name, "einwohner": r.einwohner} for r in model.find(SimilarQuery(["Augsburg"], k=3))]
    columns = [("name", "Kommune"), ("einwohner", "Einwohner")]
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("TERM", "xterm")
    out = Terminal()
    assert plain.table(rows, columns, "Ähnlich wie Augsburg", out=out)
    assert out.getvalue().splitlines()[:4] == [
        "Ähnlich wie Augsburg",
        "\x1b[1mKommune  \x1b[0m\x1b[1m \x1b[0m \x1b[1mEinwohner\x1b[0m",
        "────────────────────",
        "Mannheim     316.877",
    ]
    assert not plain.table(rows, columns, "Ähnlich wie Augsburg (303.150 Einw., 2.064/km²)", out=out)
    monkeypatch.setenv("COLUMNS", "12")  # Einwohner no longer fits beside Mannheim
    assert not plain.table(rows, columns, "Ähnlich", out=Terminal())
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich's own rule
    assert not plain.table(rows, columns, "Ähnlich", out=io.StringIO())
