"""The dashboard's one way to the data: a read-only connection to the warehouse snapshot
(etl.warehouse.snapshot) and cached calls into the indicator layer. Pages never query.

Each indicator of etl.indicators has its reader here, of the same name and arguments but the
connection: `data.branch_meetings(scope, by=Grain.COMMUNE)` returns what
`indicators.branch_meetings(con, scope, by=Grain.COMMUNE)` returns on the current snapshot,
cached until the warehouse changes. Each call is counted for ui.prefetch, which makes the most
used again when a server first sees a new snapshot.

Every call is narrowed to what the signed-in account may see (ui.auth): a `xa` account's scopes
cover its own commune only, and a call naming another commune is refused, whatever the page or
the URL asked for; and what an indicator computes from every commune by itself (PROVINCE_WIDE)
is taken out of its answer.
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from etl import indicators, settings
from etl.access import audit, logins, rights
from etl.ingest.check import FileResult
from etl.warehouse import db, originals, rejections, snapshot
from ui import auth, prefetch

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
    prefetch.on_snapshot((str(snap.path), version),
                         lambda name, args, items: _cached(str(snap.path), version, date.today(), _settings_key(),
                                                           name, args, items))
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


_SOURCE = "_source"  # session key of this run's source; written by `use` only


def use(src: Source) -> Source:
    """Makes `src` the source every reader of this run reads (dashboard.py, before the page runs)."""
    st.session_state[_SOURCE] = src
    return src


def current() -> Source:
    """The source dashboard.py chose for this run (`use`); a page run on its own opens one."""
    if _SOURCE not in st.session_state:
        use(source())
    return st.session_state[_SOURCE]


def _plain(value):
    """An argument as the cache and ui.prefetch's file see it: a Grain as its text."""
    return value.value if isinstance(value, Enum) else value


def _call(name: str, *args, **kwargs):
    """indicators.<name>(con, *args, **kwargs) on the current snapshot, narrowed to what the
    signed-in account may see, cached per warehouse version."""
    src = current()
    if src.con is None:
        raise NoData(src.snap.error)
    args = tuple(auth.narrow(_plain(a)) for a in args)
    kwargs = {k: auth.narrow(_plain(v)) for k, v in kwargs.items()}
    named = inspect.signature(getattr(indicators, name)).bind(None, *args, **kwargs).arguments
    for key in COMMUNE_ARGUMENTS:
        if named.get(key) is not None and not auth.may("view_commune", named[key]):
            raise NoData("Tài khoản này chỉ được xem số liệu của đảng bộ mình.")
    items = tuple(sorted(kwargs.items()))
    result = _cached(str(src.snap.path), src.version, date.today(), _settings_key(), name, args, items)
    prefetch.count(name, args, items)
    if name in PROVINCE_WIDE and not auth.may("view_all"):
        result = PROVINCE_WIDE[name](result)
    return result


def _reader(indicator: Callable) -> Callable:
    """The reader of one indicator: its arguments but the connection, through _call."""
    @functools.wraps(indicator)
    def read(*args, **kwargs):
        return _call(indicator.__name__, *args, **kwargs)
    params = list(inspect.signature(indicator).parameters.values())[1:]
    read.__signature__ = inspect.signature(indicator).replace(parameters=params)
    return read


# --- the readers: one per indicator, the same name and arguments but the connection ------------
committee = _reader(indicators.committee)
branch_meetings = _reader(indicators.branch_meetings)
quality = _reader(indicators.quality)
well_attended = _reader(indicators.well_attended)
thematic = _reader(indicators.thematic)
meeting_details = _reader(indicators.meeting_details)
branch_month_details = _reader(indicators.branch_month_details)
recruitment = _reader(indicators.recruitment)
recruitment_progress = _reader(indicators.recruitment_progress)
inspections = _reader(indicators.inspections)
overdue_findings = _reader(indicators.overdue_findings)
open_findings = _reader(indicators.open_findings)
submissions = _reader(indicators.submissions)
submission_versions = _reader(indicators.submission_versions)
coverage = _reader(indicators.coverage)
annual_ratings = _reader(indicators.annual_ratings)
attention = _reader(indicators.attention)
data_quality = _reader(indicators.data_quality)
data_quality_counts = _reader(indicators.data_quality_counts)
communes = _reader(indicators.communes)
branches = _reader(indicators.branches)
branch_kinds = _reader(indicators.branch_kinds)
available_periods = _reader(indicators.available_periods)
period_bounds = _reader(indicators.period_bounds)
last_loaded_at = _reader(indicators.last_loaded_at)


def every_commune(scope: indicators.Scope) -> bool:
    """Whether a total over `scope` sums every commune, so it goes by the whole organisation's
    name (labels.total_name): no commune chosen, and an account that sees them all."""
    return not scope.communes and auth.may("view_all")


def whole(read: Callable, scope: indicators.Scope, column: str):
    """`column` of read(by=Grain.TOTAL) (one of the readers above) over every commune, for the
    scope's months and branch kinds whatever communes are selected: the labels.TOTAL line of a
    chart by commune (the attention rule compares with it too). None for an account that sees its
    own commune only: narrowed to that commune, the line would be the commune's own figure under
    the province's name."""
    everyone = dataclasses.replace(scope, communes=())
    if not every_commune(everyone):
        return None
    return read(everyone, by=indicators.Grain.TOTAL).iloc[0][column]


def audit_trail(since: date | None = None, actions: tuple[str, ...] = (), account: str | None = None,
                limit: int = audit.DEFAULT_LIMIT) -> tuple[pd.DataFrame, int]:
    """The audit trail newest first (indicators.audit_trail's columns): the warehouse's, from the
    snapshot (cached), with the login attempts of the login file beside it, read now (a login
    changes no snapshot). No `actions` means every action but the sessions the browser's cookie
    brought back (a reload is one: they would bury the rest); the second value is how many of
    those that left out."""
    shown = tuple(actions) or tuple(a for a in audit.ACTION_VN if a != logins.RESUMED)
    stored = _call("audit_trail", since, shown, account, limit)
    try:
        with logins.opened(db.db_path()) as con:
            attempts = logins.audit(con, since, limit, actions=shown, account=account)
            hidden = 0 if actions else logins.count(con, since, actions=(logins.RESUMED,), account=account)
    except db.WarehouseBusy as err:  # never the trail without its logins, unsaid
        raise NoData(str(err)) from err
    rows = audit.merge(stored.to_dict("records"), attempts, limit=limit)
    return pd.DataFrame(rows, columns=list(audit.COLUMNS)), hidden


def backup_status() -> dict | None:
    """The outcome of the server's last nightly backup (etl.warehouse.backup.last_status)."""
    from etl.warehouse import backup

    return backup.last_status(db.db_path())


def report_versions(scope: indicators.Scope, commune: str) -> list[dict]:
    """Every version of `commune`'s monthly reports in the scope's months, newest month first
    (etl.warehouse.originals.versions_between), for an account that may view that commune."""
    src = current()
    if src.con is None:
        raise NoData(src.snap.error)
    if not auth.may("view_commune", commune):
        raise NoData("Tài khoản này chỉ được xem số liệu của đảng bộ mình.")
    with src.con.cursor() as cursor:
        return originals.versions_between(cursor, commune, scope.first, scope.last)


def original_commune(sha256: str) -> str | None:
    """The commune whose monthly report a content was loaded as (etl.warehouse.originals.commune_of)."""
    src = current()
    if src.con is None:
        raise NoData(src.snap.error)
    with src.con.cursor() as cursor:
        return originals.commune_of(cursor, sha256)


def rejection(at, file_name: str | None, sha256: str) -> FileResult | None:
    """The stored problems of the rejection an audit row records (etl.warehouse.rejections.at_row;
    None: none stored), for an account that may have its file (etl.access.rights.may_view_file)."""
    src = current()
    if src.con is None:
        raise NoData(src.snap.error)
    with src.con.cursor() as cursor:
        if not rights.may_view_file(auth.current(), originals.commune_of(cursor, sha256)):
            raise NoData("Tài khoản này không được xem tệp này.")
        return rejections.at_row(cursor, at, file_name, sha256)


class NoData(Exception):
    """No warehouse to read; the message (Vietnamese) says what to do."""
