"""Checks of a monthly commune report (SPEC §1.2, §3) and its rows ready for the warehouse.

Takes the workbook's sheets, the tables found in it and the unit registry; returns a Monthly
(commune, period, rows per warehouse table with branch codes resolved) and the problems.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from etl import text
from etl.ingest.forms import heading as hd
from etl.ingest.forms.parse import Cells, Record, missing_columns, parse_rows, show
from etl.ingest.forms.spec import ANNUAL_RATINGS, BOOL, BRANCH_MEETINGS, COMMITTEE, RECRUITMENT, Form
from etl.ingest.forms.table import Table
from etl.ingest.units import Match, Registry
from etl.period import Month, Period
from etl.problems import Problem, at, cell_ref

DETAILS_OF_HELD = ("meeting_date", "members_attended", "quality")


@dataclass
class Monthly:
    commune_code: str | None = None
    period: str | None = None
    tasks_sent_on: date | None = None
    made_on: date | None = None
    made_by: str | None = None
    period_at: tuple[str, int, int] | None = None  # (sheet, row0, col0) giving the month
    rows: dict[str, list[dict]] = field(default_factory=dict)  # warehouse table -> rows
    # where each field was read: {form, field, sheet, col (zero-based)}; a row's row_no gives the
    # row, so a data-quality flag can name the cell (warehouse table load_columns)
    columns: list[dict] = field(default_factory=list)


def vn_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def unit_problem(kind: str, match: Match, typed: str, *, where) -> Problem | None:
    """The problem for a failed or loose unit match; `where(code, message)` places it."""
    label = "đảng bộ" if kind == "commune" else "chi bộ"
    if match.status == "unaccented":
        return where("unaccented_match", f"Tên '{typed}' viết không dấu; đã hiểu là {label} "
                                         f"'{match.suggestion}'. Nên ghi đủ dấu.")
    if match.status == "ambiguous":
        names = "', '".join(match.candidates)
        return where("ambiguous_unit", f"Tên '{typed}' khớp nhiều {label}: '{names}'. "
                                       "Hãy ghi tên đầy đủ, có dấu, hoặc ghi mã đơn vị.")
    if match.status == "unknown":
        code = "unknown_commune" if kind == "commune" else "unknown_branch"
        guess = f" Có phải '{match.suggestion}'?" if match.suggestion else ""
        return where(code, f"Không tìm thấy {label} '{typed}' trong danh mục đơn vị.{guess} "
                           "Hãy sửa tên cho đúng danh mục, hoặc bổ sung đơn vị vào danh mục trước.")
    return None


def _period(head: hd.Heading, problems: list[Problem]) -> str | None:
    year, month, cell = hd.cover_month_year(head)
    sources: list[tuple[tuple[int, int], hd.Found]] = []
    if cell is not None:
        if year is None or month is None or not 1 <= month <= 12 or not 2000 <= year <= 2100:
            if month is not None and 1 <= month <= 12 and head.cover.get("year") is not None:
                cell = head.cover["year"]  # the month is right: the year's cell is the one to fix
            problems.append(at("period_missing", "Tháng hoặc năm báo cáo ở trang bìa không hợp lệ "
                               f"('{show(cell.value)}'). Hãy ghi tháng từ 1 đến 12 và năm bốn chữ số, ví dụ 2024.",
                               sheet=cell.sheet, row0=cell.row, col0=cell.col, column=cell.label))
            return None
        sources.append(((year, month), cell))
    sources += [(f.value, f) for f in head.periods if 1 <= f.value[1] <= 12]
    if not sources:
        problems.append(at("period_missing", "Không xác định được tháng, năm báo cáo. Hãy ghi 'Tháng' và 'Năm' "
                           "ở trang bìa (Thông tin chung) hoặc dòng tiêu đề 'THÁNG 3 NĂM 2024'.", sheet=None))
        return None
    (y, m), first = sources[0]
    for (y2, m2), f in sources[1:]:
        if (y2, m2) != (y, m):
            problems.append(at("period_conflict", f"Kỳ báo cáo không thống nhất: tháng {m2}/{y2} ở đây nhưng "
                               f"tháng {m}/{y} ở {first.sheet}!{cell_ref(first.row, first.col)}. Hãy sửa cho cùng một tháng.",
                               sheet=f.sheet, row0=f.row, col0=f.col, value=f.value))
            return None
    return str(Month(y, m))


def _period_at(head: hd.Heading) -> tuple[str, int, int] | None:
    """Where the month is read from, as _period reads it: the cover's cell, else the first title."""
    f = hd.cover_month_year(head)[2] or next((f for f in head.periods if 1 <= f.value[1] <= 12), None)
    return (f.sheet, f.row, f.col) if f else None


def _commune(head: hd.Heading, registry: Registry, problems: list[Problem]) -> str | None:
    """The commune named by the cover and by every title line naming a registry commune; they
    must agree (SPEC §1.2)."""
    named: list[tuple[str, hd.Found]] = []  # (code, cell) of each source naming a registry commune
    cover = head.cover.get("commune")
    if cover is not None:
        typed = text.clean(str(cover.value))
        m = registry.match_commune(typed)
        p = unit_problem("commune", m, typed, where=lambda code, msg: at(
            code, msg, sheet=cover.sheet, row0=cover.row, col0=cover.col, column=cover.label, value=typed))
        if p:
            problems.append(p)
        if m.code is None:
            return None
        named.append((m.code, cover))
    matched = [(registry.match_commune(t.value), t) for t in head.titles]
    good = [(m, t) for m, t in matched if m.code]
    if cover is None and good and good[0][0].status == "unaccented":
        m, t = good[0]
        problems.append(unit_problem("commune", m, t.value, where=lambda code, msg: at(
            code, msg, sheet=t.sheet, row0=t.row, col0=t.col)))
    named += [(m.code, t) for m, t in good]
    if not named:
        if matched:
            m, t = matched[-1]
            problems.append(unit_problem("commune", m, t.value, where=lambda code, msg: at(
                code, msg, sheet=t.sheet, row0=t.row, col0=t.col, value=t.value)))
        else:
            problems.append(at("unknown_commune", "Không xác định được đảng bộ gửi báo cáo. Hãy ghi 'Đảng bộ' ở trang "
                               "bìa (Thông tin chung) hoặc dòng tiêu đề 'ĐẢNG ỦY XÃ ...'.", sheet=None))
        return None
    code, first = named[0]
    for other, f in named[1:]:
        if other != code:
            problems.append(at("ambiguous_unit", f"Báo cáo ghi hai đảng bộ khác nhau: '{show(f.value)}' ở đây nhưng "
                               f"'{show(first.value)}' ở {first.sheet}!{cell_ref(first.row, first.col)}. Mỗi báo cáo "
                               "chỉ của một đảng bộ. Hãy sửa ô sai cho đúng tên đảng bộ gửi báo cáo.",
                               sheet=f.sheet, row0=f.row, col0=f.col, column=f.label, value=f.value))
            return None
    return code


def _cover_date(head: hd.Heading, key: str, problems: list[Problem]) -> date | None:
    f = head.cover.get(key)
    if f is None or text.is_blank(f.value):
        return None
    d = text.parse_date(f.value)
    if d is None:
        problems.append(at("bad_type", f"'{show(f.value)}' không phải là ngày. Hãy ghi ngày theo dạng "
                           "ngày/tháng/năm, ví dụ 28/03/2024.", sheet=f.sheet, row0=f.row, col0=f.col,
                           column=f.label, value=f.value))
    return d


def check_monthly(sheets, tables: dict[str, Table], registry: Registry) -> tuple[Monthly, list[Problem]]:
    problems: list[Problem] = []
    head = hd.read_heading(sheets, tables.values())
    out = Monthly()
    out.period = _period(head, problems)
    out.period_at = _period_at(head)
    out.commune_code = _commune(head, registry, problems)
    out.tasks_sent_on = _cover_date(head, "tasks_sent_on", problems)
    out.made_on = _cover_date(head, "made_on", problems) or (head.made_on.value if head.made_on else None)
    made_by = head.cover.get("made_by")
    out.made_by = text.clean(str(made_by.value)) if made_by else None
    by_sheet = {s.name: s for s in sheets}
    for form in (COMMITTEE, BRANCH_MEETINGS, RECRUITMENT):  # sheet 4 alone is optional (SPEC §1.2)
        if form.key not in tables:
            problems.append(at("required_missing", f"Báo cáo thiếu biểu '{form.title}'. Hãy thêm biểu này "
                               "(có thể tải mẫu báo cáo) với đúng dòng tiêu đề cột.", sheet=None))
    month = Period.parse(out.period) if out.period else None
    bounds = (month.first_day, month.last_day) if month else None
    for form in (COMMITTEE, BRANCH_MEETINGS, RECRUITMENT, ANNUAL_RATINGS):
        table = tables.get(form.key)
        if table is None:
            continue
        sheet = by_sheet[table.sheet]
        if form is ANNUAL_RATINGS:
            table.rows = _rated_rows(sheet, table)
        records, found = parse_rows(sheet, table)
        problems += missing_columns(table) + found
        cells = Cells(table)
        if form is COMMITTEE:
            problems += _check_committee(records, cells, bounds)
        else:
            problems += _match_branches(form, records, cells, registry, out.commune_code)
            if form is BRANCH_MEETINGS:
                problems += _check_branch_meetings(records, cells, bounds)
                if out.commune_code and bounds:
                    problems += _missing_branches(records, table, registry, out.commune_code, bounds)
        problems += check_totals(sheet, table, records, cells)
        out.rows[form.key] = [dict(r.values, row_no=r.row + 1) for r in records]
        out.columns += [{"form": form.key, "field": key, "sheet": table.sheet, "col": c.index}
                        for key, c in table.columns.items()]
    return out, problems


def _rated_rows(sheet, table: Table) -> list[int]:
    """Sheet 4 rows holding more than the branch name: the December template names every branch
    there, and a row left as it came (no rating, no counts) is not data."""
    others = [c.index for k, c in table.columns.items() if k != "branch_name"]
    return [r for r in table.rows if any(not text.is_blank(sheet.rows[r][c]) for c in others)]


def _check_committee(records: list[Record], cells: Cells, bounds) -> list[Problem]:
    out = []
    least = COMMITTEE.fields_by_key["members_total"].minimum
    for r in records:
        v = r.values
        if v["members_total"] is not None and v["members_total"] < least:
            out.append(cells.problem("bad_value", f"Số ủy viên ({v['members_total']}) phải từ {least} trở lên. Hãy ghi số ủy "
                                     "viên hiện có của cơ quan họp (Ban Chấp hành, Ban Thường vụ hoặc Thường trực).",
                                     r.row, "members_total"))
        if None not in (v["members_present"], v["members_total"]) and v["members_present"] > v["members_total"]:
            out.append(cells.problem("over_total", f"Số có mặt ({v['members_present']}) lớn hơn số ủy viên "
                                     f"({v['members_total']}). Hãy kiểm tra lại hai số này.", r.row, "members_present"))
        if v["conclusion_date"] and v["meeting_date"] and v["conclusion_date"] < v["meeting_date"]:
            out.append(cells.problem("date_order", f"Ngày ban hành {vn_date(v['conclusion_date'])} trước ngày họp "
                                     f"{vn_date(v['meeting_date'])}. Hãy sửa ngày ban hành (không được trước ngày họp).",
                                     r.row, "conclusion_date"))
        out += _outside(r, "meeting_date", "Ngày họp", cells, bounds)
    return out


def _outside(r: Record, key: str, label: str, cells: Cells, bounds) -> list[Problem]:
    d = r.values.get(key)
    if bounds and d and not bounds[0] <= d <= bounds[1]:
        return [cells.problem("date_outside_period", f"{label} {vn_date(d)} không thuộc tháng báo cáo "
                              f"{bounds[0].month}/{bounds[0].year}. Hãy kiểm tra lại ngày.", r.row, key)]
    return []


def _match_branches(form: Form, records, cells: Cells, registry: Registry, commune: str | None) -> list[Problem]:
    out: list[Problem] = []
    if commune is None:
        return out
    seen: dict[str, int] = {}
    for r in records:
        name = r.values.get("branch_name")
        code_typed = r.values.get("branch_code")
        if not name and not code_typed:
            continue
        key = "branch_code" if code_typed else "branch_name"
        typed = code_typed or name
        m = registry.match_branch(commune, typed)
        if m.code is None and code_typed and name:  # a wrong code column: fall back to the name
            key, typed, m = "branch_name", name, registry.match_branch(commune, name)
        p = unit_problem("branch", m, typed, where=lambda code, msg: cells.problem(code, msg, r.row, key, typed))
        if p:
            out.append(p)
        r.values["branch_code"] = m.code
        if m.code:
            if m.code in seen:
                out.append(cells.problem("duplicate_row", f"Chi bộ '{typed}' đã có ở dòng {seen[m.code] + 1}. "
                                         "Mỗi chi bộ chỉ ghi một dòng. Hãy xóa hoặc gộp dòng trùng.", r.row, key, typed))
            seen.setdefault(m.code, r.row)
    return out


def _check_branch_meetings(records: list[Record], cells: Cells, bounds) -> list[Problem]:
    out = []
    for r in records:
        v = r.values
        total, exempt, attended = v["members_total"], v["members_exempt"] or 0, v["members_attended"]
        if total is not None and exempt > total:
            out.append(cells.problem("over_total", f"Số được miễn sinh hoạt ({exempt}) lớn hơn tổng số đảng viên "
                                     f"({total}). Hãy kiểm tra lại hai số này (số được miễn nằm trong tổng số).",
                                     r.row, "members_exempt"))
        if v["held"]:
            if attended is not None and total is not None and attended > total:
                out.append(cells.problem("over_total", f"Số đảng viên dự ({attended}) lớn hơn tổng số đảng viên "
                                         f"({total}). Hãy kiểm tra lại.", r.row, "members_attended"))
            elif attended is not None and total is not None and attended > total - exempt:
                out.append(cells.problem("over_active", f"Số đảng viên dự ({attended}) lớn hơn số phải sinh hoạt "
                                         f"({total} − {exempt} được miễn). Hãy kiểm tra lại số dự và số được miễn "
                                         "sinh hoạt; nếu có đảng viên được miễn vẫn đến dự thì giữ nguyên.",
                                         r.row, "members_attended"))
            out += _outside(r, "meeting_date", "Ngày sinh hoạt", cells, bounds)
        else:
            filled = [k for k in cells.table.columns if k in DETAILS_OF_HELD and k in r.filled]
            if filled:
                first = min(filled, key=lambda k: cells.table.columns[k].index)
                out.append(cells.problem("details_not_held", "Chi bộ ghi không sinh hoạt thường kỳ nhưng có ghi ngày, "
                                         "số dự hoặc chất lượng. Các chi tiết này không được tính; nếu chi bộ có sinh "
                                         "hoạt, hãy ghi 'Có' ở cột Sinh hoạt thường kỳ.", r.row, first))
                for k in DETAILS_OF_HELD:
                    v[k] = None
    return out


def _missing_branches(records, table: Table, registry: Registry, commune: str, bounds) -> list[Problem]:
    present = {r.values.get("branch_code") for r in records}
    return [at("branch_missing", f"Chi bộ '{u.name}' có trong danh mục nhưng không có trong báo cáo. Hãy bổ sung "
               "dòng của chi bộ này (ghi 'Không' nếu chi bộ không sinh hoạt).", sheet=table.sheet, value=u.code)
            for u in registry.branches_of(commune) if u.code not in present and u.active(*bounds)]


def check_totals(sheet, table: Table, records: list[Record], cells: Cells) -> list[Problem]:
    """A totals row is not data; where it carries numbers they must equal the rows above."""
    if table.totals_row is None:
        return []
    out = []
    values = sheet.rows[table.totals_row]
    for key, col in table.columns.items():
        f = table.form.fields_by_key[key]
        if not (f.summable or f.kind == BOOL) or col.index >= len(values) or text.is_blank(values[col.index]):
            continue
        stated = text.parse_int(values[col.index])
        if stated is None:
            continue
        if f.kind == BOOL:  # a yes/no column's total counts its "yes" rows
            actual = sum(1 for r in records if r.values.get(key) is True)
        else:
            actual = sum(r.values.get(key) or 0 for r in records)
        if stated != actual:
            out.append(cells.problem("totals_mismatch", f"Dòng tổng cộng ghi {stated} nhưng cộng các dòng được "
                                     f"{actual} ở cột '{col.header}'. Hãy sửa dòng tổng cộng.", table.totals_row, key))
    return out
