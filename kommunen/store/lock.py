"""One writing job per database at a time.

Two `kommunen run` on one database both imported the Gemeindeverzeichnis and one died with an
IntegrityError; two imports tripped over each other's rows. A job takes this lock first; a
second one waits for it (saying so and who holds it) or gives up with one clear line. SQLite:
an flock on a file beside the database, released by the kernel when the holder dies, even by
SIGKILL. PostgreSQL: a session advisory lock, released when its connection ends.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text

from kommunen.errors import KommunenError

WAIT_S = 15 * 60  # a morning run takes minutes; a second one waits rather than fails
POLL_S = 0.2
# (database, thread) → depth: `run` calls the imports, which lock too. Per thread: the scheduler
# runs its jobs in threads, and one job's lock must hold off another's, not let it in.
_held: dict[tuple[str, int], int] = {}


class JobBusy(KommunenError):
    pass


@contextmanager
def job_lock(
    engine: Engine, job: str, *, wait_s: float = WAIT_S, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    key = (engine.url.render_as_string(hide_password=True), threading.get_ident())
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    if engine.dialect.name == "sqlite":
        database = engine.url.database or ""
        held = _file_lock(Path(database), job, wait_s, on_wait) if database not in ("", ":memory:") else None
    elif engine.dialect.name == "postgresql":
        held = _advisory_lock(engine, job, wait_s, on_wait)
    else:
        held = None
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        if held is not None:
            held()


def _busy(job: str, holder: str, waited: bool) -> str:
    running = f"Ein anderer kommunen-Job läuft {'noch' if waited else 'gerade'} auf dieser Datenbank"
    who = f" ({holder})" if holder else ""
    if waited:
        return f"{running}{who}: {job} gibt nach {WAIT_S // 60} Minuten Warten auf."
    return f"{running}{who} – {job} wartet, bis er fertig ist …"


def _file_lock(
    database: Path, job: str, wait_s: float, on_wait: Callable[[str], None] | None
) -> Callable[[], None]:
    path = database.expanduser().with_name(database.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            if time.monotonic() >= deadline:
                handle.close()
                raise JobBusy(_busy(job, holder, waited=True)) from None
            if not told and on_wait is not None:
                on_wait(_busy(job, holder, waited=False))
                told = True
            time.sleep(POLL_S)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{job}, Prozess {os.getpid()}, seit {datetime.now().astimezone():%d.%m.%Y %H:%M}")
    handle.flush()

    def release() -> None:
        handle.truncate(0)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()

    return release


def _advisory_lock(
    engine: Engine, job: str, wait_s: float, on_wait: Callable[[str], None] | None
) -> Callable[[], None]:
    lock_id = zlib.crc32(b"kommunen-job")
    conn = engine.connect()
    deadline = time.monotonic() + wait_s
    told = False
    while not conn.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": lock_id}).scalar_one():
        conn.rollback()
        if time.monotonic() >= deadline:
            conn.close()
            raise JobBusy(_busy(job, "", waited=True))
        if not told and on_wait is not None:
            on_wait(_busy(job, "", waited=False))
            told = True
        time.sleep(POLL_S)
    conn.commit()

    def release() -> None:
        conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
        conn.commit()
        conn.close()

    return release
