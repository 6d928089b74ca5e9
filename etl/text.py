"""Vietnamese text matching and parsing of hand-typed cell values (SPEC §2).

Pure functions, no I/O: they take a string or a raw cell value (str, int, float, date, None...)
and return a normalised string, a key for comparisons, or a typed value (None when the value
cannot be read). Callers turn a None into a `bad_type` / `bad_value` problem.

Choices made here (the SPEC leaves them open):
- Tone placement: the traditional one is canonical ('hòa', 'khỏe', 'thủy'); the modern
  spellings ('hoà', 'khoẻ', 'thuỷ') are rewritten to it. Only open syllables ending in
  oa / oe / uy are touched; 'hoàn', 'toán', 'quý', 'khuỷu', 'ngoài' are already unambiguous.
- Dates: day-first only; a two-digit year means 20yy ('3/4/24' -> 2024-04-03); text dates must
  fall in 1900-2100; ISO text 'yyyy-mm-dd' is accepted too (it cannot be read month-first).
- A lone dash ('-', '–', '—') is blank: hand-made reports use it for "nothing / zero".
- Numbers: '.' or a space groups thousands ('1.234' = 1234); a decimal part is accepted only
  when it is zero ('25,0'); '1,234' is rejected (decimal comma or English thousands?).
"""
from __future__ import annotations

import difflib
import html
from functools import lru_cache
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from numbers import Integral, Real

# ---------------------------------------------------------------- normalisation

# Vietnamese tone marks as combining characters (NFD): grave, acute, tilde, hook, dot below.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_LETTER_OR_MARK = r"(?:[^\W\d_]|[\u0300-\u036f])"
# Modern placement 'hoà' -> traditional 'hòa': the tone sits on the second vowel of an
# open oa/oe/uy syllable (nothing letter-like follows). In NFD 'hoà' is 'h o a \u0300'.
# 'qu' + y is a consonant + vowel ('quý'), so a 'u' after 'q' is left alone.
_MODERN_TONE = re.compile(
    rf"(?<![qQ])(?P<first>[oO](?=[aAeE][{_TONES}])|[uU](?=[yY][{_TONES}]))"
    rf"(?P<second>[aAeEyY])(?P<tone>[{_TONES}])(?!{_LETTER_OR_MARK})"
)
# Invisible characters pasted from Word or the web.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# U+00D0 (Icelandic eth) looks exactly like 'Đ' and comes out of some legacy-font converters.
_INVISIBLE[0x00D0] = "\u0110"


def clean(s: str) -> str:
    """NFC, traditional tone placement, all whitespace runs -> one space, stripped; case kept."""
    if s is None:
        return ""
    return _clean(s if isinstance(s, str) else str(s))


# The loader sees the same few thousand strings (names, headers, list values) in every report:
# the normalisers are pure, so they are memoised on the string.
@lru_cache(maxsize=1 << 17)
def _clean(s: str) -> str:
    s = s.translate(_INVISIBLE)
    s = unicodedata.normalize("NFD", s)
    s = _MODERN_TONE.sub(r"\g<first>\g<tone>\g<second>", s)
    s = unicodedata.normalize("NFC", s)
    # str.split() without arguments splits on every Unicode space: NBSP, tabs, line breaks.
    return " ".join(s.split())


def key(s: str) -> str:
    """The exact-match key: clean() + casefold. 'Hoà', 'HÒA', NFD 'hòa' -> 'hòa'."""
    return _key(clean(s))


@lru_cache(maxsize=1 << 17)
def _key(cleaned: str) -> str:
    return unicodedata.normalize("NFC", cleaned.casefold())


def unaccented(s: str) -> str:
    """key() without any diacritic, 'đ' -> 'd': 'Lộc Quảng' -> 'loc quang'."""
    return _unaccented(key(s))


@lru_cache(maxsize=1 << 17)
def _unaccented(k: str) -> str:
    decomposed = unicodedata.normalize("NFD", k)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("ð", "d"))


def _has_diacritics(k: str) -> bool:
    return k != unaccented(k)


# ---------------------------------------------------------------- unit names

# Leading words that say what kind of unit follows, never part of the name itself.
# Keys (casefolded, traditional tone). Longer ones first so 'đảng ủy' wins over shorter.
_UNIT_PREFIXES = sorted(
    ["đảng ủy", "đảng uỷ", "đảng bộ", "đu", "đb", "xã", "thị trấn", "tt", "phường", "đặc khu",
     "chi bộ", "cb",
     # typed without diacritics: two-word forms are never the start of a real name
     "dang uy", "dang bo", "thi tran", "dac khu", "chi bo", "db"],
    key=len, reverse=True,
)
# Unaccented prefixes that are also syllables of real names ('Xà Bang' -> 'xa bang',
# 'Phương Thịnh', 'Du Tiến'): stripped only from a diacritic-less name with two or more
# words left, so 'Xa Loc Ngai' -> 'loc ngai' but 'Xa Bang' stays 'xa bang'.
_RISKY_PREFIXES = ["phuong", "xa", "du"]
# 'Chi bộ Xã đội' / 'Phường đội' (the commune's military command): here 'xã' is the name.
_KIND_IS_NAME = {"đội"}
_EDGE_PUNCT = " .,:;-–—_*'\"“”‘’«»/\\|"
_APOSTROPHES = re.compile(r"\s*['’‘ʼ`´′ʹ]\s*")
_LETTER_THEN_DIGIT = re.compile(r"(?<=[^\W\d_])(?=[0-9])")
_NUMBER = re.compile(r"[0-9]+")
_SO_BEFORE_NUMBER = re.compile(r"\b(?:số|so)\s+(?=[0-9])")
_ABBREVIATED_KIND = [(re.compile(r"^(?:tdp|tổ dp)\b"), "tổ dân phố"), (re.compile(r"^kp\b"), "khu phố")]


def _strip_prefix(k: str) -> str | None:
    """k without one leading unit prefix, or None when none applies."""
    for p in _UNIT_PREFIXES:
        if k.startswith(p) and (len(k) == len(p) or k[len(p)] in _EDGE_PUNCT):
            rest = k[len(p):].strip(_EDGE_PUNCT)
            if rest and rest not in _KIND_IS_NAME:
                return rest
    if not _has_diacritics(k):
        for p in _RISKY_PREFIXES:
            if k.startswith(p + " "):
                rest = k[len(p):].strip(_EDGE_PUNCT)
                if len(rest.split()) >= 2:
                    return rest
    return None


@lru_cache(maxsize=1 << 16)
def unit_key(name: str) -> str:
    """Key for unit names: 'Đảng ủy xã Lộc Ngãi' -> 'lộc ngãi', 'Chi bộ Thôn 02' -> 'thôn 2'.

    'thôn', 'tổ', 'tổ dân phố' are kept: 'Thôn 2' and 'Tổ 2' are different branches.
    """
    k = key(name)
    k = _APOSTROPHES.sub("'", k)  # "B’ Lá", "B'lá" -> "b'lá"
    k = _LETTER_THEN_DIGIT.sub(" ", k)  # 'thôn2' -> 'thôn 2'
    # 'thôn 01' -> 'thôn 1'; not int(): it refuses a run of over 4,300 digits (a pasted junk cell)
    k = _NUMBER.sub(lambda m: m.group().lstrip("0") or "0", k)
    k = k.strip(_EDGE_PUNCT)
    while (rest := _strip_prefix(k)) is not None:
        k = rest
    k = _SO_BEFORE_NUMBER.sub("", k)  # 'thôn số 2' -> 'thôn 2'
    for pattern, full in _ABBREVIATED_KIND:
        k = pattern.sub(full, k)
    return " ".join(k.split())


# ---------------------------------------------------------------- column headers

# Abbreviations seen in hand-made headers, as whole words of the key (before accents are
# removed, so 'đu' (đảng ủy) is not confused with 'dự' (attended), which becomes 'du').
_HEADER_ABBREVIATIONS = {
    "đv": "đảng viên", "dv": "đảng viên", "sh": "sinh hoạt", "cb": "chi bộ", "uv": "ủy viên",
    "đu": "đảng ủy", "sl": "số lượng", "bch": "ban chấp hành", "btv": "ban thường vụ",
    "shcb": "sinh hoạt chi bộ", "ts": "tổng số", "nq": "nghị quyết", "kl": "kết luận",
}
_NOT_WORD = re.compile(r"[^\w/]|_")


@lru_cache(maxsize=1 << 16)
def header_key(s: str) -> str:
    """Key for headers: 'Số ĐV\\n dự' -> 'so dang vien du'; 'NQ/KL' -> 'nghi quyet / ket luan'."""
    k = _NOT_WORD.sub(" ", key(s)).replace("/", " / ")
    words = [_HEADER_ABBREVIATIONS.get(w, w) for w in k.split()]
    return unaccented(" ".join(words))


# ---------------------------------------------------------------- cell values

_DASHES = set("-–—‒−")


def is_blank(v: object) -> bool:
    """None, NaN, '', whitespace, or a lone dash ('-', '–', '--'): nothing was entered."""
    if v is None:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    if isinstance(v, str):
        t = v.strip()
        if t and t[0] not in _DASHES and ord(t[0]) not in _INVISIBLE:
            return False  # the common case, without normalising
        c = clean(v).replace(" ", "")
        return c == "" or set(c) <= _DASHES
    return False


_YES = {"x", "×", "✓", "✔", "☑", "√", "v", "có", "co", "1", "yes", "y", "true", "đã", "rồi"}
_NO = {"không", "khong", "k", "ko", "kh", "no", "n", "0", "false", "chưa", "chua",
       "không có", "khong co"}


def parse_yes_no(v: object) -> bool | None:
    """True / False for the usual ways of ticking a cell; None when it is not a yes/no.

    Blank means no (SPEC §2, also in required yes/no columns). Never raises.
    """
    if is_blank(v):
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (Integral, Real, Decimal)):
        try:
            if v == 1:
                return True
            if v == 0:
                return False
        except (TypeError, ValueError, ArithmeticError):
            return None
        return None
    if isinstance(v, str):
        k = key(v).strip(" .!")
        if k in _YES:
            return True
        if k in _NO:
            return False
    return None


_TIME_SUFFIX = r"(?:\s*(?:\s|t)\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DAY_FIRST = re.compile(
    r"^(?:ngay\s*)?(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4}|\d{2})" + _TIME_SUFFIX + "$"
)
_WORDS = re.compile(
    r"^(?:ngay\s*)?(\d{1,2})\s*,?\s*thang\s*(\d{1,2})\s*,?\s*nam\s*(\d{4})$"
)
_ISO = re.compile(r"^(\d{4})([/.-])(\d{1,2})\2(\d{1,2})" + _TIME_SUFFIX + "$")


def parse_date(v: object) -> date | None:
    """A date from a date/datetime or day-first text; None when blank or not a real date.

    Text: '03/04/2024', '3/4/2024', '03-04-2024', '03.04.2024', '3/4/24', 'ngày 3/4/2024',
    'ngày 03 tháng 4 năm 2024', '2024-04-03'. Never month-first; bare numbers are refused
    (an Excel serial number is already a date when the reader hands it over).
    """
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if not isinstance(v, str):
        return None
    s = unaccented(v).strip(" .,;")
    if m := _DAY_FIRST.match(s) or _WORDS.match(s):
        d, mo, y = (int(g) for g in m.groups()[:3])
        if len(m.group(3)) == 2:
            y += 2000
    elif m := _ISO.match(s):
        y, mo, d = int(m.group(1)), int(m.group(3)), int(m.group(4))
    else:
        return None
    if not 1900 <= y <= 2100:
        return None
    try:
        return date(y, mo, d)
    except ValueError:  # 31/02/2024
        return None


# Units written after a count, compared without diacritics ('25 đ/c', '25đv', '3 người').
_COUNT_UNITS = {
    "d/c", "dc", "d.c", "dong chi", "dv", "dang vien", "nguoi", "ng", "cb", "chi bo", "cuoc",
    "lan", "luot", "buoi", "hoi nghi", "hn", "quan chung", "qc", "truong hop", "th",
}
_INT_TEXT = re.compile(
    r"^(?P<sign>[-+−–]?)\s*"
    r"(?P<digits>\d{1,3}(?:\.\d{3})+|\d{1,3}(?: \d{3})+|\d+)"  # '1.234' / '1 234' thousands
    r"(?:[.,]0+)?"  # '25,0' / '25.00': a zero decimal part
    r"\s*(?P<unit>[^\d]*?)\.?$"
)


def parse_int(v: object) -> int | None:
    """An integer from a number or text ('25', ' 25 ', '25 đ/c', '1.234'); None otherwise.

    Negative values are returned (the caller reports `negative`); booleans and fractions
    are not integers.
    """
    if isinstance(v, bool):
        return None
    if isinstance(v, Integral):
        return int(v)
    if isinstance(v, (Real, Decimal)):
        try:
            if math.isfinite(v) and v == int(v):
                return int(v)
        except (TypeError, ValueError, ArithmeticError):
            return None
        return None
    if not isinstance(v, str):
        return None
    m = _INT_TEXT.match(unaccented(v))
    if not m or (m.group("unit") and m.group("unit").strip() not in _COUNT_UNITS):
        return None
    digits = m.group("digits").replace(".", "").replace(" ", "")
    if len(digits) > 18:  # no count is that long; and int() refuses text of over 4,300 digits
        return None
    n = int(digits)
    return -n if m.group("sign") in ("-", "−", "–") else n


def parse_choice(v: object, choices: Mapping[str, str]) -> str | None:
    """The code of a list value ('Khá' -> 'kha' for {'Khá': 'kha', ...}); None when none fits.

    Compared by key() (case, NFC/NFD, tone placement). A value typed without diacritics is
    accepted when its bare letters fit exactly one code.
    """
    if not isinstance(v, str):
        return None
    k = key(v).strip(" .,;")
    exact = {key(spelling): code for spelling, code in choices.items()}
    if k in exact:
        return exact[k]
    if _has_diacritics(k):
        return None  # a real letter or tone differs: never guessed
    codes = {code for spelling, code in choices.items() if unaccented(spelling) == k}
    return codes.pop() if len(codes) == 1 else None


def closest(target: str, candidates: Iterable[str], *, keyfn=unaccented) -> str | None:
    """The candidate most like target (difflib ratio of keyfn values, first one on a tie),
    or None when none reaches 0.6. For "Có phải 'Chi bộ thôn 2'?" suggestions."""
    t = keyfn(target)
    if not t:
        return None
    best, best_ratio = None, 0.6
    for c in candidates:
        ratio = difflib.SequenceMatcher(None, t, keyfn(c), autojunk=False).ratio()
        if ratio > best_ratio or (best is None and ratio >= best_ratio):
            best, best_ratio = c, ratio
    return best


# ---------------------------------------------------------------- file names

def slug(s: str, limit: int | None = None) -> str:
    """ASCII words joined by '-', for a file name: 'Sinh hoạt Lộc Đức' -> 'sinh-hoat-loc-duc';
    at most `limit` characters (never ending in '-')."""
    out = re.sub(r"[^a-z0-9]+", "-", unaccented(s)).strip("-")
    return out if limit is None else out[:limit].strip("-")


# ---------------------------------------------------------------- outside text, shown

LIMIT = 150  # characters of one outside value (a long branch name is about 70)
ELLIPSIS = "…"
# control characters, and the bidirectional overrides and isolates that reorder the text after them
_HIDDEN = dict.fromkeys([*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F),
                         *range(0x2066, 0x206A)], " ")


def line(value, limit: int = LIMIT) -> str:
    """`value` as text on one line: control characters and whitespace runs made one space, at
    most `limit` characters."""
    text = " ".join(str(value).translate(_HIDDEN).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def plotly(value, limit: int = LIMIT) -> str:
    """`value` (a unit's name, a file name: text from outside the code) as a plotly text that
    shows its text: plotly draws a small HTML subset, in which `<a href>` is a working link, so
    & < > are written as entities (see ui/markup.py for the dashboard's Markdown)."""
    return html.escape(line(value, limit), quote=False)
