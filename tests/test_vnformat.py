from datetime import date, datetime

import pandas as pd
import pytest

from etl import vnformat as vn


@pytest.mark.parametrize("x,digits,out", [(1234, 0, "1.234"), (1234567, 0, "1.234.567"), (0, 0, "0"),
                                          (3.25, 1, "3,3"), (95.45, 1, "95,5"), (-1234.5, 1, "-1.234,5"),
                                          (None, 0, "—"), (float("nan"), 0, "—"), (pd.NA, 0, "—")])
def test_number(x, digits, out):
    assert vn.number(x, digits) == out


def test_percent_ratio_dates():
    assert vn.percent(128 / 134) == "95,5%"
    assert vn.percent(0.307) == "30,7%" and vn.percent(1) == "100,0%" and vn.percent(None) == "—"
    assert vn.percent(None, missing="Chưa báo cáo") == "Chưa báo cáo"
    assert vn.ratio(128, 134) == "128/134"
    assert (vn.signed(1234), vn.signed(-2), vn.signed(0), vn.signed(pd.NA, missing="")) == ("+1.234", "-2", "0", "")
    assert vn.day(date(2024, 4, 3)) == "03/04/2024" == vn.day(pd.Timestamp("2024-04-03"))
    assert vn.moment(datetime(2024, 4, 3, 8, 5)) == "03/04/2024 08:05"
    assert vn.month("2024-03") == "Tháng 3/2024" and vn.month_short("2024-11") == "T11/2024"
    assert vn.month_of_year("2024-03") == "T3" and vn.month_of_year("2024-11") == "T11"


@pytest.mark.parametrize("x,out", [(2, "2"), (2.5, "2,5"), (4.96, "5"), (4.2, "4,2"), (1234.0, "1.234"),
                                   (-0.25, "-0,3"), (None, "—")])
def test_tenths_drops_a_whole_numbers_comma_zero(x, out):
    assert vn.tenths(x) == out
