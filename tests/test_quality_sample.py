"""Flags are rare on honest data (DOMAIN.md): on the sample generator's reports (conftest's
demo warehouse, loaded from generated workbooks), fewer than 1% of branch-months are flagged,
and its member counts close the balance every month (no members_unexplained_change at all)."""
from __future__ import annotations

import duckdb


def test_flags_are_rare_on_the_sample_data(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        branch_months = con.execute("SELECT count(*) FROM branch_meetings").fetchone()[0]
        by_rule = dict(con.execute("SELECT rule || ':' || field, count(*) FROM data_quality_flags "
                                   "GROUP BY ALL").fetchall())
    assert branch_months > 500
    assert sum(by_rule.values()) < 0.01 * branch_months, by_rule
    assert "members_unexplained_change:members_total" not in by_rule  # the generator keeps the balance
    assert by_rule.get("outlier:attendance_share", 0) < 0.01 * branch_months
