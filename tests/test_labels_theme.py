"""Display names and colours are written once: etl/labels.py and etl/theme.py, used by the pages,
the shared chart builders and the December export alike (a page and the paper cannot disagree on
what "Chưa báo cáo" is called or which grey draws it)."""
from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from etl import labels, text, theme

ROOT = Path(__file__).resolve().parents[1]
# the product's code; etl/sample/ imitates clerks' workbooks (their own words and fills)
CODE = sorted(p for p in [ROOT / "dashboard.py", *(ROOT / "etl").rglob("*.py"), *(ROOT / "ui").rglob("*.py"),
                          *(ROOT / "pages").rglob("*.py")]
              if "sample" not in p.relative_to(ROOT).parts)
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def _strings(path: Path):
    """(line, text) of every string literal of a module, f-string parts included, docstrings not."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def test_colours_are_written_in_the_theme_only():
    found = [f"{p.relative_to(ROOT)}:{line}: {s[:60]}" for p in CODE if p != ROOT / "etl" / "theme.py"
             for line, s in _strings(p) if HEX.search(s)]
    assert not found, found


def test_streamlit_primary_colour_is_the_theme_main():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["theme"]["primaryColor"].lower() == theme.MAIN


@pytest.mark.parametrize("name", [labels.NOT_REPORTED, labels.TOTAL, labels.SUBTOTAL, labels.SELECTED_TOTAL,
                                  labels.GOOD_OR_BETTER, labels.NO_TARGET, *labels.FILE_STATUS.values(),
                                  *labels.ORG_RATINGS.values(), labels.QUALITY["trung_binh"]])
def test_a_display_name_is_written_in_labels_only(name):
    # the forms' own words (quality levels, ratings) are written in the forms spec, which labels
    # reads; "Trung bình" is also Streamlit's "Average", translated in ui/streamlit_vn.py
    home = {ROOT / "etl" / "labels.py", ROOT / "etl" / "ingest" / "forms" / "spec.py", ROOT / "ui" / "streamlit_vn.py"}
    found = [f"{p.relative_to(ROOT)}:{line}" for p in CODE if p not in home
             for line, s in _strings(p) if s == name]
    assert not found, found


def test_the_total_row_is_the_whole_organisation_only_over_every_commune():
    assert labels.total_name(True) == "Toàn Đảng bộ"
    assert labels.total_name(False) == "Tổng cộng"
    assert labels.total_name(False, labels.SELECTED_TOTAL) == "Cộng các đảng bộ được chọn"


def test_rating_and_status_names_come_from_the_forms_spec():
    assert labels.QUALITY == {"tot": "Tốt", "kha": "Khá", "trung_binh": "Trung bình", "kem": "Kém"}
    assert labels.FINDING_STATUS == {"open": "Chưa khắc phục", "in_progress": "Đang khắc phục",
                                     "resolved": "Đã khắc phục"}
    assert labels.ORG_RATINGS["khong_hoan_thanh"] == "Không hoàn thành nhiệm vụ"
    assert set(theme.QUALITY) == set(labels.QUALITY)


def _assigned(name: str) -> list[str]:
    """Where `name` is a module's constant or a function, in the product's code."""
    out = []
    for p in CODE:
        tree = ast.parse(p.read_text(encoding="utf-8"))
        out += [f"{p.relative_to(ROOT)}:{node.lineno}" for node in tree.body if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)]
        out += [f"{p.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef) and node.name == name]
    return out


@pytest.mark.parametrize("name", ["QUIET", "NOT_REPORTED", "slug", "_slug", "month_vn", "month_bounds", "parse_period",
                                  "first_names", "_first_names"])
def test_one_definition(name):
    assert len(_assigned(name)) <= (2 if name == "NOT_REPORTED" else 1), _assigned(name)  # labels' and theme's


def test_slug_is_ascii_words_for_a_file_name():
    assert text.slug("Sinh hoạt chi bộ Lộc Đức") == "sinh-hoat-chi-bo-loc-duc"
    assert text.slug("  ĐẢNG BỘ  xã (Hòa) ") == "dang-bo-xa-hoa"
    assert text.slug("Báo cáo tháng " + "dài " * 30, 20) == "bao-cao-thang-dai-da"
    assert not text.slug("báo cáo", 7).endswith("-")


def test_theme_tint_mixes_with_white():
    assert theme.tint("#000000", 1) == "#000000" and theme.tint("#000000", 0) == "#ffffff"
    assert theme.tint("#b71c1c", 0.5) == "#db8e8e"


def test_a_month_is_parsed_by_etl_period_only():
    """'YYYY-MM' is read by Month.parse; no other module writes its own pattern for it."""
    found = [f"{p.relative_to(ROOT)}:{line}" for p in CODE if p != ROOT / "etl" / "period.py"
             for line, s in _strings(p) if re.search(r"\\d\{4\}\)?-", s)]
    assert not found, found


def test_one_ranking_rule_for_pages_and_export():
    """Pages rank best first, the export's images worst first: one rule read both ways (a unit
    without a figure at the bad end, ties in the frame's order), chosen by the builders' `order`."""
    import pandas as pd

    from etl.outputs import charts

    df = pd.DataFrame({"name": ["A", "B", "C", "D", "E"], "share": [0.5, None, 0.9, 0.5, float("nan")]})
    assert list(charts.best_first(df, "share")["name"]) == ["C", "A", "D", "B", "E"]
    assert list(charts.worst_first(df, "share")["name"]) == ["B", "E", "A", "D", "C"]
    assert list(charts.ranked(df, "worst", "share", most=3)["name"]) == ["B", "E", "A"]
    assert list(charts.ranked(df, "best", "share")["name"]) == ["C", "A", "D", "B", "E"]
    with pytest.raises(ValueError, match="worst"):
        charts.ranked(df, "lowest", "share")
