"""Deterministic generator of realistic demo reports (the demo warehouse and benchmarks use it).

generate(out_dir, ...) -> list[SampleFile] writes, for a district modeled on Huyện Bảo Lâm
(or a province-sized set of communes), the board's unit registry, recruitment targets and
inspection register, and each commune's monthly reports in its clerk's messy style (SPEC §1,
§2), plus out_dir/manifest.csv. A few reports are missing (no file) and each written one
comes with the day the board received it. The same seed gives the same files, byte for byte.
With `oddities`, a few reports also carry errors no single file shows (etl/sample/oddities.py),
listed in out_dir/oddities.csv, so the page "Chất lượng số liệu" has flags to show.

Layout: danh-muc-don-vi.xlsx, chi-tieu-ket-nap.xlsx, so-theo-doi-kiem-tra.xlsx,
bao-cao-thang/<commune code>/<file name as a clerk would name it>, manifest.csv (and oddities.csv).
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from etl import period
from etl.sample.activity import Period, make_profile, make_targets, month_days, period_text, simulate
from etl.sample.board import make_findings, write_inspections, write_registry, write_targets
from etl.sample.monthly import write_monthly
from etl.sample.oddities import inject, write_record
from etl.sample.style import Stylebook
from etl.sample.units import build_communes

REGISTRY, TARGETS, INSPECTIONS = "danh-muc-don-vi.xlsx", "chi-tieu-ket-nap.xlsx", "so-theo-doi-kiem-tra.xlsx"
MONTHLY_DIR, MANIFEST = "bao-cao-thang", "manifest.csv"

_CLERKS = ("Nguyễn Thị Hương", "Trần Văn Đức", "Lê Thị Thủy", "Phạm Minh Tuấn", "Vũ Thị Ngọc Ánh",
           "Hoàng Văn Lợi", "K' Điểu", "Ka Sương", "Đặng Thị Thu Hà", "Bùi Quang Vinh",
           "Ngô Thị Hòa", "Đỗ Văn Thường", "Huỳnh Thị Mỹ Lệ", "Trương Công Dũng", "Lương Thị Yến",
           "Phan Văn Khởi")


@dataclass(frozen=True)
class SampleFile:
    path: Path
    kind: str  # 'registry' | 'monthly' | 'targets' | 'inspections'
    commune_code: str | None
    period: str | None  # 'YYYY-MM' for monthly
    received_on: date | None  # when the board received it (monthly reports)


def month_range(first: str, last: str) -> list[Period]:
    """The months from `first` to `last` ('YYYY-MM') as (year, month); a ValueError with a
    Vietnamese message for a month not so written or a first month after the last."""
    return [(m.year, m.number) for m in period.Period.between(first, last).months]


def _quirk_plan(count: int, periods: list[Period], profiles) -> dict[int, dict[Period, set[str]]]:
    """The few warning cases SPEC §3 describes, each in one report (never a missing one)."""
    plan: dict[int, dict[Period, set[str]]] = {}
    for quirk, ci, share in (("omit_branch", 2, 0.4), ("outside_date", 3, 0.55),
                             ("over_active", 4, 0.7), ("over_active", 9, 0.3)):
        ci %= count
        start = int((len(periods) - 1) * share)
        for p in periods[start:] + periods[:start]:
            if p not in profiles[ci].missing:
                plan.setdefault(ci, {}).setdefault(p, set()).add(quirk)
                break
    return plan


def _remove_previous(out_dir: Path) -> None:
    """Delete the monthly files a previous run listed, so a smaller run leaves no strays."""
    manifest = out_dir / MANIFEST
    if not manifest.exists():
        return
    with manifest.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            path = (out_dir / row.get("path", "")).resolve()
            if row.get("kind") == "monthly" and out_dir.resolve() in path.parents:
                path.unlink(missing_ok=True)


def _write_manifest(out_dir: Path, files: list[SampleFile]) -> None:
    with (out_dir / MANIFEST).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("path", "kind", "commune_code", "period", "received_on"))
        for sf in files:
            w.writerow((sf.path.relative_to(out_dir).as_posix(), sf.kind, sf.commune_code or "",
                        sf.period or "", sf.received_on.isoformat() if sf.received_on else ""))


def generate(out_dir: Path, *, communes: int = 14, first: str = "2024-01", last: str = "2026-10",
             seed: int = 2024, branches: tuple[int, int] = (6, 15), messy: bool = True,
             oddities: bool = False) -> list[SampleFile]:
    """`oddities`: a handful of reports carry errors that only other months show (etl.sample.
    oddities, listed in out_dir/oddities.csv); the other reports are the same either way."""
    out_dir = Path(out_dir)
    periods = month_range(first, last)
    units = build_communes(communes, branches, random.Random(f"{seed}:units"))
    rng = random.Random(f"{seed}:profiles")
    ranks = rng.sample(range(communes), communes)
    worst = ranks.index(min(1, communes - 1))  # the second-weakest commune reports worst
    profiles = [make_profile(ranks[i], communes, periods, random.Random(f"{seed}:profile:{c.code}"),
                             worst=i == worst) for i, c in enumerate(units)]
    years = sorted({p[0] for p in periods})
    targets = make_targets(units, years, seed)
    quirks = _quirk_plan(communes, periods, profiles) if messy else {}
    styles = Stylebook(communes, len(periods), seed, messy)

    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous(out_dir)
    write_registry(out_dir / REGISTRY, units)
    write_targets(out_dir / TARGETS, units, targets)
    as_of = month_days(periods[-1])[1] + timedelta(days=1)
    write_inspections(out_dir / INSPECTIONS, make_findings(units, profiles, periods[0], periods[-1], seed), as_of)
    files = [SampleFile(out_dir / REGISTRY, "registry", None, None, None),
             SampleFile(out_dir / TARGETS, "targets", None, None, None),
             SampleFile(out_dir / INSPECTIONS, "inspections", None, None, None)]

    simulated = ((commune, simulate(commune, profile, periods, targets, quirks.get(ci, {}),
                                    random.Random(f"{seed}:activity:{commune.code}")))
                 for ci, (commune, profile) in enumerate(zip(units, profiles)))
    if oddities:  # chosen across communes: every commune's reports first
        simulated = list(simulated)
    write_record(out_dir, inject(simulated, periods, quirks, random.Random(f"{seed}:oddities"))
                 if oddities else None)
    for ci, (commune, reports) in enumerate(simulated):
        *clerks, secretary = random.Random(f"{seed}:clerks:{commune.code}").sample(_CLERKS, 3)
        for pi, report in enumerate(reports):
            if report.received_on is None:
                continue
            change = styles.change_at[ci]
            clerk = clerks[1] if messy and change is not None and pi >= change else clerks[0]
            path = write_monthly(out_dir / MONTHLY_DIR / commune.code, report, styles.at(ci, pi),
                                 clerk, secretary)
            files.append(SampleFile(path, "monthly", commune.code, period_text(report.period),
                                    report.received_on))
    _write_manifest(out_dir, files)
    return files
