"""Backups: the warehouse, its login file and its original files in one zip, and their restore.

`make(warehouse, folder)` writes `<stem>-YYYYMMDD-HHMMSS.zip` and beside it `<zip>.sha256` (the
zip's checksum, in `sha256sum` format) and returns a `Made`; `restore(backup, target)` checks
both and writes the three back beside `target`; `rotate(folder, stem, keep)` removes the oldest.

A committed state, never a half-written one: DuckDB lets one process write and refuses every
other one meanwhile, so the warehouse is copied while this process holds a read-only connection
to it (as etl.warehouse.snapshot copies it for the dashboard): no load can be between two
statements then. A load holds the warehouse for its whole run, so the backup waits for it (up to
`wait` seconds), trying half a second at a time so this process's own short writes (a server's
confirmations) go between. Readers are never held: the dashboard reads its own copy. The login
file is copied under its own connection, after a CHECKPOINT; originals are immutable files named
by their content and kept before any row names them, so those present after the warehouse's
copy are all it names (and perhaps a few more).

A backup is never half-written either: the zip is built as `<name>.partial`, synced, renamed,
and only then is its checksum file written. `restore` accepts a zip only with a checksum file
that matches, and checks every member against the zip's manifest: a run killed at any point
leaves nothing it accepts.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from etl.access import logins
from etl.warehouse import db, originals, snapshot

WAIT_SECONDS = 30 * 60.0  # a province-year's load takes minutes; the nightly backup waits for it
MANIFEST = "manifest.json"
WAREHOUSE_MEMBER, LOGINS_MEMBER, FILES_MEMBER = "warehouse.duckdb", "logins.duckdb", "files/"
CHUNK = 1 << 20
STAMP = "%Y%m%d-%H%M%S"


class BackupError(Exception):
    """A backup or restore that cannot be made or is refused; the message is Vietnamese."""


@dataclass(frozen=True)
class Made:
    path: Path
    size: int
    sha256: str
    originals: int  # original files in it


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _copy_warehouse(source: Path, target: Path, wait: float) -> None:
    """The warehouse's committed state into `target` (one file, its log folded in)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with snapshot.writing(0.5):
                con = db.connect(source, read_only=True, wait=0.5)
                try:
                    shutil.copyfile(source, target)
                    wal = Path(f"{source}.wal")
                    if wal.exists():
                        shutil.copyfile(wal, f"{target}.wal")
                finally:
                    con.close()
            break
        except db.WarehouseBusy:
            if time.monotonic() >= deadline:
                raise BackupError(f"Kho dữ liệu {source.name} bận nạp báo cáo suốt {round(wait / 60)} phút: chưa sao "
                                  "lưu được. Hãy chạy lại lệnh sao lưu khi việc nạp đã xong.") from None
            time.sleep(2.0)
    copy = duckdb.connect(str(target))  # replays the log into the copy, then folds it in
    try:
        copy.execute("CHECKPOINT")
    finally:
        copy.close()


def _copy_logins(source: Path, target: Path) -> bool:
    """The login file into `target`; False when there is none."""
    path = logins.path_for(source)
    if not path.exists():
        return False
    with logins.opened(source, wait=60.0) as con:
        con.execute("CHECKPOINT")
        shutil.copyfile(path, target)
    return True


def make(warehouse: str | os.PathLike | None = None, folder: str | os.PathLike = "data/backup", *,
         wait: float = WAIT_SECONDS) -> Made:
    """One backup of `warehouse` (db.db_path rules) into `folder`; BackupError when it cannot."""
    source = db.db_path(warehouse)
    if not source.exists():
        raise BackupError(f"Không tìm thấy kho dữ liệu {source}: không có gì để sao lưu.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{source.stem}-{datetime.now():{STAMP}}.zip"
    final, partial = folder / name, folder / (name + ".partial")
    work = folder / f".{name}.work"
    work.mkdir()
    try:
        _copy_warehouse(source, work / WAREHOUSE_MEMBER, wait)
        members = {WAREHOUSE_MEMBER: work / WAREHOUSE_MEMBER}
        if _copy_logins(source, work / LOGINS_MEMBER):
            members[LOGINS_MEMBER] = work / LOGINS_MEMBER
        store = originals.store_for(source)
        kept = sorted(p for p in store.glob("??/*") if p.is_file() and len(p.name) == 64) if store.exists() else []
        members.update({f"{FILES_MEMBER}{p.parent.name}/{p.name}": p for p in kept})
        manifest = {"warehouse": source.name, "made_at": datetime.now().isoformat(timespec="seconds"),
                    "members": {}}
        with zipfile.ZipFile(partial, "w", allowZip64=True) as z:
            for arcname, path in members.items():
                manifest["members"][arcname] = _sha256(path)
                # original workbooks are zips already: stored as they are, the warehouse compressed
                packed = arcname.startswith(FILES_MEMBER) and path.read_bytes()[:2] == b"PK"
                z.write(path, arcname, compress_type=zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED)
            z.writestr(MANIFEST, json.dumps(manifest, indent=1))
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        os.replace(partial, final)
        digest = _sha256(final)
        _write_atomic(_checksum_path(final), f"{digest}  {final.name}\n")
        return Made(final, final.stat().st_size, digest, len(kept))
    except OSError as err:
        raise BackupError(f"Không ghi được bản sao lưu vào {folder}: {err.strerror or err}.") from err
    except (db.WarehouseBusy, duckdb.Error) as err:  # the login file stayed busy; a copy DuckDB cannot open
        raise BackupError(f"Chưa sao lưu được kho dữ liệu {source.name}: {err}") from err
    finally:
        shutil.rmtree(work, ignore_errors=True)
        partial.unlink(missing_ok=True)


def _checksum_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".sha256")


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def verify(backup: str | os.PathLike) -> dict:
    """The manifest of a complete, unaltered backup; BackupError otherwise."""
    backup = Path(backup)
    if not backup.is_file():
        raise BackupError(f"Không tìm thấy bản sao lưu {backup}.")
    sums = _checksum_path(backup)
    if not sums.exists():
        raise BackupError(f"Bản sao lưu {backup.name} không có tệp mã kiểm tra {sums.name}: bản sao lưu chưa hoàn tất "
                          "(bị ngắt giữa chừng) hoặc chép thiếu. Hãy dùng một bản sao lưu khác.")
    expected = sums.read_text(encoding="utf-8").split()[:1]
    if expected != [_sha256(backup)]:
        raise BackupError(f"Bản sao lưu {backup.name} không khớp mã kiểm tra SHA-256 trong {sums.name}: tệp đã bị "
                          "hỏng hoặc thay đổi. Hãy dùng một bản sao lưu khác.")
    try:
        with zipfile.ZipFile(backup) as z:
            manifest = json.loads(z.read(MANIFEST))
            for arcname, digest in manifest["members"].items():
                h = hashlib.sha256()
                with z.open(arcname) as member:
                    while block := member.read(CHUNK):
                        h.update(block)
                if h.hexdigest() != digest:
                    raise BackupError(f"Bản sao lưu {backup.name}: thành phần {arcname} không khớp mã kiểm tra.")
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise BackupError(f"Bản sao lưu {backup.name} không đọc được ({err}). Hãy dùng một bản sao lưu khác.") from err
    return manifest


@dataclass(frozen=True)
class Restored:
    warehouse: Path
    originals: int
    logins: bool
    set_aside: list[Path]  # what --replace moved aside instead of deleting it


def restore(backup: str | os.PathLike, target: str | os.PathLike, *, replace: bool = False) -> Restored:
    """The backup written back as the warehouse `target`, its login file and its originals beside
    it. An existing warehouse or login file is refused unless `replace`: then it is renamed to
    `<name>.truoc-khoi-phuc-<time>` (nothing is deleted), and the originals are added to its
    store (a name is its content: nothing there is overwritten)."""
    manifest = verify(backup)
    target = Path(target)
    existing = [p for p in (target, Path(f"{target}.wal"), logins.path_for(target)) if p.exists()]
    if existing and not replace:
        raise BackupError(f"Đã có kho dữ liệu {target}: lệnh khôi phục không ghi đè. Hãy chọn một đường dẫn mới, "
                          "hoặc thêm --replace nếu thật sự muốn thay kho này (kho cũ được đổi tên, không bị xóa).")
    if existing:
        try:  # nobody may have it open: a dashboard reads its copy, but a load would write on
            db.connect(target, read_only=True, wait=0.5).close()
        except db.WarehouseBusy as err:
            raise BackupError(str(err)) from err
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.restoring")
    try:
        return _write_back(Path(backup), manifest, target, tmp, existing)
    except OSError as err:
        raise BackupError(f"Không ghi được kho dữ liệu khôi phục vào {target.parent}: {err.strerror or err}.") from err
    finally:
        tmp.unlink(missing_ok=True)


def _write_back(backup: Path, manifest: dict, target: Path, tmp: Path, existing: list[Path]) -> Restored:
    """restore's writing: the warehouse to `tmp`, the originals into the store, `existing` set
    aside, the login file, and `tmp` renamed to `target` last."""
    store = originals.store_for(target)
    stamp = f"truoc-khoi-phuc-{datetime.now():{STAMP}}"
    login_file = logins.path_for(target)
    set_aside, count = [], 0
    with zipfile.ZipFile(backup) as z:
        with z.open(WAREHOUSE_MEMBER) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
        for arcname in manifest["members"]:
            if arcname.startswith(FILES_MEMBER):
                if originals.keep(store, z.read(arcname)) != arcname.rsplit("/", 1)[1]:
                    raise BackupError(f"Bản sao lưu {Path(backup).name}: tệp gốc {arcname} không khớp mã băm.")
                count += 1
        for path in existing:
            aside = path.with_name(f"{path.name}.{stamp}")
            os.replace(path, aside)
            set_aside.append(aside)
        if LOGINS_MEMBER in manifest["members"]:
            with z.open(LOGINS_MEMBER) as src, open(login_file, "wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
    os.replace(tmp, target)
    return Restored(target, count, LOGINS_MEMBER in manifest["members"], set_aside)


def backups(folder: str | os.PathLike, stem: str) -> list[Path]:
    """The complete backups of warehouse `stem` in `folder` (with their checksum file), oldest first."""
    folder = Path(folder)
    found = [p for p in folder.glob(f"{stem}-*.zip") if _checksum_path(p).exists()] if folder.exists() else []
    return sorted(found, key=lambda p: p.name)


def rotate(folder: str | os.PathLike, stem: str, keep: int) -> list[Path]:
    """Removes all but the newest `keep` backups of `stem`, and what backups killed midway left a
    day ago or more; returns the backups removed."""
    removed = backups(folder, stem)[:-keep]
    for p in removed:
        p.unlink(missing_ok=True)
        _checksum_path(p).unlink(missing_ok=True)
    day_ago = time.time() - 24 * 3600
    for p in Path(folder).glob(f"*{stem}-*"):  # left by a backup killed midway, a day ago or more
        unfinished = p.name.endswith((".partial", ".work")) or (p.suffix == ".zip" and not _checksum_path(p).exists())
        if unfinished and p.stat().st_mtime < day_ago:
            shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
    return removed


# --- the running server's nightly backup -----------------------------------------------------

def status_path(warehouse: str | os.PathLike | None = None) -> Path:
    """`<warehouse stem>.backup.json` beside the warehouse: the outcome of the last nightly backup."""
    source = db.db_path(warehouse)
    return source.with_name(source.stem + ".backup.json")


def last_status(warehouse: str | os.PathLike | None = None) -> dict | None:
    """{"at", "ok", "file", "error"} of the last nightly backup; None before the first."""
    try:
        return json.loads(status_path(warehouse).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def nightly(warehouse: str | os.PathLike | None, folder: str | os.PathLike, keep: int) -> Made:
    """One backup and the rotation, its outcome kept for the audit page (last_status); raises
    BackupError (the message Vietnamese) after keeping a failure."""
    source = db.db_path(warehouse)
    outcome = {"at": datetime.now().isoformat(timespec="seconds"), "ok": False, "file": None, "error": None}
    try:
        made = make(source, folder)
        rotate(folder, source.stem, keep)
        outcome.update(ok=True, file=str(made.path))
        return made
    except BackupError as err:
        outcome["error"] = str(err)
        raise
    except OSError as err:  # the rotation
        outcome["error"] = f"Không dọn được bản sao lưu cũ trong {folder}: {err.strerror or err}."
        raise BackupError(outcome["error"]) from err
    finally:
        _write_atomic(status_path(source), json.dumps(outcome, ensure_ascii=False))


def seconds_until(hour: int, now: datetime | None = None) -> float:
    """Seconds from `now` to the next time the clock reads `hour`:00."""
    now = now or datetime.now()
    at = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at <= now:
        at += timedelta(days=1)
    return (at - now).total_seconds()
