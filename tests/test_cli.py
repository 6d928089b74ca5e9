"""The command line of SPEC §4, run as a real subprocess: exit codes, JSON shape, check writes
nothing, --received-on, WAREHOUSE_DB and --db, template that loads once filled."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from builders import S2, clone, monthly_book, registry_book, write_book

ROOT = Path(__file__).resolve().parents[1]


def etl(*args, env=None, db=None):
    environ = {**os.environ, **(env or {})}
    environ.pop("WAREHOUSE_DB", None) if env is None else None
    cmd = [sys.executable, "-m", "etl", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=environ, timeout=120)


@pytest.fixture
def files(tmp_path):
    bad = clone(monthly_book())
    bad[S2][4][7] = 999
    return {
        "registry": write_book(tmp_path / "in" / "danh-muc.xlsx", registry_book()),
        "good": write_book(tmp_path / "in" / "thang-3.xlsx", monthly_book()),
        "bad": write_book(tmp_path / "in" / "sai" / "thang-3-sai.xlsx", bad),
    }


def test_load_json_document_and_exit_codes(tmp_path, files):
    db = tmp_path / "w.duckdb"
    p = etl("load", "--db", str(db), "--json", "--received-on", "2024-04-03", str(tmp_path / "in"))
    assert p.returncode == 1, p.stderr  # one file rejected, the others loaded
    doc = json.loads(p.stdout)
    assert list(doc) == ["files", "data_quality"]  # monthly reports touched: their flags (none)
    by_file = {f["file"]: f for f in doc["files"]}
    assert {f: by_file[f]["status"] for f in by_file} == {
        "danh-muc.xlsx": "loaded", "thang-3.xlsx": "loaded", "thang-3-sai.xlsx": "rejected"}
    good = by_file["thang-3.xlsx"]
    assert set(good) == {"file", "kind", "status", "commune", "period", "rows", "problems"}
    assert (good["kind"], good["commune"], good["period"]) == ("monthly", "X01", "2024-03")
    assert good["rows"] == {"committee_meetings": 2, "branch_meetings": 4, "recruitment": 4}
    [problem] = by_file["thang-3-sai.xlsx"]["problems"]
    assert set(problem) == {"severity", "code", "sheet", "cell", "row", "column", "message"}
    assert (problem["severity"], problem["code"], problem["sheet"], problem["cell"], problem["row"],
            problem["column"]) == ("error", "over_total", S2, "H5", 5, "Số đảng viên dự")
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT received_at::DATE::VARCHAR FROM report_submissions").fetchall() == [("2024-04-03",)]
    con.close()
    again = etl("load", "--db", str(db), "--json", str(files["registry"]), str(files["good"]))
    assert again.returncode == 0
    unchanged = json.loads(again.stdout)["files"]
    assert [f["status"] for f in unchanged] == ["unchanged", "unchanged"]
    # described as when they loaded, from the warehouse (the files are not read again)
    assert [{k: f[k] for k in ("kind", "commune", "period", "rows")} for f in unchanged] == [
        {"kind": "registry", "commune": None, "period": None, "rows": by_file["danh-muc.xlsx"]["rows"]},
        {"kind": "monthly", "commune": "X01", "period": "2024-03", "rows": good["rows"]}]


def test_text_output_is_vietnamese(tmp_path, files):
    p = etl("load", "--db", str(tmp_path / "w.duckdb"), str(tmp_path / "in"))
    assert "BỊ TỪ CHỐI" in p.stdout and "ĐÃ NẠP" in p.stdout and "Lỗi over_total: 2. Sinh hoạt chi bộ!H5" in p.stdout


def test_check_writes_nothing(tmp_path, files):
    db = tmp_path / "w.duckdb"
    assert etl("load", "--db", str(db), str(files["registry"])).returncode == 0
    before = db.read_bytes()
    p = etl("check", "--db", str(db), "--json", str(files["good"]), str(files["bad"]))
    assert p.returncode == 1
    assert [f["status"] for f in json.loads(p.stdout)["files"]] == ["checked", "rejected"]
    assert db.read_bytes() == before
    assert not (tmp_path / "other.duckdb").exists()


def test_check_applies_the_folders_registry_as_load_does(tmp_path, files):
    """No warehouse yet: the registry in the folder is what the reports are checked against,
    also for a report listed before it; nothing is written, not even an empty warehouse."""
    early = write_book(tmp_path / "in" / "a-thang-3.xlsx", monthly_book(month=4))
    db = tmp_path / "none.duckdb"
    p = etl("check", "--db", str(db), "--json", str(tmp_path / "in"))
    assert p.returncode == 1, p.stderr
    by_file = {f["file"]: f for f in json.loads(p.stdout)["files"]}
    assert {f: (d["status"], [x["code"] for x in d["problems"]]) for f, d in by_file.items()} == {
        early.name: ("checked", []), "danh-muc.xlsx": ("checked", []), "thang-3.xlsx": ("checked", []),
        "thang-3-sai.xlsx": ("rejected", ["over_total"])}
    assert by_file["thang-3.xlsx"]["commune"] == "X01"
    assert not db.exists()


def test_warehouse_db_env_and_db_flag(tmp_path, files):
    env_db, flag_db = tmp_path / "env.duckdb", tmp_path / "flag.duckdb"
    assert etl("load", str(files["registry"]), env={"WAREHOUSE_DB": str(env_db)}).returncode == 0
    assert env_db.exists()
    assert etl("load", "--db", str(flag_db), str(files["registry"]), env={"WAREHOUSE_DB": str(env_db)}).returncode == 0
    assert flag_db.exists()


@pytest.mark.parametrize("args", [[], ["load"], ["frobnicate"], ["load", "/no/such/file.xlsx"],
                                  ["template", "--commune", "X01", "--month", "2024-13"],
                                  ["load", "--received-on", "03/04/2024", "x.xlsx"]])
def test_usage_errors_exit_2(args):
    p = etl(*args)
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_template_needs_an_existing_warehouse_and_creates_none(tmp_path):
    db, out = tmp_path / "khong-co.duckdb", tmp_path / "mau.xlsx"
    p = etl("template", "--db", str(db), "--commune", "X01", "--month", "2024-03", "-o", str(out))
    assert p.returncode == 1 and "Không tìm thấy kho dữ liệu" in p.stderr and "Traceback" not in p.stderr
    assert not db.exists() and not out.exists()


def test_template_reads_the_warehouse_without_changing_it(tmp_path, warehouse_file):
    before = warehouse_file.read_bytes()
    out = tmp_path / "mau.xlsx"
    p = etl("template", "--db", str(warehouse_file), "--commune", "X01", "--month", "2024-03", "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert out.exists() and warehouse_file.read_bytes() == before


def test_template_loads_once_filled(tmp_path, files):
    db = tmp_path / "w.duckdb"
    assert etl("load", "--db", str(db), str(files["registry"])).returncode == 0
    out = tmp_path / "mau.xlsx"
    p = etl("template", "--db", str(db), "--commune", "X01", "--month", "2024-12", "-o", str(out))
    assert p.returncode == 0, p.stderr
    # The blank template loads as it is: the commune, the period and every branch are already there.
    blank = etl("check", "--db", str(db), "--json", str(out))
    doc = json.loads(blank.stdout)["files"][0]
    assert (doc["kind"], doc["commune"], doc["period"]) == ("monthly", "X01", "2024-12"), doc
    wb = openpyxl.load_workbook(out)
    ws = wb["2. Sinh hoạt chi bộ"]
    header = next(r for r in range(1, 10) if ws.cell(r, 2).value == "Tên chi bộ" or ws.cell(r, 1).value == "Mã chi bộ")
    cols = {ws.cell(header, c).value: c for c in range(1, 20) if ws.cell(header, c).value}
    r = header + 1
    filled = 0
    while ws.cell(r, cols["Tên chi bộ"]).value:
        for name, value in (("Tổng số đảng viên", 20), ("Sinh hoạt thường kỳ", "Có"), ("Ngày sinh hoạt", "03/12/2024"),
                            ("Số đảng viên dự", 18), ("Tự đánh giá chất lượng", "Khá")):
            ws.cell(r, cols[name]).value = value
        r, filled = r + 1, filled + 1
    ws1 = wb["1. Hội nghị cấp ủy"]
    h1 = next(r for r in range(1, 10) if ws1.cell(r, 1).value == "Ngày họp")
    for c, v in enumerate(["02/12/2024", "Ban Chấp hành", "Thường kỳ", 15, 14, "Có", "20-KL/ĐU", "03/12/2024"], 1):
        ws1.cell(h1 + 1, c).value = v
    ws4 = wb["4. Xếp loại cuối năm"]
    h4 = next(r for r in range(1, 10) if ws4.cell(r, 1).value == "Tên chi bộ")
    r = h4 + 1
    while ws4.cell(r, 1).value:
        ws4.cell(r, 2).value = "Hoàn thành tốt nhiệm vụ"
        r += 1
    wb.save(out)
    p = etl("load", "--db", str(db), "--json", str(out))
    doc = json.loads(p.stdout)["files"][0]
    assert p.returncode == 0 and doc["status"] == "loaded" and doc["problems"] == [], doc
    assert doc["rows"]["branch_meetings"] == filled == 4
    assert doc["rows"]["annual_ratings"] == 4
