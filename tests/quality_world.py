"""Warehouses for the data-quality tests, written by code through the loader's own writer
(db.write_loads), so the rules run over the real tables, views and report versions.

One commune Q ('Xã Quế', or another: several Worlds may share a file) with branches Q1..Qn (registry); `World.report` writes one monthly
report version: branch rows (members_total, held, attended, quality), sheet 3 changes per branch
and the Ban Chấp hành's size, with where each field was read (sheet 2's members_total in column
D, attended in H, data from row 5: branch i on row 5 + i).
"""
from __future__ import annotations

from pathlib import Path

from etl.period import Month
from etl.warehouse import db

SHEET2, SHEET1 = "2. Sinh hoạt chi bộ", "1. Hội nghị cấp ủy"
COLUMNS = [{"form": "branch_meetings", "field": f, "sheet": SHEET2, "col": c}
           for f, c in (("branch_name", 2), ("members_total", 3), ("members_attended", 7))] + \
          [{"form": "committee_meetings", "field": "members_total", "sheet": SHEET1, "col": 3}]


def month_after(period: str, n: int = 1) -> str:
    month = Month.parse(period)
    for _ in range(n):
        month = month.next()
    return str(month)


class World:
    def __init__(self, path: Path, branches: int = 6, commune: str = "Q", name: str = "Xã Quế"):
        self.con = db.connect(path)
        self.commune = commune
        self.codes = [f"{commune}{i + 1}" for i in range(branches)]
        rows = {"communes": [{"code": commune, "name": name, "kind": "Xã", "aliases": []}],
                "branches": [{"code": c, "name": f"Chi bộ thôn {i + 1}", "commune_code": commune,
                              "kind": "Thôn", "aliases": []} for i, c in enumerate(self.codes)]}
        self.n = 0
        self._write("registry", {}, rows)

    def _write(self, kind: str, meta: dict, rows: dict) -> int:
        self.n += 1
        return db.write_loads(self.con, [{"kind": kind, "source_file": f"f{self.n}.xlsx", "sha256": str(self.n),
                                          "received_at": None, "meta": meta, "rows": rows}])[0]

    def report(self, period: str, totals: dict | None = None, *, attended: dict | None = None,
               changes: dict | None = None, committee: int = 15, quality: str = "kha",
               branches: list[str] | None = None, held: bool = True) -> int:
        """One report version: `totals` {branch: members_total} (default 20 each), `attended`
        {branch: n} (default total - 1 or - 2, every other month, so that consecutive reports
        differ unless a test makes them alike), `changes` {branch: {admitted: 1, ...}} (sheet 3)."""
        codes = branches if branches is not None else self.codes
        totals = {c: (totals or {}).get(c, 20) for c in codes}
        meetings = [{"branch_code": c, "held": held, "members_total": totals[c], "members_exempt": 0,
                     "members_attended": ((attended or {}).get(c, totals[c] - 1 - int(period[5:]) % 2)) if held else None,
                     "quality": quality if held else None, "row_no": 5 + i} for i, c in enumerate(codes)]
        recruitment = [{"branch_code": c, "row_no": 4 + i, **(changes or {}).get(c, {})}
                       for i, c in enumerate(codes)]
        committee_rows = [{"body": "BCH", "regular": True, "members_total": committee, "members_present": 10,
                           "conclusion_issued": True, "row_no": 4}]
        meta = {"commune_code": self.commune, "period": period, "columns": COLUMNS}
        return self._write("monthly", meta, {"branch_meetings": meetings, "recruitment": recruitment,
                                             "committee_meetings": committee_rows})

    def flags(self, rule: str | None = None) -> list[tuple]:
        """(branch_code, period, rule) of the view's flags, of one rule or all."""
        return [tuple(r) for r in self.con.execute(
            "SELECT branch_code, period, rule FROM data_quality_flags WHERE ? IS NULL OR rule = ? "
            "ORDER BY period, branch_code NULLS FIRST", [rule, rule]).fetchall()]


def flagged_communes(path: Path) -> tuple[World, World]:
    """Two communes with one known flag each in 2024: Q ('Xã Quế') lost 5 members of Q3 in
    February without a reason (members_unexplained_change); R ('Xã Rạng') sent February's figures
    again as March's (copied_report)."""
    q = World(path)
    q.report("2024-01")
    q.report("2024-02", {"Q3": 15})
    r = World(path, commune="R", name="Xã Rạng")
    same = {c: 15 for c in r.codes}
    r.report("2024-02", attended=same)
    r.report("2024-03", attended=same)
    return q, r
