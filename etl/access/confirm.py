"""The board's confirmation (duyệt) of a commune's monthly report.

Takes a writable warehouse connection (schema version 3) and a commune code and month
('YYYY-MM'). `confirm` marks the commune-month's current report as confirmed; while it is
confirmed the loader rejects any new, different version of it (problem `report_confirmed`);
`reopen` lifts that, after which a new version loads as usual. Each act is one transaction with
its audit row ("confirm" / "reopen"). `confirmed_reports` gives the loader every confirmed key
in one query; `confirmation` and `is_confirmed` answer for one key.

Why an append-only table of acts (`confirmation_events`) and not a state row updated in place:
the warehouse never updates or deletes (schema.sql) and derives the current state in views, so
the state is the newest act per key (view `report_confirmations`) and the acts before it are
the history, with the report version each confirmed (load_id) and the reason of each reopening.
The audit trail holds the same acts as free text for the audit page; the table holds them as
data the loader and the submission matrix query. Inserting only also spares DuckDB's
restriction on updating a row whose key was changed in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from etl import vnformat as vn
from etl.access import accounts, audit
from etl.period import Month
from etl.problems import Problem, at
from etl.warehouse import transaction


class ConfirmError(Exception):
    """A refused confirm or reopen; the message is Vietnamese and says why."""


@dataclass(frozen=True)
class Confirmation:
    """A commune-month's report as the board confirmed it."""
    commune_code: str
    period: str
    at: datetime
    by: str | None  # account name; None: the command line
    load_id: int | None  # the version confirmed


def when_vn(t: datetime) -> str:
    return f"{t:%H:%M} ngày {t:%d/%m/%Y}"


def who_vn(by: str | None) -> str:
    return f"tài khoản {by}" if by else "dòng lệnh"


def _allowed(by) -> None:
    if by is None:  # the command line: whoever can open the warehouse file
        return
    if not isinstance(by, accounts.Account):
        raise TypeError("by must be an etl.access.accounts.Account or None (the command line)")
    if not accounts.can(by, "confirm"):
        raise ConfirmError(f"Tài khoản {by.name}, vai trò {by.role_vn}, không có quyền duyệt hay mở lại báo cáo; "
                           "chỉ Ban Tổ chức được làm việc này.")


def _current(con, commune: str, month: str, action: str):
    """(commune code, commune name, load_id, source_file, sha256) of the current report."""
    try:
        Month.parse(month)
    except ValueError as err:
        raise ConfirmError(str(err)) from None
    code = str(commune).strip()
    row = con.execute("SELECT r.commune_code, coalesce(c.commune_name, r.commune_code), r.load_id, r.source_file,"
                      " r.sha256 FROM current_reports AS r"
                      " LEFT JOIN units_commune AS c ON c.commune_code = r.commune_code"
                      " WHERE upper(r.commune_code) = upper(?) AND r.period = ?", [code, month]).fetchone()
    if row is not None:
        return row
    unit = con.execute("SELECT commune_name FROM units_commune WHERE upper(commune_code) = upper(?)",
                       [code]).fetchone()
    if unit is None:
        raise ConfirmError(f"Không có đảng bộ mã '{code}' trong danh mục đơn vị. Hãy kiểm tra lại mã.")
    what = "duyệt" if action == "confirm" else "mở lại"
    raise ConfirmError(f"Đảng bộ {unit[0]} chưa có báo cáo tháng {vn.month_numeric(month)} nên chưa có gì để {what}.")


def confirmation(con, commune: str, month: str) -> Confirmation | None:
    """The confirmation in force for a commune-month, or None (never confirmed, or reopened)."""
    row = con.execute("SELECT commune_code, period, confirmed_at, confirmed_by, confirmed_load_id"
                      " FROM report_confirmations WHERE upper(commune_code) = upper(?) AND period = ?"
                      " AND confirmed", [str(commune).strip(), month]).fetchone()
    return Confirmation(*row) if row else None


def is_confirmed(con, commune: str, month: str) -> bool:
    return confirmation(con, commune, month) is not None


def confirmed_reports(con) -> dict[tuple[str, str], Confirmation]:
    """Every confirmed (commune_code, period), in one query: what the loader checks a run against."""
    rows = con.execute("SELECT commune_code, period, confirmed_at, confirmed_by, confirmed_load_id"
                       " FROM report_confirmations WHERE confirmed").fetchall()
    return {(r[0], r[1]): Confirmation(*r) for r in rows}


def _act(con, action: str, commune: str, month: str, by, reason: str | None) -> Confirmation:
    _allowed(by)
    code, name, load_id, source_file, sha256 = _current(con, commune, month, action)
    name_by = getattr(by, "name", None)
    now = datetime.now()
    where = f"Đảng bộ {name} ({code}), tháng {vn.month_numeric(month)}"
    with transaction(con):
        # Checked in the insert's transaction. Two acts cannot interleave across processes (DuckDB
        # gives the file to one writing process); the dashboard acts through the command line.
        done = confirmation(con, code, month)
        if action == "confirm" and done is not None:
            raise ConfirmError(f"Báo cáo tháng {vn.month_numeric(month)} của Đảng bộ {name} đã được duyệt "
                               f"lúc {when_vn(done.at)} ({who_vn(done.by)}).")
        if action == "reopen" and done is None:
            raise ConfirmError(f"Báo cáo tháng {vn.month_numeric(month)} của Đảng bộ {name} chưa được duyệt, "
                               "không cần mở lại.")
        con.execute("INSERT INTO confirmation_events (event_id, commune_code, period, action, \"at\", account,"
                    " load_id, reason) VALUES (nextval('confirmation_event_ids'), ?, ?, ?, ?, ?, ?, ?)",
                    [code, month, action, now, name_by, load_id, reason])
        detail = f"{where} (lần nạp {load_id})" + (f"; lý do: {reason}" if reason else "")
        audit.record(con, action, account=name_by, file_name=source_file, sha256=sha256, detail=detail, at=now)
    return Confirmation(code, month, now, name_by, load_id)


def confirm(con, commune: str, month: str, *, by: accounts.Account | None) -> Confirmation:
    """Mark the current report of `commune` for `month` as confirmed by `by` (an Account allowed
    to "confirm", or None for the command line). Raises ConfirmError when there is no current
    report, it is already confirmed, or `by` may not confirm."""
    return _act(con, "confirm", commune, month, by, None)


def reopen(con, commune: str, month: str, *, by: accounts.Account | None,
           reason: str | None = None) -> Confirmation:
    """Lift the confirmation of `commune`'s report for `month` so a new version can be loaded.
    Raises ConfirmError when it is not confirmed or `by` may not. Returns the act (its `at`, `by`
    and the load_id current when reopened)."""
    reason = (reason.strip() or None) if reason else None
    return _act(con, "reopen", commune, month, by, reason)


def refusal(file: str, meta: dict, confirmed: Confirmation, registry) -> Problem:
    """The loader's `report_confirmed` problem for a new version of a confirmed report, placed at
    the cell that gives the report's month when the check found one (meta["period_at"])."""
    unit = registry.communes.get(confirmed.commune_code)
    name = unit.name if unit else confirmed.commune_code
    message = (f"Báo cáo tháng {vn.month_numeric(confirmed.period)} của Đảng bộ {name} đã được Ban Tổ chức duyệt "
               f"lúc {when_vn(confirmed.at)} ({who_vn(confirmed.by)}), nên không nạp phiên bản mới này. "
               "Hãy đề nghị Ban Tổ chức mở lại báo cáo (nút 'Mở lại' trên trang Nộp báo cáo của bảng điều "
               "khiển) rồi nạp lại tệp.")
    sheet, row0, col0 = meta.get("period_at") or (None, None, None)
    return replace(at("report_confirmed", message, sheet=sheet, row0=row0, col0=col0), file=file)
