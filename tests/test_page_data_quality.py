"""Chất lượng số liệu page (pages/chat_luong_so_lieu.py): AppTest on a warehouse with known flags
in two communes; counts and list compared with indicators.data_quality; a commune account sees
its own flags only; the board's "Đã xác minh" goes through and leaves the counts."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from etl import indicators as ind
from etl import labels
from etl.access.accounts import Account, add_user
from tests.quality_world import flagged_communes

PAGE = "chat_luong_so_lieu"


@pytest.fixture
def flagged(tmp_path):
    """flagged_communes' two communes (one flag each), and a board account."""
    path = tmp_path / "w.duckdb"
    q, r = flagged_communes(path)
    add_user(q.con, "bantochuc", "ban_to_chuc", password="mat-khau-dai-du-9")
    q.con.close()
    r.con.close()
    return path


def flags(path, *communes) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return ind.data_quality(con, ind.Scope("2024-01", "2024-03", communes))


def test_counts_and_list_equal_the_indicator_with_cells_and_links(app, flagged):
    at = app(flagged, page=PAGE, nam="2024", tu_thang="1", den_thang="3")
    assert not at.exception and not at.error
    expected = flags(flagged)
    assert len(expected) == 2
    assert {m.label: m.value for m in at.metric} == {"Cảnh báo chưa xác minh": "2", "Đã xác minh": "0",
                                                   "Đảng bộ có cảnh báo": "2"}
    counts = at.dataframe[0].value.set_index("Đảng bộ")
    assert counts.loc["Xã Quế", labels.QUALITY_RULES["members_unexplained_change"]] == 1
    assert counts.loc["Xã Quế", "Tổng"] == 1
    listing = at.dataframe[1].value
    assert list(listing["Nội dung"]) == list(expected["message"])
    q3 = listing[listing["Chi bộ"] == "Chi bộ thôn 3"].iloc[0]
    assert (q3["Tháng"], q3["Tháng này"], q3["Tháng trước"], q3["Lẽ ra / thường là"], q3["Trang tính"], q3["Ô"]) == (
        "Tháng 2/2024", "15", "20", "20", "2. Sinh hoạt chi bộ", "D7")
    assert q3["Chi tiết"].startswith("sinh-hoat-chi-bo?") and "shcb_dang_bo=Q" in q3["Chi tiết"]
    assert "shcb_chi_bo=Q3" in q3["Chi tiết"] and "nam=2024" in q3["Chi tiết"]


def test_a_commune_account_sees_its_own_flags_only_and_cannot_verify(app, flagged):
    at = app(flagged, page=PAGE, account=Account("xa_r", "xa", "R"), nam="2024", tu_thang="1", den_thang="3",
             dang_bo="Q")
    assert not at.exception
    listing = at.dataframe[1].value
    assert list(listing["Đảng bộ"]) == ["Xã Rạng"] == list(flags(flagged, "R")["commune_name"])
    assert list(at.dataframe[0].value["Đảng bộ"]) == ["Xã Rạng"]
    assert list(listing["Cảnh báo"]) == [labels.QUALITY_RULES["copied_report"]]
    assert not [b for b in at.button if b.label == "Đánh dấu đã xác minh"]


def test_the_board_verifies_a_flag_with_a_note(app, flagged):
    at = app(flagged, page=PAGE, nam="2024", tu_thang="1", den_thang="3")
    choice = at.selectbox(key="clsl-canh-bao")
    [k] = [k for k, label in enumerate(choice.options) if "Chi bộ thôn 3" in label]
    choice.set_value(k)
    at.text_input(key="clsl-ghi-chu").input("Đã gọi điện, đảng ủy xã xác nhận")
    at.button(key="clsl-xac-minh").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value.replace("\\", "").startswith("Đã xác minh: Tháng 2/2024 · Chi bộ thôn 3 (Xã Quế)")
    assert {m.label: m.value for m in at.metric}["Đã xác minh"] == "1"
    now = flags(flagged)
    assert dict(zip(now["commune_code"], now["verified"])) == {"Q": True, "R": False}
    counts = at.dataframe[0].value.set_index("Đảng bộ")
    assert counts.loc["Xã Quế", "Tổng"] == 0 and counts.loc["Xã Rạng", "Tổng"] == 1
    # the choice starts again at the flag left, its whole message under it, the note empty
    assert at.selectbox(key="clsl-canh-bao").index == 0 and at.text_input(key="clsl-ghi-chu").value == ""
    shown = [c.value.replace("\\", "") for c in at.caption]
    assert now.loc[now["commune_code"] == "R", "message"].iloc[0] in shown


def test_an_empty_note_is_refused_on_the_page(app, flagged):
    at = app(flagged, page=PAGE, nam="2024", tu_thang="1", den_thang="3")
    at.button(key="clsl-xac-minh").click().run()
    assert not at.exception
    assert "Hãy ghi chú" in at.error[0].value
    assert not flags(flagged)["verified"].any()
