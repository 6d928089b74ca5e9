"""The audit trail: who did what, when, to which file.

`record` appends one row to the warehouse's `audit_log` table (created by schema version 2) on
the caller's connection, so a caller inside a transaction (the loader writing a file) gets the
row in the same commit or not at all. `audit` reads the newest rows back for the audit page.
Rows are never updated or deleted: the table is history, and it survives restarts because it
lives in the warehouse file. Login attempts are kept in the login file beside the warehouse
instead (etl.access.logins, same row shape; rows of older versions stay here); `merge` puts both
together for the audit page.

Nothing here ever stores a password: login rows carry the account name only, and a failed login
with a name that is no account is recorded without the typed name (people type their password
into the name box by mistake).
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from etl.period import period_of
from etl.warehouse import transaction

ACTIONS = frozenset({
    "login", "login_failed", "load", "reject", "export", "confirm", "reopen",
    "user_add", "user_enable", "user_disable", "password_set", "verify_flag",
})

# Vietnamese labels for the audit page, kept here so they are reviewed together: the actions of
# audit_log (ACTIONS) and of the login file (etl.access.logins.ACTIONS).
ACTION_VN = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập không thành công",
    "login_resumed": "Mở lại phiên đăng nhập",
    "load": "Nạp báo cáo",
    "reject": "Từ chối tệp",
    "export": "Xuất báo cáo",
    "confirm": "Duyệt báo cáo",
    "reopen": "Mở lại báo cáo đã duyệt",
    "user_add": "Tạo tài khoản",
    "user_enable": "Mở khóa tài khoản",
    "user_disable": "Khóa tài khoản",
    "password_set": "Đặt mật khẩu",
    "verify_flag": "Xác minh cảnh báo số liệu",
}

COLUMNS = ("at", "account", "action", "file_name", "sha256", "detail")
FILE_ACTIONS = ("load", "reject")  # actions whose row names a file given to the loader
DEFAULT_LIMIT = 1000


def _name(account) -> str | None:
    """An Account (anything with .name) or a plain name."""
    return getattr(account, "name", account)


def record(con, action: str, *, account=None, file_name: str | None = None, sha256: str | None = None,
           detail: str | None = None, at: datetime | None = None) -> None:
    """Append one audit row. `account` is who acted (an Account or a name; None for the command
    line); `file_name` is a name as received, never a path to open."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    con.execute("INSERT INTO audit_log (\"at\", account, action, file_name, sha256, detail) VALUES (?,?,?,?,?,?)",
                [at or datetime.now(), _name(account), action, file_name, sha256, detail])


def record_many(con, action: str, rows: list[dict], *, account=None) -> None:
    """Append one audit row per dict of `rows` (file_name, sha256, detail), all at one time and in
    one statement: the loader records a group of files this way (a DuckDB statement costs about a
    millisecond, whatever its size)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if not rows:
        return
    at, name = datetime.now(), _name(account)
    con.execute('INSERT INTO audit_log ("at", account, action, file_name, sha256, detail) VALUES '
                + ", ".join(["(?,?,?,?,?,?)"] * len(rows)),
                [v for r in rows for v in (at, name, action, r.get("file_name"), r.get("sha256"), r.get("detail"))])


def record_export(con, period, communes, files: dict[str, bytes], *, account=None) -> None:
    """One "export" row per file made (its name and the hash of its bytes), in one transaction;
    `period` is a year or a Period (etl.period.period_of)."""
    scope = "toàn Đảng bộ" if not communes else "đảng bộ " + ", ".join(communes)
    with transaction(con):
        for name, content in files.items():
            record(con, "export", account=account, file_name=name, sha256=hashlib.sha256(content).hexdigest(),
                   detail=f"Tổng hợp {period_of(period).name} ({scope})")


def merge(*parts: list[dict], limit: int = DEFAULT_LIMIT) -> list[dict]:
    """Rows of several trails (each newest first, as `audit` gives them), newest first, at most
    `limit`; rows of one time keep their trail's order."""
    rows = [r for part in parts for r in part]
    rows.sort(key=lambda r: r["at"], reverse=True)  # stable: ties keep their order
    return rows[:limit]


def audit(con, since: datetime | None = None, limit: int = DEFAULT_LIMIT, *,
          actions=None, account: str | None = None) -> list[dict]:
    """The newest audit rows first (at most `limit`), as dicts keyed by COLUMNS; `since`,
    `actions` and `account` narrow them."""
    return newest(con, 'SELECT "at", account, action, file_name, sha256, detail FROM audit_log',
                  since, limit, actions, account)


def newest(con, select: str, since, limit: int, actions, account) -> list[dict]:
    """Rows of `select` (its columns those of COLUMNS) newest first, narrowed as `audit` says:
    the audit trail's query, shared with the login attempts (etl.access.logins)."""
    where, params = narrowed(since, actions, account)
    # rowid breaks ties: rows written in one tick keep their order
    rows = con.execute(select + where + ' ORDER BY "at" DESC, rowid DESC LIMIT ?', [*params, int(limit)]).fetchall()
    return [dict(zip(COLUMNS, r)) for r in rows]


def narrowed(since, actions, account) -> tuple[str, list]:
    """The WHERE clause (empty when nothing narrows) and its parameters: rows from `since` on,
    of `actions` (empty: any), of `account` (None: anyone's)."""
    where, params = [], []
    if since is not None:
        where.append('"at" >= ?')
        params.append(since)
    if actions:
        where.append("list_contains(?, action)")
        params.append(sorted(actions))
    if account is not None:
        where.append("account = ?")
        params.append(account)
    return (" WHERE " + " AND ".join(where) if where else ""), params
