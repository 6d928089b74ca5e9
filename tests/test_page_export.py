"""Xuất báo cáo page (pages/xuat_bao_cao.py, ui/export.py): renders on the conftest demo
warehouse and an empty one, takes its defaults from the sidebar filters, and its build step
makes both December files (an .xlsx openpyxl reads, a .docx python-docx reads) whose names and
figures are those of etl.outputs.export.
"""
from __future__ import annotations

import io
import shutil
from datetime import date

import duckdb
import openpyxl
import pytest
from docx import Document

from etl import indicators
from etl import vnformat as vn
from etl.outputs.export import DOCX_NAME, XLSX_NAME
from etl.period import Period, last_complete_month, periods_of
from ui import export

PAGE = "xuat_bao_cao"


def test_page_renders_with_the_sidebar_filters_as_defaults(app, demo_db):
    at = app(demo_db)
    at.multiselect(key="dang_bo").set_value(["BL03"]).run()
    at.switch_page(f"pages/{PAGE}.py")
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key="xbc-nam").value == 2026  # the sidebar's year (the newest)
    assert at.selectbox(key="xbc-nam").options == ["2026", "2025"]
    # the period offered first: the last complete month before today, when the year has it
    latest, offered = last_complete_month(date.today()), periods_of(2026)
    assert at.selectbox(key="xbc-ky").value == (offered.index(latest) if latest in offered else 0)
    assert at.selectbox(key="xbc-ky").options[:4] == ["Năm 2026", "6 tháng đầu năm 2026", "6 tháng cuối năm 2026",
                                                      "Quý I năm 2026"]
    assert at.multiselect(key="xbc-dang-bo").value == ["BL03"]
    assert at.button(key="xbc-build")
    assert not at.download_button  # nothing is built before the button
    # the sidebar's months and branch kinds are the "Đang xem" line, but the file is the whole year
    assert any("bộ lọc tháng và loại chi bộ ở thanh bên không áp dụng" in m.value for m in at.markdown)


def test_build_makes_both_files_for_the_demo(demo_db):
    files = export.build(demo_db, 2025, ("BL03",), images=False)
    assert (files.xlsx_name, files.docx_name) == (XLSX_NAME.format(year=2025), DOCX_NAME.format(year=2025))
    assert files.xlsx_name == "tong-hop-sinh-hoat-chi-bo-2025.xlsx"
    assert files.docx_name == "bao-cao-chat-luong-sinh-hoat-chi-bo-2025.docx"
    assert files.warnings == []
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx))
    assert len(book.sheetnames) > 1
    cells = {str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None}
    assert any("Lộc Đức" in v for v in cells)
    assert not any("Lộc Thắng" in v for v in cells)  # one commune chosen: the others are left out
    text = "\n".join(p.text for p in Document(io.BytesIO(files.docx)).paragraphs)
    assert "2025" in text
    # one commune: its own name in lower-case kind, no plurals of a district
    assert "Đảng bộ xã Lộc Đức có 15 chi bộ trực thuộc." in text
    assert "\nĐảng ủy xã Lộc Đức tổ chức hội nghị Ban Chấp hành thường kỳ ở " in text
    assert "Trong năm 2025, Đảng bộ xã Lộc Đức đã gửi " in text
    assert "Các đảng ủy cơ sở" not in text and "các đảng bộ đã gửi" not in text and "Đảng bộ Xã" not in text
    # 2025 is over: the recruitment position is the year's target, not a pace
    assert "\nĐảng bộ xã Lộc Đức chưa đạt chỉ tiêu kết nạp (" in text and "tiến độ" not in text
    # the report's I10 figure is the indicator layer's
    with duckdb.connect(str(demo_db), read_only=True) as con:
        share = indicators.quality(con, indicators.Scope.for_year(2025, ("BL03",)), by="total").iloc[0]
    assert vn.percent(share["kha_tro_len_share"]) in text + "\n".join(
        c.text for t in Document(io.BytesIO(files.docx)).tables for r in t.rows for c in r.cells)


def test_build_warns_about_an_unknown_commune(demo_db):
    files = export.build(demo_db, 2025, ("ZZ9",), images=False)
    assert any("ZZ9" in w for w in files.warnings)


def test_the_button_builds_and_offers_both_downloads(app, demo_db):
    at = app(demo_db)
    at.multiselect(key="dang_bo").set_value(["BL03"]).run()
    at.switch_page(f"pages/{PAGE}.py")
    at.run()
    at.selectbox(key="xbc-nam").set_value(2025).run()
    at.selectbox(key="xbc-ky").set_value(0).run()   # the whole year
    at.button(key="xbc-build").click().run()
    assert not at.exception and not at.error
    assert [b.label for b in at.download_button] == ["Tải bảng tính Excel", "Tải báo cáo Word"]
    assert any("Đã tạo tệp tổng hợp năm 2025" in s.value for s in at.success)
    # another choice: the files made for the previous one are no longer offered
    at.multiselect(key="xbc-dang-bo").set_value([]).run()
    assert not at.download_button


def test_empty_warehouse_shows_a_message(app, empty_db):
    at = app(empty_db, page=PAGE)
    assert not at.error
    assert any("chưa có báo cáo" in i.value.lower() for i in at.info)


def test_the_page_gathers_the_data_once_and_draws_the_charts_once(demo_db, monkeypatch):
    """The page shares the command line's path: one collect, one chart render, not one collect
    for the workbook and another for the report."""
    import etl.outputs.export as export_api
    from etl.outputs.export import charts

    calls = {"collect": 0, "to_png": 0}

    def counted(name, real):
        def call(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(export_api, "collect", counted("collect", export_api.collect))
    monkeypatch.setattr(charts, "to_png", counted("to_png", charts.to_png))
    files = export.build(demo_db, 2025, ("BL03",), images=False)
    assert calls == {"collect": 1, "to_png": 1} and files.xlsx and files.docx


@pytest.mark.parametrize("text, said, named, buttons", [
    ("2025-Q3", "quý III năm 2025", "tong-hop-sinh-hoat-chi-bo-quy-3-2025.xlsx", 2),
    ("2025-10", "tháng 10 năm 2025", "tom-tat-thang-10-2025.docx", 3),   # a month: and its briefing
])
def test_the_page_makes_a_periods_files(app, demo_db, tmp_path, text, said, named, buttons):
    warehouse = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, warehouse)  # the export's audit rows stay out of the shared demo warehouse
    at = app(warehouse)
    at.switch_page(f"pages/{PAGE}.py")
    at.run()
    at.selectbox(key="xbc-nam").set_value(2025).run()
    at.selectbox(key="xbc-ky").set_value(periods_of(2025).index(Period.parse(text))).run()
    at.multiselect(key="xbc-dang-bo").set_value(["BL03"]).run()
    at.button(key="xbc-build").click().run()
    assert not at.exception and not at.error
    assert any(f"Đã tạo tệp tổng hợp {said} (1 đảng bộ)" in s.value for s in at.success)
    assert any(named in c.value.replace("\\", "") for c in at.caption)
    assert len(at.download_button) == buttons
