"""Check workbooks without writing: file -> kind -> typed rows and problems.

`check_file` takes a path and the unit registry and returns a Checked (the FileResult of SPEC
§4's JSON document, plus the rows a load would write). Nothing here touches the warehouse, so
worker processes that check files in parallel never import DuckDB.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from etl import settings
from etl import vnformat as vn
from etl.ingest import memory, monthly, registers
from etl.ingest.forms.heading import COVER_ROWS, is_cover
from etl.ingest.forms.spec import ALL_FORMS, MONTHLY_FORMS
from etl.ingest.forms.table import HEADER_SEARCH_ROWS, find_tables
from etl.ingest.read import ReadError, Sheet, read_workbook
from etl.ingest.units import Registry, Unit
from etl.problems import Problem, has_errors

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
UNIT_CODES = {"unknown_commune", "unknown_branch", "ambiguous_unit"}
# The rows that tell whether a sheet holds a form: a header (two rows) within the first
# HEADER_SEARCH_ROWS, or the cover's labels within COVER_ROWS. Taller sheets holding neither are
# not read further (etl.ingest.read).
HEAD_ROWS = max(HEADER_SEARCH_ROWS + 1, COVER_ROWS)


@dataclass
class FileResult:
    file: str
    kind: str | None = None
    status: str = "rejected"  # loaded | unchanged | rejected | checked
    commune: str | None = None
    period: str | None = None
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sha256: str | None = None

    def as_json(self) -> dict:
        return {"file": self.file, "kind": self.kind, "status": self.status, "commune": self.commune,
                "period": self.period, "rows": self.rows, "problems": [p.as_json() for p in self.problems]}

    @classmethod
    def from_json(cls, d: dict) -> "FileResult":
        """The result an `as_json()` entry describes (SPEC §4): how the dashboard reads the answer
        of the command it runs. Keys the entry may add are ignored."""
        return cls(file=d["file"], kind=d.get("kind"), status=d["status"], commune=d.get("commune"),
                   period=d.get("period"), rows=dict(d.get("rows") or {}),
                   problems=[Problem.from_json(p, file=d["file"]) for p in d.get("problems") or ()])


@dataclass
class Checked:
    """A validated file: what would be written, and the sheets read (to check them again)."""
    result: FileResult
    meta: dict
    rows: dict[str, list[dict]]
    sheets: list | None = field(default=None, repr=False)


def expand(paths) -> list[Path]:
    """Files and folders (recursively) -> workbook files, sorted; Office lock files skipped."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in WORKBOOK_SUFFIXES
                          and not f.name.startswith("~$"))
        else:
            out.append(p)
    return out


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recognise(sheets) -> tuple[str | None, dict]:
    """The workbook's kind and its tables (form key -> Table), found by headers only."""
    tables = {}
    for sheet in sheets:
        for t in find_tables(sheet, ALL_FORMS):
            if t.form.key not in tables or t.score > tables[t.form.key].score:
                tables[t.form.key] = t
    if any(f.key in tables for f in MONTHLY_FORMS):
        kind = "monthly"
        tables = {k: t for k, t in tables.items() if k in {f.key for f in MONTHLY_FORMS}}
    else:
        kind = next((k for k, (forms, _) in registers.KINDS.items() if any(f.key in tables for f in forms)), None)
    return kind, tables


def _with_file(problems: list[Problem], name: str) -> list[Problem]:
    return [replace(p, file=name) for p in problems]


def usable(head: Sheet) -> bool:
    """Whether a sheet, seen by its first HEAD_ROWS rows, can hold a form's table or the cover."""
    return bool(find_tables(head, ALL_FORMS)) or is_cover(head)


def _msg_memory(name: str, megabytes: int) -> str:
    return (f"Máy chủ không đủ bộ nhớ để kiểm tra tệp '{name}' (mỗi tệp được dùng tối đa "
            f"{vn.number(megabytes)} MB). Hãy xóa các trang tính, cột và ô không cần thiết hoặc tách thành "
            "nhiều tệp rồi gửi lại; nếu tệp không lớn, hãy báo quản trị hệ thống.")


def check_file(path: Path, registry: Registry, *, name: str | None = None,
               read: tuple[str, list] | None = None) -> Checked:
    """`read`: (sha256, sheets) of the file as an earlier check read it, so as not to read it again.
    The check may take settings.toml's [limits] memory_mb on top of what the process holds: a
    file that needs more is rejected (too_large), the run goes on."""
    name = name or path.name
    limits = settings.for_this_process()
    try:
        with memory.capped(limits.limits_memory_mb):
            return _check_file(path, registry, name, read, limits.limits_max_sheets)
    except MemoryError:
        result = FileResult(file=name, problems=[Problem("too_large", _msg_memory(name, limits.limits_memory_mb),
                                                         file=name)])
        try:
            result.sha256 = read[0] if read is not None else sha256_of(path)  # for the audit trail
        except OSError:
            pass
        return Checked(result, {}, {})


def _check_file(path: Path, registry: Registry, name: str, read: tuple[str, list] | None,
                max_sheets: int) -> Checked:
    result = FileResult(file=name)
    try:
        if read is None:
            result.sha256 = sha256_of(path)
            sheets = read_workbook(path, max_sheets=max_sheets, head_rows=HEAD_ROWS, wanted=usable, name=name)
        else:
            result.sha256, sheets = read
    except ReadError as err:
        result.problems = [Problem(err.code, err.message, file=name)]
        return Checked(result, {}, {})
    except OSError as err:
        result.problems = [Problem("unreadable", f"Không mở được tệp '{name}' ({err.strerror}).", file=name)]
        return Checked(result, {}, {})
    kind, tables = recognise(sheets)
    result.kind = kind
    if kind is None:
        result.problems = [Problem("unknown_kind", f"Tệp '{name}' không có biểu nào nhận ra được (Báo cáo tháng, "
                                   "Danh mục đơn vị, Chỉ tiêu kết nạp, Sổ theo dõi kiểm tra). Hãy dùng đúng mẫu, "
                                   "giữ nguyên dòng tiêu đề cột.", file=name)]
        return Checked(result, {}, {})
    meta: dict = {}
    if kind == "monthly":
        report, problems = monthly.check_monthly(sheets, tables, registry)
        rows = report.rows
        meta = {"commune_code": report.commune_code, "period": report.period,
                "tasks_sent_on": report.tasks_sent_on, "made_on": report.made_on, "made_by": report.made_by,
                "period_at": report.period_at, "columns": report.columns}
        result.commune, result.period = report.commune_code, report.period
    else:
        rows, problems = registers.KINDS[kind][1](sheets, tables, registry)
    result.problems = _with_file(problems, name)
    result.rows = {k: len(v) for k, v in rows.items()}
    meta["warnings"] = sum(p.severity == "warning" for p in problems)
    return Checked(result, meta, rows, sheets)


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


def unit_only(r: FileResult) -> bool:
    """Rejected for unknown or ambiguous units alone: a registry loaded later may accept it."""
    errors = {p.code for p in r.problems if p.severity == "error"}
    return bool(errors) and errors <= UNIT_CODES


def check_paths(paths, registry: Registry, names: dict[str, str] | None = None,
                accepted: list | None = None) -> list[FileResult]:
    """Validate as load_paths does, writing nothing: a registry file that passes is applied before
    the files after it, and a file rejected only for its units is checked again once one has
    passed. An accepted file's status is "checked" (it is not loaded). `names` ({file name: name
    as uploaded}) names a file in its result and messages (default: its own name). `accepted`, if
    given, receives the Checked of each accepted file, in the order a load would write them."""
    names = names or {}
    results: list[FileResult] = []
    kept: dict[int, Checked] = {}
    retry: list[tuple[int, Path]] = []
    changed = False
    for path in expand(paths):
        checked = check_file(path, registry, name=names.get(path.name))
        r = checked.result
        r.status = "rejected" if has_errors(r.problems) else "checked"
        if r.status == "checked" and r.kind == "registry":
            registry, changed = registry_after(registry, checked.rows), True
        elif unit_only(r):
            retry.append((len(results), path))
        if r.status == "checked":
            kept[len(results)] = replace(checked, sheets=None)  # the rows are enough
        results.append(r)
    for i, path in retry if changed else ():
        checked = check_file(path, registry, name=names.get(path.name))
        r = results[i] = checked.result
        r.status = "rejected" if has_errors(r.problems) else "checked"
        if r.status == "checked":
            kept[i] = replace(checked, sheets=None)
    if accepted is not None:
        accepted += [kept[i] for i in sorted(kept)]
    return results
