"""Staying signed in when the page is reloaded.

A reload, a second tab or a link opened in the same browser is a new Streamlit session; without
this its user signs in again. At sign-in the server makes a random token and keeps only its
SHA-256 here, in memory, with the account name and the times; the browser keeps the token in the
cookie COOKIE (SameSite=Strict, no expiry date: it ends when the browser closes). A new session
that brings a known token used within the idle time gets its account back, and ui.auth.gate then
checks that account against the accounts table as it checks any session (locked, changed or given
a new password since the sign-in: signed out). Every run of a session holding the token marks it
used; signing out forgets it, which ends the other tabs' sessions too. Tokens live in the
server's memory only: a restart signs everybody out, and no token lies on disk to be copied.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from ui import streamlit_internals as internals

COOKIE = "bantochuc_phien"
# The browser stores the token right after the sign-in, and drops it on the login page after a
# sign-out unless another tab has stored a new one since (%s: a token, URL-safe characters only).
# The element takes no room on the page (its CSS hides it: no gap above the title).
SET_JS = ('<style>' + internals.testid("stElementContainer") + ':has(#keep-signed-in) { display: none; }</style>'
          '<script id="keep-signed-in">document.cookie = "' + COOKIE + '=%s; Path=/; SameSite=Strict"'
          ' + (location.protocol === "https:" ? "; Secure" : "");</script>')
CLEAR_JS = ('<script>if (document.cookie.split("; ").includes("' + COOKIE + '=%s"))'
            ' document.cookie = "' + COOKIE + '=; Path=/; Max-Age=0; SameSite=Strict";</script>')


@dataclass
class Entry:
    name: str
    signed_in: datetime
    seen: datetime


_lock = threading.Lock()
_entries: dict[str, Entry] = {}


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def issue(name: str, signed_in: datetime, idle: timedelta, now: datetime | None = None) -> str:
    """A new token for `name`, signed in at `signed_in`; tokens idle longer than `idle` are dropped."""
    now = now or datetime.now()
    token = secrets.token_urlsafe(32)
    with _lock:
        for key in [k for k, e in _entries.items() if now - e.seen > idle]:
            del _entries[key]
        _entries[_key(token)] = Entry(name, signed_in, now)
    return token


def resume(token: str | None, idle: timedelta, now: datetime | None = None, *, touch: bool = True) -> Entry | None:
    """The entry of a token used within `idle` (with `touch`, marked used now), or None: unknown,
    forgotten or idle (then forgotten)."""
    if not isinstance(token, str) or not token:
        return None
    now = now or datetime.now()
    with _lock:
        entry = _entries.get(_key(token))
        if entry is None:
            return None
        if now - entry.seen > idle:
            del _entries[_key(token)]
            return None
        if touch:
            entry.seen = now
        return Entry(entry.name, entry.signed_in, entry.seen)


def forget(token: str | None) -> None:
    if token:
        with _lock:
            _entries.pop(_key(token), None)
