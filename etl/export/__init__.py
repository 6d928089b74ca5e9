"""The December summary: an Excel workbook and a Word report draft for one year, whose numbers
are the indicator layer's (etl.indicators), so they equal what the dashboard shows.

    export_year(con, 2025, communes=(), out_dir=Path("data/export")) -> ExportResult
    build_workbook(con, 2025, communes=()) -> bytes        # for a download button
    build_report(con, 2025, communes=()) -> (bytes, warnings)

`con` is a DuckDB connection to the warehouse (read-only is enough); `communes` are commune
codes (empty = all). `as_of` (default: today) is the day "overdue" and "not reported yet" are
judged at, as on the dashboard. Chart images in the Word file need Chromium (charts.py);
without it the report is made without them and `warnings` says so.

Modules: data.py (every indicator call), workbook.py / xlsx.py / branches.py / charts_xlsx.py
(the .xlsx), report_text.py / report.py / charts.py (the .docx), labels.py (Vietnamese names).
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from etl.export import charts, report, workbook
from etl.export.data import YearData, collect
from etl.settings import Settings

XLSX_NAME = "tong-hop-sinh-hoat-chi-bo-{year}.xlsx"
DOCX_NAME = "bao-cao-chat-luong-sinh-hoat-chi-bo-{year}.docx"
DEFAULT_DIR = Path("data/export")

__all__ = ["ExportResult", "export_year", "build_workbook", "build_report", "collect",
           "XLSX_NAME", "DOCX_NAME", "DEFAULT_DIR"]


@dataclass
class ExportResult:
    xlsx: Path
    docx: Path
    warnings: list[str] = field(default_factory=list)


def workbook_bytes(data: YearData) -> bytes:
    return workbook.build(data)


def report_bytes(data: YearData, *, images: bool = True,
                 browser: str | os.PathLike | None = None) -> tuple[bytes, list[str]]:
    captioned = charts.figures(data) if images else []
    pngs, warnings = charts.to_png([fig for _, fig in captioned], browser)
    return report.build(data, pngs, [caption for caption, _ in captioned]), warnings


def build_workbook(con, year: int, communes=(), *, settings: Settings | None = None,
                   as_of: date | None = None) -> bytes:
    """The .xlsx file's bytes."""
    return workbook_bytes(collect(con, year, communes, settings, as_of))


def build_report(con, year: int, communes=(), *, settings: Settings | None = None,
                 as_of: date | None = None, images: bool = True,
                 browser: str | os.PathLike | None = None) -> tuple[bytes, list[str]]:
    """The .docx file's bytes and the warnings (no browser for the charts, unknown commune)."""
    data = collect(con, year, communes, settings, as_of)
    content, warnings = report_bytes(data, images=images, browser=browser)
    return content, data.warnings + warnings


def export_year(con, year: int, communes=(), out_dir: str | os.PathLike = DEFAULT_DIR, *,
                settings: Settings | None = None, as_of: date | None = None, images: bool = True,
                browser: str | os.PathLike | None = None) -> ExportResult:
    """Write both files into `out_dir` (created if needed); the indicator queries run once."""
    data = collect(con, year, communes, settings, as_of)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    xlsx, docx = out / XLSX_NAME.format(year=year), out / DOCX_NAME.format(year=year)
    captioned = charts.figures(data) if images else []
    # the images are drawn by the browser while Python writes the workbook (seconds saved at
    # province size); the thread only waits on Chromium, so the GIL is no obstacle
    drawn: dict = {}
    painter = threading.Thread(target=lambda: drawn.update(
        result=charts.to_png([fig for _, fig in captioned], browser)), daemon=True)
    painter.start()
    xlsx.write_bytes(workbook_bytes(data))
    painter.join()
    pngs, warnings = drawn.get("result", ([], ["Không vẽ được biểu đồ: báo cáo Word được tạo "
                                               "không có biểu đồ."]))
    docx.write_bytes(report.build(data, pngs, [caption for caption, _ in captioned]))
    return ExportResult(xlsx, docx, data.warnings + warnings)
