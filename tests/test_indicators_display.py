"""Figures the pages used to work out themselves, now given by etl.indicators so a page only
words them: unresolved findings, shares of months not yet due, the cumulative admissions of
reported months, one commune's branch-month drill-down, the communes a slide shows; and the
report deadline the Nộp báo cáo page states comes from settings.toml."""
from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pytest

from etl import indicators as ind
from etl import settings as settings_module

SCOPE = ind.Scope("2026-01", "2026-10")


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


@pytest.mark.parametrize("by", ["commune", "category", "commune_category", "total"])
def test_unresolved_findings_are_the_open_and_the_in_progress(con, by):
    df = ind.inspections(con, SCOPE, by=by)
    assert len(df) and (df["unresolved"] == df["open"] + df["in_progress"]).all()


def test_a_month_with_every_report_still_before_its_deadline_has_no_share_yet(con):
    # on 3 December no November report is in (the demo ends in October), none due before the
    # 5th: November has no share yet, not 0 %
    by = ind.submissions(con, ind.Scope("2026-01", "2026-11"), by="month", as_of=date(2026, 12, 3)).set_index("period")
    november = by.loc["2026-11"]
    assert november["due_months"] == 0 and november["i15_reported_share"] == 0
    assert np.isnan(november["i15_reported_share_due"]) and np.isnan(november["i15_on_time_share_due"])
    october = by.loc["2026-10"]
    assert october["due_months"] == october["expected_months"]
    assert october["i15_reported_share_due"] == october["i15_reported_share"]
    assert october["i15_on_time_share_due"] == october["i15_on_time_share"]
    # on 3 November October's deadline (the 5th) is ahead: reports already in do not make the
    # month due, so the page shows it as not yet due rather than its early share
    early = ind.submissions(con, ind.Scope("2026-10", "2026-10"), by="month", as_of=date(2026, 11, 3)).iloc[0]
    assert not early["due"] and early["reported_months"] > 0


def test_cumulative_admissions_stop_at_the_last_reported_month(con):
    by = ind.recruitment_progress(con, ind.Scope("2026-01", "2026-12"), by="month")
    reported = by["admitted"].notna()
    assert reported.any() and not reported.all()
    assert by.loc[reported, "admitted_ytd_reported"].tolist() == by.loc[reported, "admitted_ytd"].tolist()
    assert by.loc[~reported, "admitted_ytd_reported"].isna().all()
    assert "admitted_ytd_reported" not in ind.recruitment_progress(con, SCOPE, by="commune").columns


def test_branch_month_details_place_each_branch_months_shares_by_its_report(con):
    code = ind.communes(con, SCOPE)["commune_code"].iloc[0]
    df = ind.branch_month_details(con, SCOPE, code)
    details = ind.meeting_details(con, SCOPE, commune=code)
    assert len(df) == len(details) and set(df["commune_code"]) == {code}
    shares = ind.branch_meetings(con, ind.Scope(SCOPE.first, SCOPE.last, (code,)), by="branch_month")
    expected = shares.set_index(["branch_code", "period"])["i7_attendance_share"]
    got = df.set_index(["branch_code", "period"])["i7_attendance_share"]
    assert got.dropna().to_dict() == expected.reindex(got.index).dropna().to_dict()


def test_the_stated_report_deadline_is_the_setting(app, demo_db, tmp_path, monkeypatch):
    custom = tmp_path / "settings.toml"
    custom.write_text("[submission]\ndeadline_day = 10\n", encoding="utf-8")
    monkeypatch.setattr(settings_module, "DEFAULT_PATH", custom)
    at = app(demo_db, page="nop_bao_cao")
    [card] = [m for m in at.metric if m.label == "Tỷ lệ nộp đúng hạn"]
    assert "ngày 10 tháng sau" in card.proto.help
