"""Months and periods as the product names them: a month is 'YYYY-MM' (a report's month, the
command line's --month, a Scope's first and last month, the warehouse's `period` column).

`Month.parse('2024-03')` reads one (a ValueError with a Vietnamese message for anything else);
a Month knows its days, its quarter and the month after it. A `Period` is a run of whole
months from its first to its last: a Scope's months, a quarter, a year. `Period.parse` reads a
period as a person writes it; today that is one month. Quarters, halves and years ('2026-Q3',
'2026-H1', '2026') are periods too: reading them is `Period.parse`'s to add, and everything
that takes a Period works with them unchanged.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


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
        """A period as written: 'YYYY-MM' is that month."""
        month = Month.parse(text)
        return cls(month, month)

    @classmethod
    def between(cls, first: str, last: str) -> Period:
        """From month `first` to month `last` ('YYYY-MM'); ValueError (Vietnamese) for a month
        not so written, or a first month after the last."""
        return cls(Month.parse(first), Month.parse(last))

    @classmethod
    def quarter(cls, year: int, k: int) -> Period:
        """Quarter k (1..4) of `year`."""
        return cls(Month(year, 3 * k - 2), Month(year, 3 * k))

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
