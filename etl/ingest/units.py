"""The unit registry in memory, and matching of hand-typed commune and branch names to codes.

Takes the registry rows (from the warehouse views, or from a registry workbook being loaded);
`match_*` return a Match: the code, or why there is none and the closest valid name.
Rules (SPEC §2): prefixes, case, NFC/NFD, tone placement and leading zeros never matter; a name
typed entirely without diacritics matches only when exactly one unit fits (with a warning);
a name that differs by a real letter or tone is a different name, never guessed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from etl import text


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    parent: str | None = None  # commune code of a branch
    kind: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    aliases: tuple[str, ...] = ()

    def active(self, first: date, last: date) -> bool:
        return (self.valid_from is None or self.valid_from <= last) and (
            self.valid_to is None or self.valid_to >= first)


@dataclass(frozen=True)
class Match:
    code: str | None
    status: str  # exact | unaccented | ambiguous | unknown
    suggestion: str | None = None  # closest valid name, for messages
    candidates: tuple[str, ...] = ()  # names that fit, for ambiguous


@dataclass
class Registry:
    communes: dict[str, Unit] = field(default_factory=dict)
    branches: dict[str, Unit] = field(default_factory=dict)

    @classmethod
    def from_db(cls, con) -> "Registry":
        reg = cls()
        for code, name, kind, vf, vt, aliases in con.execute(
                "SELECT commune_code, commune_name, kind, valid_from, valid_to, aliases FROM current_communes "
                "ORDER BY commune_code").fetchall():  # a fixed order: suggestions on a tie repeat
            reg.communes[code] = Unit(code, name, None, kind, vf, vt, tuple(aliases or ()))
        for code, name, parent, kind, vf, vt, aliases in con.execute(
                "SELECT branch_code, branch_name, commune_code, kind, valid_from, valid_to, aliases "
                "FROM current_branches ORDER BY branch_code").fetchall():
            reg.branches[code] = Unit(code, name, parent, kind, vf, vt, tuple(aliases or ()))
        return reg

    @classmethod
    def from_warehouse(cls, path: str | os.PathLike) -> "Registry":
        """The registry of the warehouse file at `path`, opened read-only; empty when there is no
        such file (it is never created). Raises db.WarehouseBusy when a load holds it too long."""
        from etl.warehouse import db  # here: the checks' worker processes never import DuckDB

        if not Path(path).exists():
            return cls()
        con = db.connect(path, read_only=True)
        try:
            return cls.from_db(con)
        finally:
            con.close()

    def branches_of(self, commune_code: str) -> list[Unit]:
        by_commune = self.__dict__.get("_by_commune")
        if by_commune is None:
            by_commune = self.__dict__["_by_commune"] = {}
            for u in self.branches.values():
                by_commune.setdefault(u.parent, []).append(u)
        return by_commune.get(commune_code, [])

    def match_commune(self, name: str) -> Match:
        return self._index(None).match(name)

    def match_branch(self, commune_code: str, name: str) -> Match:
        return self._index(commune_code).match(name)

    def _index(self, commune_code: str | None) -> "Index":
        cache = self.__dict__.setdefault("_indexes", {})
        if commune_code not in cache:
            units = self.branches_of(commune_code) if commune_code else list(self.communes.values())
            cache[commune_code] = Index(units)
        return cache[commune_code]


class Index:
    """Names of a set of units by matching key; answers are memoised (reports repeat names)."""

    def __init__(self, units: list[Unit]):
        self.by_code = {u.code.casefold(): u for u in units}
        self.by_key: dict[str, list[Unit]] = {}
        self.by_plain: dict[str, list[Unit]] = {}
        self.names: dict[str, Unit] = {}
        for u in units:
            for n in (u.name, *u.aliases):
                k = text.unit_key(n)
                for table, key in ((self.by_key, k), (self.by_plain, text.unaccented(k))):
                    if u not in table.setdefault(key, []):
                        table[key].append(u)
                self.names[n] = u
        self.memo: dict[str, Match] = {}

    def match(self, typed: str) -> Match:
        raw = text.clean(str(typed))
        if raw not in self.memo:
            self.memo[raw] = self._match(raw)
        return self.memo[raw]

    def _match(self, raw: str) -> Match:
        unit = self.by_code.get(raw.casefold())
        if unit:
            return Match(unit.code, "exact")
        wanted = text.unit_key(raw)
        exact = self.by_key.get(wanted, [])
        if len(exact) == 1:
            return Match(exact[0].code, "exact")
        if len(exact) > 1:
            return Match(None, "ambiguous", candidates=tuple(u.name for u in exact))
        if text.unaccented(raw) == text.key(raw):  # typed entirely without diacritics
            loose = self.by_plain.get(text.unaccented(wanted), [])
            if len(loose) == 1:
                return Match(loose[0].code, "unaccented", suggestion=loose[0].name)
            if len(loose) > 1:
                return Match(None, "ambiguous", candidates=tuple(u.name for u in loose))
        best = text.closest(raw, self.names, keyfn=lambda n: text.unaccented(text.unit_key(n)))
        return Match(None, "unknown", suggestion=self.names[best].name if best else None)

