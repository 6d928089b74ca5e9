"""The organization board's own workbooks: unit registry, recruitment targets, inspections.

write_registry(path, communes) — sheets *Đảng bộ* and *Chi bộ* (SPEC §1.1).
write_targets(path, communes, targets) — one row per commune and year (SPEC §1.3).
make_findings(communes, profiles, first, last, seed) -> list[Finding] and
write_inspections(path, findings) — the inspection register (SPEC §1.4): plans like
'06-KH/BTCHU' (seed 004), each inspecting most communes and some of their branches, with
the defects seed 004 lists, a deadline and a remediation status as of the day after `last`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from etl.sample.activity import Period, Profile, month_days
from etl.sample.units import Branch, Commune
from etl.sample.xlsx import Book, Col

# code -> (SPEC category name, finding at commune level, finding at branch level, recommendation)
CATEGORIES = {
    "BIEN_BAN": ("Biên bản hội nghị sơ sài",
                 "Biên bản hội nghị đảng ủy ghi còn sơ sài, ít ý kiến thảo luận; chưa phản ánh rõ "
                 "ý kiến kết luận của đồng chí chủ trì",
                 "Biên bản sinh hoạt chi bộ ghi sơ sài, chưa thể hiện nội dung thảo luận",
                 "Cử đảng ủy viên có khả năng ghi chép, tổng hợp ghi biên bản; ghi đầy đủ ý kiến "
                 "thảo luận và kết luận của chủ trì"),
    "KET_LUAN": ("Không ban hành kết luận/nghị quyết sau hội nghị",
                 "Sau hội nghị đảng ủy tháng {m}/{y} không ban hành kết luận hội nghị",
                 "Chi bộ không ban hành nghị quyết sau sinh hoạt tháng {m}/{y}",
                 "Sau mỗi hội nghị ban hành nghị quyết hoặc thông báo kết luận bằng văn bản"),
    "SO_GHI_CHEP": ("Chưa mở đủ sổ ghi chép hội nghị, giao ban",
                    "Chưa mở đầy đủ sổ ghi chép các cuộc họp, hội nghị, giao ban của đảng ủy, "
                    "ban thường vụ, thường trực đảng ủy",
                    "Sổ ghi biên bản sinh hoạt chi bộ chưa mở theo quy định",
                    "Mở đủ các loại sổ ghi chép hội nghị, giao ban theo quy định"),
    "QUY_CHE": ("Chậm rà soát, sửa đổi Quy chế làm việc",
                "Chậm rà soát, điều chỉnh, bổ sung Quy chế làm việc của đảng ủy nhiệm kỳ 2020 - 2025",
                "Chi bộ chưa xây dựng, ban hành Quy chế làm việc",
                "Rà soát, sửa đổi, bổ sung Quy chế làm việc của ban chấp hành, ban thường vụ, "
                "thường trực đảng ủy"),
    "TAO_NGUON": ("Chưa có kế hoạch, biện pháp tạo nguồn, phát triển đảng",
                  "Công tác tạo nguồn, phát triển đảng gặp khó khăn nhưng chưa có biện pháp, kế "
                  "hoạch cụ thể",
                  "Chi bộ chưa có kế hoạch tạo nguồn; nhiều năm không kết nạp đảng viên",
                  "Xây dựng kế hoạch tạo nguồn, phát triển đảng viên; phân công đảng viên giúp đỡ "
                  "quần chúng ưu tú"),
    "SO_DANG_VIEN": ("Sổ sách công tác đảng viên chưa đầy đủ",
                     "Mở các loại sổ sách về công tác đảng viên chưa đầy đủ theo Hướng dẫn số "
                     "12-HD/BTCTW ngày 18/01/2022",
                     "Sổ đảng viên của chi bộ chưa cập nhật đầy đủ",
                     "Lập đủ sổ sách, biểu mẫu quản lý đảng viên theo các Phụ lục của Hướng dẫn "
                     "12-HD/BTCTW"),
    "HUONG_DAN_CB": ("Chưa quan tâm hướng dẫn, kiểm tra sinh hoạt chi bộ",
                     "Chưa thật sự quan tâm lãnh đạo, kiểm tra, hướng dẫn nâng cao chất lượng sinh "
                     "hoạt của các chi bộ trực thuộc",
                     "Đảng ủy viên phụ trách ít dự sinh hoạt với chi bộ",
                     "Phân công đảng ủy viên dự sinh hoạt chi bộ; định kỳ kiểm tra sổ sách chi bộ"),
    "CHUYEN_DE": ("Sinh hoạt chuyên đề chưa đảm bảo",
                  "Nhiều chi bộ chưa tổ chức sinh hoạt chuyên đề theo quy định",
                  "Chi bộ chưa sinh hoạt chuyên đề ít nhất mỗi quý một lần",
                  "Xây dựng kế hoạch sinh hoạt chuyên đề hằng quý theo Hướng dẫn 12-HD/BTCTW "
                  "ngày 06/7/2018"),
    "KHAC": ("Khác",
             "Chưa quản lý chặt chẽ đảng viên đi làm ăn xa",
             "Chưa lập danh sách theo dõi đảng viên đi làm ăn xa",
             "Lập danh sách, theo dõi đảng viên đi làm ăn xa; giới thiệu sinh hoạt tạm thời"),
}
STATUS = {"open": "Chưa khắc phục", "in_progress": "Đang khắc phục", "resolved": "Đã khắc phục"}


@dataclass(frozen=True)
class Finding:
    plan_ref: str
    inspected_on: date
    commune: Commune
    branch: Branch | None
    category: str
    description: str
    recommendation: str
    due_date: date
    status: str
    resolved_on: date | None
    note: str | None
    category_as_code: bool


def write_registry(path: Path, communes: list[Commune]) -> None:
    book = Book(path, date(2024, 1, 2), author="Ban Tổ chức")
    ws = book.sheet("Đảng bộ")
    cols = [Col("code", "Mã", 8), Col("name", "Tên", 24), Col("kind", "Loại", 10),
            Col("from", "Hiệu lực từ", 12), Col("to", "Hiệu lực đến", 12),
            Col("into", "Sáp nhập vào", 12), Col("alt", "Tên khác", 24)]
    book.write_table(ws, 0, cols, [{"code": c.code, "name": c.full_name, "kind": c.kind,
                                    "alt": "; ".join(c.alt_names) or None} for c in communes])
    ws = book.sheet("Chi bộ")
    cols = [Col("code", "Mã chi bộ", 10), Col("name", "Tên chi bộ", 36),
            Col("commune", "Mã đảng bộ", 10), Col("kind", "Loại chi bộ", 13),
            Col("from", "Hiệu lực từ", 12), Col("to", "Hiệu lực đến", 12), Col("alt", "Tên khác", 36)]
    rows = [{"code": b.code, "name": b.name, "commune": b.commune_code, "kind": b.kind,
             "from": b.valid_from, "to": b.valid_to, "alt": "; ".join(b.alt_names) or None}
            for c in communes for b in c.branches]
    book.write_table(ws, 0, cols, rows)
    book.close()


def write_targets(path: Path, communes: list[Commune], targets: dict[tuple[str, int], int]) -> None:
    years = sorted({y for _, y in targets})
    book = Book(path, date(years[0], 1, 5), author="Ban Tổ chức")
    ws = book.sheet("Chỉ tiêu")
    book.merge(ws, 0, 0, 0, 3, "CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN", "center_bold")
    book.merge(ws, 1, 0, 1, 3, "(giao cho các đảng bộ cơ sở)", "italic")
    cols = [Col("stt", "STT", 5), Col("commune", "Đảng bộ", 28), Col("year", "Năm", 8),
            Col("target", "Chỉ tiêu kết nạp", 12)]
    rows = [{"commune": c.full_name, "year": y, "target": targets[(c.code, y)]}
            for y in years for c in communes]
    for i, row in enumerate(rows, start=1):
        row["stt"] = i
    book.write_table(ws, 3, cols, rows)
    book.close()


def _plans(first: Period, last: Period) -> list[tuple[str, date]]:
    """Up to three inspection plans inside the sample's months (refs as the board numbers them)."""
    start, end = month_days(first)[0], month_days(last)[1]
    span = (end - start).days
    plans = []
    for number, share in ((6, 0.25), (12, 0.6), (4, 0.88)):
        day = start + timedelta(days=int(span * share))
        issuer = "BTCHU" if day < date(2025, 7, 1) else "BTCTU"  # district boards end 2025-07
        plans.append((f"{number:02d}-KH/{issuer}", day))
    return plans


def make_findings(communes: list[Commune], profiles: list[Profile], first: Period, last: Period,
                  seed: int) -> list[Finding]:
    rng = random.Random(f"{seed}:inspections")
    as_of = month_days(last)[1] + timedelta(days=1)
    codes = list(CATEGORIES)
    findings = []
    for (ref, plan_day), coverage in zip(_plans(first, last), (0.86, 0.45, 0.55)):
        chosen = sorted(rng.sample(range(len(communes)), max(1, round(len(communes) * coverage))))
        for ci in chosen:
            c, pf = communes[ci], profiles[ci]
            # a short sample ends soon after its last plan: no visit after the register's date
            visited = min(plan_day + timedelta(days=rng.randint(0, 25)), as_of - timedelta(days=1))
            open_branches = [b for b in c.branches if b.active(visited, visited)]
            weights = [4 if code in ("KET_LUAN", "BIEN_BAN", "HUONG_DAN_CB") else 2 for code in codes]
            n = rng.choices((1, 2, 3), (2 + 2 * pf.discipline, 4, 1 + 2 * (1 - pf.discipline)))[0]
            for code in dict.fromkeys(rng.choices(codes, weights, k=n)):
                branch = rng.choice(open_branches) if rng.random() < 0.35 else None
                name, at_commune, at_branch, advice = CATEGORIES[code]
                prev = visited.replace(day=1) - timedelta(days=1)
                text = (at_branch if branch else at_commune).format(m=prev.month, y=prev.year)
                due = visited + timedelta(days=rng.choice((30, 45, 60, 90, 120)))
                findings.append(_follow_up(rng, ref, visited, c, branch, code, text, advice, due,
                                           as_of, pf.discipline))
    return findings


def _follow_up(rng, ref, visited, c, branch, code, text, advice, due, as_of, discipline) -> Finding:
    age = (as_of - visited).days
    # a remedy takes a week at least: nothing found in the register's last week is resolved yet
    p_resolved = min(0.92, 0.1 + age / 700 + 0.35 * discipline) if age > 7 else 0.0
    roll = rng.random()
    note = None
    if roll < p_resolved:
        status = "resolved"
        latest = min(as_of - timedelta(days=1), due + timedelta(days=45))
        resolved = visited + timedelta(days=rng.randint(7, max(7, (latest - visited).days)))
        resolved = min(resolved, as_of - timedelta(days=1))
        note = "Đã có báo cáo khắc phục bằng văn bản" if rng.random() < 0.4 else None
    else:
        status = "in_progress" if roll < p_resolved + (1 - p_resolved) / 2 else "open"
        resolved = None
        if due < as_of and rng.random() < 0.5:
            note = "Quá hạn, đề nghị báo cáo giải trình"
    return Finding(ref, visited, c, branch, code, text, advice, due, status, resolved, note,
                   category_as_code=rng.random() < 0.3)


def write_inspections(path: Path, findings: list[Finding], as_of: date) -> None:
    book = Book(path, as_of, author="Ban Tổ chức")
    ws = book.sheet("So theo doi")
    book.merge(ws, 0, 0, 0, 11, "SỔ THEO DÕI KẾT QUẢ KIỂM TRA, NẮM TÌNH HÌNH", "center_bold")
    book.merge(ws, 1, 0, 1, 11, "(Cập nhật đến ngày " + as_of.strftime("%d/%m/%Y") + ")", "italic")
    cols = [Col("stt", "STT", 5), Col("plan", "Số kế hoạch", 13), Col("on", "Ngày kiểm tra", 12),
            Col("commune", "Đảng bộ", 20), Col("branch", "Chi bộ", 24),
            Col("category", "Nhóm hạn chế", 28), Col("desc", "Nội dung hạn chế", 48),
            Col("advice", "Kiến nghị", 48), Col("due", "Hạn khắc phục", 12),
            Col("status", "Tình trạng", 15), Col("resolved", "Ngày khắc phục", 12),
            Col("note", "Ghi chú", 30)]
    rows = []
    for i, f in enumerate(sorted(findings, key=lambda f: (f.inspected_on, f.commune.code)), start=1):
        rows.append({"stt": i, "plan": f.plan_ref, "on": f.inspected_on, "commune": f.commune.full_name,
                     "branch": f.branch.name if f.branch else None,
                     "category": f.category if f.category_as_code else CATEGORIES[f.category][0],
                     "desc": f.description, "advice": f.recommendation, "due": f.due_date,
                     "status": STATUS[f.status], "resolved": f.resolved_on, "note": f.note})
    book.write_table(ws, 3, cols, rows)
    book.close()
