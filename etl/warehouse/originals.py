"""The original files: the exact bytes of every file given to the loader (loaded, unchanged or
rejected), kept beside the warehouse and named by their sha256.

Takes a warehouse path (or a connection to it) and file paths or hashes; returns where a file is
kept and its bytes. The store is `<warehouse stem>.files/` beside the warehouse file
(`data/warehouse.files/ab/abcdef….` for `data/warehouse.duckdb`), one file per content, two hex
digits of fan-out so no folder holds more than a few hundred files. Files, not BLOBs in the
warehouse: the dashboard copies the whole warehouse after every load (etl.warehouse.snapshot), and
a province-decade of originals (~15,000 files of 15 KB, 225 MB) would be copied with it each time;
beside it they are written once and never again, need no lock (a name is its content, written to
a temporary name and renamed), and a person can copy the folder or open a file in Excel.

A file is kept before the transaction that records its load commits, so every sha256 the
warehouse names has its file; a run killed in between leaves at most a file no row names, which
is harmless. Names carry no extension: one content may arrive as .xlsx and .xls, and the
loads table and the audit trail keep the name it came under.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from etl.access import audit
from etl.warehouse import db, rejections

MONTHLY_NAME = "bao-cao-thang-{period}-{commune}-lan-{version}{suffix}"


class OriginalMissing(Exception):
    """No such report, version or kept file; the message is Vietnamese."""


def store_for(warehouse: str | os.PathLike | None = None) -> Path:
    """`<warehouse stem>.files` beside the warehouse (db.db_path rules)."""
    source = db.db_path(warehouse)
    return source.with_name(source.stem + ".files")


def store_of(con) -> Path | None:
    """The store of the warehouse `con` is connected to; None for an in-memory database."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return store_for(row[0]) if row and row[0] else None


def path_of(store: Path, sha256: str) -> Path:
    return store / sha256[:2] / sha256


def keep(store: Path | None, data: bytes) -> str:
    """The sha256 of `data`, kept in `store` (None: not kept) unless a file of that content is
    there already. OSError when it cannot be written (the caller's run stops: nothing it has not
    kept may be recorded)."""
    digest = hashlib.sha256(data).hexdigest()
    if store is not None:
        target = path_of(store, digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{digest}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
    return digest


def missing(sha256: str) -> str:
    """What to say of a content the store does not hold."""
    return (f"Không còn lưu tệp gốc có mã băm {sha256[:12]}… (tệp được nạp trước khi kho bắt đầu lưu tệp gốc, "
            "hoặc thư mục tệp gốc đã bị xóa: hãy khôi phục từ bản sao lưu).")


def read(store: Path, sha256: str) -> bytes:
    """The kept bytes of content `sha256`, checked against it; OriginalMissing when absent or
    altered on disk."""
    target = path_of(store, sha256)
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise OriginalMissing(missing(sha256)) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise OriginalMissing(f"Tệp gốc {target} đã bị thay đổi trên đĩa: nội dung không khớp mã băm. "
                              "Hãy khôi phục thư mục tệp gốc từ bản sao lưu.")
    return data


def versions(con, commune: str, period: str) -> list[dict]:
    """Every version of one commune-month report (report_submissions, SPEC §5), oldest first."""
    return versions_between(con, commune, period, period)


def versions_between(con, commune: str, first: str, last: str) -> list[dict]:
    """Every version of a commune's monthly reports from month `first` to `last` ('YYYY-MM'),
    newest month first and each month's versions oldest first: period and versions' keys."""
    rows = con.execute("SELECT period, version, is_current, received_at, source_file, sha256 FROM report_submissions "
                       "WHERE commune_code = ? AND period BETWEEN ? AND ? ORDER BY period DESC, version",
                       [commune.strip().upper(), first, last]).fetchall()
    return [dict(zip(("period", "version", "is_current", "received_at", "source_file", "sha256"), r)) for r in rows]


def commune_of(con, sha256: str) -> str | None:
    """The commune whose monthly report a content was loaded as; for a content never loaded, the
    one its rejections name (etl.warehouse.rejections); None: another kind of file, or no commune
    known. Whose right to view decides who may download it."""
    commune, loaded = con.execute("SELECT max(commune_code) FILTER (WHERE kind = 'monthly'), count(*) FROM loads "
                                  "WHERE sha256 = ?", [sha256]).fetchone()
    return commune if loaded else rejections.commune_of(con, sha256)


def given(con, sha256: str) -> dict:
    """A content given to the loader, as the newest audit row naming it says: sha256, file_name
    (as received) and what (what became of it, in Vietnamese); OriginalMissing when no file given
    to the loader had that content."""
    row = con.execute('SELECT file_name, action FROM audit_log WHERE sha256 = ? AND list_contains(?, action) '
                      'ORDER BY "at" DESC LIMIT 1', [sha256, list(audit.FILE_ACTIONS)]).fetchone()
    if row is None:
        raise OriginalMissing(f"Kho dữ liệu không có tệp nào có mã băm {sha256[:12]}… được đưa vào nạp.")
    return {"sha256": sha256, "file_name": row[0], "what": f"lần gần nhất: {audit.ACTION_VN[row[1]].lower()}"}


def find(con, commune: str, period: str, version: int | None = None) -> dict:
    """One version of a report (the current one when `version` is None); OriginalMissing when
    the commune has no report for that month or no such version."""
    found = versions(con, commune, period)
    month = f"{period[5:7]}/{period[:4]}"
    if not found:
        raise OriginalMissing(f"Đảng bộ {commune.strip().upper()} chưa có báo cáo tháng {month} trong kho dữ liệu.")
    if version is None:
        return next(v for v in found if v["is_current"])
    for v in found:
        if v["version"] == version:
            return v
    raise OriginalMissing(f"Báo cáo tháng {month} của đảng bộ {commune.strip().upper()} không có lần nạp thứ "
                          f"{version}; có {len(found)} lần (1–{len(found)}).")


def download_name(commune: str, period: str, v: dict) -> str:
    """The file name a report version is offered under: commune, month and version, with the
    extension it was sent with."""
    suffix = Path(v["source_file"]).suffix.lower() or ".xlsx"
    return MONTHLY_NAME.format(period=period, commune=commune.strip().upper(), version=v["version"], suffix=suffix)
