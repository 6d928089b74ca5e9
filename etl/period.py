"""Months and periods as the product names them: a month is 'YYYY-MM' (a report's month, the
command line's --month, a Scope's first and last month, the warehouse's `period` column).

`Month.parse('2024-03')` reads one (a ValueError with a Vietnamese message for anything else);
a Month knows its days, its quarter and the month after it. A `Period` is a run of whole
months from its first to its last: a Scope's months, a quarter, a year. `Period.parse` reads a
period as a person writes it (SPEC §4): '2026-10' (a month), '2026-Q3' (a quarter), '2026-H1' /
'2026-H2' (a half-year), '2026' (the year); quarters and halves follow the calendar. A period
knows its kind, its Vietnamese name ("quý III năm 2026"), the slug its file names carry, and
the periods it is compared with: the same period a year before and, for a month or a quarter,
the one just before it.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_PERIOD = re.compile(r"(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])|H([12])))?")
ROMAN = ("I", "II", "III", "IV")
HALVES = ("6 tháng đầu năm", "6 tháng cuối năm")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    number: int  # 1..12

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2024-03' -> Month(2024, 3); ValueError (Vietnamese) for any other value."""
        found = _MONTH.fullmatch(text) if isinstance(text, str) else None
        if found is None:
            raise ValueError(f"Kỳ '{text}' không đúng dạng NNNN-TT (ví dụ 2024-03).")
        return cls(int(found[1]), int(found[2]))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.number, calendar.monthrange(self.year, self.number)[1])

    @property
    def quarter(self) -> int:
        """1..4."""
        return (self.number + 2) // 3

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.number == 12 else Month(self.year, self.number + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.number == 1 else Month(self.year, self.number - 1)


def is_month(text) -> bool:
    """Whether `text` is a month written 'YYYY-MM'."""
    return isinstance(text, str) and _MONTH.fullmatch(text) is not None


@dataclass(frozen=True)
class Period:
    """The whole months from `first` to `last`, both included."""
    first: Month
    last: Month

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"Tháng đầu {self.first} sau tháng cuối {self.last}.")

    @classmethod
    def parse(cls, text: str) -> Period:
        """A period as written: 'YYYY-MM' (that month), 'YYYY-Qn' (quarter n), 'YYYY-H1' /
        'YYYY-H2' (a half-year) or 'YYYY' (the year); ValueError (Vietnamese) for anything else."""
        found = _PERIOD.fullmatch(text.strip().upper()) if isinstance(text, str) else None
        if found is None:
            raise ValueError(f"Kỳ '{text}' không đúng dạng: NNNN-TT (tháng, ví dụ 2026-10), NNNN-Qn "
                             "(quý, ví dụ 2026-Q3), NNNN-H1 hoặc NNNN-H2 (6 tháng) hoặc NNNN (năm).")
        year, month, quarter, half = found.groups()
        if month:
            return cls(Month(int(year), int(month)), Month(int(year), int(month)))
        if quarter:
            return cls.quarter(int(year), int(quarter))
        if half:
            return cls.half(int(year), int(half))
        return cls.year(int(year))

    @classmethod
    def between(cls, first: str, last: str) -> Period:
        """From month `first` to month `last` ('YYYY-MM'); ValueError (Vietnamese) for a month
        not so written, or a first month after the last."""
        return cls(Month.parse(first), Month.parse(last))

    @classmethod
    def quarter(cls, year: int, k: int) -> Period:
        """Quarter k (1..4) of `year`."""
        return cls(Month(year, 3 * k - 2), Month(year, 3 * k))

    @classmethod
    def half(cls, year: int, k: int) -> Period:
        """Half k (1: January–June, 2: July–December) of `year`."""
        return cls(Month(year, 6 * k - 5), Month(year, 6 * k))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(Month(year, 1), Month(year, 12))

    @property
    def kind(self) -> str:
        """'month', 'quarter', 'half', 'year', or 'months' for any other run of months."""
        first, last, span = self.first, self.last, len(self.months)
        if first.year != last.year:
            return "months"
        for kind, length in (("month", 1), ("quarter", 3), ("half", 6), ("year", 12)):
            if span == length and (first.number - 1) % length == 0:
                return kind
        return "months"

    def _words(self) -> tuple[str, str]:
        """(name, slug): how a sentence and a file name call the period."""
        first, year, kind = self.first, self.first.year, self.kind
        if kind == "month":
            return f"tháng {first.number} năm {year}", f"thang-{first.number}-{year}"
        if kind == "quarter":
            return f"quý {ROMAN[first.quarter - 1]} năm {year}", f"quy-{first.quarter}-{year}"
        if kind == "half":
            second = first.number == 7
            return f"{HALVES[second]} {year}", f"{year}-6-thang-{'cuoi' if second else 'dau'}-nam"
        if kind == "year":
            return f"năm {year}", str(year)
        return (f"từ tháng {first.number}/{year} đến tháng {self.last.number}/{self.last.year}",
                f"{first}-den-{self.last}")

    @property
    def name(self) -> str:
        """Its Vietnamese name in a sentence: 'tháng 10 năm 2026', 'quý III năm 2026',
        '6 tháng đầu năm 2026', 'năm 2026', 'từ tháng 11/2026 đến tháng 2/2027'."""
        return self._words()[0]

    @property
    def title(self) -> str:
        """The name opening a line or a list entry: 'Quý III năm 2026'."""
        name = self.name
        return name[0].upper() + name[1:]

    @property
    def file_words(self) -> str:
        """The part of a file name that names it: '2026', 'thang-10-2026', 'quy-3-2026',
        '2026-6-thang-dau-nam', '2026-6-thang-cuoi-nam', '2026-11-den-2027-02'."""
        return self._words()[1]

    def a_year_before(self) -> Period:
        """The same months one year earlier ("cùng kỳ")."""
        return Period(Month(self.first.year - 1, self.first.number), Month(self.last.year - 1, self.last.number))

    def just_before(self) -> Period | None:
        """The month before a month, the quarter before a quarter; None for other periods
        (a half-year or a year is compared with the same period a year before only)."""
        if self.kind == "month":
            month = self.first.previous()
            return Period(month, month)
        if self.kind == "quarter":
            last = self.first.previous()
            return Period.quarter(last.year, last.quarter)
        return None

    def following(self) -> Period:
        """The period a report's tasks look ahead to: the next month or quarter, the second half
        after the first, the next year after the second half or the year."""
        kind, last = self.kind, self.last
        if kind == "month":
            return Period(last.next(), last.next())
        if kind == "quarter":
            return Period.quarter(last.next().year, last.next().quarter)
        if kind == "half" and last.number == 6:
            return Period.half(last.year, 2)
        return Period.year(last.year + 1)

    @property
    def months(self) -> tuple[Month, ...]:
        out, month = [], self.first
        while month <= self.last:
            out.append(month)
            month = month.next()
        return tuple(out)

    @property
    def first_day(self) -> date:
        return self.first.first_day

    @property
    def last_day(self) -> date:
        return self.last.last_day


def periods_of(year: int) -> tuple[Period, ...]:
    """The periods a summary can be made for in `year`, as a list offers them: the year, its
    halves, its quarters, its months."""
    return (Period.year(year), *(Period.half(year, k) for k in (1, 2)),
            *(Period.quarter(year, k) for k in range(1, 5)),
            *(Period(Month(year, m), Month(year, m)) for m in range(1, 13)))


def last_complete_month(today: date) -> Period:
    """The month before `today`'s: the last one that is over (the monthly briefing's default)."""
    month = Month(today.year, today.month).previous()
    return Period(month, month)


def period_of(value: Period | int | str) -> Period:
    """A Period from a year (2026: the December export is asked for by year), a period's text
    ('2026-Q3', as Period.parse) or a Period."""
    if isinstance(value, Period):
        return value
    return Period.year(value) if isinstance(value, int) else Period.parse(value)
