"""The December workbook (tong-hop-sinh-hoat-chi-bo-YYYY.xlsx): takes a `YearData` and returns
the .xlsx bytes.

Sheets: Tổng hợp (one row per commune and the "Toàn Đảng bộ" row), Hội nghị cấp ủy, Phát triển
đảng viên, Kiểm tra, Hạn chế quá hạn, Hạn chế chưa khắc phục, Nộp báo cáo, Số liệu bất thường (the
data-quality flags not verified, etl/outputs/export/flags.py), Biểu đồ (native Excel charts), then
one sheet per commune with its branches' months (etl/outputs/export/branches.py). Every number is a cell of
an indicator DataFrame placed as it is: commune rows from the 'commune' grain, the total row
from the 'total' grain.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl import labels
from etl import vnformat as vn
from etl.outputs.export import lists
from etl.outputs.export.branches import write_commune_sheets
from etl.outputs.export.charts_xlsx import write_chart_sheet
from etl.outputs.export.data import YearData, by_commune, row
from etl.outputs.export.flags import write_flags_sheet
from etl.outputs.export.labels import (coverage_sentence,
                               quarter_covered, quarter_head, scope_text, total_label)
from etl.outputs.export.xlsx import Book, Header, Sheet, missing

TOP = 3  # header row under the title block (title, subtitle, blank)


@dataclass(frozen=True)
class Col:
    frame: str              # key of the frames dict: (per-commune frame, total row)
    column: str
    kind: str = "int"       # int | pct | dec | extra (left to the table's `extra` writer)
    reported: str = "reported"
    total_column: str = ""  # the total row's column when it differs (e.g. reporting communes only)


def build(data: YearData) -> bytes:
    book = Book()
    frames = _frames(data)
    _summary(book, data, frames)
    _committee(book, data, frames)
    _recruitment(book, data, frames)
    _inspections(book, data)
    _unresolved(book, data)
    _submissions(book, data)
    write_flags_sheet(book, data)
    write_chart_sheet(book, data)
    write_commune_sheets(book, data)
    return book.close()


def _frames(data: YearData) -> dict[str, tuple[dict, dict]]:
    """Per-commune rows ({code: {column: value}}, one per commune of the list) and the total
    row of each table (dicts: a pandas lookup per cell costs seconds at province size)."""
    counts = data.branches.groupby("commune_code").size().rename("branches").to_frame()
    counts["reported"] = True
    q = data.thematic.pivot(index="commune_code", columns="quarter",
                            values=["i8_thematic_share", "reported"]) if len(data.thematic) else None
    quarters = pd.DataFrame(index=data.communes["commune_code"])
    q_total: dict = {}
    for n in data.quarters:
        key = f"{data.year}-Q{n}"
        has = q is not None and ("reported", key) in q.columns
        quarters[f"i8_q{n}"] = q[("i8_thematic_share", key)].reindex(quarters.index) if has else None
        quarters[f"reported_q{n}"] = q[("reported", key)].reindex(quarters.index) if has else False
        t = data.thematic_total.set_index("quarter")
        q_total[f"i8_q{n}"] = t["i8_thematic_share"].get(key)
        q_total[f"reported_q{n}"] = t["reported"].get(key, False)
        if not quarter_covered(data, n):  # not due yet: "—" under "Quý IV (chưa đến hạn)"
            quarters[f"reported_q{n}"] = q_total[f"reported_q{n}"] = True
    frames = {"branches": (counts.reindex(data.communes["commune_code"]).to_dict("index"),
                           {"branches": len(data.branches), "reported": True}),
              "quarters": (quarters.to_dict("index"), q_total)}
    for name in ("meetings", "quality", "committee", "recruitment", "progress", "ratings",
                 "submissions_commune"):
        total = "submissions_total" if name == "submissions_commune" else f"{name}_total"
        frames[name] = (by_commune(getattr(data, name), data).to_dict("index"),
                        row(getattr(data, total)).to_dict())
    if not data.december_due:  # the year-end ratings come with December's report: "—", not owed yet
        per, tot = frames["ratings"]
        frames["ratings"] = ({code: {**v, "reported": True} for code, v in per.items()}, {**tot, "reported": True})
    return frames



def _is_reported(value) -> bool:
    return not missing(value) and bool(value)


def _commune_table(sheet: Sheet, data: YearData, frames: dict, heads: list[Header],
                   cols: list[Col], extra=None) -> tuple[int, int]:
    """STT, Đảng bộ, then `cols`, one row per commune and the total row; returns (last row,
    column count). `extra(r, code, total)` may write more columns after `cols`."""
    first, ncols = sheet.headers(TOP, [Header("STT", 5), Header("Đảng bộ", 22), *heads])
    r = first
    codes = list(data.communes["commune_code"]) + [None]
    names = list(data.communes["commune_name"]) + [total_label(data)]
    for n, (code, name) in enumerate(zip(codes, names)):
        total = code is None
        if total:
            sheet.label(r, 0, "", total=True)
        else:
            sheet.number(r, 0, n + 1, "stt")
        sheet.text(r, 1, name, total=total, wrap=total)  # a long total label wraps, not widens
        for c, col in enumerate(cols, start=2):
            if col.kind == "extra":
                continue
            df, tot = frames[col.frame]
            src = tot if total else df[code]
            column = col.total_column if total and col.total_column else col.column
            sheet.number(r, c, src.get(column), col.kind, total,
                         reported=_is_reported(src.get(col.reported)))
        if extra:
            extra(r, code, total)
        r += 1
    return r - 1, ncols


def _summary(book: Book, data: YearData, frames) -> None:
    sheet = Sheet(book, f"TỔNG HỢP TÌNH HÌNH, CHẤT LƯỢNG SINH HOẠT CHI BỘ {data.when.upper()}",
                  scope_text(data), "Tổng hợp")
    heads = [Header("Số chi bộ", 8),
             Header("Chi bộ - tháng", subs=("Phải báo cáo", "Đã báo cáo")),
             Header("Tháng quá hạn chưa báo cáo", 10),
             Header("Sinh hoạt thường kỳ (I5)", subs=("Số lượt", "Tỷ lệ lượt", "Chi bộ đủ các tháng",
                                                      "Tỷ lệ chi bộ")),
             Header("Sinh hoạt đúng lịch (I6)", subs=("Số lượt", "Tỷ lệ")),
             Header("Đảng viên dự sinh hoạt (I7)", subs=("Tỷ lệ",)),
             Header("Chi bộ có sinh hoạt chuyên đề (I8)", subs=tuple(quarter_head(data, k) for k in data.quarters)),
             Header("Cấp ủy cấp trên dự (I9)", subs=("Tỷ lệ",)),
             Header("Chất lượng sinh hoạt (I10)",
                    subs=(*labels.QUALITY.values(), labels.GOOD_OR_BETTER))]
    if data.annual:
        heads.append(Header("Xếp loại tổ chức đảng cuối năm" + ("" if data.december_due else " (chưa đến hạn)"),
                            subs=("Hoàn thành xuất sắc", "Hoàn thành tốt", "Hoàn thành", "Không hoàn thành")))
    cols = [Col("branches", "branches"),
            Col("meetings", "expected_branch_months", reported="_"),
            Col("meetings", "reported_branch_months", reported="_"),
            Col("submissions_commune", "", "extra"),  # written by not_reported()
            Col("meetings", "held"), Col("meetings", "i5_held_share", "pct"),
            Col("meetings", "branches_held_all"), Col("meetings", "i5_branch_share", "pct"),
            Col("meetings", "on_schedule"), Col("meetings", "i6_on_schedule_share", "pct"),
            Col("meetings", "i7_attendance_share", "pct"),
            *[Col("quarters", f"i8_q{n}", "pct", f"reported_q{n}") for n in data.quarters],
            Col("meetings", "i9_upper_attended_share", "pct"),
            Col("quality", "tot"), Col("quality", "kha"), Col("quality", "trung_binh"),
            Col("quality", "kem"), Col("quality", "kha_tro_len_share", "pct")]
    if data.annual:
        cols += [Col("ratings", "org_xuat_sac"), Col("ratings", "org_tot"),
                 Col("ratings", "org_hoan_thanh"), Col("ratings", "org_khong_hoan_thanh")]
    subs, subs_total = frames["submissions_commune"]

    def not_reported(r, code, total):
        # commune-months past their deadline without a report; months not yet due are not owed
        src = subs_total if total else subs[code]
        sheet.number(r, 5, src.get("missing_months"), "int", total)

    last, ncols = _commune_table(sheet, data, frames, heads, cols, not_reported)
    ratings = ("Xếp loại cuối năm theo biểu 4 báo cáo tháng 12." if data.annual else
               f"Xếp loại cuối năm chỉ có trong tổng hợp cả năm, không thuộc {data.when}.")
    sheet.note(last + 2, "Tỷ lệ tính trên số chi bộ - tháng đã báo cáo; đơn vị chưa báo cáo ghi "
                         f"\"{labels.NOT_REPORTED}\", không tính là 0. " + ratings)
    if data.in_progress:
        sheet.note(last + 3, coverage_sentence(data) + " Quý chưa đủ ba tháng ghi các tháng đã tính.")
    sheet.finish(TOP, TOP + 1, ncols, autofilter_last=last - 1)


def _committee(book: Book, data: YearData, frames) -> None:
    sheet = Sheet(book, f"HỘI NGHỊ CẤP ỦY CƠ SỞ {data.when.upper()}", scope_text(data), "Hội nghị cấp ủy")
    heads = [Header("Tháng", subs=("Phải báo cáo", "Đã báo cáo")),
             Header("Nền nếp hội nghị BCH (I1)", subs=("Tháng có hội nghị thường kỳ", "Tỷ lệ")),
             Header("Ban hành nghị quyết, kết luận (I2)", subs=("Số hội nghị", "Có ban hành", "Tỷ lệ")),
             Header("Độ trễ ban hành (I3)", subs=("Trung vị (ngày)",)),
             Header("Triển khai nhiệm vụ trước ngày 30 (I4)",
                    subs=("Tháng có ghi ngày", "Đúng hạn", "Tỷ lệ", "Không ghi ngày"))]
    cols = [Col("committee", "expected_months", reported="_"),
            Col("committee", "reported_months", reported="_"),
            Col("committee", "months_with_regular_bch"), Col("committee", "i1_regular_bch_share", "pct"),
            Col("committee", "meetings"), Col("committee", "meetings_with_conclusion"),
            Col("committee", "i2_conclusion_share", "pct"), Col("committee", "i3_median_days", "dec"),
            Col("committee", "months_with_tasks_date"), Col("committee", "months_tasks_on_time"),
            Col("committee", "i4_tasks_on_time_share", "pct"),
            Col("committee", "months_without_tasks_date")]
    last, ncols = _commune_table(sheet, data, frames, heads, cols)
    sheet.finish(TOP, TOP + 1, ncols, autofilter_last=last - 1)


def _recruitment(book: Book, data: YearData, frames) -> None:
    sheet = Sheet(book, f"CÔNG TÁC PHÁT TRIỂN ĐẢNG VIÊN {data.when.upper()}", scope_text(data),
                  "Phát triển đảng viên")
    heads = [Header("Kết nạp so với chỉ tiêu (I11)",
                    subs=("Chỉ tiêu năm", "Đã kết nạp", "Tỷ lệ", "Tiến độ")),
             Header("Nguồn (I12)", subs=("Quần chúng học lớp nhận thức về Đảng",)),
             Header("Biến động đảng viên (I13)",
                    subs=("Kết nạp", "Chuyển đến", "Chuyển đi", "Từ trần",
                          "Xóa tên, khai trừ", "Tăng (+) / giảm (−)")),
             Header("Công nhận chính thức", 11), Header("Đi làm ăn xa (cuối kỳ)", 11)]
    # the total row: targets of the communes that have reported (one without a report has no
    # admissions to count, not zero)
    cols = [Col("progress", "target", total_column="target_reported"), Col("progress", "admitted_ytd"),
            Col("progress", "i11_target_share", "pct", total_column="i11_reported_share"),
            Col("progress", "", "extra"),
            Col("progress", "sources_trained_ytd"),
            Col("recruitment", "admitted"), Col("recruitment", "transferred_in"),
            Col("recruitment", "transferred_out"), Col("recruitment", "deceased"),
            Col("recruitment", "removed"), Col("recruitment", "net_change"),
            Col("recruitment", "confirmed_official"), Col("recruitment", "working_away")]
    prog, prog_total = frames["progress"]

    def pace(r, code, total):
        src = prog_total if total else prog[code]
        on = src.get("on_track_reported" if total else "on_track")
        if missing(src.get("target_reported" if total else "target")):
            sheet.label(r, 5, labels.NO_TARGET, "missing", total)
        elif missing(on):
            sheet.label(r, 5, vn.DASH if _is_reported(src.get("reported")) else labels.NOT_REPORTED,
                        "missing", total)
        elif year_end:  # at December the pace is the year's target itself
            sheet.label(r, 5, "Đạt chỉ tiêu" if on else "Chưa đạt chỉ tiêu", "center", total)
        else:
            sheet.label(r, 5, "Đạt tiến độ" if on else "Chậm tiến độ", "center", total)

    year_end = lists.year_end(data)
    last, ncols = _commune_table(sheet, data, frames, heads, cols, pace)
    sheet.note(last + 2, "Tiến độ: đạt khi số đã kết nạp ≥ chỉ tiêu năm (tháng 12)." if year_end else
               f"Tiến độ: đạt khi số đã kết nạp ≥ chỉ tiêu × số tháng đã qua ÷ 12 (tính đến tháng "
               f"{data.covered.last[5:].lstrip('0')}/{data.year}).")
    left_out = lists.not_reported_targets(data)
    if left_out.items:
        sheet.note(last + 3, f"Dòng {total_label(data)}: chỉ tiêu của các đảng bộ đã báo cáo; chưa tính "
                             f"{left_out.inline(details=False)} chưa báo cáo (chỉ tiêu "
                             f"{vn.number(prog_total.get('target_not_reported'))}).")
    sheet.finish(TOP, TOP + 1, ncols, autofilter_last=last - 1)


_FINDING_COLS = (("findings", "Tổng số"), ("open", "Chưa khắc phục"), ("in_progress", "Đang khắc phục"),
                 ("resolved", "Đã khắc phục"), ("overdue", "Quá hạn"))


def _inspections(book: Book, data: YearData) -> None:
    as_of = vn.day(data.inspections_as_of)
    sheet = Sheet(book, f"KẾT QUẢ KIỂM TRA {data.when.upper()} (I14)",
                  scope_text(data) + f". Quá hạn tính đến ngày {as_of}.", "Kiểm tra")
    heads = [Header(label, 10) for _, label in _FINDING_COLS] + [Header("Tỷ lệ đã khắc phục", 10)]
    r = TOP
    total = row(data.inspections_total)
    # the long table (one row per commune, 130 in a province) first: its header row is the one
    # frozen on screen and repeated on every printed page
    for title, head, df, key, label_of in (
            ("1. Theo đảng bộ", "Đảng bộ", data.inspections, "commune_name", lambda v: v),
            ("2. Theo nhóm hạn chế", "Nhóm hạn chế", data.inspections_category, "category",
             lambda v: labels.CATEGORIES.get(v, v))):
        sheet.label(r, 0, title, "title")
        r, ncols = sheet.headers(r + 1, [Header("STT", 5), Header(head, 40), *heads])
        for n, item in enumerate(df.itertuples(index=False), start=1):
            _finding_row(sheet, r, n, label_of(getattr(item, key)), item._asdict(), False)
            r += 1
        _finding_row(sheet, r, None, total_label(data), total.to_dict(), True)
        r += 3
    sheet.widths[0] = 6  # the section titles sit in column A: do not size it on them
    sheet.finish(TOP + 1, TOP + 1, ncols, freeze_col=0)  # the header row, under the section title
    overdue = Sheet(book, f"HẠN CHẾ SAU KIỂM TRA QUÁ HẠN KHẮC PHỤC (ĐẾN NGÀY {as_of})",
                    scope_text(data) + ". Quá hạn: đã qua hạn khắc phục mà chưa khắc phục xong.",
                    "Hạn chế quá hạn")
    last = _findings_list(overdue, TOP, data.overdue, overdue=True)
    overdue.finish(TOP, TOP, 11, freeze_col=0, autofilter_last=last - 1)


def _finding_row(sheet: Sheet, r: int, n, label: str, values: dict, total: bool) -> None:
    if n is None:
        sheet.label(r, 0, "", total=total)
    else:
        sheet.number(r, 0, n, "stt")
    sheet.text(r, 1, label, total=total, wrap=True)
    for c, (column, _) in enumerate(_FINDING_COLS, start=2):
        sheet.number(r, c, values.get(column), "int", total)
    sheet.number(r, 7, values.get("i14_resolved_share"), "pct", total)


def _findings_list(sheet: Sheet, r: int, df: pd.DataFrame, overdue: bool) -> int:
    heads = [Header("STT", 5), Header("Đảng bộ", 18), Header("Chi bộ", 18), Header("Kế hoạch", 12),
             Header("Ngày kiểm tra", 11), Header("Nhóm hạn chế", 22), Header("Nội dung hạn chế", 36),
             Header("Kiến nghị", 36), Header("Hạn khắc phục", 11), Header("Tình trạng", 14)]
    if overdue:
        heads.append(Header("Số ngày quá hạn", 9))
    r, _ = sheet.headers(r, heads)
    if df.empty:
        sheet.label(r, 1, "Không có", "missing")
        return r + 1
    for n, f in enumerate(df.itertuples(index=False), start=1):
        sheet.number(r, 0, n, "stt")
        sheet.text(r, 1, f.commune_name, wrap=True)
        sheet.text(r, 2, f.branch_name, wrap=True)
        sheet.text(r, 3, f.plan_ref)
        sheet.day(r, 4, f.inspected_on)
        sheet.text(r, 5, labels.CATEGORIES.get(f.category, f.category), wrap=True)
        sheet.text(r, 6, f.description, wrap=True)      # report text: a string, never a formula
        sheet.text(r, 7, f.recommendation, wrap=True)
        sheet.day(r, 8, f.due_date)
        sheet.label(r, 9, labels.FINDING_STATUS.get(f.status, f.status or ""))
        if overdue:
            sheet.number(r, 10, f.days_overdue)
        r += 1
    return r


def _unresolved(book: Book, data: YearData) -> None:
    sheet = Sheet(book, f"HẠN CHẾ SAU KIỂM TRA CHƯA KHẮC PHỤC XONG {data.when.upper()}",
                  scope_text(data) + ". Tình trạng theo sổ theo dõi kết quả kiểm tra hiện hành.",
                  "Hạn chế chưa khắc phục")
    last = _findings_list(sheet, TOP, data.unresolved, overdue=False)
    sheet.finish(TOP, TOP, 10, freeze_col=0, autofilter_last=last - 1)


def _submissions(book: Book, data: YearData) -> None:
    sheet = Sheet(book, f"TÌNH HÌNH NỘP BÁO CÁO THÁNG {data.when.upper()} (I15)",
                  scope_text(data) + f". Hạn nộp: ngày {data.settings.submission_deadline_day} "
                  "tháng sau; đúng hạn tính theo lần nộp đầu tiên.", "Nộp báo cáo")
    months = data.scope.months
    heads = [Header("STT", 5), Header("Đảng bộ", 22),
             Header("Tình trạng nộp báo cáo theo tháng", subs=tuple(f"T{int(m[5:])}" for m in months)),
             Header("Cả năm", subs=("Đã nộp", "Đúng hạn", "Nộp muộn", "Quá hạn chưa nộp", "Chưa đến hạn",
                                    "Tỷ lệ đã nộp", "Tỷ lệ đúng hạn"))]
    r, ncols = sheet.headers(TOP, heads)
    status = data.submissions.set_index(["commune_code", "period"])["status"].to_dict()
    per = by_commune(data.submissions_commune, data).to_dict("index")
    # shares over the months due (or already reported): a month nobody owes yet is not a gap
    year_cols = (("reported_months", "int"), ("on_time_months", "int"), ("late_months", "int"),
                 ("missing_months", "int"), ("pending_months", "int"),
                 ("i15_reported_share_due", "pct"), ("i15_on_time_share_due", "pct"))
    first = r
    for n, (code, name) in enumerate(zip(data.communes["commune_code"], data.communes["commune_name"])):
        sheet.number(r, 0, n + 1, "stt")
        sheet.text(r, 1, name)
        for c, m in enumerate(months, start=2):
            s = status.get((code, m))
            if missing(s):
                sheet.label(r, c, vn.DASH, "missing")  # the commune was not active that month
            else:
                sheet.label(r, c, labels.SUBMISSION_SHORT[s], f"status:{s}")
        src = per[code]
        for c, (column, kind) in enumerate(year_cols, start=2 + len(months)):
            sheet.number(r, c, src.get(column), kind)
        r += 1
    by_month = data.submissions_month.set_index("period").to_dict("index")
    total = row(data.submissions_total)
    for k, (label, column, kind) in enumerate((("số đảng bộ đã nộp", "reported_months", "int"),
                                               ("tỷ lệ đã nộp", "i15_reported_share_due", "pct"),
                                               ("tỷ lệ đúng hạn", "i15_on_time_share_due", "pct"))):
        sheet.label(r, 0, "", total=True)
        sheet.text(r, 1, f"{total_label(data)}: {label}", total=True, wrap=True)
        for c, m in enumerate(months, start=2):
            month = by_month.get(m, {})
            if kind == "pct" and missing(month.get(column)) and not month.get("due", True):
                sheet.label(r, c, labels.SUBMISSION_SHORT["pending"], "missing", True)  # nothing due yet
            else:
                sheet.number(r, c, month.get(column), kind, True)
        r += 1
    # the year's totals once, over the three total rows (they were repeated on each)
    for c, (column, kind) in enumerate(year_cols, start=2 + len(months)):
        sheet.merged_number(r - 3, c, r - 1, total.get(column), kind, total=True)
    for c in range(2, 2 + len(months)):
        sheet.widths[c] = max(sheet.widths.get(c, 0), 6.5)
    # the legend in the blank row above the table, over the month columns: on the page that
    # shows them, and not pushed onto a page of its own below a long table
    sheet.note(TOP - 1, "Chú thích:", col=1)
    for k, (s, meaning) in enumerate(labels.SUBMISSION_LEGEND.items()):
        sheet.label(TOP - 1, 2 + 3 * k, labels.SUBMISSION_SHORT[s], f"status:{s}")
        sheet.ws.merge_range(TOP - 1, 3 + 3 * k, TOP - 1, 4 + 3 * k, meaning, book.fmt("note"))
    sheet.note(r + 1, f"{vn.DASH}: đảng bộ không hoạt động trong tháng. Tỷ lệ tính trên số báo cáo đã đến "
                      "hạn nộp (báo cáo chưa đến hạn không tính).")
    sheet.finish(TOP, TOP + 1, ncols, autofilter_last=first + len(data.communes) - 1)
