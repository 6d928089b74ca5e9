"""Oddities for the demo: reports made wrong in ways no single file shows, so that the page
"Chất lượng số liệu" has true flags to show (DOMAIN.md "Data quality across months").

inject(communes, periods, quirks, rng) changes a handful of the simulated reports in place
(communes: each commune with its MonthReports, one per month of `periods`) and returns what it
changed as Oddity records; write_record / read_record keep them in OUT_DIR/oddities.csv. Each
oddity is meant to raise exactly one flag, of its rule, and its report still passes every check
of SPEC §3 (the omitted branch is the file warning `branch_missing`, as in real files):
- members_unexplained_change: from one quiet month on (no member change in sheet 3 that month or
  the month before), a branch's member count is 5 lower, or 2 higher, than its members, and
  sheet 3 says nothing of it; the months after follow the new count, so only that month is off;
- outlier, attendance share: a quarter of a large branch's members attend one month's meeting;
- outlier, committee size: the Ban Chấp hành's size typed with an extra 0, in a month whose
  last 12 sizes vary (a committee that changed size at the 2025 party congress): the rule skips
  a constant history, and a committee's size is constant between congresses;
- copied_report: a month's sheet 2 repeats the month before's figures, its dates moved to the
  month (sheet 3 stays the month's own, so the member balance still closes);
- branch_count_change: a report leaves out a branch that the month before listed.
Each lands in a commune with the fewest oddities so far, in a month chosen from the rng (one of
the newest year when one fits: the dashboard opens on that year), where nothing else was changed
around it (another oddity, a warning case of the messy files).
"""
from __future__ import annotations

import csv
import random
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from pathlib import Path

from etl import vnformat as vn
from etl.sample.activity import MonthReport, Period, month_days, period_text
from etl.sample.monthly import SHEET3
from etl.sample.units import Commune

RECORD = "oddities.csv"
ALL, COMMITTEE = "*", "committee"  # claims on every branch of a month / on its sheet 1
KINDS = ("members_gone", "attendance_drop", "committee_typo", "copied_report", "branch_missing",
         "members_arrived")
# members (less exempt, for attendance) of a branch an oddity may touch: a quarter of them at a
# meeting scores far past the outlier threshold whatever the branch's history, and five gone
# leave a branch of a usual size
LARGE_BRANCH = 20
# sheet 3's figures of a branch row: a copied sheet 2 keeps the month's own
_SHEET3 = tuple(key for key, _, _ in SHEET3[2:])


@dataclass(frozen=True)
class Oddity:
    """One injected error and the flag it raises (a data_quality_flags key)."""
    rule: str
    field: str
    commune_code: str
    branch_code: str | None  # None: a commune-level rule
    period: str  # 'YYYY-MM'
    description: str  # Vietnamese: what was made wrong


class _Commune:
    """One commune's reports and the (month index, branch or ALL/COMMITTEE) places taken."""

    def __init__(self, commune: Commune, reports: list[MonthReport]):
        self.commune, self.reports = commune, reports
        self.taken: dict[int, set[str]] = {}
        self.count = 0

    def received(self, *months: int) -> bool:
        return all(0 <= i < len(self.reports) and self.reports[i].received_on for i in months)

    def free(self, months, key: str) -> bool:
        for i in months:
            taken = self.taken.get(i, set())
            if ALL in taken or key in taken or (key == ALL and taken):
                return False
        return True

    def claim(self, months, key: str) -> None:
        for i in months:
            self.taken.setdefault(i, set()).add(key)

    def rows(self, i: int) -> dict:
        return {r.branch.code: r for r in self.reports[i].rows}


def _net(r) -> int:
    """The row's member change as sheet 3 states it (DOMAIN I13)."""
    return r.admitted + r.transferred_in - r.transferred_out - r.deceased - r.removed


def _members(c: _Commune, i: int, rng: random.Random, delta: int) -> Oddity | None:
    if not c.received(i - 1, i):
        return None
    before, now, later = c.rows(i - 1), c.rows(i), range(i, len(c.reports))
    quiet = [code for code in sorted(now) if code in before and _net(now[code]) == _net(before[code]) == 0
             and c.free(range(i - 1, len(c.reports)), code)
             and min(c.rows(j)[code].members_total for j in later if code in c.rows(j)) >= LARGE_BRANCH]
    if not quiet:
        return None
    code = rng.choice(quiet)
    c.claim(range(i - 1, len(c.reports)), code)
    for j in later:
        report = c.reports[j]
        report.rows = [_shifted(r, delta) if r.branch.code == code else r for r in report.rows]
    p = period_text(c.reports[i].period)
    what = (f"giảm {-delta} người mà biểu 3 không ghi ai chuyển đi, từ trần hay bị xóa tên" if delta < 0
            else f"tăng {delta} người mà biểu 3 không ghi kết nạp hay chuyển đến")
    return Oddity("members_unexplained_change", "members_total", c.commune.code, code, p,
                  f"{now[code].branch.name} ({c.commune.full_name}): từ tháng {vn.month_numeric(p)}, "
                  f"tổng số đảng viên {what}.")


def _shifted(r, delta: int):
    """The row with `delta` more members; attendance kept within the new count (as far over
    members - exempt as it was: the messy files' warning case stays one)."""
    total = r.members_total + delta
    if r.members_attended is None:
        return replace(r, members_total=total)
    over = max(0, r.members_attended - (r.members_total - r.members_exempt))
    return replace(r, members_total=total,
                   members_attended=min(r.members_attended, total - r.members_exempt + over))


def _attendance(c: _Commune, i: int, rng: random.Random) -> Oddity | None:
    if not c.received(i):
        return None
    held_before: dict[str, int] = {}
    for j in range(i):
        if c.reports[j].received_on:
            for r in c.reports[j].rows:
                held_before[r.branch.code] = held_before.get(r.branch.code, 0) + bool(r.held)
    large = [r for r in c.reports[i].rows if r.held and r.members_total - r.members_exempt >= LARGE_BRANCH
             and held_before.get(r.branch.code, 0) >= 6 and c.free([i], r.branch.code)]
    if not large:
        return None
    row = rng.choice(large)
    expected = row.members_total - row.members_exempt
    attended = round(expected / 4)
    c.claim([i], row.branch.code)
    c.reports[i].rows = [replace(r, members_attended=attended) if r is row else r for r in c.reports[i].rows]
    p = period_text(c.reports[i].period)
    return Oddity("outlier", "attendance_share", c.commune.code, row.branch.code, p,
                  f"{row.branch.name} ({c.commune.full_name}): tháng {vn.month_numeric(p)} chỉ "
                  f"{attended}/{expected} đảng viên dự sinh hoạt.")


def _committee_size(report: MonthReport) -> int | None:
    sizes = [m.members_total for m in report.meetings if m.body == "BCH"]
    return max(sizes) if sizes else None


def _committee(c: _Commune, i: int, rng: random.Random) -> Oddity | None:
    size = _committee_size(c.reports[i]) if c.received(i) else None
    history = [s for s in (_committee_size(r) for r in c.reports[:i] if r.received_on) if s is not None][-12:]
    if size is None or len(history) < 6 or len(set(history)) == 1 or not c.free([i], COMMITTEE):
        return None
    c.claim([i], COMMITTEE)
    report = c.reports[i]
    typed = next(k for k, m in enumerate(report.meetings) if m.body == "BCH" and m.members_total == size)
    report.meetings = [replace(m, members_total=size * 10) if k == typed else m
                       for k, m in enumerate(report.meetings)]
    p = period_text(report.period)
    return Oddity("outlier", "committee_members_total", c.commune.code, None, p,
                  f"{c.commune.full_name}: tháng {vn.month_numeric(p)} ghi số ủy viên Ban Chấp hành "
                  f"{size * 10} thay vì {size}.")


def _same_branches(c: _Commune, i: int, least: int) -> bool:
    """Months i-1 and i reported, listing the same branches (at least `least`), with nothing
    else changed in them or the month after."""
    return (c.received(i - 1, i) and [r.branch.code for r in c.reports[i - 1].rows]
            == [r.branch.code for r in c.reports[i].rows] and len(c.reports[i].rows) >= least
            and not c.reports[i - 1].omitted and not c.reports[i].omitted and c.free(range(i - 1, i + 2), ALL))


def _copied(c: _Commune, i: int, rng: random.Random) -> Oddity | None:
    if not _same_branches(c, i, 5):
        return None
    c.claim(range(i - 1, i + 2), ALL)
    report, before = c.reports[i], c.reports[i - 1]
    report.rows = [replace(prev, meeting_date=_moved(prev.meeting_date, report.period),
                           **{k: getattr(cur, k) for k in _SHEET3})
                   for prev, cur in zip(before.rows, report.rows)]
    p, q = period_text(report.period), period_text(before.period)
    return Oddity("copied_report", "branch_meetings", c.commune.code, None, p,
                  f"{c.commune.full_name}: biểu sinh hoạt chi bộ tháng {vn.month_numeric(p)} chép nguyên "
                  f"số liệu tháng {vn.month_numeric(q)}.")


def _moved(day: date | None, p: Period) -> date | None:
    """The same day of month `p` (its last day when shorter)."""
    return day and date(p[0], p[1], min(day.day, month_days(p)[1].day))


def _missing(c: _Commune, i: int, rng: random.Random) -> Oddity | None:
    if not _same_branches(c, i, 2):
        return None
    c.claim(range(i - 1, i + 2), ALL)
    report = c.reports[i]
    left_out = rng.choice(report.rows).branch
    report.omitted = frozenset({left_out.code})
    p = period_text(report.period)
    return Oddity("branch_count_change", "branch_meetings", c.commune.code, None, p,
                  f"{c.commune.full_name}: báo cáo tháng {vn.month_numeric(p)} bỏ sót {left_out.name}.")


_MAKERS = {"members_gone": lambda c, i, rng: _members(c, i, rng, -5),
           "attendance_drop": _attendance, "committee_typo": _committee, "copied_report": _copied,
           "branch_missing": _missing, "members_arrived": lambda c, i, rng: _members(c, i, rng, 2)}


def inject(communes: list[tuple[Commune, list[MonthReport]]], periods: list[Period],
           quirks: dict[int, dict[Period, set[str]]], rng: random.Random) -> list[Oddity]:
    """One oddity of each of KINDS, where one fits (see the module's docstring); `quirks` are the
    messy files' warning cases ({commune index: {month: quirks}}), left alone with their
    neighbouring months."""
    places = [_Commune(commune, reports) for commune, reports in communes]
    for ci, months in quirks.items():
        for p in months:
            k = periods.index(p)
            places[ci].claim(range(k - 1, k + 2), ALL)
    order = rng.sample(places, len(places))
    newest = [i for i in range(1, len(periods)) if periods[i][0] == periods[-1][0]]
    older = [i for i in range(1, len(periods)) if periods[i][0] != periods[-1][0]]
    found = []
    for kind in KINDS:
        for c in sorted(order, key=lambda c: c.count):
            months = rng.sample(newest, len(newest)) + rng.sample(older, len(older))
            oddity = next((o for o in (_MAKERS[kind](c, i, rng) for i in months) if o), None)
            if oddity:
                c.count += 1
                found.append(oddity)
                break
    return found


def write_record(out_dir: Path, oddities: list[Oddity] | None) -> None:
    """OUT_DIR/oddities.csv lists the oddities; None (none injected) removes an earlier list."""
    path = Path(out_dir) / RECORD
    if oddities is None:
        path.unlink(missing_ok=True)
        return
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, [x.name for x in fields(Oddity)], lineterminator="\n")
        w.writeheader()
        w.writerows(asdict(o) for o in oddities)


def read_record(out_dir: Path) -> list[Oddity]:
    """The oddities OUT_DIR's reports carry (none without the list)."""
    path = Path(out_dir) / RECORD
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return [Oddity(**{**row, "branch_code": row["branch_code"] or None}) for row in csv.DictReader(f)]
