"""The dashboard's read API (ui.data): one named reader per indicator, with the indicator's own
arguments but the connection, so an editor jumps to it and a misspelt name fails at import."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

from etl import indicators
from ui import data

ROOT = Path(__file__).resolve().parents[1]
HELPERS = {"as_of_day", "lowest", "audit_trail"}  # not reads of a snapshot by a page (audit_trail: data.audit_trail)


def test_every_indicator_has_its_reader_with_its_arguments_but_the_connection():
    indicator_functions = {name for name, fn in inspect.getmembers(indicators, inspect.isfunction)
                           if fn.__module__ == indicators.__name__ and not name.startswith("_")} - HELPERS
    for name in indicator_functions:
        reader = getattr(data, name, None)
        assert reader is not None, f"ui.data has no reader for indicators.{name}"
        wanted = list(inspect.signature(getattr(indicators, name)).parameters)[1:]
        assert list(inspect.signature(reader).parameters) == wanted, name


def test_pages_call_readers_by_name_and_grains_by_the_enum():
    sources = {p.name: p.read_text(encoding="utf-8") for folder in ("pages", "ui")
               for p in (ROOT / folder).glob("*.py")}
    sources["dashboard.py"] = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    stringly = {name: re.findall(r"data\.call\(|getattr\(data,|\bby=\"[a-z_]+\"", text) for name, text in sources.items()}
    assert not {name: found for name, found in stringly.items() if found}
