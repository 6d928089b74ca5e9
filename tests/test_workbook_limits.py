"""The limits a workbook is checked under (etl.ingest.read, SPEC §3): the crafted files of
tests/crafted.py are refused before calamine allocates for them, with a Vietnamese message, or
read within what the dashboard can give one check (300 MB, 5 s); a check that needs more memory
than settings.toml's [limits] memory_mb is refused for that file and the run goes on."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builders import monthly_book, write_book
from crafted import CASES, MAX_SHEETS, far_sheets, xlsx
from etl.ingest.check import HEAD_ROWS, usable
from etl.ingest.read import ReadError, read_workbook

ROOT = Path(__file__).resolve().parents[1]
VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")
PEAK_MB, SECONDS = 300, 5.0  # the target for any workbook under the 20 MB size limit


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("crafted")
    if any(name.startswith("xls") for name in CASES):
        pytest.importorskip("xlwt")
    return {name: build(root / f"{i:02d}") for i, (name, (build, _)) in enumerate(CASES.items())}


@pytest.mark.parametrize("case", list(CASES))
def test_crafted_workbook_is_refused_before_parsing_or_read(crafted, case):
    path, expected = crafted[case], CASES[case][1]
    started = time.perf_counter()
    try:
        sheets = read_workbook(path, head_rows=HEAD_ROWS, wanted=usable)
    except ReadError as err:
        assert expected is not None, f"read, not refused: {err.message}"
        code, words = expected
        assert err.code == code and words in err.message, err.message
        assert path.name in err.message and "Hãy" in err.message and VIETNAMESE.search(err.message)
    else:
        assert expected is None, f"read, where {expected} was expected"
        assert sheets and all(len({len(r) for r in s.rows}) <= 1 for s in sheets)
    assert time.perf_counter() - started < SECONDS


def test_every_crafted_workbook_is_checked_within_the_target(crafted):
    """`python -m etl check` of every crafted file, as the dashboard runs it: the whole process's
    peak memory, and each file's time (the process's start is counted once, with the first)."""
    probe = ("import json, resource, subprocess, sys, time\n"
             "times = []\n"
             "for path in sys.argv[1:]:\n"
             "    t = time.perf_counter()\n"
             "    subprocess.run([sys.executable, '-m', 'etl', 'check', '--json', path], capture_output=True)\n"
             "    times.append(time.perf_counter() - t)\n"
             "print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, times]))\n")
    names = list(crafted)
    proc = subprocess.run([sys.executable, "-c", probe, *map(str, crafted.values())], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    peak_mb, times = json.loads(proc.stdout)
    assert peak_mb < PEAK_MB
    slow = {name: round(t, 1) for name, t in zip(names, times) if t > SECONDS}
    assert not slow


def test_sheets_past_the_limit_are_refused_before_any_is_read(tmp_path, monkeypatch):
    import python_calamine
    path = far_sheets(tmp_path / "nhieu-trang.xlsx", MAX_SHEETS + 1, 2, 2)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path",
                        lambda *a, **k: pytest.fail("calamine opened the file"))
    with pytest.raises(ReadError) as info:
        read_workbook(path)
    assert info.value.code == "too_many_sheets" and f"{MAX_SHEETS + 1} trang tính" in info.value.message
    monkeypatch.undo()
    assert read_workbook(far_sheets(tmp_path / "du.xlsx", 3, 2, 2), max_sheets=3)  # a lower limit is its own
    with pytest.raises(ReadError):
        read_workbook(far_sheets(tmp_path / "du.xlsx", 3, 2, 2), max_sheets=2)


def test_a_tall_sheet_no_form_can_use_keeps_its_first_rows_only(tmp_path):
    body = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Ghi chú</t></is></c></row>'
            '<row r="5000"><c r="B5000"><v>7</v></c></row>')
    path = xlsx(tmp_path / "x.xlsx", [("Ghi chú", body, ["A1:B3"]), ("Sheet2", body, [])])
    notes, other = read_workbook(path, head_rows=HEAD_ROWS, wanted=lambda head: head.name == "Sheet2")
    assert (notes.complete, len(notes.rows), notes.rows[0]) == (False, HEAD_ROWS, ["Ghi chú", None])
    assert notes.merged == ((0, 0, 2, 1),)
    assert (other.complete, len(other.rows), other.rows[4999]) == (True, 5000, [None, 7])
    whole = read_workbook(path)  # no `wanted`: every sheet whole
    assert all(s.complete and len(s.rows) == 5000 for s in whole)


def test_a_check_past_its_memory_cap_rejects_the_file_and_the_run_goes_on(tmp_path):
    """In a process of its own (a cap hit inside calamine's Rust code would abort the process
    running it), with the cap at 64 MB over what the process holds: reading 'b-lon.xlsx' asks
    for 200 MB (as a workbook past the reader's counts would), in the run's own process and then
    in worker processes; that file is rejected, the others are checked as usual."""
    write_book(tmp_path / "in" / "a-thang-3.xlsx", monthly_book())
    write_book(tmp_path / "in" / "b-lon.xlsx", monthly_book(month=5))
    write_book(tmp_path / "in" / "c-thang-4.xlsx", monthly_book(month=4))
    script = f"""
import json
from dataclasses import replace
from etl import settings
from etl.ingest import check, load
from etl.warehouse import db
capped = replace(settings.for_this_process(), limits_memory_mb=64)
settings.for_this_process = lambda: capped
read = check.read_workbook
def greedy(path, **kw):
    if path.name == "b-lon.xlsx":
        bytearray(200 * 2**20)
    return read(path, **kw)
check.read_workbook = greedy
out = []
for parallel in (10**6, 1):  # checked in this process, then in two workers
    load.PARALLEL_FROM = parallel
    con = db.connect({str(tmp_path)!r} + f"/w{{parallel}}.duckdb")
    out.append([(r.file, r.status, r.sha256, [(p.code, p.message) for p in r.problems if p.severity == "error"])
                for r in load.load_paths(con, [{str(tmp_path / "in")!r}])])
    con.close()
print(json.dumps(out))
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for run in json.loads(proc.stdout):
        by_file = {name: (status, sha256, problems) for name, status, sha256, problems in run}
        status, sha256, [(code, message)] = by_file["b-lon.xlsx"]
        assert (status, code) == ("rejected", "too_large") and sha256  # named in the audit trail
        assert "không đủ bộ nhớ" in message and "64 MB" in message and "b-lon.xlsx" in message
        for name in ("a-thang-3.xlsx", "c-thang-4.xlsx"):  # checked as usual (no registry here)
            assert [code for code, _ in by_file[name][2]] == ["unknown_commune"], name


def test_the_command_line_ends_a_memory_error_with_a_vietnamese_line(tmp_path, monkeypatch, capsys):
    """Outside the check of one file (a load's write, a run of many files): exit 1 and one line
    that the dashboard shows as it is (ui.upload._failure), never a traceback."""
    from etl import __main__ as cli
    from etl.ingest import check

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(check, "check_paths", exhausted)
    path = write_book(tmp_path / "r.xlsx", monthly_book())
    assert cli.main(["check", "--db", str(tmp_path / "none.duckdb"), str(path)]) == 1
    out = capsys.readouterr()
    assert out.err.strip() == cli.NO_MEMORY and "Traceback" not in out.err and out.out == ""
