"""Links to a view (ui.filters): the commune filter and the Sinh hoạt chi bộ drill-down are in the
URL by code (?dang_bo=BL03), so a renamed commune keeps its links; a link made with names still
opens its commune; a value that matches nothing says so in Vietnamese instead of silently
showing every commune."""
from __future__ import annotations

import duckdb
import pytest

from etl import indicators as ind
from ui.markup import md


def url(at, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


@pytest.fixture(scope="module")
def communes(demo_db) -> dict[str, str]:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        units = ind.communes(con, ind.Scope.for_year(2026))
    return dict(zip(units["commune_code"], units["commune_name"]))


def test_the_chosen_communes_go_into_the_url_as_codes(app, demo_db, communes):
    at = app(demo_db, page="chat_luong")
    chosen = list(communes)[1:3]
    at.multiselect(key="dang_bo").set_value(chosen).run()
    assert url(at, "dang_bo") == chosen  # codes, not 'Xã Lộc Đức'
    at.multiselect(key="dang_bo").set_value([]).run()
    assert "dang_bo" not in at.query_params  # all communes: nothing in the link


@pytest.mark.parametrize("by", ["code", "name", "loosely typed name"])
def test_a_link_opens_its_communes_by_code_or_by_the_name_of_an_older_link(app, demo_db, communes, by):
    code, name = list(communes.items())[2]
    value = {"code": code, "name": name, "loosely typed name": f"  {name.upper()} "}[by]
    at = app(demo_db, page="chat_luong", dang_bo=value)
    assert at.session_state["_filters"].communes == (code,)
    assert name in at.caption[0].value and not warnings(at)
    assert url(at, "dang_bo") == [code]  # an older link is rewritten with the code


def test_a_link_with_an_unknown_commune_says_so(app, demo_db, communes):
    code = list(communes)[0]
    at = app(demo_db, page="chat_luong", dang_bo=["BL99", code])
    assert at.session_state["_filters"].communes == (code,)  # the one it knows
    [notice] = warnings(at)
    assert "«BL99»" in notice and "không tìm thấy" in notice
    at = app(demo_db, page="tong_quan", dang_bo="Xã Không Có")
    assert at.session_state["_filters"].communes == ()
    assert any("«Xã Không Có»" in w and "tất cả" in w for w in warnings(at))
    # choosing a commune ends the notice
    at.multiselect(key="dang_bo").set_value([code]).run()
    assert not warnings(at)


def test_the_drill_down_commune_and_branch_are_in_the_url(app, demo_db, communes):
    at = app(demo_db, page="sinh_hoat_chi_bo")
    code = list(communes)[1]
    at.selectbox(key="shcb_dang_bo").set_value(code).run()
    first = at.selectbox(key="shcb_chi_bo").value
    assert url(at, "shcb_dang_bo") == [code] and url(at, "shcb_chi_bo") == [first]
    with duckdb.connect(str(demo_db), read_only=True) as con:
        rows = ind.meeting_details(con, ind.Scope("2026-01", "2026-10"), commune=code)
    last = rows["branch_code"].iloc[-1]
    assert last != first
    at.selectbox(key="shcb_chi_bo").set_value(last).run()
    assert url(at, "shcb_chi_bo") == [last]  # codes: two branches of a commune may share a name

    # the copied link opens the same commune and branch
    again = app(demo_db, page="sinh_hoat_chi_bo", shcb_dang_bo=code, shcb_chi_bo=last)
    assert again.selectbox(key="shcb_dang_bo").value == code
    assert again.selectbox(key="shcb_chi_bo").value == last
    assert not warnings(again)


def test_a_drill_down_link_to_a_branch_that_is_not_there(app, demo_db, communes):
    code = list(communes)[1]
    at = app(demo_db, page="sinh_hoat_chi_bo", shcb_dang_bo=code, shcb_chi_bo="KHONG-CO")
    assert at.selectbox(key="shcb_dang_bo").value == code
    assert any(f"«{md('KHONG-CO')}»" in w and "chi bộ" in w for w in warnings(at))  # Markdown: '-' escaped


def test_the_filters_offer_no_english_select_all(app, demo_db):
    at = app(demo_db, page="tong_quan")
    for key in ("dang_bo", "loai_chi_bo"):  # Streamlit's bulk action reads "Select all"; none chosen is all
        assert at.multiselect(key=key).proto.select_all == 0, key
