"""Vietnamese text helpers for the demo sample.

Pure functions on str, date and int: strip diacritics (for file names and the "typed without
accents" episode), switch to the other tone placement (Hòa -> Hoà, Thủy -> Thuỷ), and render dates,
counts and yes/no values the ways commune clerks type them (SPEC §2).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

# Combining tone marks: grave, acute, hook above, tilde, dot below.
_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def unaccent(text: str) -> str:
    """'Chi bộ thôn Đồng Tâm' -> 'Chi bo thon Dong Tam'."""
    stripped = "".join(ch for ch in nfd(text) if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D")


def slug(text: str) -> str:
    """ASCII words for file names: "B'Lá" -> 'BLa', 'Lộc Ngãi' -> 'Loc Ngai'."""
    return re.sub(r"[^A-Za-z0-9 ]", "", unaccent(text)).strip()


def _tone_table() -> dict[str, str]:
    # Two conventions coexist for an open 'oa', 'oe', 'uy' syllable: the tone on the first
    # vowel ('hòa', 'thủy', used in the registry) or on the second ('hoà', 'thuỷ').
    table = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in _TONES:
            new = nfc(first + tone) + second
            old = first + nfc(second + tone)
            for case in (str.lower, str.capitalize, str.upper):
                table[case(new)] = case(old)
    return table


_OTHER_TONE = _tone_table()
# Only at the end of a syllable: 'hoàn' keeps its tone on 'a' in both styles, and a letter
# after the pair means a closed syllable.
_OTHER_TONE_RE = re.compile("(" + "|".join(map(re.escape, _OTHER_TONE)) + r")(?![^\W\d_])")


def other_tone(text: str) -> str:
    """'Đảng ủy xã Hòa Bình' -> 'Đảng uỷ xã Hoà Bình' (the other tone placement)."""
    return _OTHER_TONE_RE.sub(lambda m: _OTHER_TONE[m.group(1)], text)


def pad_numbers(text: str) -> str:
    """'Thôn 1' -> 'Thôn 01' (clerks pad hamlet numbers; the loader treats them as equal)."""
    return re.sub(r"(?<!\d)(\d)(?!\d)", r"0\1", text)


DATE_SCHEMES = ("excel", "dmy2", "dmy1", "dash", "dot", "words")


def render_date(d: date | None, scheme: str) -> date | str | None:
    """A date as a clerk types it: a real Excel date or one of SPEC §2's day-first texts."""
    if d is None:
        return None
    if scheme == "excel":
        return d
    if scheme == "dmy2":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if scheme == "dmy1":
        return f"{d.day}/{d.month}/{d.year}"
    if scheme == "dash":
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    if scheme == "dot":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if scheme == "words":
        return f"ngày {d.day:02d} tháng {d.month} năm {d.year}"
    raise ValueError(f"unknown date scheme {scheme!r}")


def render_count(n: int | None, scheme: str, people: bool = False) -> int | str | None:
    """A count as a number cell, as text with stray spaces, or '25 đ/c' (people only)."""
    if n is None:
        return None
    if scheme == "text":
        return f" {n} "
    if scheme == "dc" and people:
        return f"{n} đ/c"
    return n


def place_date_line(place: str, d: date) -> str:
    """'Lộc An, ngày 05 tháng 10 năm 2024' — the date a report was made, never its period."""
    return f"{place}, ngày {d.day:02d} tháng {d.month} năm {d.year}"
