"""Load workbooks into the warehouse: checked files are written wholly or not at all.

`load_paths` takes files and folders and returns one FileResult per file (SPEC §4). A file with
any error writes nothing; files are independent. Large runs check files in worker processes
while this process writes, in input order, several accepted files per transaction (_Writes).
"""
from __future__ import annotations

import os
import pickle
import zlib
from collections import deque
from contextlib import closing
from datetime import datetime
from itertools import islice
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

from etl import labels
from etl import vnformat as vn
from etl.access import audit, confirm
from etl.ingest import admission
from etl.ingest.check import Checked, FileResult, check_file, expand, registry_after, unit_only
from etl.ingest.forms.spec import ALL_FORMS, ANNUAL_RATINGS
from etl.ingest.units import Registry
from etl.problems import has_errors
from etl.warehouse import db, originals, rejections

PARALLEL_FROM = 40  # files: below this, starting worker processes costs more than it saves
WORKERS = min(2, os.cpu_count() or 1)
CHUNK = 4  # files per task sent to a worker
AHEAD = 8  # tasks checked ahead of the writer: keeps both workers busy and memory bounded
GROUP = 32  # accepted files written per transaction (see _Writes)
_worker: dict = {}  # in a worker process: the registry it checks against and its version


WORKER_NICE = 10  # the checks are batch work: on a shared machine the dashboard's users go first


def _init_worker(registry: Registry, names: dict[str, str]) -> None:
    if hasattr(os, "nice"):
        os.nice(WORKER_NICE)
    _worker.update(registry=registry, version=0, names=names)


def _check_in_worker(paths: list[Path], version: int, pickled: bytes | None,
                     kept: list[bytes | None]) -> list[tuple[Checked, bytes | None]]:
    """Each file's Checked, and what to keep of its reading to check it again (see _keep)."""
    if version != _worker["version"]:  # a registry file has loaded since this worker started
        _worker.update(registry=pickle.loads(pickled), version=version)
    out = []
    for path, reading in zip(paths, kept):
        checked = check_file(path, _worker["registry"], name=_worker["names"].get(path.name),
                             read=reading and pickle.loads(zlib.decompress(reading)))
        out.append((checked, _keep(checked)))
    return out


def _keep(checked: Checked) -> bytes | None:
    """A report rejected for its units alone is checked again once a registry file loads (a new
    warehouse gets its registry in the same run as a year of reports): its sha256 and sheets,
    pickled and compressed (~2.5 kB against ~2 ms to read the file again), go back with it."""
    sheets, checked.sheets = checked.sheets, None  # never sent with the result
    if sheets is None or not unit_only(checked.result):
        return None
    return zlib.compress(pickle.dumps((checked.result.sha256, sheets), protocol=pickle.HIGHEST_PROTOCOL), 1)


class _Checkers:
    """Checks a run's files, in worker processes when the run is large, ahead of the writer.

    The workers are forked once, when the run starts and this process is still small (a fork
    starts with a copy of its memory). A registry loaded mid-run reaches them pickled along with
    the tasks that follow, and each worker unpickles it once."""

    def __init__(self, n_files: int, registry: Registry, names: dict[str, str]):
        self.registry, self.version, self.pickled = registry, 0, None
        self.names = names  # file name -> the name its result and messages give it
        self.kept: dict[Path, bytes] = {}  # path -> its reading kept by a worker (see _keep)
        self.pool = None
        if n_files >= PARALLEL_FROM and WORKERS >= 2 and "fork" in get_all_start_methods():
            # fork: the workers only run the pure-Python checks (etl.ingest.check) and never touch the
            # DuckDB connection this process holds; spawn would re-run the caller's main script.
            # Windows has no fork: there the files are checked in this process.
            self.pool = get_context("fork").Pool(WORKERS, initializer=_init_worker,
                                                  initargs=(registry, self.names))

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()

    def checks(self, paths: list[Path], state: dict):
        """(path, Checked) in input order, each file checked against state["registry"] as it is
        when the file's turn comes: when the caller loads a registry file, the files checked
        ahead against the old registry are checked again against the new one."""
        done = 0
        while done < len(paths):
            if state["registry"] is not self.registry:
                self.registry, self.version = state["registry"], self.version + 1
                self.pickled = pickle.dumps(self.registry, protocol=pickle.HIGHEST_PROTOCOL)
            registry = self.registry
            with closing(self._checked(paths[done:])) as checked:
                for item in checked:
                    yield item
                    done += 1
                    if state["registry"] is not registry:
                        break

    def _checked(self, paths: list[Path]):
        if self.pool is None:
            for path in paths:
                checked = check_file(path, self.registry, name=self.names.get(path.name))
                checked.sheets = None
                yield path, checked
            return
        # Workers stay at most AHEAD tasks ahead: results waiting for the writer are held here.
        tasks = iter([paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)])

        def submit(task):
            kept = [self.kept.get(path) for path in task]
            return task, self.pool.apply_async(_check_in_worker, (task, self.version, self.pickled, kept))
        pending = deque(submit(task) for task in islice(tasks, AHEAD))
        while pending:
            task, results = pending.popleft()
            if (following := next(tasks, None)) is not None:
                pending.append(submit(following))
            for path, (checked, kept) in zip(task, results.get()):
                if kept is None:
                    self.kept.pop(path, None)
                else:
                    self.kept[path] = kept
                yield path, checked


def load_paths(con, paths, *, received_at: datetime | dict | None = None, account=None, commune: str | None = None,
               names: dict[str, str] | None = None) -> list[FileResult]:
    """Load every workbook under `paths`; returns results in input order. `received_at` is when
    the files were received (default: now), or a {path: datetime} for files received apart.
    Each result, its messages and its audit row name the file as `names` does ({file name: name
    as uploaded}, else its own name); each loaded, unchanged or rejected file leaves one audit row
    naming `account` (None: the command line); a loaded file's row is written in the transaction
    that writes the file, a rejected file's with its problems (etl.warehouse.rejections). With
    `commune`, only that commune's monthly reports may load: every other file is rejected
    (etl.ingest.admission), identical content too.

    Registry files are applied before the reports that need them: a report rejected only for
    unknown units is checked again once a registry file of the same run has loaded, from the
    cells its first check read (reading every file twice to sort by kind would double the cost
    of a load). Reports checked ahead against the registry as it was are checked again after a
    registry loads. Every file's exact bytes are kept first in the warehouse's store of originals
    (etl.warehouse.originals), whatever becomes of the file."""
    files = expand(paths)
    names = names or {}
    store = originals.store_of(con)
    known = db.current_hashes(con)
    registry = Registry.from_db(con)
    results: dict[Path, FileResult] = {}
    todo = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            digest = None
        else:  # every file's bytes are kept, whatever becomes of it, before any row names them
            digest = originals.keep(store, data)
        if digest in known and commune is None:
            results[path] = FileResult(file=names.get(path.name, path.name), status="unchanged", sha256=digest)
        else:
            todo.append(path)
    state = {"registry": registry, "changed": False, "confirmed": confirm.confirmed_reports(con), "commune": commune}
    retry: list[Path] = []
    writes = _Writes(con, account, names, commune)
    with _Checkers(len(todo), registry, names) as checkers:
        for path, checked in checkers.checks(todo, state):
            r = results[path] = _write(con, path, checked, state, known, received_at, writes)
            if r.status == "rejected":
                if unit_only(r):
                    retry.append(path)  # its rejection is recorded once it is final, below
                else:
                    writes.reject(r)
        rechecked = checkers.checks(retry, state) if state["changed"] else ((p, None) for p in retry)
        for path, checked in rechecked:
            if checked is not None:
                results[path] = _write(con, path, checked, state, known, received_at, writes)
            if results[path].status == "rejected":
                writes.reject(results[path])
    writes.flush()
    _describe_unchanged(con, [r for r in results.values() if r.status == "unchanged" and r.kind is None])
    writes.unchanged([results[p] for p in files if results[p].status == "unchanged"])
    return [results[p] for p in files]


def _describe_unchanged(con, results: list[FileResult]) -> None:
    """Kind, commune, period and rows of files answered "unchanged" without being read, from
    their newest load: one query for the run. Rows name each table of the kind (0 when empty),
    as a load reports them; sheet 4 of a monthly report only when it held rows."""
    if not results:
        return
    found: dict[str, tuple] = {}
    rows: dict[str, dict[str, int]] = {}
    for sha, kind, commune, period, table, n in con.execute(db._sql("sql/loader/unchanged_files.sql"),
                                                            [[r.sha256 for r in results]]).fetchall():
        found[sha] = (kind, commune, period)
        if table is not None:
            rows.setdefault(sha, {})[table] = n
    for r in results:
        if r.sha256 in found:
            r.kind, r.commune, r.period = found[r.sha256]
            r.rows = {**{f.key: 0 for f in ALL_FORMS if f.kind == r.kind and f is not ANNUAL_RATINGS},
                      **rows.get(r.sha256, {})}


class _Writes:
    """Accepted files on their way to the warehouse, written GROUP at a time in one transaction
    (db.write_loads) with their audit rows: a DuckDB statement costs about a millisecond, and a
    transaction per file took seven of them, more than reading and checking the file.

    What a transaction per file guaranteed still holds. A rejected file writes nothing. When a
    group fails, its files are written again one transaction each, so only the failing file
    writes nothing and its error is raised as before. A process killed mid-run loses only files
    not committed yet, none of them reported: load_paths reports when it returns, after the last
    group. A rejected file's audit row and problems (etl.warehouse.rejections) are written after
    the files before it, in a transaction of their own."""

    def __init__(self, con, account, names: dict[str, str] | None = None, commune: str | None = None):
        self.con, self.account, self.waiting = con, account, []
        self.names = names or {}  # file name -> name as uploaded, for the audit rows of loaded files
        self.commune = commune  # the one commune the run may load (etl.warehouse.rejections: whose a rejection is)

    def add(self, file: dict, where: str) -> None:
        """`file`: db.write_load's keyword arguments; `where`: the audit row's detail."""
        self.waiting.append((file, where))
        if len(self.waiting) >= GROUP:
            self.flush()

    def reject(self, r: FileResult) -> None:
        self.flush()
        rejections.record(self.con, r, account=self.account, commune=self.commune)

    def unchanged(self, results: list[FileResult]) -> None:
        """One 'load' row per file whose content was loaded before (nothing else is written)."""
        audit.record_many(self.con, "load", [
            {"file_name": r.file, "sha256": r.sha256,
             "detail": f"{contents(r)} (không thay đổi)"}
            for r in results], account=self.account)

    def flush(self) -> None:
        waiting, self.waiting = self.waiting, []
        try:
            self._write(waiting)
        except Exception:
            if len(waiting) < 2:
                raise
            for one in waiting:
                self._write([one])

    def _write(self, waiting: list) -> None:
        if not waiting:
            return

        def audit_rows(con, load_ids):
            audit.record_many(con, "load", [
                {"file_name": self.names.get(f["source_file"], f["source_file"]), "sha256": f["sha256"],
                 "detail": f"{where} (lần nạp {load_id})"}
                for load_id, (f, where) in zip(load_ids, waiting)], account=self.account)
        db.write_loads(self.con, [f for f, _ in waiting], after=audit_rows)


def contents(r: FileResult) -> str:
    """What a file holds, in the audit trail's words: 'Báo cáo tháng 3/2024, đảng bộ X01'."""
    if r.kind == "monthly" and r.period:
        what = f"Báo cáo {vn.month(r.period).lower()}"
    else:
        what = labels.KINDS.get(r.kind, r.kind or "Tệp")
    return what + (f", đảng bộ {r.commune}" if r.commune else "")


def _write(con, path: Path, checked: Checked, state: dict, known: set, received_at, writes: _Writes) -> FileResult:
    r = checked.result
    when = received_at.get(path) if isinstance(received_at, dict) else received_at
    r.problems[:0] = admission.refusals(r, checked.meta, commune=state["commune"], registry=state["registry"],
                                        received=when)
    if has_errors(r.problems):
        r.status = "rejected"
    elif r.sha256 in known:  # two copies of one file in the same run
        r.status = "unchanged"
    elif r.kind == "monthly" and (r.commune, r.period) in state["confirmed"]:  # the board must reopen it first
        r.problems.append(confirm.refusal(r.file, checked.meta, state["confirmed"][r.commune, r.period],
                                          state["registry"]))
        r.status = "rejected"
    else:
        where = contents(r)
        if when is not None:  # a receipt date said by whoever loads, not the time of loading
            where += f"; ngày nhận {vn.day(when)}"
        writes.add(dict(kind=r.kind, source_file=path.name, sha256=r.sha256, received_at=when,
                        meta=checked.meta, rows=checked.rows), where)
        r.status = "loaded"
        known.add(r.sha256)
        if r.kind == "registry":
            state["registry"] = registry_after(state["registry"], checked.rows)
            state["changed"] = True
    return r
