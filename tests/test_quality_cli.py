"""`load` and `check` print the data-quality flags the monthly reports they take raise (SPEC §4
`data_quality`); `check` evaluates them against the warehouse plus the checked files and writes
nothing. Workbooks are built by code (tests/builders.py)."""
from __future__ import annotations

import json

import duckdb

from builders import S2, clone, monthly_book, registry_book, write_book
from test_cli import etl


def _books(tmp_path):
    april = clone(monthly_book(month=4))
    april[S2][5][3] = 16  # Chi bộ thôn 2 (row 6): 21 members in March, 16 now, no change in sheet 3
    april[S2][5][7] = 15  # (attended 18 would be over the total)
    return (write_book(tmp_path / "danh-muc.xlsx", registry_book()),
            write_book(tmp_path / "t3.xlsx", monthly_book(month=3)),
            write_book(tmp_path / "t4.xlsx", april))


def test_load_prints_the_flags_its_reports_raise(tmp_path):
    registry, march, april = _books(tmp_path)
    db = tmp_path / "w.duckdb"
    first = etl("load", "--db", str(db), "--json", str(registry), str(march))
    assert json.loads(first.stdout)["data_quality"] == []
    p = etl("load", "--db", str(db), "--json", str(april))
    assert p.returncode == 0, p.stderr
    [flag] = json.loads(p.stdout)["data_quality"]
    assert set(flag) == {"commune", "branch", "period", "rule", "field", "value", "expected", "message"}
    assert (flag["commune"], flag["branch"], flag["period"], flag["rule"], flag["field"], flag["value"],
            flag["expected"]) == ("X01", "X01-02", "2024-04", "members_unexplained_change", "members_total", 16, 21)
    assert "Tổng số đảng viên 16" in flag["message"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT sheet, cell, source_file FROM data_quality_flags").fetchall() == [(S2, "D6", "t4.xlsx")]
    con.close()
    text = etl("load", "--db", str(db), str(april), str(march)).stdout  # unchanged: nothing newly raised
    assert "chất lượng số liệu" not in text


def test_check_says_what_a_load_would_raise_and_writes_nothing(tmp_path):
    registry, march, april = _books(tmp_path)
    db = tmp_path / "w.duckdb"
    etl("load", "--db", str(db), str(registry), str(march))
    before = db.read_bytes()
    p = etl("check", "--db", str(db), str(april))
    assert p.returncode == 0, p.stderr
    assert "Cảnh báo chất lượng số liệu qua các tháng (1):" in p.stdout
    assert "X01 X01-02, tháng 4/2024, 2. Sinh hoạt chi bộ!D6: Tổng số đảng viên 16" in p.stdout
    assert db.read_bytes() == before
    # without the warehouse the April file has no March to compare with
    alone = etl("check", "--json", "--db", str(tmp_path / "none.duckdb"), str(registry), str(april))
    assert json.loads(alone.stdout)["data_quality"] == []
    both = etl("check", "--json", "--db", str(tmp_path / "none.duckdb"), str(registry), str(march), str(april))
    assert [f["branch"] for f in json.loads(both.stdout)["data_quality"]] == ["X01-02"]


def test_a_run_without_monthly_reports_has_no_data_quality_key(tmp_path):
    registry, _, _ = _books(tmp_path)
    p = etl("load", "--db", str(tmp_path / "w.duckdb"), "--json", str(registry))
    assert list(json.loads(p.stdout)) == ["files"]
