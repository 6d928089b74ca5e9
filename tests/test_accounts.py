"""Accounts: schema version 2 migrates a version-1 warehouse, passwords exist only as
argon2id hashes, logins read the accounts and write only the login file beside the warehouse,
repeated failures throttle per client (and slow down under a spray), role rules, and `python -m
etl users`.

An argon2 hash costs tens of milliseconds (19 MiB, on purpose): tests keep their count low."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from builders import monthly_book, registry_book, write_book
from etl.access import accounts, audit, logins
from etl.access.accounts import Account, AccountError, can, visible_communes
from etl.ingest.load import load_paths
from etl.warehouse import db

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2024, 3, 1, 8, 0)


def later(seconds: float = 60) -> datetime:
    """A moment after now (so after the accounts' passwords were set), to the second."""
    return datetime.now().replace(microsecond=0) + timedelta(seconds=seconds)


@pytest.fixture
def con(tmp_path):
    """A warehouse file holding the builders' unit registry (communes X01..X05)."""
    con = db.connect(tmp_path / "w.duckdb")
    [r] = load_paths(con, [write_book(tmp_path / "registry.xlsx", registry_book())])
    assert r.status == "loaded"
    yield con
    con.close()


@pytest.fixture
def log(tmp_path):
    """The login file beside that warehouse (etl.access.logins)."""
    con = logins.connect(tmp_path / "w.duckdb")
    yield con
    con.close()


@pytest.fixture
def authenticate(con, log):
    """accounts.authenticate on the warehouse's accounts and its login file."""
    def _authenticate(name, password, **kwargs):
        return accounts.authenticate(con, log, name, password, **kwargs)
    return _authenticate


def attempts(log) -> list[tuple]:
    return [(r["action"], r["account"], r["detail"]) for r in reversed(logins.audit(log))]


def test_version_1_warehouse_migrates_to_2_keeping_its_data(tmp_path):
    path = tmp_path / "old.duckdb"
    con = db.connect(path)
    load_paths(con, [write_book(tmp_path / "r.xlsx", registry_book()), write_book(tmp_path / "m.xlsx", monthly_book())])
    # Make it exactly what version 1 wrote: schema.sql and the views, no version-2 tables.
    con.execute("DROP TABLE accounts; DROP TABLE audit_log;"
                "UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    before = con.execute("SELECT * FROM branch_meetings ORDER BY ALL").fetchall()
    tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "accounts" not in tables and "audit_log" not in tables
    con.close()

    con = db.connect(path)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(db.SCHEMA_VERSION),)
    assert con.execute("SELECT * FROM branch_meetings ORDER BY ALL").fetchall() == before
    assert len(before) == 4
    assert accounts.list_users(con) == [] and audit.audit(con) == []
    accounts.add_user(con, "thuongtruc", "xem", password="mat-khau-dai-1")
    con.close()
    con = db.connect(path)  # and a second open changes nothing
    assert [a.name for a in accounts.list_users(con)] == ["thuongtruc"]
    con.close()


def test_add_user_returns_a_generated_password_stored_only_as_argon2id(con, authenticate):
    pw = accounts.add_user(con, " Nguyen.Van.A ", "ban_to_chuc")
    assert len(pw) == accounts.GENERATED_LENGTH and pw != accounts.add_user(con, "b2", "xem")
    [stored] = con.execute("SELECT password_hash FROM accounts WHERE name = 'nguyen.van.a'").fetchone()
    assert stored.startswith("$argon2id$") and pw not in stored
    users = accounts.list_users(con)
    assert [(u.name, u.role, u.commune) for u in users] == [("b2", "xem", None), ("nguyen.van.a", "ban_to_chuc", None)]
    assert not any(getattr(u, "password_hash", None) for u in users)
    assert "$argon2" not in repr(users)
    assert authenticate("NGUYEN.VAN.A", pw).name == "nguyen.van.a"


@pytest.mark.parametrize("name, role, commune, fragment", [
    ("xa1", "xa", None, "phải gắn với một đảng bộ"),
    ("xa1", "xa", "X99", "Không có đảng bộ mã 'X99'"),
    ("ba1", "ban_to_chuc", "X01", "Chỉ tài khoản vai trò 'xa'"),
    ("ba1", "chu_tich", None, "Vai trò 'chu_tich' không hợp lệ"),
    ("a b", "xem", None, "không hợp lệ"),
    ("x", "xem", None, "không hợp lệ"),
])
def test_add_user_refusals(con, name, role, commune, fragment):
    with pytest.raises(AccountError, match=fragment):
        accounts.add_user(con, name, role, commune)
    assert accounts.list_users(con) == []


def test_passwords_too_short_or_equal_to_the_name_are_refused(con):
    with pytest.raises(AccountError, match="ít nhất 10"):
        accounts.add_user(con, "ba1", "ban_to_chuc", password="ngan")
    with pytest.raises(AccountError, match="trùng với tên"):
        accounts.add_user(con, "thuongtruc", "xem", password="ThuongTruc")
    assert accounts.list_users(con) == []
    with pytest.raises(AccountError, match="Không có tài khoản"):
        accounts.set_password(con, "nobody", "mat-khau-dai-1")


@pytest.mark.parametrize("password", ["matkhau@2026", "Mật khẩu 123456", "MAT-KHAU_2026!", "qwertyuiop",
                                      "1234567890", "0987.654.321", "ababababab", "2026quantri!", "Bảo Lâm 2026!!"])
def test_common_passwords_and_their_variants_are_refused(con, password):
    accounts.add_user(con, "quantri", "quan_tri")
    with pytest.raises(AccountError, match="quá dễ đoán"):
        accounts.set_password(con, "quantri", password)
    with pytest.raises(AccountError, match="quá dễ đoán"):
        accounts.add_user(con, "ba1", "ban_to_chuc", password=password)


def test_a_long_phrase_or_a_generated_password_is_accepted(con):
    accounts.add_user(con, "ba1", "ban_to_chuc", password="mây trắng bay qua cầu 27")
    assert not accounts.guessable(accounts.generate_password())


def test_xa_account_is_bound_to_its_commune_code(con):
    accounts.add_user(con, "locngai", "xa", "x01", password="mat-khau-dai-1")
    [a] = accounts.list_users(con)
    assert (a.role, a.commune) == ("xa", "X01")


def test_repeated_failures_throttle_the_client_only_and_a_correct_password_resets(con, log, authenticate):
    pw = accounts.add_user(con, "ba1", "ban_to_chuc")
    t0, here, there = later(), "203.0.113.5 #aaaa", "198.51.100.7 #bbbb"
    at = lambda s: t0 + timedelta(seconds=s)  # noqa: E731
    assert [authenticate("ba1", "sai-mat-khau-0", client=here, now=at(0)) for _ in range(3)] == [None] * 3
    assert logins.verdict(log, "ba1", "ba1", here, None, at(0)).until is None
    assert authenticate("ba1", "sai-mat-khau-0", client=here, now=at(0)) is None  # 4th: 30 s
    assert logins.verdict(log, "ba1", "ba1", here, None, at(1)) == logins.Verdict(4, at(30), 0.0)
    # While this client is throttled even the right password fails from it, and does not count...
    assert authenticate("ba1", pw, client=here, now=at(29)) is None
    assert logins.verdict(log, "ba1", "ba1", here, None, at(29)).in_a_row == 4
    # ...but the account is not locked: the right password signs in from another client.
    assert authenticate("ba1", pw, client=there, now=at(29)).name == "ba1"
    assert authenticate("ba1", "sai-mat-khau-0", client=here, now=at(31)) is None  # 5th: 60 s
    assert logins.verdict(log, "ba1", "ba1", here, None, at(32)).until == at(91)
    ok = authenticate("ba1", pw, client=here, now=at(92))
    assert ok == Account("ba1", "ban_to_chuc", None, False, ok.created_at, ok.password_set_at)
    assert logins.verdict(log, "ba1", "ba1", here, None, at(93)).in_a_row == 0  # reset for this client
    on_this = "lần liên tiếp trên máy này"
    assert attempts(log) == [("login_failed", "ba1", f"Sai mật khẩu ({n} {on_this}) · từ {here}") for n in (1, 2, 3, 4)] + [
        ("login_failed", "ba1", f"Đang tạm khóa trên máy này do nhập sai nhiều lần (đến {at(30):%H:%M:%S}) · từ {here}"),
        ("login", "ba1", f"từ {there}"),
        ("login_failed", "ba1", f"Sai mật khẩu (5 {on_this}) · từ {here}"),
        ("login", "ba1", f"từ {here}")]
    assert con.execute("SELECT count(*) FROM audit_log WHERE action LIKE 'login%'").fetchone() == (0,)


def test_a_wrong_guess_every_quarter_hour_never_locks_the_owner_out(con, authenticate):
    """Regression: the slow-down used to throttle the account itself, so a stranger's one wrong
    guess every 15 minutes kept the administrator out for good."""
    pw = accounts.add_user(con, "quantri", "quan_tri")
    t0 = later()
    for i in range(8):
        when = t0 + timedelta(minutes=15 * i)
        assert authenticate("quantri", "doan-mo-mat-khau", client="198.51.100.66 #dddd", now=when) is None
        assert authenticate("quantri", pw, client="192.0.2.10 #owner", now=when + timedelta(seconds=1)).name == "quantri"


def test_throttle_grows_and_is_capped():
    waits = [logins.throttle_for(n) for n in range(1, 12)]
    assert waits[:3] == [None] * 3
    assert [w.total_seconds() for w in waits[3:]] == [30, 60, 120, 240, 480, 900, 900, 900]
    assert logins.throttle_for(10**6) == logins.THROTTLE_MAX


def test_a_spray_from_many_clients_slows_every_attempt_but_lets_the_right_password_in(con, authenticate):
    pw = accounts.add_user(con, "ba1", "ban_to_chuc")
    t0 = later()
    waited = []
    authenticate("ba1", pw, client="owner", now=t0)  # the owner's browser, signed in before
    for i in range(logins.SPRAY_FAILURES):  # one guess each from many clients: none is throttled
        assert authenticate("ba1", f"doan-{i}-mat-khau", client=f"10.0.0.{i} #x", now=t0, sleep=waited.append) is None
    assert waited == []
    assert authenticate("ba1", "doan-nua-mat-khau", client="10.0.1.1 #x", now=t0, sleep=waited.append) is None
    assert authenticate("ba1", pw, client="10.0.1.2 #x", now=t0, sleep=waited.append).name == "ba1"
    assert waited == [logins.SPRAY_DELAY] * 2  # every attempt waits, the right one gets in after it
    assert authenticate("ba1", pw, client="owner", now=t0, sleep=waited.append).name == "ba1"
    assert len(waited) == 2  # a client that signed in since the password was set does not wait
    # a name that is no account waits just the same after as many failures: the delay tells nothing
    for i in range(logins.SPRAY_FAILURES):
        authenticate("khong-co-ai", f"doan-{i}", client=f"10.0.2.{i} #x", now=t0, sleep=waited.append)
    assert len(waited) == 2
    authenticate("khong-co-ai", "doan-nua", client="10.0.3.1 #x", now=t0, sleep=waited.append)
    assert waited == [logins.SPRAY_DELAY] * 3
    # the spray window passes: no more delay
    assert authenticate("ba1", pw, client="10.0.9.9 #x", now=t0 + logins.SPRAY_WINDOW + timedelta(seconds=1),
                        sleep=waited.append).name == "ba1"
    assert len(waited) == 3


def test_a_new_browser_does_not_reset_the_budget_of_its_address(con, log, authenticate):
    """Regression: the budget was per account and client, where the client includes the browser
    (User-Agent): a new one each try allowed about 1,800 guesses an hour. An address now has
    ADDRESS_FAILURES failed attempts per ADDRESS_WINDOW, over every account and name."""
    pw = accounts.add_user(con, "ba1", "ban_to_chuc")
    t0 = later()
    for i in range(logins.ADDRESS_FAILURES):  # a new browser each time: no client is throttled
        name = "ba1" if i % 2 else f"khong-co-{i}"
        assert authenticate(name, f"doan-{i}-mat-khau", client=f"203.0.113.5 #{i:04x}", now=t0 + timedelta(seconds=i)) is None
    verdict = logins.verdict(log, "ba1", "ba1", "203.0.113.5 #ffff", None, t0 + timedelta(seconds=20))
    assert verdict.until is None and verdict.address_until == t0 + logins.ADDRESS_WINDOW
    # the right password from that address is refused until then, from elsewhere it signs in
    assert authenticate("ba1", pw, client="203.0.113.5 #ffff", now=t0 + timedelta(seconds=20)) is None
    assert authenticate("ba1", pw, client="198.51.100.7 #owner", now=t0 + timedelta(seconds=21)).name == "ba1"
    [refused] = [r for r in logins.audit(log) if r["detail"].startswith("Đang tạm khóa")]
    assert refused["detail"].startswith("Đang tạm khóa trên địa chỉ 203.0.113.5 do nhập sai nhiều lần")
    later_on = t0 + logins.ADDRESS_WINDOW + timedelta(seconds=1)
    assert authenticate("ba1", pw, client="203.0.113.5 #ffff", now=later_on).name == "ba1"  # the window passed


def test_a_name_that_is_no_account_is_slowed_down_as_an_account_is(con, log, authenticate):
    """Regression: wrong passwords on a name that is no account were never throttled, so the
    throttle told which names exist. Both now wait alike."""
    accounts.add_user(con, "ba1", "ban_to_chuc")
    t0 = later()
    seen = {}
    for name in ("ba1", "khong-co-ai"):
        seen[name] = []
        for i in range(6):
            now = t0 + timedelta(minutes=20 * i)  # past the address window: the client's own budget
            authenticate(name, f"doan-{i}-mat-khau", client="198.51.100.9 #aaaa", now=now)
            verdict = logins.verdict(log, "ba1" if name == "ba1" else None, name, "198.51.100.9 #aaaa", None, now)
            seen[name].append((verdict.in_a_row, verdict.until and verdict.until - now))
    assert seen["khong-co-ai"] == seen["ba1"]
    assert [w for _, w in seen["ba1"]][-1] == logins.throttle_for(6)


def test_a_login_reads_the_accounts_and_writes_only_the_login_file(con, tmp_path):
    pw = accounts.add_user(con, "ba1", "ban_to_chuc")
    con.execute("CHECKPOINT")
    path = tmp_path / "w.duckdb"
    con.close()
    before = path.stat().st_mtime_ns, sorted(p.name for p in tmp_path.iterdir())
    reader = db.connect(path, read_only=True)  # as the dashboard's read copy
    try:
        with logins.opened(path) as log:
            assert accounts.authenticate(reader, log, "ba1", "sai-mat-khau-0") is None
            assert accounts.authenticate(reader, log, "ba1", pw).name == "ba1"
    finally:
        reader.close()
    assert path.stat().st_mtime_ns == before[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before[1] + ["w.logins.duckdb"])
    with logins.opened(path) as log:  # and the rows survive: a new connection reads them
        assert [r["action"] for r in logins.audit(log)] == ["login", "login_failed"]


def test_a_login_file_from_before_resumed_sessions_keeps_its_rows_and_names_them(tmp_path):
    """Files written before logins.RESUMED: the wider CHECK, every row in its order, the sessions
    the cookie brought back (until then 'login' rows with their detail) under their own action."""
    path = tmp_path / "w.logins.duckdb"
    old = duckdb.connect(str(path))
    old.execute("""CREATE TABLE login_attempts ("at" TIMESTAMP NOT NULL, account VARCHAR,
        action VARCHAR NOT NULL CHECK (action IN ('login', 'login_failed')),
        reason VARCHAR NOT NULL CHECK (reason IN ('ok', 'wrong', 'throttled', 'disabled', 'unknown')),
        client VARCHAR, detail VARCHAR)""")
    t = datetime(2026, 11, 30, 8, 0)
    written = [(t, "ba1", "login_failed", "wrong", "a", None), (t, "ba1", "login", "ok", "a", None),
               (t, "ba1", "login", "ok", "a", logins.RESUMED_DETAIL_VN), (t, "tt", "login", "ok", "b", "khác")]
    old.executemany("INSERT INTO login_attempts VALUES (?, ?, ?, ?, ?, ?)", written)
    old.close()
    for _ in range(2):  # a second open finds nothing to do
        with logins.opened(tmp_path / "w.duckdb") as log:
            rows = [(r["action"], r["account"]) for r in reversed(logins.audit(log))]
            assert rows == [("login_failed", "ba1"), ("login", "ba1"), (logins.RESUMED, "ba1"), ("login", "tt")]
            assert logins.last_logins(log) == {"ba1": t, "tt": t}
    with logins.opened(tmp_path / "w.duckdb") as log:
        logins.record(log, logins.RESUMED, "ok", account="tt", client="b", detail=logins.RESUMED_DETAIL_VN)
        assert logins.count(log, actions=(logins.RESUMED,)) == 2
        assert logins.count(log, t, actions=(logins.RESUMED,), account="tt") == 1
        assert {name for (name,) in log.execute("SELECT table_name FROM duckdb_tables()").fetchall()} == {
            "login_attempts"}


def test_failed_logins_never_tell_which_of_name_or_password_was_wrong(con, log, authenticate):
    pw = accounts.add_user(con, "ba1", "ban_to_chuc")
    accounts.add_user(con, "cu", "xem", password="mat-khau-dai-1")
    accounts.disable(con, "cu")
    answers = {authenticate("khong-co", pw), authenticate("ba1", "sai-mat-khau-0"),
               authenticate("cu", "mat-khau-dai-1")}
    assert answers == {None}
    # The unknown name is not recorded: people type their password into the name box.
    rows = logins.audit(log, actions={"login_failed"})
    assert [r["account"] for r in rows] == ["cu", "ba1", None]
    assert all("khong-co" not in str(v) for r in rows for v in r.values())
    accounts.enable(con, "cu")
    assert authenticate("cu", "mat-khau-dai-1").name == "cu"


def test_set_password_replaces_the_old_one_and_lifts_throttling(con, log, authenticate):
    old = accounts.add_user(con, "ba1", "ban_to_chuc")
    for _ in range(5):
        authenticate("ba1", "sai-mat-khau-0")
    assert logins.verdict(log, "ba1", "ba1", None, None, datetime.now()).until is not None
    accounts.set_password(con, "ba1", "may-trang-bay-2024", by="quantri")
    assert authenticate("ba1", old) is None
    assert authenticate("ba1", "may-trang-bay-2024").name == "ba1"
    [row] = audit.audit(con, actions={"password_set"})
    assert (row["account"], row["detail"]) == ("quantri", "ba1")


def test_ensure_admin_only_on_first_run_with_a_random_password(con, authenticate):
    pw = accounts.ensure_admin(con)
    assert pw and len(pw) >= 16
    [admin] = accounts.list_users(con)
    assert (admin.name, admin.role) == (accounts.ADMIN_NAME, "quan_tri")
    assert accounts.ensure_admin(con) is None
    assert authenticate(accounts.ADMIN_NAME, pw) == accounts.list_users(con)[0]


def test_no_plaintext_password_anywhere_in_the_warehouse_file(tmp_path):
    path = tmp_path / "w.duckdb"
    con = db.connect(path)
    # Uncompressed storage, so a plaintext string would appear as its bytes: proven by CONTROL.
    con.execute("SET force_compression = 'uncompressed'")
    control = "CONTROL-string-7f3a9c"
    secrets = ["Mat-khau-bi-mat-2024", "Mat-khau-thu-hai-9931", "Mat-khau-da-go-sai-5577"]
    accounts.add_user(con, "ba1", "ban_to_chuc", password=secrets[0])
    generated = accounts.add_user(con, "tt", "xem")
    accounts.set_password(con, "tt", secrets[1])
    log = logins.connect(path)
    log.execute("SET force_compression = 'uncompressed'")
    accounts.authenticate(con, log, "ba1", secrets[2])  # a wrong password
    accounts.authenticate(con, log, secrets[2], secrets[2])  # a password typed into the name box
    accounts.authenticate(con, log, "ba1", secrets[0])
    audit.record(con, "export", detail=control)
    logins.record(log, "login", "ok", account="ba1", client=None, detail=control)
    # Every text column of every table of both files, through SQL...
    texts = []
    for c in (con, log):
        for (table,) in c.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            texts += [str(v) for row in c.execute(f"SELECT * FROM {table}").fetchall() for v in row]
    assert sum(control in t for t in texts) == 2
    for s in [*secrets, generated]:
        assert not any(s in t for t in texts), s
    for c in (con, log):
        c.execute("CHECKPOINT")
        c.close()
    # ...and the bytes of the files and their write-ahead logs.
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("w."))
    assert control.encode() in raw
    for s in [*secrets, generated]:
        assert s.encode() not in raw and s.encode("utf-16-le") not in raw, s


ROLE_TABLE = [  # role, action, commune, allowed
    ("xem", "view_all", None, True), ("xem", "view_commune", "X02", True), ("xem", "upload", None, False),
    ("xem", "upload_commune", "X01", False), ("xem", "export", None, False), ("xem", "confirm", None, False),
    ("xem", "manage_users", None, False), ("xem", "view_audit", None, False),
    ("ban_to_chuc", "view_all", None, True), ("ban_to_chuc", "upload", None, True),
    ("ban_to_chuc", "upload_commune", "X02", True), ("ban_to_chuc", "export", None, True),
    ("ban_to_chuc", "confirm", None, True), ("ban_to_chuc", "manage_users", None, False),
    ("ban_to_chuc", "view_commune", "X03", True), ("ban_to_chuc", "view_audit", None, True),
    ("quan_tri", "manage_users", None, True), ("quan_tri", "view_all", None, True),
    ("quan_tri", "upload", None, False), ("quan_tri", "export", None, False), ("quan_tri", "confirm", None, False),
    ("quan_tri", "view_commune", "X01", True), ("quan_tri", "upload_commune", "X01", False),
    ("quan_tri", "view_audit", None, True), ("xa", "view_audit", None, False),
    ("xa", "view_commune", "X01", True), ("xa", "view_commune", " x01 ", True), ("xa", "view_commune", "X02", False),
    ("xa", "view_commune", None, False), ("xa", "view_all", None, False), ("xa", "upload_commune", "X01", True),
    ("xa", "upload_commune", "X02", False), ("xa", "upload_commune", None, False), ("xa", "upload", None, False),
    ("xa", "export", None, False), ("xa", "confirm", None, False), ("xa", "manage_users", None, False),
]


@pytest.mark.parametrize("role, action, commune, allowed", ROLE_TABLE)
def test_role_rules(role, action, commune, allowed):
    account = Account("u", role, "X01" if role == "xa" else None)
    assert can(account, action, commune) is allowed
    assert can(Account("u", role, account.commune, disabled=True), action, commune) is False


def test_every_role_and_action_is_in_the_table():
    assert {(r, a) for r, a, _, _ in ROLE_TABLE} == {(r, a) for r in accounts.ROLES for a in accounts.ACTIONS}


def test_no_account_may_do_nothing_and_unknown_actions_are_a_bug():
    assert not any(can(None, a) for a in accounts.ACTIONS)
    with pytest.raises(ValueError):
        can(Account("u", "quan_tri"), "delete_everything")


def test_visible_communes():
    codes = ["X01", "X02", "X03"]
    assert visible_communes(Account("u", "xem"), codes) == codes
    assert visible_communes(Account("u", "xa", "X02"), codes) == ["X02"]
    assert visible_communes(Account("u", "xa", "X09"), codes) == []
    assert visible_communes(Account("u", "xa", "X02", disabled=True), codes) == []
    assert visible_communes(None, codes) == []


def etl(*args, stdin=None):
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_DB"}
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def test_users_command_line(tmp_path):
    path = tmp_path / "w.duckdb"
    con = db.connect(path)
    load_paths(con, [write_book(tmp_path / "r.xlsx", registry_book())])
    con.close()
    db_arg = ["--db", str(path)]
    assert etl("users", "list", *db_arg).stdout == "Chưa có tài khoản nào.\n"
    p = etl("users", "add", "LocNgai", "--role", "xa", "--commune", "X01", *db_arg)
    assert p.returncode == 0, p.stderr
    pw = p.stdout.strip().rsplit(" ", 1)[-1]
    assert "Đã tạo tài khoản locngai (Đảng bộ xã)" in p.stdout and len(pw) == accounts.GENERATED_LENGTH
    p = etl("users", "add", "locngai", "--role", "xem", *db_arg)
    assert (p.returncode, p.stderr) == (1, "Tài khoản 'locngai' đã có.\n")
    assert etl("users", "add", "x2", "--role", "admin", *db_arg).returncode == 2  # argparse: usage error
    listing = etl("users", "list", *db_arg).stdout
    assert "locngai" in listing and "X01" in listing and "hoạt động" in listing and pw not in listing
    p = etl("users", "set-password", "locngai", "--password-stdin", *db_arg, stdin="may-trang-bay-2024\n")
    assert p.returncode == 0, p.stderr
    p = etl("users", "set-password", "locngai", "--password-stdin", *db_arg, stdin="ngan\n")
    assert p.returncode == 1 and "ít nhất 10" in p.stderr
    p = etl("users", "set-password", "locngai", "--password-stdin", *db_arg, stdin="Mật khẩu 2026!\n")
    assert p.returncode == 1 and "quá dễ đoán" in p.stderr
    assert etl("users", "disable", "locngai", *db_arg).returncode == 0
    assert "đã khóa" in etl("users", "list", *db_arg).stdout
    assert etl("users", "disable", "khong-co", *db_arg).returncode == 1
    con = db.connect(path)
    with logins.opened(path) as log:
        assert accounts.authenticate(con, log, "locngai", "may-trang-bay-2024") is None  # disabled
        accounts.enable(con, "locngai")
        assert accounts.authenticate(con, log, "locngai", "may-trang-bay-2024").commune == "X01"
        assert [r["action"] for r in reversed(logins.audit(log))] == ["login_failed", "login"]
    assert [r["action"] for r in reversed(audit.audit(con))] == [
        "load", "user_add", "password_set", "user_disable", "user_enable"]
    con.close()
    assert f"lần cuối: {datetime.now():%d/%m/%Y}" in etl("users", "list", *db_arg).stdout


def test_the_command_line_makes_its_files_and_folders_its_owners_only(tmp_path):
    """The warehouse, the login file and the folders made for them: 0600 and 0700, whatever the
    umask of the shell (022 here)."""
    path = tmp_path / "kho" / "moi" / "w.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_DB"}
    for args in (["add", "thuongtruc", "--role", "xem"], ["list"]):
        p = subprocess.run([sys.executable, "-m", "etl", "users", *args, "--db", str(path)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.umask(0o022))
        assert p.returncode == 0, p.stderr
    modes = {p.relative_to(tmp_path).as_posix(): p.stat().st_mode & 0o777 for p in (tmp_path / "kho").rglob("*")}
    modes["kho"] = (tmp_path / "kho").stat().st_mode & 0o777
    assert modes == {"kho": 0o700, "kho/moi": 0o700, "kho/moi/w.duckdb": 0o600, "kho/moi/w.logins.duckdb": 0o600}


def test_the_login_file_opened_and_closed_from_many_threads(tmp_path, monkeypatch):
    """The dashboard's sessions open the login file in threads of one process; an open DuckDB
    refused once ("Unique file handle conflict") is tried again, and the threads lose nothing."""
    import threading

    path = tmp_path / "w.duckdb"
    real, refused = logins.duckdb.connect, []

    def connect_once_refused(*args, **kwargs):
        if not refused:
            refused.append(True)
            raise logins.duckdb.ResourceInUseException("Unique file handle conflict")
        return real(*args, **kwargs)

    monkeypatch.setattr(logins.duckdb, "connect", connect_once_refused)
    errors = []

    def attempts():
        for _ in range(20):
            try:
                with logins.opened(path) as con:
                    logins.record(con, "login", "ok", account="bantochuc", client="127.0.0.1")
            except Exception as err:  # noqa: BLE001
                errors.append(err)

    threads = [threading.Thread(target=attempts) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert refused and not errors
    with logins.opened(path) as con:
        assert con.execute("SELECT count(*) FROM login_attempts").fetchone()[0] == 120
