"""Accounts (issue 6): schema version 2 migrates a version-1 warehouse, passwords exist only as
argon2id hashes, repeated failures throttle, role rules, and `python -m etl users`.

An argon2 hash costs tens of milliseconds (19 MiB, on purpose): tests keep their count low."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from builders import monthly_book, registry_book, write_book
from etl import accounts, audit
from etl.accounts import Account, AccountError, authenticate, can, visible_communes
from etl.load import load_paths
from etl.warehouse import db

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2024, 3, 1, 8, 0)


@pytest.fixture
def con(tmp_path):
    """A warehouse file holding the builders' unit registry (communes X01..X05)."""
    con = db.connect(tmp_path / "w.duckdb")
    [r] = load_paths(con, [write_book(tmp_path / "registry.xlsx", registry_book())])
    assert r.status == "loaded"
    yield con
    con.close()


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


def test_add_user_returns_a_generated_password_stored_only_as_argon2id(con):
    pw = accounts.add_user(con, " Nguyen.Van.A ", "ban_to_chuc")
    assert len(pw) == accounts.GENERATED_LENGTH and pw != accounts.add_user(con, "b2", "xem")
    [stored] = con.execute("SELECT password_hash FROM accounts WHERE name = 'nguyen.van.a'").fetchone()
    assert stored.startswith("$argon2id$") and pw not in stored
    users = accounts.list_users(con)
    assert [(u.name, u.role, u.commune) for u in users] == [("b2", "xem", None), ("nguyen.van.a", "ban_to_chuc", None)]
    assert not any(getattr(u, "password_hash", None) for u in users)
    assert "$argon2" not in repr(users)
    assert authenticate(con, "NGUYEN.VAN.A", pw, now=T0).name == "nguyen.van.a"


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


def test_xa_account_is_bound_to_its_commune_code(con):
    accounts.add_user(con, "locngai", "xa", "x01", password="mat-khau-dai-1")
    [a] = accounts.list_users(con)
    assert (a.role, a.commune) == ("xa", "X01")


def test_repeated_failures_throttle_and_a_correct_password_resets(con):
    pw = accounts.add_user(con, "ba1", "ban_to_chuc")
    assert [authenticate(con, "ba1", "sai-mat-khau-0", now=T0) for _ in range(accounts.FREE_ATTEMPTS)] == [None] * 3
    assert accounts.list_users(con)[0].throttled_until is None
    assert authenticate(con, "ba1", "sai-mat-khau-0", now=T0) is None  # 4th: 30 s
    [a] = accounts.list_users(con)
    assert (a.failed_attempts, a.throttled_until) == (4, T0 + timedelta(seconds=30))
    # While throttled even the right password fails, and the attempt does not count.
    assert authenticate(con, "ba1", pw, now=T0 + timedelta(seconds=29)) is None
    assert accounts.list_users(con)[0].failed_attempts == 4
    assert authenticate(con, "ba1", "sai-mat-khau-0", now=T0 + timedelta(seconds=31)) is None  # 5th: 60 s
    assert accounts.list_users(con)[0].throttled_until == T0 + timedelta(seconds=91)
    ok = authenticate(con, "ba1", pw, now=T0 + timedelta(seconds=92))
    assert ok == Account("ba1", "ban_to_chuc", None, False, ok.created_at, T0 + timedelta(seconds=92), 0, None)
    got = [(r["action"], r["account"], r["detail"]) for r in reversed(audit.audit(con, actions={"login", "login_failed"}))]
    assert got == [("login_failed", "ba1", f"Sai mật khẩu ({n} lần liên tiếp)") for n in (1, 2, 3, 4)] + [
        ("login_failed", "ba1", "Đang tạm khóa do nhập sai nhiều lần (đến 08:00:30)"),
        ("login_failed", "ba1", "Sai mật khẩu (5 lần liên tiếp)"),
        ("login", "ba1", None)]


def test_throttle_grows_and_is_capped():
    waits = [accounts.throttle_for(n) for n in range(1, 12)]
    assert waits[:3] == [None] * 3
    assert [w.total_seconds() for w in waits[3:]] == [30, 60, 120, 240, 480, 900, 900, 900]
    assert accounts.throttle_for(10**6) == accounts.THROTTLE_MAX


def test_failed_logins_never_tell_which_of_name_or_password_was_wrong(con):
    pw = accounts.add_user(con, "ba1", "ban_to_chuc")
    accounts.add_user(con, "cu", "xem", password="mat-khau-dai-1")
    accounts.disable(con, "cu")
    answers = {authenticate(con, "khong-co", pw, now=T0), authenticate(con, "ba1", "sai-mat-khau-0", now=T0),
               authenticate(con, "cu", "mat-khau-dai-1", now=T0)}
    assert answers == {None}
    # The unknown name is not recorded: people type their password into the name box.
    rows = audit.audit(con, actions={"login_failed"})
    assert [r["account"] for r in rows] == ["cu", "ba1", None]
    assert all("khong-co" not in str(v) for r in rows for v in r.values())
    accounts.enable(con, "cu")
    assert authenticate(con, "cu", "mat-khau-dai-1", now=T0).name == "cu"


def test_set_password_replaces_the_old_one_and_lifts_throttling(con):
    old = accounts.add_user(con, "ba1", "ban_to_chuc")
    for _ in range(5):
        authenticate(con, "ba1", "sai-mat-khau-0", now=T0)
    assert accounts.list_users(con)[0].throttled_until is not None
    accounts.set_password(con, "ba1", "mat-khau-moi-2024", by="quantri")
    assert authenticate(con, "ba1", old, now=T0) is None
    assert authenticate(con, "ba1", "mat-khau-moi-2024", now=T0).name == "ba1"
    [row] = audit.audit(con, actions={"password_set"})
    assert (row["account"], row["detail"]) == ("quantri", "ba1")


def test_ensure_admin_only_on_first_run_with_a_random_password(con):
    pw = accounts.ensure_admin(con)
    assert pw and len(pw) >= 16
    [admin] = accounts.list_users(con)
    assert (admin.name, admin.role) == (accounts.ADMIN_NAME, "quan_tri")
    assert accounts.ensure_admin(con) is None
    assert authenticate(con, accounts.ADMIN_NAME, pw, now=T0) == accounts.list_users(con)[0]


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
    authenticate(con, "ba1", secrets[2], now=T0)  # a wrong password
    authenticate(con, secrets[2], secrets[2], now=T0)  # a password typed into the name box
    authenticate(con, "ba1", secrets[0], now=T0)
    audit.record(con, "export", detail=control)
    # Every text column of every table, through SQL...
    texts = []
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
        texts += [str(v) for row in con.execute(f"SELECT * FROM {table}").fetchall() for v in row]
    assert any(control in t for t in texts)
    for s in [*secrets, generated]:
        assert not any(s in t for t in texts), s
    con.execute("CHECKPOINT")
    con.close()
    # ...and the bytes of the file and its write-ahead log.
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("w.duckdb"))
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
    p = etl("users", "set-password", "locngai", "--password-stdin", *db_arg, stdin="mat-khau-moi-2024\n")
    assert p.returncode == 0, p.stderr
    p = etl("users", "set-password", "locngai", "--password-stdin", *db_arg, stdin="ngan\n")
    assert p.returncode == 1 and "ít nhất 10" in p.stderr
    assert etl("users", "disable", "locngai", *db_arg).returncode == 0
    assert "đã khóa" in etl("users", "list", *db_arg).stdout
    assert etl("users", "disable", "khong-co", *db_arg).returncode == 1
    con = db.connect(path)
    assert authenticate(con, "locngai", "mat-khau-moi-2024") is None  # disabled
    accounts.enable(con, "locngai")
    assert authenticate(con, "locngai", "mat-khau-moi-2024").commune == "X01"
    assert [r["action"] for r in reversed(audit.audit(con))] == [
        "load", "user_add", "password_set", "user_disable", "login_failed", "user_enable", "login"]
    con.close()
