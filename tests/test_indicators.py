"""Indicators I1–I15 on a hand-checkable warehouse: a few rows in, exact values out.

The fixture is a real DuckDB file holding tables with the SPEC §5 view names and columns:
communes A (Xã An), B (Xã Bình) and C (Xã Cũ, merged into B on 2024-01-31); branches A1, A2,
A3 (closed 2024-01-31), B1, B2, C1 (closed with C). Reports: A Jan–Apr, B Jan and Mar (February
missing), C Jan. Every expected value below is worked out by hand in the comment next to it.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import indicators as ind
from etl import labels
from etl.settings import DEFAULT_PATH, Settings, load_settings
from etl.warehouse import db, queries

AS_OF = date(2024, 5, 4)
Q1 = ind.Scope("2024-01", "2024-03")

SCHEMA = """
CREATE TABLE units_commune (commune_code VARCHAR, commune_name VARCHAR, kind VARCHAR,
    valid_from DATE, valid_to DATE, merged_into VARCHAR);
CREATE TABLE units_branch (branch_code VARCHAR, branch_name VARCHAR, commune_code VARCHAR,
    kind VARCHAR, valid_from DATE, valid_to DATE);
CREATE TABLE committee_meetings (commune_code VARCHAR, period VARCHAR, meeting_date DATE,
    body VARCHAR, regular BOOLEAN, members_total INTEGER, members_present INTEGER,
    conclusion_issued BOOLEAN, conclusion_ref VARCHAR, conclusion_date DATE, upper_attended BOOLEAN);
CREATE TABLE branch_meetings (commune_code VARCHAR, branch_code VARCHAR, period VARCHAR,
    held BOOLEAN, meeting_date DATE, members_total INTEGER, members_exempt INTEGER,
    members_attended INTEGER, thematic BOOLEAN, thematic_topic VARCHAR, upper_attended BOOLEAN,
    quality VARCHAR);
CREATE TABLE recruitment (commune_code VARCHAR, branch_code VARCHAR, period VARCHAR,
    sources_trained INTEGER, admitted INTEGER, confirmed_official INTEGER, transferred_in INTEGER,
    transferred_out INTEGER, deceased INTEGER, removed INTEGER, working_away INTEGER);
CREATE TABLE recruitment_targets (commune_code VARCHAR, year INTEGER, target INTEGER);
CREATE TABLE annual_ratings (commune_code VARCHAR, branch_code VARCHAR, year INTEGER,
    org_rating VARCHAR, members_xuat_sac INTEGER, members_tot INTEGER, members_hoan_thanh INTEGER,
    members_khong_hoan_thanh INTEGER);
CREATE TABLE inspection_findings (plan_ref VARCHAR, inspected_on DATE, commune_code VARCHAR,
    branch_code VARCHAR, category VARCHAR, description VARCHAR, recommendation VARCHAR,
    due_date DATE, status VARCHAR, resolved_on DATE);
CREATE TABLE report_submissions (commune_code VARCHAR, period VARCHAR, received_at TIMESTAMP,
    tasks_sent_on DATE, source_file VARCHAR, sha256 VARCHAR, version INTEGER, is_current BOOLEAN);
-- not SPEC §5: the board's confirmations (etl.access.confirm), which the I15 matrix shows; none here
CREATE TABLE report_confirmations (commune_code VARCHAR, period VARCHAR, confirmed BOOLEAN,
    confirmed_at TIMESTAMP, confirmed_by VARCHAR);
"""

D = date
JAN31 = D(2024, 1, 31)
ROWS: dict[str, list[tuple]] = {
    "units_commune": [
        ("A", "Xã An", "Xã", None, None, None),
        ("B", "Xã Bình", "Xã", None, None, None),
        ("C", "Xã Cũ", "Xã", None, JAN31, "B"),
    ],
    "units_branch": [
        ("A1", "Thôn 1", "A", "Thôn", None, None),
        ("A2", "Trường TH An", "A", "Trường học", None, None),
        ("A3", "Thôn 3", "A", "Thôn", None, JAN31),
        ("B1", "Thôn Bình 1", "B", "Thôn", None, None),
        ("B2", "Trạm Y tế Bình", "B", "Y tế", None, None),
        ("C1", "Thôn Cũ", "C", "Thôn", None, JAN31),
    ],
    # (commune, period, received_at, tasks_sent_on, version, is_current)
    "report_submissions": [
        ("A", "2024-01", datetime(2024, 2, 3, 9), D(2024, 1, 28), 1, True),
        ("A", "2024-02", datetime(2024, 3, 4, 8), D(2024, 3, 1), 1, False),
        ("A", "2024-02", datetime(2024, 3, 10, 8), D(2024, 2, 29), 2, True),
        ("A", "2024-03", datetime(2024, 4, 5, 17, 30), D(2024, 3, 31), 1, True),
        ("A", "2024-04", datetime(2024, 5, 3, 10), D(2024, 4, 29), 1, True),
        ("B", "2024-01", datetime(2024, 2, 6, 8), D(2024, 1, 30), 1, True),
        ("B", "2024-03", datetime(2024, 4, 2, 8), None, 1, True),
        ("C", "2024-01", datetime(2024, 2, 20, 8), D(2024, 2, 1), 1, True),
    ],
    # (commune, period, meeting_date, body, regular, conclusion_issued, conclusion_date)
    "committee_meetings": [
        ("A", "2024-01", D(2024, 1, 5), "BCH", True, True, D(2024, 1, 7)),     # 2 days
        ("A", "2024-01", D(2024, 1, 15), "BTV", True, True, D(2024, 1, 20)),   # 5 days
        ("A", "2024-02", D(2024, 2, 6), "BCH", False, False, None),            # irregular BCH
        ("A", "2024-02", D(2024, 2, 10), "BTV", True, True, D(2024, 2, 17)),   # 7 days
        ("A", "2024-03", D(2024, 3, 4), "BCH", True, True, D(2024, 3, 5)),     # 1 day
        ("B", "2024-01", D(2024, 1, 8), "BCH", True, True, D(2024, 1, 12)),    # 4 days
        ("B", "2024-01", D(2024, 1, 20), "BTV", True, True, None),             # issued, no date
        ("B", "2024-03", D(2024, 3, 2), "TT", True, False, None),
        ("C", "2024-01", D(2024, 1, 10), "BCH", True, True, D(2024, 1, 13)),   # 3 days
    ],
    # (commune, branch, period, held, date, total, exempt, attended, thematic, upper, quality)
    "branch_meetings": [
        ("A", "A1", "2024-01", True, D(2024, 1, 3), 20, 2, 16, False, True, "tot"),
        ("A", "A2", "2024-01", True, D(2024, 1, 9), 10, 0, 9, True, False, "kha"),
        ("A", "A3", "2024-01", False, None, 5, 0, None, False, False, None),
        ("A", "A1", "2024-02", True, D(2024, 2, 5), 20, 2, 18, False, False, "kha"),
        ("A", "A2", "2024-02", True, D(2024, 2, 2), 10, 0, 10, False, True, None),
        ("A", "A1", "2024-03", False, None, 20, 2, None, False, False, None),
        ("A", "A2", "2024-03", True, D(2024, 3, 7), 10, 1, 8, True, False, "trung_binh"),
        ("A", "A1", "2024-04", True, D(2024, 4, 3), 20, 2, 17, True, False, "tot"),
        ("A", "A2", "2024-04", True, D(2024, 4, 10), 10, 0, 10, False, False, "kha"),
        ("B", "B1", "2024-01", True, D(2024, 1, 2), 15, 0, 12, True, True, "tot"),
        ("B", "B2", "2024-01", True, D(2024, 1, 15), 8, 0, 6, False, False, "kem"),
        # dated in April although reported for March: not on schedule (day 2 of another month)
        ("B", "B1", "2024-03", True, D(2024, 4, 2), 15, 1, 14, False, True, "tot"),
        ("C", "C1", "2024-01", True, D(2024, 1, 4), 12, 0, 10, False, False, "kha"),
    ],
    # (commune, branch, period, sources, admitted, confirmed, in, out, deceased, removed, away)
    "recruitment": [
        ("A", "A1", "2024-01", 3, 1, 0, 1, 0, 0, 0, 2),
        ("A", "A2", "2024-01", 0, 0, 0, 0, 1, 0, 0, 0),
        ("A", "A1", "2024-02", 1, 2, 1, 0, 0, 1, 0, 3),
        ("A", "A1", "2024-03", 0, 0, 0, 0, 0, 0, 0, 3),
        ("A", "A2", "2024-03", 0, 1, 0, 0, 0, 0, 1, 1),
        ("B", "B1", "2024-01", 2, 1, 0, 0, 0, 0, 0, 0),
        ("B", "B2", "2024-03", 0, 0, 0, 0, 2, 0, 0, 1),
        ("C", "C1", "2024-01", 1, 1, 0, 0, 0, 0, 0, 0),
    ],
    "recruitment_targets": [("A", 2024, 12), ("B", 2024, 8)],
    "annual_ratings": [
        ("A", "A1", 2024, "tot", 2, 10, 5, 1),
        ("A", "A2", 2024, "xuat_sac", 3, 5, 2, 0),
        ("B", "B1", 2024, "hoan_thanh", 0, 8, 6, 1),
        ("B", "B2", 2024, "khong_hoan_thanh", 0, 2, 4, 2),
    ],
    # (inspected_on, commune, branch, category, due_date, status, resolved_on)
    "inspection_findings": [
        (D(2024, 2, 10), "A", "A1", "BIEN_BAN", D(2024, 3, 31), "open", None),        # F1
        (D(2024, 2, 10), "A", None, "KET_LUAN", D(2024, 4, 30), "in_progress", None),  # F2
        (D(2024, 2, 12), "B", "B1", "BIEN_BAN", D(2024, 3, 15), "resolved", D(2024, 3, 10)),
        (D(2024, 2, 12), "B", None, "QUY_CHE", D(2024, 3, 31), "resolved", D(2024, 4, 15)),
        (D(2023, 11, 20), "A", None, "SO_DANG_VIEN", D(2023, 12, 31), "open", None),   # F5
    ],
}


def _insert(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)
    for table in ("units_commune", "units_branch", "recruitment", "recruitment_targets",
                  "annual_ratings"):
        for row in ROWS[table]:
            con.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
    for c, p, received, tasks, version, current in ROWS["report_submissions"]:
        con.execute("INSERT INTO report_submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [c, p, received, tasks, f"{c}_{p}_v{version}.xlsx", "0" * 64, version, current])
    for c, p, day, body, regular, issued, issued_on in ROWS["committee_meetings"]:
        con.execute("INSERT INTO committee_meetings VALUES (?, ?, ?, ?, ?, 9, 8, ?, ?, ?, false)",
                    [c, p, day, body, regular, issued, "1-KL/ĐU" if issued else None, issued_on])
    for c, b, p, held, day, total, exempt, attended, thematic, upper, quality in ROWS["branch_meetings"]:
        con.execute("INSERT INTO branch_meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [c, b, p, held, day, total, exempt, attended, thematic,
                     "Học tập Bác" if thematic else None, upper, quality])
    for n, (day, c, b, category, due, status, resolved) in enumerate(ROWS["inspection_findings"]):
        con.execute("INSERT INTO inspection_findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ["06-KH/BTCHU", day, c, b, category, f"Hạn chế {n + 1}", "Khắc phục", due,
                     status, resolved])
    db.install_spine(con)  # the indicator queries' shared macros, over these tables


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    writer = duckdb.connect(str(path))
    _insert(writer)
    writer.close()
    # read-only, as the dashboard opens it
    reader = duckdb.connect(str(path), read_only=True)
    yield reader
    reader.close()


def row(df: pd.DataFrame, **keys) -> pd.Series:
    """The single row of df matching keys (fails loudly when there is not exactly one)."""
    mask = pd.Series(True, index=df.index)
    for key, value in keys.items():
        mask &= df[key] == value
    found = df[mask]
    assert len(found) == 1, f"{keys}: {len(found)} rows in\n{df}"
    return found.iloc[0]


# --- committee: I1–I4 -------------------------------------------------------------------------

def test_committee_per_commune(con):
    df = ind.committee(con, Q1, Settings(), by="commune")
    assert df["commune_code"].tolist() == ["A", "B", "C"]
    a, b, c = (row(df, commune_code=k) for k in "ABC")
    # A: 3 months reported, regular BCH in Jan and Mar (Feb's BCH was irregular)
    assert (a.expected_months, a.reported_months, a.months_with_regular_bch) == (3, 3, 2)
    assert a.i1_regular_bch_share == pytest.approx(2 / 3)
    # A: 5 meetings, 4 with a conclusion; delays 2, 5, 7, 1 -> even count: (2 + 5) / 2
    assert (a.meetings, a.meetings_with_conclusion, a.conclusions_dated) == (5, 4, 4)
    assert a.i2_conclusion_share == pytest.approx(0.8)
    assert a.i3_median_days == pytest.approx(3.5)
    # A tasks: 28 Jan on time, 29 Feb on time (February ends on the 29th), 31 Mar late
    assert (a.months_with_tasks_date, a.months_tasks_on_time, a.months_without_tasks_date) == (3, 2, 0)
    assert a.i4_tasks_on_time_share == pytest.approx(2 / 3)
    # B: Feb missing; Mar has only a TT meeting; one conclusion issued without a date
    assert (b.expected_months, b.reported_months, b.months_with_regular_bch) == (3, 2, 1)
    assert (b.meetings, b.meetings_with_conclusion, b.conclusions_dated) == (3, 2, 1)
    assert b.i3_median_days == pytest.approx(4.0)
    # B: Jan sent on the 30th (on time), Mar report states no date -> "không ghi ngày"
    assert (b.months_with_tasks_date, b.months_tasks_on_time, b.months_without_tasks_date) == (1, 1, 1)
    assert b.i4_tasks_on_time_share == pytest.approx(1.0)
    # C (merged into B on 31 Jan): expected in January only, tasks sent 1 Feb = late
    assert (c.expected_months, c.reported_months) == (1, 1)
    assert c.i4_tasks_on_time_share == 0.0


def test_committee_by_month_and_total(con):
    months = ind.committee(con, Q1, Settings(), by="month")
    assert months["period"].tolist() == ["2024-01", "2024-02", "2024-03"]
    jan, feb, mar = (row(months, period=p) for p in ("2024-01", "2024-02", "2024-03"))
    assert (jan.expected_months, feb.expected_months, mar.expected_months) == (3, 2, 2)
    assert jan.i1_regular_bch_share == 1.0
    assert feb.i1_regular_bch_share == 0.0            # reported, no regular BCH: a real 0
    assert jan.i3_median_days == pytest.approx(3.5)   # delays 2, 5, 4, 3
    assert feb.i2_conclusion_share == pytest.approx(0.5)
    total = ind.committee(con, Q1, Settings(), by="total")
    assert len(total) == 1 and "commune_code" not in total.columns
    t = total.iloc[0]
    assert (t.expected_months, t.reported_months, t.meetings, t.meetings_with_conclusion) == (7, 6, 9, 7)
    assert t.i1_regular_bch_share == pytest.approx(4 / 6)
    assert t.i3_median_days == pytest.approx(3.5)     # 1, 2, 3, 4, 5, 7
    assert (t.months_with_tasks_date, t.months_tasks_on_time, t.months_without_tasks_date) == (5, 3, 1)
    assert t.i4_tasks_on_time_share == pytest.approx(0.6)


def test_tasks_deadline_setting_moves_i4(con):
    # with a deadline on the 28th, B's 30 Jan and A's 29 Feb become late
    t = ind.committee(con, Q1, Settings(tasks_deadline_day=28), by="total").iloc[0]
    assert t.months_tasks_on_time == 1


def test_unreported_is_null_not_zero(con):
    cm = row(ind.committee(con, Q1, Settings(), by="commune_month"), commune_code="B",
             period="2024-02")
    assert cm.expected_months == 1 and cm.reported_months == 0 and not cm.reported
    assert pd.isna(cm.i1_regular_bch_share) and pd.isna(cm.meetings) and pd.isna(cm.i4_tasks_on_time_share)
    bm = row(ind.branch_meetings(con, Q1, Settings(), by="branch_month"), branch_code="B1",
             period="2024-02")
    assert not bm.reported and pd.isna(bm.held) and pd.isna(bm.i5_held_share)
    # B2 is missing from B's March report (branch_missing): not reported, not 0 %
    b2 = row(ind.branch_meetings(con, Q1, Settings(), by="branch_month"), branch_code="B2",
             period="2024-03")
    assert b2.expected_branch_months == 1 and not b2.reported and pd.isna(b2.i5_held_share)
    rec = row(ind.recruitment(con, Q1, by="commune_month"), commune_code="B", period="2024-02")
    assert not rec.reported and pd.isna(rec.admitted) and pd.isna(rec.net_change)
    sub = row(ind.submissions(con, Q1, Settings(), as_of=AS_OF), commune_code="B", period="2024-02")
    assert sub.status == "missing" and not sub.reported and labels.SUBMISSION[sub.status] == "Chưa báo cáo"


# --- branch meetings: I5, I6, I7, I9, I10 -------------------------------------------------------

def test_branch_meetings_per_commune_and_total(con):
    df = ind.branch_meetings(con, Q1, Settings(), by="commune")
    a, b, c = (row(df, commune_code=k) for k in "ABC")
    assert (a.reported_branch_months, a.held, a.on_schedule) == (7, 5, 4)
    assert a.i5_held_share == pytest.approx(5 / 7)
    assert a.i6_on_schedule_share == pytest.approx(0.8)          # A2 met on 9 Jan
    assert (a.members_attended, a.members_expected) == (61, 65)  # not-held rows excluded
    assert a.i7_attendance_share == pytest.approx(61 / 65)
    assert a.i9_upper_attended_share == pytest.approx(2 / 5)
    # B: B1's March meeting is dated 2 April: day 2, but not in its month -> off schedule
    assert (b.expected_branch_months, b.reported_branch_months, b.held, b.on_schedule) == (6, 3, 3, 1)
    assert b.i7_attendance_share == pytest.approx(32 / 37)
    assert b.i9_upper_attended_share == pytest.approx(2 / 3)
    assert c.i5_held_share == 1.0 and c.i9_upper_attended_share == 0.0
    t = ind.branch_meetings(con, Q1, Settings(), by="total").iloc[0]
    assert (t.expected_branch_months, t.reported_branch_months, t.held) == (14, 11, 9)
    assert t.i5_held_share == pytest.approx(9 / 11)
    assert t.i6_on_schedule_share == pytest.approx(6 / 9)
    assert t.i7_attendance_share == pytest.approx(103 / 114)
    assert t.i9_upper_attended_share == pytest.approx(4 / 9)


def test_well_attended_meetings_count_shares_above_the_threshold(con):
    """Held meetings attended by more than 90 % of their expected members (total − exempt): A1 Feb
    18/18, A2 Feb 10/10, B1 Mar 14/14; A2 Jan's 9/10 is exactly 90 %, not more; not-held rows and
    B's missing February count neither way."""
    df = ind.well_attended(con, Q1, Settings(), by="commune")
    a, b, c = (row(df, commune_code=k) for k in "ABC")
    assert (a.meetings_counted, a.well_attended, a.well_attended_share) == (5, 2, pytest.approx(0.4))
    assert (b.meetings_counted, b.well_attended) == (3, 1)
    assert (c.meetings_counted, c.well_attended, c.well_attended_share) == (1, 0, 0.0)
    t = ind.well_attended(con, Q1, Settings(), by="total").iloc[0]
    assert (t.meetings_counted, t.well_attended) == (9, 3) and t.well_attended_share == pytest.approx(1 / 3)
    feb = row(ind.well_attended(con, Q1, Settings(), by="commune_month"), commune_code="B", period="2024-02")
    assert not feb.reported and pd.isna(feb.well_attended) and pd.isna(feb.well_attended_share)
    # the threshold is [attendance] well_attended_above: at 80 %, A1 Jan 16/18 and C1 10/12 count,
    # B1 Jan's 12/15 (exactly 80 %) still does not
    low = ind.well_attended(con, Q1, Settings(attendance_well_attended_above=80), by="total").iloc[0]
    assert (low.meetings_counted, low.well_attended) == (9, 7)


def test_inactive_branches_are_not_expected(con):
    grid = ind.branch_meetings(con, Q1, Settings(), by="branch_month")
    # A3 and C1 closed on 31 Jan: one expected month each, no "not reported" rows after it
    assert grid[grid["branch_code"] == "A3"]["period"].tolist() == ["2024-01"]
    assert grid[grid["branch_code"] == "C1"]["period"].tolist() == ["2024-01"]
    assert len(grid) == 14
    feb_mar = ind.branch_meetings(con, ind.Scope("2024-02", "2024-03"), Settings(), by="total")
    assert feb_mar.iloc[0].expected_branch_months == 8  # A1 A2 B1 B2 x 2 months


def test_schedule_window_setting(con):
    # window 1–3: A1 3 Jan, A2 2 Feb, B1 2 Jan only
    t = ind.branch_meetings(con, Q1, Settings(schedule_last_day=3), by="total").iloc[0]
    assert t.on_schedule == 3 and t.i6_on_schedule_share == pytest.approx(3 / 9)


def test_quality(con):
    df = ind.quality(con, Q1, by="commune")
    a, b = row(df, commune_code="A"), row(df, commune_code="B")
    # A2's February meeting was held but not rated: 5 held, 4 rated
    assert (a.held, a.rated, a.tot, a.kha, a.trung_binh, a.kem) == (5, 4, 1, 2, 1, 0)
    assert a.kha_tro_len_share == pytest.approx(0.75)
    assert (b.rated, b.tot, b.kem) == (3, 2, 1)
    assert b.kha_tro_len_share == pytest.approx(2 / 3)
    t = ind.quality(con, Q1, by="total").iloc[0]
    assert (t.rated, t.tot, t.kha, t.trung_binh, t.kem) == (8, 3, 3, 1, 1)
    assert (t.tot_share, t.kha_share, t.trung_binh_share, t.kem_share) == pytest.approx(
        (3 / 8, 3 / 8, 1 / 8, 1 / 8))
    assert t.kha_tro_len_share == pytest.approx(6 / 8)
    assert "i5_held_share" not in ind.quality(con, Q1).columns


def test_thematic_per_quarter(con):
    scope = ind.Scope("2024-01", "2024-04")
    df = ind.thematic(con, scope, by="quarter")
    assert df["quarter"].tolist() == ["2024-Q1", "2024-Q2"]
    q1, q2 = row(df, quarter="2024-Q1"), row(df, quarter="2024-Q2")
    # Q1: 6 branches reported, A2 and B1 had a thematic meeting (A2 twice)
    assert (q1.months_in_scope, q1.branches_reported, q1.branches_with_thematic,
            q1.thematic_meetings) == (3, 6, 2, 3)
    assert q1.i8_thematic_share == pytest.approx(1 / 3)
    # Q2 (April only in scope): only A reported; A1 had one
    assert (q2.months_in_scope, q2.branches_expected, q2.branches_reported) == (1, 4, 2)
    assert q2.i8_thematic_share == pytest.approx(0.5)
    per = ind.thematic(con, scope, by="commune_quarter")
    assert row(per, commune_code="C", quarter="2024-Q1").i8_thematic_share == 0.0
    b_q2 = row(per, commune_code="B", quarter="2024-Q2")
    assert not b_q2.reported and pd.isna(b_q2.i8_thematic_share)


# --- recruitment: I11–I13 ----------------------------------------------------------------------

def test_recruitment_flows(con):
    df = ind.recruitment(con, Q1, by="commune")
    a, b = row(df, commune_code="A"), row(df, commune_code="B")
    assert (a.admitted, a.transferred_in, a.transferred_out, a.deceased, a.removed) == (4, 1, 1, 1, 1)
    assert a.net_change == 2 and a.sources_trained == 4
    assert a.working_away == 4    # month-end count of A's latest month (March: 3 + 1)
    assert b.net_change == -1 and b.working_away == 1
    t = ind.recruitment(con, Q1, by="total").iloc[0]
    assert (t.admitted, t.sources_trained, t.net_change, t.working_away) == (6, 7, 2, 5)
    feb = row(ind.recruitment(con, Q1, by="month"), period="2024-02")
    assert (feb.admitted, feb.deceased, feb.net_change, feb.working_away) == (2, 1, 1, 3)
    branches = ind.recruitment(con, Q1, by="branch")
    assert row(branches, branch_code="A2").net_change == -1  # +1 admitted, -1 out, -1 removed


def test_recruitment_progress_pace(con):
    df = ind.recruitment_progress(con, Q1, by="commune")
    a, b, c = (row(df, commune_code=k) for k in "ABC")
    assert (a.year, a.months_elapsed, a.target, a.admitted_ytd) == (2024, 3, 12, 4)
    assert a.pace_target == pytest.approx(3.0) and a.on_track
    assert a.i11_target_share == pytest.approx(1 / 3)
    assert b.pace_target == pytest.approx(2.0) and b.on_track == False  # noqa: E712  1 < 2
    assert pd.isna(c.target) and pd.isna(c.i11_target_share) and pd.isna(c.on_track)
    t = ind.recruitment_progress(con, Q1, by="total").iloc[0]
    assert (t.target, t.admitted_ytd, t.sources_trained_ytd) == (20, 6, 7)
    assert t.i11_target_share == pytest.approx(0.3) and t.on_track
    # after two months: pace 8 x 2 / 12 = 1.33 for B (1 admitted), 2 for A (3 admitted)
    two = ind.recruitment_progress(con, ind.Scope("2024-01", "2024-02"), by="commune")
    assert row(two, commune_code="A").on_track
    assert row(two, commune_code="B").pace_target == pytest.approx(8 * 2 / 12)
    assert row(two, commune_code="B").on_track == False  # noqa: E712
    # year to date starts in January whatever the scope's first month
    march = ind.recruitment_progress(con, ind.Scope("2024-03", "2024-03"), by="commune")
    assert row(march, commune_code="A").admitted_ytd == 4


def test_recruitment_progress_cumulative_by_month(con):
    df = ind.recruitment_progress(con, Q1, by="month")
    assert df["admitted"].tolist() == [3, 2, 1]
    # C's January admission stays in the district's year to date after C's merger
    assert df["admitted_ytd"].tolist() == [3, 5, 6]
    assert df["pace_target"].tolist() == pytest.approx([20 / 12, 40 / 12, 5.0])
    b_feb = row(ind.recruitment_progress(con, Q1, by="commune_month"), commune_code="B",
                period="2024-02")
    assert pd.isna(b_feb.admitted) and b_feb.admitted_ytd == 1


# --- inspections: I14 --------------------------------------------------------------------------

def test_inspections_overdue_as_of(con):
    df = ind.inspections(con, Q1, as_of=D(2024, 4, 10), by="commune")
    a, b = row(df, commune_code="A"), row(df, commune_code="B")
    # the 2023 finding (F5) lies outside the scope's inspections
    assert (a.findings, a.open, a.in_progress, a.resolved, a.overdue) == (2, 1, 1, 0, 1)
    # B's QUY_CHE finding was resolved on 15 April: still overdue on 10 April
    assert (b.findings, b.resolved, b.overdue) == (2, 2, 1)
    assert a.i14_resolved_share == 0.0 and b.i14_resolved_share == 1.0
    later = ind.inspections(con, Q1, as_of=AS_OF, by="commune")
    assert row(later, commune_code="A").overdue == 2 and row(later, commune_code="B").overdue == 0
    t = ind.inspections(con, Q1, as_of=AS_OF, by="total").iloc[0]
    assert (t.findings, t.resolved, t.overdue) == (4, 2, 2) and t.i14_resolved_share == 0.5
    # default as_of for a past scope: its last day (31 March): nothing due before it is open
    assert ind.inspections(con, Q1, by="total").iloc[0].overdue == 0
    wide = ind.inspections(con, ind.Scope("2023-11", "2024-03"), as_of=AS_OF, by="total")
    assert wide.iloc[0].findings == 5


def test_inspections_by_category_and_overdue_list(con):
    cats = ind.inspections(con, Q1, as_of=AS_OF, by="category")
    assert dict(zip(cats["category"], cats["findings"])) == {"BIEN_BAN": 2, "KET_LUAN": 1, "QUY_CHE": 1}
    cells = ind.inspections(con, Q1, as_of=AS_OF, by="commune_category")
    assert set(zip(cells["commune_code"], cells["category"], cells["findings"])) == {
        ("A", "BIEN_BAN", 1), ("A", "KET_LUAN", 1), ("B", "BIEN_BAN", 1), ("B", "QUY_CHE", 1)}
    early = ind.overdue_findings(con, Q1, as_of=D(2024, 4, 10))
    assert sorted(zip(early["commune_code"], early["category"], early["days_overdue"])) == [
        ("A", "BIEN_BAN", 10), ("B", "QUY_CHE", 10)]
    late = ind.overdue_findings(con, Q1, as_of=AS_OF)
    assert list(zip(late["category"], late["days_overdue"])) == [("BIEN_BAN", 34), ("KET_LUAN", 4)]
    assert late.iloc[0].branch_name == "Thôn 1"


# --- submissions: I15 --------------------------------------------------------------------------

def test_submission_status_per_commune_month(con):
    df = ind.submissions(con, ind.Scope("2024-01", "2024-04"), Settings(), as_of=AS_OF)
    status = {(r.commune_code, r.period): r.status for r in df.itertuples()}
    assert status == {
        ("A", "2024-01"): "on_time",
        ("A", "2024-02"): "on_time",   # first version 4 Mar; the correction of 10 Mar is current
        ("A", "2024-03"): "on_time",   # 5 Apr 17:30: the deadline day counts whole
        ("A", "2024-04"): "on_time",
        ("B", "2024-01"): "late",      # 6 Feb
        ("B", "2024-02"): "missing",
        ("B", "2024-03"): "on_time",
        ("B", "2024-04"): "pending",   # deadline 5 May not passed on 4 May
        ("C", "2024-01"): "late",      # C is not expected after its merger
    }
    a_feb = row(df, commune_code="A", period="2024-02")
    assert a_feb.versions == 2 and a_feb.deadline == pd.Timestamp(2024, 3, 5)
    assert a_feb.first_received_at == datetime(2024, 3, 4, 8)
    assert a_feb.current_received_at == datetime(2024, 3, 10, 8)
    assert row(df, commune_code="C", period="2024-01").days_late == 15
    # with the deadline on the 7th, B's January report (6 Feb) is on time
    moved = ind.submissions(con, Q1, Settings(submission_deadline_day=7), as_of=AS_OF)
    assert row(moved, commune_code="B", period="2024-01").status == "on_time"


def test_submission_shares_per_month(con):
    df = ind.submissions(con, ind.Scope("2024-01", "2024-04"), Settings(), by="month", as_of=AS_OF)
    assert df["expected_months"].tolist() == [3, 2, 2, 2]   # C inactive from February
    assert df["reported_months"].tolist() == [3, 1, 2, 1]
    assert df["i15_reported_share"].tolist() == pytest.approx([1.0, 0.5, 1.0, 0.5])
    assert df["i15_on_time_share"].tolist() == pytest.approx([1 / 3, 0.5, 1.0, 0.5])
    assert df["missing_months"].tolist() == [0, 1, 0, 0]
    assert df["pending_months"].tolist() == [0, 0, 0, 1]
    assert "status" not in df.columns
    t = ind.submissions(con, Q1, Settings(), by="total", as_of=AS_OF).iloc[0]
    assert (t.expected_months, t.reported_months, t.on_time_months, t.late_months) == (7, 6, 4, 2)


def test_submission_versions(con):
    df = ind.submission_versions(con, "A", "2024-02")
    assert df["version"].tolist() == [1, 2]
    assert df["is_current"].tolist() == [False, True]
    assert df["source_file"].tolist() == ["A_2024-02_v1.xlsx", "A_2024-02_v2.xlsx"]


# --- annual ratings ----------------------------------------------------------------------------

def test_annual_ratings(con):
    df = ind.annual_ratings(con, Q1, by="commune")   # year of the scope's last month: 2024
    a, b, c = (row(df, commune_code=k) for k in "ABC")
    assert (a.branches_rated, a.org_xuat_sac, a.org_tot, a.members_rated) == (2, 1, 1, 28)
    assert a.org_tot_tro_len_share == 1.0
    assert a.members_tot_tro_len_share == pytest.approx(20 / 28)
    assert (b.org_hoan_thanh, b.org_khong_hoan_thanh) == (1, 1) and b.org_tot_tro_len_share == 0.0
    assert not c.reported and pd.isna(c.branches_rated)      # C existed in 2024 but sent none
    t = ind.annual_ratings(con, Q1, by="total").iloc[0]
    assert (t.branches_rated, t.members_rated) == (4, 51)
    assert t.org_tot_tro_len_share == 0.5 and t.members_tot_tro_len_share == pytest.approx(30 / 51)
    hamlets = ind.annual_ratings(con, ind.Scope("2024-01", "2024-03", branch_kinds=("Thôn",)), by="branch")
    assert hamlets["branch_code"].tolist() == ["A1", "B1"]
    assert hamlets["org_rating"].tolist() == ["tot", "hoan_thanh"]
    assert ind.annual_ratings(con, Q1, year=2023, by="total").iloc[0].reported == False  # noqa: E712


# --- filters -----------------------------------------------------------------------------------

def test_commune_filter_changes_numbers(con):
    only_a = ind.Scope("2024-01", "2024-03", communes=("A",))
    assert ind.committee(con, only_a, Settings(), by="total").iloc[0].i2_conclusion_share == pytest.approx(0.8)
    assert ind.committee(con, Q1, Settings(), by="total").iloc[0].i2_conclusion_share == pytest.approx(7 / 9)
    assert ind.branch_meetings(con, only_a, Settings(), by="total").iloc[0].i5_held_share == pytest.approx(5 / 7)
    assert ind.recruitment(con, only_a, by="total").iloc[0].admitted == 4
    assert ind.submissions(con, only_a, Settings(), by="total", as_of=AS_OF).iloc[0].expected_months == 3
    assert ind.inspections(con, only_a, as_of=AS_OF, by="total").iloc[0].findings == 2
    assert ind.communes(con, only_a)["commune_code"].tolist() == ["A"]


def test_branch_kind_filter_changes_branch_indicators_only(con):
    hamlets = ind.Scope("2024-01", "2024-03", branch_kinds=("Thôn",))   # A1, A3, B1, C1
    t = ind.branch_meetings(con, hamlets, Settings(), by="total").iloc[0]
    assert (t.reported_branch_months, t.held) == (7, 5)
    assert row(ind.branch_meetings(con, hamlets, Settings()), commune_code="A").i5_held_share == 0.5
    assert ind.quality(con, hamlets, by="total").iloc[0].rated == 5
    assert ind.thematic(con, hamlets).iloc[0].branches_reported == 4
    # commune-level indicators ignore it
    assert ind.recruitment(con, hamlets, by="total").iloc[0].admitted == 6
    assert ind.committee(con, hamlets, Settings(), by="total").iloc[0].meetings == 9


# --- attention list ----------------------------------------------------------------------------

def test_attention_list(con):
    jan_feb = ind.Scope("2024-01", "2024-02")
    # this warehouse has the SPEC views only, not the report tables the data-quality rules read
    # (tests/test_quality_attention.py tests that reason)
    no_flags = {"attention_quality_flags": False}
    # I5 Jan–Feb: all communes 7/8 = 87.5 %; A 4/5 = 80 %: flagged only with a 5-point margin
    strict = ind.attention(con, jan_feb, Settings(attention_i5_margin_points=5, **no_flags), as_of=AS_OF)
    assert list(zip(strict["commune_code"], strict["reason"])) == [
        ("A", "i5_below"), ("A", "overdue_findings"), ("B", "not_reported"), ("B", "behind_pace")]
    assert strict["message"].iloc[0] == ("Tỷ lệ chi bộ sinh hoạt thường kỳ 80,0%, thấp hơn "
                                         "mức chung 87,5% quá 5 điểm.")
    assert strict["message"].iloc[2] == "Chưa nộp báo cáo tháng 02/2024 (quá hạn nộp)."
    assert row(strict, reason="overdue_findings").value == 2
    loose = ind.attention(con, jan_feb, Settings(**no_flags), as_of=AS_OF)
    assert "i5_below" not in loose["reason"].tolist()
    # the baseline stays all communes when the scope is filtered
    only_a = ind.attention(con, ind.Scope("2024-01", "2024-02", communes=("A",)),
                           Settings(attention_i5_margin_points=5, **no_flags), as_of=AS_OF)
    assert only_a["reason"].tolist() == ["i5_below", "overdue_findings"]
    off = Settings(attention_not_reported=False, attention_i5_below=False,
                   attention_behind_pace=False, attention_overdue_findings=False, **no_flags)
    assert ind.attention(con, jan_feb, off, as_of=AS_OF).empty


# --- helpers, bounds, contract -----------------------------------------------------------------

def test_helpers(con):
    assert ind.communes(con, Q1)["commune_code"].tolist() == ["A", "B", "C"]
    later = ind.Scope("2024-02", "2024-03")
    assert ind.communes(con, later)["commune_code"].tolist() == ["A", "B"]   # C merged
    assert ind.branches(con, later)["branch_code"].tolist() == ["A1", "A2", "B1", "B2"]
    kinds = ind.branch_kinds(con, Q1)
    assert dict(zip(kinds["branch_kind"], kinds["branches"])) == {"Thôn": 4, "Trường học": 1, "Y tế": 1}
    assert ind.available_periods(con) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert ind.period_bounds(con) == ("2024-01", "2024-04")
    assert ind.last_loaded_at(con) == datetime(2024, 5, 3, 10)


def _all_frames(con):
    s, wide = Settings(), ind.Scope("2024-01", "2024-04")
    for by in ("commune", "month", "commune_month", "total"):
        yield ind.committee(con, wide, s, by=by)
        yield ind.submissions(con, wide, s, by=by, as_of=AS_OF)
        yield ind.recruitment_progress(con, wide, by=by)
    for by in ind._BRANCH_GRAINS:
        yield ind.branch_meetings(con, wide, s, by=by)
        yield ind.quality(con, wide, by=by)
    for by in ("quarter", "commune_quarter", "branch_quarter"):
        yield ind.thematic(con, wide, by=by)
    for by in ("commune", "category", "commune_category", "total"):
        yield ind.inspections(con, wide, as_of=AS_OF, by=by)
    for by in ("branch", "commune", "total"):
        yield ind.annual_ratings(con, wide, by=by)


def test_rates_never_pass_one(con):
    checked = 0
    for df in _all_frames(con):
        for column in [c for c in df.columns if c.endswith("_share")]:
            values = df[column].dropna()
            assert ((values >= 0) & (values <= 1)).all(), (column, values.tolist())
            checked += len(values)
    assert checked > 100


def test_total_of_an_empty_warehouse_is_one_unreported_row(tmp_path):
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as empty:
        empty.execute(SCHEMA)
        db.install_spine(empty)
        df = ind.branch_meetings(empty, Q1, Settings(), by="total")
        assert len(df) == 1 and not df.iloc[0].reported and pd.isna(df.iloc[0].i5_held_share)
        assert ind.period_bounds(empty) is None and ind.last_loaded_at(empty) is None
        # the SPEC views only: no report tables for the data-quality rules to read
        assert ind.attention(empty, Q1, Settings(attention_quality_flags=False), as_of=AS_OF).empty


def test_scope_and_grain_validation(con):
    with pytest.raises(ValueError, match="NNNN-TT"):
        ind.Scope("2024-13", "2024-12")
    with pytest.raises(ValueError, match="sau tháng cuối"):
        ind.Scope("2024-05", "2024-04")
    scope = ind.Scope("2023-11", "2024-02", communes=["A"])     # a widget's list is accepted
    assert scope.communes == ("A",) and hash(scope)
    assert scope.months == ("2023-11", "2023-12", "2024-01", "2024-02")
    assert scope.last_day == D(2024, 2, 29)
    assert ind.Scope.for_year(2024) == ind.Scope("2024-01", "2024-12")
    with pytest.raises(ValueError, match="by='branch'"):
        ind.committee(con, Q1, Settings(), by=ind.Grain.BRANCH)
    with pytest.raises(ValueError, match="by='communes'"):  # a misspelt grain is refused, not guessed at
        ind.committee(con, Q1, Settings(), by="communes")
    # a grain is its keys, written out: a branch brings its commune, a quarter is not a month
    assert ind.Grain.BRANCH_MONTH.flags == {"by_commune": True, "by_branch": True, "by_month": True,
                                            "by_category": False}
    assert ind.Grain.COMMUNE_QUARTER.flags == {"by_commune": True, "by_branch": False, "by_month": False,
                                               "by_category": False}
    assert ind.Grain("commune") is ind.Grain.COMMUNE and ind.Grain.COMMUNE == "commune"


def test_every_sql_file_states_its_grain_and_is_used():
    source = Path(ind.__file__).read_text(encoding="utf-8")
    files = sorted(queries.INDICATORS.glob("*.sql"))
    assert len(files) >= 15
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("--") and "Grain:" in text.split("\n\n")[0], path.name
        assert "{" not in text, f"{path.name}: values are bound, never formatted"
        assert f'"{path.stem}"' in source, f"{path.name} is not used by etl/indicators.py"


# --- settings ----------------------------------------------------------------------------------

def test_settings_file_matches_defaults_and_documents_every_key():
    assert load_settings() == Settings()
    assert load_settings(DEFAULT_PATH) == Settings()
    lines = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()
    section = ""
    documented = set()
    for n, line in enumerate(lines):
        if line.startswith("["):
            section = line.strip("[] ")
        elif "=" in line and not line.startswith("#"):
            key = line.split("=")[0].strip()
            # a comment on the line or right above it (in English and in Vietnamese)
            if "#" in line or lines[n - 1].startswith("#"):
                documented.add(f"{section}_{key}")
    from dataclasses import fields
    assert {f.name for f in fields(Settings)} == documented


def test_settings_partial_file_and_errors(tmp_path):
    partial = tmp_path / "partial.toml"
    partial.write_text("[schedule]\nlast_day = 3\n[attention]\ni5_margin_points = 5\n", encoding="utf-8")
    loaded = load_settings(partial)
    assert loaded.schedule_last_day == 3 and loaded.attention_i5_margin_points == 5.0
    assert loaded.submission_deadline_day == 5
    for text, message in [
        ("[schedule]\nlastday = 3\n", "không có cài đặt"),
        ("[schedule]\nlast_day = '3'\n", "số nguyên"),
        ("[attention]\nnot_reported = 1\n", "true/false"),
        ("[schedule]\nfirst_day = true\n", "số nguyên"),
        ("[schedule]\nfirst_day = 9\n", "không được lớn hơn"),
        ("[submission]\ndeadline_day = 32\n", "từ 1 đến 31"),
        ("[session]\nmax_hours = 0\n", "'max_hours' phải từ 1 đến 168"),
        ("schedule = 1\n", "phải là một mục"),
        ("[schedule\n", "cú pháp TOML"),
    ]:
        bad = tmp_path / "bad.toml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            load_settings(bad)
    with pytest.raises(FileNotFoundError):
        load_settings(tmp_path / "absent.toml")


def test_pace_is_taken_at_the_newest_reported_month(tmp_path):
    """A scope reaching past the last reported month measures the pace at that month."""

    from builders import monthly_book, registry_book, targets_book, write_book
    from etl.ingest.load import load_paths
    from etl.warehouse import db

    con = db.connect(tmp_path / "w.duckdb")
    load_paths(con, [write_book(tmp_path / "r.xlsx", registry_book()),
                     write_book(tmp_path / "t.xlsx", targets_book()),
                     write_book(tmp_path / "m.xlsx", monthly_book())])  # March 2024 only
    full = ind.recruitment_progress(con, ind.Scope("2024-01", "2024-12", ("X01",)))
    march = ind.recruitment_progress(con, ind.Scope("2024-01", "2024-03", ("X01",)))
    assert full["months_elapsed"].tolist() == march["months_elapsed"].tolist() == [3]
    assert full["pace_target"].tolist() == march["pace_target"].tolist() == [10 * 3 / 12]
    monthly = ind.recruitment_progress(con, ind.Scope("2024-01", "2024-12", ("X01",)), by="month")
    assert len(monthly) == 12  # the cumulative series still spans the scope
