"""The one-page monthly briefing for the standing committee's meeting: takes a warehouse
connection, a month (etl.period) and a commune selection, returns the bytes of a Word file.

It holds the five headline figures of Tổng quan (reports of the month I15, regular branch
meetings I5, meetings rated Khá trở lên I10, admissions since January against the annual target
I11, inspection findings not yet remedied I14), the communes that need attention and why
(indicators.attention, one line per commune), the reports still missing and the findings past their deadline. Every
figure is the indicator layer's. It prints in black and white: states are written in words and
nothing is told by colour; long lists are cut, with the number left out, so it keeps to one page.
"""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from etl import indicators as ind
from etl import labels
from etl import vnformat as vn
from etl.outputs.export.data import row

from etl.outputs.export.report import _page_setup, _para, _table
from etl.period import Month, Period
from etl.settings import Settings, load_settings

NAME = "tom-tat-{slug}.docx"     # tom-tat-thang-10-2026.docx
AT_MOST = 6                      # rows of each list on the page; the rest are counted
SIZE = 12                        # points: a page holds the five figures and three lists
LEFT = WD_ALIGN_PARAGRAPH.LEFT


def headline_rows(con, month: Period, communes=(), settings: Settings | None = None,
                  as_of: date | None = None) -> list[list[str]]:
    """The five headline figures: [figure, value, note] rows under a header row."""
    settings = settings or load_settings()
    scope = ind.Scope(str(month.first), str(month.last), tuple(communes))
    to_date = ind.Scope(str(Month(month.first.year, 1)), str(month.last), tuple(communes))
    s = row(ind.submissions(con, scope, settings, "total", as_of))
    b = row(ind.branch_meetings(con, scope, settings, "total"))
    q = row(ind.quality(con, scope, "total"))
    r = row(ind.recruitment_progress(con, to_date, "total"))
    i = row(ind.inspections(con, to_date, as_of, "total"))
    rows = [["Chỉ số", "Kết quả", "Ghi chú"]]
    if pd.isna(s.get("missing_months")):
        rows.append([f"Báo cáo {month.name}", "—", "Không có đảng bộ nào hoạt động"])
    else:
        note = (f"{vn.number(s['missing_months'])} đảng bộ quá hạn chưa nộp" if s["missing_months"] else
                f"{vn.number(s['pending_months'])} đảng bộ chưa đến hạn nộp" if s["pending_months"] else
                "Đã nộp đủ")
        rows.append([f"Báo cáo {month.name}", vn.ratio(s["reported_months"], s["expected_months"]) + " đảng bộ",
                     note])
    rows.append(["Chi bộ sinh hoạt thường kỳ (I5)", vn.percent(b.get("i5_held_share"), missing=labels.NOT_REPORTED),
                 f"{vn.ratio(b.get('held'), b.get('reported_branch_months'))} chi bộ đã báo cáo"])
    rows.append(["Sinh hoạt đạt khá trở lên (I10)", vn.percent(q.get("kha_tro_len_share"), missing=labels.NOT_REPORTED),
                 f"{vn.number(q.get('rated'))} buổi được đánh giá"])
    if pd.isna(r.get("admitted_ytd")):
        rows.append([f"Kết nạp đảng viên năm {month.first.year} (I11)", labels.NOT_REPORTED, ""])
    elif pd.isna(r.get("target")) or not r["target"]:
        rows.append([f"Kết nạp đảng viên năm {month.first.year} (I11)", vn.number(r["admitted_ytd"]),
                     "Chưa giao chỉ tiêu"])
    else:
        pace = "" if pd.isna(r.get("on_track")) else "Đúng tiến độ" if r["on_track"] else "Chậm tiến độ"
        rows.append([f"Kết nạp đảng viên năm {month.first.year} (I11)", vn.ratio(r["admitted_ytd"], r["target"]),
                     f"Đạt {vn.percent(r['i11_target_share'])}" + (f"; {pace.lower()}" if pace else "")])
    findings = i.get("findings")
    if pd.isna(findings) or not findings:
        rows.append(["Hạn chế sau kiểm tra chưa khắc phục (I14)", "0", "Không có hạn chế nào trong năm"])
    else:
        rows.append(["Hạn chế sau kiểm tra chưa khắc phục (I14)", vn.number(i["unresolved"]),
                     f"{vn.number(i['overdue'])} quá hạn khắc phục" if i["overdue"] else "Không có quá hạn"])
    return rows


def attention_rows(att: pd.DataFrame) -> list[list[str]]:
    """One row per commune: its reasons in words; the communes with most reasons first, then the
    most serious reason (labels.ATTENTION order), then the name, as on Tổng quan."""
    order = {reason: k for k, reason in enumerate(labels.ATTENTION)}
    reasons: dict[str, list[str]] = {}
    for r in att.itertuples():
        reasons.setdefault(r.commune_name, []).append(r.reason)
    ranked = sorted(reasons.items(), key=lambda item: (-len(item[1]), min(order[x] for x in item[1]), item[0]))
    return [[name, "; ".join(labels.ATTENTION[x] for x in sorted(found, key=order.get))]
            for name, found in ranked]


def _cut(rows: list[list[str]], noun: str) -> tuple[list[list[str]], str]:
    """At most AT_MOST rows after the header, and the sentence that counts the others."""
    rest = len(rows) - 1 - AT_MOST
    return (rows[:AT_MOST + 1], f"… và {vn.number(rest)} {noun} khác (xem bảng điều khiển)." if rest > 0 else "")


def build(con, month: Period, communes=(), settings: Settings | None = None,
          as_of: date | None = None) -> bytes:
    """The briefing's .docx bytes for `month` (a one-month Period)."""
    if month.kind != "month":
        raise ValueError(f"Bản tóm tắt chỉ làm cho một tháng, không cho {month.name}.")
    settings = settings or load_settings()
    scope = ind.Scope(str(month.first), str(month.last), tuple(communes))
    to_date = ind.Scope(str(Month(month.first.year, 1)), str(month.last), tuple(communes))
    day = ind.as_of_day(to_date, as_of)  # the day "overdue" is judged at, as on the dashboard
    doc = Document()
    _page_setup(doc)
    section = doc.sections[0]
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = \
        Mm(15), Mm(15), Mm(20), Mm(15)
    _para(doc, settings.organization_board.upper(), bold=True, size=SIZE)
    _para(doc, f"TÓM TẮT TÌNH HÌNH {month.name.upper()}", bold=True, size=15)
    names = ind.communes(con, scope)["commune_name"].tolist()
    who = f"{labels.TOTAL}: {vn.number(len(names))} đảng bộ cơ sở" if not communes else \
        f"{vn.number(len(names))} đảng bộ được chọn"
    _para(doc, f"(Phục vụ hội nghị Ban Thường vụ · {who} · số liệu đến ngày {vn.day(day)})", italic=True,
          size=SIZE, after=6)

    _para(doc, "1. Các chỉ số chính", bold=True, size=SIZE + 1, align=LEFT, after=2)
    _table(doc, headline_rows(con, month, communes, settings, as_of), total_last=False, size=SIZE,
           widths=[7.0, 3.5, 6.5], first_left=0)

    _para(doc, "2. Đảng bộ cần quan tâm", bold=True, size=SIZE + 1, align=LEFT, after=2)
    att = ind.attention(con, scope, settings, as_of)
    if att.empty:
        _para(doc, "Không có đảng bộ nào cần quan tâm theo các tiêu chí đã đặt.", size=SIZE, align=LEFT, after=4)
    else:
        rows = [["Đảng bộ", "Vấn đề"]] + attention_rows(att)
        shown, more = _cut(rows, "đảng bộ")
        _table(doc, shown, total_last=False, size=SIZE - 1, widths=[5.5, 11.5], first_left=0)
        if more:
            _para(doc, more, italic=True, size=SIZE - 1, align=LEFT, after=4)

    _para(doc, "3. Báo cáo tháng chưa nộp", bold=True, size=SIZE + 1, align=LEFT, after=2)
    subs = ind.submissions(con, scope, settings, "commune_month", as_of)
    late = subs.loc[subs["status"] == "missing", "commune_name"].tolist()
    waiting = int((subs["status"] == "pending").sum())
    text = (f"Quá hạn chưa nộp ({vn.number(len(late))} đảng bộ): " + ", ".join(late) + "." if late else
            "Không có đảng bộ nào quá hạn chưa nộp báo cáo.")
    if waiting:
        text += f" Chưa đến hạn nộp: {vn.number(waiting)} đảng bộ."
    _para(doc, text, size=SIZE, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=4)

    _para(doc, "4. Hạn chế sau kiểm tra quá hạn khắc phục", bold=True, size=SIZE + 1, align=LEFT, after=2)
    overdue = ind.overdue_findings(con, to_date, as_of)
    if overdue.empty:
        _para(doc, f"Không có hạn chế nào quá hạn khắc phục (tính đến ngày {vn.day(day)}).", size=SIZE,
              align=LEFT)
    else:
        rows = [["Đảng bộ", "Hạn chế", "Hạn khắc phục", "Quá hạn"]] + [
            [f.commune_name, f.description, vn.day(f.due_date), f"{vn.number(f.days_overdue)} ngày"]
            for f in overdue.itertuples()]
        shown, more = _cut(rows, "hạn chế")
        _table(doc, shown, total_last=False, size=SIZE - 1, widths=[4.0, 7.5, 3.0, 2.5], first_left=0)
        if more:
            _para(doc, more, italic=True, size=SIZE - 1, align=LEFT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
