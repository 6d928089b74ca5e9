"""A read-only copy of the warehouse for the dashboard, so pages keep working while a load writes.

DuckDB gives one process the file while it writes and refuses every other process meanwhile,
even read-only. The dashboard therefore never queries the warehouse itself: it copies it to
`<name>.snapshot.duckdb` whenever the warehouse is newer and free (a read-only connection held
during the copy keeps writers out, so the copy is consistent), and queries the copy. While a
load holds the warehouse, the last copy is used and `Snapshot.stale` says so: one session of the
process tries to copy (waiting up to half a second for the warehouse), the others meanwhile, and
every session for BUSY_RETRY seconds after a try found the warehouse busy, take the last copy at
once rather than queue behind each other's tries.
"""
from __future__ import annotations

import os
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from etl.warehouse import db

_lock = threading.Lock()  # one copy at a time within a process (Streamlit serves sessions in threads)
BUSY_RETRY = 1.0  # seconds without a new try after the warehouse was found busy
_busy_until = 0.0  # time.monotonic() of the next try
# This process's own short writes (a login, a confirmation): DuckDB refuses a read-only and a
# writable connection to one file in one process, so a copy and a write never overlap.
_writing = threading.Lock()


@contextmanager
def writing(wait: float):
    """Held while this process writes the warehouse; WarehouseBusy after `wait` seconds."""
    if not _writing.acquire(timeout=wait):
        raise db.WarehouseBusy("Kho dữ liệu đang được ghi; hãy thử lại sau ít giây.")
    try:
        yield
    finally:
        _writing.release()


@dataclass(frozen=True)
class Snapshot:
    path: Path | None  # None: no data could be read at all
    taken_at: datetime | None  # when the copied warehouse was last modified
    stale: bool  # the warehouse is newer but busy (a load is running): this copy is older
    error: str | None = None  # Vietnamese reason when path is None


def snapshot_path(source: Path) -> Path:
    return source.with_name(source.stem + ".snapshot.duckdb")


def _mtime(path: Path) -> float:
    """Last change of the warehouse, its write-ahead log included."""
    times = [p.stat().st_mtime for p in (path, Path(str(path) + ".wal")) if p.exists()]
    return max(times) if times else 0.0


def refresh(source: str | os.PathLike | None = None) -> Snapshot:
    """The freshest readable copy of the warehouse, copying it first when it changed."""
    source = db.db_path(source)
    target = snapshot_path(source)
    if not source.exists():
        return Snapshot(None, None, False, f"Chưa có kho dữ liệu {source}. Hãy nạp báo cáo (trang Tải báo cáo "
                                           "hoặc lệnh python -m etl load) rồi mở lại trang.")
    if target.exists() and target.stat().st_mtime >= _mtime(source):
        return _taken(target, stale=False)
    # a copy is due; with none yet there is nothing to show meanwhile: wait for the one being made
    have = target.exists()
    if have and time.monotonic() < _busy_until:
        return _taken(target, stale=True)  # the warehouse was busy a moment ago
    if not _lock.acquire(blocking=not have):
        return _taken(target, stale=True)  # another session is trying
    try:
        return _copy_or_last(source, target)
    finally:
        _lock.release()


def _taken(target: Path, stale: bool) -> Snapshot:
    return Snapshot(target, datetime.fromtimestamp(target.stat().st_mtime), stale)


def _copy_or_last(source: Path, target: Path) -> Snapshot:
    """Under _lock: a fresh copy, or the last one (stale) while a load holds the warehouse."""
    global _busy_until
    if target.exists() and target.stat().st_mtime >= _mtime(source):  # copied while we waited
        return _taken(target, stale=False)
    try:
        _copy(source, target)
    except db.WarehouseBusy:
        _busy_until = time.monotonic() + BUSY_RETRY
        if target.exists():
            return _taken(target, stale=True)
        return Snapshot(None, None, True, "Kho dữ liệu đang được nạp lần đầu. Hãy chờ ít phút rồi tải lại trang.")
    return _taken(target, stale=False)


def _copy(source: Path, target: Path) -> None:
    # a name of this process's own: the command line refreshes the copy too (etl users), maybe
    # while the dashboard does
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    # Holding a read-only connection keeps writers out while the bytes are copied.
    with writing(0.5):
        con = db.connect(source, read_only=True, wait=0.5)
        try:
            mtime = _mtime(source)
            shutil.copyfile(source, tmp)
            wal = Path(str(source) + ".wal")
            if wal.exists():  # not yet checkpointed: fold the log into the copy
                shutil.copyfile(wal, str(tmp) + ".wal")
        finally:
            con.close()
    # The copy gets this code's views and macros (a warehouse last written by an older version
    # lacks the newer ones), and the log, if any, folded in.
    copy = duckdb.connect(str(tmp))
    try:
        db.migrate(copy)
        copy.execute("CHECKPOINT")
    finally:
        copy.close()
    os.replace(tmp, target)
    os.utime(target, (mtime, mtime))
