"""Text from outside the code stays text on the pages (ui.markup): a link's value and the units'
names from the registry, crafted as Markdown links, images, directives and LaTeX and as chart
tags, show as written in every element that renders Markdown and in the charts' labels; none
becomes a link or an image. AppTest on a copy of the demo warehouse where a registry file gave
every commune and branch such a name.

An element's Markdown is live where it holds a link or image target `](`, a bare address, a `$`
or the `:red[` directive unescaped; ui.markup.md leaves none of these. (That its output renders as
plain text in Streamlit's own renderer is tests/test_browser.py's part.)
"""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from builders import registry_book, write_book
from etl import indicators as ind
from etl.access.accounts import Account
from test_page_tables import workbooks  # noqa: F401  (a fixture: the page's Excel downloads)
from ui.markup import md, plotly

ROOT = Path(__file__).resolve().parents[1]
LINK = "[Bấm vào đây để đăng nhập lại](https://evil.example/login)"
IMAGE = "![](http://evil.example/px.png)"
LIVE = re.compile(r"(?<!\\)\]\(|https?://|www\.|(?<!\\)\$|(?<!\\):red\[")


def crafted(code: str) -> str:
    """A unit name that is a link, an image, a colour directive, LaTeX and an SVG link at once."""
    return (f"{code} [Bấm vào đây](https://evil.example/{code}) ![](http://evil.example/{code}.png) :red[đỏ] $x$ "
            f'<a href="https://evil.example/svg">{code}</a>')


@pytest.fixture(scope="module")
def crafted_db(demo_db, tmp_path_factory) -> Path:
    """A copy of the demo warehouse whose registry, loaded again, names every unit `crafted(code)`.
    Loaded by the command line in a process of its own (see conftest.many_db)."""
    out = tmp_path_factory.mktemp("crafted")
    path = out / "crafted.duckdb"
    shutil.copyfile(demo_db, path)
    with duckdb.connect(str(path), read_only=True) as con:
        communes = con.execute("SELECT commune_code, commune_name, kind, valid_from, valid_to, merged_into "
                               "FROM units_commune ORDER BY commune_code").fetchall()
        branches = con.execute("SELECT branch_code, branch_name, commune_code, kind, valid_from, valid_to "
                               "FROM units_branch ORDER BY branch_code").fetchall()
    book = registry_book(communes=[(c, crafted(c), k, f, t, m, name) for c, name, k, f, t, m in communes],
                         branches=[(b, crafted(b), c, k, f, t) for b, _, c, k, f, t in branches])
    registry = write_book(out / "danh-muc.xlsx", book)
    done = subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(path), "--json", str(registry)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return path


def names(db: Path, scope=ind.Scope("2026-01", "2026-10")) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        units = ind.communes(con, scope)
    return dict(zip(units["commune_code"], units["commune_name"]))


def markdown(at) -> list[str]:
    """The Markdown of every element that renders it: text elements, alerts, toasts, metric
    labels and help, button labels."""
    out = [e.value for kind in ("markdown", "caption", "title", "subheader", "info", "warning", "error", "success",
                                "toast") for e in getattr(at, kind)]
    out += [text for m in at.metric for text in (m.label, m.proto.help)]
    out += [b.proto.label for kind in ("button", "download_button") for b in at.get(kind)]
    return out


def shows_as_text(at, *values: str) -> None:
    """No element's Markdown is live, and each of `values` is in some element, as ui.markup.md writes it."""
    sources = markdown(at)
    live = [s for s in sources if LIVE.search(s)]
    assert not live, live
    for value in values:
        assert any(md(value) in s for s in sources), (value, sources)


def chart_labels(at) -> list[str]:
    """Every category label of every chart on the page (the y and x values that are text)."""
    out = []
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            values = [v for axis in ("x", "y") if isinstance(trace.get(axis), list) for v in trace[axis]]
            out += [v for v in values if isinstance(v, str)]
    return out


def test_the_crafted_registry_loaded(crafted_db):
    assert all(name == crafted(code) for code, name in names(crafted_db).items())


@pytest.mark.parametrize("page", ["tong_quan", "sinh_hoat_chi_bo", "hoi_nghi_cap_uy", "nop_bao_cao"])
def test_a_link_value_that_is_markdown_shows_as_text(app, crafted_db, page):
    at = app(crafted_db, page=page, dang_bo=[LINK, IMAGE])
    assert any("không tìm thấy" in w.value for w in at.warning)
    shows_as_text(at, LINK, IMAGE)


def test_a_drill_down_link_that_is_markdown_shows_as_text(app, crafted_db):
    code = sorted(names(crafted_db))[1]
    at = app(crafted_db, page="sinh_hoat_chi_bo", shcb_dang_bo=code, shcb_chi_bo=LINK)
    assert any("chi bộ" in w.value and "không tìm thấy" in w.value for w in at.warning)
    shows_as_text(at, LINK, crafted(code))


def test_a_notice_names_a_few_link_values_and_counts_the_others(app, crafted_db):
    at = app(crafted_db, page="tong_quan", dang_bo=[f"X{i}" for i in range(40)])
    [notice] = [w.value for w in at.warning if "không tìm thấy" in w.value]
    assert "«X4»" in notice and "«X5»" not in notice and "và 35 giá trị khác" in notice


def test_overview_names_the_crafted_communes_as_text(app, crafted_db):
    chosen = sorted(names(crafted_db))
    at = app(crafted_db, page="tong_quan", dang_bo=chosen)
    assert all(md(crafted(c)) in at.caption[0].value for c in chosen)  # "Đang xem: 4 đảng bộ: …"
    listed = [m.value for m in at.markdown if "evil" in m.value]  # the "Cần quan tâm" list names communes
    assert listed
    shows_as_text(at, *(crafted(c) for c in chosen))


def test_charts_draw_the_crafted_names_as_text(app, crafted_db):
    at = app(crafted_db, page="tong_quan")
    labels = chart_labels(at)
    assert {plotly(crafted(c)) for c in names(crafted_db)} <= set(labels)
    assert not [label for label in labels if "<a" in label]  # plotly draws <a href> as a working link
    at = app(crafted_db, page="kiem_tra")
    assert not [label for label in chart_labels(at) if "<a" in label]


def test_branches_drill_down_names_the_crafted_commune_as_text(app, crafted_db):
    code = sorted(names(crafted_db))[1]
    at = app(crafted_db, page="sinh_hoat_chi_bo", shcb_dang_bo=code)
    assert any(f"**Các chi bộ của {md(crafted(code))} theo tháng**" == m.value for m in at.markdown)
    shows_as_text(at, crafted(code))


def test_the_branch_table_of_a_crafted_branch_downloads(app, crafted_db, workbooks):  # noqa: F811
    """The table of one branch is named after it; its name's '[', '/' and ':' cannot go into the
    sheet's name, where Excel refuses them."""
    code = sorted(names(crafted_db))[1]
    at = app(crafted_db, page="sinh_hoat_chi_bo", shcb_dang_bo=code)
    branch = at.selectbox(key="shcb_chi_bo").value
    [build] = [build for file_name, build in workbooks.items() if file_name.startswith(f"sinh-hoat-{branch.lower()}")]
    book = openpyxl.load_workbook(io.BytesIO(build()))
    assert book.active.title.startswith(f"sinh-hoat-{branch} -Bấm vào đây-")


def test_committee_names_the_communes_without_a_share_as_text(app, crafted_db):
    with duckdb.connect(str(crafted_db), read_only=True) as con:
        grid = ind.committee(con, ind.Scope("2025-01", "2026-10"), by="commune_month")
    undated = grid[grid["reported"] & grid["i4_tasks_on_time_share"].isna()].iloc[0]
    year, month = int(undated["period"][:4]), int(undated["period"][5:])
    at = app(crafted_db, page="hoi_nghi_cap_uy", nam=str(year), tu_thang=str(month), den_thang=str(month))
    at.segmented_control(key="hn_chi_so").set_value("i4").run()
    assert not at.exception
    caption = [c.value for c in at.caption if c.value.startswith("Không ghi ngày:")]
    assert caption and md(crafted(undated["commune_code"])) in caption[0]
    shows_as_text(at, crafted(undated["commune_code"]))


def test_submissions_name_the_crafted_commune_as_text(app, crafted_db, tmp_path):
    path = tmp_path / "w.duckdb"  # the confirmation writes
    shutil.copyfile(crafted_db, path)
    with duckdb.connect(str(path), read_only=True) as con:
        grid = ind.submissions(con, ind.Scope("2026-01", "2026-10"), by="commune_month")
    row = grid[grid["status"] == "on_time"].iloc[0]
    commune, period = row["commune_code"], row["period"]
    at = app(path, page="nop_bao_cao")
    at.selectbox(key="nbc-dang-bo").set_value(commune)
    at.selectbox(key="nbc-thang").set_value(period).run()
    assert any(m.value.startswith(f"**{md(crafted(commune))} – ") for m in at.markdown)
    at.button(key=f"nbc-{commune}-{period}-confirm").click().run()
    assert not at.exception and not at.error
    assert any(md(crafted(commune)) in t.value for t in at.toast)  # "Đã duyệt báo cáo tháng … của …"
    shows_as_text(at, crafted(commune))


def test_a_commune_account_sees_its_crafted_name_as_text(app, crafted_db):
    code = sorted(names(crafted_db))[0]
    at = app(crafted_db, page="tong_quan", account=Account("xa1", "xa", code))
    assert any(m.value == f"**Đảng bộ:** {md(crafted(code))}" for m in at.sidebar.markdown)
    shows_as_text(at, crafted(code))


def test_the_template_button_names_the_crafted_commune_as_text(app, crafted_db):
    at = app(crafted_db, page="tai_bao_cao")
    code = at.selectbox(key="template-commune").value
    at.button(key="template-make").click().run()
    assert not at.exception and not at.error
    [button] = [b for b in at.get("download_button") if b.proto.id and "template-download" in b.proto.id]
    assert md(crafted(code)) in button.proto.label
    shows_as_text(at, crafted(code))


def test_the_sidebar_names_an_account_whose_name_is_an_address_as_text(app, crafted_db):
    """An account name may hold '@' and '.', which GitHub-flavoured Markdown links as an e-mail address."""
    name = "thu.ky@evil.example"
    at = app(crafted_db, account=Account(name, "ban_to_chuc"))
    [caption] = [c.value for c in at.sidebar.caption if "evil" in c.value]
    assert md(name) in caption and name not in caption
