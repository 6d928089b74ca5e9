"""Warehouse guarantees: versions kept as history, identical content is "unchanged", and a
rejected file, an exception mid-file or a killed process leaves every view exactly as it was."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from builders import COVER, S2, clone, inspections_book, monthly_book, targets_book, write_book
from etl.ingest.load import load_paths
from etl.warehouse import db

VIEWS = ["units_commune", "units_branch", "committee_meetings", "branch_meetings", "recruitment",
         "recruitment_targets", "annual_ratings", "inspection_findings", "report_submissions"]


def snapshot(con) -> dict:
    return {v: sorted(map(repr, con.execute(f"SELECT * FROM {v}").fetchall())) for v in VIEWS}


def test_views_have_the_spec_columns(warehouse):
    spec = {
        "units_commune": "commune_code, commune_name, kind, valid_from, valid_to, merged_into",
        "units_branch": "branch_code, branch_name, commune_code, kind, valid_from, valid_to",
        "committee_meetings": "commune_code, period, meeting_date, body, regular, members_total, members_present, "
                              "conclusion_issued, conclusion_ref, conclusion_date, upper_attended",
        "branch_meetings": "commune_code, branch_code, period, held, meeting_date, members_total, members_exempt, "
                           "members_attended, thematic, thematic_topic, upper_attended, quality",
        "recruitment": "commune_code, branch_code, period, sources_trained, admitted, confirmed_official, "
                       "transferred_in, transferred_out, deceased, removed, working_away",
        "recruitment_targets": "commune_code, year, target",
        "annual_ratings": "commune_code, branch_code, year, org_rating, members_xuat_sac, members_tot, "
                          "members_hoan_thanh, members_khong_hoan_thanh",
        "inspection_findings": "plan_ref, inspected_on, commune_code, branch_code, category, description, "
                               "recommendation, due_date, status, resolved_on",
        "report_submissions": "commune_code, period, received_at, tasks_sent_on, source_file, sha256, version, "
                              "is_current",
    }
    for view, columns in spec.items():
        described = warehouse.execute(f"DESCRIBE {view}").fetchall()
        assert ", ".join(r[0] for r in described) == columns
        types = dict((r[0], r[1]) for r in described)
        for col, typ in types.items():
            if col.endswith(("_date", "_on", "valid_from", "valid_to")):
                assert typ == "DATE", (view, col)
            if col in ("held", "regular", "thematic", "upper_attended", "conclusion_issued", "is_current"):
                assert typ == "BOOLEAN", (view, col)


def test_reload_keeps_history_and_identical_content_is_unchanged(load, warehouse):
    assert load(monthly_book(), "v1.xlsx").status == "loaded"
    book = clone(monthly_book())
    book[S2][4][7] = 12  # attendance corrected
    assert load(book, "v2.xlsx").status == "loaded"
    rows = warehouse.execute("SELECT source_file, version, is_current FROM report_submissions ORDER BY version").fetchall()
    assert rows == [("v1.xlsx", 1, False), ("v2.xlsx", 2, True)]
    assert warehouse.execute("SELECT members_attended FROM branch_meetings WHERE branch_code = 'X01-01'").fetchone() == (12,)
    assert warehouse.execute("SELECT count(*) FROM branch_meeting_rows").fetchone() == (8,)  # v1 kept
    before = snapshot(warehouse)
    again = load_paths(warehouse, [warehouse_file(warehouse).parent / "in" / "v2.xlsx"])
    assert [r.status for r in again] == ["unchanged"] and snapshot(warehouse) == before


def warehouse_file(con):
    from pathlib import Path
    return Path(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0])


def test_board_files_replace_their_keys(load, warehouse, tmp_path):
    assert load(targets_book(), "t1.xlsx").status == "loaded"
    assert load(targets_book((("Lộc Ngãi", 2024, 12), ("Lộc Ngãi", 2025, 14))), "t2.xlsx").status == "loaded"
    assert warehouse.execute("SELECT commune_code, year, target FROM recruitment_targets ORDER BY ALL").fetchall() == [
        ("X01", 2024, 12), ("X01", 2025, 14), ("X02", 2024, 8), ("X03", 2024, 5)]
    assert load(inspections_book(), "i1.xlsx").status == "loaded"
    register = inspections_book()
    del register["Sổ kiểm tra"][4]
    assert load(register, "i2.xlsx").status == "loaded"
    assert warehouse.execute("SELECT count(*) FROM inspection_findings").fetchone() == (1,)
    # a finding's text that looks like a formula stays text
    assert load(inspections_book(), "i3.xlsx").status == "loaded"
    assert warehouse.execute("SELECT description FROM inspection_findings WHERE commune_code = 'X02'").fetchone() == \
        ("=Không ban hành kết luận",)


def test_rejected_file_changes_no_view(load, warehouse):
    assert load(monthly_book(), "good.xlsx").status == "loaded"
    before = snapshot(warehouse)
    book = clone(monthly_book())
    book[S2][4][7] = 1
    book[S2][5][7] = 999  # attended > members: the whole file is rejected
    assert load(book, "bad.xlsx").status == "rejected"
    assert snapshot(warehouse) == before


def test_exception_after_half_the_rows_leaves_nothing(load, warehouse, monkeypatch):
    assert load(monthly_book(), "good.xlsx").status == "loaded"
    before = snapshot(warehouse)
    book = clone(monthly_book())
    book[COVER][5][1] = "Người khác"
    # branch rows are inserted, then the recruitment insert fails mid-file
    monkeypatch.setitem(db.TABLES, "recruitment", "no_such_table")
    with pytest.raises(Exception, match="no_such_table"):
        load(book, "crash.xlsx")
    assert snapshot(warehouse) == before


def test_killed_process_mid_load_leaves_nothing(tmp_path):
    path = tmp_path / "w.duckdb"
    from builders import registry_book
    con = db.connect(path)
    load_paths(con, [write_book(tmp_path / "reg.xlsx", registry_book())])
    before = snapshot(con)
    con.close()
    report = write_book(tmp_path / "m.xlsx", monthly_book())
    script = textwrap.dedent(f"""
        import os, sys
        sys.path[:0] = {[os.getcwd()]!r}
        from etl.ingest.load import load_paths
        from etl.warehouse import db
        con = db.connect({str(path)!r})
        class Killer:
            # the connection, except that the process dies right after the branch rows are in
            def __init__(self, con):
                self.con = con
                # the loader names its Arrow rows in SQL; DuckDB looks for them one frame up from here
                con.execute("SET python_scan_all_frames = true")
            def __getattr__(self, name): return getattr(self.con, name)
            def execute(self, sql, *args):
                result = self.con.execute(sql, *args)
                if sql.startswith('INSERT INTO branch_meeting_rows'):
                    os.kill(os.getpid(), 9)
                return result
        load_paths(Killer(con), [{str(report)!r}])
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    con = db.connect(path)
    assert snapshot(con) == before
    assert [r.status for r in load_paths(con, [report])] == ["loaded"]  # and the warehouse still works


def test_a_book_written_again_later_has_the_same_bytes(tmp_path):
    """The tests of 'unchanged' write a book twice: openpyxl's save times must not make the two
    differ (a test failed when its two writes fell in different seconds)."""
    first = write_book(tmp_path / "a.xlsx", monthly_book()).read_bytes()
    time.sleep(1.1)
    assert write_book(tmp_path / "b.xlsx", monthly_book()).read_bytes() == first


def test_a_read_only_command_on_a_warehouse_of_older_code_reads_this_codes_definitions(tmp_path):
    """A warehouse last migrated by older code (here: no spine macro, an old fingerprint) is
    migrated once by the first command, read-only or not (an export before any load): otherwise
    every indicator query would fail on the missing macros."""
    from etl import indicators

    path = tmp_path / "w.duckdb"
    db.connect(path).close()
    with db.connect(path) as con:
        con.execute("DROP MACRO TABLE active_communes")
        con.execute("UPDATE meta SET value = 'older code' WHERE key = 'definitions'")
    with duckdb.connect(str(path), read_only=True) as raw:  # what older code would leave
        with pytest.raises(duckdb.CatalogException):
            indicators.communes(raw, indicators.Scope("2026-01", "2026-02"))
    with db.connect(path, read_only=True) as con:
        assert indicators.communes(con, indicators.Scope("2026-01", "2026-02")).empty
        assert con.execute("SELECT value FROM meta WHERE key = 'definitions'").fetchone()[0] == db.definitions()
