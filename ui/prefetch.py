"""The indicator calls people make, made again when a server process first sees a snapshot.

After a server start, and after every load (a new snapshot), the dashboard's cache is empty: the
first person to open a view would wait for all its queries (a province's overview: ~20, ~0.7 s).
So ui.data counts every call (`count`) in a file beside the warehouse (`<warehouse
stem>.recent.json`), and the first time a server process sees a snapshot (`on_snapshot`) a thread
makes the most used of them again. Only a server started by ui.serve does this (`enable`): not
AppTest, not a test, not plain `streamlit run`.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from etl import indicators
from etl.warehouse import db

RECENT_MAX = 60    # the calls kept and made again, most used first
log = logging.getLogger("dashboard.data")
_lock = threading.Lock()
_prefetched: set[tuple] = set()
_enabled = False


def enable() -> None:
    """This process is a server: prefetch on each new snapshot (ui.serve)."""
    global _enabled
    _enabled = True


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


def count(name: str, args: tuple, items: tuple) -> None:
    """One more use of this call, kept in the warehouse's file when it is new there."""
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


def prefetch(make: Callable[[str, tuple, tuple], object]) -> None:
    """make(name, args, items) for each kept call, filling the cache it fills."""
    for name, args, items in recent_calls():
        try:
            make(name, args, items)
        except Exception as err:  # noqa: BLE001  a call that does not apply any more (a commune gone)
            log.info("prefetch %s skipped: %s", name, err)


def on_snapshot(key: tuple, make: Callable[[str, tuple, tuple], object]) -> None:
    """The first time this process sees the snapshot `key` (path, version), and only in a server
    that enabled it: prefetch(make) in a thread of its own."""
    if not _enabled:
        return
    with _lock:
        if key in _prefetched:
            return
        _prefetched.add(key)
    threading.Thread(target=prefetch, args=(make,), name="prefetch", daemon=True).start()


