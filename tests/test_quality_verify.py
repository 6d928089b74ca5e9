"""The board's "Đã xác minh" on a data-quality flag (etl.quality.verify): append-only, with its
audit row; a verified flag leaves the counts; a new version of the report brings it back; the
account's right is checked again against the warehouse."""
from __future__ import annotations

import pytest

from etl import indicators as ind
from etl import quality
from etl.access import accounts
from tests.quality_world import World

FLAG = quality.Flag("Q", "2024-02", "members_unexplained_change", "members_total", "Q3")
SCOPE = ind.Scope("2024-01", "2024-12")


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path / "w.duckdb")
    w.report("2024-01")
    w.report("2024-02", {"Q3": 15})
    accounts.add_user(w.con, "bantochuc", "ban_to_chuc", password="mat-khau-dai-du-9")
    accounts.add_user(w.con, "xa_q", "xa", commune="Q", password="mat-khau-dai-du-9")
    accounts.add_user(w.con, "thuongtruc", "xem", password="mat-khau-dai-du-9")
    yield w
    w.con.close()


def counts(world) -> list[tuple]:
    return [tuple(r) for r in ind.data_quality_counts(world.con, SCOPE)[["rule", "flags", "verified"]]
            .itertuples(index=False)]


def test_a_verified_flag_leaves_the_counts_and_a_new_version_brings_it_back(world):
    assert counts(world) == [("members_unexplained_change", 1, 0)]
    load_id = quality.verify(world.con, FLAG, "Đã gọi điện: 5 đảng viên chuyển sinh hoạt tạm thời",
                             by=accounts.Account("bantochuc", "ban_to_chuc"))
    assert counts(world) == [("members_unexplained_change", 0, 1)]
    assert world.con.execute("SELECT verified FROM data_quality_flags").fetchall() == [(True,)]
    assert world.con.execute("SELECT account, load_id, note FROM quality_verifications").fetchall() == [
        ("bantochuc", load_id, "Đã gọi điện: 5 đảng viên chuyển sinh hoạt tạm thời")]
    [(action, account, detail)] = world.con.execute(
        "SELECT action, account, detail FROM audit_log WHERE action = 'verify_flag'").fetchall()
    assert account == "bantochuc" and "Q Q3, tháng 2/2024" in detail and "5 đảng viên" in detail
    with pytest.raises(quality.VerifyError, match="đã được xác minh"):
        quality.verify(world.con, FLAG, "lần hai", by=None)
    world.report("2024-02", {"Q3": 15})  # the commune sends the report again: the flag is back
    assert counts(world) == [("members_unexplained_change", 1, 0)]
    assert world.con.execute("SELECT count(*) FROM quality_verifications").fetchone() == (1,)  # history kept


@pytest.mark.parametrize("account", [accounts.Account("xa_q", "xa", "Q"), accounts.Account("thuongtruc", "xem"),
                                     accounts.Account("khong_co", "ban_to_chuc")])
def test_only_a_board_account_that_exists_may_verify(world, account):
    with pytest.raises(quality.VerifyError, match="không có quyền"):
        quality.verify(world.con, FLAG, "ghi chú", by=account)
    assert counts(world) == [("members_unexplained_change", 1, 0)]


def test_a_locked_board_account_may_not_verify(world):
    accounts.disable(world.con, "bantochuc")
    with pytest.raises(quality.VerifyError, match="không có quyền"):
        quality.verify(world.con, FLAG, "ghi chú", by=accounts.Account("bantochuc", "ban_to_chuc"))


@pytest.mark.parametrize("note, message", [("  ", "Hãy ghi chú"), ("x" * 501, "dài quá 500")])
def test_the_note_is_required_and_short(world, note, message):
    with pytest.raises(quality.VerifyError, match=message):
        quality.verify(world.con, FLAG, note, by=None)


def test_a_flag_that_is_gone_cannot_be_verified(world):
    gone = quality.Flag("Q", "2024-02", "members_unexplained_change", "members_total", "Q1")
    with pytest.raises(quality.VerifyError, match="Không còn cảnh báo"):
        quality.verify(world.con, gone, "ghi chú", by=None)
