"""The data-quality rules (DOMAIN.md "Data quality across months", etl/warehouse/sql/quality):
each raised by warehouse rows made for it, and its near misses that must stay quiet."""
from __future__ import annotations

import statistics

import pytest

from etl import vnformat as vn
from tests.quality_world import World, month_after

MONTHS = [month_after("2024-01", k) for k in range(14)]


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path / "w.duckdb")
    yield w
    w.con.close()


# --- members_unexplained_change ---------------------------------------------------------------

def test_five_members_gone_without_a_reason_is_flagged_with_its_cell(world):
    world.report("2024-01")
    world.report("2024-02", {"Q3": 15})
    row = world.con.execute("SELECT * FROM data_quality_flags").df()
    assert len(row) == 1
    r = row.iloc[0]
    assert (r.branch_code, r.period, r.rule, r.field) == ("Q3", "2024-02", "members_unexplained_change", "members_total")
    assert (r.value, r.expected, r.previous_period, r.previous_value) == (15, 20, "2024-01", 20)
    assert (r.sheet, r.cell, r.source_file) == ("2. Sinh hoạt chi bộ", "D7", "f3.xlsx")
    assert "Tổng số đảng viên 15" in r.message and "lẽ ra là 20" in r.message and not r.verified


def test_a_typo_280_for_28_is_flagged(world):
    world.report("2024-01", {"Q1": 28})
    world.report("2024-02", {"Q1": 280})
    assert world.flags() == [("Q1", "2024-02", "members_unexplained_change")]


@pytest.mark.parametrize("when", ["this month", "month before"])
def test_a_balance_that_closes_through_a_transfer_in_either_month_is_not_flagged(world, when):
    world.report("2024-01", changes={"Q2": {"transferred_out": 2}} if when == "month before" else None)
    world.report("2024-02", {"Q2": 18, "Q4": 21},
                 changes={"Q4": {"admitted": 1}, **({"Q2": {"transferred_out": 2}} if when == "this month" else {})})
    assert world.flags() == []


def test_a_one_month_dip_with_a_death_reported_is_not_flagged(world):
    world.report("2024-01")
    world.report("2024-02", {"Q1": 19}, changes={"Q1": {"deceased": 1}})
    world.report("2024-03", {"Q1": 20}, changes={"Q1": {"transferred_in": 1}})
    assert world.flags() == []


def test_a_gap_month_is_not_compared(world):
    world.report("2024-01")
    world.report("2024-03", {"Q1": 12})  # February unreported: its changes are unknown
    assert world.flags() == []
    world.report("2024-04", {"Q1": 9})   # the next pair is compared
    assert world.flags() == [("Q1", "2024-04", "members_unexplained_change")]


def test_a_new_version_of_the_report_clears_or_brings_the_flag(world):
    world.report("2024-01")
    world.report("2024-02", {"Q3": 15})
    assert len(world.flags()) == 1
    world.report("2024-02", {"Q3": 15}, changes={"Q3": {"removed": 5}})  # the commune adds the removals
    assert world.flags() == []
    world.report("2024-02", {"Q3": 14}, changes={"Q3": {"removed": 5}})
    assert world.flags() == [("Q3", "2024-02", "members_unexplained_change")]


# --- outlier: attendance share -----------------------------------------------------------------

def _attendance_history(world, shares_of_20: list[int], last: int):
    for period, n in zip(MONTHS, shares_of_20 + [last]):
        world.report(period, attended={"Q1": n})


def test_attendance_drop_matches_a_hand_computed_modified_z_score(world):
    history = [18, 19, 18, 17, 19, 18, 20, 18, 19, 17, 18, 19]   # attended of 20
    _attendance_history(world, history, 8)
    shares = [n / 20 for n in history]
    med = statistics.median(shares)
    mad = statistics.median(abs(s - med) for s in shares)
    score = 0.6745 * (8 / 20 - med) / max(mad, 0.05)
    assert score < -3.5  # -(0.9 - 0.4) * 0.6745 / 0.05 = -6.7
    r = world.con.execute("SELECT * FROM data_quality_flags WHERE field = 'attendance_share'").df()
    assert list(r.branch_code) == ["Q1"] and list(r.period) == [MONTHS[12]]
    assert r.expected[0] == pytest.approx(med) and r.value[0] == pytest.approx(0.4)
    assert r.cell[0] == "H5" and vn.percent(0.4) in r.message[0] and vn.percent(med) in r.message[0]


def test_attendance_just_inside_the_floor_and_rises_are_not_flagged(world):
    history = [18] * 12
    # MAD 0 floored at 0.05: 0.6745 (x - 0.9) / 0.05 >= -3.5 down to x = 0.6406 (13 of 20 = 0.65)
    _attendance_history(world, history, 13)
    world.report(MONTHS[13], attended={"Q1": 20})  # a rise never counts
    assert world.flags() == []


def test_attendance_needs_six_months_of_history(world):
    _attendance_history(world, [18] * 5, 2)
    assert world.flags() == []
    world.report(MONTHS[6], attended={"Q1": 2})  # now 6 months before it (one of them the dip)
    assert world.flags("outlier") == [("Q1", MONTHS[6], "outlier")]


# --- outlier: committee size -------------------------------------------------------------------

def _committee_score(history: list[int], x: int) -> float:
    """DOMAIN.md's score by hand: modified z-score, or with MAD 0 the mean absolute deviation."""
    med = statistics.median(history)
    mad = statistics.median(abs(h - med) for h in history)
    if mad:
        return 0.6745 * (x - med) / mad
    mean = sum(history) / len(history)
    return (x - med) / (1.253314 * sum(abs(h - mean) for h in history) / len(history))


def test_committee_size_typed_wrong_is_flagged_both_ways(world):
    sizes = [15, 16, 14, 15, 16, 14, 15, 16, 14, 15, 150, 15, 9]
    for period, n in zip(MONTHS, sizes):
        world.report(period, committee=n)
    assert _committee_score(sizes[:10], 150) > 3.5
    assert _committee_score(sizes[:12], 9) == pytest.approx(0.6745 * -6)  # MAD 1 even with 150 in it
    assert _committee_score(sizes[:12], 10) > -3.5                        # 10 would be a near miss
    flags = world.con.execute("SELECT period, value, expected, cell FROM data_quality_flags "
                              "WHERE field = 'committee_members_total' ORDER BY period").fetchall()
    assert flags == [(MONTHS[10], 150, 15, "D4"), (MONTHS[12], 9, 15, "D4")]


def test_committee_constant_history_uses_mean_deviation_then_skips(world):
    sizes = [15] * 8 + [17]
    for period, n in zip(MONTHS, sizes):
        world.report(period, committee=n)
    assert world.flags() == []  # constant 15 before the 17: MAD and mean deviation 0, skipped
    assert abs(_committee_score(sizes, 16)) < 3.5
    world.report(MONTHS[9], committee=16)
    assert world.flags() == []
    history = sizes + [16]
    assert _committee_score(history, 13) > -3.5 > _committee_score(history, 12)
    world.report(MONTHS[10], committee=12)
    assert world.flags() == [(None, MONTHS[10], "outlier")]


# --- copied_report ------------------------------------------------------------------------------

def test_a_report_sent_again_with_only_the_month_changed_is_flagged(world):
    same = {c: 15 for c in world.codes}
    world.report("2024-01", attended=same)
    world.report("2024-02", attended=same)
    assert world.flags() == [(None, "2024-02", "copied_report")]


def test_copied_report_near_misses(world, tmp_path):
    same = {c: 15 for c in world.codes}
    world.report("2024-01", attended=same)
    world.report("2024-02", attended={**same, "Q6": 17})  # one branch differs
    world.report("2024-04", attended={**same, "Q6": 17})  # as February, but March not reported
    small = World(tmp_path / "small.duckdb", branches=4, commune="S")
    small.report("2024-01", attended={c: 15 for c in small.codes})
    small.report("2024-02", attended={c: 15 for c in small.codes})  # only 4 branches
    assert world.flags() == [] and small.flags() == []
    small.con.close()


# --- branch_count_change -------------------------------------------------------------------------

def test_a_branch_left_out_after_a_full_report_is_flagged(world):
    world.report("2024-01", attended={"Q1": 1})
    world.report("2024-02", branches=world.codes[:-1], attended={"Q1": 2})
    world.report("2024-03", branches=world.codes[:-1], attended={"Q1": 3})  # still short: not again
    rows = world.con.execute("SELECT period, value, expected, sheet, cell, message FROM data_quality_flags").fetchall()
    assert [r[:5] for r in rows] == [("2024-02", 5, 6, "2. Sinh hoạt chi bộ", None)]
    assert "thiếu: Chi bộ thôn 6" in rows[0][5]


# --- messages ----------------------------------------------------------------------------------

@pytest.mark.parametrize("x", [0, 5, -5, 1234, -1234567])
def test_sql_numbers_read_as_vnformat_writes_them(world, x):
    assert world.con.execute("SELECT vn_int(?)", [x]).fetchone()[0] == vn.number(x)


@pytest.mark.parametrize("share", [0.0, 0.4, 0.853, 0.9, 1.0, 0.12345])
def test_sql_percent_reads_as_vnformat_writes_it(world, share):
    assert world.con.execute("SELECT vn_percent(?)", [share]).fetchone()[0] == vn.percent(share)


# --- honest data -------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

changes = st.fixed_dictionaries({k: st.integers(0, 2) for k in
                                 ("admitted", "transferred_in", "transferred_out", "deceased", "removed")})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(months=st.lists(st.tuples(changes, st.booleans()), min_size=2, max_size=6))
def test_member_series_whose_balance_closes_raise_no_flag(tmp_path_factory, months):
    """Each month's net change (sheet 3) moves the total in its own month or the next."""
    w = World(tmp_path_factory.mktemp("h") / "w.duckdb", branches=1)
    try:
        total, pending = 30, None
        for k, (change, late) in enumerate(months):
            net = change["admitted"] + change["transferred_in"] - change["transferred_out"] \
                - change["deceased"] - change["removed"]
            total += pending or 0                      # last month's change counted now
            if not late:
                total += net
            pending = net if late else None
            w.report(MONTHS[k], {"Q1": total}, changes={"Q1": change})
        assert w.flags("members_unexplained_change") == []
    finally:
        w.con.close()
