"""Who may do what (etl/access/rights.py), asked by the command line and the dashboard alike,
and the command line's table of commands (etl/__main__.py): one function per command."""
from __future__ import annotations

from datetime import datetime

import pytest

from etl.access import accounts, rights
from etl.access.accounts import Account

BOARD = Account("bantochuc", "ban_to_chuc")
COMMUNE = Account("xa1", "xa", "X01")
VIEWER = Account("thuongtruc", "xem")
ADMIN = Account("quantri", "quan_tri")


@pytest.mark.parametrize("account", [BOARD, COMMUNE, VIEWER, ADMIN, None])
@pytest.mark.parametrize("action", accounts.ACTIONS)
def test_the_dashboard_asks_the_same_rule(monkeypatch, account, action):
    from ui import auth
    monkeypatch.setattr(auth, "current", lambda: account)
    assert auth.may(action) is rights.may(account, action)


def test_a_one_commune_action_without_a_commune_means_the_accounts_own():
    assert rights.may(COMMUNE, "upload_commune") and rights.may(COMMUNE, "view_commune")
    assert not rights.may(COMMUNE, "upload_commune", "X02") and not rights.may(COMMUNE, "upload")
    assert rights.may_upload(COMMUNE) and rights.may_upload(BOARD)
    assert not rights.may_upload(VIEWER) and not rights.may_upload(ADMIN) and not rights.may_upload(None)


def test_a_file_given_to_the_loader_is_for_who_may_view_its_commune():
    assert rights.may_view_file(COMMUNE, "X01") and rights.may_view_file(COMMUNE, " x01 ")
    assert not rights.may_view_file(COMMUNE, "X02")
    assert not rights.may_view_file(COMMUNE, None)  # a file of no known commune is the board's
    assert all(rights.may_view_file(a, c) for a in (BOARD, VIEWER, ADMIN) for c in ("X02", None))
    assert not rights.may_view_file(None, "X01") and not rights.may_view_file(None, None)


def test_uploads_are_limited_to_a_commune_accounts_own_commune():
    assert rights.upload_commune(COMMUNE) == "X01"
    assert rights.upload_commune(BOARD) is None and rights.upload_commune(None) is None
    assert rights.load_commune(BOARD, "X02", datetime(2024, 4, 3)) == "X02"
    assert rights.load_commune(None, None, None) is None
    assert rights.load_commune(COMMUNE, None, None) == "X01" and rights.load_commune(COMMUNE, " x01 ", None) == "X01"
    with pytest.raises(rights.Refused, match="chỉ được nạp báo cáo của đảng bộ X01"):
        rights.load_commune(COMMUNE, "X02", None)
    with pytest.raises(rights.Refused, match="không được khai ngày nhận báo cáo"):
        rights.load_commune(COMMUNE, None, datetime(2024, 4, 3))


def test_acting_names_an_existing_unlocked_account_with_the_right(warehouse):
    con = warehouse
    accounts.add_user(con, "xa1", "xa", "X01", "mây trắng bay qua cầu 27")
    accounts.add_user(con, "thuongtruc", "xem", None, "mây trắng bay qua cầu 27")
    assert rights.acting(con, None, "upload") is None
    assert rights.acting(con, "XA1", "upload").name == "xa1"  # its own commune's reports
    with pytest.raises(rights.Refused, match="^Không có tài khoản 'ai'.$"):
        rights.acting(con, "ai", "upload")
    with pytest.raises(rights.Refused, match=r"^Tài khoản thuongtruc \(Thường trực \(chỉ xem\)\) không có quyền "
                                             "xuất báo cáo.$"):
        rights.acting(con, "thuongtruc", "export")
    accounts.disable(con, "xa1")
    with pytest.raises(rights.Refused, match="^Tài khoản 'xa1' đã bị khóa.$"):
        rights.acting(con, "xa1", "upload")


def test_every_command_has_its_own_function():
    from etl import __main__ as cli
    from etl.cli_args import parser
    sub = next(a for a in parser()._actions if a.dest == "command")
    assert set(cli.COMMANDS) == set(sub.choices)
    assert all(callable(f) and f.__module__ == "etl.__main__" for f in cli.COMMANDS.values())
    users = next(a for a in sub.choices["users"]._actions if a.dest == "users_command")
    assert set(cli.USERS) == set(users.choices)


def test_reading_a_missing_warehouse_never_creates_it(tmp_path):
    from etl.ingest.units import Registry
    from etl.outputs.template import TemplateError, template_from_warehouse
    missing = tmp_path / "none.duckdb"
    assert Registry.from_warehouse(missing).communes == {}
    with pytest.raises(TemplateError, match="Không tìm thấy kho dữ liệu"):
        template_from_warehouse(missing, "X01", "2024-05", tmp_path / "t.xlsx")
    assert list(tmp_path.iterdir()) == []
