"""Flags are rare on honest data (DOMAIN.md): on the sample generator's reports (conftest's
demo warehouse, loaded from generated workbooks), fewer than 1% of branch-months are flagged,
and its member counts close the balance every month (no members_unexplained_change at all).

The demo of scripts/run.sh carries a few oddities (etl.sample.oddities, conftest's oddities_db:
the same sample with them): each raises exactly its flag, the reports that carry them pass
SPEC §3's checks, and nothing else is flagged that the honest sample does not flag."""
from __future__ import annotations

import duckdb

from etl import labels, quality
from etl.sample.oddities import KINDS, read_record

KEY = "commune_code, branch_code, period, rule, field"
# branch-months whose members_total is not last month's plus this month's sheet 3 changes
UNBALANCED = """
SELECT cur.commune_code, cur.branch_code, cur.period
FROM branch_meetings AS cur
JOIN branch_meetings AS prev ON prev.branch_code = cur.branch_code AND prev.period = month_before(cur.period)
LEFT JOIN recruitment AS r ON r.branch_code = cur.branch_code AND r.period = cur.period
WHERE cur.members_total - prev.members_total
      <> net_change(r.admitted, r.transferred_in, r.transferred_out, r.deceased, r.removed)
"""


def flags(path) -> set[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return set(con.execute(f"SELECT {KEY} FROM data_quality_flags").fetchall())


def branch_months(path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM branch_meetings").fetchone()[0]


def unbalanced(path) -> set[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return set(con.execute(UNBALANCED).fetchall())


def injected(path) -> list:
    return read_record(path.parent / "sample")


def test_flags_are_rare_on_the_sample_data(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        by_rule = dict(con.execute("SELECT rule || ':' || field, count(*) FROM data_quality_flags "
                                   "GROUP BY ALL").fetchall())
    assert branch_months(demo_db) > 500
    assert sum(by_rule.values()) < 0.01 * branch_months(demo_db), by_rule
    assert "members_unexplained_change:members_total" not in by_rule  # the generator keeps the balance
    assert by_rule.get("outlier:attendance_share", 0) < 0.01 * branch_months(demo_db)


def test_the_generator_keeps_the_member_balance_and_the_oddities_break_it(demo_db, oddities_db):
    """Honest data closes the balance with each month's own changes (stricter than the rule,
    which also takes the month before's); the oddities' member counts are the only ones off."""
    assert unbalanced(demo_db) == set()
    assert unbalanced(oddities_db) == {(o.commune_code, o.branch_code, o.period) for o in injected(oddities_db)
                                       if o.rule == "members_unexplained_change"}


def test_every_oddity_raises_exactly_its_flag(demo_db, oddities_db):
    odd = injected(oddities_db)
    assert len(odd) == len(KINDS)  # every kind found a place in the sample
    assert {o.rule for o in odd} == set(labels.QUALITY_RULES)
    assert {o.field for o in odd} <= set(quality.FIELD_LABELS)
    assert all(o.description for o in odd)
    assert {(o.rule, o.field) for o in odd} >= {("outlier", "attendance_share"), ("outlier", "committee_members_total")}
    honest, flagged = flags(demo_db), flags(oddities_db)
    assert flagged - honest == {(o.commune_code, o.branch_code, o.period, o.rule, o.field) for o in odd}
    assert honest <= flagged  # the oddities hide no honest flag either
    assert len(flagged) - len(odd) < 0.01 * branch_months(oddities_db)


def test_the_reports_with_oddities_pass_every_check(oddities_load):
    """Errors no single file shows: every file loads; the one report missing a branch says so,
    with the file warning of SPEC §3, as the honest files' warnings do."""
    path, results = oddities_load
    assert [(r.file, [p.code for p in r.problems]) for r in results if r.status != "loaded"] == []
    [missing] = [o for o in injected(path) if o.rule == "branch_count_change"]
    [report] = [r for r in results if (r.commune, r.period) == (missing.commune_code, missing.period)]
    assert [p.code for p in report.problems if p.severity == "error"] == []
    assert "branch_missing" in [p.code for p in report.problems]
