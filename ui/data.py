"""The dashboard's one way to the data: a read-only connection to the warehouse snapshot
(etl.warehouse.snapshot) and cached calls into the indicator layer. Pages never query.

`call("branch_meetings", scope, by="commune")` returns what `etl.indicators.branch_meetings`
returns, cached until the warehouse changes. The calls are counted and kept beside the warehouse
(`<warehouse stem>.recent.json`): in a server started by ui.serve, the first time the process
sees a snapshot (at its start, and after each load) a thread makes the most used of them again,
so the views people open are computed before they are opened.

Every call is narrowed to what the signed-in account may see (ui.auth): a `xa` account's scopes
cover its own commune only, and a call naming another commune is refused, whatever the page or
the URL asked for; and what an indicator computes from every commune by itself (PROVINCE_WIDE)
is taken out of its answer.
"""
from __future__ import annotations

import dataclasses
import inspect
import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from etl import indicators, settings
from etl.access import audit, logins
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
    if PREFETCH:
        _prefetch_once(str(snap.path), version)
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
    items = tuple(sorted(kwargs.items()))
    result = _cached(str(src.snap.path), src.version, date.today(), _settings_key(), name, args, items)
    _count(name, args, items)
    if name in PROVINCE_WIDE and not auth.may("view_all"):
        result = PROVINCE_WIDE[name](result)
    return result


def every_commune(scope: indicators.Scope) -> bool:
    """Whether a total over `scope` sums every commune, so it goes by the whole organisation's
    name (labels.total_name): no commune chosen, and an account that sees them all."""
    return not scope.communes and auth.may("view_all")


def whole(name: str, scope: indicators.Scope, column: str):
    """`column` of indicators.<name>(by="total") over every commune, for the scope's months and
    branch kinds whatever communes are selected: the labels.TOTAL line of a chart by commune
    (the attention rule compares with it too). None for an account that sees its own commune only:
    narrowed to that commune, the line would be the commune's own figure under the province's name."""
    everyone = dataclasses.replace(scope, communes=())
    if not every_commune(everyone):
        return None
    return call(name, everyone, by="total").iloc[0][column]


def audit_trail(since: date | None = None, actions: tuple[str, ...] = (), account: str | None = None,
                limit: int = audit.DEFAULT_LIMIT) -> tuple[pd.DataFrame, int]:
    """The audit trail newest first (indicators.audit_trail's columns): the warehouse's, from the
    snapshot (cached), with the login attempts of the login file beside it, read now (a login
    changes no snapshot). No `actions` means every action but the sessions the browser's cookie
    brought back (a reload is one: they would bury the rest); the second value is how many of
    those that left out."""
    shown = tuple(actions) or tuple(a for a in audit.ACTION_VN if a != logins.RESUMED)
    stored = call("audit_trail", since, shown, account, limit)
    try:
        with logins.opened(db.db_path()) as con:
            attempts = logins.audit(con, since, limit, actions=shown, account=account)
            hidden = 0 if actions else logins.count(con, since, actions=(logins.RESUMED,), account=account)
    except db.WarehouseBusy as err:  # never the trail without its logins, unsaid
        raise NoData(str(err)) from err
    rows = audit.merge(stored.to_dict("records"), attempts, limit=limit)
    return pd.DataFrame(rows, columns=list(audit.COLUMNS)), hidden


# --- the calls people make, made again for a new snapshot ------------------------------------
# After a server start, and after every load (a new snapshot), the cache is empty: the first
# person to open a view waits for all its queries (a province's overview: ~20, ~0.7 s).

PREFETCH = False   # set by ui.serve: only a real server prefetches (not AppTest, not a test)
RECENT_MAX = 60    # the calls kept and made again, most used first
log = logging.getLogger("dashboard.data")
_lock = threading.Lock()
_prefetched: set[tuple[str, float]] = set()


def recent_path() -> Path:
    source = db.db_path()
    return source.with_name(source.stem + ".recent.json")


def _encode(value):
    """A JSON form of an indicator argument that _decode gives back equal (tuples stay tuples);
    TypeError for another kind (e.g. a Settings passed by a test): that call is not kept."""
    if isinstance(value, indicators.Scope):
        return {"Scope": [value.first, value.last, list(value.communes), list(value.branch_kinds)]}
    if isinstance(value, date) and not isinstance(value, datetime):
        return {"date": value.isoformat()}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v) for v in value]}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(type(value).__name__)


def _decode(value):
    if not isinstance(value, dict):
        return value
    (kind, v), = value.items()
    if kind == "Scope":
        return indicators.Scope(v[0], v[1], tuple(v[2]), tuple(v[3]))
    if kind == "date":
        return date.fromisoformat(v)
    return tuple(_decode(x) for x in v)


class _Recent:
    """The calls made on one warehouse: call (JSON) -> [uses, last use], read from its file."""

    def __init__(self, path: Path):
        self.path, self.clock = path, 0
        try:
            self.uses = {k: [int(n), 0] for k, n in json.loads(path.read_text(encoding="utf-8")).items()}
        except (OSError, ValueError, AttributeError, TypeError):  # none yet, or not ours: afresh
            self.uses = {}

    def ranked(self) -> list[str]:
        return sorted(self.uses, key=lambda k: (-self.uses[k][0], -self.uses[k][1]))[:RECENT_MAX]

    def count(self, key: str) -> dict[str, int] | None:
        """One more use; the table to write to the file when the call is new to it."""
        self.clock += 1
        new = key not in self.uses
        entry = self.uses.setdefault(key, [0, 0])
        entry[0], entry[1] = entry[0] + 1, self.clock
        if not new:
            return None
        kept = self.ranked()
        if len(self.uses) > 2 * RECENT_MAX:
            self.uses = {k: self.uses[k] for k in kept}
        return {k: self.uses[k][0] for k in kept}


_recent: dict[Path, _Recent] = {}


def _table() -> _Recent:
    """This warehouse's calls (under _lock)."""
    path = recent_path()
    if path not in _recent:
        _recent[path] = _Recent(path)
    return _recent[path]


def _count(name: str, args: tuple, items: tuple) -> None:
    try:
        key = json.dumps([name, _encode(args), _encode(items)], ensure_ascii=False)
    except TypeError:
        return
    with _lock:
        table = _table()
        kept = table.count(key)
    if kept is None:
        return
    try:
        tmp = table.path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(kept, ensure_ascii=False, indent=0), encoding="utf-8")
        tmp.replace(table.path)
    except OSError as err:  # a read-only folder: the dashboard works without it
        log.warning("cannot keep the recent calls in %s: %s", table.path, err)


def recent_calls() -> list[tuple[str, tuple, tuple]]:
    """The kept calls, most used first: (indicator name, args, sorted kwargs items)."""
    with _lock:
        keys = _table().ranked()
    calls = []
    for key in keys:
        name, args, items = json.loads(key)
        calls.append((name, _decode(args), _decode(items)))
    return calls


def prefetch(path: str, version: float) -> None:
    """Makes the kept calls on this snapshot, filling the cache."""
    for name, args, items in recent_calls():
        try:
            _cached(path, version, date.today(), _settings_key(), name, args, items)
        except Exception as err:  # noqa: BLE001  a call that no longer applies (a commune gone)
            log.info("prefetch %s skipped: %s", name, err)


def _prefetch_once(path: str, version: float) -> None:
    with _lock:
        if (path, version) in _prefetched:
            return
        _prefetched.add((path, version))
    threading.Thread(target=prefetch, args=(path, version), name="prefetch", daemon=True).start()


class NoData(Exception):
    """No warehouse to read; the message (Vietnamese) says what to do."""
