"""Months and periods (etl.period): 'YYYY-MM' read once, a period's months, days and quarters."""
from __future__ import annotations

from datetime import date

import pytest

from etl.period import Month, Period, is_month, last_complete_month, periods_of


def test_a_month_is_read_from_yyyy_mm_only():
    assert Month.parse("2024-02") == Month(2024, 2) and str(Month(2024, 2)) == "2024-02"
    for bad in ("2024-2", "2024-13", "2024-00", "24-02", " 2024-02", "2024-02-01", None, 202402):
        with pytest.raises(ValueError, match="NNNN-TT"):
            Month.parse(bad)
    assert is_month("2026-12") and not is_month("2026-Q4") and not is_month(None)


def test_a_months_days_quarter_and_next():
    feb = Month.parse("2024-02")
    assert (feb.first_day, feb.last_day, feb.quarter) == (date(2024, 2, 1), date(2024, 2, 29), 1)
    assert Month(2026, 12).next() == Month(2027, 1) and Month(2026, 10).quarter == 4


def test_a_period_is_its_months_from_first_to_last():
    p = Period.between("2026-11", "2027-02")
    assert [str(m) for m in p.months] == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert (p.first_day, p.last_day) == (date(2026, 11, 1), date(2027, 2, 28))
    assert Period.parse("2026-10") == Period(Month(2026, 10), Month(2026, 10))
    assert Period.quarter(2026, 3) == Period.between("2026-07", "2026-09")
    with pytest.raises(ValueError, match="sau tháng cuối"):
        Period.between("2026-05", "2026-04")


@pytest.mark.parametrize("text, first, last, kind, name, slug", [
    ("2026-10", "2026-10", "2026-10", "month", "tháng 10 năm 2026", "thang-10-2026"),
    ("2026-Q3", "2026-07", "2026-09", "quarter", "quý III năm 2026", "quy-3-2026"),
    ("2026-q4", "2026-10", "2026-12", "quarter", "quý IV năm 2026", "quy-4-2026"),
    ("2026-H1", "2026-01", "2026-06", "half", "6 tháng đầu năm 2026", "2026-6-thang-dau-nam"),
    ("2026-H2", "2026-07", "2026-12", "half", "6 tháng cuối năm 2026", "2026-6-thang-cuoi-nam"),
    ("2026", "2026-01", "2026-12", "year", "năm 2026", "2026"),
])
def test_a_period_is_read_as_a_month_quarter_half_or_year(text, first, last, kind, name, slug):
    p = Period.parse(text)
    assert (str(p.first), str(p.last), p.kind, p.name, p.file_words) == (first, last, kind, name, slug)


def test_a_period_that_is_none_of_those_is_refused_in_vietnamese():
    for bad in ("2026-Q5", "2026-H3", "2026-13", "26", "2026-", "Q3-2026", "", None):
        with pytest.raises(ValueError, match="không đúng dạng"):
            Period.parse(bad)
    assert Period.between("2026-11", "2027-02").kind == "months"
    assert Period.between("2026-02", "2026-04").kind == "months"   # three months, not a quarter


def test_a_period_is_compared_with_a_year_before_and_the_one_just_before():
    assert Period.parse("2026-10").a_year_before() == Period.parse("2025-10")
    assert Period.parse("2026-H1").a_year_before() == Period.parse("2025-H1")
    assert Period.parse("2026-01").just_before() == Period.parse("2025-12")
    assert Period.parse("2026-Q1").just_before() == Period.parse("2025-Q4")
    assert Period.parse("2026-Q3").just_before() == Period.parse("2026-Q2")
    assert Period.parse("2026-H2").just_before() is None and Period.parse("2026").just_before() is None
    assert [Period.parse(t).following().name for t in ("2026-12", "2026-Q4", "2026-H1", "2026-H2", "2026")] \
        == ["tháng 1 năm 2027", "quý I năm 2027", "6 tháng cuối năm 2026", "năm 2027", "năm 2027"]


def test_the_periods_a_year_offers_and_the_last_complete_month():
    names = [p.name for p in periods_of(2026)]
    assert names[:4] == ["năm 2026", "6 tháng đầu năm 2026", "6 tháng cuối năm 2026", "quý I năm 2026"]
    assert len(names) == 19 and names[-1] == "tháng 12 năm 2026" and periods_of(2026)[5].title == "Quý III năm 2026"
    assert last_complete_month(date(2026, 12, 5)) == Period.parse("2026-11")
    assert last_complete_month(date(2027, 1, 1)) == Period.parse("2026-12")
