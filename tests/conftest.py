"""Shared fixtures: a real DuckDB warehouse file with the test registry loaded."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from etl.access.accounts import Account
from builders import registry_book, write_book
from etl.ingest.load import load_paths
from etl.warehouse import db

ROOT = Path(__file__).resolve().parents[1]


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



DEMO = dict(communes=4, first="2025-01", last="2026-10")  # demo_db's and oddities_db's sample


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A realistic warehouse file: 4 communes, Jan 2025 – Oct 2026, loaded from generated reports
    with their received dates (as the demo of scripts/run.sh, smaller, and without its oddities)."""
    from etl.sample.demo import build_demo

    out = tmp_path_factory.mktemp("demo")
    path = out / "demo.duckdb"
    results = build_demo(out / "sample", path, **DEMO)
    assert not [r for r in results if r.status == "rejected"]
    return path


@pytest.fixture(scope="session")
def oddities_load(tmp_path_factory):
    """demo_db's sample with the oddities the demo of scripts/run.sh carries (etl.sample.oddities),
    loaded: (warehouse path, load results); the sample, and its oddities.csv, in `sample` beside it."""
    from etl.sample.demo import build_demo

    out = tmp_path_factory.mktemp("oddities")
    path = out / "demo.duckdb"
    return path, build_demo(out / "sample", path, **DEMO, oddities=True)


@pytest.fixture(scope="session")
def oddities_db(oddities_load) -> Path:
    """The warehouse of oddities_load, every file loaded."""
    path, results = oddities_load
    assert not [r for r in results if r.status == "rejected"]
    return path


@pytest.fixture(scope="session")
def many_db(tmp_path_factory):
    """24 communes, January–October 2026: more than a slide can show. Built by the command line in
    a process of its own: the loader forks its workers, and a fork of this process after AppTest
    runs (threads) can hang."""
    out = tmp_path_factory.mktemp("many")
    path = out / "many.duckdb"
    subprocess.run([sys.executable, "-m", "etl.sample", str(out / "sample"), "--communes", "24", "--first",
                    "2026-01", "--last", "2026-10", "--db", str(path)], cwd=ROOT, check=True, capture_output=True)
    return path


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory) -> Path:
    """A warehouse with the schema and no data at all."""
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    db.connect(path).close()
    return path


@pytest.fixture
def warehouse_file(tmp_path):
    """A warehouse file holding the builders' registry; no connection left open (the CLI writes)."""
    path = tmp_path / "kho" / "warehouse.duckdb"
    con = db.connect(path)
    [result] = load_paths(con, [write_book(tmp_path / "registry.xlsx", registry_book())])
    con.close()
    assert result.status == "loaded"
    return path


BOARD = Account("bantochuc", "ban_to_chuc")  # the organization board: every page and action


@pytest.fixture
def app(monkeypatch):
    """app(db_path, page=None, account=BOARD, **query) -> a rendered AppTest of dashboard.py on
    that warehouse, signed in as `account` (None: not signed in)."""
    from streamlit.testing.v1 import AppTest

    def _app(path, page=None, account=BOARD, **query):
        monkeypatch.setenv("WAREHOUSE_DB", str(path))
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        for k, v in query.items():
            at.query_params[k] = v
        if account is not None:
            at.session_state["_account"] = account
        at.run()
        if page:
            at.switch_page(f"pages/{page}.py")
            at.run()
        assert not at.exception, at.exception
        return at
    return _app
