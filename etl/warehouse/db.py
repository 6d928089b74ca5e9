"""The DuckDB warehouse: where it is, opening it (with retry while another process writes),
creating and migrating its schema, and writing accepted files, each wholly or not at all.

DuckDB lets one process write and refuses every other process meanwhile, even read-only ones,
so connections here are short-lived and retried; the dashboard reads through the same helper.
"""
from __future__ import annotations

import hashlib
import os
import time
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb

from etl.warehouse import transaction

HERE = Path(__file__).parent
DEFAULT_DB = Path("data/warehouse.duckdb")
SCHEMA_VERSION = 7
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
    A writable connection creates and migrates the schema; so does a read-only one, once, when the
    warehouse was last migrated by other code (its views or the spine's macros would not be this
    code's), unless this process may not write the file."""
    path = db_path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only, wait)
    if not read_only:
        migrate(con)
    elif _outdated(con):
        con.close()
        try:
            migrate_con = _open(path, False, wait)
        except duckdb.IOException:  # a file this process may not write: read it as it is
            pass
        else:
            try:
                migrate(migrate_con)
            finally:
                migrate_con.close()
        con = _open(path, True, wait)
    return con


def _open(path: Path, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as err:
            if not _locked(err) or time.monotonic() >= deadline:
                if _locked(err):
                    raise WarehouseBusy(
                        f"Kho dữ liệu {path.name} đang được một tiến trình khác ghi (đang nạp báo cáo). "
                        "Hãy chờ tiến trình đó xong rồi thử lại.") from err
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


@lru_cache(maxsize=None)
def _sql(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def view_files() -> list[str]:
    return sorted(f"sql/views/{p.name}" for p in (HERE / "sql" / "views").glob("*.sql"))


def install_spine(con: duckdb.DuckDBPyConnection) -> None:
    """The scope spine every indicator query starts from (sql/spine.sql: macros over the SPEC §5
    views), on a database that has those views, or tables by their names."""
    con.execute(_sql("sql/spine.sql"))


def quality_files() -> list[str]:
    return sorted(f"sql/quality/{p.name}" for p in (HERE / "sql" / "quality").glob("*.sql"))


def install_quality(con: duckdb.DuckDBPyConnection) -> None:
    """The data-quality rules (sql/quality: table macros over the spine, and the view
    data_quality_flags), on a database that has the spine and the schema's tables."""
    for name in quality_files():
        con.execute(_sql(name))


@lru_cache(maxsize=1)
def definitions() -> str:
    """A fingerprint of what migrate installs (schema version, schema, views, spine, quality
    rules), kept in meta: a warehouse whose fingerprint differs was last migrated by other code."""
    digest = hashlib.sha256(str(SCHEMA_VERSION).encode())
    for name in ["schema.sql", *view_files(), "sql/spine.sql", *quality_files()]:
        digest.update(name.encode() + b"\0" + _sql(name).encode())
    return digest.hexdigest()


def _outdated(con: duckdb.DuckDBPyConnection) -> bool:
    """The warehouse was migrated by code that installs other definitions (False for a database
    that is no warehouse: no meta table)."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'definitions'").fetchone()
    except duckdb.CatalogException:
        return False
    return row is None or row[0] != definitions()


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
        install_spine(con)
        install_quality(con)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('definitions', ?)", [definitions()])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _v2_accounts(con) -> None:
    """Version 2: login accounts (etl.access.accounts) and the audit trail (etl.access.audit). Only password
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
                    3: lambda con: con.execute(_sql("sql/migrations/003_confirmations.sql")),  # etl.access.confirm
                    4: lambda con: con.execute(_sql("sql/migrations/004_password_change.sql")),  # etl.access.accounts
                    6: lambda con: con.execute(_sql("sql/migrations/006_quality.sql")),  # sql/quality, etl.quality
                    7: lambda con: con.execute(_sql("sql/migrations/007_rejections.sql"))}  # etl.warehouse.rejections


def current_hashes(con) -> set[str]:
    return {h for (h,) in con.execute("SELECT sha256 FROM current_file_hashes").fetchall()}


@lru_cache(maxsize=None)
def _schema(table: str):
    """The Arrow schema of an internal table, from schema.sql and the migrations of the tables
    written in bulk: typed Arrow tables insert in microseconds, where letting Arrow infer types
    from Python values costs milliseconds."""
    import pyarrow as pa

    types = {"BIGINT": pa.int64(), "INTEGER": pa.int32(), "VARCHAR": pa.string(), "DATE": pa.date32(),
             "BOOLEAN": pa.bool_(), "TIMESTAMP": pa.timestamp("us"), "VARCHAR[]": pa.list_(pa.string())}
    con = duckdb.connect()
    con.execute(_sql("schema.sql"))
    con.execute(_sql("sql/migrations/006_quality.sql"))  # load_columns
    con.execute(_sql("sql/migrations/007_rejections.sql"))  # rejection_problems
    return pa.schema([(name, types[typ]) for name, typ, *_ in con.execute(f"DESCRIBE {table}").fetchall()])


TABLES = {  # loader result name -> internal table
    "communes": "commune_rows", "branches": "branch_rows",
    "committee_meetings": "committee_meeting_rows", "branch_meetings": "branch_meeting_rows",
    "recruitment": "recruitment_rows", "annual_ratings": "annual_rating_rows",
    "recruitment_targets": "target_rows", "inspection_findings": "finding_rows",
}
RENAMES = {"communes": {"code": "commune_code", "name": "commune_name"},
           "branches": {"code": "branch_code", "name": "branch_name"}}


def _arrow(table: str, records: list[dict], load_ids: list[int], rename: dict | None = None):
    """Rows of an internal table as a typed Arrow table, built column by column; `load_ids` holds
    each record's load id and `rename` maps record keys to the table's column names."""
    import pyarrow as pa  # imported here: the dashboard never writes

    schema = _schema(table)
    keys = {c: c for c in schema.names}  # table column -> record key
    keys.update({new: old for old, new in (rename or {}).items()})
    columns = [pa.array(load_ids if f.name == "load_id" else [r.get(keys[f.name]) for r in records], type=f.type)
               for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def write_load(con, *, kind: str, source_file: str, sha256: str, received_at: datetime | None,
               meta: dict, rows: dict[str, list[dict]], after=None) -> int:
    """Insert one file's load record and rows in a single transaction; returns its load_id.
    `after(con, load_id)`, if given, runs inside that transaction (the loader's audit row).
    Any failure rolls everything back, so the warehouse is exactly as it was."""
    file = dict(kind=kind, source_file=source_file, sha256=sha256, received_at=received_at, meta=meta, rows=rows)
    return write_loads(con, [file], after=after and (lambda c, load_ids: after(c, load_ids[0])))[0]


def write_loads(con, files: list[dict], after=None) -> list[int]:
    """Insert several files' load records and rows in a single transaction; each of `files` holds
    write_load's keyword arguments. Returns their load_ids, increasing in the order of `files`.
    `after(con, load_ids)`, if given, runs inside that transaction (the loader's audit rows).
    Any failure rolls everything back, so the warehouse is exactly as it was.

    A DuckDB statement costs about a millisecond whatever it does, so the statements do not grow
    with the files or their rows: the ids, then one Arrow insert per table for every file."""
    now = datetime.now()
    with transaction(con):
        load_ids = sorted(i for (i,) in con.execute("SELECT nextval('load_ids') FROM range(?)",
                                                    [len(files)]).fetchall())
        loads = [{"kind": f["kind"], "source_file": f["source_file"], "sha256": f["sha256"],
                  "received_at": f["received_at"] or now, "loaded_at": now, **f["meta"],
                  "warnings": f["meta"].get("warnings", 0)} for f in files]
        batches = {"loads": (loads, load_ids, None)}
        for load_id, f in zip(load_ids, files):
            for name, records in f["rows"].items():
                rows, ids, _ = batches.setdefault(TABLES[name], ([], [], RENAMES.get(name)))
                rows += records
                ids += [load_id] * len(records)
            columns = f["meta"].get("columns") or []  # where a monthly report's fields were read
            rows, ids, _ = batches.setdefault("load_columns", ([], [], None))
            rows += columns
            ids += [load_id] * len(columns)
        for table, (records, ids, rename) in batches.items():
            if not records:
                continue
            # `incoming` is read by name from this function's locals (DuckDB's replacement scan):
            # con.from_arrow(...).insert_into(...) would cost one more round trip to the engine.
            incoming = _arrow(table, records, ids, rename)  # noqa: F841
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
        if after is not None:
            after(con, load_ids)
    return load_ids
