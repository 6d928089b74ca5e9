"""Login attempts, kept beside the warehouse: their audit rows and the slow-down.

A login never writes the warehouse: a write would bump the warehouse's mtime, so every
session's next run would copy the whole warehouse again (etl.warehouse.snapshot) and every cache
would miss, which anyone could force from the login form; and while a load held the warehouse
nobody could sign in. The password is checked against the dashboard's read copy of the
`accounts` table (etl.access.accounts.authenticate), and each attempt is one row of `login_attempts` in
`<warehouse>.logins.duckdb` (path_for), a small file opened for a few milliseconds per attempt
(`opened`) by the dashboard and by `python -m etl users list`. Rows are appended, never updated or
deleted, and survive restarts; the audit page reads them with the warehouse's audit trail.

The slow-down (`verdict`) is computed from those rows, nothing else is stored:
  - per account and client (ui.auth.client: the connection's address and the browser): after
    FREE_ATTEMPTS wrong passwords in a row since the client's last success and since the password
    was set, that client waits throttle_for(n) after its n-th; other clients are not held up, so a
    stranger's wrong guesses never lock the owner out;
  - per address, over every account and name: a client changing its browser is a new client, so
    an address with ADDRESS_FAILURES failed attempts within ADDRESS_WINDOW waits until the oldest
    of them is that old (a success does not reset it: signing in to one's own account would);
  - per account, over every client: SPRAY_FAILURES wrong passwords within SPRAY_WINDOW (from
    clients cycling addresses or browsers) make each attempt on the account wait SPRAY_DELAY
    seconds, one attempt at a time (`queue`), so parallel sessions gain nothing; the right
    password still signs in after the wait, and a client that signed in to the account since its
    password was set does not wait at all.
Names that are no account follow the same rules, from counts kept in memory under a keyed hash
(the typed name is never stored), and their attempt runs the same query: neither the answer, the
delay nor the time taken tells which names exist.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from etl.access import audit as audit_rows
from etl.warehouse import db

FREE_ATTEMPTS = 3
THROTTLE_FIRST = timedelta(seconds=30)
THROTTLE_MAX = timedelta(minutes=15)
SPRAY_WINDOW = timedelta(minutes=15)
SPRAY_FAILURES = 10
SPRAY_DELAY = 2.0  # seconds
ADDRESS_FAILURES = 10
ADDRESS_WINDOW = timedelta(minutes=15)
LOCK_WAIT = 10.0  # seconds an attempt waits for another process reading the file (users list)
# the actions of login_attempts (schema.sql's CHECK); a session the browser's cookie brought back
# (a reload, a new tab) is a login without the password, RESUMED
RESUMED = "login_resumed"
ACTIONS = ("login", "login_failed", RESUMED)
RESUMED_DETAIL_VN = "Mở lại phiên đã đăng nhập (tải lại trang hoặc mở thẻ mới)"
# Sessions of the dashboard open and close the file in threads of one process: DuckDB's
# registry of open files once refused an open while another thread closed the file ("Unique file
# handle conflict", seen by bench_sessions), and two threads creating the schema of a new file
# conflict, so opening (with the schema) and closing take turns.
_handles = threading.Lock()
_SQL = Path(__file__).parents[1] / "warehouse" / "sql" / "logins"
_DDL = (_SQL / "schema.sql").read_text(encoding="utf-8")
_VERDICT = (_SQL / "verdict.sql").read_text(encoding="utf-8")


def path_for(warehouse: str | os.PathLike | None = None) -> Path:
    """`<warehouse stem>.logins.duckdb` beside the warehouse (db.db_path rules)."""
    source = db.db_path(warehouse)
    return source.with_name(source.stem + ".logins.duckdb")


def connect(warehouse: str | os.PathLike | None = None, *, wait: float = LOCK_WAIT) -> duckdb.DuckDBPyConnection:
    """A connection to the login file (created when absent), waiting up to `wait` seconds while
    another process has it open; db.WarehouseBusy after that. Always read-write: DuckDB refuses
    a read-only and a writable connection to one file within a process."""
    path = path_for(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline, delay = time.monotonic() + wait, 0.02
    while True:
        try:
            with _handles:  # the schema too: two threads creating it at once conflict
                con = duckdb.connect(str(path))
                try:
                    con.execute(_DDL)
                    _widen(con)
                except BaseException:
                    con.close()
                    raise
            break
        except duckdb.ResourceInUseException:  # the race _handles is for, should it happen still
            if time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            continue
        except duckdb.IOException as err:
            if not db._locked(err):
                raise
            if time.monotonic() >= deadline:
                raise db.WarehouseBusy(f"Tệp nhật ký đăng nhập {path.name} đang được một tiến trình khác mở. "
                                       "Hãy thử lại sau ít giây.") from err
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
    return con


def _widen(con) -> None:
    """A file from before RESUMED (its sessions were 'login' rows told apart by their detail only):
    the table made again with the wider CHECK, its rows in their order, those sessions under their
    own action. DuckDB cannot change a CHECK in place; one transaction, so a failure changes nothing."""
    table = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'login_attempts'").fetchone()[0]
    if RESUMED in table:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("ALTER TABLE login_attempts RENAME TO login_attempts_narrow")
        con.execute(_DDL)
        con.execute("INSERT INTO login_attempts SELECT \"at\", account, CASE WHEN action = 'login' AND detail = ? "
                    "THEN ? ELSE action END, reason, client, detail FROM login_attempts_narrow ORDER BY rowid",
                    [RESUMED_DETAIL_VN, RESUMED])
        con.execute("DROP TABLE login_attempts_narrow")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@contextmanager
def opened(warehouse: str | os.PathLike | None = None, *, wait: float = LOCK_WAIT):
    """`connect`, closed when the block ends: the file stays free for other processes."""
    con = connect(warehouse, wait=wait)
    try:
        yield con
    finally:
        with _handles:
            con.close()


def record(con, action: str, reason: str, *, account: str | None, client: str | None, detail: str | None = None,
           at: datetime | None = None) -> None:
    """Append one attempt: action 'login' or RESUMED (reason 'ok'), or 'login_failed' (why in `reason`)."""
    con.execute('INSERT INTO login_attempts ("at", account, action, reason, client, detail) VALUES (?,?,?,?,?,?)',
                [at or datetime.now(), account, action, reason, client, detail])


def throttle_for(failures: int) -> timedelta | None:
    """How long a client waits after `failures` wrong passwords in a row (None: not at all)."""
    if failures <= FREE_ATTEMPTS:
        return None
    return min(THROTTLE_FIRST * 2 ** min(failures - FREE_ATTEMPTS - 1, 20), THROTTLE_MAX)


@dataclass(frozen=True)
class Verdict:
    """What the slow-down says about an attempt, before the password is checked."""
    in_a_row: int  # wrong passwords in a row from this client
    until: datetime | None  # this client may not try this account (or name) again before then
    delay: float  # seconds to wait before the check (a spray on the account), in `queue`
    address_until: datetime | None = None  # this client's address may not try again before then

    @property
    def refused_until(self) -> datetime | None:
        """When the first of the client's and the address's waits ends (None: no wait)."""
        return max((t for t in (self.until, self.address_until) if t is not None), default=None)


# Names that are no account: their failed attempts (time, client), by a keyed hash that lives
# only in memory.
_SECRET = secrets.token_bytes(32)
_unknown: dict[bytes, deque] = {}
_unknown_lock = threading.Lock()
_UNKNOWN_KEYS = 10_000  # an attacker's random names cannot grow this without bound
_UNKNOWN_KEPT = 64  # failed attempts kept per name: more only keep the longest wait
_QUEUES = [threading.Lock() for _ in range(64)]  # by name: sprayed names wait one attempt at a time


def _unknown_key(name: str) -> bytes:
    return hmac.new(_SECRET, name.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()


def note_unknown(name: str, client: str | None, now: datetime) -> None:
    """Count a failed attempt on a name that is no account (see `verdict`)."""
    with _unknown_lock:
        if len(_unknown) >= _UNKNOWN_KEYS:
            for key in [k for k, q in _unknown.items() if not q or q[-1][0] < now - THROTTLE_MAX] or list(_unknown)[:1]:
                del _unknown[key]
        _unknown.setdefault(_unknown_key(name), deque(maxlen=_UNKNOWN_KEPT)).append((now, client))


def address(client: str | None) -> str | None:
    """The address part of a client (ui.auth.client: '<address> #<browser hash>')."""
    return client.split(" #", 1)[0] if client else None


def verdict(con, account: str | None, name: str, client: str | None, since: datetime | None,
            now: datetime) -> Verdict:
    """The slow-down for an attempt on `account` (None: `name` is no account) from `client`,
    counting the rows after `since` (when the account's password was set)."""
    n, last, recent, known, address_nth = con.execute(_VERDICT, {
        "account": account or name, "client": client, "since": since or datetime.min, "window": now - SPRAY_WINDOW,
        "address": address(client), "address_window": now - ADDRESS_WINDOW, "nth": ADDRESS_FAILURES}).fetchone()
    if account is None:  # no row names it: its failures are in memory
        with _unknown_lock:
            failures = list(_unknown.get(_unknown_key(name), ()))
        mine = [t for t, c in failures if c == client]
        n, last, known = len(mine), max(mine, default=None), False
        recent = sum(t >= now - SPRAY_WINDOW for t, _ in failures)
    wait = throttle_for(n)
    until = last + wait if wait is not None and last + wait > now else None
    address_until = address_nth + ADDRESS_WINDOW if address_nth is not None else None
    return Verdict(n, until, SPRAY_DELAY if recent >= SPRAY_FAILURES and not known else 0.0,
                   address_until if address_until is not None and address_until > now else None)


@contextmanager
def queue(name: str):
    """Held while a sprayed name's attempt waits and is checked: one at a time per name (and
    the few names sharing its lock), within this process."""
    lock = _QUEUES[_unknown_key(name)[0] % len(_QUEUES)]
    with lock:
        yield


def _as_time(since) -> datetime | None:
    if since is None or isinstance(since, datetime):
        return since
    return datetime.combine(since, datetime.min.time()) if isinstance(since, date) else since


def audit(con, since=None, limit: int = 1000, *, actions=None, account: str | None = None) -> list[dict]:
    """The newest attempts first, as etl.access.audit.audit gives its rows (the client in the detail)."""
    if actions and not set(ACTIONS) & set(actions):
        return []
    select = ("SELECT \"at\", account, action, NULL, NULL, concat_ws(' · ', detail, 'từ ' || client) "
              "FROM login_attempts")
    return audit_rows.newest(con, select, _as_time(since), limit, actions, account)


def count(con, since=None, *, actions, account: str | None = None) -> int:
    """How many attempts `audit` would give without its limit."""
    where, params = audit_rows.narrowed(_as_time(since), actions, account)
    return con.execute("SELECT count(*) FROM login_attempts" + where, params).fetchone()[0]


def last_logins(con) -> dict[str, datetime]:
    """Each account's last successful login, or session brought back by the browser's cookie."""
    return dict(con.execute("SELECT account, max(\"at\") FROM login_attempts WHERE reason = 'ok'"
                            " GROUP BY account").fetchall())
