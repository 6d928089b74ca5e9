"""How each commune's clerk writes the monthly report (the messiness of SPEC §2).

Stylebook(communes, periods, seed, messy).at(commune_index, period_index) -> Style. Each commune
keeps one style, as real clerks do; about half change style once (a new clerk), and a few
short episodes (no cover sheet, NFD text, names typed without accents, one .xlsm) are placed
so every variation appears in several files. Options are dealt round-robin over a shuffled
commune order, so with 14 communes each option of a feature is used by at least one commune.
The render_* functions turn clean facts into the cell text of a style. Headers only use
SPEC's wordings, its value aliases, case/space/line-break changes and ĐV/SH/CB/UV.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace

from etl import labels
from etl.ingest.forms import spec
from etl.sample.text import other_tone, pad_numbers, unaccent
from etl.sample.units import Branch, Commune

SHEET_NAMES = (
    ("1. Hội nghị cấp ủy", "2. Sinh hoạt chi bộ", "3. Phát triển đảng viên", "4. Xếp loại cuối năm"),
    ("HNCU", "SHCB", "PTDV", "XLCN"),
    ("Hoi nghi cap uy", "Sinh hoat chi bo", "Phat trien dang vien", "Xep loai cuoi nam"),
    ("Bieu 1", "Bieu 2", "Bieu 3", "Bieu 4"),
    ("Bieu1-HNCU", "Bieu2-SHCB", "Bieu3-PTDV", "Bieu4-XL"),
)
# what a commune writes: the forms' own words (etl/ingest/forms/spec.py), in full or abbreviated
QUALITY = labels.QUALITY
RATING = labels.ORG_RATINGS
RATING_ABBR = {code: name for name, code in spec.ORG_RATINGS.items() if name != RATING[code]}  # HTXSNV, ...
BODY = {"BCH": ("Ban Chấp hành", "BCH", "Đảng ủy", "Hội nghị đảng ủy"),
        "BTV": ("Ban Thường vụ", "BTV", "Ban Thường vụ", "BTV"),
        "TT": ("Thường trực", "TT", "Thường trực", "TT")}
_ABBREVIATIONS = (("đảng viên", "ĐV"), ("sinh hoạt", "SH"), ("chi bộ", "CB"), ("ủy viên", "UV"))


@dataclass(frozen=True)
class Style:
    cover: bool = True
    cover_name: str = "Thông tin chung"
    cover_label_col: int = 0
    month_as_text: bool = False
    sheet_names: tuple[str, ...] = SHEET_NAMES[0]
    title_block: bool = False
    can_cu: bool = False
    period_title: int = 0
    signature: bool = False
    numbering: bool = False
    two_row: bool = False
    group_ratings: bool = False
    totals: str | None = None
    totals_formula: bool = False
    order: int = 0
    stt: bool = False
    code_col: bool = True
    topic_col: bool = True
    note_col: bool = True
    headers: str = "exact"
    yes_no: tuple = ("Có", "Không")
    dates: str = "excel"
    numbers: str = "int"
    names: str = "full"
    commune_name: str = "kind"
    other_tone: bool = False
    nfd: bool = False
    unaccented: bool = False
    blank_zero: bool = False
    quality_case: str = "title"
    body_words: int = 0
    form_blank: bool = False
    abbr_ratings: bool = False
    blank_gap: bool = False
    file_pattern: int = 0
    xlsm: bool = False


CLEAN = Style()

# Options per feature; repeats weigh an option. Dealt round-robin over a shuffled commune list.
OPTIONS: dict[str, tuple] = {
    "cover_name": ("Thông tin chung", "Thông tin chung", "Bia", "TT chung", "Thong tin chung", "Bìa"),
    "cover_label_col": (0, 0, 0, 1),
    "month_as_text": (False, False, True),
    "sheet_names": SHEET_NAMES[:1] + SHEET_NAMES,
    "title_block": (True, True, False),
    "can_cu": (False, False, True),
    "period_title": (0, 1, 2),
    "signature": (True, False),
    "numbering": (False, False, True),
    "two_row": (False, False, True),
    "group_ratings": (False, True),
    "totals": (None, None, "Cộng", "Tổng cộng", "Tổng số"),
    "totals_formula": (False, True),
    "order": (0, 0, 1, 2),
    "stt": (True, False),
    "code_col": (False, True, True),
    "topic_col": (True, True, False),
    "note_col": (True, False),
    "headers": ("exact", "exact", "upper", "breaks", "abbrev", "abbrev_breaks", "spaces", "title"),
    "yes_no": (("x", None), ("X", None), ("✓", None), ("Có", "Không"), ("có", None), (1, 0),
               ("x", "0"), ("Có", None)),
    "dates": ("excel", "excel", "excel", "dmy2", "dmy1", "dash", "dot", "words"),
    "numbers": ("int", "int", "int", "text", "dc"),
    "names": ("full", "full", "short", "padded", "cb", "upper", "alt"),
    "commune_name": ("kind", "plain", "du", "du_abbr", "upper", "alt"),
    "other_tone": (False, False, True),
    "blank_zero": (True, False),
    "quality_case": ("title", "title", "upper", "lower"),
    "body_words": (0, 1, 2, 3),
    "form_blank": (False, False, True),
    "abbr_ratings": (False, True),
    "blank_gap": (False, False, False, True),
    "file_pattern": (0, 1, 2, 3, 4, 5),
}
# What a new clerk changes.
_CLERK_HABITS = ("dates", "yes_no", "names", "headers", "totals", "numbering", "two_row", "order",
                 "stt", "title_block", "sheet_names", "numbers", "blank_zero", "quality_case",
                 "file_pattern", "cover_name")


class Stylebook:
    def __init__(self, count: int, n_periods: int, seed: int, messy: bool):
        self.messy, self.n_periods = messy, n_periods
        rng = random.Random(f"{seed}:styles")
        base: list[dict] = [{} for _ in range(count)]
        for name, options in OPTIONS.items():
            order = rng.sample(range(count), count)
            offset = rng.randrange(len(options))
            for position, ci in enumerate(order):
                base[ci][name] = options[(position + offset) % len(options)]
        self.first = [Style(**b) for b in base]
        self.change_at: list[int | None] = []
        self.second: list[Style] = []
        for ci in range(count):
            if n_periods >= 8 and rng.random() < 0.5:
                habits = {h: rng.choice(OPTIONS[h]) for h in rng.sample(_CLERK_HABITS, 5)}
                self.change_at.append(rng.randint(3, n_periods - 3))
                self.second.append(replace(self.first[ci], **habits))
            else:
                self.change_at.append(None)
                self.second.append(self.first[ci])
        # Short episodes: (feature, communes, months) placed at random windows.
        self.episodes: dict[tuple[int, int], dict] = {}
        order = rng.sample(range(count), count)
        self._episode(rng, order[0:2], 3, cover=False)
        self._episode(rng, order[2:4], 8, nfd=True)
        self._episode(rng, order[4:5], 2, unaccented=True)
        self._episode(rng, order[5:6], 1, xlsm=True)

    def _episode(self, rng: random.Random, communes: list[int], length: int, **change) -> None:
        for ci in communes:
            start = rng.randrange(max(1, self.n_periods - length + 1))
            for pi in range(start, min(self.n_periods, start + length)):
                self.episodes.setdefault((ci, pi), {}).update(change)

    def at(self, ci: int, pi: int) -> Style:
        if not self.messy:
            return CLEAN
        change = self.change_at[ci]
        style = self.second[ci] if change is not None and pi >= change else self.first[ci]
        episode = self.episodes.get((ci, pi))
        return replace(style, **episode) if episode else style


def vary_header(text: str, style: Style) -> str:
    """A SPEC header as this clerk types it."""
    mode = style.headers
    if "abbrev" in mode:
        for long, short in _ABBREVIATIONS:
            text = re.sub(long, short, text, flags=re.IGNORECASE)
    if "breaks" in mode:
        words = text.split(" ")
        if len(words) >= 3:
            mid = len(words) // 2
            text = " ".join(words[:mid]) + "\n" + " ".join(words[mid:])
    if mode == "upper":
        text = text.upper()
    elif mode == "title":
        text = " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    elif mode == "spaces":
        text = " " + text.replace(" ", "  ", 1) + " "
    return text


def render_branch(b: Branch, style: Style) -> str:
    name = b.name
    rest = name.removeprefix("Chi bộ ")
    short = rest[:1].upper() + rest[1:]
    if style.names == "short":
        name = short
    elif style.names == "padded":
        name = pad_numbers(short)
    elif style.names == "cb":
        name = "CB " + rest
    elif style.names == "upper":
        name = name.upper()
    elif style.names == "alt" and b.alt_names:
        name = b.alt_names[0]
    if style.unaccented:
        name = unaccent(name)
    return other_tone(name) if style.other_tone else name


def render_commune(c: Commune, style: Style) -> str:
    mode = style.commune_name
    bare_ok = c.kind in ("Xã", "Thị trấn")  # 'Phường', 'Đặc khu' are not prefixes SPEC strips
    if mode == "plain" and bare_ok:
        text = c.name
    elif mode == "du":
        text = f"Đảng ủy {c.kind.lower()} {c.name}"
    elif mode == "du_abbr" and bare_ok:
        text = f"ĐU {c.name}" if c.kind == "Xã" else f"TT {c.name}"
    elif mode == "upper":
        text = f"ĐẢNG ỦY {c.kind.upper()} {c.name.upper()}"
    elif mode == "alt" and c.alt_names:
        text = c.alt_names[0]
    else:
        text = c.full_name
    return other_tone(text) if style.other_tone else text


def render_yes_no(value: bool, style: Style):
    return style.yes_no[0] if value else style.yes_no[1]


def render_quality(code: str | None, style: Style) -> str | None:
    if code is None:
        return None
    text = QUALITY[code]
    return {"upper": text.upper(), "lower": text.lower()}.get(style.quality_case, text)


def render_body(body: str, style: Style) -> str:
    text = BODY[body][style.body_words]
    return other_tone(text) if style.other_tone else text


def render_rating(code: str, style: Style) -> str:
    return RATING_ABBR[code] if style.abbr_ratings else RATING[code]
