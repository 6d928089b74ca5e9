"""Communes and branches of the demo sample (what the unit registry workbook lists).

build_communes(count, branch_range, rng) -> list[Commune]. The first 14 are Huyện Bảo Lâm's
communes (seed 004), codes BL01..BL14; more (benchmarks of a 100+-commune province) get
plausible generated names and codes P001, P002... Each commune has hamlet or residential-group
branches plus agency branches (school, health station, police, military...), codes
'<commune>-NN'. One commune merges two hamlet branches on 2025-07-01.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from etl.sample.text import unaccent

MERGE_CLOSED = date(2025, 6, 30)
MERGE_OPENED = date(2025, 7, 1)
MERGED_NAME = "Chi bộ thôn Đoàn Kết"

BAO_LAM = (
    ("Lộc Thắng", "Thị trấn"), ("Lộc An", "Xã"), ("Lộc Đức", "Xã"), ("Lộc Lâm", "Xã"),
    ("Lộc Nam", "Xã"), ("Lộc Ngãi", "Xã"), ("Lộc Phú", "Xã"), ("Lộc Quảng", "Xã"),
    ("Lộc Tân", "Xã"), ("Lộc Thành", "Xã"), ("B'Lá", "Xã"), ("Lộc Bảo", "Xã"),
    ("Lộc Bắc", "Xã"), ("Tân Lạc", "Xã"),
)
# Spellings the board has seen in documents ("Lộc Quang" is how seed 004 writes Lộc Quảng).
COMMUNE_ALT_NAMES = {"Lộc Quảng": ("Lộc Quang",), "B'Lá": ("BLá", "B Lá")}

# Syllables for extra communes of a province-sized sample.
_FIRST = ("Tân", "Phú", "Hòa", "Đức", "An", "Bình", "Gia", "Hiệp", "Đông", "Phước", "Quảng",
          "Mỹ", "Thạnh", "Vĩnh", "Xuân", "Đạ", "Hưng", "Trường", "Thanh", "Nghĩa", "Long",
          "Kiến", "Đinh", "Liên", "Ninh", "Cát", "Lạc", "Di", "Hàm", "Tuy")
_SECOND = ("An", "Bình", "Hưng", "Thịnh", "Lợi", "Phước", "Thành", "Sơn", "Trung", "Nghĩa",
           "Thủy", "Lạc", "Hội", "Tiến", "Xuân", "Hiệp", "Đông", "Tây", "Nam", "Bắc", "Mỹ",
           "Hòa", "Phú", "Thuận", "Hải", "Đức", "Quý", "Thượng", "Hà", "Nguyên", "Khánh",
           "Linh", "Văn", "Trạch", "Kiệt")

# Named hamlets (a hamlet named after its history rather than a number); 'Hòa', 'Thủy' let the
# other tone placement show up in reports.
_HAMLETS = ("Hòa Bình", "Đồng Tâm", "Tân Tiến", "Phước Lộc", "Thanh Xuân", "Mỹ Hòa",
            "Đức Thạnh", "Hợp Thủy", "Trung Hưng", "Sơn Thủy", "Quyết Thắng", "Tân Lập",
            "Phú Hiệp", "Bình Thạnh", "Minh Rồng", "Ka La", "Tân Thuận", "Nghĩa Hưng",
            "Phước Thành", "Vĩnh Thủy", "Kim Thanh", "Hòa Thạnh", "Đại Lợi", "Thống Nhất")

# Typical member counts by branch kind (hamlets are bigger and older).
_MEMBERS = {"Thôn": (15, 50), "Tổ dân phố": (20, 50), "Trường học": (8, 25), "Y tế": (8, 14),
            "Công an": (8, 20), "Quân sự": (8, 14), "Doanh nghiệp": (8, 18), "Cơ quan": (15, 35)}


@dataclass
class Branch:
    code: str
    name: str
    commune_code: str
    kind: str
    valid_from: date | None = None
    valid_to: date | None = None
    alt_names: tuple[str, ...] = ()
    members: int = 10  # at the start of the sample
    exempt: int = 0  # members exempt from meetings (old age, illness)
    working_away: int = 0
    offset: float = 0.0  # meeting quality relative to the commune's
    day: int = 3  # the branch's usual meeting day

    def active(self, first_day: date, last_day: date) -> bool:
        """Open at some point between first_day and last_day."""
        return ((self.valid_from is None or self.valid_from <= last_day)
                and (self.valid_to is None or self.valid_to >= first_day))


@dataclass
class Commune:
    code: str
    name: str  # bare name: 'Lộc Ngãi'
    kind: str  # Xã / Thị trấn / Phường / Đặc khu
    province_only: bool  # a province commune (no district above it, ever)
    branches: list[Branch] = field(default_factory=list)
    alt_names: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"


def _extra_names(count: int, taken: set[str], rng: random.Random) -> list[str]:
    if count == 0:
        return []
    combos = [f"{a} {b}" for a in _FIRST for b in _SECOND if a != b]
    rng.shuffle(combos)
    names = []
    for name in combos:
        key = unaccent(name).lower()
        if key not in taken:
            taken.add(key)
            names.append(name)
            if len(names) == count:
                return names
    raise ValueError(f"không tạo được {count} tên đảng bộ khác nhau")


def _commune_list(count: int, rng: random.Random) -> list[Commune]:
    communes = [Commune(f"BL{i + 1:02d}", name, kind, False, alt_names=COMMUNE_ALT_NAMES.get(name, ()))
                for i, (name, kind) in enumerate(BAO_LAM[:count])]
    extra = max(0, count - len(BAO_LAM))
    taken = {unaccent(c.name).lower() for c in communes} | {"phu quy"}  # kept for the special zone
    for i, name in enumerate(_extra_names(extra, taken, rng)):
        kind = "Phường" if rng.random() < 0.15 else "Xã"
        if i == 40:  # a province of this size has one special zone (Lâm Đồng: Phú Quý)
            name, kind = "Phú Quý", "Đặc khu"
        communes.append(Commune(f"P{i + 1:03d}", name, kind, True))
    return communes


def _agency_pool(c: Commune, rng: random.Random) -> list[tuple[str, str, tuple[str, ...]]]:
    """(name, kind, other spellings) of the non-residential branches a commune may have."""
    level = {"Thị trấn": "thị trấn", "Phường": "phường", "Đặc khu": "đặc khu"}.get(c.kind, "xã")
    x = c.name
    cooperative = rng.choice((f"Chi bộ Hợp tác xã Chè {x}", f"Chi bộ Hợp tác xã Nông nghiệp {x}",
                              f"Chi bộ Hợp tác xã Cà phê {x}"))
    return [
        (f"Chi bộ Công an {level}", "Công an", ("Chi bộ Công an",)),
        ("Chi bộ Quân sự", "Quân sự", (f"Chi bộ Quân sự {level}",)),
        (f"Chi bộ Trường Tiểu học {x}", "Trường học", (f"Chi bộ Trường TH {x}",)),
        ("Chi bộ Trạm Y tế", "Y tế", ("Chi bộ Y tế",)),
        (f"Chi bộ Trường THCS {x}", "Trường học", (f"Chi bộ Trường Trung học cơ sở {x}",)),
        ("Chi bộ Cơ quan Đảng - Đoàn thể", "Cơ quan", ()),
        (f"Chi bộ Trường Mầm non {x}", "Trường học", ()),
        (cooperative, "Doanh nghiệp", ()),
        ("Chi bộ Cơ quan Ủy ban nhân dân", "Cơ quan", ("Chi bộ Cơ quan UBND",)),
        (f"Chi bộ Trường THPT {x}", "Trường học", ()),
    ]


def _hamlet_names(c: Commune, count: int, rng: random.Random) -> list[tuple[str, str]]:
    if c.kind in ("Thị trấn", "Phường"):
        return [(f"Chi bộ Tổ dân phố {i}", "Tổ dân phố") for i in range(1, count + 1)]
    scheme = rng.choices(("numbered", "named", "mixed"), (6, 2, 2))[0]
    named = rng.sample(_HAMLETS, min(count, len(_HAMLETS)))
    if scheme == "numbered" or count > len(_HAMLETS):
        return [(f"Chi bộ thôn {i}", "Thôn") for i in range(1, count + 1)]
    if scheme == "named":
        return [(f"Chi bộ thôn {n}", "Thôn") for n in named]
    half = count // 2 + 1
    return ([(f"Chi bộ thôn {i}", "Thôn") for i in range(1, half + 1)]
            + [(f"Chi bộ thôn {n}", "Thôn") for n in named[:count - half]])


def _branches(c: Commune, count: int, rng: random.Random) -> list[Branch]:
    pool = _agency_pool(c, rng)
    agencies = min(max(3, round(count * 0.4)), len(pool), count - 3)
    chosen = pool[:3] + sorted(rng.sample(pool[3:], agencies - 3), key=pool.index)
    units = [(name, kind, ()) for name, kind in _hamlet_names(c, count - agencies, rng)] + chosen
    branches = []
    for i, (name, kind, alt) in enumerate(units, start=1):
        low, high = _MEMBERS[kind]
        residential = kind in ("Thôn", "Tổ dân phố")
        members = rng.randint(low, high)
        branches.append(Branch(
            code=f"{c.code}-{i:02d}", name=name, commune_code=c.code, kind=kind, alt_names=alt,
            members=members,
            exempt=min(rng.choice((0, 1, 1, 2, 2, 3, 4)) if residential else rng.choice((0, 0, 1)),
                       members // 4),
            working_away=rng.choice((0, 0, 1, 2, 3, 5)) if kind == "Thôn" else 0,
            offset=rng.gauss(0, 0.35),
            day=rng.choice((1, 2, 3, 3, 3, 3, 4, 5, 5, 6, 7))))
    return branches


def _merge(c: Commune) -> None:
    """Close the two smallest hamlets on 2025-06-30; one merged branch opens on 2025-07-01."""
    hamlets = [b for b in c.branches if b.kind in ("Thôn", "Tổ dân phố")]
    a, b = sorted(sorted(hamlets, key=lambda h: (h.members, h.code))[:2], key=lambda h: h.code)
    for old in (a, b):
        old.members = min(old.members, 24)
        old.valid_to = MERGE_CLOSED
    c.branches.append(Branch(
        code=f"{c.code}-{len(c.branches) + 1:02d}", commune_code=c.code, kind=a.kind,
        name=MERGED_NAME if a.kind == "Thôn" else "Chi bộ Tổ dân phố Đoàn Kết", valid_from=MERGE_OPENED,
        members=a.members + b.members, exempt=a.exempt + b.exempt,
        working_away=a.working_away + b.working_away, offset=(a.offset + b.offset) / 2, day=a.day))


def merge_commune_index(count: int) -> int:
    """Which commune merges two hamlets: Lộc Ngãi (BL06) when there is one."""
    return min(5, count - 1)


def build_communes(count: int, branch_range: tuple[int, int], rng: random.Random) -> list[Commune]:
    if count < 1:
        raise ValueError("số đảng bộ phải từ 1 trở lên")
    low, high = branch_range
    if not 6 <= low <= high:  # three agency branches and at least three hamlets
        raise ValueError("số chi bộ mỗi đảng bộ phải là khoảng (MIN, MAX) với 6 <= MIN <= MAX")
    communes = _commune_list(count, rng)
    merging = merge_commune_index(count)
    for i, c in enumerate(communes):
        n = rng.randint(low, high)
        if i == merging:
            n = max(n, min(low + 1, high), 7)  # still at least `low` branches after the merge
        c.branches = _branches(c, n, rng)
        if i == merging:
            _merge(c)
    return communes
