"""One commune's monthly report workbook (SPEC §1.2), written in its clerk's style.

write_monthly(folder, report, style, clerk, secretary) -> Path. Sheets: the cover *Thông tin chung*
(unless the style has none: then the period is only in the title rows), 1 committee meetings,
2 branch meetings, 3 recruitment, and in December 4 year-end ratings. Title and signature
blocks, column order, headers and cell renderings come from the Style.
"""
from __future__ import annotations

from pathlib import Path

from etl.sample.activity import BranchMonth, MonthReport
from etl.sample.style import (RATING, RATING_ABBR, Style, render_body, render_branch,
                              render_commune, render_quality, render_rating, render_yes_no,
                              vary_header)
from etl.sample.text import other_tone, place_date_line, render_count, render_date, slug
from etl.sample.xlsx import Book, Col, make_macro_enabled

# (key, SPEC header, width); the order is SPEC's. Other orders are key lists below.
SHEET1 = (("stt", "STT", 5), ("meeting_date", "Ngày họp", 12), ("body", "Hội nghị", 16),
          ("regular", "Hình thức", 11), ("members_total", "Số ủy viên", 9),
          ("members_present", "Số có mặt", 9),
          ("conclusion_issued", "Ban hành nghị quyết/kết luận", 14),
          ("conclusion_ref", "Số hiệu văn bản", 13), ("conclusion_date", "Ngày ban hành", 12),
          ("upper_attended", "Cấp ủy cấp trên dự", 10), ("note", "Ghi chú", 22))
SHEET2 = (("stt", "STT", 5), ("branch_code", "Mã chi bộ", 10), ("branch_name", "Tên chi bộ", 30),
          ("members_total", "Tổng số đảng viên", 10),
          ("members_exempt", "Số đảng viên được miễn sinh hoạt", 11),
          ("held", "Sinh hoạt thường kỳ", 11), ("meeting_date", "Ngày sinh hoạt", 12),
          ("members_attended", "Số đảng viên dự", 10), ("thematic", "Sinh hoạt chuyên đề", 11),
          ("thematic_topic", "Chủ đề chuyên đề", 30),
          ("upper_attended", "Cấp ủy viên cấp trên dự", 11),
          ("quality", "Tự đánh giá chất lượng", 12), ("note", "Ghi chú", 24))
SHEET3 = (("stt", "STT", 5), ("branch_name", "Tên chi bộ", 30),
          ("sources_trained", "Quần chúng học lớp nhận thức về Đảng", 12),
          ("admitted", "Kết nạp mới", 9), ("confirmed_official", "Công nhận chính thức", 10),
          ("transferred_in", "Chuyển đến", 9), ("transferred_out", "Chuyển đi", 9),
          ("deceased", "Từ trần", 8), ("removed", "Xóa tên, khai trừ, ra khỏi Đảng", 12),
          ("working_away", "Đảng viên đi làm ăn xa", 10))
ORDERS = {
    1: (None,
        "stt body regular meeting_date members_total members_present conclusion_issued "
        "conclusion_ref conclusion_date upper_attended note",
        "stt meeting_date body regular members_present members_total upper_attended "
        "conclusion_issued conclusion_date conclusion_ref note"),
    2: (None,
        "stt branch_name branch_code members_total members_exempt members_attended held "
        "meeting_date quality thematic thematic_topic upper_attended note",
        "stt branch_name held meeting_date members_total members_exempt members_attended "
        "upper_attended thematic thematic_topic quality note"),
    3: (None,
        "stt branch_name admitted confirmed_official sources_trained transferred_in "
        "transferred_out deceased removed working_away",
        "stt branch_name sources_trained admitted confirmed_official working_away "
        "transferred_in transferred_out deceased removed"),
}
HEADINGS = ("TÌNH HÌNH HỘI NGHỊ CẤP ỦY", "KẾT QUẢ SINH HOẠT CHI BỘ",
            "CÔNG TÁC PHÁT TRIỂN ĐẢNG VIÊN", "KẾT QUẢ XẾP LOẠI TỔ CHỨC ĐẢNG VÀ ĐẢNG VIÊN")
FILE_PATTERNS = ("BC thang {m}-{y} {name}", "Bao cao thang {mm}.{y} - {name}", "{code}_{y}-{mm}",
                 "BAO CAO SHCB T{m} {y} {upper}", "{name} - BC T{mm}-{y}", "bc_{y}{mm}_{squashed}")
PEOPLE = {"members_total", "members_exempt", "members_attended", "members_present"}


def file_name(report: MonthReport, style: Style) -> str:
    (y, m), name = report.period, slug(report.commune.name)
    stem = FILE_PATTERNS[style.file_pattern].format(
        y=y, m=m, mm=f"{m:02d}", name=name, upper=name.upper(), code=report.commune.code,
        squashed=name.lower().replace(" ", ""))
    return stem + (".xlsm" if style.xlsm else ".xlsx")


def _columns(spec, sheet: int, style: Style, drop: set[str]) -> list[Col]:
    by_key = {key: (header, width) for key, header, width in spec}
    order = ORDERS[sheet][style.order] if style.order else None
    keys = order.split() if order else [key for key, _, _ in spec]
    cols = []
    for key in keys:
        if key in drop:
            continue
        header, width = by_key[key]
        col = Col(key, vary_header(header, style), width,
                  total=key in PEOPLE or sheet == 3 and key not in ("stt", "branch_name"))
        if style.two_row and sheet == 2 and key in ("held", "meeting_date"):
            col = Col(key, "Có/Không" if key == "held" else "Ngày", width,
                      group=vary_header("Sinh hoạt thường kỳ", style))
        cols.append(col)
    return cols


def _count(n: int | None, style: Style, people: bool) -> object:
    if n == 0 and style.blank_zero and not people:
        return None
    return render_count(n, style.numbers, people=people)


def _meeting_rows(report: MonthReport, style: Style) -> list[dict]:
    rows = []
    for i, m in enumerate(report.meetings, start=1):
        rows.append({
            "stt": i, "meeting_date": render_date(m.meeting_date, style.dates),
            "body": render_body(m.body, style),
            "regular": None if m.regular and style.form_blank else ("Thường kỳ" if m.regular else "Bất thường"),
            "members_total": _count(m.members_total, style, True),
            "members_present": _count(m.members_present, style, True),
            "conclusion_issued": render_yes_no(m.conclusion_issued, style),
            "conclusion_ref": m.conclusion_ref, "conclusion_date": render_date(m.conclusion_date, style.dates),
            "upper_attended": render_yes_no(m.upper_attended, style), "note": m.note})
    return rows


def _with_gap(rows: list[BranchMonth], style: Style, make) -> list[dict | None]:
    """Rows in registry order; a blank row between residential and agency branches if the
    clerk leaves one (single blank rows inside a table are part of real files)."""
    out: list[dict | None] = []
    for i, r in enumerate(rows):
        if (style.blank_gap and i and r.branch.kind not in ("Thôn", "Tổ dân phố")
                and rows[i - 1].branch.kind in ("Thôn", "Tổ dân phố")):
            out.append(None)
        out.append(make(len([x for x in out if x]) + 1, r))
    return out


def _branch_row(i: int, r: BranchMonth, style: Style) -> dict:
    held = r.held
    topic = r.thematic_topic and (other_tone(r.thematic_topic) if style.other_tone else r.thematic_topic)
    return {
        "stt": i, "branch_code": r.branch.code, "branch_name": render_branch(r.branch, style),
        "members_total": _count(r.members_total, style, True),
        "members_exempt": None if r.members_exempt == 0 and style.blank_zero else _count(r.members_exempt, style, True),
        "held": render_yes_no(held, style),
        "meeting_date": render_date(r.meeting_date, style.dates),
        "members_attended": _count(r.members_attended, style, True) if held else None,
        "thematic": render_yes_no(r.thematic, style) if held else None,
        "thematic_topic": topic if held else None,
        "upper_attended": render_yes_no(r.upper_attended, style) if held else None,
        "quality": render_quality(r.quality, style), "note": r.note}


def _recruit_row(i: int, r: BranchMonth, style: Style) -> dict:
    row = {"stt": i, "branch_name": render_branch(r.branch, style)}
    for key, _, _ in SHEET3[2:]:
        row[key] = _count(getattr(r, key), style, False)
    return row


class _Writer:
    def __init__(self, book: Book, report: MonthReport, style: Style, clerk: str, secretary: str):
        self.b, self.r, self.s, self.clerk, self.secretary = book, report, style, clerk, secretary
        self.titled = style.title_block or not style.cover

    def cover(self) -> None:
        b, r, s = self.b, self.r, self.s
        ws = b.sheet(s.cover_name)
        ws.set_column(0, 0, 42 if s.cover_label_col == 0 else 5)
        ws.set_column(1, 2, 30)
        b.put(ws, 0, 0, "BÁO CÁO CÔNG TÁC XÂY DỰNG ĐẢNG HẰNG THÁNG", "bold")
        y, m = r.period
        pairs = (("Đảng bộ", render_commune(r.commune, s)),
                 ("Tháng", f"{m:02d}" if s.month_as_text else m), ("Năm", str(y) if s.month_as_text else y),
                 ("Ngày lập", render_date(r.made_on, s.dates)), ("Người lập", self.clerk),
                 ("Ngày triển khai nhiệm vụ tháng sau cho chi bộ", render_date(r.tasks_sent_on, s.dates)))
        col = s.cover_label_col
        for i, (label, value) in enumerate(pairs, start=2):
            b.put(ws, i, col, label, "bold")
            b.put(ws, i, col + 1, value, "plain")

    def title(self, ws, heading: int, width: int) -> int:
        """The block above a table; returns the header row."""
        if not self.titled:
            return 0
        b, r, s, c = self.b, self.r, self.s, self.r.commune
        right = max(3, width - 4)
        y, m = r.period
        upper = "ĐẢNG BỘ TỈNH LÂM ĐỒNG" if c.province_only or r.period >= (2025, 7) else "ĐẢNG BỘ HUYỆN BẢO LÂM"
        kind_upper = c.kind.upper()
        b.merge(ws, 0, 0, 0, 2, upper, "center_bold")
        b.merge(ws, 1, 0, 1, 2, other_tone(f"ĐẢNG ỦY {kind_upper} {c.name.upper()}") if s.other_tone
                else f"ĐẢNG ỦY {kind_upper} {c.name.upper()}", "center_bold")
        b.merge(ws, 2, 0, 2, 2, "*", "center_bold")
        b.merge(ws, 0, right, 0, right + 3, "ĐẢNG CỘNG SẢN VIỆT NAM", "center_bold")
        b.merge(ws, 1, right, 1, right + 3, place_date_line(c.name, r.made_on), "italic")
        period = (f"BÁO CÁO THÁNG {m} NĂM {y}", f"tháng {m:02d}/{y}", f"(Tháng {m} năm {y})")[s.period_title]
        last = max(width - 1, 6)
        b.merge(ws, 4, 0, 4, last, HEADINGS[heading] if s.period_title else period, "center_bold")
        row = 5
        if s.period_title:
            b.merge(ws, 5, 0, 5, last, period, "italic")
            row = 6
        if s.can_cu:
            b.put(ws, row, 0, "Căn cứ Hướng dẫn số 12-HD/BTCTW ngày 06/7/2018 của Ban Tổ chức "
                  "Trung ương về nâng cao chất lượng sinh hoạt chi bộ;", "plain")
            row += 1
        return row + 1

    def signature(self, ws, row: int, width: int) -> None:
        if not self.s.signature:
            return
        b, c = self.b, self.r.commune
        right = max(3, width - 4)
        board = "Ban Tổ chức Tỉnh ủy" if c.province_only or self.r.period >= (2025, 7) else "Ban Tổ chức Huyện ủy"
        b.put(ws, row + 1, 0, "Nơi nhận:", "bold")
        b.put(ws, row + 2, 0, f"- {board} (b/c);", "plain")
        b.put(ws, row + 3, 0, "- Lưu Văn phòng Đảng ủy.", "plain")
        b.merge(ws, row + 1, right, row + 1, right + 3, "T/M ĐẢNG ỦY", "center_bold")
        b.merge(ws, row + 2, right, row + 2, right + 3, "BÍ THƯ", "center_bold")
        b.merge(ws, row + 6, right, row + 6, right + 3, self.secretary, "center_bold")

    def table(self, index: int, cols: list[Col], rows: list, totals: bool) -> None:
        ws = self.b.sheet(self.s.sheet_names[index])
        top = self.title(ws, index, len(cols))
        end = self.b.write_table(
            ws, top, cols, rows, numbering=self.s.numbering,
            totals=self.s.totals if totals else None, label_key="branch_name",
            formulas=self.s.totals_formula and self.s.numbers == "int")
        self.signature(ws, end, len(cols))

    def ratings(self) -> None:
        s, r = self.s, self.r
        cols = [Col("stt", "STT", 5)] if s.stt else []
        cols += [Col("branch_name", vary_header("Tên chi bộ", s), 30),
                 Col("org_rating", vary_header("Xếp loại tổ chức đảng", s), 26)]
        names = RATING_ABBR if s.abbr_ratings else RATING
        group = vary_header("Xếp loại đảng viên", s) if s.group_ratings else None
        cols += [Col(k, names[k], 14, total=True, group=group) for k in RATING]
        rows = []
        for i, rt in enumerate(x for x in r.ratings if x.branch.code not in r.omitted):
            rows.append({"stt": i + 1, "branch_name": render_branch(rt.branch, s),
                         "org_rating": render_rating(rt.org_rating, s),
                         **{k: _count(getattr(rt, k), s, False) for k in RATING}})
        self.table(3, cols, rows, totals=True)


def write_monthly(folder: Path, report: MonthReport, style: Style, clerk: str, secretary: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(report, style)
    book = Book(path, report.made_on, nfd=style.nfd, author=clerk)
    w = _Writer(book, report, style, clerk, secretary)
    if style.cover:
        w.cover()
    drop = set() if style.stt else {"stt"}
    drop |= set() if style.note_col else {"note"}
    if style.form_blank and all(m.regular for m in report.meetings):
        drop.add("regular")
    w.table(0, _columns(SHEET1, 1, style, drop), _meeting_rows(report, style), totals=False)
    shown = [r for r in report.rows if r.branch.code not in report.omitted]
    drop2 = drop - {"regular"} | (set() if style.code_col else {"branch_code"})
    drop2 |= set() if style.topic_col else {"thematic_topic"}
    w.table(1, _columns(SHEET2, 2, style, drop2),
            _with_gap(shown, style, lambda i, r: _branch_row(i, r, style)), totals=True)
    w.table(2, _columns(SHEET3, 3, style, drop - {"note", "regular"}),
            _with_gap(shown, style, lambda i, r: _recruit_row(i, r, style)), totals=True)
    if report.ratings is not None:
        w.ratings()
    book.close()
    if style.xlsm:
        make_macro_enabled(path)
    return path
