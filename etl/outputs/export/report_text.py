"""The Word report's content: takes a `YearData`, returns the body as blocks (headings,
sentences stating the year's figures in Vietnamese, tables, chart slots). Layout is report.py's.

Figures are the indicator layer's values, written with etl.vnformat (1.234 · 95,5%). Months
without a report are named as such ("… tháng chưa báo cáo"), never counted as zero; a
quarter or a rating nobody reported reads "chưa báo cáo".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from etl import labels
from etl import vnformat as vn
from etl.outputs.export import flags, lists, period_text, report_tables as tables
from etl.outputs.export.data import YearData, by_commune, row
from etl.outputs.export.labels import (coverage_sentence, in_sentence, month_numbers,
                               quarter_covered, total_label)
from etl.outputs.export.lists import LIST_AT_MOST
from etl.outputs.export.xlsx import missing

ROMAN = ("I", "II", "III", "IV")


@dataclass
class Block:
    kind: str                   # h1 | h2 | p | placeholder | table | chart
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)  # table: header row first
    total_last: bool = False    # table: bold last row
    chart: int = -1             # chart: index into charts.figures()
    widths: list[float] = field(default_factory=list)   # table: column widths in cm


def n(x) -> str:
    return vn.number(x)


def pct(x) -> str:
    return vn.percent(x)


def single(data: YearData) -> str | None:
    """The commune's name when the export is of one commune only."""
    return data.communes["commune_name"].iloc[0] if data.filtered and len(data.communes) == 1 else None


def subject(data: YearData, body: str = "Đảng bộ") -> str:
    """Who the sentence is about: 'Toàn Đảng bộ', 'Đảng bộ xã Lộc Đức' (one commune), 'Các
    đảng bộ được chọn'; with body='Đảng ủy' the communes' committees ('Các đảng ủy cơ sở')."""
    one = single(data)
    if one is not None:
        return f"{body} {in_sentence(one)}"
    if body == "Đảng ủy":
        return "Các đảng ủy cơ sở" if not data.filtered else "Các đảng ủy được chọn"
    return labels.total_name(not data.filtered, labels.SELECTED)


def counted(items: list[tuple[int, str]], noun: str) -> str:
    """'1 chi bộ hoàn thành xuất sắc nhiệm vụ, 8 chi bộ hoàn thành tốt nhiệm vụ; không có chi bộ
    nào không hoàn thành nhiệm vụ': levels with nobody are left out, except the last (the one
    that matters when it is empty)."""
    shown = [f"{n(count)} {noun} {label}" for count, label in items[:-1] if count]
    count, label = items[-1]
    last = f"{n(count)} {noun} {label}" if count else f"không có {noun} nào {label}"
    return ", ".join(shown) + "; " + last if shown else last


def names(items: list[str]) -> str:
    """The communes of a filtered export, for its title line (appendix 1 lists them all)."""
    shown = items[:LIST_AT_MOST]
    more = f" và {len(items) - LIST_AT_MOST} đảng bộ khác" if len(items) > LIST_AT_MOST else ""
    return "; ".join(shown) + more


def general(data: YearData) -> list[Block]:
    who = subject(data)
    s = row(data.submissions_total)
    out = [Block("h1", "I. TÌNH HÌNH CHUNG")]
    if data.filtered and len(data.communes) == 1:
        out.append(Block("p", f"{who} có {n(len(data.branches))} chi bộ trực thuộc."))
    else:
        verb = "gồm" if data.filtered else "có"
        out.append(Block("p", f"{who} {verb} {n(len(data.communes))} đảng bộ cơ sở với "
                              f"{n(len(data.branches))} chi bộ trực thuộc."))
    if data.in_progress:
        out.append(Block("p", coverage_sentence(data)))
    if not missing(s.get("due_months")) and s["due_months"]:
        due = " đã đến hạn" if s["pending_months"] else ""
        senders = "các đảng bộ" if not data.filtered else subject(data) if single(data) else \
            "các đảng bộ được chọn"
        out.append(Block("p", f"Trong {data.when}, {senders} đã gửi "
                              f"{vn.ratio(s['reported_months'], s['due_months'])} báo cáo tháng{due}, "
                              f"đạt {pct(s['i15_reported_share_due'])}; trong đó "
                              f"{vn.ratio(s['on_time_months'], s['due_months'])} báo cáo gửi đúng "
                              f"hạn, đạt {pct(s['i15_on_time_share_due'])}."))
        out.append(Block("table", rows=tables.submissions_rows(data), widths=[9.0, 3.5, 3.0]))
        out.append(Block("p", unreported_sentence(data)))
    out.append(Block("p", flags_sentence(data)))
    return out


def flags_sentence(data: YearData) -> str:
    """The data-quality flags of the period the board has not verified: how many, in how many
    communes, and the workbook's sheet that lists them."""
    if data.flags.empty:
        return "Qua đối chiếu số liệu giữa các tháng, không có số liệu bất thường nào chưa được xác minh."
    where = "" if single(data) else f" ở {n(data.flags['commune_code'].nunique())} đảng bộ"
    return (f"Qua đối chiếu số liệu giữa các tháng, còn {n(len(data.flags))} số liệu bất thường{where} chưa "
            f"được xác minh (danh sách tại trang \"{flags.SHEET}\" của tệp Excel tổng hợp).")


def unreported_sentence(data: YearData) -> str:
    """Months past their deadline without a report: those no commune reported said once, then
    the communes with other gaps (appendix 2 when they are many). The figures leave them out."""
    everywhere = lists.months_missing_everywhere(data)
    gaps = lists.unreported(data)
    if not everywhere and not gaps.items:
        return "Các báo cáo tháng đã đến hạn đều đã được gửi."
    if single(data):
        return (f"{subject(data)} chưa gửi báo cáo tháng {month_numbers(everywhere)} (đã quá hạn); các tháng "
                "này không được tính vào các tỷ lệ dưới đây (không tính là 0).")
    parts = []
    if everywhere:
        parts.append(f"Tháng {month_numbers(everywhere)} chưa có đảng bộ nào gửi báo cáo")
    if gaps.items:
        other = " khác" if everywhere else ""
        parts.append(f"còn {n(gaps.count)} tháng{other} quá hạn chưa báo cáo của {gaps.inline()}"
                     if gaps.long else
                     f"còn {n(gaps.count)} tháng{other} quá hạn chưa báo cáo: {gaps.inline()}")
    text = "; ".join(parts)
    return (text[0].upper() + text[1:] + ". Các tháng chưa báo cáo không được tính vào các tỷ lệ "
            "dưới đây (không tính là 0).")


def routine(data: YearData) -> list[Block]:
    who, m, c = subject(data), row(data.meetings_total), row(data.committee_total)
    out = [Block("h2", "1. Nền nếp sinh hoạt")]
    if not missing(c.get("reported_months")) and c["reported_months"]:
        text = (f"{subject(data, 'Đảng ủy')} tổ chức hội nghị Ban Chấp hành thường kỳ ở "
                f"{vn.ratio(c['months_with_regular_bch'], c['reported_months'])} tháng có báo cáo, "
                f"đạt {pct(c['i1_regular_bch_share'])}. {data.during[0].upper() + data.during[1:]} có "
                f"{n(c['meetings'])} hội nghị "
                f"cấp ủy, trong đó {n(c['meetings_with_conclusion'])} hội nghị ban hành nghị quyết, "
                f"kết luận, đạt {pct(c['i2_conclusion_share'])}")
        if not missing(c.get("i3_median_days")):
            text += (f"; nghị quyết, kết luận được ban hành trung bình (trung vị) "
                     f"{vn.tenths(c['i3_median_days'])} ngày sau hội nghị")
        out.append(Block("p", text + "."))
        text = (f"Nhiệm vụ tháng sau được triển khai đến chi bộ trước ngày "
                f"{data.settings.tasks_deadline_day} ở "
                f"{vn.ratio(c['months_tasks_on_time'], c['months_with_tasks_date'])} tháng có ghi "
                f"ngày triển khai, đạt {pct(c['i4_tasks_on_time_share'])}")
        if c["months_without_tasks_date"]:
            text += f"; {n(c['months_without_tasks_date'])} tháng báo cáo không ghi ngày triển khai"
        out.append(Block("p", text + "."))
        out.append(Block("table", rows=tables.committee_rows(data), widths=[10.5, 3.0, 2.5]))
    if missing(m.get("held")):
        out.append(Block("p", "Sinh hoạt chi bộ thường kỳ: chưa báo cáo."))
        return out
    window = f"từ ngày {data.settings.schedule_first_day} đến ngày {data.settings.schedule_last_day}"
    out.append(Block("p", i5_sentence(data)))
    out.append(Block("p", f"Có {vn.ratio(m['on_schedule'], m['held'])} cuộc sinh hoạt được tổ chức "
                          f"đúng lịch ({window} hằng tháng), đạt {pct(m['i6_on_schedule_share'])}. "
                          f"Tỷ lệ đảng viên dự sinh hoạt đạt {pct(m['i7_attendance_share'])} "
                          f"({vn.ratio(m['members_attended'], m['members_expected'])} lượt đảng viên "
                          f"phải dự). Cấp ủy viên cấp trên dự "
                          f"{vn.ratio(m['upper_attended'], m['held'])} cuộc sinh hoạt, đạt "
                          f"{pct(m['i9_upper_attended_share'])}."))
    low = lists.low_i5(data)
    if low.items:
        out.append(Block("p", f"Một số đảng bộ có tỷ lệ chi bộ sinh hoạt thường kỳ thấp hơn mức chung "
                              f"quá {vn.number(data.settings.attention_i5_margin_points, 1)} điểm: "
                              f"{low.inline()}."))
    out.append(Block("chart", chart=0))
    return out


def i5_sentence(data: YearData) -> str:
    """"Toàn Đảng bộ có 128/134 chi bộ sinh hoạt thường kỳ đầy đủ …, đạt 95,5%; tính theo lượt,
    có 1.454/1.526 lượt …" (I5 by branch, then by branch-month)."""
    m = row(data.meetings_total)
    return (f"{subject(data)} có {vn.ratio(m['branches_held_all'], m['branches_reported'])} chi bộ sinh "
            f"hoạt thường kỳ đầy đủ (đủ các tháng đã báo cáo), đạt {pct(m['i5_branch_share'])}; tính "
            f"theo lượt, có {vn.ratio(m['held'], m['reported_branch_months'])} lượt chi bộ sinh hoạt "
            f"thường kỳ, đạt {pct(m['i5_held_share'])} (tính trên số chi bộ - tháng đã báo cáo).")


def quality(data: YearData) -> list[Block]:
    q, r = row(data.quality_total), row(data.ratings_total)
    out = [Block("h2", "2. Chất lượng sinh hoạt")]
    if missing(q.get("rated")) or not q["rated"]:
        out.append(Block("p", "Chất lượng sinh hoạt chi bộ: chưa báo cáo."))
    else:
        out.append(Block("p", f"Trong {n(q['rated'])} lượt sinh hoạt chi bộ được tự đánh giá chất "
                              f"lượng: {n(q['tot'])} lượt tốt ({pct(q['tot_share'])}), {n(q['kha'])} "
                              f"lượt khá ({pct(q['kha_share'])}), {n(q['trung_binh'])} lượt trung bình "
                              f"({pct(q['trung_binh_share'])}), {n(q['kem'])} lượt kém "
                              f"({pct(q['kem_share'])}); đạt khá trở lên {pct(q['kha_tro_len_share'])}."))
        rows = [["Mức chất lượng", "Số lượt", "Tỷ lệ"]]
        for key, label in labels.QUALITY.items():
            rows.append([label, n(q[key]), pct(q[f"{key}_share"])])
        rows += [["Cộng", n(q["rated"]), ""], [labels.GOOD_OR_BETTER, "", pct(q["kha_tro_len_share"])]]
        out += [Block("table", rows=rows, total_last=True, widths=[7.0, 4.0, 4.0]),
                Block("chart", chart=1)]
    if not data.annual:
        out.append(Block("p", "Kết quả đánh giá, xếp loại tổ chức đảng và đảng viên cuối năm: không thuộc "
                              f"{data.when} (có trong báo cáo cả năm)."))
    elif missing(r.get("branches_rated")) or not r["branches_rated"]:
        # the year-end ratings come with December's report: before it is due, it is not missing
        state = "chưa báo cáo" if data.december_due else "chưa đến hạn báo cáo (báo cáo tháng 12)"
        out.append(Block("p", f"Kết quả đánh giá, xếp loại tổ chức đảng và đảng viên cuối năm: {state}."))
    else:
        levels = [("xuat_sac", "hoàn thành xuất sắc nhiệm vụ"), ("tot", "hoàn thành tốt nhiệm vụ"),
                  ("hoan_thanh", "hoàn thành nhiệm vụ"), ("khong_hoan_thanh", "không hoàn thành nhiệm vụ")]
        branches = counted([(r[f"org_{k}"], label) for k, label in levels], "chi bộ")
        members = counted([(r[f"members_{k}"], label) for k, label in levels], "đảng viên")
        out.append(Block("p", f"Kết quả đánh giá, xếp loại cuối năm {data.year} "
                              f"({n(r['branches_rated'])} chi bộ đã báo cáo): {branches}. Về đảng viên: "
                              f"{members}."))
        unrated = lists.unrated(data)
        if unrated.items:
            out.append(Block("p", f"{labels.NOT_REPORTED} kết quả xếp loại: {unrated.inline()}."))
    return out


def thematic(data: YearData) -> list[Block]:
    t = data.thematic_total.set_index("quarter") if len(data.thematic_total) else None
    parts = []
    for k in data.quarters:
        key, months = f"{data.year}-Q{k}", quarter_covered(data, k)
        # a quarter of a year in progress: only its covered months count, and it says so
        name = f"quý {ROMAN[k - 1]}" + (f" (số liệu tháng {month_numbers(months)})"
                                         if 0 < len(months) < 3 else "")
        if not months:
            parts.append(f"{name}: chưa đến hạn báo cáo")
        elif t is None or key not in t.index or not t.loc[key, "reported"]:
            parts.append(f"{name}: chưa báo cáo")
        else:
            q = t.loc[key]
            parts.append(f"{name}: {vn.ratio(q['branches_with_thematic'], q['branches_reported'])} "
                         f"chi bộ ({pct(q['i8_thematic_share'])})")
    return [Block("h2", "3. Sinh hoạt chuyên đề"),
            Block("p", "Số chi bộ có sinh hoạt chuyên đề (ít nhất một lần trong quý) trên số chi bộ đã "
                       "báo cáo: " + "; ".join(parts) + "."),
            Block("table", rows=tables.thematic_rows(data), widths=[6.0, 7.0, 3.0])]


def recruitment(data: YearData) -> list[Block]:
    who, p, r = subject(data), row(data.progress_total), row(data.recruitment_total)
    if not data.annual:  # the annual target is met by admissions since January, not the period's
        who = "Từ đầu năm, " + who[0].lower() + who[1:]
    out = [Block("h2", "4. Công tác phát triển đảng viên")]
    if missing(r.get("admitted")):
        return out + [Block("p", "Công tác phát triển đảng viên: chưa báo cáo.")]
    left_out = lists.not_reported_targets(data)
    if missing(p.get("target")):
        out.append(Block("p", f"{who} kết nạp {n(p['admitted_ytd'])} đảng viên mới (chưa có chỉ tiêu năm)."))
    elif not left_out.items:
        out.append(Block("p", f"{who} kết nạp {vn.ratio(p['admitted_ytd'], p['target'])} đảng viên mới "
                              f"so với chỉ tiêu năm {data.year}, đạt {pct(p['i11_target_share'])}."))
    else:
        # a commune without any report has no admissions to count: its target is left out, and said so
        if len(left_out.items) == 1:
            gone = f"đảng bộ {in_sentence(left_out.items[0][0])}"
        else:
            gone = f"{n(len(left_out.items))} đảng bộ" + ("" if left_out.long else
                                                          ": " + left_out.inline(details=False))
        rest = f"chưa tính {gone} chưa báo cáo, chỉ tiêu {n(p['target_not_reported'])}"
        if missing(p.get("target_reported")):
            out.append(Block("p", f"{who} kết nạp {n(p['admitted_ytd'])} đảng viên mới ({rest})."))
        else:
            out.append(Block("p", f"{who} kết nạp {vn.ratio(p['admitted_ytd'], p['target_reported'])} đảng "
                                  f"viên mới so với chỉ tiêu năm {data.year} của các đảng bộ đã báo cáo, đạt "
                                  f"{pct(p['i11_reported_share'])} ({rest})."))
    net = r["net_change"]
    change = (f"tăng {n(net)}" if net > 0 else f"giảm {n(-net)}" if net < 0 else "không tăng, không giảm")
    confirmed = (f"{n(r['confirmed_official'])} đảng viên dự bị" if r["confirmed_official"] else
                 "chưa có đảng viên dự bị nào")
    out.append(Block("p", f"Có {n(r['sources_trained'])} quần chúng ưu tú được học lớp nhận thức về Đảng; "
                          f"{confirmed} được công nhận đảng viên chính thức. Biến động đảng viên {data.during}: "
                          f"kết nạp {n(r['admitted'])}, chuyển đến {n(r['transferred_in'])}, chuyển đi "
                          f"{n(r['transferred_out'])}, từ trần {n(r['deceased'])}, xóa tên, khai trừ, ra khỏi Đảng {n(r['removed'])}; "
                          f"số đảng viên {change}."))
    behind = lists.behind(data)
    if behind.items:
        # at December the pace is the target itself
        goal = "chỉ tiêu" if lists.year_end(data) else "tiến độ chỉ tiêu"
        if single(data):
            out.append(Block("p", f"{who} chưa đạt {goal} kết nạp ({behind.items[0][1]})."))
        else:
            out.append(Block("p", f"Các đảng bộ chưa đạt {goal} kết nạp: {behind.inline()}."))
    out.append(Block("chart", chart=2))
    return out


def inspection(data: YearData) -> list[Block]:
    t = row(data.inspections_total)
    out = [Block("h2", "5. Công tác kiểm tra")]
    if missing(t.get("findings")) or not t["findings"]:
        return out + [Block("p", f"Sổ theo dõi kết quả kiểm tra chưa ghi hạn chế nào trong {data.when}.")]
    out.append(Block("p", f"Qua kiểm tra, đã chỉ ra {n(t['findings'])} hạn chế, khuyết điểm; đến ngày "
                          f"{vn.day(data.inspections_as_of)} đã khắc phục {n(t['resolved'])} "
                          f"({pct(t['i14_resolved_share'])}), đang khắc phục {n(t['in_progress'])}, chưa "
                          f"khắc phục {n(t['open'])}; "
                          + (f"{n(t['overdue'])} hạn chế quá hạn khắc phục." if t["overdue"] else
                             "không có hạn chế nào quá hạn khắc phục.")))
    rows = [["Nhóm hạn chế", "Số hạn chế", "Đã khắc phục", "Quá hạn"]]
    for c in data.inspections_category.itertuples():
        rows.append([labels.CATEGORIES.get(c.category, c.category), n(c.findings), n(c.resolved), n(c.overdue)])
    rows.append(["Cộng", n(t["findings"]), n(t["resolved"]), n(t["overdue"])])
    return out + [Block("table", rows=rows, total_last=True, widths=[8.5, 2.6, 2.8, 2.6])]


def body(data: YearData) -> list[Block]:
    compared = [Block("p", text) for text in period_text.comparisons(data)]
    return [*general(data), *compared, Block("h1", "II. KẾT QUẢ"), *routine(data), *quality(data),
            *thematic(data), *recruitment(data), *inspection(data),
            Block("h1", "III. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN"),
            Block("placeholder", "(Ban Tổ chức bổ sung: những hạn chế, khuyết điểm chủ yếu và nguyên nhân.)"),
            Block("h1", period_text.ahead(data)),
            Block("placeholder", "(Ban Tổ chức bổ sung: phương hướng, nhiệm vụ, giải pháp nâng cao chất lượng "
                                 "sinh hoạt chi bộ.)")]


def appendix_rows(data: YearData) -> list[list[str]]:
    """Per-commune table of the appendix, with the total row last."""
    heads = ["STT", "Đảng bộ", "Số chi bộ", "Chi bộ sinh hoạt đủ các tháng", "Lượt sinh hoạt thường kỳ",
             "Tỷ lệ lượt (I5)", "Đúng lịch (I6)",
             "Đảng viên dự (I7)", "Khá trở lên (I10)", "Kết nạp / chỉ tiêu", "Tháng quá hạn chưa báo cáo"]
    frames = {k: by_commune(getattr(data, k), data).to_dict("index") for k in
              ("meetings", "quality", "progress", "submissions_commune")}
    counts = data.branches.groupby("commune_code").size()
    rows = [heads]
    codes = list(data.communes["commune_code"]) + [None]
    for i, (code, name) in enumerate(zip(codes, list(data.communes["commune_name"]) + [total_label(data)])):
        def get(frame: str, total: str) -> dict:
            return row(getattr(data, total)).to_dict() if code is None else frames[frame][code]
        m, q = get("meetings", "meetings_total"), get("quality", "quality_total")
        p, s = get("progress", "progress_total"), get("submissions_commune", "submissions_total")
        branches = len(data.branches) if code is None else counts.get(code, 0)
        gone = s.get("missing_months")  # past the deadline: months not yet due are not owed
        nr = labels.NOT_REPORTED
        # a commune with no report at all: "Chưa báo cáo"; with reports but nothing to divide: "—"
        blank = vn.DASH if not missing(m.get("held")) else nr

        def share(value) -> str:
            return vn.percent(value, missing=blank)
        admitted = p.get("admitted_ytd")
        # the total row: targets of the communes that have reported (as the sentence says)
        target = p.get("target_reported" if code is None else "target")
        recruited = nr if missing(admitted) else \
            vn.ratio(admitted, target) if not missing(target) else n(admitted)
        rows.append(["" if code is None else str(i + 1), name, n(branches),
                     vn.ratio(m.get("branches_held_all"), m.get("branches_reported"), nr),
                     vn.ratio(m.get("held"), m.get("reported_branch_months"), nr),
                     share(m.get("i5_held_share")), share(m.get("i6_on_schedule_share")),
                     share(m.get("i7_attendance_share")), share(q.get("kha_tro_len_share")),
                     recruited, n(gone)])
    return rows
