"""Checks of the files the organization board keeps: unit registry, recruitment targets and the
inspection register (SPEC §1.1, §1.3, §1.4).

Each `check_*` takes the workbook's sheets, its tables and the current registry; returns the
rows for the warehouse (table name -> list of dicts) and the problems.
"""
from __future__ import annotations

import re

from etl import text
from etl.ingest.forms.parse import Cells, Record, missing_columns, parse_rows
from etl.ingest.forms.spec import INSPECTIONS, REGISTRY_BRANCHES, REGISTRY_COMMUNES, TARGETS
from etl.ingest.forms.table import Table
from etl.ingest.monthly import check_totals, unit_problem
from etl.ingest.units import Index, Registry, Unit
from etl.problems import Problem, at

_YEAR = re.compile(r"\bnam\s+(\d{4})\b")


def _parsed(sheets, table: Table) -> tuple[list[Record], list[Problem], Cells]:
    sheet = next(s for s in sheets if s.name == table.sheet)
    records, problems = parse_rows(sheet, table)
    return records, missing_columns(table) + problems, Cells(table)


def _duplicates(records, key_of, cells: Cells, field: str, what: str) -> list[Problem]:
    seen: dict = {}
    out = []
    for r in records:
        k = key_of(r)
        if k is None:
            continue
        if k in seen:
            out.append(cells.problem("duplicate_row", f"{what} '{r.values[field]}' đã có ở dòng {seen[k] + 1}. "
                                     "Mỗi đơn vị chỉ ghi một dòng. Hãy xóa hoặc gộp dòng trùng.", r.row, field))
        seen.setdefault(k, r.row)
    return out


def _aliases(value) -> list[str]:
    return [text.clean(a) for a in str(value or "").split(";") if text.clean(a)]


def _date_range(r: Record, cells: Cells) -> list[Problem]:
    vf, vt = r.values.get("valid_from"), r.values.get("valid_to")
    if vf and vt and vt < vf:
        return [cells.problem("date_order", "Ngày 'Hiệu lực đến' trước ngày 'Hiệu lực từ'. Hãy sửa lại.", r.row, "valid_to")]
    return []


def check_registry(sheets, tables: dict[str, Table], registry: Registry):
    """Units are upserted by code: the new registry is the current one updated by this file."""
    problems: list[Problem] = []
    rows: dict[str, list[dict]] = {"communes": [], "branches": []}
    known = dict(registry.communes)
    if "communes" in tables:
        records, found, cells = _parsed(sheets, tables["communes"])
        problems += found + _duplicates(records, lambda r: (r.values["code"] or "").casefold() or None,
                                        cells, "code", "Mã đảng bộ")
        for r in records:
            problems += _date_range(r, cells)
            v = r.values
            if v["code"]:
                known[v["code"]] = Unit(v["code"], v["name"] or v["code"])
            rows["communes"].append({**v, "aliases": _aliases(v["aliases"]), "row_no": r.row + 1})
        for r in records:
            target = r.values.get("merged_into")
            if target and target not in known:
                problems.append(cells.problem("unknown_commune", f"Mã '{target}' ở cột 'Sáp nhập vào' không có trong "
                                              "danh mục. Hãy ghi mã của đảng bộ tiếp nhận.", r.row, "merged_into"))
    if "branches" in tables:
        records, found, cells = _parsed(sheets, tables["branches"])
        problems += found + _duplicates(records, lambda r: (r.values["code"] or "").casefold() or None,
                                        cells, "code", "Mã chi bộ")
        codes = {c.casefold(): c for c in known}
        for r in records:
            problems += _date_range(r, cells)
            v = r.values
            parent = v["commune_code"]
            if parent and parent.casefold() not in codes:
                m = Index(list(known.values())).match(parent)
                if m.code and m.status == "exact":
                    parent = m.code
                else:
                    guess = f" Có phải '{m.suggestion}'?" if m.suggestion else ""
                    problems.append(cells.problem("unknown_commune", f"Mã đảng bộ '{parent}' không có trong danh mục."
                                                  f"{guess} Hãy ghi mã ở sheet Đảng bộ.", r.row, "commune_code"))
            elif parent:
                parent = codes[parent.casefold()]
            rows["branches"].append({**v, "commune_code": parent, "aliases": _aliases(v["aliases"]),
                                     "row_no": r.row + 1})
    return rows, problems


def _commune_of(r: Record, cells: Cells, registry: Registry, field: str = "commune") -> tuple[str | None, list]:
    typed = r.values.get(field)
    if not typed:
        return None, []
    m = registry.match_commune(typed)
    p = unit_problem("commune", m, typed, where=lambda code, msg: cells.problem(code, msg, r.row, field, typed))
    return m.code, [p] if p else []


def check_targets(sheets, tables: dict[str, Table], registry: Registry):
    table = tables["recruitment_targets"]
    records, problems, cells = _parsed(sheets, table)
    sheet = next(s for s in sheets if s.name == table.sheet)
    title_year = None
    for row in sheet.rows[:table.header_rows[0]]:
        for v in row:
            m = _YEAR.search(text.unaccented(v)) if isinstance(v, str) else None
            title_year = title_year or (int(m.group(1)) if m else None)
    rows = []
    for r in records:
        code, found = _commune_of(r, cells, registry)
        problems += found
        year = r.values.get("year") or title_year
        if year is None or not 2000 <= year <= 2100:
            problems.append(cells.problem("period_missing", "Không xác định được năm của chỉ tiêu. Hãy ghi cột 'Năm' "
                                          "hoặc ghi năm ở tiêu đề ('CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN NĂM 2025').",
                                          r.row, "year" if "year" in table.columns else None))
        r.values["commune_code"] = code
        r.values["year"] = year
        rows.append({"commune_code": code, "year": year, "target": r.values["target"], "row_no": r.row + 1})
    problems += _duplicates(records, lambda r: (r.values["commune_code"], r.values["year"])
                            if r.values["commune_code"] else None, cells, "commune", "Đảng bộ")
    problems += check_totals(sheet, table, records, cells)
    return {"recruitment_targets": rows}, problems


def check_inspections(sheets, tables: dict[str, Table], registry: Registry):
    records, problems, cells = _parsed(sheets, tables["inspection_findings"])
    rows = []
    for r in records:
        v = r.values
        code, found = _commune_of(r, cells, registry)
        problems += found
        branch = None
        if code and v.get("branch"):
            m = registry.match_branch(code, v["branch"])
            p = unit_problem("branch", m, v["branch"],
                             where=lambda c, msg: cells.problem(c, msg, r.row, "branch", v["branch"]))
            problems += [p] if p else []
            branch = m.code
        if v["resolved_on"] and v["inspected_on"] and v["resolved_on"] < v["inspected_on"]:
            problems.append(cells.problem("date_order", "Ngày khắc phục trước ngày kiểm tra. Hãy sửa lại.",
                                          r.row, "resolved_on"))
        rows.append({"plan_ref": v["plan_ref"], "inspected_on": v["inspected_on"], "commune_code": code,
                     "branch_code": branch, "category": v["category"], "description": v["description"],
                     "recommendation": v["recommendation"], "due_date": v["due_date"], "status": v["status"],
                     "resolved_on": v["resolved_on"], "note": v["note"], "row_no": r.row + 1})
    return {"inspection_findings": rows}, problems


KINDS = {
    "registry": ((REGISTRY_COMMUNES, REGISTRY_BRANCHES), check_registry),
    "targets": ((TARGETS,), check_targets),
    "inspections": ((INSPECTIONS,), check_inspections),
}
