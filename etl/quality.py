"""Data quality across months (DOMAIN.md): the names of the fields flagged, the flags a run of
`load` or `check` raises, and the board's "Đã xác minh" on a flag.

The rules themselves are SQL (etl/warehouse/sql/quality, one file each, over the spine) and are
read through indicators.data_quality like every other figure; their names are
etl.labels.QUALITY_RULES. Here:
- `flags_of_reports(con, reports)`: the flags that loaded monthly reports raise: those of their
  own month and of the month after it (a report is the "month before" of the next pair);
- `flags_if_loaded(path, checked)`: the same for `check`, which writes nothing: the files are
  written into a copy in memory of the warehouse's registry and of those communes' reports;
- `verify(con, flag, note, by=...)`: one append-only row (quality_verifications) and its audit
  row, in one transaction, for the current version of the flagged report.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from etl import indicators as ind
from etl import labels
from etl import vnformat as vn
from etl.access import accounts, audit
from etl.ingest.forms.spec import BRANCH_MEETINGS
from etl.period import Month
from etl.warehouse import db, transaction

FIELD_LABELS = {"members_total": "Tổng số đảng viên", "attendance_share": "Tỷ lệ dự sinh hoạt",
                "committee_members_total": "Số ủy viên Ban Chấp hành",
                "branch_meetings": f"Biểu {BRANCH_MEETINGS.title}"}  # a commune-level rule: the whole sheet
SHARES = frozenset({"attendance_share"})  # fields whose values are shares (0..1); the others are counts
NOTE_MAX = 500


class VerifyError(Exception):
    """A refused verification; the message is Vietnamese and says why."""


@dataclass(frozen=True)
class Flag:
    """Which flag: the keys of a data_quality_flags row."""
    commune_code: str
    period: str
    rule: str
    field: str | None = None
    branch_code: str | None = None


def month_after(period: str) -> str:
    return str(Month.parse(period).next())


def flags_of_reports(con, reports) -> pd.DataFrame:
    """indicators.data_quality's rows for `reports` ((commune_code, period) pairs): the flags of
    each report's month and of the month after it, for that commune."""
    reports = sorted({(c, p) for c, p in reports if c and p})
    if not reports:
        return pd.DataFrame()
    scope = ind.Scope(min(p for _, p in reports), month_after(max(p for _, p in reports)),
                      tuple(sorted({c for c, _ in reports})))
    df = ind.data_quality(con, scope)
    wanted = {(c, p) for c, period in reports for p in (period, month_after(period))}
    keep = [(c, p) in wanted for c, p in zip(df["commune_code"], df["period"])]
    return df[keep].reset_index(drop=True)


def monthly_keys(results, statuses=("loaded",)) -> list[tuple[str, str]]:
    return [(r.commune, r.period) for r in results if r.kind == "monthly" and r.status in statuses]


def flags_if_loaded(path, checked: list) -> pd.DataFrame:
    """The flags the checked files (etl.ingest.check.Checked, accepted ones) would raise once
    loaded, with nothing written: an in-memory warehouse gets the registry and the checked
    communes' reports of the warehouse at `path` (when it exists), then the checked files."""
    monthly = [c for c in checked if c.result.kind == "monthly"]
    if not monthly:
        return pd.DataFrame()
    mem = duckdb.connect()
    try:
        db.migrate(mem)
        if path is not None and os.path.exists(path):
            _copy_from(mem, path, sorted({c.result.commune for c in monthly}))
        db.write_loads(mem, [{"kind": c.result.kind, "source_file": c.result.file, "sha256": c.result.sha256,
                              "received_at": None, "meta": c.meta, "rows": c.rows} for c in checked])
        return flags_of_reports(mem, [(c.result.commune, c.result.period) for c in monthly])
    finally:
        mem.close()


def _copy_from(mem, path, communes: list[str]) -> None:
    """The board's files and these communes' reports, every version, from the warehouse file."""
    try:
        mem.execute("ATTACH ? AS w (READ_ONLY)", [str(path)])
    except duckdb.IOException as err:
        raise db.WarehouseBusy(f"Kho dữ liệu {os.path.basename(path)} đang được một tiến trình khác ghi "
                               "(đang nạp báo cáo). Hãy chờ tiến trình đó xong rồi thử lại.") from err
    there = {t for (t,) in mem.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'w'").fetchall()}
    mem.execute("INSERT INTO loads BY NAME SELECT * FROM w.loads WHERE kind <> 'monthly' OR list_contains(?, commune_code)",
                [communes])
    for table in [*db.TABLES.values(), "load_columns", "quality_verifications"]:
        if table not in there:
            continue
        key = "list_contains(?, commune_code)" if table == "quality_verifications" \
            else "load_id IN (SELECT load_id FROM loads)"
        mem.execute(f"INSERT INTO {table} BY NAME SELECT * FROM w.{table} WHERE {key}",
                    [communes] if table == "quality_verifications" else [])
    top = mem.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()[0]
    mem.execute(f"DROP SEQUENCE load_ids; CREATE SEQUENCE load_ids START {int(top)}")
    mem.execute("DETACH w")


def as_json(flags: pd.DataFrame) -> list[dict]:
    """SPEC §4's `data_quality` list."""
    out = []
    for r in flags.itertuples():
        out.append({"commune": r.commune_code, "branch": r.branch_code, "period": r.period, "rule": r.rule,
                    "field": r.field, "value": _number(r.value), "expected": _number(r.expected),
                    "message": r.message})
    return out


def _number(x):
    if x is None or pd.isna(x):
        return None
    return int(x) if float(x).is_integer() else round(float(x), 4)


def lines(flags: pd.DataFrame) -> list[str]:
    """The flags as the command line prints them after the per-file lines."""
    if flags.empty:
        return []
    out = [f"Cảnh báo chất lượng số liệu qua các tháng ({vn.number(len(flags))}):"]
    for r in flags.itertuples():
        unit = " ".join(str(x) for x in (r.commune_code, r.branch_code) if x and not pd.isna(x))
        place = "!".join(str(x) for x in (r.sheet, r.cell) if x and not pd.isna(x))
        out.append(f"    {labels.QUALITY_RULES[r.rule]} — {unit}, {vn.month(r.period).lower()}"
                   + (f", {place}" if place else "") + f": {r.message}")
    return out


def verify(con, flag: Flag, note: str, *, by: accounts.Account | None) -> int:
    """Mark `flag` verified (the figure is right) for the current version of its report, with
    `note`; returns that version's load_id. The account is looked up again here: it must exist,
    not be locked and hold the board's right ("confirm"). None is the command line."""
    note = (note or "").strip()
    if not note:
        raise VerifyError("Hãy ghi chú vì sao số liệu là đúng (ví dụ: đã gọi điện xác minh với đảng ủy xã).")
    if len(note) > NOTE_MAX:
        raise VerifyError(f"Ghi chú dài quá {vn.number(NOTE_MAX)} ký tự; hãy viết ngắn lại.")
    name = None
    if by is not None:
        account = accounts.lookup(con, by.name)
        if account is None or account.disabled or not accounts.can(account, "confirm"):
            raise VerifyError(f"Tài khoản {by.name} không có quyền xác minh cảnh báo số liệu; "
                              "chỉ Ban Tổ chức được làm việc này.")
        name = account.name
    scope = ind.Scope(flag.period, flag.period, (flag.commune_code,))
    with transaction(con):
        rows = ind.data_quality(con, scope)
        match = rows[(rows["rule"] == flag.rule) & (rows["field"].fillna("") == (flag.field or ""))
                     & (rows["branch_code"].fillna("") == (flag.branch_code or ""))]
        if match.empty:
            raise VerifyError("Không còn cảnh báo này trong báo cáo hiện hành (có thể đảng bộ đã nộp bản sửa).")
        r = match.iloc[0]
        if r["verified"]:
            raise VerifyError("Cảnh báo này đã được xác minh.")
        now = datetime.now()
        load_id = int(r["load_id"])
        con.execute('INSERT INTO quality_verifications ("at", account, commune_code, branch_code, period, rule, '
                    "field, load_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [now, name, flag.commune_code, flag.branch_code, flag.period, flag.rule, flag.field,
                     load_id, note])
        unit = " ".join(x for x in (flag.commune_code, flag.branch_code) if x)
        audit.record(con, "verify_flag", account=name, file_name=r["source_file"],
                     detail=f"{labels.QUALITY_RULES[flag.rule]} — {unit}, {vn.month(flag.period).lower()} "
                            f"(lần nạp {load_id}); ghi chú: {note}", at=now)
    return load_id


def shown(field: str | None, x) -> str:
    """A flag's value as people read it: the attendance share as 85,3%, counts as 1.234."""
    return vn.percent(x) if field in SHARES else vn.number(x)
