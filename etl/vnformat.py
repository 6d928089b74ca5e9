"""Vietnamese display of numbers, shares and dates: 1.234 · 85,3% · 03/04/2024.

Used by the dashboard and the export alike, so a figure reads the same on a page and on paper.
Missing values (None, NaN, pandas NA) are shown as `missing` (default "—"); callers that mean
"no report" pass `labels.NOT_REPORTED` instead.
"""
from __future__ import annotations

import math
from datetime import date, datetime

DASH = "—"


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(x != x) or (isinstance(x, float) and math.isnan(x))  # NaN and pandas NA
    except TypeError:  # pandas NA refuses bool()
        return True


def number(x, digits: int = 0, missing: str = DASH) -> str:
    """1234 -> '1.234'; 3.25 with digits=1 -> '3,3' (round half away from zero)."""
    if _missing(x):
        return missing
    value = float(x)
    scaled = math.floor(abs(value) * 10**digits + 0.5) / 10**digits
    text = f"{scaled:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return ("-" if value < 0 and scaled else "") + text


def tenths(x, missing: str = DASH) -> str:
    """A figure to one decimal, without ',0' when that is whole: 2 -> '2', 2.5 -> '2,5', 4.96 -> '5'
    (a median of days, a pace of admissions)."""
    return number(x, 1, missing).removesuffix(",0")


def signed(x, missing: str = DASH) -> str:
    """A change: 3 -> '+3', -2 -> '-2', 0 -> '0'."""
    text = number(x, missing=missing)
    return "+" + text if not _missing(x) and float(x) > 0 else text


def percent(share, digits: int = 1, missing: str = DASH) -> str:
    """A fraction 0..1 -> '85,3%'."""
    if _missing(share):
        return missing
    return number(float(share) * 100, digits) + "%"


def ratio(part, whole, missing: str = DASH) -> str:
    """'128/134'."""
    if _missing(part) or _missing(whole):
        return missing
    return f"{number(part)}/{number(whole)}"


def day(d, missing: str = DASH) -> str:
    """A date -> '03/04/2024'."""
    if _missing(d):
        return missing
    if hasattr(d, "to_pydatetime"):
        d = d.to_pydatetime()
    if isinstance(d, datetime):
        d = d.date()
    return d.strftime("%d/%m/%Y") if isinstance(d, date) else str(d)


def moment(t, missing: str = DASH) -> str:
    """A timestamp -> '03/04/2024 08:15'."""
    if _missing(t):
        return missing
    if hasattr(t, "to_pydatetime"):
        t = t.to_pydatetime()
    return t.strftime("%d/%m/%Y %H:%M")


def month(period: str) -> str:
    """'2024-03' -> 'Tháng 3/2024'."""
    return f"Tháng {int(period[5:7])}/{period[:4]}"


def month_numeric(period: str) -> str:
    """'2024-03' -> '03/2024' (inside a sentence: "báo cáo tháng 03/2024")."""
    return f"{period[5:7]}/{period[:4]}"


def month_short(period: str) -> str:
    """'2024-03' -> 'T3/2024' (chart axes)."""
    return f"T{int(period[5:7])}/{period[:4]}"


def month_of_year(period: str) -> str:
    """'2024-03' -> 'T3' (an axis of one year's months, the year said beside it)."""
    return f"T{int(period[5:7])}"
