"""The indicator queries of the warehouse: `run(con, name, **params)` runs
sql/indicators/<name>.sql with its parameters bound. etl.indicators reaches its SQL only through
this module, so its import says that the figures come from the warehouse."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

INDICATORS = Path(__file__).resolve().parent / "sql" / "indicators"


@lru_cache(maxsize=None)
def text(name: str) -> tuple[str, frozenset[str]]:
    """Text of sql/indicators/<name>.sql and the $parameters its body uses (comments aside)."""
    sql = (INDICATORS / f"{name}.sql").read_text(encoding="utf-8")
    body = re.sub(r"--[^\n]*", "", sql)
    return sql, frozenset(re.findall(r"\$([a-z_]+)", body))


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """The rows of sql/indicators/<name>.sql, bound to those of `params` it names."""
    sql, used = text(name)
    # DuckDB refuses parameters a statement does not use, so bind exactly those it names
    bound = {key: params[key] for key in used}
    # a cursor per query: a shared connection (Streamlit caches one) is not thread-safe
    with con.cursor() as cursor:
        return cursor.execute(sql, bound).df()
