"""Page Phát triển đảng viên (I11–I13), rendered with AppTest on the demo warehouse (conftest
`demo_db`: 4 communes with targets, 2025-01..2026-10) and on an empty one. Figures on screen
are compared with etl.indicators for the same Scope on a read-only connection.
"""
from __future__ import annotations

import base64
import json

import duckdb
import numpy as np
import pytest

from etl import indicators as ind
from etl import vnformat as vn

PAGE = "phat_trien_dang_vien"


@pytest.fixture(scope="module")
def con(demo_db):
    reader = duckdb.connect(str(demo_db), read_only=True)
    yield reader
    reader.close()


def scope_of(at) -> ind.Scope:
    year = at.selectbox(key="nam").value
    first, last = at.selectbox(key="tu_thang").value, at.selectbox(key="den_thang").value
    return ind.Scope(f"{year:04d}-{first:02d}", f"{year:04d}-{last:02d}",
                     tuple(at.multiselect(key="dang_bo").value), tuple(at.multiselect(key="loai_chi_bo").value))


def cards(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def expected(con, scope) -> dict[str, str]:
    p = ind.recruitment_progress(con, scope, by="total").iloc[0]
    r = ind.recruitment(con, scope, by="total").iloc[0]
    net = vn.number(r["net_change"])
    return {"Kết nạp từ đầu năm": vn.number(p["admitted_ytd"]),
            "So với chỉ tiêu năm": vn.percent(p["i11_target_share"]),
            "Nguồn phát triển đảng": vn.number(p["sources_trained_ytd"]),
            "Công nhận chính thức": vn.number(r["confirmed_official"]),
            "Biến động đảng viên": net if r["net_change"] <= 0 else "+" + net}


def array(value) -> np.ndarray:
    """A figure's data array as JSON gives it: a list, or plotly's typed array (base64 bytes)."""
    if isinstance(value, dict):
        shape = [int(n) for n in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
    return np.array([np.nan if v is None else v for v in value], dtype=float)


def figures(at) -> dict[str, dict]:
    """Chart title -> figure JSON."""
    out = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        out[spec["layout"]["title"]["text"]] = spec
    return out


def test_cards_and_progress_chart_show_the_indicators(app, demo_db, con):
    at = app(demo_db, page=PAGE)
    scope = scope_of(at)
    shown = cards(at)
    for label, value in expected(con, scope).items():
        assert shown[label][0] == value, label
    p = ind.recruitment_progress(con, scope, by="total").iloc[0]
    assert shown["Kết nạp từ đầu năm"][1] == f"chỉ tiêu năm {vn.number(p['target'])}"
    assert shown["So với chỉ tiêu năm"][1] == ("Đạt tiến độ" if p["on_track"] else "Chậm tiến độ")
    # progress bars: admitted, target and the pace marker of every commune
    per = ind.recruitment_progress(con, scope, by="commune")
    [bars] = [f for title, f in figures(at).items() if title.startswith("Kết nạp đảng viên so với chỉ tiêu")]
    target, done, pace, figures_ = bars["data"]
    got = {y: (d, t, m) for y, d, t, m in zip(done["y"], array(done["x"]), array(target["x"]),
                                               array(pace["x"]), strict=True)}
    want = {n: (a, t, m) for n, a, t, m in zip(per["commune_name"], per["admitted_ytd"], per["target"],
                                                per["pace_target"])}
    assert got.keys() == want.keys()
    for name, (d, t, m) in want.items():
        assert got[name][:2] == (d, t) and got[name][2] == pytest.approx(m), name
    # "admitted/target" written past the longer bar, where the pace mark cannot cover it
    labels = {y: (text, x) for y, text, x in zip(figures_["y"], figures_["text"], array(figures_["x"]), strict=True)}
    for name, (d, t, _) in want.items():
        assert labels[name] == (vn.ratio(d, t), max(d, t)), name


def test_cumulative_line_follows_the_months(app, demo_db, con):
    at = app(demo_db, page=PAGE)
    month = ind.recruitment_progress(con, scope_of(at), by="month")
    [line] = [f for title, f in figures(at).items() if title.startswith("Kết nạp lũy kế")]
    admitted, pace = line["data"]
    assert admitted["x"] == [vn.month_short(p) for p in month["period"]]
    assert array(admitted["y"]).tolist() == month["admitted_ytd"].astype(float).tolist()
    assert array(pace["y"]) == pytest.approx(month["pace_target"].astype(float).to_numpy())


def test_member_change_stacks_gains_up_losses_down_and_marks_the_net(app, demo_db, con):
    at = app(demo_db, page=PAGE)
    at.selectbox(key="den_thang").set_value(12).run()  # two months past the last report
    month = ind.recruitment(con, scope_of(at), by="month")
    [chart] = [f for title, f in figures(at).items() if title.startswith("Biến động đảng viên")]
    assert chart["layout"]["barmode"] == "relative"
    *bars, net = chart["data"]
    signs = {"Kết nạp mới": ("admitted", 1), "Chuyển đến": ("transferred_in", 1), "Chuyển đi": ("transferred_out", -1),
             "Từ trần": ("deceased", -1), "Xóa tên, khai trừ, ra khỏi Đảng": ("removed", -1)}
    assert [b["name"] for b in bars] == list(signs)
    for bar in bars:
        column, sign = signs[bar["name"]]
        assert bar["x"] == [vn.month_short(p) for p in month["period"]]
        np.testing.assert_array_equal(array(bar["y"]), sign * month[column].astype(float).to_numpy())
        counts = [vn.number(v, missing="") for v in month[column].tolist()]
        assert bar["text"] == ["" if c == "0" else c for c in counts]  # counts, not negatives
    assert net["name"] == "Tăng/giảm thực tế" and net["mode"] == "markers"
    np.testing.assert_array_equal(array(net["y"]), month["net_change"].astype(float).to_numpy())
    assert np.isnan(array(net["y"])[-2:]).all() and net["text"][-2:] == ["", ""]  # no report, no diamond
    assert any(t.startswith("+") for t in net["text"])
    axis = chart["layout"]["yaxis"]  # people counted both ways: no negative tick
    assert min(axis["tickvals"]) < 0 < max(axis["tickvals"])
    assert min(axis["tickvals"]) <= -max(month[["transferred_out", "deceased", "removed"]].sum(axis=1))
    assert max(axis["tickvals"]) >= max(month[["admitted", "transferred_in"]].sum(axis=1))
    assert axis["ticktext"] == [vn.number(abs(v)) for v in axis["tickvals"]]


def test_commune_filter_changes_the_numbers(app, demo_db, con):
    at = app(demo_db, page=PAGE)
    before = cards(at)["Kết nạp từ đầu năm"][0]
    assert at.dataframe[0].value["Đảng bộ"].iloc[-1] == "Toàn Đảng bộ"  # every commune: the province's total
    code = ind.communes(con, scope_of(at))["commune_code"].iloc[0]
    at.multiselect(key="dang_bo").set_value([code]).run()
    assert not at.exception
    scope = scope_of(at)
    assert scope.communes == (code,)
    shown = cards(at)
    for label, value in expected(con, scope).items():
        assert shown[label][0] == value, label
    assert shown["Kết nạp từ đầu năm"][0] != before
    # the table: the commune's row and the total of the communes shown, with the period's flows
    table = at.dataframe[0].value
    r = ind.recruitment(con, scope, by="commune").iloc[0]
    assert table["Đảng bộ"].tolist() == [r["commune_name"], "Tổng cộng"]
    for column, key in (("Chuyển đến", "transferred_in"), ("Chuyển đi", "transferred_out"),
                        ("Từ trần", "deceased"), ("Xóa tên, khai trừ", "removed")):
        assert table[column].iloc[0] == vn.number(r[key]), column


def test_months_without_reports_are_not_zero(app, demo_db, con):
    """A period running past the last report: the cumulative line stops, the table says so."""
    at = app(demo_db, page=PAGE)
    at.selectbox(key="den_thang").set_value(12).run()
    assert not at.exception
    scope = scope_of(at)
    assert scope.last.endswith("-12")
    [line] = [f for title, f in figures(at).items() if title.startswith("Kết nạp lũy kế")]
    month = ind.recruitment_progress(con, scope, by="month")
    unreported = month["admitted"].isna().tolist()
    assert any(unreported)
    assert np.isnan(array(line["data"][0]["y"])).tolist() == unreported


def test_empty_warehouse_says_so(app, empty_db):
    at = app(empty_db, page=PAGE)
    assert not at.metric and not at.error
    assert any("chưa có báo cáo" in i.value.lower() for i in at.info), [i.value for i in at.info]
