"""The original files on the dashboard (ui.originals): the commune drill-down of Sinh hoạt chi bộ
offers each month's report in each version, the audit page each loaded file; the bytes are the
kept ones, and the right to them is asked again at the moment of the download."""
from __future__ import annotations

import hashlib
import shutil

import pytest
from etl.access import accounts
from etl.access.accounts import Account
from etl.warehouse import db, originals, snapshot
from test_page_tables import workbooks  # noqa: F401  (a fixture: every download a run offers, built on click)
from ui.originals import Refused


@pytest.fixture
def demo_copy(demo_db, tmp_path):
    """The demo warehouse and its originals, copied: the tests change its accounts."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    shutil.copytree(originals.store_for(demo_db), originals.store_for(path))
    return path


def _kept(warehouse, sha256) -> bytes:
    return originals.path_of(originals.store_for(warehouse), sha256).read_bytes()


def test_the_drill_down_offers_every_version_of_the_communes_reports(app, demo_db, workbooks):
    at = app(demo_db, page="sinh_hoat_chi_bo")
    commune = at.selectbox(key="shcb_dang_bo").value
    picker = at.selectbox(key="bao-cao-goc")
    con = db.connect(demo_db, read_only=True)
    try:
        year = at.selectbox(key="nam").value
        first, last = at.selectbox(key="tu_thang").value, at.selectbox(key="den_thang").value
        expected = originals.versions_between(con, commune, f"{year}-{first:02d}", f"{year}-{last:02d}")
    finally:
        con.close()
    assert len(picker.options) == len(expected) > 1
    assert picker.options[0].startswith(f"Tháng {last}/{year} · lần nạp 1 (hiện hành) · nhận ")
    for i in (0, len(expected) - 1):
        picker.set_value(i).run()
        v = expected[i]
        name = originals.download_name(commune, v["period"], v)
        assert name in workbooks
        data = workbooks[name]()
        assert hashlib.sha256(data).hexdigest() == v["sha256"] and data == _kept(demo_db, v["sha256"])


def test_the_audit_page_offers_the_file_of_each_load_row(app, demo_db, workbooks):
    at = app(demo_db, page="nhat_ky")
    at.selectbox(key="nk-thoi-gian").set_value("Tất cả").run()
    picker = at.selectbox(key="nk-tep-goc")
    assert picker.options and all(" · Nạp báo cáo · " in o for o in picker.options[:5])
    name = picker.options[picker.value].split(" · ")[-1]  # workbooks under the name it was loaded under
    data = workbooks[name]()
    assert _kept(demo_db, hashlib.sha256(data).hexdigest()) == data


def test_the_right_is_asked_again_when_the_download_is_clicked(app, demo_copy, workbooks):
    con = db.connect(demo_copy)
    commune = con.execute("SELECT min(commune_code) FROM report_submissions").fetchone()[0]
    accounts.add_user(con, "xa_mot", "xa", commune)
    con.close()
    snapshot.refresh(demo_copy)
    at = app(demo_copy, page="sinh_hoat_chi_bo", account=Account("xa_mot", "xa", commune))
    [build] = [b for name, b in workbooks.items() if name.startswith("bao-cao-thang-")]
    assert build()  # still allowed
    con = db.connect(demo_copy)
    accounts.disable(con, "xa_mot")
    con.close()
    with pytest.raises(Refused, match="account changed"):
        build()  # locked since the page was drawn: nothing is handed out
    assert len(at.selectbox(key="shcb_dang_bo").options) == 1  # its own commune only


def test_a_commune_account_is_offered_no_other_communes_file(app, demo_copy, workbooks):
    con = db.connect(demo_copy)
    own, other = [c for (c,) in con.execute("SELECT DISTINCT commune_code FROM report_submissions ORDER BY 1 LIMIT 2").fetchall()]
    con.close()
    at = app(demo_copy, page="sinh_hoat_chi_bo", account=Account("xa_mot", "xa", own), shcb_dang_bo=other)
    assert at.selectbox(key="shcb_dang_bo").value == own
    assert any(f"-{own}-lan-" in name for name in workbooks)
    assert all(f"-{other}-" not in name for name in workbooks)
