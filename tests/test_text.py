"""etl.text: name keys, tone placement, headers and hand-typed cell values (SPEC §2)."""
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.text import (
    clean, closest, header_key, is_blank, key, parse_choice, parse_date, parse_int,
    parse_yes_no, unaccented, unit_key,
)


def nfd(s):
    return unicodedata.normalize("NFD", s)


# ---------------------------------------------------------------- clean / key / unaccented

@pytest.mark.parametrize("raw, expected", [
    ("  Lộc \u00a0 Ngãi\n", "Lộc Ngãi"),
    ("Lộc\tNgãi\r\nxã", "Lộc Ngãi xã"),
    ("Thôn\u200b 2", "Thôn 2"),
    (nfd("Lộc Quảng"), "Lộc Quảng"),
    ("Hoà", "Hòa"), ("HOÀ", "HÒA"), ("Thuỷ", "Thủy"), ("Khoẻ", "Khỏe"), ("hoạ", "họa"),
    ("Thanh Hoá", "Thanh Hóa"), ("Uỷ ban", "Ủy ban"), ("xoè", "xòe"), ("Tuỳ", "Tùy"),
    (nfd("THUỶ"), "THỦY"), (nfd("Hoà"), "Hòa"),
    # already canonical or unambiguous: untouched
    ("Hòa", "Hòa"), ("hoàn", "hoàn"), ("toán", "toán"), ("Hoàng", "Hoàng"), ("ngoài", "ngoài"),
    ("quý", "quý"), ("Quỳnh", "Quỳnh"), ("khuỷu", "khuỷu"), ("Nguyễn", "Nguyễn"),
    ("huỳnh", "huỳnh"), ("hoặc", "hoặc"), ("Thuyết", "Thuyết"), ("quả", "quả"),
    ("\u00d0ảng", "Đảng"),  # eth look-alike from legacy converters
])
def test_clean(raw, expected):
    assert clean(raw) == expected
    assert unicodedata.is_normalized("NFC", clean(raw))


@pytest.mark.parametrize("a, b", [
    ("Hòa", "Hoà"), ("HOÀ", "hòa"), ("Thủy", "Thuỷ"), ("THUỶ", "thủy"), ("Khỏe", "khoẻ"),
    (nfd("Lộc Ngãi"), "LỘC NGÃI"), ("Lộc  Ngãi ", "lộc\u00a0ngãi"), (nfd("Hoà"), "Hòa"),
])
def test_key_same(a, b):
    assert key(a) == key(b)


@pytest.mark.parametrize("a, b", [("Lộc Quang", "Lộc Quảng"), ("hoàn", "hòa"), ("Hòa", "Hóa")])
def test_key_different(a, b):
    assert key(a) != key(b)


@pytest.mark.parametrize("raw, expected", [
    ("Lộc Quảng", "loc quang"), ("ĐẢNG ỦY", "dang uy"), (nfd("Đạ M'ri"), "da m'ri"),
    ("Thuỷ", "thuy"), ("Nguyễn Thị Hoà", "nguyen thi hoa"),
])
def test_unaccented(raw, expected):
    assert unaccented(raw) == expected


# Vietnamese letters (precomposed, both cases) + digits + spaces, for the property tests.
_VIET = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđbcdghklmnpqrstvx"
VIET_TEXT = st.text(alphabet=_VIET + _VIET.upper() + "0123456789 \u00a0\t\n'", max_size=30)


@settings(max_examples=200, deadline=None)
@given(VIET_TEXT)
def test_key_invariant_under_nfd_and_case(s):
    k = key(s)
    assert key(k) == k
    assert key(nfd(s)) == k
    assert key(s.upper()) == k
    assert key(s.lower()) == k
    assert clean(clean(s)) == clean(s)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_key_idempotent_on_any_text(s):
    assert key(key(s)) == key(s)
    assert unaccented(unaccented(s)) == unaccented(s)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["hoà", "hòa", "thuỷ", "thủy", "khoẻ", "khỏe", "hoàn", "quý", "lộc"]),
                min_size=1, max_size=4))
def test_key_invariant_under_tone_placement(words):
    to_traditional = {"hoà": "hòa", "thuỷ": "thủy", "khoẻ": "khỏe"}
    modern = " ".join(words)
    traditional = " ".join(to_traditional.get(w, w) for w in words)
    assert key(modern) == key(traditional) == key(nfd(traditional.upper()))


# ---------------------------------------------------------------- unit names

@pytest.mark.parametrize("raw, expected", [
    ("Đảng ủy xã Lộc Ngãi", "lộc ngãi"), ("ĐU Lộc Ngãi", "lộc ngãi"), ("Đảng uỷ Lộc Ngãi", "lộc ngãi"),
    ("Đảng bộ xã Lộc Ngãi", "lộc ngãi"), ("Xã Lộc Ngãi", "lộc ngãi"), ("XÃ LỘC NGÃI", "lộc ngãi"),
    (nfd("Xã Lộc Ngãi"), "lộc ngãi"), ("Lộc Ngãi", "lộc ngãi"), ("Xã: Lộc Ngãi.", "lộc ngãi"),
    ("TT Lộc Thắng", "lộc thắng"), ("TT. Lộc Thắng", "lộc thắng"), ("Thị trấn Lộc Thắng", "lộc thắng"),
    ("Đảng ủy thị trấn Lộc Thắng", "lộc thắng"), ("Phường 01", "1"), ("Đặc khu Côn Đảo", "côn đảo"),
    ("Chi bộ Thôn 02", "thôn 2"), ("CB thôn 2", "thôn 2"), ("Thôn 01", "thôn 1"), ("thôn2", "thôn 2"),
    ("Chi bộ thôn số 2", "thôn 2"), ("Tổ 005", "tổ 5"), ("Tổ dân phố 3", "tổ dân phố 3"),
    ("TDP 03", "tổ dân phố 3"), ("Chi bộ Trường THCS Lộc Ngãi", "trường thcs lộc ngãi"),
    ("Chi bộ thôn B'Lá", "thôn b'lá"), ("Chi bộ thôn B’lá", "thôn b'lá"), ("thôn B' Lá", "thôn b'lá"),
    ("Hoà Ninh", "hòa ninh"), ("- Thôn 3 -", "thôn 3"),
    # typed without diacritics
    ("Dang uy xa Loc Ngai", "loc ngai"), ("Xa Loc Ngai", "loc ngai"), ("Chi bo thon 02", "thon 2"),
    # a name syllable that looks like a prefix is kept
    ("Xa Bang", "xa bang"), ("Xã Xà Bang", "xà bang"), ("Phuong Thinh", "phuong thinh"),
    ("Chi bộ Xã đội", "xã đội"), ("Xã", "xã"), ("Chi bộ", "chi bộ"),
])
def test_unit_key(raw, expected):
    assert unit_key(raw) == expected


def test_unit_key_keeps_kinds_apart():
    assert len({unit_key(n) for n in ["Thôn 2", "Tổ 2", "Tổ dân phố 2", "Thôn 12"]}) == 4
    assert unit_key("Lộc Quang") != unit_key("Lộc Quảng")


PREFIXES = ["Đảng ủy", "Đảng uỷ", "Đảng bộ", "ĐU", "ĐB", "Xã", "Thị trấn", "TT", "Phường", "Đặc khu",
            "Chi bộ", "CB", "Đảng ủy xã", "Đảng bộ thị trấn", "Chi bộ:", "TT.", "đu -", "DANG UY"]
NAME_WORDS = st.sampled_from(["Lộc", "Ngãi", "Quảng", "Hòa", "Thuỷ", "B'Lá", "Tân", "An", "Đạ", "Bằng"])
UNIT_NAMES = st.one_of(
    st.lists(NAME_WORDS, min_size=1, max_size=3).map(" ".join),
    st.tuples(st.sampled_from(["Thôn", "Tổ", "Tổ dân phố", "thôn"]),
              st.integers(0, 200)).map(lambda t: f"{t[0]} {t[1]}"),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PREFIXES), max_size=3), UNIT_NAMES,
       st.sampled_from([str, str.upper, str.lower, nfd]))
def test_unit_key_invariant_under_prefixes(prefixes, name, transform):
    assert unit_key(transform(" ".join([*prefixes, name]))) == unit_key(name)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["Thôn", "Tổ", "Tổ dân phố", "Chi bộ thôn"]), st.integers(0, 999), st.integers(0, 3))
def test_unit_key_invariant_under_zero_padding(kind, n, zeros):
    assert unit_key(f"{kind} {'0' * zeros}{n}") == unit_key(f"{kind} {n}")


# ---------------------------------------------------------------- headers

@pytest.mark.parametrize("raw, expected", [
    ("Số ĐV\n dự", "so dang vien du"), ("Số  đảng viên dự", "so dang vien du"),
    ("SỐ ĐẢNG VIÊN DỰ", "so dang vien du"), ("Tên CB", "ten chi bo"), ("Tên chi bộ", "ten chi bo"),
    ("Số UV BCH (người)", "so uy vien ban chap hanh nguoi"), ("Số ủy viên", "so uy vien"),
    ("Số uỷ viên", "so uy vien"), ("SH thường kỳ", "sinh hoat thuong ky"),
    ("Ban hành nghị quyết/kết luận", "ban hanh nghi quyet / ket luan"),
    ("Ban hành NQ/KL", "ban hanh nghi quyet / ket luan"), ("(1)", "1"),
    ("Cấp ủy cấp trên dự", "cap uy cap tren du"), ("ĐU, BTV", "dang uy ban thuong vu"),
    ("SL", "so luong"), (nfd("Ngày\thọp"), "ngay hop"),
])
def test_header_key(raw, expected):
    assert header_key(raw) == expected


# ---------------------------------------------------------------- yes / no, blank

@pytest.mark.parametrize("value", [
    "x", "X", " x ", "✓", "✔", "√", "v", "V", "có", "Có", "CÓ", nfd("Có"), "co", "1", 1, 1.0,
    Decimal("1"), True, "yes", "Đã",
])
def test_yes(value):
    assert parse_yes_no(value) is True


@pytest.mark.parametrize("value", [
    "không", "Không", "KHÔNG", nfd("không"), "khong", "k", "K", "ko", "0", 0, 0.0, False, None, "",
    "   ", "\u00a0", "-", "–", float("nan"), "Chưa",
])
def test_no(value):
    assert parse_yes_no(value) is False


@pytest.mark.parametrize("value", ["có lẽ", 5, 2.5, -1, date(2024, 3, 1), datetime(2024, 3, 1),
                                   "xx", "cỏ", "✗", "?", b"x", [1], float("inf")])
def test_yes_no_invalid(value):
    assert parse_yes_no(value) is None


ANY_CELL = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.dates(), st.datetimes(),
    st.times(), st.decimals(), st.binary(), st.fractions(), st.complex_numbers(),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(ANY_CELL)
def test_cell_parsers_never_raise(v):
    assert parse_yes_no(v) in (True, False, None)
    assert parse_date(v) is None or isinstance(parse_date(v), date)
    assert parse_int(v) is None or type(parse_int(v)) is int
    assert is_blank(v) in (True, False)
    assert parse_choice(v, {"Tốt": "tot"}) in ("tot", None)


@pytest.mark.parametrize("value, expected", [
    (None, True), ("", True), ("  \n\t", True), ("\u00a0", True), ("-", True), (" – ", True),
    ("—", True), ("--", True), (float("nan"), True),
    (0, False), ("0", False), ("x", False), ("-3", False), (False, False), (date(2024, 1, 1), False),
])
def test_is_blank(value, expected):
    assert is_blank(value) is expected


# ---------------------------------------------------------------- dates

D = date(2024, 4, 3)


@pytest.mark.parametrize("value", [
    "03/04/2024", "3/4/2024", "03-04-2024", "03.04.2024", " 03/04/2024 ", "3/4/24",
    "ngày 03 tháng 4 năm 2024", "Ngày 3 tháng 04 năm 2024", nfd("ngày 03 tháng 4 năm 2024"),
    "ngay 3 thang 4 nam 2024", "ngày 3/4/2024", "03 / 04 / 2024", "2024-04-03",
    "03/04/2024 00:00:00", "03/04/2024.", D, datetime(2024, 4, 3, 8, 30),
])
def test_parse_date(value):
    assert parse_date(value) == D


@pytest.mark.parametrize("value", [
    "31/02/2024", "29/02/2023", "32/01/2024", "03/13/2024", "12/31/2024", None, "", " ", "-",
    45385, 45385.0, "45385", "tháng 4 năm 2024", "04/2024", "abc", "03/04", True, "03/04/1800",
])
def test_parse_date_invalid(value):
    assert parse_date(value) is None


def test_parse_date_is_day_first():
    assert parse_date("05/06/2024") == date(2024, 6, 5)
    assert parse_date("29/02/2024") == date(2024, 2, 29)


DATE_FORMATS = [
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    lambda d: f"ngày {d.day} tháng {d.month} năm {d.year}",
    lambda d: f"Ngày {d.day:02d} tháng {d.month:02d} năm {d.year}",
    lambda d: f"ngày {d.day}/{d.month}/{d.year}",
]


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(DATE_FORMATS), st.sampled_from(["", " ", "\u00a0 "]))
def test_parse_date_round_trip(d, fmt, pad):
    assert parse_date(pad + fmt(d) + pad) == d


# ---------------------------------------------------------------- integers

@pytest.mark.parametrize("value, expected", [
    (25, 25), (25.0, 25), (" 25 ", 25), ("25", 25), ("25 đ/c", 25), ("25đ/c", 25), ("25đv", 25),
    ("25 ĐV", 25), ("25 người", 25), (nfd("25 người"), 25), ("25 đồng chí", 25), ("1.234", 1234),
    ("1 234", 1234), ("25,0", 25), ("25.00", 25), ("-3", -3), ("- 3", -3), ("0", 0), (0, 0),
    (Decimal("7"), 7), ("25 đ/c.", 25), ("\u00a025\u00a0", 25),
])
def test_parse_int(value, expected):
    assert parse_int(value) == expected


@pytest.mark.parametrize("value", [
    2.5, "2,5", "2.5", "abc", "", None, True, False, "1,234", "25 30", "khoảng 25", "25 tuổi",
    float("nan"), float("inf"), date(2024, 1, 1), "1.23", "25 (2 miễn)",
])
def test_parse_int_invalid(value):
    assert parse_int(value) is None


@settings(max_examples=200, deadline=None)
@given(st.integers(-10_000_000, 10_000_000), st.sampled_from(["", " ", "  ", "\u00a0"]),
       st.sampled_from(["", "đ/c", "đv", "ĐV", "người", "đồng chí", "đảng viên"]),
       st.booleans())
def test_parse_int_round_trip(n, pad, unit, grouped):
    digits = f"{abs(n):,}".replace(",", ".") if grouped else str(abs(n))
    text = f"{pad}{'-' if n < 0 else ''}{digits}{pad}{' ' if pad and unit else ''}{unit}{pad}"
    assert parse_int(text) == n
    assert parse_int(float(n)) == n


# ---------------------------------------------------------------- choices and suggestions

QUALITY = {"Tốt": "tot", "Khá": "kha", "Trung bình": "trung_binh", "TB": "trung_binh", "Kém": "kem"}


@pytest.mark.parametrize("value, expected", [
    ("Tốt", "tot"), ("TỐT", "tot"), (nfd("tốt"), "tot"), (" khá ", "kha"), ("Trung  bình", "trung_binh"),
    ("tb", "trung_binh"), ("TB", "trung_binh"), ("kém", "kem"), ("Tot", "tot"), ("kha", "kha"),
    ("trung binh", "trung_binh"), ("Kem", "kem"), ("Tốt.", "tot"),
    ("Xuất sắc", None), ("", None), (None, None), (3, None), ("Tôt", None), ("Kèm", None),
])
def test_parse_choice(value, expected):
    assert parse_choice(value, QUALITY) == expected


def test_parse_choice_tone_placement_and_ambiguity():
    assert parse_choice("Hoà", {"Hòa": "h"}) == "h"
    # 'hoa' could be 'Hòa' or 'Hoa': unaccented input is refused when it fits two codes
    assert parse_choice("hoa", {"Hòa": "a", "Hóa": "b"}) is None
    assert parse_choice("hoa", {"Hòa": "a", "Hoa": "b"}) == "b"  # exact wins
    ratings = {"Hoàn thành nhiệm vụ": "hoan_thanh", "Không hoàn thành nhiệm vụ": "khong_hoan_thanh"}
    assert parse_choice("không hoàn thành nhiệm vụ", ratings) == "khong_hoan_thanh"
    assert parse_choice("hoàn thành nhiệm vụ", ratings) == "hoan_thanh"


BRANCHES = ["Chi bộ thôn 1", "Chi bộ thôn 2", "Chi bộ thôn 3", "Chi bộ Trường Tiểu học"]


def test_closest():
    assert closest("Chi bộ thôn 12", BRANCHES) in ("Chi bộ thôn 1", "Chi bộ thôn 2")
    assert closest("Thôn 12", BRANCHES, keyfn=lambda s: unaccented(unit_key(s))) in (
        "Chi bộ thôn 1", "Chi bộ thôn 2")
    assert closest("chi bo thon 3", BRANCHES) == "Chi bộ thôn 3"
    assert closest("Lộc Quang", ["Lộc Quảng", "Lộc Ngãi"]) == "Lộc Quảng"
    assert closest("Ban chỉ huy quân sự", BRANCHES) is None
    assert closest("", BRANCHES) is None
    assert closest("Thôn 2", []) is None
    # a tie goes to the first candidate
    assert closest("abcd", ["abce", "abcf"], keyfn=str) == "abce"


def test_closest_prefers_highest_ratio():
    assert closest("Thôn 2", ["Tổ 2", "Thôn 2A", "Thôn 2"], keyfn=key) == "Thôn 2"
