"""The pages' Excel downloads (page.table, page.excel_bytes): numbers arrive as numbers with an
Excel number format, so the board can add them up, while the screen shows Vietnamese text
(1.234; 85,3%); a cell without a figure keeps its words ('Chưa báo cáo', 'Không họp')."""
from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit import config
from streamlit.runtime.media_file_manager import MediaFileManager

from etl import vnformat as vn
from ui import page

ROOT = Path(__file__).resolve().parents[1]
# what a number looks like once formatted for the screen: 1.234 · 85,3% · -2 · +5
SCREEN_NUMBER = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d+)?%?$")
PAGES = ["tong_quan", "hoi_nghi_cap_uy", "sinh_hoat_chi_bo", "chat_luong", "phat_trien_dang_vien", "kiem_tra",
         "nop_bao_cao"]


def test_excel_bytes_writes_numbers_with_their_format_and_words_as_words():
    df = pd.DataFrame({"Đảng bộ": ["Xã A", "Xã B", "Xã C"], "Số buổi": [1234, 5, None],
                       "Tỷ lệ": [0.853, "Không họp", float("nan")]})
    formats = {"Số buổi": page.COUNT, "Tỷ lệ": page.SHARE}
    sheet = openpyxl.load_workbook(io.BytesIO(page.excel_bytes(df, "Thử", formats))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == [["Xã A", 1234, 0.853], ["Xã B", 5, "Không họp"], ["Xã C", vn.DASH, "Chưa báo cáo"]]
    assert sheet["B2"].number_format == "#,##0" and sheet["C2"].number_format == "0.0%"
    # the screen shows the same values as Vietnamese text
    assert [page.COUNT.shown(v) for v in df["Số buổi"]] == ["1.234", "5", vn.DASH]
    assert [page.SHARE.shown(v) for v in df["Tỷ lệ"]] == ["85,3%", "Không họp", "Chưa báo cáo"]


@pytest.mark.parametrize("name", ["sinh-hoat-Chi bộ thôn 1/2 [cũ]: *?\\", "'Chi bộ 'x'", "[]:*?/\\", "x" * 40])
def test_a_table_named_after_a_unit_downloads_whatever_the_name(name):
    """The sheet takes the table's name as Excel allows it (no []:*?/\\, 31 characters, no
    apostrophe at an end); a text that looks like a formula stays text."""
    df = pd.DataFrame({"Chi bộ": ['=HYPERLINK("http://evil.example/","Bấm")', "@x", "+1", "-"]})
    sheet = openpyxl.load_workbook(io.BytesIO(page.excel_bytes(df, name))).active
    assert not re.search(r"[\[\]:*?/\\]", sheet.title) and 0 < len(sheet.title) <= 31
    assert sheet.title[0] != "'" and sheet.title[-1] != "'"
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [(v, "s") for v in df["Chi bộ"]]


def test_streamlits_own_csv_download_is_off():
    """A table's toolbar offers no CSV (nor copying cells): both hand a spreadsheet the cells
    unquoted, and a topic a commune typed as =HYPERLINK(…) became a formula in the board's Excel.
    The pages' own Excel download writes it as text (above). tests/test_browser.py sees the toolbar."""
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["client"]["disableDataExport"] is True
    assert config.get_option("client.disableDataExport") in (True, False)  # Streamlit's name for it


@pytest.fixture
def workbooks(monkeypatch):
    """{file name: bytes builder} of every Excel download a page run offers (built on click)."""
    found: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def record(self, data, mimetype, coordinates, file_name=None, **kwargs):
        found[file_name] = data
        return original(self, data, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return found


@pytest.mark.parametrize("name", PAGES)
def test_every_downloaded_table_holds_numbers_not_their_screen_text(app, demo_db, workbooks, name):
    at = app(demo_db, page=name)
    assert not at.error, [e.value for e in at.error]
    assert workbooks, name
    numbers = 0
    for file_name, build in workbooks.items():
        sheet = openpyxl.load_workbook(io.BytesIO(build())).active
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                assert not (isinstance(cell.value, str) and SCREEN_NUMBER.match(cell.value)), \
                    (file_name, cell.coordinate, cell.value, sheet.cell(1, cell.column).value)
                if isinstance(cell.value, (int, float)):
                    numbers += 1
                    assert cell.number_format != "General" or float(cell.value).is_integer(), \
                        (file_name, cell.coordinate)  # a share or decimal has its Excel format
    if name != "tong_quan":  # the attention list is words only
        assert numbers, name
