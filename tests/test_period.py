"""Months and periods (etl.period): 'YYYY-MM' read once, a period's months, days and quarters."""
from __future__ import annotations

from datetime import date

import pytest

from etl.period import Month, Period, is_month


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
