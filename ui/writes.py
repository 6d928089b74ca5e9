"""The dashboard's one rule for writing the warehouse, and the one place it opens it writable.

DuckDB lets one process at a time hold the warehouse writable, and the dashboard serves every
session from a read copy (etl.warehouse.snapshot). So the dashboard writes in two ways:

  - In this process, through `write()`: small acts of one signed-in person that must happen
    while the page waits, each a transaction of a few rows with its audit row:
      * confirming and reopening a monthly report (pages/nop_bao_cao.py: etl.access.confirm);
      * the audit row of an export (pages/xuat_bao_cao.py: etl.access.audit.record_export);
      * a data-quality flag marked verified (pages/chat_luong_so_lieu.py: etl.quality.verify);
      * the first administrator on a warehouse without accounts (ui.login: accounts.ensure_admin);
      * a password hash redone at sign-in (ui.login: accounts.store_rehash);
      * a new password chosen on the dashboard (ui.password: accounts.set_password).
    `write()` opens a short connection, waits up to WRITE_WAIT seconds while a load holds the
    file (then db.WarehouseBusy, shown as BUSY_VN), and closes it at once.
  - In the loader's process: uploads. ui.upload runs `python -m etl check --json` and
    `python -m etl load --json` as subprocesses (the command line's own checks, limits and
    audit rows, its memory cap per file); their answers come back as the library's FileResult
    and Problem objects (etl.ingest.check.FileResult.from_json).

Sign-in attempts write no warehouse: they go to the login file beside it (etl.access.logins).
No other module of the dashboard opens the warehouse writable (tests/test_writes.py looks).
"""
from __future__ import annotations

from etl.warehouse import db, snapshot

WRITE_WAIT = 20  # seconds an in-process write waits for a running load to finish
BUSY_VN = "Kho dữ liệu đang được nạp báo cáo nên chưa ghi được. Hãy chờ ít phút rồi thử lại."


def write(fn, wait: float = WRITE_WAIT):
    """fn(con) on a writable connection to the warehouse, opened and closed here; raises
    db.WarehouseBusy when a load holds the warehouse longer than `wait` seconds."""
    with snapshot.writing(wait):
        con = db.connect(db.db_path(), wait=wait)
        try:
            return fn(con)
        finally:
            con.close()
