"""BBSR INKAR: indicators per Kreis, Gemeinde and Gemeindeverband, the latest year of each.

Quelle   https://www.inkar.de (BBSR), normalised by the R package inkr (RegioHub/inkr, inst/db/*.parquet)
Format   Parquet, one file per INKAR „Bereich“; `_indikatoren.parquet` describes the indicators and,
         in the older layout, `_regionen.parquet` the regions. Two layouts:
         inkr 0.2.1 (2024): raumbezug, kennziffer (Kreise 8 digits), name, zeitbezug, <kuerzel> …
         inkr 2022-12: region_id (→ _regionen id, integer kennziffer), zeitbezug, x<id> …
Caveats  No unit column: the unit is read from the indicator's long name („… in %“, „je 1.000
         Einwohner“). zeitbezug is a year, a few are ranges („2016/2017/2018“: the last year counts).
         The older layout's indicators are taken over under the newer kuerzel where the short name
         is the same, so a newer snapshot's year wins for the same indicator. Municipal finances
         (Schulden, Steuerkraft) exist for Gemeindeverbände only; the older layout writes their key
         with a 3-digit Verband part (14521200), the newer with the 9-digit ARS part (145210200).
         The other INKAR levels (Raumordnungsregionen, types …) are left out.

Pure: bytes in, records out.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from scrapers.errors import ParseError

# raumbezug → (level, digits of the key)
LEVELS = {
    "Kreise": ("kreis", 5),
    "Gemeinden": ("gemeinde", 8),
    "Gemeindeverbände (Verwaltungsgemeinschaft)": ("verband", 9),
    "Gemeindeverbände": ("verband", 9),
}
LEVEL_CODES = (("kreis", 5), ("gemeinde", 8), ("verband", 9))  # level code → (level, digits)
LEVEL_INDEX = {ebene: i for i, (ebene, _) in enumerate(LEVEL_CODES)}
SPAN = 10**9  # a region's code: level code * SPAN + its key as a number
REGIONS_FILE = "_regionen.parquet"
NEW_FIXED = ("raumbezug", "kennziffer", "name", "zeitbezug")
OLD_FIXED = ("region_id", "zeitbezug")


@dataclass(frozen=True, slots=True)
class IndikatorRecord:
    """What an indicator measures, in what unit, and from which file its description came."""

    key: str  # INKAR kuerzel ("q_SGBII"); "x<id>" for an older indicator the newer list does not name
    kurzname: str
    name: str
    einheit: str
    bereich: str
    source_url: str


@dataclass(frozen=True, slots=True)
class WerteRecord:
    """The latest value of one indicator for every region of one level (parallel tuples)."""

    indikator: str
    ebene: str  # "kreis" | "gemeinde" | "verband"
    keys: tuple[str, ...]
    jahre: tuple[int, ...]
    werte: tuple[float, ...]
    source_url: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The files of one inkr build: its two description files and its Bereich files."""

    indikatoren: tuple[str, bytes]
    regionen: tuple[str, bytes] | None  # read by the older layout only
    bereiche: tuple[tuple[str, bytes], ...]


def _table(url: str, body: bytes, columns: list[str] | None = None):  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    try:
        return pq.read_table(io.BytesIO(body), columns=columns)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, KeyError … for a broken file
        raise ParseError(url, f"keine lesbare Parquet-Datei ({str(exc).splitlines()[0][:120]})") from exc


def _schema_names(url: str, body: bytes) -> list[str]:
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(io.BytesIO(body)).names)
    except Exception as exc:
        raise ParseError(url, f"keine lesbare Parquet-Datei ({str(exc).splitlines()[0][:120]})") from exc


def einheit(name: str) -> str:
    """The unit an INKAR long name states, short: "%", "je 1.000 Einwohner", "€ je Einwohner" …"""
    text = " ".join(name.split())
    money = re.search(r"\bin ((?:1\.000 )?(?:€|Euro)) je (.+)$", text)
    if money:
        return f"{money.group(1).replace('Euro', '€')} je {money.group(2)}"
    if re.search(r"\bje 100 \S+.*in %$", text):
        return "%"
    per = re.search(r"\bje (\d[\d.]*) (.+?)(?: in %)?$", text)
    if per:
        return f"je {per.group(1)} {per.group(2)}"
    if text.endswith("in %") or "anteil" in text.split(" ", 1)[0].casefold():
        return "%"
    tail = re.search(r"\bin (€|Euro|Minuten|m²|kg|km²)$", text)
    if tail:
        return tail.group(1).replace("Euro", "€")
    ratio = re.match(r"(.+?) je (.+)$", text)
    if ratio:
        return text if len(ratio.group(1).split()) <= 4 else f"je {ratio.group(2)}"
    return ""


def read_definitions(url: str, body: bytes) -> dict[str, IndikatorRecord]:
    """Every indicator of a `_indikatoren.parquet`, keyed by kuerzel (newer) or "x<id>" (older)."""
    names = _schema_names(url, body)
    key_column = "kuerzel" if "kuerzel" in names else "id" if "id" in names else ""
    if not key_column or not {"kurzname", "name", "bereich"} <= set(names):
        raise ParseError(
            url, "keine INKAR-Indikatorenliste (Spalten kuerzel/id, kurzname, name, bereich fehlen)"
        )
    rows = _table(url, body, [key_column, "kurzname", "name", "bereich"]).to_pylist()
    out: dict[str, IndikatorRecord] = {}
    for row in rows:
        key = str(row[key_column]) if key_column == "kuerzel" else f"x{row[key_column]}"
        if key in out or row[key_column] is None:
            continue  # the newer list names a few indicators twice, once per thematic view
        name = " ".join(str(row["name"] or row["kurzname"] or key).split())
        out[key] = IndikatorRecord(
            key=key,
            kurzname=" ".join(str(row["kurzname"] or key).split()),
            name=name,
            einheit=einheit(name),
            bereich=str(row["bereich"] or ""),
            source_url=url,
        )
    return out


def _year(value: str) -> int:
    years = re.findall(r"\d{4}", value or "")
    return int(years[-1]) if years else 0


def _years(column) -> np.ndarray:  # type: ignore[no-untyped-def]
    """zeitbezug as int years, parsed once per distinct value."""
    encoded = column.combine_chunks().dictionary_encode()
    lookup = np.array([_year(v) for v in encoded.dictionary.to_pylist()] or [0], dtype=np.int64)
    return lookup[np.asarray(encoded.indices.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)]


def _latest(
    url: str, codes: np.ndarray, years: np.ndarray, columns: Mapping[str, np.ndarray]
) -> Iterable[WerteRecord]:
    """Per indicator column and level, the value of each region's latest year with a value.

    `codes` are level * 10**9 + the region's key as a number, so one integer sort orders them.
    """
    order = np.lexsort((years, codes))
    codes, years = codes[order], years[order]
    for indikator, values in columns.items():
        values = values[order]
        valid = ~np.isnan(values)
        c, y, v = codes[valid], years[valid], values[valid]
        if not len(c):
            continue
        last = np.ones(len(c), dtype=bool)
        last[:-1] = c[1:] != c[:-1]
        c, y, v = c[last], y[last], v[last]
        level_of = c // SPAN
        for code in np.unique(level_of):
            here = level_of == code
            ebene, digits = LEVEL_CODES[int(code)]
            yield WerteRecord(
                indikator=indikator,
                ebene=ebene,
                keys=tuple(str(k).zfill(digits) for k in (c[here] % SPAN).tolist()),
                jahre=tuple(y[here].tolist()),
                werte=tuple(v[here].tolist()),
                source_url=url,
            )


def _floats(table, name: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=float)


def read_bereich_new(url: str, body: bytes, known: Iterable[str]) -> list[WerteRecord]:
    """An inkr 0.2.1 Bereich file: its indicator columns for Kreise, Gemeinden and Gemeindeverbände."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = _schema_names(url, body)
    if not set(NEW_FIXED) <= set(names):
        raise ParseError(url, "keine INKAR-Bereichsdatei (Spalten raumbezug, kennziffer, zeitbezug fehlen)")
    known_set = set(known)
    indicators = [n for n in names if n not in NEW_FIXED and n in known_set]
    table = _table(url, body, ["raumbezug", "kennziffer", "zeitbezug", *indicators])
    table = table.filter(pc.is_in(table.column("raumbezug"), value_set=pa.array(list(LEVELS))))
    raum = table.column("raumbezug").combine_chunks().dictionary_encode()
    level_codes = np.array([LEVEL_INDEX[LEVELS[v][0]] for v in raum.dictionary.to_pylist()] or [0])
    levels = level_codes[np.asarray(raum.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
    try:
        numbers = np.asarray(pc.cast(table.column("kennziffer"), pa.int64()).to_numpy(zero_copy_only=False))
    except (pa.ArrowInvalid, TypeError) as exc:
        raise ParseError(url, "kennziffer ist keine Zahl") from exc
    numbers = np.where(levels == LEVEL_INDEX["kreis"], numbers // 1000, numbers)  # Kreise: 01001000
    codes = levels.astype(np.int64) * SPAN + numbers
    years = _years(table.column("zeitbezug"))
    return list(_latest(url, codes, years, {c: _floats(table, c) for c in indicators}))


def read_regionen_old(url: str, body: bytes) -> dict[int, tuple[str, str]]:
    """The older layout's region ids → (key, level) for Kreise, Gemeinden and Gemeindeverbände."""
    names = _schema_names(url, body)
    if not {"id", "raumbezug", "kennziffer"} <= set(names):
        raise ParseError(url, "keine INKAR-Regionenliste (Spalten id, raumbezug, kennziffer fehlen)")
    out: dict[int, tuple[str, str]] = {}
    for row in _table(url, body, ["id", "raumbezug", "kennziffer"]).to_pylist():
        level = LEVELS.get(row["raumbezug"])
        if level and row["kennziffer"] is not None:
            key = str(row["kennziffer"]).zfill(min(level[1], 8))  # Kreise 1002, Gemeinden 1004000
            out[int(row["id"])] = (key[:5] + "0" + key[5:] if level[0] == "verband" else key, level[0])
    return out


def read_bereich_old(
    url: str, body: bytes, regionen: Mapping[int, tuple[str, str]], rename: Mapping[str, str]
) -> list[WerteRecord]:
    """An inkr 2022-12 Bereich file; `rename` maps its x<id> columns to the keys they are stored under."""
    names = _schema_names(url, body)
    if not set(OLD_FIXED) <= set(names):
        raise ParseError(url, "keine INKAR-Bereichsdatei (Spalten region_id, zeitbezug fehlen)")
    indicators = [n for n in names if n not in OLD_FIXED and n in rename]
    table = _table(url, body, ["region_id", "zeitbezug", *indicators])
    lookup = np.full(max(regionen, default=0) + 1, -1, dtype=np.int64)
    for region_id, (key, ebene) in regionen.items():
        lookup[region_id] = LEVEL_INDEX[ebene] * SPAN + int(key)
    ids = np.asarray(table.column("region_id").fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    inside = (ids >= 0) & (ids < len(lookup))
    codes = np.full(len(ids), -1, dtype=np.int64)
    codes[inside] = lookup[ids[inside]]
    keep = codes >= 0
    years = _years(table.column("zeitbezug"))[keep]
    columns = {rename[c]: _floats(table, c)[keep] for c in indicators}
    return list(_latest(url, codes[keep], years, columns))


def parse_snapshots(snapshots: Iterable[Snapshot]) -> tuple[dict[str, IndikatorRecord], list[WerteRecord]]:
    """All indicators of all snapshots; for an indicator two snapshots have, the newer year wins per region.

    The first snapshot with kuerzel (the newer layout) names the indicators; an older one's x<id>
    is stored under the kuerzel of the same short name when exactly one indicator has it.
    """
    definitions: dict[str, IndikatorRecord] = {}
    series: list[WerteRecord] = []
    for snap in snapshots:
        url, body = snap.indikatoren
        own = read_definitions(url, body)
        if "kuerzel" in _schema_names(url, body):
            for key, record in own.items():
                definitions.setdefault(key, record)
            for b_url, b_body in snap.bereiche:
                series.extend(read_bereich_new(b_url, b_body, own))
            continue
        by_name: dict[str, list[str]] = {}
        for key in definitions:
            by_name.setdefault(definitions[key].kurzname.casefold(), []).append(key)
        rename: dict[str, str] = {}
        for key, record in own.items():
            same = by_name.get(record.kurzname.casefold(), [])
            rename[key] = same[0] if len(same) == 1 else key
            definitions.setdefault(rename[key], record)
        if snap.regionen is None:
            raise ParseError(url, f"{REGIONS_FILE} fehlt neben dieser Indikatorenliste (ältere inkr-Fassung)")
        regionen = read_regionen_old(*snap.regionen)
        for b_url, b_body in snap.bereiche:
            series.extend(read_bereich_old(b_url, b_body, regionen, rename))
    return definitions, merge(series)


def merge(series: Iterable[WerteRecord]) -> list[WerteRecord]:
    """One series per indicator and level; where several give a region, the latest year wins."""
    groups: dict[tuple[str, str], list[WerteRecord]] = {}
    for s in series:
        groups.setdefault((s.indikator, s.ebene), []).append(s)
    out = [group[0] for group in groups.values() if len(group) == 1]
    best: dict[tuple[str, str], dict[str, tuple[int, float, str]]] = {}
    for s in (s for group in groups.values() if len(group) > 1 for s in group):
        here = best.setdefault((s.indikator, s.ebene), {})
        for key, year, value in zip(s.keys, s.jahre, s.werte, strict=True):
            old = here.get(key)
            if old is None or year > old[0]:
                here[key] = (year, value, s.source_url)
    for (indikator, ebene), values in best.items():
        keys = sorted(values)
        urls = sorted({values[k][2] for k in keys})
        out.append(
            WerteRecord(
                indikator=indikator,
                ebene=ebene,
                keys=tuple(keys),
                jahre=tuple(values[k][0] for k in keys),
                werte=tuple(values[k][1] for k in keys),
                source_url=" ".join(urls),
            )
        )
    return sorted(out, key=lambda s: (s.indikator, s.ebene))
