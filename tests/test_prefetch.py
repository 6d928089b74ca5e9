"""The indicator calls the pages make are counted beside the warehouse and made again when a
server process first sees a snapshot (ui.prefetch)."""
from __future__ import annotations

import json
import shutil
import threading
from datetime import date

import streamlit as st

from conftest import BOARD
from etl import indicators
from etl.settings import load_settings
from ui import data, prefetch


def counted(monkeypatch, names) -> list[str]:
    """Every call of these indicators from now on, by name (also one indicator's call of another)."""
    made = []
    for name in set(names):
        def wrapper(*args, _real=getattr(indicators, name), _name=name, **kwargs):
            made.append(_name)
            return _real(*args, **kwargs)
        monkeypatch.setattr(indicators, name, wrapper)
    return made


def test_what_a_page_asked_is_ready_before_it_is_opened_again(app, demo_db, tmp_path, monkeypatch):
    db_path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, db_path)
    st.cache_data.clear()
    app(db_path, page="tong_quan")
    kept = json.loads((tmp_path / "warehouse.recent.json").read_text(encoding="utf-8"))
    assert any(key.startswith('["attention"') for key in kept)

    prefetch._recent.clear()  # a new server process: the calls come from the file
    calls = prefetch.recent_calls()
    assert [c[0] for c in calls].count("attention") == 1 and len(calls) == len(kept)
    assert all(isinstance(args[0], indicators.Scope) for name, args, _ in calls if name == "attention")
    st.cache_data.clear()
    made = counted(monkeypatch, [c[0] for c in calls])
    monkeypatch.setattr(prefetch, "_enabled", True)
    data.source()  # the first time this process sees the snapshot: a thread makes the calls again
    for thread in [t for t in threading.enumerate() if t.name == "prefetch"]:
        thread.join(timeout=60)
    assert {c[0] for c in calls} <= set(made)  # (an indicator may call others: attention does)
    data.source()  # the same snapshot again: nothing more
    assert not [t for t in threading.enumerate() if t.name == "prefetch"]

    made.clear()
    at = app(db_path, page="tong_quan")  # every figure of the page was ready
    assert made == [] and at.metric


def test_calls_that_cannot_be_kept_and_a_spoilt_file_are_left_aside(warehouse_file, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_DB", str(warehouse_file))
    scope = indicators.Scope("2026-01", "2026-03", ("BL01",), ("Thôn",))
    args = (scope, date(2026, 3, 31), ("a", ("b", None)), 2, None)
    assert prefetch._decode(json.loads(json.dumps(prefetch._encode(args)))) == args
    prefetch.recent_path().write_text("không phải JSON", encoding="utf-8")
    prefetch._recent.clear()
    assert prefetch.recent_calls() == []
    prefetch.count("attention", (scope, load_settings()), ())  # a Settings: not kept
    prefetch.count("communes", (scope,), ())
    prefetch.count("branch_meetings", (scope,), (("by", "commune"),))
    prefetch.count("branch_meetings", (scope,), (("by", "commune"),))
    assert prefetch.recent_calls() == [("branch_meetings", (scope,), (("by", "commune"),)), ("communes", (scope,), ())]
    prefetch._recent.clear()
    assert [c[0] for c in prefetch.recent_calls()] == ["branch_meetings", "communes"]  # as written to the file
