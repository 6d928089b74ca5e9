"""The demo sample generator: deterministic, the right counts, consistent rows, messy files.

The files are read back with python-calamine by a small independent reader (header found by
normalised text, abbreviations expanded), not with the generator's own code.
"""
from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from etl.sample import SampleFile, generate, month_range
from etl.sample.__main__ import main
from etl.sample.activity import make_profile, make_targets, month_days, simulate
from etl.sample.oddities import RECORD, read_record
from etl.sample.units import build_communes

MONTHS = 34  # 2024-01 .. 2026-10


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, list[SampleFile]]:
    out = tmp_path_factory.mktemp("sample")
    return out, generate(out)


@pytest.fixture(scope="module")
def monthly(sample) -> list[tuple[SampleFile, dict[str, list[list]]]]:
    return [(f, read(f.path)) for f in sample[1] if f.kind == "monthly"]


def read(path: Path) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


_ABBR = {"đv": "đảng viên", "sh": "sinh hoạt", "cb": "chi bộ", "uv": "ủy viên"}


def norm(value) -> str:
    text = unicodedata.normalize("NFC", str(value)).lower()
    text = text.replace("uỷ", "ủy")
    text = re.sub(r"\b(đv|sh|cb|uv)\b", lambda m: _ABBR[m.group(1)], text)
    return " ".join(text.split())


def number(value) -> int | None:
    if value in ("", None):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    return int(re.match(r"\s*(\d+)", value).group(1))


def as_date(value) -> date | None:
    if value in ("", None):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = re.fullmatch(r"ngày (\d+) tháng (\d+) năm (\d{4})", value) or re.fullmatch(r"(\d+)[/.-](\d+)[/.-](\d{4})", value)
    assert m, f"not a date: {value!r}"
    return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))


YES, NO = {"x", "✓", "có", "1"}, {"", "không", "0"}


def yes(value) -> bool:
    text = norm(value if not isinstance(value, float) else int(value))
    assert text in YES | NO, f"not a yes/no: {value!r}"
    return text in YES


def table(rows: list[list], first_header: str) -> tuple[dict[str, int], list[list], list | None]:
    """(column index by normalised header, data rows, totals row) of the table whose header row
    has `first_header`; a second header row under merged group cells is folded in."""
    for i, row in enumerate(rows):
        headers = [norm(v) for v in row]
        if first_header not in headers:
            continue
        below = [norm(v) for v in rows[i + 1]] if i + 1 < len(rows) else []
        cols = {h: j for j, h in enumerate(headers) if h}
        start = i + 1
        if "có/không" in below:  # two-row header: 'Sinh hoạt thường kỳ' over 'Có/Không', 'Ngày'
            cols["sinh hoạt thường kỳ"] = below.index("có/không")
            cols["ngày sinh hoạt"] = below.index("ngày")
            start += 1
        if start < len(rows) and str(rows[start][0]).strip() == "(1)":
            start += 1
        data, totals, blanks = [], None, 0
        name_col = cols["tên chi bộ"]
        for row in rows[start:]:
            label = norm(row[name_col]) if name_col < len(row) else ""
            first = norm(row[0])
            if label in ("cộng", "tổng cộng", "tổng số"):
                totals = row
                break
            if first.startswith(("nơi nhận", "t/m")):
                break
            if all(v == "" for v in row):
                blanks += 1
                if blanks == 2:
                    break
                continue
            blanks = 0
            data.append(row)
        return cols, data, totals
    raise AssertionError(f"no header {first_header!r}")


def find_sheet(book: dict[str, list[list]], header: str) -> list[list] | None:
    for rows in book.values():
        if any(header in (norm(v) for v in row) for row in rows[:20]):
            return rows
    return None


def test_deterministic(tmp_path):
    a = generate(tmp_path / "a", communes=3, first="2024-11", last="2025-02", seed=7)
    b = generate(tmp_path / "b", communes=3, first="2024-11", last="2025-02", seed=7)
    assert [(f.path.relative_to(tmp_path / "a"), f.kind, f.period, f.received_on) for f in a] == \
           [(f.path.relative_to(tmp_path / "b"), f.kind, f.period, f.received_on) for f in b]
    for fa, fb in zip(a, b):
        assert read(fa.path) == read(fb.path)
        assert fa.path.read_bytes() == fb.path.read_bytes()
    c = generate(tmp_path / "c", communes=3, first="2024-11", last="2025-02", seed=8)
    assert any(read(fa.path) != read(fc.path) for fa, fc in zip(a, c))  # the seed matters


def test_registry_and_counts(sample):
    out, files = sample
    kinds = Counter(f.kind for f in files)
    assert kinds["registry"] == kinds["targets"] == kinds["inspections"] == 1
    assert 14 * MONTHS * 0.96 <= kinds["monthly"] < 14 * MONTHS  # a few reports never arrive
    missing = Counter({f"BL{i:02d}": MONTHS for i in range(1, 15)})
    missing.subtract(f.commune_code for f in files if f.kind == "monthly")
    assert max(missing.values()) >= 2  # one commune is noticeably worse

    reg = read(out / "danh-muc-don-vi.xlsx")
    communes = reg["Đảng bộ"][1:]
    assert [r[0] for r in communes] == [f"BL{i:02d}" for i in range(1, 15)]
    assert communes[0][1] == "Thị trấn Lộc Thắng" and communes[5][1] == "Xã Lộc Ngãi"
    branches = reg["Chi bộ"][1:]
    for code in (r[0] for r in communes):
        mine = [r for r in branches if r[2] == code]
        for day in (date(2024, 1, 1), date(2026, 10, 31)):
            open_ = [r for r in mine if (as_date(r[4]) or day) <= day <= (as_date(r[5]) or day)]
            assert 6 <= len(open_) <= 15, (code, day, len(open_))
        assert all(r[0].startswith(code + "-") for r in mine)
    closed = [r for r in branches if as_date(r[5]) == date(2025, 6, 30)]
    opened = [r for r in branches if as_date(r[4]) == date(2025, 7, 1)]
    assert len(closed) == 2 and len(opened) == 1 and {r[2] for r in closed + opened} == {"BL06"}
    assert any(r[6] for r in branches) and any(r[6] for r in communes)  # 'Tên khác' used


def test_manifest_and_timing(sample):
    out, files = sample
    with (out / "manifest.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(files)
    assert {r["path"] for r in rows} == {f.path.relative_to(out).as_posix() for f in files}
    delays = []
    for f in files:
        if f.kind == "monthly":
            assert f.path.parent.name == f.commune_code
            delays.append((f.received_on - month_days((int(f.period[:4]), int(f.period[5:])))[1]).days)
    assert min(delays) >= 1 and max(delays) <= 25
    assert 0.75 <= sum(d <= 5 for d in delays) / len(delays) < 1  # most on time, a few late


def test_monthly_rows_consistent(monthly):
    warnings = Counter()
    for f, book in monthly:
        year, month = int(f.period[:4]), int(f.period[5:])
        first, last = month_days((year, month))
        rows = find_sheet(book, "tổng số đảng viên")
        cols, data, totals = table(rows, "tổng số đảng viên")
        assert 5 <= len(data) <= 15, f.path
        sums = Counter()
        for row in data:
            # A cell starting like a signature line would end the table early (SPEC §2).
            assert not any(norm(v).startswith(("bí thư", "t/m", "người lập", "nơi nhận")) for v in row), row
            members = number(row[cols["tổng số đảng viên"]])
            exempt = number(row[cols["số đảng viên được miễn sinh hoạt"]]) or 0
            attended = number(row[cols["số đảng viên dự"]])
            held = yes(row[cols["sinh hoạt thường kỳ"]])
            when = as_date(row[cols["ngày sinh hoạt"]])
            quality = norm(row[cols["tự đánh giá chất lượng"]])
            assert 0 <= exempt <= 4 and 8 <= members <= 60, (f.path, row)
            if held:
                assert attended is not None and 1 <= attended <= members, (f.path, row)
                assert first <= when <= last, (f.path, row)
                assert quality in ("tốt", "khá", "trung bình", "kém"), (f.path, row)
                warnings["over_active"] += attended > members - exempt
            else:
                assert attended is None and when is None and quality == "", (f.path, row)
            sums["members"] += members
            sums["attended"] += attended or 0
        if totals:
            assert number(totals[cols["tổng số đảng viên"]]) == sums["members"], f.path
            assert number(totals[cols["số đảng viên dự"]]) == sums["attended"], f.path
        cols, meetings, _ = committee_table(book)
        assert 1 <= len(meetings) <= 3, f.path
        for row in meetings:
            held_on = as_date(row[cols["ngày họp"]])
            assert number(row[cols["số có mặt"]]) <= number(row[cols["số ủy viên"]]), (f.path, row)
            issued_on = as_date(row[cols["ngày ban hành"]])
            assert issued_on is None or 1 <= (issued_on - held_on).days <= 10, (f.path, row)
            if issued_on:
                assert yes(row[cols["ban hành nghị quyết/kết luận"]]), (f.path, row)
            warnings["date_outside_period"] += not first <= held_on <= last
    assert 1 <= warnings["over_active"] <= 6
    assert warnings["date_outside_period"] == 1


def committee_table(book):
    rows = find_sheet(book, "ngày họp")
    for i, row in enumerate(rows):
        headers = [norm(v) for v in row]
        if "ngày họp" in headers:
            cols = {h: j for j, h in enumerate(headers) if h}
            start = i + 2 if str(rows[i + 1][0]).strip() == "(1)" else i + 1
            data = []
            for r in rows[start:]:
                if all(v == "" for v in r) or norm(r[0]).startswith("nơi nhận"):
                    break
                data.append(r)
            return cols, data, None
    raise AssertionError("no committee table")


def test_december_ratings_and_branch_missing(monthly, sample):
    out, _ = sample
    registry = read(out / "danh-muc-don-vi.xlsx")["Chi bộ"][1:]
    short = 0
    for f, book in monthly:
        _, data, _ = table(find_sheet(book, "tổng số đảng viên"), "tổng số đảng viên")
        d = date(int(f.period[:4]), int(f.period[5:]), 15)
        open_ = [r for r in registry if r[2] == f.commune_code
                 and (as_date(r[4]) or d) <= d <= (as_date(r[5]) or d)]
        short += len(data) < len(open_)
        if f.period.endswith("-12"):
            assert find_sheet(book, "xếp loại tổ chức đảng") is not None, f.path
        else:
            assert find_sheet(book, "xếp loại tổ chức đảng") is None, f.path
    assert short == 1  # one branch forgotten in one report


def all_strings(book):
    return [v for rows in book.values() for row in rows for v in row if isinstance(v, str) and v]


def test_messy_variations_present(monthly, sample):
    found = Counter()
    communes = {}
    for f, book in monthly:
        strings = all_strings(book)
        normed = {norm(s) for s in strings}
        features = {
            "nfd": any(unicodedata.normalize("NFC", s) != s for s in strings),
            "no_cover": "ngày triển khai nhiệm vụ tháng sau cho chi bộ" not in normed,
            "totals": bool(normed & {"cộng", "tổng cộng", "tổng số"}),
            "two_row": "có/không" in normed,
            "numbering": "(1)" in normed,
            "title_block": "đảng cộng sản việt nam" in normed,
            "signature": "t/m đảng ủy" in normed,
            "abbrev": any(re.search(r"\b(ĐV|SH|CB|UV)\b", s) for s in strings),
            "line_break": any("\n" in s for s in strings),
            "other_tone": any(re.search(r"[Hh]oà|[Tt]huỷ|uỷ", unicodedata.normalize("NFC", s)) for s in strings),
            "zero_padded": any(re.search(r"(Thôn|Tổ dân phố) 0\d", unicodedata.normalize("NFC", s)) for s in strings),
            "text_date": any(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", s) for s in strings),
            "dash_date": any(re.fullmatch(r"\d\d-\d\d-\d{4}", s) for s in strings),
            "dot_date": any(re.fullmatch(r"\d\d\.\d\d\.\d{4}", s) for s in strings),
            "words_date": any(re.fullmatch(r"ngày \d\d tháng \d+ năm \d{4}", s) for s in strings),
            "text_number": any(re.fullmatch(r" \d+ ", s) for s in strings),
            "dc_number": any(re.fullmatch(r"\d+ đ/c", s) for s in strings),
            "yes_check": "✓" in strings,
            "sheet_shcb": any(n in ("SHCB", "Bieu 2", "Sinh hoat chi bo") for n in book),
            "cover_bia": "Bia" in book or "Bìa" in book,
            "xlsm": f.path.suffix == ".xlsm",
            "title_period": any(re.fullmatch(r"(BÁO CÁO THÁNG \d+ NĂM \d{4}|tháng \d\d/\d{4})",
                                             unicodedata.normalize("NFC", s)) for s in strings),
        }
        for name, present in features.items():
            if present:
                found[name] += 1
                communes.setdefault(name, set()).add(f.commune_code)
    for name in ("nfd", "no_cover", "totals", "two_row", "numbering", "title_block", "signature",
                 "abbrev", "line_break", "other_tone", "zero_padded", "text_date", "dash_date",
                 "dot_date", "words_date", "text_number", "dc_number", "yes_check", "sheet_shcb",
                 "cover_bia", "title_period"):
        assert found[name] >= 3, (name, found[name])
    for name in ("nfd", "no_cover", "totals", "two_row"):
        assert len(communes[name]) >= 2, name
    assert found["xlsm"] == 1
    assert found["no_cover"] <= 0.05 * len(monthly)  # "a few" reports without a cover


def test_no_cover_reports_carry_the_period_in_a_title(monthly):
    for f, book in monthly:
        strings = [unicodedata.normalize("NFC", s) for s in all_strings(book)]
        if any(s == "Ngày triển khai nhiệm vụ tháng sau cho chi bộ" for s in strings):
            continue
        year, month = int(f.period[:4]), int(f.period[5:])
        titles = {f"BÁO CÁO THÁNG {month} NĂM {year}", f"tháng {month:02d}/{year}", f"(Tháng {month} năm {year})"}
        assert titles & set(strings), f.path
        assert any(norm(s).startswith("đảng ủy ") for s in strings), f.path


def test_targets_and_inspections(sample):
    out, _ = sample
    targets = read(out / "chi-tieu-ket-nap.xlsx")
    rows = next(iter(targets.values()))
    cols, start = None, 0
    for i, row in enumerate(rows):
        if "Chỉ tiêu kết nạp" in row:
            cols, start = {h: j for j, h in enumerate(row)}, i + 1
            break
    data = [r for r in rows[start:] if r[cols["Đảng bộ"]]]
    assert Counter(int(r[cols["Năm"]]) for r in data) == {2024: 14, 2025: 14, 2026: 14}
    assert all(2 <= r[cols["Chỉ tiêu kết nạp"]] <= 30 for r in data)

    rows = next(iter(read(out / "so-theo-doi-kiem-tra.xlsx").values()))
    header = next(i for i, r in enumerate(rows) if "Nhóm hạn chế" in r)
    cols = {h: j for j, h in enumerate(rows[header])}
    findings = [r for r in rows[header + 1:] if r[cols["Số kế hoạch"]]]
    assert 40 <= len(findings) <= 60
    assert 2 <= len({r[cols["Số kế hoạch"]] for r in findings}) <= 3
    as_of = date(2026, 11, 1)
    overdue = resolved = 0
    for r in findings:
        inspected, due = as_date(r[cols["Ngày kiểm tra"]]), as_date(r[cols["Hạn khắc phục"]])
        fixed = as_date(r[cols["Ngày khắc phục"]])
        status = r[cols["Tình trạng"]]
        assert status in ("Chưa khắc phục", "Đang khắc phục", "Đã khắc phục")
        assert inspected < due and (fixed is None) == (status != "Đã khắc phục")
        assert fixed is None or inspected < fixed < as_of
        overdue += status != "Đã khắc phục" and due < as_of
        resolved += status == "Đã khắc phục"
        assert r[cols["Nội dung hạn chế"]] and r[cols["Kiến nghị"]]
    assert overdue >= 2 and resolved >= 10


def test_province_scale_and_cli(tmp_path, capsys):
    files = generate(tmp_path / "p", communes=20, first="2026-01", last="2026-02", branches=(28, 32),
                     messy=False)
    monthly = [f for f in files if f.kind == "monthly"]
    assert {f.commune_code for f in monthly} >= {"BL14", "P001", "P006"}
    _, data, _ = table(find_sheet(read(monthly[-1].path), "tổng số đảng viên"), "tổng số đảng viên")
    assert 26 <= len(data) <= 32
    for f in monthly:  # clean mode: the template's layout everywhere
        book = read(f.path)
        assert list(book)[:3] == ["Thông tin chung", "1. Hội nghị cấp ủy", "2. Sinh hoạt chi bộ"]
        assert book["2. Sinh hoạt chi bộ"][0][:3] == ["Mã chi bộ", "Tên chi bộ", "Tổng số đảng viên"]

    assert main([str(tmp_path / "cli"), "--communes", "2", "--first", "2024-12", "--last", "2025-01"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("Đã tạo ") and "báo cáo tháng" in line and "\n" not in line
    assert (tmp_path / "cli" / "manifest.csv").exists()
    assert main([str(tmp_path / "bad"), "--first", "2025-13"]) == 2


def test_member_counts_carry_over_and_confirmations_lag_a_year():
    periods = month_range("2024-01", "2025-12")
    communes = build_communes(2, (7, 9), random.Random(1))
    targets = make_targets(communes, [2024, 2025], 1)
    for i, c in enumerate(communes):
        profile = make_profile(i, 2, periods, random.Random(i), worst=False)
        reports = simulate(c, profile, periods, targets, {}, random.Random(10 + i))
        last_count, admitted = {}, {}
        for month, report in enumerate(reports):
            for r in report.rows:
                code = r.branch.code
                if code in last_count:
                    assert r.members_total == (last_count[code] + r.admitted + r.transferred_in
                                               - r.transferred_out - r.deceased - r.removed)
                if month >= 12 and r.branch.valid_from is None and r.branch.valid_to is None:
                    assert r.confirmed_official == admitted.get((code, month - 12), 0)
                last_count[code], admitted[(code, month)] = r.members_total, r.admitted
        for year in (2024, 2025):
            total = sum(r.admitted for rep in reports if rep.period[0] == year for r in rep.rows)
            assert 0.4 * targets[(c.code, year)] <= total <= 1.5 * targets[(c.code, year)]


@pytest.mark.parametrize("first, last", [("2026-01", "2026-03"), ("2026-01", "2026-01")])
def test_a_short_sample_loads_whole(tmp_path, first, last):
    """Regression: over a few months the last plan's visits fell after the register's date and
    their remedies before the visit, so the inspection register was rejected (date_order)."""
    from etl.ingest.load import load_paths
    from etl.warehouse import db

    generate(tmp_path / "s", communes=24, first=first, last=last, messy=False)
    with db.connect(tmp_path / "kho.duckdb") as con:
        results = load_paths(con, [tmp_path / "s"])
    assert [(r.file, [p.code for p in r.problems]) for r in results if r.status != "loaded"] == []


def test_oddities_are_off_by_default_and_change_only_their_reports(tmp_path, capsys):
    """Without `oddities` no report changes and no list is written (an earlier list is removed);
    with it, only the reports carrying an oddity differ, byte for byte: the month of each, and for
    a member count the months after it too (the count stays off). Deterministic from the seed."""
    span = dict(communes=3, first="2025-06", last="2026-03", seed=5)
    plain = generate(tmp_path / "a", **span)
    odd = generate(tmp_path / "b", **span, oddities=True)
    record = read_record(tmp_path / "b")
    assert record and not (tmp_path / "a" / RECORD).exists()
    assert [f.path.name for f in plain] == [f.path.name for f in odd]
    changed = {(f.commune_code, f.period) for f, g in zip(plain, odd) if f.path.read_bytes() != g.path.read_bytes()}
    reported = {(f.commune_code, f.period) for f in plain if f.kind == "monthly"}
    carrying = set()
    for o in record:
        carrying |= {(c, p) for c, p in reported if c == o.commune_code
                     and (p == o.period or o.rule == "members_unexplained_change" and p > o.period)}
    assert changed == carrying
    assert main([str(tmp_path / "c"), *(f"--{k}={v}" for k, v in span.items()), "--oddities"]) == 0
    assert read_record(tmp_path / "c") == record
    assert f"{len(record)} số liệu bất thường cài sẵn" in capsys.readouterr().out
    generate(tmp_path / "b", **span)
    assert not (tmp_path / "b" / RECORD).exists()
