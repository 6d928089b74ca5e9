"""Everything the export shows, fetched once: takes a warehouse connection, a period (a year,
as in December, or a month, quarter or half-year: etl.period) and a commune selection, returns a
`YearData` of indicator-layer DataFrames.

Every figure comes from `etl.indicators` at the grain it is shown at (commune rows and the
'total' row are separate calls, never sums made here), so the workbook, the Word report and the
dashboard cannot disagree; the texts and dates shown beside them (meeting dates, thematic topics,
unresolved findings, data-quality flags) come from the same layer (`meeting_details`,
`open_findings`, `data_quality`).

A year in progress (December of the current year is the usual case) is reported up to the
newest month that is due or has a report (`ind.coverage`): the activity indicators (I1–I10,
I12, I13) are taken over `covered`, January to that month, so months nobody owes yet are
neither expected nor listed as "Chưa báo cáo"; submissions (I15) keep the whole year, with
those months as 'pending'. A finished year is covered whole: both scopes are the same. A
shorter period is the same with its own months; recruitment against the annual target (I11) is
counted from January to the period's covered end, and the year-end ratings belong to the year
only (`annual`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from etl import indicators as ind
from etl.period import Month, Period, period_of
from etl.settings import Settings, load_settings


@dataclass(frozen=True)
class Earlier:
    """A period a shorter export is compared with ("cùng kỳ", the month or quarter before): its
    name and its total rows, from the same indicator calls as the period's own."""
    period: Period
    reported: bool                    # some commune reported in it: else "chưa có số liệu"
    meetings: pd.Series               # I5 I6 I7 I9 total
    quality: pd.Series                # I10 total
    committee: pd.Series              # I1–I4 total
    recruitment: pd.Series            # I12 I13 total
    submissions: pd.Series            # I15 total


@dataclass
class YearData:
    year: int
    period: Period                    # the months reported on (the whole year in December)
    scope: ind.Scope                  # the whole year (submissions, inspections, ratings)
    covered: ind.Scope                # January to the newest month due or reported
    coverage: pd.DataFrame            # ind.coverage: one row per month of the year
    settings: Settings
    as_of: date | None                # None: the indicator layer's defaults (today)
    inspections_as_of: date           # the day "overdue" is counted at (I14)
    communes: pd.DataFrame            # ind.communes: the rows of every per-commune table
    branches: pd.DataFrame            # ind.branches
    meetings: pd.DataFrame            # I5 I6 I7 I9 by commune
    meetings_total: pd.DataFrame      # ... one row
    quality: pd.DataFrame             # I10 by commune
    quality_total: pd.DataFrame
    thematic: pd.DataFrame            # I8 by commune x quarter
    thematic_total: pd.DataFrame      # I8 by quarter
    committee: pd.DataFrame           # I1–I4 by commune
    committee_total: pd.DataFrame
    recruitment: pd.DataFrame         # I12 I13 by commune
    recruitment_total: pd.DataFrame
    progress: pd.DataFrame            # I11 by commune (year to date at December)
    progress_total: pd.DataFrame
    inspections: pd.DataFrame         # I14 by commune
    inspections_category: pd.DataFrame
    inspections_total: pd.DataFrame
    overdue: pd.DataFrame             # I14 overdue list
    unresolved: pd.DataFrame          # detail: findings not resolved (text)
    submissions: pd.DataFrame         # I15 commune x month
    submissions_commune: pd.DataFrame
    submissions_month: pd.DataFrame
    submissions_total: pd.DataFrame
    ratings: pd.DataFrame             # year-end ratings by commune
    ratings_total: pd.DataFrame
    branch_months: pd.DataFrame       # I5 I7 I9 by branch x month
    branch_quality: pd.DataFrame      # I10 by branch x month
    details: pd.DataFrame             # detail: meeting date, thematic, topic, quality label
    attention: pd.DataFrame           # ind.attention: communes below the I5 baseline, ...
    flags: pd.DataFrame               # ind.data_quality, unverified: by commune, then month
    earlier: list[Earlier] = field(default_factory=list)  # a year before, then the one just before
    warnings: list[str] = field(default_factory=list)

    @property
    def annual(self) -> bool:
        """The export is of a whole year: the year-end ratings are part of it."""
        return self.period.kind == "year"

    @property
    def when(self) -> str:
        """The period in a sentence: 'năm 2026', 'quý III năm 2026', '6 tháng đầu năm 2026'."""
        return self.period.name

    @property
    def during(self) -> str:
        """'trong năm' (the December wording) or 'trong quý III năm 2026'."""
        return "trong năm" if self.annual else f"trong {self.when}"

    @property
    def quarters(self) -> list[int]:
        """The quarters (1–4) the period's months fall in."""
        return sorted({month.quarter for month in self.period.months})

    @property
    def filtered(self) -> bool:
        return bool(self.scope.communes)

    @property
    def in_progress(self) -> bool:
        """Some month of the year is not covered yet (its report is not due)."""
        return not bool(self.coverage["covered"].all())

    def covered_months(self) -> list[str]:
        return list(self.coverage.loc[self.coverage["covered"], "period"])

    @property
    def december_due(self) -> bool:
        """December is covered: the year-end ratings (sent with its report) are owed."""
        return f"{self.year}-12" in self.covered_months()


def collect(con, period: Period | int | str, communes=(), settings: Settings | None = None,
            as_of: date | None = None) -> YearData:
    """All indicator tables of `period` (a year, a period's text or a Period: period_of) for the
    communes (codes; empty = all)."""
    settings = settings or load_settings()
    period = period_of(period)
    year = period.last.year
    scope = ind.Scope(str(period.first), str(period.last), tuple(communes))
    known = ind.communes(con, scope)
    coverage = ind.coverage(con, scope, settings, as_of)
    reached = coverage.loc[coverage["covered"], "period"]
    covered = ind.Scope(scope.first, reached.max(), scope.communes) if len(reached) else scope
    # I11 is year to date against the annual target, whatever the period
    to_date = ind.Scope(str(Month(year, 1)), covered.last, scope.communes)
    rated = None if period.kind == "year" else 0  # the year-end ratings belong to the year only
    data = YearData(
        year=year, period=period, scope=scope, covered=covered, coverage=coverage, settings=settings,
        as_of=as_of,
        # the indicator layer's own default (today, or the year's last day for a past year),
        # resolved here only to be printed next to the overdue figures
        inspections_as_of=ind.as_of_day(scope, as_of),
        communes=known,
        branches=ind.branches(con, covered),
        meetings=ind.branch_meetings(con, covered, settings, "commune"),
        meetings_total=ind.branch_meetings(con, covered, settings, "total"),
        quality=ind.quality(con, covered, "commune"),
        quality_total=ind.quality(con, covered, "total"),
        thematic=ind.thematic(con, covered, "commune_quarter"),
        thematic_total=ind.thematic(con, covered, "quarter"),
        committee=ind.committee(con, covered, settings, "commune"),
        committee_total=ind.committee(con, covered, settings, "total"),
        recruitment=ind.recruitment(con, covered, "commune"),
        recruitment_total=ind.recruitment(con, covered, "total"),
        progress=ind.recruitment_progress(con, to_date, "commune"),
        progress_total=ind.recruitment_progress(con, to_date, "total"),
        inspections=ind.inspections(con, scope, as_of, "commune"),
        inspections_category=ind.inspections(con, scope, as_of, "category"),
        inspections_total=ind.inspections(con, scope, as_of, "total"),
        overdue=ind.overdue_findings(con, scope, as_of),
        unresolved=ind.open_findings(con, scope),
        submissions=ind.submissions(con, scope, settings, "commune_month", as_of),
        submissions_commune=ind.submissions(con, scope, settings, "commune", as_of),
        submissions_month=ind.submissions(con, scope, settings, "month", as_of),
        submissions_total=ind.submissions(con, scope, settings, "total", as_of),
        ratings=ind.annual_ratings(con, scope, year, "commune").iloc[:rated],
        ratings_total=ind.annual_ratings(con, scope, year, "total").iloc[:rated],
        branch_months=ind.branch_meetings(con, covered, settings, "branch_month"),
        branch_quality=ind.quality(con, covered, "branch_month"),
        details=ind.meeting_details(con, covered),
        attention=ind.attention(con, covered, settings, as_of),
        flags=ind.data_quality(con, scope, unverified=True).sort_values(
            ["commune_name", "commune_code", "period"], kind="stable").reset_index(drop=True),
    )
    if period.kind != "year":
        data.earlier = [earlier(con, p, scope.communes, settings, as_of)
                        for p in (period.a_year_before(), period.just_before()) if p is not None]
    unknown = sorted(set(scope.communes) - set(known["commune_code"]))
    if unknown:
        data.warnings.append("Không có đảng bộ mã " + ", ".join(unknown) + f" trong {period.name}.")
    if known.empty:
        data.warnings.append(f"Kho dữ liệu không có đảng bộ nào hoạt động trong {period.name}.")
    return data


def earlier(con, period: Period, communes: tuple[str, ...], settings: Settings,
            as_of: date | None) -> Earlier:
    """The total rows of an earlier period for the same communes."""
    scope = ind.Scope(str(period.first), str(period.last), communes)
    subs = row(ind.submissions(con, scope, settings, "total", as_of))
    reported = subs.get("reported_months")
    return Earlier(period, not pd.isna(reported) and reported > 0,
                   meetings=row(ind.branch_meetings(con, scope, settings, "total")),
                   quality=row(ind.quality(con, scope, "total")),
                   committee=row(ind.committee(con, scope, settings, "total")),
                   recruitment=row(ind.recruitment(con, scope, "total")), submissions=subs)


def by_commune(df: pd.DataFrame, data: YearData) -> pd.DataFrame:
    """`df` re-indexed on the export's commune rows (ind.communes order); absent communes are
    all-NaN rows, which the writers show as "Chưa báo cáo" or blank, never 0."""
    if "commune_code" not in df.columns:
        return pd.DataFrame(index=data.communes["commune_code"])
    return df.set_index("commune_code").reindex(data.communes["commune_code"])


def row(df: pd.DataFrame) -> pd.Series:
    """The one row of a 'total' frame (an empty Series when there is none)."""
    return df.iloc[0] if len(df) else pd.Series(dtype=object)
