"""Login accounts, their roles, and what each role may do.

Takes a writable warehouse connection (the `accounts` table of schema version 2) and returns
`Account` records, which never carry the password hash. Passwords are stored only as argon2id
hashes (argon2-cffi, salted per password); a generated password is returned once to the caller
and stored nowhere. Every change is recorded in the audit trail (etl.access.audit) in the same
transaction.

A login reads the accounts and writes nothing to the warehouse: `authenticate` takes any
connection that holds the `accounts` table (the dashboard's read copy) and the login file beside
the warehouse (etl.access.logins), where each attempt is recorded and from which repeated wrong
passwords are slowed down, per account and client, per address, and over all clients under a
spray; a correct password from that client, or a new one set by an administrator, clears the
first. Whatever the reason a login fails (no such name, wrong password, disabled, throttled),
`authenticate` answers None and takes about the time of one hash check (plus the spray delay),
and names that are no account are slowed down by the same rules, so neither the answer, the wait
nor the timing tells which of name or password was wrong; the page shows LOGIN_FAILED_VN.

Role rules are data (ROLE_ACTIONS); `can` and `visible_communes` are what pages and actions ask.
"""
from __future__ import annotations

import re
import secrets
from contextlib import nullcontext
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from etl.access import audit, logins
from etl.access.logins import FREE_ATTEMPTS, throttle_for  # noqa: F401 - the login rules' names, as before
from etl.text import unaccented
from etl.warehouse import transaction

ROLES = ("xem", "ban_to_chuc", "quan_tri", "xa")
ROLE_VN = {
    "xem": "Thường trực (chỉ xem)",
    "ban_to_chuc": "Ban Tổ chức",
    "quan_tri": "Quản trị tài khoản",
    "xa": "Đảng bộ xã",
}
ACTIONS = ("view_all", "view_commune", "upload", "upload_commune", "export", "manage_users", "confirm",
           "view_audit")
# What each role may do. `xa` acts only on its own commune; a role holding the province-wide
# form of an action (view_all, upload) holds its one-commune form too (BROADER).
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "xem": frozenset({"view_all"}),
    "ban_to_chuc": frozenset({"view_all", "upload", "export", "confirm", "view_audit"}),
    "quan_tri": frozenset({"view_all", "manage_users", "view_audit"}),
    "xa": frozenset({"view_commune", "upload_commune"}),
}
BROADER = {"view_commune": "view_all", "upload_commune": "upload"}

ADMIN_NAME = "quantri"
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 takes any length; a cap keeps a pasted megabyte out
GENERATED_LENGTH = 16
# No 0/O, 1/l/I: a generated password is read off a screen and typed by hand. 57 symbols ** 16
# is about 93 bits.
_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_NAME = re.compile(r"\w[\w.\-@]{1,63}")

# Common passwords and stems, refused (`guessable`): one a line, without diacritics or spaces.
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
GUESSABLE_VN = ("Mật khẩu quá dễ đoán: đó là một mật khẩu phổ biến hoặc tên đăng nhập (thêm chữ số, ký hiệu "
                "hay bỏ dấu vẫn vậy), hoặc không có chữ cái nào. Hãy dùng một câu dài gồm vài từ không liên "
                "quan, ví dụ 'mây trắng bay qua cầu 27'.")
SAME_PASSWORD_VN = "Mật khẩu mới phải khác mật khẩu đang dùng."
LOGIN_FAILED_VN = ("Tên đăng nhập hoặc mật khẩu không đúng. Nếu đã nhập sai nhiều lần, hãy chờ vài phút "
                   "rồi thử lại.")

# argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): on this 2-core
# server the library's default (64 MiB, 3 passes, 4 lanes) took 0.2-0.5 s per login and would
# stall the dashboard when several people log in at once. Hashes made with other settings still
# verify and are redone with these at the next login (check_needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


class AccountError(Exception):
    """A refused account change; the message is Vietnamese and names what to fix."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    commune: str | None = None  # the commune code of a `xa` account
    disabled: bool = False
    created_at: datetime | None = None
    password_set_at: datetime | None = None  # a session signed in before this has ended
    must_change_password: bool = False  # the dashboard asks for a new password before anything else

    @property
    def role_vn(self) -> str:
        return ROLE_VN.get(self.role, self.role)


_COLUMNS = "name, role, commune_code, disabled, created_at, password_set_at, must_change_password"
# the same from a warehouse copy of before schema version 4 (the dashboard's snapshot of a
# warehouse no command has opened since): nobody must change a password there
_COLUMNS_V3 = _COLUMNS.replace("must_change_password", "false")


def _account(row) -> Account:
    return Account(*row[:6], bool(row[6]))


def _select(con, columns: str, rest: str, params=()) -> list[tuple]:
    """SELECT `columns` (the account's, _COLUMNS first) FROM accounts `rest`, on any schema version."""
    try:
        return con.execute(f"SELECT {columns} FROM accounts {rest}", params).fetchall()
    except duckdb.BinderException:
        return con.execute(f"SELECT {columns.replace(_COLUMNS, _COLUMNS_V3)} FROM accounts {rest}", params).fetchall()


# --- names and passwords ----------------------------------------------------------------------

def normalize_name(name: str) -> str:
    """Names compare as typed on any keyboard: NFC, trimmed, lower case."""
    return unicodedata.normalize("NFC", str(name)).strip().lower()


def _valid_name(name: str) -> str:
    key = normalize_name(name)
    if not _NAME.fullmatch(key):
        raise AccountError(f"Tên đăng nhập '{name}' không hợp lệ: cần 2–64 ký tự gồm chữ, số và . _ - @, "
                           "không có dấu cách.")
    return key


def generate_password(length: int = GENERATED_LENGTH) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def guessable(password: str, name: str = "") -> bool:
    """Whether `password` is among the first guesses: a common password or stem
    (COMMON_PASSWORDS) or the account's name, with digits or symbols around it at most, typed with
    or without diacritics, spaces or separators; no letter at all; or three characters or fewer
    repeated."""
    plain = re.sub(r"[\s\-_.]+", "", unaccented(password))
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", plain)
    return not core or core in _common() or core == re.sub(r"[\-_.@]", "", unaccented(name)) or len(set(plain)) <= 3


def _check_password(password: str, name: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Mật khẩu dài quá {MAX_PASSWORD} ký tự.")
    if not password.strip() or normalize_name(password) == name:
        raise AccountError("Mật khẩu không được để trống hay trùng với tên đăng nhập.")
    if guessable(password, name):
        raise AccountError(GUESSABLE_VN)


def _hash(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash no password matches, checked when there is no real one so that a failed login
    takes the same time whatever the reason."""
    return _hasher.hash(secrets.token_urlsafe(32))


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _get(con, key: str) -> Account:
    rows = _select(con, _COLUMNS, "WHERE name = ?", [key])
    if not rows:
        raise AccountError(f"Không có tài khoản '{key}'.")
    return _account(rows[0])


def _commune_code(con, commune: str) -> str:
    code = str(commune).strip()
    row = con.execute("SELECT commune_code FROM units_commune WHERE upper(commune_code) = upper(?)",
                      [code]).fetchone()
    if row is None:
        raise AccountError(f"Không có đảng bộ mã '{code}' trong danh mục đơn vị. Hãy nạp danh mục đơn vị "
                           "trước hoặc kiểm tra lại mã.")
    return row[0]


# --- account management -----------------------------------------------------------------------

def add_user(con, name: str, role: str, commune: str | None = None, password: str | None = None,
             *, by: str | None = None, must_change: bool = False) -> str:
    """Create an account; returns its password (generated when none is given: show it once).
    `by` is the administrator acting (None: the command line); with `must_change`, the dashboard
    has the account choose its own password at its first sign-in."""
    key = _valid_name(name)
    if role not in ROLES:
        raise AccountError(f"Vai trò '{role}' không hợp lệ; chọn một trong: {', '.join(ROLES)}.")
    if role == "xa" and not commune:
        raise AccountError("Tài khoản vai trò 'xa' phải gắn với một đảng bộ (--commune MÃ).")
    if role != "xa" and commune:
        raise AccountError(f"Chỉ tài khoản vai trò 'xa' mới gắn với một đảng bộ; vai trò '{role}' xem toàn tỉnh.")
    code = _commune_code(con, commune) if commune else None
    password = generate_password() if password is None else password
    _check_password(password, key)
    digest = _hash(password)
    now = datetime.now()
    with transaction(con):
        if con.execute("SELECT 1 FROM accounts WHERE name = ?", [key]).fetchone():
            raise AccountError(f"Tài khoản '{key}' đã có.")
        con.execute("INSERT INTO accounts (name, role, commune_code, password_hash, created_at, password_set_at,"
                    " must_change_password) VALUES (?,?,?,?,?,?,?)", [key, role, code, digest, now, now, must_change])
        audit.record(con, "user_add", account=by, detail=f"{key}: {ROLE_VN[role]}" + (f" {code}" if code else ""),
                     at=now)
    return password


def set_password(con, name: str, password: str, *, by: str | None = None) -> None:
    """Replace an account's password (by another than the one it has); its failed attempts before
    now no longer count, its sessions signed in before now end (ui.auth.gate), and it need not
    change it at its next sign-in any more."""
    key = normalize_name(name)
    _get(con, key)
    _check_password(password, key)
    (old,) = con.execute("SELECT password_hash FROM accounts WHERE name = ?", [key]).fetchone()
    if _verify(old, password):
        raise AccountError(SAME_PASSWORD_VN)
    digest = _hash(password)
    now = datetime.now()
    with transaction(con):
        con.execute("UPDATE accounts SET password_hash = ?, password_set_at = ?, must_change_password = false "
                    "WHERE name = ?", [digest, now, key])
        audit.record(con, "password_set", account=by, detail=key, at=now)


def _set_disabled(con, name: str, disabled: bool, by: str | None) -> None:
    key = normalize_name(name)
    _get(con, key)
    with transaction(con):
        con.execute("UPDATE accounts SET disabled = ? WHERE name = ?", [disabled, key])
        audit.record(con, "user_disable" if disabled else "user_enable", account=by, detail=key)


def disable(con, name: str, *, by: str | None = None) -> None:
    """Refuse every further login of the account (kept, with its history)."""
    _set_disabled(con, name, True, by)


def enable(con, name: str, *, by: str | None = None) -> None:
    _set_disabled(con, name, False, by)


def exist(con) -> bool:
    """Whether any account exists (False before schema version 2)."""
    try:
        return bool(con.execute("SELECT count(*) FROM accounts").fetchone()[0])
    except duckdb.CatalogException:
        return False


def lookup(con, name: str) -> Account | None:
    """The account named `name` as stored (works on a read-only copy), or None."""
    rows = _select(con, _COLUMNS, "WHERE name = ?", [normalize_name(name)])
    return _account(rows[0]) if rows else None


def list_users(con) -> list[Account]:
    """Every account by name; hashes are never read."""
    return [_account(r) for r in _select(con, _COLUMNS, "ORDER BY name")]


def ensure_admin(con) -> str | None:
    """On the first run (no account at all) create the `quan_tri` account ADMIN_NAME and return
    its generated password, to be shown once on the server's console; afterwards None. There is
    no default password, and the printed one is changed at the first sign-in."""
    if con.execute("SELECT count(*) FROM accounts").fetchone()[0]:
        return None
    return add_user(con, ADMIN_NAME, "quan_tri", must_change=True)


# --- login ------------------------------------------------------------------------------------

def authenticate(con, log, name: str, password: str, *, client: str | None = None, now: datetime | None = None,
                 sleep=time.sleep, rehash=None) -> Account | None:
    """The account when `password` is its password and it may log in now; otherwise None,
    whatever the reason (see the module docstring). `con` holds the accounts (read only is
    enough), `log` is the login file (etl.access.logins) where the attempt is recorded; `client` says
    where it comes from. `rehash(name, old_hash, new_hash)`, when given, stores a hash redone
    with today's parameters (the caller writes the warehouse, if it can)."""
    now = now or datetime.now()
    key = normalize_name(name)
    rows = _select(con, f"{_COLUMNS}, password_hash", "WHERE name = ?", [key])
    account, stored = (_account(rows[0][:-1]), rows[0][-1]) if rows else (None, None)
    verdict = logins.verdict(log, account and account.name, key, client, account and account.password_set_at, now)
    until = verdict.refused_until
    with logins.queue(key) if verdict.delay else nullcontext():
        if verdict.delay:
            sleep(verdict.delay)  # a spray on this name: attempts wait in turn, the right one still gets in
        refused = account is None or account.disabled or until is not None
        # a refused attempt checks a hash all the same: its answer takes the time of any other
        right = _verify(_dummy_hash() if refused else stored, str(password)) and not refused
    if account is not None and account.disabled:
        logins.record(log, "login_failed", "disabled", account=key, client=client, detail="Tài khoản đã bị khóa",
                      at=now)
    elif until is not None:
        here = "máy này" if until == verdict.until else f"địa chỉ {logins.address(client)}"
        logins.record(log, "login_failed", "throttled", account=account and key, client=client, at=now,
                      detail=f"Đang tạm khóa trên {here} do nhập sai nhiều lần (đến {until:%H:%M:%S})")
    elif account is None:
        logins.note_unknown(key, client, now)
        # The typed name is not recorded: it may be a password typed into the wrong box.
        logins.record(log, "login_failed", "unknown", account=None, client=client,
                      detail="Tên đăng nhập không tồn tại", at=now)
    elif not right:
        logins.record(log, "login_failed", "wrong", account=key, client=client, at=now,
                      detail=f"Sai mật khẩu ({verdict.in_a_row + 1} lần liên tiếp trên máy này)")
    else:
        logins.record(log, "login", "ok", account=key, client=client, at=now)
        if rehash is not None and _hasher.check_needs_rehash(stored):  # parameters raised since the hash was made
            rehash(key, stored, _hash(password))
        return account
    return None


def store_rehash(con, name: str, old: str, new: str) -> None:
    """Replace a hash redone at login, unless the password changed meanwhile (not a new password)."""
    con.execute("UPDATE accounts SET password_hash = ? WHERE name = ? AND password_hash = ?", [new, name, old])


# --- role rules -------------------------------------------------------------------------------

def can(account: Account | None, action: str, commune: str | None = None) -> bool:
    """May `account` do `action` (one of ACTIONS), for `commune` when the action is one commune's
    (view_commune, upload_commune)? A `xa` account needs the commune named, and its own."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if account is None or account.disabled:
        return False
    granted = ROLE_ACTIONS.get(account.role, frozenset())
    if action in BROADER and BROADER[action] in granted:
        return True
    if action not in granted:
        return False
    if action in BROADER:
        return commune is not None and account.commune is not None and \
            str(commune).strip().upper() == account.commune.upper()
    return True


def visible_communes(account: Account | None, all_codes) -> list[str]:
    """The commune codes among `all_codes` whose data `account` may see, in their order."""
    if can(account, "view_all"):
        return list(all_codes)
    return [c for c in all_codes if can(account, "view_commune", c)]
