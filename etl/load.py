"""Load workbooks into the warehouse: checked files are written one transaction each.

`load_paths` takes files and folders and returns one FileResult per file (SPEC §4). A file with
any error writes nothing; files are independent. Large runs check files in worker processes
while this process writes, in input order.
"""
from __future__ import annotations

import os
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path

from etl import audit, confirm
from etl.check import Checked, FileResult, check_file, expand, sha256_of
from etl.problems import has_errors
from etl.units import Registry, Unit
from etl.warehouse import db

def registry_after(registry: Registry, rows: dict) -> Registry:
    """The registry as it will be once a registry file's rows are upserted."""
    communes, branches = dict(registry.communes), dict(registry.branches)
    for r in rows.get("communes", []):
        communes[r["code"]] = Unit(r["code"], r["name"], None, r["kind"], r["valid_from"], r["valid_to"],
                                   tuple(r["aliases"]))
    for r in rows.get("branches", []):
        branches[r["code"]] = Unit(r["code"], r["name"], r["commune_code"], r["kind"], r["valid_from"],
                                   r["valid_to"], tuple(r["aliases"]))
    return Registry(communes, branches)


UNIT_CODES = {"unknown_commune", "unknown_branch", "ambiguous_unit"}
PARALLEL_FROM = 40  # files: below this, starting worker processes costs more than it saves
WORKERS = min(2, os.cpu_count() or 1)
_registry: Registry | None = None  # a worker process's registry


def _init_worker(registry: Registry) -> None:
    global _registry
    _registry = registry


def _check_in_worker(path: Path) -> Checked:
    return check_file(path, _registry)


def _checks(paths: list[Path], registry: Registry):
    """(path, Checked against `registry`, or None to check in this process), in input order."""
    if len(paths) < PARALLEL_FROM or WORKERS < 2:
        yield from ((p, None) for p in paths)
        return
    # fork: the workers only run the pure-Python checks (etl.check) and never touch the DuckDB
    # connection this process holds; spawn would re-run the caller's main script in each worker.
    with get_context("fork").Pool(WORKERS, initializer=_init_worker, initargs=(registry,)) as pool:
        yield from zip(paths, pool.imap(_check_in_worker, paths, chunksize=4))


def load_paths(con, paths, *, received_at: datetime | dict | None = None, account=None) -> list[FileResult]:
    """Load every workbook under `paths`; returns results in input order. `received_at` is when
    the files were received (default: now), or a {path: datetime} for files received apart.
    Each loaded or rejected file leaves one audit row naming `account` (None: the command line);
    a loaded file's row is written in the file's own transaction.

    Registry files are applied before the reports that need them: a report rejected only for
    unknown units is checked again once a registry file of the same run has loaded (reading
    every file twice to sort by kind would double the cost of a load). Reports checked in a
    worker against the registry as it was are checked again here after a registry loads."""
    files = expand(paths)
    known = db.current_hashes(con)
    registry = Registry.from_db(con)
    results: dict[Path, FileResult] = {}
    todo = []
    for path in files:
        try:
            digest = sha256_of(path)
        except OSError:
            digest = None
        if digest in known:
            results[path] = FileResult(file=path.name, status="unchanged", sha256=digest)
        else:
            todo.append(path)
    state = {"registry": registry, "changed": False, "confirmed": confirm.confirmed_reports(con)}
    retry: list[Path] = []
    for path, checked in _checks(todo, registry):
        if checked is None or state["changed"]:
            checked = check_file(path, state["registry"])
        r = results[path] = _write(con, path, checked, state, known, received_at, account)
        if r.status == "rejected":
            if {p.code for p in r.problems if p.severity == "error"} <= UNIT_CODES:
                retry.append(path)  # its rejection is recorded once it is final, below
            else:
                _record_reject(con, r, account)
    for path in retry:
        if state["changed"]:
            results[path] = _write(con, path, check_file(path, state["registry"]), state, known, received_at,
                                   account)
        if results[path].status == "rejected":
            _record_reject(con, results[path], account)
    return [results[p] for p in files]


def _record_reject(con, r: FileResult, account) -> None:
    codes = sorted({p.code for p in r.problems if p.severity == "error"})
    audit.record(con, "reject", account=account, file_name=r.file, sha256=r.sha256, detail=", ".join(codes))


def _write(con, path: Path, checked: Checked, state: dict, known: set, received_at, account=None) -> FileResult:
    r = checked.result
    if has_errors(r.problems):
        r.status = "rejected"
    elif r.sha256 in known:  # two copies of one file in the same run
        r.status = "unchanged"
    elif r.kind == "monthly" and (r.commune, r.period) in state["confirmed"]:  # the board must reopen it first
        r.problems.append(confirm.refusal(path.name, checked.meta, state["confirmed"][r.commune, r.period],
                                          state["registry"]))
        r.status = "rejected"
    else:
        when = received_at.get(path) if isinstance(received_at, dict) else received_at
        where = " ".join(x for x in (r.kind, r.commune, r.period) if x)
        db.write_load(con, kind=r.kind, source_file=path.name, sha256=r.sha256, received_at=when,
                      meta=checked.meta, rows=checked.rows,
                      after=lambda c, load_id: audit.record(c, "load", account=account, file_name=path.name,
                                                            sha256=r.sha256, detail=f"{where} (lần nạp {load_id})"))
        r.status = "loaded"
        known.add(r.sha256)
        if r.kind == "registry":
            state["registry"] = registry_after(state["registry"], checked.rows)
            state["changed"] = True
    return r
