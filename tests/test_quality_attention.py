"""Tổng quan's "Cần quan tâm" names a commune whose data-quality flags in the scope's months the
board has not verified (indicators.attention, reason 'quality_flags'): counted by rule, a
verified flag counted out, switched by [attention] quality_flags; the page shows it with its
badge, and the briefing lists it."""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

from etl import indicators as ind
from etl import labels, quality
from etl.access.accounts import add_user
from etl.outputs import briefing
from etl.settings import Settings
from tests.quality_world import flagged_communes
from ui.markup import MESSAGE, md

AS_OF = date(2025, 1, 15)
Q1 = ind.Scope("2024-01", "2024-03")


@pytest.fixture
def flagged(tmp_path):
    """flagged_communes, and Q's March sent again as February's (copied_report): Q has two flags
    of two rules, R one; R's flag is verified when a test asks for it."""
    path = tmp_path / "w.duckdb"
    q, r = flagged_communes(path)
    q.report("2024-03", {"Q3": 15}, attended={c: (15 if c == "Q3" else 20) - 1 for c in q.codes})
    add_user(q.con, "bantochuc", "ban_to_chuc", password="mat-khau-dai-du-9")
    r.con.close()
    yield path, q.con
    q.con.close()


def reasons(con, scope=Q1, settings=None):
    att = ind.attention(con, scope, settings or Settings(), as_of=AS_OF)
    return att[att["reason"] == "quality_flags"]


def test_a_commune_with_unverified_flags_needs_attention_with_its_rules_counted(flagged):
    _, con = flagged
    rows = reasons(con)
    assert dict(zip(rows["commune_code"], rows["message"])) == {
        "Q": "Có 2 số liệu bất thường chưa xác minh (số đảng viên thay đổi không khớp biến động: 1; "
             "báo cáo giống hệt tháng trước: 1).",
        "R": "Có 1 số liệu bất thường chưa xác minh (báo cáo giống hệt tháng trước: 1).",
    }
    assert dict(zip(rows["commune_code"], rows["value"])) == {"Q": 2, "R": 1}
    # the same counts as the page's (one source): unverified flags per commune
    counts = ind.data_quality_counts(con, Q1).groupby("commune_code")["flags"].sum()
    assert counts.to_dict() == {"Q": 2, "R": 1}


def test_only_the_scopes_months_count_and_a_verified_flag_leaves(flagged):
    _, con = flagged
    march = reasons(con, ind.Scope("2024-03", "2024-03"))
    assert dict(zip(march["commune_code"], march["value"])) == {"Q": 1, "R": 1}  # Q's February flag is out
    assert reasons(con, ind.Scope("2024-01", "2024-01")).empty
    quality.verify(con, quality.Flag("R", "2024-03", "copied_report", "branch_meetings"),
                   "Đã gọi điện, đảng ủy xã xác nhận", by=None)
    assert list(reasons(con)["commune_code"]) == ["Q"]
    assert list(reasons(con, Q1, Settings(attention_quality_flags=False))["commune_code"]) == []


def test_overview_lists_the_reason_with_its_badge(app, flagged):
    path, con = flagged
    con.close()
    at = app(path, page="tong_quan", nam="2024", tu_thang="1", den_thang="3")
    assert not at.exception and not at.error
    text = "\n".join(m.value for m in at.markdown)
    with duckdb.connect(str(path), read_only=True) as ro:
        expected = reasons(ro, Q1, None)
    badge = f":violet-badge[{labels.ATTENTION['quality_flags']}]"
    for r in expected.itertuples():
        assert f"{badge} {md(r.message, MESSAGE)}" in text
    assert f":violet-badge[{labels.ATTENTION['quality_flags']}: 2 đảng bộ]" in text


def test_the_briefing_names_the_reason(flagged):
    _, con = flagged
    rows = briefing.attention_rows(ind.attention(con, Q1, Settings(), as_of=AS_OF))
    assert {name: labels.ATTENTION["quality_flags"] in reasons for name, reasons in rows} == {
        "Xã Quế": True, "Xã Rạng": True}
