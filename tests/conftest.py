"""Shared fixtures: a real DuckDB warehouse file with the test registry loaded."""
from __future__ import annotations

import pytest

from builders import registry_book, write_book
from etl.load import load_paths
from etl.warehouse import db


@pytest.fixture
def warehouse(tmp_path):
    """A writable connection to a fresh warehouse file holding the builders' unit registry."""
    con = db.connect(tmp_path / "warehouse.duckdb")
    [result] = load_paths(con, [write_book(tmp_path / "registry.xlsx", registry_book())])
    assert result.status == "loaded", result.problems
    yield con
    con.close()


@pytest.fixture
def load(warehouse, tmp_path):
    """load(book, name=...) -> FileResult: writes the workbook and loads it into `warehouse`."""
    def _load(book, name="report.xlsx", merges=None):
        [result] = load_paths(warehouse, [write_book(tmp_path / "in" / name, book, merges)])
        return result
    return _load

