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

from etl.ingest import monthly, registers
from etl.ingest.forms.spec import ALL_FORMS, MONTHLY_FORMS
from etl.ingest.forms.table import find_tables
from etl.ingest.read import ReadError, read_workbook
from etl.ingest.units import Registry, Unit
from etl.problems import Problem, has_errors

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
UNIT_CODES = {"unknown_commune", "unknown_branch", "ambiguous_unit"}


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


def check_file(path: Path, registry: Registry, *, name: str | None = None,
               read: tuple[str, list] | None = None) -> Checked:
    """`read`: (sha256, sheets) of the file as an earlier check read it, so as not to read it again."""
    name = name or path.name
    result = FileResult(file=name)
    try:
        if read is None:
            result.sha256 = sha256_of(path)
            sheets = read_workbook(path)
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
                "period_at": report.period_at}
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


def check_paths(paths, registry: Registry) -> list[FileResult]:
    """Validate as load_paths does, writing nothing: a registry file that passes is applied before
    the files after it, and a file rejected only for its units is checked again once one has
    passed. An accepted file's status is "checked" (it is not loaded)."""
    results: list[FileResult] = []
    retry: list[tuple[int, Path]] = []
    changed = False
    for path in expand(paths):
        checked = check_file(path, registry)
        r = checked.result
        r.status = "rejected" if has_errors(r.problems) else "checked"
        if r.status == "checked" and r.kind == "registry":
            registry, changed = registry_after(registry, checked.rows), True
        elif unit_only(r):
            retry.append((len(results), path))
        results.append(r)
    for i, path in retry if changed else ():
        r = results[i] = check_file(path, registry).result
        r.status = "rejected" if has_errors(r.problems) else "checked"
    return results
