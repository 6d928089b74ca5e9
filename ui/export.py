"""The 'Xuất báo cáo' page's build step: the December workbook and Word draft for a year and a
set of communes, made by etl.export on a read-only connection of its own to the dashboard's
warehouse snapshot (opened and closed here, so the cached page connection is never shared
with a seconds-long export).

    build(snapshot_path, 2025, ("BL01",)) -> Files(xlsx, docx, warnings, xlsx_name, docx_name)
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import duckdb

from etl.export import DOCX_NAME, XLSX_NAME, build_report, build_workbook


@dataclass(frozen=True)
class Files:
    xlsx: bytes
    docx: bytes
    warnings: list[str] = field(default_factory=list)
    xlsx_name: str = ""
    docx_name: str = ""


def build(path: str | os.PathLike, year: int, communes=(), *, images: bool = True) -> Files:
    """Both files' bytes; `warnings` (Vietnamese) name an unknown commune or missing chart images."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        xlsx = build_workbook(con, year, tuple(communes))
        docx, warnings = build_report(con, year, tuple(communes), images=images)
    finally:
        con.close()
    return Files(xlsx, docx, list(warnings), XLSX_NAME.format(year=year), DOCX_NAME.format(year=year))
