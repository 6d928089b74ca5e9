"""The DuckDB warehouse: where it is, opening it (with retry while another process writes),
creating and migrating its schema, and writing one accepted file in one transaction.

DuckDB lets one process write and refuses every other process meanwhile, even read-only ones,
so connections here are short-lived and retried; the dashboard reads through the same helper.
"""
from __future__ import annotations

import os
import time
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb

HERE = Path(__file__).parent
DEFAULT_DB = Path("data/warehouse.duckdb")
SCHEMA_VERSION = 3
LOCK_WAIT_SECONDS = 30.0


class WarehouseBusy(Exception):
    """Another process holds the warehouse (a load is running); the message is Vietnamese."""


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """--db wins over WAREHOUSE_DB, which wins over data/warehouse.duckdb (SPEC §4)."""
    return Path(explicit or os.environ.get("WAREHOUSE_DB") or DEFAULT_DB)


def _locked(err: Exception) -> bool:
    msg = str(err).lower()
    return "lock" in msg or "conflicting" in msg or "resource temporarily unavailable" in msg


def connect(path: str | os.PathLike | None = None, *, read_only: bool = False,
            wait: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting up to `wait` seconds while another process holds it.
    A writable connection creates and migrates the schema."""
    path = db_path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as err:
            if not _locked(err) or time.monotonic() >= deadline:
                if _locked(err):
                    raise WarehouseBusy(
                        f"Kho dữ liệu {path.name} đang được một tiến trình khác ghi (đang nạp báo cáo). "
                        "Hãy chờ tiến trình đó xong rồi thử lại.") from err
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    if not read_only:
        migrate(con)
    return con


@lru_cache(maxsize=None)
def _sql(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def view_files() -> list[str]:
    return sorted(f"sql/views/{p.name}" for p in (HERE / "sql" / "views").glob("*.sql"))


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables if absent, apply version steps, and (re)create every view."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(_sql("schema.sql"))
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
        for step in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS.get(step, lambda c: None)(con)
        if version != SCHEMA_VERSION:
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        for name in view_files():
            con.execute(_sql(name))
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _v2_accounts(con) -> None:
    """Version 2: login accounts (etl.accounts) and the audit trail (etl.audit). Only password
    hashes are stored; failed_attempts and throttled_until slow down repeated wrong passwords."""
    con.execute("""
        CREATE TABLE IF NOT EXISTS accounts (
            name VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, commune_code VARCHAR,
            password_hash VARCHAR NOT NULL, disabled BOOLEAN NOT NULL DEFAULT false,
            created_at TIMESTAMP NOT NULL, password_set_at TIMESTAMP NOT NULL,
            failed_attempts INTEGER NOT NULL DEFAULT 0, throttled_until TIMESTAMP, last_login_at TIMESTAMP);
        -- One row per recorded act (load, reject, login, export...); never updated or deleted.
        -- "at" is quoted: AT is a keyword of DuckDB's SQL (AT TIME ZONE).
        CREATE TABLE IF NOT EXISTS audit_log (
            "at" TIMESTAMP NOT NULL, account VARCHAR, action VARCHAR NOT NULL, file_name VARCHAR,
            sha256 VARCHAR, detail VARCHAR);
    """)


# Schema version steps: version -> function(con). Version 1 is schema.sql itself.
MIGRATIONS: dict = {2: _v2_accounts,
                    3: lambda con: con.execute(_sql("sql/migrations/003_confirmations.sql"))}  # etl.confirm


def current_hashes(con) -> set[str]:
    return {h for (h,) in con.execute("SELECT sha256 FROM current_file_hashes").fetchall()}


@lru_cache(maxsize=None)
def _schema(table: str):
    """The Arrow schema of an internal table, from schema.sql: typed Arrow tables insert in
    microseconds, where letting Arrow infer types from Python values costs milliseconds."""
    import pyarrow as pa

    types = {"BIGINT": pa.int64(), "INTEGER": pa.int32(), "VARCHAR": pa.string(), "DATE": pa.date32(),
             "BOOLEAN": pa.bool_(), "TIMESTAMP": pa.timestamp("us"), "VARCHAR[]": pa.list_(pa.string())}
    con = duckdb.connect()
    con.execute(_sql("schema.sql"))
    return pa.schema([(name, types[typ]) for name, typ, *_ in con.execute(f"DESCRIBE {table}").fetchall()])


TABLES = {  # loader result name -> internal table
    "communes": "commune_rows", "branches": "branch_rows",
    "committee_meetings": "committee_meeting_rows", "branch_meetings": "branch_meeting_rows",
    "recruitment": "recruitment_rows", "annual_ratings": "annual_rating_rows",
    "recruitment_targets": "target_rows", "inspection_findings": "finding_rows",
}
RENAMES = {"communes": {"code": "commune_code", "name": "commune_name"},
           "branches": {"code": "branch_code", "name": "branch_name"}}


def _arrow_rows(name: str, records: list[dict], load_id: int):
    """One file's rows for one internal table as a typed Arrow table, built column by column."""
    import pyarrow as pa  # imported here: the dashboard never writes

    schema = _schema(TABLES[name])
    keys = {c: c for c in schema.names}  # table column -> record key
    keys.update({new: old for old, new in RENAMES.get(name, {}).items()})
    columns = [pa.array([load_id] * len(records) if f.name == "load_id" else [r.get(keys[f.name]) for r in records],
                        type=f.type) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def write_load(con, *, kind: str, source_file: str, sha256: str, received_at: datetime | None,
               meta: dict, rows: dict[str, list[dict]], after=None) -> int:
    """Insert one file's load record and rows in a single transaction; returns its load_id.
    `after(con, load_id)`, if given, runs inside that transaction (the loader's audit row).
    Any failure rolls everything back, so the warehouse is exactly as it was.

    Each statement costs DuckDB about a millisecond whatever it does, so a file takes as few as
    its content allows: the load row takes its id with RETURNING, and each table's rows go in as
    one Arrow table (never a statement per row)."""
    now = datetime.now()
    con.execute("BEGIN TRANSACTION")
    try:
        load_id = con.execute(
            "INSERT INTO loads (load_id, kind, source_file, sha256, received_at, loaded_at, commune_code, period,"
            " tasks_sent_on, made_on, made_by, warnings) VALUES (nextval('load_ids'),?,?,?,?,?,?,?,?,?,?,?)"
            " RETURNING load_id",
            [kind, source_file, sha256, received_at or now, now, meta.get("commune_code"),
             meta.get("period"), meta.get("tasks_sent_on"), meta.get("made_on"), meta.get("made_by"),
             meta.get("warnings", 0)]).fetchone()[0]
        for name, records in rows.items():
            if not records:
                continue
            # `incoming` is read by name from this function's locals (DuckDB's replacement scan):
            # con.from_arrow(...).insert_into(...) would cost one more round trip to the engine.
            incoming = _arrow_rows(name, records, load_id)  # noqa: F841
            con.execute(f"INSERT INTO {TABLES[name]} BY NAME SELECT * FROM incoming")
        if after is not None:
            after(con, load_id)
        con.execute("COMMIT")
        return load_id
    except BaseException:
        con.execute("ROLLBACK")
        raise
