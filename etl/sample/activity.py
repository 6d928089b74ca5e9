"""What happened in a commune, month by month: the facts a monthly report states.

make_profile(...) draws a commune's tendencies (meeting quality and its trend, discipline,
recruitment against target, how late it reports); simulate(commune, profile, periods, targets,
quirks, rng) -> list[MonthReport] walks the months in order, so member counts carry over
(members this month = last month + admitted + transferred in - out - deceased - removed) and
probationary members admitted in a month are confirmed twelve months later. Facts are clean
values (dates, ints, codes); how a clerk writes them is the style's business.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from etl.period import Month
from etl.sample.units import MERGE_CLOSED, Branch, Commune

Period = tuple[int, int]  # (year, month)

TOPICS = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Xây dựng nông thôn mới, đô thị văn minh",
    "Công tác tạo nguồn, phát triển đảng viên",
    "Bảo vệ nền tảng tư tưởng của Đảng",
    "Phòng, chống tham nhũng, tiêu cực, lãng phí",
    "Chuyển đổi số ở cơ sở",
    "Giữ gìn an ninh trật tự, phòng chống ma túy",
    "Giảm nghèo bền vững trong đồng bào dân tộc thiểu số",
    "Sắp xếp đơn vị hành chính và tổ chức bộ máy",
)
# Notes never begin with a signature-block word ("Bí thư", "T/M"...): SPEC §2 ends a table there.
NOT_HELD_NOTES = ("Đảng viên đi thu hoạch cà phê, lùi sinh hoạt", "Mưa lớn, sạt lở đường đi",
                  "Đồng chí Bí thư chi bộ đi tập huấn", "Trùng lịch tổ chức Ngày hội Đại đoàn kết", None)
HELD_NOTES = ("Sinh hoạt chậm do trùng lịch", "Có đảng viên dự bị dự", "Lồng ghép triển khai nghị quyết",
              "Đồng chí Bí thư Đảng ủy dự")
# Weights of the months for admissions: ceremonies cluster around 3/2, 19/5, 2/9 and year end.
ADMIT_WEIGHTS = (0.4, 1.0, 0.8, 0.8, 1.2, 1.0, 1.0, 0.9, 1.3, 1.1, 1.0, 1.4)


def month_days(p: Period) -> tuple[date, date]:
    return Month(*p).first_day, Month(*p).last_day


def period_text(p: Period) -> str:
    return str(Month(*p))


@dataclass(frozen=True)
class Profile:
    base: float  # meeting quality tendency (latent scale, ~ -1 weak .. +1 good)
    trend: float  # change of `base` per year
    discipline: float  # 0..1: held, on time, conclusions, thematic, upper attendance
    achievement: float  # admitted ÷ target
    p_late: float  # share of reports received 6–20 days after month end
    missing: frozenset[Period]  # months whose report never arrives
    bch_size: tuple[int, int]  # committee size before / after the 2025 party congress
    btv_size: int
    meets_late: bool  # regular committee meeting at the end of the month, not the start
    class_months: tuple[int, int]  # months of the party-awareness classes


@dataclass(frozen=True)
class Meeting:
    meeting_date: date
    body: str  # BCH / BTV / TT
    regular: bool
    members_total: int
    members_present: int
    conclusion_issued: bool
    conclusion_ref: str | None
    conclusion_date: date | None
    upper_attended: bool
    note: str | None = None


@dataclass(frozen=True)
class BranchMonth:
    branch: Branch
    members_total: int
    members_exempt: int
    held: bool
    meeting_date: date | None
    members_attended: int | None
    thematic: bool
    thematic_topic: str | None
    upper_attended: bool
    quality: str | None  # tot / kha / trung_binh / kem
    note: str | None
    sources_trained: int
    admitted: int
    confirmed_official: int
    transferred_in: int
    transferred_out: int
    deceased: int
    removed: int
    working_away: int


@dataclass(frozen=True)
class Rating:
    branch: Branch
    org_rating: str  # xuat_sac / tot / hoan_thanh / khong_hoan_thanh
    xuat_sac: int
    tot: int
    hoan_thanh: int
    khong_hoan_thanh: int


@dataclass
class MonthReport:
    commune: Commune
    period: Period
    meetings: list[Meeting]
    rows: list[BranchMonth]
    ratings: list[Rating] | None
    made_on: date
    tasks_sent_on: date | None
    received_on: date | None  # None: the report never arrived
    omitted: frozenset[str] = frozenset()  # branch codes the clerk forgot


@dataclass
class _State:
    members: int
    exempt: int
    away: int
    pending: dict[int, int] = field(default_factory=dict)  # month index -> to confirm
    z_sum: float = 0.0
    z_n: int = 0
    thematic_month: int = -1


def make_profile(rank: int, count: int, periods: list[Period], rng: random.Random,
                 *, worst: bool) -> Profile:
    """`rank` 0..count-1 places the commune on the quality scale (0 = weakest), so some
    communes are clearly better than others."""
    base = -0.9 + 1.8 * rank / max(1, count - 1) + rng.gauss(0, 0.15)
    discipline = min(1.0, max(0.0, 0.55 + 0.35 * base + rng.gauss(0, 0.1)))
    if worst:
        missing = frozenset(rng.sample(periods, max(int(len(periods) >= 6), round(len(periods) * 0.08))))
    else:
        missing = frozenset(p for p in periods if rng.random() < 0.006)
    bch = rng.choice((13, 15, 15, 15, 17, 19))
    return Profile(
        base=base, trend=rng.choice((-0.3, 0.0, 0.0, 0.2, 0.45) if base > 0 else (0.0, 0.15, 0.3, 0.45)), discipline=discipline,
        achievement=min(1.3, max(0.55, 0.85 + 0.25 * base + rng.gauss(0, 0.1))),
        p_late=0.35 if worst else 0.03 + 0.06 * (1 - discipline), missing=missing,
        bch_size=(bch, max(11, bch + rng.choice((-2, 0, 0, 2)))), btv_size=rng.choice((3, 5, 5)),
        meets_late=rng.random() < 0.3, class_months=rng.choice(((3, 9), (4, 10), (5, 11), (6, 10))))


def _clamp_day(p: Period, day: int) -> date:
    return date(p[0], p[1], max(1, min(day, Month(*p).last_day.day)))


def _quality(z: float) -> str:
    if z > 0.95:
        return "tot"
    if z > -0.55:
        return "kha"
    return "trung_binh" if z > -1.75 else "kem"


class _Simulation:
    def __init__(self, commune: Commune, profile: Profile, periods: list[Period],
                 targets: dict[tuple[str, int], int], rng: random.Random):
        self.c, self.pf, self.periods, self.rng = commune, profile, periods, rng
        self.targets = targets
        self.state: dict[str, _State] = {}
        self.ref_no: dict[int, int] = {}  # year -> last conclusion number
        self.admit_plan: dict[Period, int] = self._plan_admissions()

    def _plan_admissions(self) -> dict[Period, int]:
        plan: dict[Period, int] = {}
        for year in sorted({p[0] for p in self.periods}):
            months = [p for p in self.periods if p[0] == year]
            share = sum(ADMIT_WEIGHTS[m - 1] for _, m in months) / sum(ADMIT_WEIGHTS)
            target = self.targets.get((self.c.code, year), 0)
            total = round(target * self.pf.achievement * share * self.rng.uniform(0.9, 1.1))
            weights = [ADMIT_WEIGHTS[m - 1] for _, m in months]
            for p in self.rng.choices(months, weights, k=total):
                plan[p] = plan.get(p, 0) + 1
        return plan

    def _state(self, b: Branch, active: list[Branch]) -> _State:
        if b.code not in self.state:
            st = _State(b.members, b.exempt, b.working_away)
            predecessors = [self.state[o.code] for o in self.c.branches
                            if o.valid_to == MERGE_CLOSED and o.code in self.state and o not in active]
            if b.valid_from and predecessors:  # a merged branch takes over its predecessors
                st.members = sum(s.members for s in predecessors)
                st.exempt = min(4, sum(s.exempt for s in predecessors))
                st.away = sum(s.away for s in predecessors)
                for s in predecessors:
                    for k, v in s.pending.items():
                        st.pending[k] = st.pending.get(k, 0) + v
            self.state[b.code] = st
        return self.state[b.code]

    def month(self, idx: int, p: Period, quirks: set[str]) -> MonthReport:
        rng, pf = self.rng, self.pf
        first, last = month_days(p)
        active = [b for b in self.c.branches if b.active(first, last)]
        states = {b.code: self._state(b, active) for b in active}
        admitted = self._spread(self.admit_plan.get(p, 0), active, states, hamlet_weight=3)
        trained = {}
        if p[1] in pf.class_months:
            next_target = self.targets.get((self.c.code, p[0] + 1), self.targets.get((self.c.code, p[0]), 4))
            trained = self._spread(round(next_target * rng.uniform(0.6, 0.9)), active, states, hamlet_weight=2, cap=False)
        t = idx / 12
        rows = []
        for b in active:
            rows.append(self._branch_month(b, states[b.code], idx, p, t, admitted.get(b.code, 0),
                                           trained.get(b.code, 0)))
        if "over_active" in quirks:
            rows = self._over_active(rows)
        meetings = self._meetings(p, "outside_date" in quirks)
        tasks = self._tasks_date(p, meetings)
        ratings = self._ratings(active, states) if p[1] == 12 else None
        received = self._received(p, meetings, tasks, rows)
        made = self._made_on(p, meetings, tasks, rows, received)
        omitted = frozenset()
        if "omit_branch" in quirks:
            omitted = frozenset({rows[len(rows) // 2].branch.code})
        return MonthReport(self.c, p, meetings, rows, ratings, made, tasks, received, omitted)

    def _spread(self, total: int, active: list[Branch], states: dict[str, _State], *,
                hamlet_weight: int, cap: bool = True) -> dict[str, int]:
        """Share `total` people among branches (hamlets weigh more; full branches take none)."""
        pool = [b for b in active if not cap or states[b.code].members < 58]
        if not pool or total <= 0:
            return {}
        weights = [hamlet_weight if b.kind in ("Thôn", "Tổ dân phố") else 1 for b in pool]
        out: dict[str, int] = {}
        for b in self.rng.choices(pool, weights, k=total):
            out[b.code] = out.get(b.code, 0) + 1
        return out

    def _branch_month(self, b: Branch, st: _State, idx: int, p: Period, t: float,
                      admitted: int, trained: int) -> BranchMonth:
        rng, pf = self.rng, self.pf
        residential = b.kind in ("Thôn", "Tổ dân phố")
        confirmed = st.pending.pop(idx, 0)
        if idx < 12 and rng.random() < 0.05:  # admitted before the sample began
            confirmed += 1
        t_in = int(st.members < 58 and rng.random() < 0.015)
        t_out = int(st.members > 9 and rng.random() < 0.015)
        deceased = int(residential and st.members > 9 and rng.random() < 0.01)
        removed = int(st.members > 9 and rng.random() < 0.002)
        st.members += admitted + t_in - t_out - deceased - removed
        if admitted:
            st.pending[idx + 12] = st.pending.get(idx + 12, 0) + admitted
        if rng.random() < 0.02:
            st.exempt = max(0, min(4, st.exempt + rng.choice((-1, 1)), st.members // 4))
        if b.kind == "Thôn" and rng.random() < 0.05:
            st.away = max(0, min(6, st.away + rng.choice((-1, 1))))
        quarter_start = (p[1] - 1) % 3 == 0
        if quarter_start or st.thematic_month < 0:
            plans = rng.random() < 0.55 + 0.43 * pf.discipline
            st.thematic_month = idx + rng.randint(0, 2 - (p[1] - 1) % 3) if plans else 10**6
        harvest = residential and p[1] in (11, 12)  # coffee and tea harvest in Bảo Lâm
        p_skip = (0.08 - 0.07 * pf.discipline) * (2.5 if harvest else 1)
        held = rng.random() >= p_skip
        note = None
        if not held:
            if st.thematic_month == idx and (p[1] - 1) % 3 < 2:
                st.thematic_month = idx + 1  # the thematic meeting moves to next month
            return BranchMonth(b, st.members, st.exempt, False, None, None, False, None, False,
                               None, rng.choice(NOT_HELD_NOTES), trained, admitted, confirmed,
                               t_in, t_out, deceased, removed, st.away)
        on_time = rng.random() < 0.72 + 0.26 * pf.discipline
        day = max(1, min(7, b.day + rng.choice((0, 0, 0, 1, -1)))) if on_time else rng.randint(8, 20)
        active_members = st.members - st.exempt
        share = min(1.0, rng.uniform(0.75, 1.0) + 0.04 * pf.discipline)
        attended = max(1, min(active_members, round(active_members * share)))
        thematic = st.thematic_month == idx
        z = pf.base + pf.trend * t + b.offset + rng.gauss(0, 0.6)
        st.z_sum += z
        st.z_n += 1
        if rng.random() < 0.04:
            note = rng.choice(HELD_NOTES)
        return BranchMonth(
            b, st.members, st.exempt, True, _clamp_day(p, day), attended, thematic,
            rng.choice(TOPICS) if thematic else None, rng.random() < 0.25 + 0.4 * pf.discipline,
            _quality(z), note, trained, admitted, confirmed, t_in, t_out, deceased, removed, st.away)

    def _over_active(self, rows: list[BranchMonth]) -> list[BranchMonth]:
        """Warning case: attended > members - exempt (still <= members) in two rows."""
        out, changed = [], 0
        for r in rows:
            if changed < 2 and r.held and r.members_exempt >= 1:
                r = replace(r, members_attended=r.members_total - r.members_exempt + 1)
                changed += 1
            out.append(r)
        return out

    def _meetings(self, p: Period, outside: bool) -> list[Meeting]:
        rng, pf = self.rng, self.pf
        size = pf.bch_size[0] if p < (2025, 7) else pf.bch_size[1]
        plan: list[tuple[int, str, bool]] = []
        if rng.random() < 0.86 + 0.13 * pf.discipline:
            plan.append((rng.randint(24, 28) if pf.meets_late else rng.randint(1, 8), "BCH", True))
        if rng.random() < 0.35:
            plan.append((rng.randint(10, 22), rng.choice(("BTV", "BTV", "TT")), True))
        if rng.random() < 0.06 + 0.08 * (1 - pf.discipline):
            plan.append((rng.randint(1, 28), rng.choice(("BCH", "BTV")), False))
        if not plan:
            plan.append((rng.randint(5, 15), "BTV", True))
        meetings = []
        for day, body, regular in plan[:2 if outside else 3]:
            when = _clamp_day(p, day)
            total = {"BCH": size, "BTV": pf.btv_size, "TT": 2}[body]
            meetings.append(self._meeting(when, body, regular, total))
        if outside:  # warning case: an extraordinary meeting on the last day of last month
            meetings.append(self._meeting(month_days(p)[0] - timedelta(days=1), "BTV", False, pf.btv_size))
        return sorted(meetings, key=lambda m: (m.meeting_date, m.body))

    def _meeting(self, when: date, body: str, regular: bool, total: int) -> Meeting:
        rng = self.rng
        absent = min(total - 1, rng.choices((0, 1, 2, 3), (50, 30, 15, 5))[0]) if body != "TT" else 0
        issued = rng.random() < 0.62 + 0.36 * self.pf.discipline
        ref = issued_on = None
        if issued:
            no = self.ref_no.get(when.year, rng.randint(0, 3)) + rng.randint(1, 4)
            self.ref_no[when.year] = no
            kind = "NQ" if body == "BCH" and regular and rng.random() < 0.3 else "KL"
            ref = f"{no}-{kind}/ĐU" if rng.random() < 0.95 else None
            lag = rng.choices((1, 2, 3, 5, 7, 10), (30, 25, 20, 12, 8, 5))[0]
            issued_on = when + timedelta(days=lag) if rng.random() < 0.95 else None
        return Meeting(when, body, regular, total, total - absent, issued, ref, issued_on,
                       body == "BCH" and rng.random() < 0.25,
                       "Hội nghị chuyên đề" if not regular and rng.random() < 0.5 else None)

    def _tasks_date(self, p: Period, meetings: list[Meeting]) -> date | None:
        rng, pf = self.rng, self.pf
        if rng.random() < 0.06 * (1 - pf.discipline) + 0.01:
            return None  # the clerk left it blank
        last = month_days(p)[1]
        if rng.random() > 0.7 + 0.28 * pf.discipline:
            return last + timedelta(days=rng.randint(1, 4))  # tasks reached branches late
        late_bch = [m.meeting_date for m in meetings if m.body == "BCH" and m.meeting_date.day >= 20]
        if late_bch:
            return min(last, late_bch[0] + timedelta(days=rng.randint(0, 2)))
        return _clamp_day(p, rng.randint(20, 28))

    def _ratings(self, active: list[Branch], states: dict[str, _State]) -> list[Rating]:
        rng, out = self.rng, []
        year_z = {}
        for b in active:
            st = states[b.code]
            year_z[b.code] = st.z_sum / st.z_n if st.z_n else self.pf.base
            st.z_sum, st.z_n = 0.0, 0
        # "Xuất sắc" is capped (Quy định 124-QĐ/TW): here at most a fifth of the branches.
        best = sorted(year_z, key=lambda code: -year_z[code])[:max(1, len(active) // 5)]
        for b in active:
            st, z = states[b.code], year_z[b.code]
            org = ("xuat_sac" if z > 0.9 and b.code in best else "tot" if z > -0.1 else
                   "hoan_thanh" if z > -1.2 else "khong_hoan_thanh")
            rated = st.members - st.exempt
            weak = min(rated, int(rng.random() < (0.25 if z < -0.5 else 0.06)))
            tot = max(0, min(rated - weak, round(rated * (rng.uniform(0.55, 0.8) + 0.08 * z))))
            xs = min(tot // 6, rng.randint(0, 3))  # members: at most ~20 % of the "tốt" count
            tot -= max(0, xs + tot + weak - rated)
            out.append(Rating(b, org, xs, tot, rated - xs - tot - weak, weak))
        return out

    def _received(self, p, meetings, tasks, rows) -> date | None:
        if p in self.pf.missing:
            return None
        late = self.rng.random() < self.pf.p_late
        delay = self.rng.randint(6, 20) if late else self.rng.choices((1, 2, 3, 4, 5), (15, 30, 25, 18, 12))[0]
        received = month_days(p)[1] + timedelta(days=delay)
        return max(received, self._latest(meetings, tasks, rows))

    @staticmethod
    def _latest(meetings, tasks, rows) -> date:
        dates = [m.meeting_date for m in meetings] + [m.conclusion_date for m in meetings if m.conclusion_date]
        dates += [r.meeting_date for r in rows if r.meeting_date] + ([tasks] if tasks else [])
        return max(dates)

    def _made_on(self, p, meetings, tasks, rows, received) -> date:
        latest = self._latest(meetings, tasks, rows)
        end = received or month_days(p)[1] + timedelta(days=3)
        return max(latest, end - timedelta(days=self.rng.randint(0, 3)))


def simulate(commune: Commune, profile: Profile, periods: list[Period],
             targets: dict[tuple[str, int], int], quirks: dict[Period, set[str]],
             rng: random.Random) -> list[MonthReport]:
    sim = _Simulation(commune, profile, periods, targets, rng)
    return [sim.month(i, p, quirks.get(p, set())) for i, p in enumerate(periods)]


def make_targets(communes: list[Commune], years: list[int], seed: int) -> dict[tuple[str, int], int]:
    """Annual admission target per commune: about one new member per hamlet, fewer per agency,
    steady from year to year as a board sets them."""
    targets = {}
    for c in communes:
        rng = random.Random(f"{seed}:targets:{c.code}")
        hamlets = sum(b.kind in ("Thôn", "Tổ dân phố") for b in c.branches if b.valid_to is None)
        others = sum(b.kind not in ("Thôn", "Tổ dân phố") for b in c.branches)
        base = hamlets * 1.0 + others * 0.5 + rng.uniform(0, 3)
        for y in years:
            targets[(c.code, y)] = max(2, round(base + rng.choice((-1, 0, 0, 1))))
    return targets
