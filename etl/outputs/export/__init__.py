"""The summary of a period: an Excel workbook and a Word report draft for a year (December's),
a month, a quarter or a half-year (etl.period: 2025, '2025-10', '2025-Q3', '2025-H1'), whose
numbers are the indicator layer's (etl.indicators), so they equal what the dashboard shows.
File names carry the period's slug (tong-hop-sinh-hoat-chi-bo-2025-6-thang-dau-nam.xlsx).

    build_files(con, 2025, communes=()) -> Files           # both files' bytes (the dashboard page)
    export_year(con, 2025, communes=(), out_dir=Path("data/export")) -> ExportResult  # (command line)
    build_workbook(con, 2025, communes=()) -> bytes        # one file only
    build_report(con, 2025, communes=()) -> (bytes, warnings)

build_files is the one path of the page and the command line (export_year writes its result):
the indicator queries run once, and the browser draws the chart images while Python writes the
workbook.

`year` is a year, a period's text or a Period (etl.period.period_of); `con` is a DuckDB
connection to the warehouse (read-only is enough); `communes` are commune
codes (empty = all). `as_of` (default: today) is the day "overdue" and "not reported yet" are
judged at, as on the dashboard. Chart images in the Word file need Chromium (charts.py);
without it the report is made without them and `warnings` says so.

Modules: data.py (every indicator call), workbook.py / xlsx.py / branches.py / charts_xlsx.py
(the .xlsx), report_text.py / period_text.py / report.py / charts.py (the .docx), labels.py
(Vietnamese names).
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from etl.outputs import briefing
from etl.outputs.export import charts, report, workbook
from etl.outputs.export.data import YearData, collect
from etl.period import Period
from etl.settings import Settings

# {year} is the period's slug (Period.file_words): the year itself for a year, thang-10-2026, quy-3-2026, ...
XLSX_NAME = "tong-hop-sinh-hoat-chi-bo-{year}.xlsx"
DOCX_NAME = "bao-cao-chat-luong-sinh-hoat-chi-bo-{year}.docx"
DEFAULT_DIR = Path("data/export")

__all__ = ["ExportResult", "Files", "build_files", "export_year", "build_workbook", "build_report",
           "collect", "XLSX_NAME", "DOCX_NAME", "DEFAULT_DIR"]


@dataclass
class ExportResult:
    xlsx: Path
    docx: Path
    warnings: list[str] = field(default_factory=list)
    briefing: Path | None = None      # a month's one-page briefing (etl.outputs.briefing)


@dataclass(frozen=True)
class Files:
    xlsx: bytes
    docx: bytes
    warnings: list[str] = field(default_factory=list)
    xlsx_name: str = ""
    docx_name: str = ""
    briefing: bytes = b""             # a month's one-page briefing; empty for longer periods
    briefing_name: str = ""


def workbook_bytes(data: YearData) -> bytes:
    return workbook.build(data)


def report_bytes(data: YearData, *, images: bool = True,
                 browser: str | os.PathLike | None = None) -> tuple[bytes, list[str]]:
    captioned = charts.figures(data) if images else []
    pngs, warnings = charts.to_png([fig for _, fig in captioned], browser)
    return report.build(data, pngs, [caption for caption, _ in captioned]), warnings


def build_workbook(con, year: Period | int | str, communes=(), *, settings: Settings | None = None,
                   as_of: date | None = None) -> bytes:
    """The .xlsx file's bytes."""
    return workbook_bytes(collect(con, year, communes, settings, as_of))


def build_report(con, year: Period | int | str, communes=(), *, settings: Settings | None = None,
                 as_of: date | None = None, images: bool = True,
                 browser: str | os.PathLike | None = None) -> tuple[bytes, list[str]]:
    """The .docx file's bytes and the warnings (no browser for the charts, unknown commune)."""
    data = collect(con, year, communes, settings, as_of)
    content, warnings = report_bytes(data, images=images, browser=browser)
    return content, data.warnings + warnings


def build_files(con, year: Period | int | str, communes=(), *, settings: Settings | None = None,
                as_of: date | None = None, images: bool = True,
                browser: str | os.PathLike | None = None) -> Files:
    """Both files' bytes and the warnings (unknown commune, no browser for the charts); for a
    month, the one-page briefing too."""
    data = collect(con, year, communes, settings, as_of)
    captioned = charts.figures(data) if images else []
    # the images are drawn by the browser while Python writes the workbook (seconds saved at
    # province size); the thread only waits on Chromium, so the GIL is no obstacle
    drawn: dict = {}
    painter = threading.Thread(target=lambda: drawn.update(
        result=charts.to_png([fig for _, fig in captioned], browser)), daemon=True)
    painter.start()
    xlsx = workbook_bytes(data)
    painter.join()
    pngs, warnings = drawn.get("result", ([], ["Không vẽ được biểu đồ: báo cáo Word được tạo "
                                               "không có biểu đồ."]))
    docx = report.build(data, pngs, [caption for caption, _ in captioned])
    files = Files(xlsx, docx, data.warnings + warnings, XLSX_NAME.format(year=data.period.file_words),
                  DOCX_NAME.format(year=data.period.file_words))
    if data.period.kind != "month":
        return files
    return replace(files, briefing=briefing.build(con, data.period, communes, data.settings, as_of),
                   briefing_name=briefing.NAME.format(slug=data.period.file_words))


def export_year(con, year: Period | int | str, communes=(), out_dir: str | os.PathLike = DEFAULT_DIR, *,
                settings: Settings | None = None, as_of: date | None = None, images: bool = True,
                browser: str | os.PathLike | None = None) -> ExportResult:
    """Write both files of build_files into `out_dir` (created if needed), and a month's briefing."""
    files = build_files(con, year, communes, settings=settings, as_of=as_of, images=images,
                        browser=browser)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    xlsx, docx = out / files.xlsx_name, out / files.docx_name
    xlsx.write_bytes(files.xlsx)
    docx.write_bytes(files.docx)
    brief = out / files.briefing_name if files.briefing else None
    if brief is not None:
        brief.write_bytes(files.briefing)
    return ExportResult(xlsx, docx, files.warnings, brief)
