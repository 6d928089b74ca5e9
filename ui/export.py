"""The 'Xuất báo cáo' page's build step: the workbook and Word draft for a period (a year, as in
December, or a month, quarter or half-year: etl.period) and a set of communes, made by etl.outputs.export on a read-only connection of its own to the dashboard's
warehouse snapshot (opened and closed here, so the cached page connection is never shared
with a seconds-long export).

    build(snapshot_path, 2025, ("BL01",)) -> Files(xlsx, docx, warnings, xlsx_name, docx_name)
    build(snapshot_path, Period.parse("2025-10"), ("BL01",)) -> Files(...)
"""
from __future__ import annotations

import os

import duckdb

from etl.outputs.export import Files, build_files
from etl.period import Period

__all__ = ["Files", "build"]


def build(path: str | os.PathLike, year: Period | int, communes=(), *, images: bool = True) -> Files:
    """Both files' bytes; `warnings` (Vietnamese) name an unknown commune or missing chart images.
    The command line's path (etl.outputs.export.build_files): one data gathering, the charts drawn
    while the workbook is written."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return build_files(con, year, tuple(communes), images=images)
    finally:
        con.close()
