"""The command line's JSON answer read back as the library's objects (Problem.from_json,
FileResult.from_json), the way the dashboard reads the answer of `python -m etl check/load`, and
the display name of an uploaded file carried as data: the checks write their messages with it."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from builders import monthly_book, write_book
from etl import __main__ as cli
from etl.ingest.check import FileResult, check_paths
from etl.ingest.load import load_paths
from etl.ingest.units import Registry
from etl.problems import CODES, Problem

SPEC = Path("/work/shared/forms/SPEC.md")


@pytest.mark.parametrize("code", sorted(CODES))
def test_a_problem_comes_back_from_its_json(code):
    p = Problem(code, f"Lỗi '{code}' ở ô C6.", file="Báo cáo T3.xlsx", sheet="2. Sinh hoạt chi bộ", cell="C6", row=6,
                column="Tên chi bộ")
    assert Problem.from_json(json.loads(json.dumps(p.as_json())), file=p.file) == p
    assert Problem.from_json(p.as_json()).as_json() == p.as_json()


def test_a_problem_from_json_refuses_what_the_registry_does_not_say():
    with pytest.raises(ValueError, match="unknown problem code 'too_many'"):
        Problem.from_json({"severity": "error", "code": "too_many", "message": "…"})
    with pytest.raises(ValueError, match="severity"):
        Problem.from_json({"severity": "warning", "code": "unreadable", "message": "…"})


def test_the_command_lines_answer_reads_back_as_its_results(tmp_path, warehouse):
    good = write_book(tmp_path / "in" / "a.xlsx", monthly_book())
    bad = write_book(tmp_path / "in" / "b.xlsx", monthly_book(branches=["Chi bộ thôn 1", "Thôn 12"]))
    junk = tmp_path / "in" / "c.xlsx"
    junk.write_bytes(b"not a workbook")
    results = check_paths([good, bad, junk], Registry.from_db(warehouse))
    assert [r.status for r in results] == ["checked", "rejected", "rejected"] and results[1].problems
    out = io.StringIO()
    cli.print_results(results, True, out)
    back = [FileResult.from_json(f) for f in json.loads(out.getvalue())["files"]]
    assert [b.as_json() for b in back] == [r.as_json() for r in results]
    # the same objects, but for what the JSON does not carry: the hash and a problem's raw value
    assert back == [FileResult(r.file, r.kind, r.status, r.commune, r.period, r.rows,
                               [Problem.from_json(p.as_json(), file=p.file) for p in r.problems]) for r in results]


def test_an_uploaded_files_name_is_in_its_result_and_messages_from_the_start(tmp_path, warehouse):
    junk = tmp_path / "004-ghi-chu.xlsx"
    junk.write_bytes(b"not a workbook")
    report = write_book(tmp_path / "001-t3.xlsx", monthly_book(branches=["Chi bộ thôn 1", "Thôn 12"]))
    names = {junk.name: "ghi chú.xlsx", report.name: "Báo cáo T3.xlsx"}
    checked = check_paths([junk, report], Registry.from_db(warehouse), names)
    loaded = load_paths(warehouse, [junk, report], names=names)
    for results in (checked, loaded):
        assert [r.file for r in results] == ["ghi chú.xlsx", "Báo cáo T3.xlsx"]
        assert all(p.file == r.file for r in results for p in r.problems)
        assert "'ghi chú.xlsx'" in results[0].problems[0].message
        assert not any(re.search(r"\d{3}-", p.message) for r in results for p in r.problems)
    rows = warehouse.execute("SELECT file_name FROM audit_log WHERE action = 'reject' ORDER BY file_name").fetchall()
    assert rows == [("Báo cáo T3.xlsx",), ("ghi chú.xlsx",)]


@pytest.mark.skipif(not SPEC.exists(), reason="the contract lives beside the repository")
def test_every_code_the_dashboard_can_show_is_a_spec_code_or_the_projects_own():
    spec = set(re.findall(r"^\| `(\w+)`(?: / `(\w+)`)? \|", SPEC.read_text(encoding="utf-8"), re.M))
    spec = {c for pair in spec for c in pair if c}
    assert set(CODES) - spec == {"report_confirmed"}  # the project's own (README, Warehouse)
