"""Who may do what, for the command line and the dashboard alike.

The role table is data in etl.access.accounts (ROLE_ACTIONS, `can`); this module applies it to
the acts both front ends offer:
  - `may(account, action)`: a one-commune action (upload_commune, view_commune) asked without a
    commune means the account's own commune (ui.auth.may and the command line both ask here);
  - `acting(con, name, action)`: the account a command's --account names, refused (Refused,
    Vietnamese) when it does not exist, is locked or lacks the right;
  - `upload_commune(account)`: the commune an account's uploads are limited to (None: any);
  - `load_commune(account, commune, received_on)`: the commune a load is limited to, refusing a
    commune account that names another commune or a receipt date;
  - `may_view_file(account, commune)`, `viewing_file(con, name, commune)`: who may have a file
    given to the loader (its kept bytes, a rejection's problems): who may view its commune.
"""
from __future__ import annotations

from etl.access import accounts
from etl.ingest.admission import same_commune

WHAT_VN = {"upload": "nạp báo cáo", "export": "xuất báo cáo", "confirm": "duyệt báo cáo"}


class Refused(Exception):
    """An act the account may not do; the message is Vietnamese and names the account."""


def may(account: accounts.Account | None, action: str, commune: str | None = None) -> bool:
    """May `account` do `action` (accounts.ACTIONS)? For a one-commune action without a commune,
    whether it may for some commune (its own)."""
    if commune is None and action in accounts.BROADER and account is not None and account.commune:
        commune = account.commune
    return accounts.can(account, action, commune)


def may_upload(account: accounts.Account | None) -> bool:
    """Whether the account may upload reports, for every commune or for its own."""
    return may(account, "upload") or may(account, "upload_commune")


def upload_commune(account: accounts.Account | None) -> str | None:
    """The commune code an account's uploads are limited to: None for the command line without
    an account and for an account that uploads for every commune; its own for a commune account."""
    if account is None or may(account, "upload"):
        return None
    return account.commune


def named(con, name: str) -> accounts.Account:
    """The account called `name`; Refused when there is none."""
    account = accounts.lookup(con, name)
    if account is None:
        raise Refused(f"Không có tài khoản '{name}'.")
    return account


def acting(con, name: str | None, action: str | None = None) -> accounts.Account | None:
    """The Account that --account names (None without one): it must exist, not be locked and,
    given `action` ('upload' allows a commune account's 'upload_commune'), hold that right."""
    if name is None:
        return None
    account = named(con, name)
    if account.disabled:
        raise Refused(f"Tài khoản '{account.name}' đã bị khóa.")
    allowed = may_upload(account) if action == "upload" else action is None or may(account, action)
    if not allowed:
        raise Refused(f"Tài khoản {account.name} ({account.role_vn}) không có quyền {WHAT_VN[action]}.")
    return account


def load_commune(account: accounts.Account | None, commune: str | None, received_on) -> str | None:
    """The commune a load by `account` is limited to: `commune` (load --commune), or a commune
    account's own. A commune account may not name another commune, nor a receipt date (its
    receipt is the time of loading); Refused then."""
    own = upload_commune(account)
    if own is None:
        return commune
    if commune and not same_commune(commune, own):
        raise Refused(f"Tài khoản {account.name} chỉ được nạp báo cáo của đảng bộ {account.commune}.")
    if received_on:
        raise Refused(f"Tài khoản {account.name} ({account.role_vn}) không được khai ngày nhận báo cáo: ngày nhận "
                      "là thời điểm nạp. Chỉ Ban Tổ chức được khai ngày nhận khi nạp bổ sung báo cáo cũ.")
    return own


def may_view_file(account: accounts.Account | None, commune: str | None) -> bool:
    """May `account` have a file given to the loader, of `commune`: who may view that commune;
    a file of no known commune (a registry, an unreadable file), who may view every commune."""
    return may(account, "view_commune", commune) if commune else may(account, "view_all")


def viewing_file(con, name: str | None, commune: str | None) -> accounts.Account | None:
    """The account --account names (None: the command line, which may have any file), refused
    unless it may have a file of `commune` (may_view_file)."""
    account = acting(con, name)
    if account is not None and not may_view_file(account, commune):
        whose = f"của đảng bộ {commune}" if commune else "không thuộc đảng bộ nào (chỉ tài khoản xem mọi đảng bộ)"
        raise Refused(f"Tài khoản {account.name} ({account.role_vn}) không được xem tệp {whose}.")
    return account
