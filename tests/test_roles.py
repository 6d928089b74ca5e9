"""Login, sessions and role rules on the dashboard (ui/auth.py, dashboard.py, ui/data.py), on
the server side: AppTest sessions on private copies of the demo warehouse, the upload helpers
against a real warehouse file, and the command line's export. The rules themselves
(etl.access.accounts.can) are tested in test_accounts.py; here, that every page and action obeys them.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from builders import COVER, monthly_book, registry_book, write_book
from etl.access import accounts, audit, logins
from etl.access.accounts import Account
from etl.warehouse import db
from test_page_overview import expected_cards, scope, shown
from ui import auth, remember, upload
from ui import password as password_ui

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "mật khẩu đủ dài 2026"
OWN, OTHER = "BL04", "BL01"  # demo communes (conftest demo_db): Xã Lộc Lâm, Thị trấn Lộc Thắng


@pytest.fixture
def warehouse(demo_db, tmp_path) -> Path:
    """A private copy of the demo warehouse with one account of each role."""
    path = tmp_path / "kho" / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copyfile(demo_db, path)
    con = db.connect(path)
    for name, role, commune in [("bantochuc", "ban_to_chuc", None), ("thuongtruc", "xem", None),
                                ("quantri", "quan_tri", None), ("xa1", "xa", OWN)]:
        accounts.add_user(con, name, role, commune, PASSWORD)
    con.close()
    return path


def rows(path: Path, action: str) -> list[dict]:
    """The audit rows of `action`: login attempts from the login file beside the warehouse."""
    if action in logins.ACTIONS:
        with logins.opened(path) as con:
            return logins.audit(con, actions={action})
    with duckdb.connect(str(path), read_only=True) as con:
        return audit.audit(con, actions={action})


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login-name").input(name)
    at.text_input(key="login-password").input(password)
    return at.button[0].click().run()


def texts(at: AppTest) -> str:
    return "\n".join(e.value for kind in ("title", "markdown", "caption", "error", "warning", "info")
                     for e in getattr(at, kind))


# --- login ------------------------------------------------------------------------------------

def test_signed_out_sees_the_login_form_and_nothing_else(app, warehouse):
    at = app(warehouse, page=None, account=None)
    assert [t.value for t in at.title] == ["Đăng nhập"]
    assert not at.metric and not at.get("plotly_chart") and not at.dataframe
    assert not at.sidebar.multiselect  # no filters either


def test_right_password_signs_in_and_is_audited(app, warehouse, caplog, capsys):
    caplog.set_level("DEBUG")
    at = sign_in(app(warehouse, account=None), "BanToChuc ", PASSWORD)  # names compare as typed
    assert not at.exception
    assert at.title[0].value == "Tổng quan" and at.metric
    assert "bantochuc" in "".join(c.value for c in at.sidebar.caption)
    [row] = rows(warehouse, "login")
    assert row["account"] == "bantochuc"
    printed = capsys.readouterr()
    assert PASSWORD not in caplog.text + printed.out + printed.err  # no log line carries it


@pytest.mark.parametrize("name, password", [("bantochuc", "sai mật khẩu rồi"), ("khongco", PASSWORD)])
def test_a_wrong_name_or_password_gets_one_message(app, warehouse, name, password):
    at = sign_in(app(warehouse, account=None), name, password)
    assert [e.value for e in at.error] == [accounts.LOGIN_FAILED_VN]
    assert at.title[0].value == "Đăng nhập" and not at.metric
    assert len(rows(warehouse, "login_failed")) == 1 and not rows(warehouse, "login")


def test_a_login_writes_no_warehouse_and_forces_no_new_snapshot(app, warehouse):
    """Regression: each attempt wrote the warehouse, so anyone at the login form could make every
    session copy the whole warehouse again and miss every cache."""
    at = app(warehouse, account=None)  # the first run takes the snapshot
    snap = warehouse.with_name("warehouse.snapshot.duckdb")
    before = (warehouse.stat().st_mtime_ns, snap.stat().st_mtime_ns)
    sign_in(at, "bantochuc", "sai mật khẩu rồi")
    sign_in(at, "khongco", PASSWORD)
    at = sign_in(at, "bantochuc", PASSWORD)
    assert at.title[0].value == "Tổng quan"
    at.run()
    assert (warehouse.stat().st_mtime_ns, snap.stat().st_mtime_ns) == before
    assert len(rows(warehouse, "login_failed")) == 2 and len(rows(warehouse, "login")) == 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM audit_log WHERE action LIKE 'login%'").fetchone() == (0,)


def test_a_new_password_ends_the_sessions_signed_in_before_it(app, warehouse):
    at = sign_in(app(warehouse, account=None), "thuongtruc", PASSWORD)
    assert at.title[0].value == "Tổng quan"
    p = subprocess.run([sys.executable, "-m", "etl", "users", "set-password", "thuongtruc", "--password-stdin",
                        "--db", str(warehouse)], cwd=ROOT, input="mật khẩu mới dài 2027\n", capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    # the command refreshed the dashboard's read copy itself: no login checks the old password
    with duckdb.connect(str(warehouse.with_name("warehouse.snapshot.duckdb")), read_only=True) as con:
        assert accounts.lookup(con, "thuongtruc").password_set_at > at.session_state[auth.SIGNED_IN]
    at.run()  # the session's next click
    assert at.title[0].value == "Đăng nhập" and not at.metric
    assert [w.value for w in at.warning] == [auth.CHANGED_VN]
    assert sign_in(at, "thuongtruc", PASSWORD).title[0].value == "Đăng nhập"  # the old password is gone
    assert sign_in(at, "thuongtruc", "mật khẩu mới dài 2027").title[0].value == "Tổng quan"
    at.run()
    assert at.title[0].value == "Tổng quan"  # signed in after the change: the session lives


def test_first_run_creates_the_administrator_once_and_prints_its_password(app, demo_db, tmp_path, capsys):
    path = tmp_path / "first.duckdb"
    shutil.copyfile(demo_db, path)
    at = app(path, account=None)
    out = capsys.readouterr().out
    assert f"Tài khoản quản trị đầu tiên: {accounts.ADMIN_NAME}" in out
    password = out.split("mật khẩu: ")[1].split()[0]
    assert password not in texts(at)  # the console only, never the page
    assert "lần chạy đầu tiên" in texts(at)
    app(path, account=None)
    assert "Tài khoản quản trị đầu tiên" not in capsys.readouterr().out  # once
    at = sign_in(app(path, account=None), accounts.ADMIN_NAME, password)
    # the printed password opens nothing but the form that replaces it
    assert at.title[0].value == "Đổi mật khẩu" and not at.metric and not at.sidebar.multiselect
    at.switch_page("pages/nhat_ky.py").run()
    assert at.title[0].value == "Đổi mật khẩu"
    for first, again, refused in [("mây trắng bay qua cầu 27", "mây trắng bay qua cầu 28", password_ui.MISMATCH_VN),
                                  ("quantri@2026", "quantri@2026", accounts.GUESSABLE_VN),
                                  (password, password, accounts.SAME_PASSWORD_VN)]:
        change_password(at, first, again)
        assert at.title[0].value == "Đổi mật khẩu" and [e.value for e in at.error] == [refused]
    change_password(at, "mây trắng bay qua cầu 27", "mây trắng bay qua cầu 27")
    assert at.title[0].value == "Nhật ký hoạt động" and not at.exception
    at.run()
    assert at.title[0].value == "Nhật ký hoạt động"  # the session lives on with the new password
    assert [r["detail"] for r in rows(path, "password_set")] == [accounts.ADMIN_NAME]
    assert sign_in(app(path, account=None), accounts.ADMIN_NAME, password).title[0].value == "Đăng nhập"
    at = sign_in(app(path, account=None), accounts.ADMIN_NAME, "mây trắng bay qua cầu 27")
    assert at.title[0].value == "Tổng quan"


def change_password(at: AppTest, first: str, again: str) -> AppTest:
    at.text_input(key="new-password").input(first)
    at.text_input(key="new-password-again").input(again)
    return at.button(key="FormSubmitter:change-password-Đổi mật khẩu").click().run()


def test_an_existing_warehouse_keeps_its_accounts_signing_in_before_and_after_its_migration(app, warehouse):
    """A warehouse of schema version 3 (no must_change_password), as the dashboard's copy has it
    until a command opens the warehouse: its accounts sign in, and nobody is asked to change."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("ALTER TABLE accounts DROP COLUMN must_change_password;"
                    "UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    assert sign_in(app(warehouse, account=None), "quantri", PASSWORD).title[0].value == "Tổng quan"
    db.connect(warehouse).close()  # a command opens it: migrated
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert accounts.lookup(con, "quantri").must_change_password is False
    assert sign_in(app(warehouse, account=None), "quantri", PASSWORD).title[0].value == "Tổng quan"


def test_an_idle_session_expires(app, warehouse):
    at = app(warehouse)
    assert at.metric
    at.session_state["_seen"] = datetime.now() - timedelta(minutes=31)
    at.run()
    assert at.title[0].value == "Đăng nhập" and not at.metric
    assert any("hết hạn" in w.value for w in at.warning)


def test_a_session_ends_its_maximum_lifetime_after_the_sign_in_even_in_use(app, warehouse, browser_cookie):
    at = sign_in(app(warehouse, account=None), "thuongtruc", PASSWORD)
    token = at.session_state[auth.TOKEN]
    at.session_state[auth.SIGNED_IN] = datetime.now() - timedelta(hours=12, minutes=1)
    at.run()  # in use all along: the idle clock is fresh
    assert at.title[0].value == "Đăng nhập" and not at.metric
    assert [w.value for w in at.warning] == [auth.LIFETIME_VN.format(hours=12)]
    browser_cookie(token)
    assert app(warehouse, account=None).title[0].value == "Đăng nhập"  # a reload does not bring it back


def test_a_disabled_account_is_signed_out_at_its_next_click(app, warehouse):
    at = app(warehouse, account=Account("thuongtruc", "xem"))
    assert at.metric
    with db.connect(warehouse) as con:
        accounts.disable(con, "thuongtruc")
    at.run()
    assert at.title[0].value == "Đăng nhập"


def test_sign_out(app, warehouse):
    at = app(warehouse)
    at.button(key="logout").click().run()
    assert at.title[0].value == "Đăng nhập"
    assert any("Đã đăng xuất" in w.value for w in at.warning)


# --- a reload stays signed in (ui.remember) ----------------------------------------------------

@pytest.fixture
def browser_cookie(monkeypatch):
    """browser_cookie(token): the cookie the next AppTest session brings, as a reload would."""
    import streamlit as st

    def _set(token):
        monkeypatch.setattr(type(st.context), "cookies", property(lambda self: {remember.COOKIE: token}))
    return _set


def test_a_reload_brings_the_sign_in_back_and_a_sign_out_ends_it_in_every_tab(app, warehouse, browser_cookie):
    first = sign_in(app(warehouse, account=None), "thuongtruc", PASSWORD)
    token = first.session_state[auth.TOKEN]
    assert auth.STORE not in first.session_state  # handed to the browser in the run after the sign-in
    browser_cookie(token)
    reloaded = app(warehouse, page="kiem_tra", account=None)
    assert reloaded.title[0].value != "Đăng nhập" and "thuongtruc" in "".join(c.value for c in reloaded.sidebar.caption)
    assert reloaded.session_state[auth.SIGNED_IN] == first.session_state[auth.SIGNED_IN]
    # a reload is a login without the password, in the audit trail under its own action
    [resumed], [signed_in] = rows(warehouse, logins.RESUMED), rows(warehouse, "login")
    assert (resumed["account"], signed_in["account"]) == ("thuongtruc", "thuongtruc")
    assert resumed["at"] > signed_in["at"] and logins.RESUMED_DETAIL_VN in resumed["detail"]
    first.button(key="logout").click().run()
    assert first.title[0].value == "Đăng nhập"
    reloaded.run()  # the other tab's next click
    assert reloaded.title[0].value == "Đăng nhập" and [w.value for w in reloaded.warning] == [auth.ENDED_VN]
    assert app(warehouse, account=None).title[0].value == "Đăng nhập"  # the old cookie signs nobody in


def test_a_forged_or_unknown_cookie_signs_nobody_in(app, warehouse, browser_cookie):
    sign_in(app(warehouse, account=None), "bantochuc", PASSWORD)
    for forged in ("", "bantochuc", "x" * 43):
        browser_cookie(forged)
        assert app(warehouse, account=None).title[0].value == "Đăng nhập"


def test_a_reload_checks_the_account_again(app, warehouse, browser_cookie):
    """A cookie from before the account was disabled, or before its new password, signs nobody in."""
    for name, change in [("thuongtruc", lambda con: accounts.disable(con, "thuongtruc")),
                         ("quantri", lambda con: accounts.set_password(con, "quantri", "mật khẩu mới dài 2027"))]:
        browser_cookie(sign_in(app(warehouse, account=None), name, PASSWORD).session_state[auth.TOKEN])
        with db.connect(warehouse) as con:
            change(con)
        at = app(warehouse, account=None)
        assert at.title[0].value == "Đăng nhập" and not at.metric, name
    assert not rows(warehouse, logins.RESUMED)


def test_a_reload_the_audit_trail_cannot_record_signs_nobody_in(app, warehouse, browser_cookie, monkeypatch):
    browser_cookie(sign_in(app(warehouse, account=None), "bantochuc", PASSWORD).session_state[auth.TOKEN])

    def busy(*args, **kwargs):
        raise db.WarehouseBusy("bận")
    with monkeypatch.context() as m:
        m.setattr(logins, "opened", busy)
        at = app(warehouse, account=None)
    assert at.title[0].value == "Đăng nhập" and auth.LOGIN_BUSY_VN in [w.value for w in at.warning]
    at = app(warehouse, account=None)  # the file free again: the same cookie gets in, and is recorded
    assert at.title[0].value != "Đăng nhập"
    assert len(rows(warehouse, logins.RESUMED)) == 1


def test_a_run_from_another_connection_keeps_the_session_only_with_its_cookie(app, warehouse, browser_cookie,
                                                                             monkeypatch):
    """Streamlit gives a session to any websocket naming its id: a run on another connection keeps
    the sign-in only when it brings the session's cookie token from the same client (the browser's
    own reconnect). tests/test_server.py does the same with real websockets."""
    import streamlit as st

    def connection(key):
        monkeypatch.setattr(type(st.context), "headers", property(lambda self: {"Sec-WebSocket-Key": key}))
    connection("first")
    at = sign_in(app(warehouse, account=None), "thuongtruc", PASSWORD)
    browser_cookie(at.session_state[auth.TOKEN])
    connection("second")  # the browser's reconnect
    assert at.run().title[0].value == "Tổng quan"
    browser_cookie(None)
    connection("third")  # a stranger's websocket, no cookie
    at.run()
    assert at.title[0].value == "Đăng nhập" and [w.value for w in at.warning] == [auth.MOVED_VN]
    assert not rows(warehouse, logins.RESUMED)


def test_a_token_idle_too_long_is_forgotten():
    idle, t0 = timedelta(minutes=30), datetime(2026, 12, 4, 9, 0)
    token = remember.issue("bantochuc", t0, idle, now=t0)
    assert token not in remember._entries and len(token) >= 43  # only its hash is kept
    assert remember.resume(token, idle, t0 + timedelta(minutes=29)).name == "bantochuc"
    assert remember.resume(token, idle, t0 + timedelta(minutes=58), touch=False) is not None  # 29 min since use
    assert remember.resume(token, idle, t0 + timedelta(minutes=60)) is None  # 31 min: gone for good
    assert remember.resume(token, idle, t0 + timedelta(minutes=61)) is None


# --- a commune account sees its commune only ----------------------------------------------------

def test_a_commune_account_sees_only_its_commune_whatever_the_url_says(app, warehouse):
    at = app(warehouse, page="tong_quan", account=Account("xa1", "xa", OWN), dang_bo=OTHER)
    assert not at.exception
    assert not [m for m in at.sidebar.multiselect if m.key == "dang_bo"]  # no commune choice at all
    assert shown(at) == expected_cards(warehouse, scope(OWN))
    assert "Lộc Thắng" not in texts(at)  # the other commune's name appears nowhere


def probe():
    """An AppTest script: the indicator calls of a `xa` account through ui.data."""
    import streamlit as st

    from etl import indicators
    from etl.access.accounts import Account
    from ui import data

    st.session_state["_account"] = Account("xa1", "xa", "BL04")
    wide = indicators.Scope("2026-01", "2026-10", ("BL01", "BL02"))
    st.text(",".join(data.communes(wide)["commune_code"]))
    st.text(",".join(data.communes(indicators.Scope("2026-01", "2026-10"))["commune_code"]))
    for call in (lambda: data.meeting_details(wide, commune="BL01"),
                 lambda: data.submission_versions("BL01", "2026-03")):
        try:
            call()
            st.text("shown")
        except data.NoData as err:
            st.error(str(err))
    st.text(str(len(data.submission_versions("BL04", "2026-03"))))


def test_every_indicator_call_of_a_commune_account_is_narrowed(warehouse, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_DB", str(warehouse))
    at = AppTest.from_function(probe, default_timeout=60).run()
    assert not at.exception
    assert [t.value for t in at.text] == [OWN, OWN, "1"]
    assert len(at.error) == 2 and all("chỉ được xem số liệu của đảng bộ mình" in e.value for e in at.error)


def attention_probe():
    """An AppTest script: the attention list of one commune, for the account in session state,
    with no margin on the I5 rule (so the demo's Lộc Thắng, BL01, is below the all-commune share)."""
    import dataclasses

    import streamlit as st

    from etl import indicators
    from etl.settings import load_settings
    from ui import data

    settings = dataclasses.replace(load_settings(), attention_i5_margin_points=0)
    att = data.attention(indicators.Scope("2025-01", "2026-10", ("BL01",)), settings)
    for r in att.itertuples():
        st.text(f"{r.reason}: {r.message}")


@pytest.mark.parametrize("account, shown", [(Account("bantochuc", "ban_to_chuc"), True),
                                            (Account("xa_bl01", "xa", "BL01"), False)])
def test_a_commune_account_gets_no_figure_of_the_other_communes(warehouse, monkeypatch, account, shown):
    """Regression: the attention rule's I5 baseline is every commune's share, computed inside the
    indicator; a commune account read 'thấp hơn mức chung 95,4%' for its own commune."""
    monkeypatch.setenv("WAREHOUSE_DB", str(warehouse))
    at = AppTest.from_function(attention_probe, default_timeout=60)
    at.session_state["_account"] = account
    at.run()
    assert not at.exception
    lines = [t.value for t in at.text]
    assert any(line.startswith("i5_below:") and "mức chung 95,4%" in line for line in lines) is shown, lines
    assert any(line.startswith("behind_pace:") for line in lines)  # the commune's own reasons stay


MENU = {"xa": {"tai_bao_cao"}, "xem": set(), "ban_to_chuc": {"tai_bao_cao", "xuat_bao_cao", "nhat_ky"},
        "quan_tri": {"nhat_ky"}}


@pytest.mark.parametrize("role", sorted(MENU))
def test_each_role_gets_the_action_pages_it_may_use_and_no_other(app, warehouse, role):
    at = app(warehouse, account=Account("u1", role, OWN if role == "xa" else None))
    for script in ("tai_bao_cao", "xuat_bao_cao", "nhat_ky"):
        if script in MENU[role]:
            at.switch_page(f"pages/{script}.py").run()
            assert not at.exception and not at.error, (role, script)
        else:  # not in the menu: not a page of this session at all
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"pages/{script}.py")


def test_the_upload_page_shows_the_servers_warehouse_path_to_the_board_only(app, warehouse):
    board = app(warehouse, page="tai_bao_cao")
    commune = app(warehouse, page="tai_bao_cao", account=Account("xa1", "xa", OWN))
    assert str(warehouse) in texts(board)
    assert not commune.exception and str(warehouse) not in texts(commune) and "kho" in texts(commune)


def test_each_page_refuses_by_itself_when_reached(warehouse, monkeypatch):
    """Defence in depth: a page run outside dashboard.py's menu still checks the role."""
    monkeypatch.setenv("WAREHOUSE_DB", str(warehouse))
    for script in ("tai_bao_cao", "xuat_bao_cao", "nhat_ky"):
        at = AppTest.from_file(str(ROOT / "pages" / f"{script}.py"), default_timeout=60)
        at.session_state["_account"] = Account("thuongtruc", "xem")
        at.run()
        assert not at.exception
        assert [e.value for e in at.error][:1] and "không có quyền" in at.error[0].value
        assert not at.button and not at.dataframe


def test_the_board_reads_the_audit_page(app, warehouse):
    sign_in(app(warehouse, account=None), "khongco", PASSWORD)
    at = app(warehouse, page="nhat_ky")
    assert at.title[0].value == "Nhật ký hoạt động"
    table = at.dataframe[0].value
    assert {"Đăng nhập không thành công", "Tạo tài khoản"} <= set(table["Thao tác"])
    assert not table["Thao tác"].isin(["login", "user_add"]).any()


def test_the_audit_page_leaves_resumed_sessions_out_unless_asked_and_says_so(app, warehouse):
    sign_in(app(warehouse, account=None), "bantochuc", PASSWORD)
    with logins.opened(warehouse) as log:
        for _ in range(3):  # three reloads
            logins.record(log, logins.RESUMED, "ok", account="bantochuc", client="x",
                          detail=logins.RESUMED_DETAIL_VN)
    at = app(warehouse, page="nhat_ky")
    resumed = audit.ACTION_VN[logins.RESUMED]
    assert "Đăng nhập" in set(at.dataframe[0].value["Thao tác"])
    assert resumed not in set(at.dataframe[0].value["Thao tác"])
    assert any(f"Không hiện 3 lần {resumed.lower()}" in c.value for c in at.caption)
    at.multiselect(key="nk-thao-tac").set_value([logins.RESUMED]).run()
    assert list(at.dataframe[0].value["Thao tác"]) == [resumed] * 3
    assert not any("Không hiện" in c.value for c in at.caption)


# --- uploads: a commune account loads its own monthly reports only --------------------------------

@pytest.fixture
def accounts_file(warehouse_file) -> Path:
    """The upload tests' warehouse (the builders' registry) with a commune, a board and a viewer account."""
    con = db.connect(warehouse_file)
    for name, role, commune in [("xa1", "xa", "X01"), ("bantochuc", "ban_to_chuc", None), ("thuongtruc", "xem", None)]:
        accounts.add_user(con, name, role, commune, PASSWORD)
    con.close()
    return warehouse_file


def sha(content: bytes) -> str:
    import hashlib
    return hashlib.sha256(content).hexdigest()


def test_a_commune_account_cannot_load_another_communes_report(accounts_file, tmp_path):
    mine = write_book(tmp_path / "in" / "mine.xlsx", monthly_book("Lộc Ngãi", 3, 2024))
    theirs = write_book(tmp_path / "in" / "theirs.xlsx",
                        monthly_book("Lộc Quảng", 3, 2024, branches=["Chi bộ thôn 1", "Chi bộ thôn 2"]))
    registry = write_book(tmp_path / "in" / "registry.xlsx", registry_book())
    (tmp_path / "saved").mkdir()
    uploads = upload.save([(p.name, p.read_bytes()) for p in (mine, theirs, registry)], tmp_path / "saved")
    outcome = upload.check_and_load(uploads, accounts_file, account="xa1", commune="X01")
    assert outcome.error is None
    status = {f.file: f.status for f in outcome.files}
    assert status == {"mine.xlsx": "loaded", "theirs.xlsx": "rejected", "registry.xlsx": "rejected"}
    refused = [f for f in outcome.files if f.status == "rejected"]
    assert all(f.problems[0].code == "not_permitted" for f in refused)
    assert "chỉ được tải lên báo cáo tháng của chính đảng bộ mình" in refused[0].problems[0].message
    with duckdb.connect(str(accounts_file), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM loads WHERE kind = 'monthly'").fetchone()[0] == 1
        rows = audit.audit(con, actions={"load", "reject"}, account="xa1")
    # every upload leaves its row, under the name it was uploaded with and the hash of its bytes
    assert sorted((r["action"], r["file_name"], r["sha256"], r["detail"].split(" (")[0]) for r in rows) == [
        ("load", "mine.xlsx", sha(mine.read_bytes()), "Báo cáo tháng 3/2024, đảng bộ X01"),
        ("reject", "registry.xlsx", sha(registry.read_bytes()), "not_permitted"),
        ("reject", "theirs.xlsx", sha(theirs.read_bytes()), "not_permitted, unknown_branch")]


def test_uploads_refused_before_saving_are_audited_too(accounts_file, tmp_path, monkeypatch):
    report = write_book(tmp_path / "in" / "r.xlsx", monthly_book("Lộc Ngãi", 4, 2024)).read_bytes()
    monkeypatch.setattr(upload, "MAX_BYTES", len(report) + 10)
    monkeypatch.setattr(upload, "MAX_FILES", 3)
    files = [("Báo cáo T4.xlsx", report), ("danh sách.csv", b"a;b\n1;2\n"), ("to.xlsx", b"x" * (len(report) + 11)),
             ("thừa.xlsx", b"past the count")]
    (tmp_path / "saved").mkdir()
    outcome = upload.check_and_load(upload.save(files, tmp_path / "saved"), accounts_file, account="xa1",
                                    commune="X01")
    assert [(f.file, f.status) for f in outcome.files] == [
        ("Báo cáo T4.xlsx", "loaded"), ("danh sách.csv", "rejected"), ("to.xlsx", "rejected")]
    assert [u.name for u in outcome.held_back] == ["thừa.xlsx"]  # past the page's own limit: not checked
    # nothing saved at all: the load still runs to record the refusal
    (tmp_path / "saved2").mkdir()
    only = upload.check_and_load(upload.save([("virus.exe", b"MZ")], tmp_path / "saved2"), accounts_file,
                                 account="xa1", commune="X01")
    assert only.error is None and [f.status for f in only.files] == ["rejected"]
    with duckdb.connect(str(accounts_file), read_only=True) as con:
        rows = audit.audit(con, actions={"reject"}, account="xa1")
    assert sorted((r["file_name"], r["sha256"], r["detail"]) for r in rows) == [
        ("danh sách.csv", sha(files[1][1]), "unreadable"),
        ("thừa.xlsx", None, upload.TOO_MANY.format(limit=3, name="thừa.xlsx")),  # never read
        ("to.xlsx", sha(files[2][1]), "too_large"), ("virus.exe", sha(b"MZ"), "unreadable")]


def test_only_the_board_says_when_a_report_was_received(accounts_file, tmp_path):
    """A commune cannot backdate its own late report; the board back-loads old reports, never to a
    day before the report's month, and the day it gave is in the audit trail."""
    march = write_book(tmp_path / "in" / "t3.xlsx", monthly_book("Lộc Ngãi", 3, 2024)).read_bytes()

    def send(day, account, commune=None, folder="a"):
        (tmp_path / folder).mkdir()
        return upload.check_and_load(upload.save([("Báo cáo T3.xlsx", march)], tmp_path / folder), accounts_file,
                                     day, account=account, commune=commune)

    out = send(date(2024, 4, 2), "xa1", "X01")
    assert out.error and "không được khai ngày nhận" in out.error
    assert [f.status for f in out.files] == ["checked"]  # the check's answer; nothing loaded
    out = send(date(2024, 2, 29), "bantochuc", folder="b")
    [entry] = out.files
    assert entry.status == "rejected"
    assert [(p.code, p.sheet, p.cell) for p in entry.problems] == [("bad_value", COVER, "B3")]
    assert "Ngày nhận báo cáo 29/02/2024 trước tháng báo cáo 03/2024" in entry.problems[0].message
    out = send(date(2024, 4, 3), "bantochuc", folder="c")
    assert [f.status for f in out.files] == ["loaded"]
    with duckdb.connect(str(accounts_file), read_only=True) as con:
        assert con.execute("SELECT received_at FROM report_submissions").fetchall() == [(datetime(2024, 4, 3),)]
        rows = audit.audit(con, actions={"load", "reject"}, account="bantochuc")
    assert [(r["action"], r["account"], r["detail"]) for r in rows] == [
        ("load", "bantochuc", "Báo cáo tháng 3/2024, đảng bộ X01; ngày nhận 03/04/2024 (lần nạp 2)"),
        ("reject", "bantochuc", "bad_value")]


def test_a_receipt_date_before_the_month_is_refused_by_the_command_line(warehouse_file, tmp_path):
    march = write_book(tmp_path / "in" / "t3.xlsx", monthly_book("Lộc Ngãi", 3, 2024))
    p = etl("load", "--json", str(march), "--received-on", "2024-01-15", "--db", str(warehouse_file))
    assert p.returncode == 1
    [entry] = json.loads(p.stdout)["files"]
    assert (entry["status"], entry["problems"][0]["code"], entry["problems"][0]["cell"]) == ("rejected", "bad_value",
                                                                                            "B3")
    p = etl("load", str(march), "--received-on", "2024-03-01", "--db", str(warehouse_file))
    assert p.returncode == 0, p.stdout + p.stderr


def etl(*args):
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_command_line_checks_the_account_it_is_given(accounts_file, tmp_path):
    theirs = write_book(tmp_path / "in" / "theirs.xlsx", monthly_book("Lộc Quảng", 3, 2024, branches=[
        "Chi bộ thôn 1", "Chi bộ thôn 2"]))
    db_arg = ["--db", str(accounts_file)]
    for account, message in [("khongco", "Không có tài khoản 'khongco'."),
                             ("thuongtruc", "Tài khoản thuongtruc (Thường trực (chỉ xem)) không có quyền nạp báo cáo.")]:
        p = etl("load", str(theirs), "--account", account, *db_arg)
        assert (p.returncode, p.stderr.strip()) == (1, message)
        p = etl("export", "--year", "2024", "--no-images", "-o", str(tmp_path / "x"), "--account", account, *db_arg)
        assert p.returncode == 1 and p.stderr.strip() == message.replace("nạp", "xuất"), p.stderr
    assert not (tmp_path / "x").exists()
    # a commune account: its own commune whatever --commune says, and no receipt date of its own
    p = etl("load", "--json", str(theirs), "--account", "XA1", *db_arg)
    assert p.returncode == 1 and '"not_permitted"' in p.stdout
    p = etl("load", str(theirs), "--account", "xa1", "--commune", "X02", *db_arg)
    assert p.returncode == 1 and "chỉ được nạp báo cáo của đảng bộ X01" in p.stderr
    p = etl("load", str(theirs), "--account", "xa1", "--received-on", "2024-04-01", *db_arg)
    assert p.returncode == 1 and "không được khai ngày nhận" in p.stderr
    with duckdb.connect(str(accounts_file), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM loads WHERE kind = 'monthly'").fetchone() == (0,)
        assert [(r["account"], r["detail"]) for r in audit.audit(con, actions={"reject"})] == [
            ("xa1", "not_permitted, unknown_branch")]
    with db.connect(accounts_file) as con:
        accounts.disable(con, "bantochuc")
    p = etl("load", str(theirs), "--account", "bantochuc", *db_arg)
    assert (p.returncode, p.stderr.strip()) == (1, "Tài khoản 'bantochuc' đã bị khóa.")


# --- exports are in the audit trail --------------------------------------------------------------

def test_the_command_line_export_is_audited_with_each_files_hash(warehouse, tmp_path):
    out = tmp_path / "xuat"
    proc = subprocess.run([sys.executable, "-m", "etl", "export", "--year", "2025", "--no-images", "-o", str(out),
                           "--db", str(warehouse), "--account", "bantochuc"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    made = {r["file_name"]: r for r in reversed(rows(warehouse, "export"))}  # the newest row of each name
    assert set(made) == {p.name for p in out.iterdir()}
    import hashlib
    for p in out.iterdir():
        assert made[p.name]["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()
        assert made[p.name]["account"] == "bantochuc" and "2025" in made[p.name]["detail"]


def test_the_demo_has_an_account_of_each_role_with_new_passwords_each_start(demo_db, tmp_path):
    from etl.sample.demo import demo_accounts

    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    first, second = demo_accounts(path), demo_accounts(path)
    assert [name for name, _, _ in first] == [name for name, _, _ in second] == \
        ["bantochuc", "thuongtruc", "quantri", "xa_bl01"]
    with db.connect(path) as con, logins.opened(path) as log:
        assert {a.role for a in accounts.list_users(con)} == set(accounts.ROLES)
        for (name, _, old), (_, _, new) in zip(first, second):
            assert old != new
            assert accounts.authenticate(con, log, name, old) is None and accounts.authenticate(con, log, name, new)
