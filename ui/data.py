"""The dashboard's one way to the data: a read-only connection to the warehouse snapshot
(etl.warehouse.snapshot) and cached calls into the indicator layer. Pages never query.

`call("branch_meetings", scope, by="commune")` returns what `etl.indicators.branch_meetings`
returns, cached until the warehouse changes. Every call is narrowed to what the signed-in
account may see (ui.auth): a `xa` account's scopes cover its own commune only, and a call naming
another commune is refused, whatever the page or the URL asked for; and what an indicator
computes from every commune by itself (PROVINCE_WIDE) is taken out of its answer.
"""
from __future__ import annotations

import inspect
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from etl import audit, indicators, logins, settings
from etl.warehouse import db, snapshot
from ui import auth

# Indicator arguments that name one commune (besides the Scope every indicator takes).
COMMUNE_ARGUMENTS = ("commune", "commune_code")


def _own_attention(att: pd.DataFrame) -> pd.DataFrame:
    # The I5 rule compares a commune with the share of every commune, computed inside the
    # indicator where the narrowed scope does not reach: its message gives that share, and the
    # reason itself says the province is above the commune's figure.
    return att[att["reason"] != "i5_below"].reset_index(drop=True)


# What an account that does not see every commune must not get from an indicator's answer.
PROVINCE_WIDE = {"attention": _own_attention}


@dataclass(frozen=True)
class Source:
    con: duckdb.DuckDBPyConnection | None
    version: float  # snapshot mtime: the cache key of every result
    snap: snapshot.Snapshot


@st.cache_resource(max_entries=2, show_spinner=False)
def _open(path: str, version: float) -> duckdb.DuckDBPyConnection:
    # DuckDB keeps one database instance per file path in a process: while a connection to the
    # snapshot as it was before being replaced is open (the other cache entry), connect(path)
    # hands back that instance, i.e. the old data, for good. A hard link named after the version
    # is a path DuckDB has not seen, to the file as it is now.
    snap = Path(path)
    link = snap.with_name(f"{snap.stem}.v{round(version * 1e6)}{snap.suffix}")
    for old in snap.parent.glob(f"{snap.stem}.v*{snap.suffix}"):
        if old != link:
            try:
                old.unlink()  # a connection still open on it keeps reading its file
            except OSError:  # Windows refuses to remove an open file: next time
                continue
    try:
        os.link(snap, link)
    except FileExistsError:
        pass  # another session of the same version linked it first
    return duckdb.connect(str(link), read_only=True)


def source() -> Source:
    """The current snapshot, copied again when the warehouse changed and is free."""
    snap = snapshot.refresh(db.db_path())
    if snap.path is None:
        return Source(None, 0.0, snap)
    version = snap.path.stat().st_mtime
    return Source(_open(str(snap.path), version), version, snap)


@st.cache_data(max_entries=2000, show_spinner=False)
def _cached(path: str, version: float, today: date, settings_key: tuple, name: str, args: tuple, kwargs: tuple):
    # `today` is part of the key: deadlines (I15, overdue findings) move at midnight; and
    # `settings_key`: the thresholds of settings.toml, which the indicators read, may change.
    return getattr(indicators, name)(_open(path, version), *args, **dict(kwargs))


def _settings_key() -> tuple:
    """Which settings file the indicators read, and when it last changed."""
    path = settings.DEFAULT_PATH
    return str(path), path.stat().st_mtime if path.exists() else None


def current() -> Source:
    """The source dashboard.py opened for this run (pages run after it)."""
    if "_source" not in st.session_state:
        st.session_state["_source"] = source()
    return st.session_state["_source"]


def call(name: str, *args, **kwargs):
    """indicators.<name>(con, *args, **kwargs), cached per warehouse version."""
    src = current()
    if src.con is None:
        raise NoData(src.snap.error)
    args = tuple(auth.narrow(a) for a in args)
    kwargs = {k: auth.narrow(v) for k, v in kwargs.items()}
    named = inspect.signature(getattr(indicators, name)).bind(None, *args, **kwargs).arguments
    for key in COMMUNE_ARGUMENTS:
        if named.get(key) is not None and not auth.may("view_commune", named[key]):
            raise NoData("Tài khoản này chỉ được xem số liệu của đảng bộ mình.")
    result = _cached(str(src.snap.path), src.version, date.today(), _settings_key(), name, args,
                     tuple(sorted(kwargs.items())))
    if name in PROVINCE_WIDE and not auth.may("view_all"):
        result = PROVINCE_WIDE[name](result)
    return result


def audit_trail(since: date | None = None, actions: tuple[str, ...] = (), account: str | None = None,
                limit: int = audit.DEFAULT_LIMIT) -> pd.DataFrame:
    """The audit trail newest first (indicators.audit_trail's columns): the warehouse's, from the
    snapshot (cached), with the login attempts of the login file beside it, read now (a login
    changes no snapshot)."""
    stored = call("audit_trail", since, tuple(actions), account, limit)
    try:
        with logins.opened(db.db_path()) as con:
            attempts = logins.audit(con, since, limit, actions=actions, account=account)
    except db.WarehouseBusy as err:  # never the trail without its logins, unsaid
        raise NoData(str(err)) from err
    rows = audit.merge(stored.to_dict("records"), attempts, limit=limit)
    return pd.DataFrame(rows, columns=list(audit.COLUMNS))


class NoData(Exception):
    """No warehouse to read; the message (Vietnamese) says what to do."""
