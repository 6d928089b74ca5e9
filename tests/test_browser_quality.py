"""The page "Chất lượng số liệu" in headless Chromium, on the demo with its oddities (conftest's
oddities_db, as scripts/run.sh builds it, smaller; the server, sign-in and helpers of
tests/test_browser.py, a server of this module's own on a private copy).

The cards and the counts by commune and rule are the warehouse's unverified flags of the year;
the list shows every injected oddity; an oddity's "Xem chi tiết", clicked where the table draws
it, opens the commune's drill-down on its branch; the board's "Đã xác minh" with a note takes the
flag out of the counts; no error box or traceback, on the page or in the server's log. The tables
are drawn on a canvas: their text is read from the grid's accessible copy of its cells, and a
link is found by its colour. Screenshots go to tests/artifacts/ (chat-luong-so-lieu*.png) for a
person to look at.
"""
from __future__ import annotations

import io
from collections import Counter

import duckdb
import pytest
from PIL import Image
from playwright.sync_api import expect

from etl import labels
from etl import vnformat as vn
from etl.sample.oddities import read_record
from test_browser import (NORMAL, TIMEOUT_MS, assert_clean, browser, open_list, open_page,  # noqa: F401
                          private_copy, screenshot, server, settled, sign_in)

YEAR = "2026"
PAGE = f"chat-luong-so-lieu?nam={YEAR}&tu_thang=1&den_thang=10"
NOTE = "Đã gọi điện, đảng ủy xã xác nhận đã gửi nhầm biểu của tháng trước"
TABLE = '[data-testid="stDataFrame"]'
# JavaScript: a table's rows (header -> text) from the data grid's accessible copy of the cells
# it draws (the columns in view, pinned ones first)
ROWS_JS = """table => {
  const heads = [...table.querySelectorAll('thead th')].map(h => h.innerText.trim());
  return [...table.querySelectorAll('tbody tr')].map(tr => Object.fromEntries(
    [...tr.querySelectorAll('td')].map((td, i) => [heads[i], td.innerText.trim()])));
}"""

# JavaScript: whether the mouse is over a link a table draws (the grid shows the pointer)
POINTER = ("() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"] canvas')]"
           ".some(c => getComputedStyle(c).cursor === 'pointer')")


@pytest.fixture(scope="module")
def served_db(oddities_db, tmp_path_factory):
    """The private copy of the demo with oddities that this module's server serves."""
    return private_copy(oddities_db, tmp_path_factory.mktemp("browser-quality"))


def query(path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def unverified(path) -> Counter:
    """The year's unverified flags in the warehouse, by (commune name, rule label)."""
    rows = query(path, "SELECT c.commune_name, f.rule FROM data_quality_flags AS f JOIN units_commune AS c "
                       "USING (commune_code) WHERE f.period BETWEEN ? AND ? AND NOT f.verified",
                 [f"{YEAR}-01", f"{YEAR}-10"])
    return Counter((name, labels.QUALITY_RULES[rule]) for name, rule in rows)


def shown_oddities(path, sample) -> list[dict]:
    """The oddities of the year in view (listed in `sample`), as the list names them (Đảng bộ,
    Chi bộ, Tháng, Cảnh báo) from the warehouse at `path`."""
    names = dict(query(path, "SELECT commune_code, commune_name FROM units_commune"))
    names |= dict(query(path, "SELECT branch_code, branch_name FROM units_branch"))
    return [{"Đảng bộ": names[o.commune_code], "Chi bộ": names[o.branch_code] if o.branch_code else "(cả đảng bộ)",
             "Tháng": vn.month(o.period), "Cảnh báo": labels.QUALITY_RULES[o.rule], "oddity": o}
            for o in read_record(sample) if o.period.startswith(YEAR)]


def cards(page) -> dict[str, str]:
    return {m.locator('[data-testid="stMetricLabel"]').inner_text().strip():
            m.locator('[data-testid="stMetricValue"]').inner_text().strip()
            for m in page.locator('[data-testid="stMetric"]').all()}


def rows(page, n: int) -> list[dict[str, str]]:
    """The n-th table's rows, once the grid has drawn them."""
    table = page.locator(TABLE).nth(n)
    table.locator("tbody tr").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    return table.evaluate(ROWS_JS)


def counts(page) -> Counter:
    """The counts table as (commune, rule label) -> unverified flags, zeros left out."""
    out = Counter()
    for row in rows(page, 0):
        for rule, n in row.items():
            if rule in labels.QUALITY_RULES.values() and int(n):
                out[(row["Đảng bộ"], rule)] = int(n)
    return out


def link_spots(png: bytes) -> list[tuple[int, int]]:
    """Where a table draws its links (blue text, one per row), top to bottom: the (x, y) centre
    of each, in the picture."""
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    pixels, (width, height) = picture.load(), picture.size
    blue = {y: xs for y in range(height)
            if (xs := [x for x in range(width) if pixels[x, y][2] - pixels[x, y][0] > 80])}
    spots, run = [], []
    for y in [*sorted(blue), None]:
        if run and (y is None or y - run[-1] > 2):
            xs = [x for line in run for x in blue[line]]
            spots.append(((min(xs) + max(xs)) // 2, (run[0] + run[-1]) // 2))
            run = []
        if y is not None:
            run.append(y)
    return spots


def test_counts_list_link_and_verification_on_the_demo_with_oddities(server, served_db, oddities_db, browser):
    context = browser.new_context(viewport=NORMAL, locale="vi-VN")
    page = context.new_page()
    open_page(page, f"{server}/{PAGE}")
    assert page.locator("h1").first.inner_text() == "Chất lượng số liệu"
    assert_clean(page)
    oddities = shown_oddities(served_db, oddities_db.parent / "sample")
    assert {o["oddity"].rule for o in oddities} == set(labels.QUALITY_RULES)  # something of every rule to show
    expected = unverified(served_db)
    assert cards(page) == {"Cảnh báo chưa xác minh": vn.number(sum(expected.values())), "Đã xác minh": "0",
                           "Đảng bộ có cảnh báo": vn.number(len({name for name, _ in expected}))}
    assert counts(page) == expected
    listed = rows(page, 1)
    assert len(listed) == sum(expected.values())
    keys = ("Đảng bộ", "Chi bộ", "Tháng", "Cảnh báo")
    for o in oddities:
        assert {k: o[k] for k in keys} in [{k: r[k] for k in keys} for r in listed], o["oddity"]
    screenshot(page, "chat-luong-so-lieu")

    # "Xem chi tiết" of the attendance drop: the drill-down of its commune, on its branch
    drop = next(o for o in oddities if o["oddity"].field == "attendance_share")
    at = next(i for i, r in enumerate(listed) if {k: r[k] for k in keys} == {k: drop[k] for k in keys})
    table = page.locator(TABLE).nth(1)
    table.scroll_into_view_if_needed()
    spots = link_spots(table.screenshot())
    assert len(spots) == len(listed), spots
    box = table.bounding_box()
    page.mouse.move(box["x"] + spots[at][0], box["y"] + spots[at][1])  # the grid takes a click on a link it hovers
    page.wait_for_function(POINTER, timeout=TIMEOUT_MS)
    with context.expect_page() as opened:
        page.mouse.click(box["x"] + spots[at][0], box["y"] + spots[at][1])
    drill = opened.value
    drill.wait_for_selector("h1", state="visible", timeout=TIMEOUT_MS)
    settled(drill)
    assert drill.locator("h1").first.inner_text() == "Sinh hoạt chi bộ"  # signed in by the tab's cookie
    assert f"shcb_chi_bo={drop['oddity'].branch_code}" in drill.url
    expect(drill.locator(".st-key-shcb_dang_bo input")).to_have_value(drop["Đảng bộ"], timeout=TIMEOUT_MS)
    expect(drill.locator(".st-key-shcb_chi_bo input")).to_have_value(drop["Chi bộ"], timeout=TIMEOUT_MS)
    assert_clean(drill)
    drill.close()

    # "Đã xác minh" with a note on the copied report: out of the counts, kept in the list
    copied = next(o for o in oddities if o["oddity"].rule == "copied_report")
    open_list(page, page.locator(".st-key-clsl-canh-bao"))
    page.get_by_role("option").filter(has_text=copied["Tháng"]).filter(has_text=copied["Đảng bộ"]).filter(
        has_text=copied["Cảnh báo"]).click()
    settled(page)
    page.locator(".st-key-clsl-ghi-chu input").fill(NOTE)
    page.get_by_role("button", name="Đánh dấu đã xác minh").click()
    expect(page.locator('[data-testid="stAlertContentSuccess"]')).to_contain_text("Đã xác minh:", timeout=TIMEOUT_MS)
    settled(page)
    assert_clean(page)
    after = unverified(served_db)
    assert after == expected - Counter({(copied["Đảng bộ"], copied["Cảnh báo"]): 1})
    assert cards(page) == {"Cảnh báo chưa xác minh": vn.number(sum(after.values())), "Đã xác minh": "1",
                           "Đảng bộ có cảnh báo": vn.number(len({name for name, _ in after}))}
    assert counts(page) == after
    assert len(rows(page, 1)) == len(listed)
    # the choice starts again at the first flag left, the box showing that flag, the note empty
    first = next(r for r in listed if (r["Tháng"], r["Đảng bộ"], r["Cảnh báo"])
                 != (copied["Tháng"], copied["Đảng bộ"], copied["Cảnh báo"]))
    shown = page.locator(".st-key-clsl-canh-bao input").input_value()
    assert shown.startswith(first["Tháng"]) and shown.endswith(first["Cảnh báo"]) and first["Đảng bộ"] in shown, shown
    assert page.locator(".st-key-clsl-ghi-chu input").input_value() == ""
    assert query(served_db, "SELECT account, note FROM quality_verifications") == [("bantochuc", NOTE)]
    screenshot(page, "chat-luong-so-lieu-da-xac-minh")
    context.close()


def test_the_server_logged_no_traceback(server, served_db):
    """Last of the module: the visits above left no exception in the server's log."""
    log = (served_db.parent / "streamlit.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and "most recent call last" not in log, log[-3000:]
