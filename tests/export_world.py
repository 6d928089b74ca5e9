"""The December export's test world, shared by tests/test_export*.py: a small warehouse loaded
through the real loader from workbooks built by code (tests/builders.py), and readers of the
exported files.

Lộc Ngãi (X01) reports March and April 2024, Lộc Quảng (X02) March 2024; X03–X05 report
nothing (Lộc Thắng, X03, has a recruitment target of 5). Hand counts are in the tests' comments.
"""
from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from builders import S2, S4, clone, inspections_book, monthly_book, registry_book, targets_book, write_book
from etl.ingest.load import load_paths
from etl.outputs.export import export_year
from etl.warehouse import db

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2025, 1, 15)   # every 2024 deadline has passed: unreported months are 'missing'
YEAR = 2024
TOPIC = "=Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
FINDING = "=Không ban hành kết luận"   # inspections_book's Lộc Quảng finding, open, due 31/05/2024
ADVICE = "+Ban hành kết luận sau mỗi hội nghị"
TOPICS = {TOPIC: "Lộc Ngãi", "@Chuyên đề quý II": "Lộc Ngãi", "-Học tập Bác": "Lộc Quảng"}
RATING_HEADERS = ["Tên chi bộ", "Xếp loại tổ chức đảng", "Hoàn thành xuất sắc nhiệm vụ",
                  "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ", "Không hoàn thành nhiệm vụ"]


def _books() -> list[tuple[str, dict, datetime | None]]:
    march = clone(monthly_book())
    march[S2][4][9] = TOPIC                  # branch 0's thematic topic starts with '='
    april = clone(monthly_book(month=4))
    april[S2][7][5:12] = [None] * 7          # Chi bộ Trạm Y tế: no meeting in April
    april[S2][7][5] = "Không"
    april[S2][4][9] = "@Chuyên đề quý II"
    april[S4] = [RATING_HEADERS,
                 ["Chi bộ thôn 1", "Hoàn thành xuất sắc nhiệm vụ", 2, 15, 2, 0],
                 ["Chi bộ thôn 2", "Hoàn thành tốt nhiệm vụ", 1, 16, 3, 0],
                 ["Chi bộ Trường Tiểu học Lộc Ngãi", "Hoàn thành tốt nhiệm vụ", 0, 18, 3, 1],
                 ["Chi bộ Trạm Y tế", "Hoàn thành nhiệm vụ", 0, 10, 10, 2]]
    quang = monthly_book(commune="Lộc Quảng", branches=["Chi bộ thôn 1", "Chi bộ Công an xã"])
    quang[S2][4][9] = "-Học tập Bác"
    register = inspections_book()
    register["Sổ kiểm tra"][4][6] = ADVICE
    return [("registry.xlsx", registry_book(), None), ("targets.xlsx", targets_book(), None),
            ("inspections.xlsx", register, None),
            ("x01-03.xlsx", march, datetime(2024, 4, 3, 9)),    # on time (deadline 5 April)
            ("x01-04.xlsx", april, datetime(2024, 5, 10, 9)),   # late
            ("x02-03.xlsx", quang, datetime(2024, 4, 5, 16))]   # on time, on the deadline day


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    c = db.connect(folder / "w.duckdb")
    for name, book, received in _books():
        [result] = load_paths(c, [write_book(folder / "in" / name, book)], received_at=received)
        assert result.status == "loaded", (name, result.problems)
    yield c
    c.close()


@pytest.fixture(scope="module")
def exported(con, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = export_year(con, YEAR, out_dir=out, as_of=AS_OF, images=False)
    return result, openpyxl.load_workbook(result.xlsx), Document(str(result.docx))


def warehouse_copy(con, folder: Path) -> Path:
    """A copy of the module's warehouse file for a subprocess (the module's connection holds it)."""
    db_file = Path(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
                   .fetchone()[0])
    copy = folder / "copy.duckdb"
    con.execute("CHECKPOINT")
    shutil.copy(db_file, copy)
    return copy


def table(ws, header_row: int = 4) -> dict[str, dict[str, object]]:
    """{row name (column B): {header: value}} of a sheet with a two-row header: a column merged
    over both rows is keyed by its label, a sub-column by 'Group | Sub'."""
    heads, group = [], None
    for c in range(1, ws.max_column + 1):
        top, sub = ws.cell(header_row, c).value, ws.cell(header_row + 1, c).value
        if sub is None:
            heads.append(top)
            continue
        group = top if top is not None else group
        heads.append(f"{group} | {sub}")
    rows = {}
    for r in range(header_row + 2, ws.max_row + 1):
        name = ws.cell(r, 2).value
        if name:
            rows[name] = {h: ws.cell(r, c + 1).value for c, h in enumerate(heads)}
    return rows


def paragraphs(doc) -> list[str]:
    cells = [p.text for t in doc.tables for row in t.rows for cell in row.cells for p in cell.paragraphs]
    return [p.text for p in doc.paragraphs] + cells


