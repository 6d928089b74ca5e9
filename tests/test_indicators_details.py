"""indicators.meeting_details: one row per branch-month with what the branch reported.

A hand-checkable warehouse (tables with the SPEC §5 view names): communes A (Xã An) and
B (Xã Bình); branches A1 (Thôn), A2 (Trường học), A3 (Thôn, closed 31/01/2024), B1 (Thôn).
Reports: A January (A1, A2, A3) and February (A1 only: A2 left out of the report), B January.
March has no report at all. Every expected row is written out below.
"""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from etl import indicators as ind
from etl.settings import Settings
from etl.warehouse import db

SCHEMA = """
CREATE TABLE units_commune (commune_code VARCHAR, commune_name VARCHAR, kind VARCHAR,
    valid_from DATE, valid_to DATE, merged_into VARCHAR);
CREATE TABLE units_branch (branch_code VARCHAR, branch_name VARCHAR, commune_code VARCHAR,
    kind VARCHAR, valid_from DATE, valid_to DATE);
CREATE TABLE branch_meetings (commune_code VARCHAR, branch_code VARCHAR, period VARCHAR,
    held BOOLEAN, meeting_date DATE, members_total INTEGER, members_exempt INTEGER,
    members_attended INTEGER, thematic BOOLEAN, thematic_topic VARCHAR, upper_attended BOOLEAN,
    quality VARCHAR);
-- the other SPEC §5 views the indicators' shared macros (etl/warehouse/sql/spine.sql) read; empty
CREATE TABLE report_submissions (commune_code VARCHAR, period VARCHAR, received_at TIMESTAMP,
    tasks_sent_on DATE, source_file VARCHAR, sha256 VARCHAR, version INTEGER, is_current BOOLEAN);
CREATE TABLE inspection_findings (plan_ref VARCHAR, inspected_on DATE, commune_code VARCHAR,
    branch_code VARCHAR, category VARCHAR, description VARCHAR, recommendation VARCHAR,
    due_date DATE, status VARCHAR, resolved_on DATE);
"""
COMMUNES = [("A", "Xã An", "Xã", None, None, None), ("B", "Xã Bình", "Xã", None, None, None)]
BRANCHES = [
    ("A1", "Thôn 1", "A", "Thôn", None, None),
    ("A2", "Trường TH An", "A", "Trường học", None, None),
    ("A3", "Thôn 3", "A", "Thôn", None, date(2024, 1, 31)),
    ("B1", "Thôn Bình 1", "B", "Thôn", None, None),
]
# (commune, branch, period, held, date, total, exempt, attended, thematic, topic, upper, quality)
MEETINGS = [
    ("A", "A1", "2024-01", True, date(2024, 1, 3), 20, 2, 16, True, "Học tập Bác", True, "tot"),
    ("A", "A2", "2024-01", True, date(2024, 1, 9), 10, 0, 9, False, None, False, "kha"),
    # a blank "held" cell: not held (SPEC §2), not "not reported"
    ("A", "A3", "2024-01", None, None, 5, 0, None, False, None, False, None),
    ("A", "A1", "2024-02", False, None, 20, 2, None, False, None, False, None),
    ("B", "B1", "2024-01", True, date(2024, 1, 12), 15, 1, 14, False, None, True, "kem"),
]
Q1 = ind.Scope("2024-01", "2024-03")
KEYS = ["branch_code", "period", "reported", "held"]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("details") / "warehouse.duckdb"
    writer = duckdb.connect(str(path))
    writer.execute(SCHEMA)
    writer.executemany("INSERT INTO units_commune VALUES (?, ?, ?, ?, ?, ?)", COMMUNES)
    writer.executemany("INSERT INTO units_branch VALUES (?, ?, ?, ?, ?, ?)", BRANCHES)
    writer.executemany("INSERT INTO branch_meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       MEETINGS)
    db.install_spine(writer)
    writer.close()
    reader = duckdb.connect(str(path), read_only=True)  # as the dashboard opens it
    yield reader
    reader.close()


def keys(df: pd.DataFrame) -> list[tuple]:
    """(branch, period, reported, held) with NULL held as None, in the frame's order."""
    return [(b, p, bool(r), None if pd.isna(h) else bool(h))
            for b, p, r, h in df[KEYS].itertuples(index=False)]


def test_one_row_per_active_or_reported_branch_month(con):
    df = ind.meeting_details(con, Q1)
    assert keys(df) == [
        # A: A1 then A3 then A2 (ordered by commune name, then branch name)
        ("A1", "2024-01", True, True), ("A1", "2024-02", True, False), ("A1", "2024-03", False, None),
        ("A3", "2024-01", True, False),  # closed 31/01: no February or March row
        ("A2", "2024-01", True, True), ("A2", "2024-02", False, None), ("A2", "2024-03", False, None),
        ("B1", "2024-01", True, True), ("B1", "2024-02", False, None), ("B1", "2024-03", False, None),
    ]
    assert list(df.columns) == [
        "commune_code", "commune_name", "branch_code", "branch_name", "branch_kind", "period",
        "expected", "reported", "held", "meeting_date", "members_total", "members_exempt",
        "members_attended", "thematic", "thematic_topic", "upper_attended", "quality"]
    assert df["expected"].all()


def test_reported_values_are_the_report_and_unreported_are_null(con):
    df = ind.meeting_details(con, Q1).set_index(["branch_code", "period"])
    a1 = df.loc[("A1", "2024-01")]
    assert (a1.commune_code, a1.commune_name, a1.branch_name, a1.branch_kind) == (
        "A", "Xã An", "Thôn 1", "Thôn")
    assert pd.Timestamp(a1.meeting_date).date() == date(2024, 1, 3)
    assert (a1.members_total, a1.members_exempt, a1.members_attended) == (20, 2, 16)
    assert (bool(a1.thematic), a1.thematic_topic, bool(a1.upper_attended), a1.quality) == (
        True, "Học tập Bác", True, "tot")
    b1 = df.loc[("B1", "2024-01")]
    assert (b1.quality, b1.members_attended, bool(b1.upper_attended)) == ("kem", 14, True)
    missing = df.loc[("A2", "2024-02")]
    for column in ("held", "meeting_date", "members_total", "members_attended", "thematic",
                   "thematic_topic", "upper_attended", "quality"):
        assert pd.isna(missing[column]), column


def test_commune_narrows_within_the_scope(con):
    only_b = ind.meeting_details(con, Q1, commune="B")
    assert keys(only_b) == [("B1", "2024-01", True, True), ("B1", "2024-02", False, None),
                            ("B1", "2024-03", False, None)]
    # the commune is looked for among the scope's communes, never outside them
    assert ind.meeting_details(con, ind.Scope("2024-01", "2024-03", ("A",)), commune="B").empty
    assert len(ind.meeting_details(con, ind.Scope("2024-01", "2024-03", ("A", "B")),
                                   commune="A")) == 7


def test_branch_kinds_and_months_of_the_scope(con):
    schools = ind.meeting_details(con, ind.Scope("2024-02", "2024-02", (), ("Trường học",)))
    assert keys(schools) == [("A2", "2024-02", False, None)]
    # before any report: every active branch (no start date) is there, none reported
    before = ind.meeting_details(con, ind.Scope("2023-12", "2023-12"))
    assert keys(before) == [("A1", "2023-12", False, None), ("A3", "2023-12", False, None),
                            ("A2", "2023-12", False, None), ("B1", "2023-12", False, None)]


@pytest.mark.parametrize("scope", [Q1, ind.Scope("2024-01", "2024-01", ("A",)),
                                   ind.Scope("2024-01", "2024-03", (), ("Thôn",))])
def test_same_branch_months_as_the_indicator(con, scope):
    """The drill-down's rows are the branch-months I5 counts: same keys, reported and held."""
    details = ind.meeting_details(con, scope)
    figures = ind.branch_meetings(con, scope, Settings(), by="branch_month")
    assert list(zip(details["branch_code"], details["period"])) == list(
        zip(figures["branch_code"], figures["period"]))
    assert details["reported"].tolist() == figures["reported"].tolist()
    held = [None if pd.isna(h) else int(h) for h in details["held"]]
    assert held == [None if pd.isna(h) else int(h) for h in figures["held"]]


def test_reported_rows_equal_the_view(con):
    """Every reported row carries the view's values unchanged (what the export prints)."""
    df = ind.meeting_details(con, Q1)
    got = df[df["reported"]].sort_values(["branch_code", "period"])
    want = con.execute("SELECT * FROM branch_meetings ORDER BY branch_code, period").df()
    for column in ("commune_code", "meeting_date", "members_total", "members_exempt",
                   "members_attended", "thematic", "thematic_topic", "upper_attended", "quality"):
        pairs = list(zip(got[column], want[column], strict=True))
        assert all((pd.isna(x) and pd.isna(y)) or x == y for x, y in pairs), column
