"""The columns `kommunen similar` reads, kept in KOMMUNEN_HOME between runs.

Reading the Gemeinden, Kreise, neighbours and successors costs a process about 0.2 s and the
import of SQLAlchemy 0.35 s more; from this cache a query needs neither, nor numpy: the index keeps
plain lists (its numpy arrays are made where first used, and never pickled), the similarity
features computed and the Gemeinde neighbours packed into strings. The cache is valid only
for the same SQLite file unchanged since it was written (`stamp`, taken before the database is
read), so any commit afterwards (an import, a scrape, a migration) makes the next query read the
database again. Other databases (PostgreSQL) are always read.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path

from kommunen.places.gemeinden import GemeindeIndex
from kommunen.places.nachbarn import Nachbarn

FORMAT = 2  # raise when what is pickled changes shape
FILE_NAME = "similar-index.pickle"
Stamp = tuple[object, ...]


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL ("sqlite:////abs/k.db", "sqlite:///rel.db"); None for any other."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url or url[len(prefix) :] in ("", ":memory:"):
        return None
    return Path(url[len(prefix) :])


def stamp(db: Path) -> Stamp:
    """What changes whenever SQLite commits: the identity, size and time of the file and of its WAL,
    and their headers (the file's change counter; the WAL's salts, new each time it starts over, so
    that a commit which overwrites the WAL from its start within one tick of the clock counts too)."""
    parts: list[object] = [FORMAT, str(db.resolve())]
    for path, header in ((db, 100), (db.with_name(db.name + "-wal"), 32)):
        try:
            with path.open("rb") as file:
                st = os.fstat(file.fileno())
                if path != db and not st.st_size:  # an empty WAL holds nothing: as if there were none
                    parts.append(None)
                    continue
                parts.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, file.read(header)))
        except FileNotFoundError:
            parts.append(None)
    return tuple(parts)


def _read(url: str, build: Callable[[], GemeindeIndex]) -> tuple[GemeindeIndex, Nachbarn]:
    index = build()
    index.kreise  # noqa: B018 - read now, so that they are cached with the index
    index.nachfolger  # noqa: B018
    index.features, index.kreise.features  # noqa: B018 - computed now, so that they are cached too
    return index, Nachbarn.load(index.engine)


def similar_index(url: str, home: Path, build: Callable[[], GemeindeIndex]) -> tuple[GemeindeIndex, Nachbarn]:
    """The index and neighbours of the database at `url`: from the cache while it is valid, else
    read with `build` (and cached, where the database is a SQLite file)."""
    db = sqlite_file(url)
    if db is None or not db.exists():
        index = build()
        return index, Nachbarn.load(index.engine)
    before = stamp(db)
    cache = home / "cache" / FILE_NAME
    saved = _load(cache)
    if saved is not None and saved[0] == before:
        _, index, nachbarn = saved
        index.rebind(url)
        return index, nachbarn
    index, nachbarn = _read(url, build)
    _write(cache, (before, index, nachbarn))
    return index, nachbarn


def _load(cache: Path) -> tuple[Stamp, GemeindeIndex, Nachbarn] | None:
    try:
        with cache.open("rb") as file:
            saved = pickle.load(file)  # noqa: S301 - our own file in KOMMUNEN_HOME, like the database
    except Exception:  # missing, cut short or pickled by older code: read the database instead
        return None
    ok = isinstance(saved, tuple) and len(saved) == 3 and isinstance(saved[1], GemeindeIndex)
    return saved if ok else None


def _write(cache: Path, content: tuple[Stamp, GemeindeIndex, Nachbarn]) -> None:
    """Written whole or not at all (a second process may read it meanwhile); a cache that cannot
    be written only costs the next query its speed."""
    tmp: Path | None = None
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=cache.parent, prefix=".similar-", suffix=".tmp")
        tmp = Path(name)
        with os.fdopen(fd, "wb") as file:
            pickle.dump(content, file, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache)
    except OSError:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
