"""Tải báo cáo (pages/tai_bao_cao.py and ui/upload.py): uploads saved under safe names, checked
and loaded through the real `python -m etl` in a subprocess against a real warehouse file, and
reported under the user's names. AppTest cannot upload files, so the helpers are tested directly
and the page is only rendered.

The warehouse holds the builders' registry (tests/builders.py): Lộc Ngãi (X01) with four
branches, Lộc Quảng (X02) with two.
"""
from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import COMMUNES, BRANCHES, monthly_book, registry_book, write_book
from etl.warehouse import db
from ui import upload

SAFE = re.compile(r"^\d{3}(-[a-z0-9]+(-[a-z0-9]+)*)?\.(xlsx|xlsm|xls)$")


def book_bytes(tmp_path, book: dict, name: str = "tmp.xlsx") -> bytes:
    return write_book(tmp_path / "books" / name, book).read_bytes()


@pytest.fixture
def batch(tmp_path):
    """(name, bytes) as the uploader gives them: a valid report, one with an unknown branch, a
    valid report under a path-like name, a text file renamed .xlsx, and a CSV."""
    bad = monthly_book(commune="Lộc Quảng", branches=["Chi bộ thôn 1", "Chi bộ thôn 9"])
    return [
        ("Báo cáo tháng 3 - Lộc Ngãi.xlsx", book_bytes(tmp_path, monthly_book(), "a.xlsx")),
        ("Lộc Quảng T3.xlsx", book_bytes(tmp_path, bad, "b.xlsx")),
        ("../../etc/passwd.xlsx", book_bytes(tmp_path, monthly_book(month=4), "c.xlsx")),
        ("ghi chú.xlsx", "không phải sổ tính".encode()),
        ("danh sách.csv", b"a;b\n1;2\n"),
    ]


def test_safe_names_keep_only_a_slug_and_a_whitelisted_extension():
    assert upload.safe_name(1, "../../etc/passwd.xlsx") == "001-passwd.xlsx"
    assert upload.safe_name(2, "..\\..\\Windows\\win.INI.XLSM") == "002-win-ini.xlsm"
    assert upload.safe_name(3, "Báo cáo tháng 3 - Lộc Ngãi.xls") == "003-bao-cao-thang-3-loc-ngai.xls"
    assert upload.safe_name(4, ".xlsx") == "004.xlsx"
    assert upload.safe_name(5, "report.pdf") is None
    assert upload.safe_name(6, "xlsx") is None
    assert upload.safe_name(7, "a.xlsx/") is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120), st.integers(min_value=1, max_value=999))
def test_any_name_becomes_a_safe_name_or_is_refused(name, index):
    out = upload.safe_name(index, name)
    assert out is None or (SAFE.match(out) and ".." not in out and "/" not in out and len(out) < 80)


def test_save_writes_only_inside_the_folder_and_refuses_what_is_not_a_workbook(tmp_path, batch):
    folder = tmp_path / "up"
    folder.mkdir()
    uploads = upload.save(batch + [("to.xlsx", b"x" * (upload.MAX_BYTES + 1))], folder)
    assert [u.name for u in uploads] == [n for n, _ in batch] + ["to.xlsx"]
    assert [u.saved for u in uploads] == [True, True, True, True, False, False]
    written = sorted(p.name for p in folder.iterdir())
    assert written == ["001-bao-cao-thang-3-loc-ngai.xlsx", "002-loc-quang-t3.xlsx", "003-passwd.xlsx",
                       "004-ghi-chu.xlsx"]
    assert all(u.path.parent == folder for u in uploads if u.saved)
    assert not (tmp_path / "etc").exists()
    assert uploads[4].refusal.code == "unreadable" and "danh sách.csv" in uploads[4].refusal.message
    assert uploads[5].refusal.code == "too_large" and "20 MB" in uploads[5].refusal.message


def test_save_refuses_files_past_the_count_limit(tmp_path):
    uploads = upload.save(((f"{i}.xlsx", b"x") for i in range(upload.MAX_FILES + 2)), tmp_path)
    assert sum(u.saved for u in uploads) == upload.MAX_FILES
    assert [u.name for u in uploads if not u.saved] == [f"{upload.MAX_FILES}.xlsx", f"{upload.MAX_FILES + 1}.xlsx"]
    assert len(list(tmp_path.iterdir())) == upload.MAX_FILES
    # the page's own limit, not a problem of the file: held back with the page's reason, no code
    assert all(u.refusal is None and "tối đa" in u.held_back for u in uploads if not u.saved)


class Uploaded:
    """What st.file_uploader gives: a name, a size known without reading, and the bytes."""
    def __init__(self, size: int):
        self.size, self.reads = size, 0

    def getvalue(self) -> bytes:
        self.reads += 1
        return b"x" * self.size


def test_files_past_the_count_or_the_total_size_are_never_read(tmp_path, monkeypatch):
    monkeypatch.setattr(upload, "MAX_FILES", 4)
    monkeypatch.setattr(upload, "MAX_TOTAL_BYTES", 250)
    files = [(f"{i}.xlsx", Uploaded(size)) for i, size in enumerate([100, 100, 100, 40, 10], start=1)]
    uploads = upload.save(files, tmp_path)
    assert [u.saved for u in uploads] == [True, True, False, True, False]
    assert [f.reads for _, f in files] == [1, 1, 0, 1, 0]  # read once to be saved, or not at all
    assert [u.refusal for u in uploads if not u.saved] == [None, None]
    assert "tổng cộng tối đa" in uploads[2].held_back and "tối đa 4 tệp" in uploads[4].held_back
    assert uploads[2].sha256 is None


def test_streamlit_refuses_files_over_the_same_size_limit():
    import tomllib
    config = tomllib.loads((Path(upload.ROOT) / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == upload.MAX_MB  # megabytes per file


def test_check_reports_problems_under_the_users_names(tmp_path, batch, warehouse_file):
    uploads = upload.save(batch, tmp_path)
    out = upload.check(uploads, warehouse_file)
    assert out.error is None
    assert [(f.file, f.status) for f in out.files] == [
        ("Báo cáo tháng 3 - Lộc Ngãi.xlsx", "checked"), ("Lộc Quảng T3.xlsx", "rejected"),
        ("../../etc/passwd.xlsx", "checked"), ("ghi chú.xlsx", "rejected"), ("danh sách.csv", "rejected")]
    problems = upload.problems_table(out)
    assert list(problems.columns) == ["Tệp", "Trang tính", "Ô", "Cột", "Mức độ", "Mã", "Nội dung"]
    errors = problems[problems["Mức độ"] == "Lỗi"]
    assert (errors["Mức độ"] == "Lỗi").all() and problems.index[:len(errors)].tolist() == errors.index.tolist()
    unknown = errors[errors["Mã"] == "unknown_branch"]
    # 'Chi bộ thôn 9' is the second branch: row 6 of sheet 2, column C; and row 5 of sheet 3
    assert sorted(zip(unknown["Trang tính"], unknown["Ô"])) == [("2. Sinh hoạt chi bộ", "C6"),
                                                               ("3. Phát triển đảng viên", "A5")]
    assert set(unknown["Tệp"]) == {"Lộc Quảng T3.xlsx"} and set(unknown["Cột"]) == {"Tên chi bộ"}
    junk = errors[errors["Tệp"] == "ghi chú.xlsx"]
    assert list(junk["Mã"]) == ["unreadable"]
    assert "'ghi chú.xlsx'" in junk["Nội dung"].iloc[0] and "004-" not in junk["Nội dung"].iloc[0]
    files = upload.files_table(out, month=lambda p: p)
    assert list(files["Kết quả"]) == ["Hợp lệ", "Bị từ chối", "Hợp lệ", "Bị từ chối", "Bị từ chối"]
    assert list(files["Tháng"]) == ["2024-03", "2024-03", "2024-04", "", ""]
    assert list(files["Số lỗi"]) == [0, 2, 0, 1, 1]
    with duckdb.connect(str(warehouse_file), read_only=True) as con:  # check wrote nothing
        assert con.execute("SELECT count(*) FROM report_submissions").fetchone() == (0,)
    # no registry file in the batch: only the files that passed are worth loading
    assert [u.name for u in upload.loadable(uploads, out)] == ["Báo cáo tháng 3 - Lộc Ngãi.xlsx",
                                                                "../../etc/passwd.xlsx"]


def test_load_loads_what_passed_then_says_unchanged(tmp_path, batch, warehouse_file):
    uploads = upload.save(batch, tmp_path)
    out = upload.check_and_load(uploads, warehouse_file, date(2024, 4, 3))
    assert out.error is None
    assert [(f.file, f.status) for f in out.files] == [
        ("Báo cáo tháng 3 - Lộc Ngãi.xlsx", "loaded"), ("Lộc Quảng T3.xlsx", "rejected"),
        ("../../etc/passwd.xlsx", "loaded"), ("ghi chú.xlsx", "rejected"), ("danh sách.csv", "rejected")]
    assert list(upload.files_table(out)["Kết quả"]) == ["Đã nạp", "Bị từ chối", "Đã nạp", "Bị từ chối", "Bị từ chối"]
    with duckdb.connect(str(warehouse_file), read_only=True) as con:
        rows = con.execute("SELECT commune_code, period, source_file, received_at FROM report_submissions "
                           "ORDER BY period").fetchall()
    assert rows == [("X01", "2024-03", "001-bao-cao-thang-3-loc-ngai.xlsx", datetime(2024, 4, 3)),
                    ("X01", "2024-04", "003-passwd.xlsx", datetime(2024, 4, 3))]

    (tmp_path / "again").mkdir()
    again = upload.check_and_load(upload.save(batch[:1], tmp_path / "again"), warehouse_file)
    [entry] = again.files
    assert (entry.file, entry.status, entry.kind, entry.commune, entry.period) == (
        "Báo cáo tháng 3 - Lộc Ngãi.xlsx", "unchanged", "monthly", "X01", "2024-03")
    assert list(upload.files_table(again)["Kết quả"]) == ["Không thay đổi"]


def test_a_registry_in_the_batch_lets_reports_of_its_new_units_load(tmp_path, warehouse_file):
    communes = COMMUNES + [("X06", "Lộc Tân", "Xã", None, None, None, None)]
    branches = BRANCHES + [("X06-01", "Chi bộ thôn Tân Hà", "X06", "Thôn", None, None)]
    report = monthly_book(commune="Lộc Tân", branches=["Chi bộ thôn Tân Hà"])
    uploads = upload.save([("bao-cao-loc-tan.xlsx", book_bytes(tmp_path, report, "r.xlsx")),
                           ("danh-muc.xlsx", book_bytes(tmp_path, registry_book(communes, branches), "d.xlsx"))],
                          tmp_path)
    checked = upload.check(uploads, warehouse_file)
    # check applies the batch's registry first, as load does: Lộc Tân is known to both
    assert [f.status for f in checked.files] == ["checked", "checked"]
    assert [u.name for u in upload.loadable(uploads, checked)] == ["bao-cao-loc-tan.xlsx", "danh-muc.xlsx"]
    assert [f.file for f in upload.worth_loading(checked)] == ["bao-cao-loc-tan.xlsx", "danh-muc.xlsx"]
    out = upload.load(upload.loadable(uploads, checked), warehouse_file)
    # the loader applies the registry first, then checks the report again
    assert [(f.file, f.status) for f in out.files] == [("bao-cao-loc-tan.xlsx", "loaded"),
                                                            ("danh-muc.xlsx", "loaded")]


def test_template_for_a_commune_and_month(warehouse_file):
    content, message = upload.template(warehouse_file, "X01", "2024-05")
    assert message == ""
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert "2. Sinh hoạt chi bộ" in book.sheetnames
    names = {c.value for row in book["2. Sinh hoạt chi bộ"].iter_rows() for c in row}
    assert {"Chi bộ thôn 1", "Chi bộ Trạm Y tế"} <= names

    content, message = upload.template(warehouse_file, "ZZ9", "2024-05")
    assert content is None and "ZZ9" in message


def test_a_failing_command_gives_its_message_not_a_crash(tmp_path, batch):
    # a folder where the warehouse should be: the CLI cannot open it and says so on stderr
    where = tmp_path / "not-a-file.duckdb"
    where.mkdir()
    out = upload.load(upload.save(batch[:1], tmp_path), where)
    assert out.error.startswith("Lệnh python -m etl load dừng vì lỗi (mã thoát 1)") and out.files == []
    assert "Traceback" not in out.error


@pytest.mark.parametrize("death", [
    "import sys, os; print('memory allocation of 4294967296 bytes failed', file=sys.stderr); os.abort()",
    "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",  # the kernel's out-of-memory killer
], ids=["allocation failed in Rust", "killed"])
def test_a_command_ended_for_lack_of_memory_says_so(tmp_path, batch, monkeypatch, death):
    import subprocess
    import sys
    run = subprocess.run
    monkeypatch.setattr(upload.subprocess, "run", lambda cmd, **kw: run([sys.executable, "-c", death], **kw))
    out = upload.check(upload.save(batch[:1], tmp_path), tmp_path / "w.duckdb")
    assert out.error == upload.NO_MEMORY.format(command="python -m etl check") and out.files == []
    assert "không đủ bộ nhớ" in out.error and "Hãy" in out.error


def test_page_renders_without_a_warehouse(app, tmp_path):
    at = app(tmp_path / "none" / "warehouse.duckdb", page="tai_bao_cao")
    assert not at.error
    assert at.title[0].value == "Tải báo cáo"
    assert any("Danh mục đơn vị" in i.value for i in at.info)  # no template before a registry


def test_page_makes_a_template_for_the_chosen_commune(app, warehouse_file):
    at = app(warehouse_file, page="tai_bao_cao")  # a registry and no report yet
    assert not at.error
    assert at.selectbox(key="template-commune").options == ["Hòa Bắc", "Lộc Ngãi", "Lộc Quảng", "Lộc Thắng"]
    assert not at.download_button
    at.button(key="template-make").click().run()
    assert not at.exception and not at.error
    [button] = at.download_button
    assert button.label.startswith("Tải mẫu ")
