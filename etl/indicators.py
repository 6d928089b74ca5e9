"""The one read API over the warehouse: every dashboard page and the December export call only
these functions, so the numbers they show cannot disagree (DOMAIN.md indicators I1–I15).

Each function takes a DuckDB connection (to a database with the SPEC §5 views) and a `Scope`
(months, communes, branch kinds) and returns a pandas DataFrame with stable English columns.
`by` picks the grain; key columns are `commune_code`, `commune_name`, `branch_code`,
`branch_name`, `branch_kind`, `period` ('YYYY-MM'), `quarter` ('YYYY-Qn'), `category`;
'total' is one row for everything in scope (the district/province figure).
Rates are fractions 0..1 (NULL -> NaN when the denominator is 0); a unit with no report is
`reported = False` with NULL figures, never 0. "Expected" counts only units active in the
month (valid_from/valid_to overlap it). DATE/TIMESTAMP columns come back as pandas Timestamps;
counts with possible NULLs as nullable Int64. The SQL lives in etl/warehouse/sql/indicators/*.sql,
run by etl.warehouse.queries, one query per file, its grain and rules in its header comment; every query starts from the scope
spine (etl/warehouse/sql/spine.sql: a period's months, the units active in each, the scope's
filters), so the rule "expected counts only units active in the month" is written once.

| function                 | grains (`by`)                                      | DOMAIN        |
|--------------------------|----------------------------------------------------|---------------|
| committee                | commune, month, commune_month, total               | I1 I2 I3 I4   |
| branch_meetings          | branch, branch_month, commune, commune_month, month, total | I5 I6 I7 I9 |
| quality                  | same as branch_meetings                            | I10           |
| well_attended            | same as branch_meetings                            | I7 detail     |
| thematic                 | quarter, commune_quarter, branch_quarter           | I8            |
| meeting_details          | one row per branch-month (reported values, no shares) | drill-down |
| recruitment              | branch, commune, commune_month, month, total       | I12 I13       |
| recruitment_progress     | commune, commune_month, month, total (year to date) | I11 I12      |
| inspections              | commune, category, commune_category, total         | I14           |
| overdue_findings         | one row per overdue finding                        | I14           |
| open_findings            | one row per finding not yet resolved               | I14           |
| meeting_details          | one row per branch-month: what the branch reported | I5–I10 detail |
| branch_month_details     | one commune's branch-months: meeting_details with their I6, I7 | drill-down |
| submissions              | commune_month, commune, month, total               | I15           |
| submission_versions      | one row per version of a (commune, month) report   | I15           |
| coverage                 | one row per month: due, reported, covered          | I15           |
| annual_ratings           | branch, commune, total (one year)                  | year-end rating |
| attention                | one row per (commune, reason)                      | I5 I11 I14 I15 |
| data_quality             | one row per cross-month data-quality flag          | data quality  |
| data_quality_counts      | one row per (commune, rule): unverified, verified  | data quality  |
| communes, branches, branch_kinds, available_periods, period_bounds, last_loaded_at, lowest | helpers | – |

`branch_kinds` in the Scope filters the branch-row indicators (I5–I10 and annual ratings),
not recruitment (its target is per commune) nor committee, inspections and submissions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from datetime import date, datetime

import duckdb
import pandas as pd

from etl import labels
from etl import vnformat as vn
from etl.access import audit
from etl.period import Month, Period
from etl.settings import Settings, load_settings
from etl.warehouse import queries



@dataclass(frozen=True)
class Scope:
    first: str                          # 'YYYY-MM' inclusive
    last: str                           # 'YYYY-MM' inclusive
    communes: tuple[str, ...] = ()      # commune codes; empty = all
    branch_kinds: tuple[str, ...] = ()  # units_branch.kind values; empty = all

    def __post_init__(self) -> None:
        Period.between(self.first, self.last)  # ValueError: not 'YYYY-MM', or the first after the last
        # a list passed by a widget is accepted; the dataclass stays hashable (cache keys)
        object.__setattr__(self, "communes", tuple(self.communes))
        object.__setattr__(self, "branch_kinds", tuple(self.branch_kinds))

    @classmethod
    def for_year(cls, year: int, communes=(), branch_kinds=()) -> Scope:
        return cls(f"{year:04d}-01", f"{year:04d}-12", tuple(communes), tuple(branch_kinds))

    @property
    def months(self) -> tuple[str, ...]:
        return tuple(map(str, Period.between(self.first, self.last).months))

    @property
    def last_day(self) -> date:
        return Month.parse(self.last).last_day


def _scope_params(scope: Scope) -> dict:
    return {"first": scope.first, "last": scope.last, "communes": list(scope.communes),
            "kinds": list(scope.branch_kinds)}


class Grain(StrEnum):
    """What an indicator's rows are grouped by: `by=` of the functions below. TOTAL is one row for
    everything in scope; a branch key brings its commune's. Being a str, 'commune' is Grain.COMMUNE."""
    TOTAL = "total"
    COMMUNE = "commune"
    BRANCH = "branch"
    MONTH = "month"
    QUARTER = "quarter"
    CATEGORY = "category"
    COMMUNE_MONTH = "commune_month"
    BRANCH_MONTH = "branch_month"
    COMMUNE_QUARTER = "commune_quarter"
    BRANCH_QUARTER = "branch_quarter"
    COMMUNE_CATEGORY = "commune_category"

    @property
    def flags(self) -> dict[str, bool]:
        """The SQL's $by_* parameters: which keys the rows carry (a key not chosen is NULL)."""
        commune, branch, month, category = _GRAIN_KEYS[self]
        return {"by_commune": commune or branch, "by_branch": branch, "by_month": month, "by_category": category}


# grain -> (commune, branch, month, category) keys; a quarter is grouped by its own SQL, not by month
_GRAIN_KEYS = {Grain.TOTAL: (False, False, False, False), Grain.COMMUNE: (True, False, False, False),
               Grain.BRANCH: (False, True, False, False), Grain.MONTH: (False, False, True, False),
               Grain.QUARTER: (False, False, False, False), Grain.CATEGORY: (False, False, False, True),
               Grain.COMMUNE_MONTH: (True, False, True, False), Grain.BRANCH_MONTH: (False, True, True, False),
               Grain.COMMUNE_QUARTER: (True, False, False, False), Grain.BRANCH_QUARTER: (False, True, False, False),
               Grain.COMMUNE_CATEGORY: (True, False, False, True)}


def _grain(by: Grain | str, allowed: tuple[Grain, ...]) -> dict[str, bool]:
    if by not in allowed:
        raise ValueError(f"by={str(by)!r}: one of {', '.join(allowed)}")
    return Grain(by).flags


def _shape(df: pd.DataFrame, flags: dict[str, bool], drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """Drop the key columns the grain does not use, and any grain-specific extras."""
    unused = set(drop)
    if not flags["by_commune"]:
        unused |= {"commune_code", "commune_name"}
    if not flags["by_branch"]:
        unused |= {"branch_code", "branch_name", "branch_kind"}
    if not flags["by_month"]:
        unused |= {"period"}
    if not flags["by_category"]:
        unused |= {"category"}
    df = df.drop(columns=[c for c in df.columns if c in unused]).reset_index(drop=True)
    if df.empty and not any(flags.values()):
        # 'total' over an empty scope: SQL gives no group at all; callers expect one row
        df = df.reindex([0])
        if "reported" in df.columns:
            df["reported"] = False
    return df


def as_of_day(scope: Scope, as_of: date | None) -> date:
    """Default reference day: today, or the scope's last day when the scope is in the past."""
    return as_of if as_of is not None else min(date.today(), scope.last_day)


def lowest(df: pd.DataFrame, column: str, n: int, *, highest: bool = False) -> pd.DataFrame:
    """The n rows that need attention most: the lowest `column` (rows without a figure, i.e. not
    reported, first), or the highest with `highest`; every row when there are no more than n.
    Ties keep the frame's order (by name), so a cut list is the same on every run."""
    if len(df) <= n:
        return df
    return df.sort_values(column, ascending=not highest, na_position="last" if highest else "first",
                          kind="stable").head(n)


_BRANCH_GRAINS = (Grain.BRANCH, Grain.BRANCH_MONTH, Grain.COMMUNE, Grain.COMMUNE_MONTH, Grain.MONTH, Grain.TOTAL)
_I10 = ("rated", "tot", "kha", "trung_binh", "kem", "tot_share", "kha_share",
        "trung_binh_share", "kem_share", "kha_tro_len_share")
_I5_I9 = ("held", "i5_held_share", "branches_reported", "branches_held_all", "i5_branch_share",
          "on_schedule", "i6_on_schedule_share", "members_attended", "members_expected",
          "i7_attendance_share", "upper_attended", "i9_upper_attended_share")


def committee(con, scope: Scope, settings: Settings | None = None,
              by: Grain = Grain.COMMUNE) -> pd.DataFrame:
    """I1–I4 per commune-month grouping; see committee.sql."""
    settings = settings or load_settings()
    flags = _grain(by, (Grain.COMMUNE, Grain.MONTH, Grain.COMMUNE_MONTH, Grain.TOTAL))
    df = queries.run(con, "committee", **_scope_params(scope), **flags,
                tasks_deadline_day=settings.tasks_deadline_day)
    return _shape(df, flags)


def _branch_rows(con, scope: Scope, settings: Settings | None, by: Grain) -> tuple:
    settings = settings or load_settings()
    flags = _grain(by, _BRANCH_GRAINS)
    df = queries.run(con, "branch_meetings", **_scope_params(scope), **flags,
                schedule_first_day=settings.schedule_first_day,
                schedule_last_day=settings.schedule_last_day)
    return df, flags


def branch_meetings(con, scope: Scope, settings: Settings | None = None,
                    by: Grain = Grain.COMMUNE) -> pd.DataFrame:
    """I5, I6, I7, I9 over branch-months, and I5 by branch (branches_held_all /
    branches_reported: held in every month reported); see branch_meetings.sql."""
    df, flags = _branch_rows(con, scope, settings, by)
    return _shape(df, flags, drop=_I10)


def quality(con, scope: Scope, by: Grain = Grain.COMMUNE) -> pd.DataFrame:
    """I10: Tốt / Khá / Trung bình / Kém over rated held meetings; see branch_meetings.sql."""
    df, flags = _branch_rows(con, scope, None, by)
    return _shape(df, flags, drop=tuple(c for c in _I5_I9 if c != "held"))


def well_attended(con, scope: Scope, settings: Settings | None = None, by: Grain = Grain.COMMUNE) -> pd.DataFrame:
    """Held meetings attended by more than [attendance] well_attended_above % of their expected
    members, and their share of the held meetings; see well_attended.sql."""
    settings = settings or load_settings()
    flags = _grain(by, _BRANCH_GRAINS)
    df = queries.run(con, "well_attended", **_scope_params(scope), **flags,
                above=settings.attendance_well_attended_above / 100)
    return _shape(df, flags)


def thematic(con, scope: Scope, by: Grain = Grain.QUARTER) -> pd.DataFrame:
    """I8 per quarter; see thematic.sql."""
    flags = _grain(by, (Grain.QUARTER, Grain.COMMUNE_QUARTER, Grain.BRANCH_QUARTER))
    return _shape(queries.run(con, "thematic", **_scope_params(scope), **flags), flags)


def meeting_details(con, scope: Scope, commune: str | None = None) -> pd.DataFrame:
    """What each branch reported for each month of the scope: one row per branch-month
    (active branches of the scope's communes and kinds, plus any reported branch row).

    `commune` narrows to one commune code (within the scope's communes, if it lists any).
    Columns: commune_code, commune_name, branch_code, branch_name, branch_kind, period,
    expected (active that month), reported, held (NULL when not reported), meeting_date,
    members_total, members_exempt, members_attended, thematic, thematic_topic,
    upper_attended, quality ('tot' | 'kha' | 'trung_binh' | 'kem'). No shares: I5–I10 per
    branch-month come from branch_meetings / quality with by='branch_month'.
    """
    return queries.run(con, "meeting_details", **_scope_params(scope), commune=commune)


def branch_month_details(con, scope: Scope, commune: str, settings: Settings | None = None) -> pd.DataFrame:
    """One commune's drill-down: meeting_details' branch-months with that branch-month's
    on_schedule, members_expected and i7_attendance_share (branch_meetings by branch_month)."""
    details = meeting_details(con, scope, commune=commune)
    one = Scope(scope.first, scope.last, (commune,), scope.branch_kinds)
    shares = branch_meetings(con, one, settings, by="branch_month")
    return details.merge(shares[["branch_code", "period", "on_schedule", "members_expected", "i7_attendance_share"]],
                         on=["branch_code", "period"], how="left", sort=False)


def recruitment(con, scope: Scope, by: Grain = Grain.COMMUNE) -> pd.DataFrame:
    """I12 sources trained and I13 change with its components; see recruitment.sql."""
    flags = _grain(by, (Grain.BRANCH, Grain.COMMUNE, Grain.COMMUNE_MONTH, Grain.MONTH, Grain.TOTAL))
    return _shape(queries.run(con, "recruitment", **_scope_params(scope), **flags), flags)


def recruitment_progress(con, scope: Scope, by: Grain = Grain.COMMUNE) -> pd.DataFrame:
    """I11 year to date against the target, on-track pace; see recruitment_progress.sql."""
    flags = _grain(by, (Grain.COMMUNE, Grain.COMMUNE_MONTH, Grain.MONTH, Grain.TOTAL))
    if not flags["by_month"]:
        scope = _up_to_reported(con, scope)
    df = queries.run(con, "recruitment_progress", **_scope_params(scope), **flags)
    return _shape(df, flags, drop=() if flags["by_month"] else ("admitted", "admitted_ytd_reported"))


def _up_to_reported(con, scope: Scope) -> Scope:
    """The position is taken at the scope's last month, or at the newest month any commune has
    reported when the scope reaches past it: in November, a scope to December must not count
    twelve elapsed months against the target (the pace would call every commune late)."""
    bounds = period_bounds(con)
    if bounds and scope.first <= bounds[1] < scope.last:
        return Scope(scope.first, bounds[1], scope.communes, scope.branch_kinds)
    return scope


def open_findings(con, scope: Scope) -> pd.DataFrame:
    """I14 follow-up: findings not yet resolved (open or in progress), by commune then due date."""
    return queries.run(con, "open_findings", **_scope_params(scope))


def inspections(con, scope: Scope, as_of: date | None = None,
                by: Grain = Grain.COMMUNE) -> pd.DataFrame:
    """I14 counts by status, overdue as of a day, resolved share; see inspections.sql."""
    flags = _grain(by, (Grain.COMMUNE, Grain.CATEGORY, Grain.COMMUNE_CATEGORY, Grain.TOTAL))
    df = queries.run(con, "inspections", **_scope_params(scope), **flags,
                as_of=as_of_day(scope, as_of))
    return _shape(df, flags)


def overdue_findings(con, scope: Scope, as_of: date | None = None) -> pd.DataFrame:
    """I14 follow-up list: findings overdue as of a day, most overdue first."""
    return queries.run(con, "overdue_findings", **_scope_params(scope), as_of=as_of_day(scope, as_of))


_SUBMISSION_ROW = ("status", "deadline", "first_received_at", "current_received_at",
                   "versions", "days_late", "confirmed", "confirmed_at", "confirmed_by")


def submissions(con, scope: Scope, settings: Settings | None = None,
                by: Grain = Grain.COMMUNE_MONTH, as_of: date | None = None) -> pd.DataFrame:
    """I15: who reported, on time or late (first version), per month share; see submissions.sql.
    `as_of` (default today) separates 'missing' from 'pending' (deadline not yet passed).
    confirmed_months counts commune-months the board has confirmed (etl.access.confirm); by
    commune_month, `confirmed` with confirmed_at and confirmed_by (NULL: the command line)."""
    settings = settings or load_settings()
    flags = _grain(by, (Grain.COMMUNE_MONTH, Grain.COMMUNE, Grain.MONTH, Grain.TOTAL))
    df = queries.run(con, "submissions", **_scope_params(scope), **flags,
                deadline_day=settings.submission_deadline_day,
                as_of=as_of if as_of is not None else date.today())
    single = flags["by_commune"] and flags["by_month"]
    return _shape(df, flags, drop=() if single else _SUBMISSION_ROW)


def coverage(con, scope: Scope, settings: Settings | None = None,
             as_of: date | None = None) -> pd.DataFrame:
    """How far the scope's figures reach on `as_of` (default today): one row per month of the
    scope with period, due (its report deadline has passed), expected_months (active
    communes), reported_months, missing_months, pending_months, and covered (the month is at
    or before the newest month that is due or has a report: the months the figures speak
    for). In December of a year in progress: January–October covered, November and December
    neither due nor covered."""
    df = submissions(con, scope, settings, "month", as_of).set_index("period")
    out = pd.DataFrame(index=pd.Index(scope.months, name="period"))
    for column in ("expected_months", "reported_months", "missing_months", "pending_months"):
        out[column] = df[column].reindex(out.index).fillna(0).astype(int)
    # deadlines follow the months: a month without any commune row is due when a later one is
    due = df["due"].reindex(out.index).astype("boolean").fillna(False).astype(bool)
    out["due"] = due[::-1].cummax()[::-1]
    reached = out.index[out["due"] | (out["reported_months"] > 0)]
    out["covered"] = out.index <= reached.max() if len(reached) else False
    return out.reset_index()


def submission_versions(con, commune_code: str, period: str) -> pd.DataFrame:
    """Every loaded version of one report, oldest first, with the current one marked, and
    `confirmed` (confirmed_at, confirmed_by) on it while the board's confirmation is in force."""
    return queries.run(con, "submission_versions", commune=commune_code, period=period)


def annual_ratings(con, scope: Scope, year: int | None = None,
                   by: Grain = Grain.COMMUNE) -> pd.DataFrame:
    """Year-end ratings of branches and members; year defaults to the scope's last year."""
    flags = _grain(by, (Grain.BRANCH, Grain.COMMUNE, Grain.TOTAL))
    df = queries.run(con, "annual_ratings", **_scope_params(scope), **flags,
                year=Month.parse(scope.last).year if year is None else year)
    return _shape(df, flags, drop=() if flags["by_branch"] else ("org_rating",))


def communes(con, scope: Scope) -> pd.DataFrame:
    """Communes active (or reported) in the scope: code, name, kind, validity, merged_into,
    active_months, reported_months."""
    return queries.run(con, "communes", **_scope_params(scope))


def branches(con, scope: Scope) -> pd.DataFrame:
    """Branches active in the scope, of its communes and kinds."""
    return queries.run(con, "branches", **_scope_params(scope))


def branch_kinds(con, scope: Scope) -> pd.DataFrame:
    """Branch kinds present in the scope's communes (branch_kind, branches)."""
    return queries.run(con, "branch_kinds", **_scope_params(scope))


def available_periods(con) -> list[str]:
    """Months with at least one current report, oldest first."""
    return queries.run(con, "periods")["period"].tolist()


def period_bounds(con) -> tuple[str, str] | None:
    """(first, last) month with data, or None on an empty warehouse."""
    periods = available_periods(con)
    return (periods[0], periods[-1]) if periods else None


def last_loaded_at(con) -> datetime | None:
    """When the newest monthly report was received (None on an empty warehouse)."""
    value = queries.run(con, "last_loaded")["last_received_at"].iloc[0]
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def attention(con, scope: Scope, settings: Settings | None = None,
              as_of: date | None = None) -> pd.DataFrame:
    """Communes of the scope that need attention: one row per (commune, reason).

    Columns: commune_code, commune_name, reason ('not_reported' | 'i5_below' | 'behind_pace' |
    'overdue_findings' | 'quality_flags'), message (Vietnamese), value (the commune's figure),
    threshold. quality_flags counts the data-quality flags of the scope's months that the board
    has not verified (data_quality_counts), by rule.
    The I5 baseline is all communes over the same months and branch kinds (not only the
    filtered ones). Reasons are switched on and tuned in settings.toml [attention].
    """
    settings = settings or load_settings()
    out: list[dict] = []

    def add(r, reason: str, message: str, value, threshold) -> None:
        out.append({"commune_code": r.commune_code, "commune_name": r.commune_name,
                    "reason": reason, "message": message, "value": value,
                    "threshold": threshold})

    last = Scope(scope.last, scope.last, scope.communes)
    if settings.attention_not_reported:
        # 'missing' only: before the deadline nobody is late yet
        subs = submissions(con, last, settings, "commune_month", as_of)
        for r in subs[subs["status"] == "missing"].itertuples():
            add(r, "not_reported", f"Chưa nộp báo cáo tháng {vn.month_numeric(scope.last)} (quá hạn nộp).",
                None, None)
    if settings.attention_i5_below:
        base = branch_meetings(con, Scope(scope.first, scope.last, (), scope.branch_kinds),
                               settings, "total")["i5_held_share"]
        floor = (base.iloc[0] - settings.attention_i5_margin_points / 100
                 if len(base) and pd.notna(base.iloc[0]) else None)
        per = branch_meetings(con, scope, settings, "commune")
        for r in per.itertuples():
            if floor is not None and pd.notna(r.i5_held_share) and r.i5_held_share < floor:
                add(r, "i5_below",
                    f"Tỷ lệ chi bộ sinh hoạt thường kỳ {vn.percent(r.i5_held_share)}, thấp hơn mức "
                    f"chung {vn.percent(base.iloc[0])} quá "
                    f"{vn.tenths(settings.attention_i5_margin_points)} điểm.",
                    r.i5_held_share, floor)
    if settings.attention_behind_pace:
        progress = recruitment_progress(con, scope, "commune")
        for r in progress[progress["on_track"] == False].itertuples():  # noqa: E712 (NA-safe)
            add(r, "behind_pace",
                f"Kết nạp {int(r.admitted_ytd)}/{int(r.target)} đảng viên, chậm tiến độ "
                f"(cần ít nhất {vn.tenths(r.pace_target)} sau {r.months_elapsed} tháng).",
                float(r.admitted_ytd), float(r.pace_target))
    if settings.attention_overdue_findings:
        found = inspections(con, scope, as_of, "commune")
        minimum = settings.attention_min_overdue_findings
        for r in found[found["overdue"] >= minimum].itertuples():
            add(r, "overdue_findings", f"Có {r.overdue} hạn chế sau kiểm tra quá hạn khắc phục.",
                float(r.overdue), float(minimum))
    if settings.attention_quality_flags:
        # the rules' names inside a sentence, in labels.QUALITY_RULES order
        names = {rule: name[:1].lower() + name[1:] for rule, name in labels.QUALITY_RULES.items()}
        per: dict[str, list] = {}
        counts = data_quality_counts(con, scope)  # unverified flags of the scope's months, per rule
        for r in counts[counts["flags"] > 0].itertuples():
            per.setdefault(r.commune_code, []).append(r)
        for found in per.values():
            found.sort(key=lambda r: list(names).index(r.rule))
            total = sum(int(r.flags) for r in found)
            which = "; ".join(f"{names[r.rule]}: {vn.number(r.flags)}" for r in found)
            add(found[0], "quality_flags", f"Có {vn.number(total)} số liệu bất thường chưa xác minh ({which}).",
                float(total), None)
    columns = ["commune_code", "commune_name", "reason", "message", "value", "threshold"]
    df = pd.DataFrame(out, columns=columns)
    order = {reason: n for n, reason in enumerate(labels.ATTENTION)}
    return (df.assign(_o=df["reason"].map(order))
              .sort_values(["commune_name", "commune_code", "_o"]).drop(columns="_o")
              .reset_index(drop=True))


def data_quality(con, scope: Scope, unverified: bool = False) -> pd.DataFrame:
    """The cross-month data-quality flags of the scope's months and communes (DOMAIN.md; the
    rules in etl/warehouse/sql/quality, one file each): one row per flag, the SPEC §5
    data_quality_flags columns with commune_name, branch_name and load_id (the report version).
    `unverified`: only the flags the board has not marked "Đã xác minh" (those still counted)."""
    return queries.run(con, "data_quality", **_scope_params(scope), unverified=unverified)


def data_quality_counts(con, scope: Scope) -> pd.DataFrame:
    """data_quality counted per commune and rule: `flags` (unverified: what needs a look) and
    `verified` (marked right by the board)."""
    return queries.run(con, "data_quality_counts", **_scope_params(scope))


def audit_trail(con, since: date | None = None, actions: tuple[str, ...] = (), account: str | None = None,
                limit: int = audit.DEFAULT_LIMIT) -> pd.DataFrame:
    """The audit trail (etl.access.audit), newest first: one row per act, columns audit.COLUMNS."""
    with con.cursor() as cursor:  # as queries.run: the dashboard's connection is shared by threads
        rows = audit.audit(cursor, datetime.combine(since, datetime.min.time()) if since else None, limit,
                           actions=actions, account=account)
    return pd.DataFrame(rows, columns=list(audit.COLUMNS))
