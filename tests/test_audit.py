"""The audit trail: one row per loaded or rejected file with account, file name and
hash, written in the load's own transaction; the reader; rows survive a restart."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest

from builders import S2, clone, monthly_book, registry_book, targets_book, write_book
from etl.access import audit, logins
from etl.access.accounts import Account
from etl.ingest.load import load_paths
from etl.warehouse import db


@pytest.fixture
def con(tmp_path):
    con = db.connect(tmp_path / "w.duckdb")
    yield con
    con.close()


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_each_loaded_or_rejected_file_leaves_one_row(con, tmp_path):
    bad = clone(monthly_book())
    bad[S2][4][7] = 999  # more attended than members
    files = {
        # the report sorts before the registry: rejected for unknown units first, then loaded
        "a-report.xlsx": write_book(tmp_path / "in" / "a-report.xlsx", monthly_book()),
        "c-junk.xlsx": tmp_path / "in" / "c-junk.xlsx",
        "d-registry.xlsx": write_book(tmp_path / "in" / "d-registry.xlsx", registry_book()),
        "e-bad.xlsx": write_book(tmp_path / "in" / "e-bad.xlsx", bad),
    }
    files["c-junk.xlsx"].write_bytes(b"not a workbook")
    results = load_paths(con, [tmp_path / "in"], account=Account("ba1", "ban_to_chuc"))
    assert [r.status for r in results] == ["loaded", "rejected", "loaded", "rejected"]
    rows = sorted((r["file_name"], r["action"], r["account"], r["sha256"], r["detail"]) for r in audit.audit(con))
    assert rows == [
        ("a-report.xlsx", "load", "ba1", sha(files["a-report.xlsx"]), "Báo cáo tháng 3/2024, đảng bộ X01 (lần nạp 2)"),
        ("c-junk.xlsx", "reject", "ba1", sha(files["c-junk.xlsx"]), "unreadable"),
        ("d-registry.xlsx", "load", "ba1", sha(files["d-registry.xlsx"]), "Danh mục đơn vị (lần nạp 1)"),
        ("e-bad.xlsx", "reject", "ba1", sha(files["e-bad.xlsx"]), "over_total"),
    ]
    # A second run: the rejections again, and a 'load' row for each unchanged file (someone gave
    # it again: that is an act too), with its hash.
    load_paths(con, [tmp_path / "in"])
    again = audit.audit(con, limit=4)
    assert sorted((r["file_name"], r["action"], r["account"], r["sha256"], r["detail"]) for r in again) == [
        ("a-report.xlsx", "load", None, sha(files["a-report.xlsx"]), "Báo cáo tháng 3/2024, đảng bộ X01 (không thay đổi)"),
        ("c-junk.xlsx", "reject", None, sha(files["c-junk.xlsx"]), "unreadable"),
        ("d-registry.xlsx", "load", None, sha(files["d-registry.xlsx"]), "Danh mục đơn vị (không thay đổi)"),
        ("e-bad.xlsx", "reject", None, sha(files["e-bad.xlsx"]), "over_total")]
    assert len(audit.audit(con)) == 8


def test_a_run_limited_to_one_commune_rejects_every_other_file_and_records_it(con, tmp_path):
    """load_paths(commune=...): what a commune account may load, enforced by the loader itself;
    the audit rows carry the names the files were uploaded under."""
    registry = write_book(tmp_path / "in" / "001-danh-muc.xlsx", registry_book())
    load_paths(con, [registry])
    mine = write_book(tmp_path / "in" / "002-mine.xlsx", monthly_book())
    theirs = write_book(tmp_path / "in" / "003-theirs.xlsx", monthly_book(commune="Lộc Quảng", branches=[
        "Chi bộ thôn 1", "Chi bộ thôn 2"]))
    names = {"001-danh-muc.xlsx": "Danh mục.xlsx", "002-mine.xlsx": "Báo cáo T3.xlsx",
             "003-theirs.xlsx": "Lộc Quảng T3.xlsx"}
    results = load_paths(con, [registry, mine, theirs], account="xa1", commune="x01", names=names)
    assert [(r.status, [p.code for p in r.problems][:1]) for r in results] == [
        ("rejected", ["not_permitted"]), ("loaded", []), ("rejected", ["not_permitted"])]
    assert "danh mục đơn vị" in results[0].problems[0].message
    assert "báo cáo tháng của đảng bộ Lộc Quảng (X02)" in results[2].problems[0].message
    assert "Tài khoản của đảng bộ Lộc Ngãi (X01)" in results[2].problems[0].message
    rows = sorted((r["file_name"], r["action"], r["account"], r["sha256"]) for r in audit.audit(con, limit=3))
    assert rows == [("Báo cáo T3.xlsx", "load", "xa1", sha(mine)), ("Danh mục.xlsx", "reject", "xa1", sha(registry)),
                    ("Lộc Quảng T3.xlsx", "reject", "xa1", sha(theirs))]
    # The rule holds for content loaded before too: not 'unchanged' for another commune's account.
    [r] = load_paths(con, [mine], account="xa2", commune="X02")
    assert r.status == "rejected" and r.problems[0].code == "not_permitted"
    [r] = load_paths(con, [mine], account="xa1", commune="X01")
    assert r.status == "unchanged"
    assert con.execute("SELECT count(*) FROM loads WHERE kind = 'monthly'").fetchone() == (1,)


def test_a_report_rejected_for_good_leaves_exactly_one_reject_row(con, tmp_path):
    path = write_book(tmp_path / "report.xlsx", monthly_book())  # no registry at all
    [r] = load_paths(con, [path], account="xa1")
    assert r.status == "rejected"
    assert [(a["action"], a["account"], a["detail"]) for a in audit.audit(con)] == [
        ("reject", "xa1", "unknown_commune")]


def test_the_load_row_is_in_the_loads_transaction(con, tmp_path):
    load_paths(con, [write_book(tmp_path / "r.xlsx", registry_book())])
    count = "SELECT (SELECT count(*) FROM loads), (SELECT count(*) FROM audit_log)"
    before = con.execute(count).fetchone()
    args = dict(kind="targets", source_file="t.xlsx", sha256="0" * 64, received_at=None, meta={},
                rows={"recruitment_targets": [{"row_no": 3, "commune_code": "X01", "year": 2024, "target": 5}]})
    # A failing audit row undoes the load...
    with pytest.raises(ValueError, match="unknown audit action"):
        db.write_load(con, **args, after=lambda c, load_id: audit.record(c, "no_such_action"))
    assert con.execute(count).fetchone() == before
    # ...and a load failing after its rows leaves no audit row.
    def fail(c, load_id):
        audit.record(c, "load", file_name="t.xlsx")
        raise RuntimeError("disk full")
    with pytest.raises(RuntimeError):
        db.write_load(con, **args, after=fail)
    assert con.execute(count).fetchone() == before
    load_id = db.write_load(con, **args, after=lambda c, i: audit.record(c, "load", file_name="t.xlsx", detail=str(i)))
    assert con.execute(count).fetchone() == (before[0] + 1, before[1] + 1)
    assert audit.audit(con, limit=1)[0]["detail"] == str(load_id)


def test_reader_filters_orders_and_limits(con):
    t = datetime(2024, 5, 1, 9, 0)
    for i, action in enumerate(["login", "load", "export", "login_failed", "confirm", "reopen"]):
        audit.record(con, action, account=f"u{i % 2}", at=t + timedelta(minutes=i), detail=str(i))
    audit.record(con, "load", account="u9", at=t + timedelta(minutes=5), detail="same minute")
    assert [r["detail"] for r in audit.audit(con)] == ["same minute", "5", "4", "3", "2", "1", "0"]
    assert [r["detail"] for r in audit.audit(con, limit=2)] == ["same minute", "5"]
    assert [r["detail"] for r in audit.audit(con, since=t + timedelta(minutes=4))] == ["same minute", "5", "4"]
    assert [r["detail"] for r in audit.audit(con, actions={"login", "login_failed"})] == ["3", "0"]
    assert [r["detail"] for r in audit.audit(con, account="u1")] == ["5", "3", "1"]
    assert list(audit.audit(con, limit=1)[0]) == list(audit.COLUMNS)


def test_rows_survive_a_restart(tmp_path):
    path = tmp_path / "w.duckdb"
    con = db.connect(path)
    audit.record(con, "export", account=Account("ba1", "ban_to_chuc"), file_name="tong-hop-2024.xlsx",
                 sha256="ab" * 32)
    con.close()
    con = db.connect(path, read_only=True)
    [row] = audit.audit(con)
    assert (row["account"], row["action"], row["file_name"], row["sha256"]) == (
        "ba1", "export", "tong-hop-2024.xlsx", "ab" * 32)
    con.close()


def test_unknown_actions_are_refused_and_every_action_has_a_label(con):
    with pytest.raises(ValueError):
        audit.record(con, "delete")
    assert audit.audit(con) == []
    assert set(audit.ACTION_VN) == audit.ACTIONS | set(logins.ACTIONS)


def test_loader_keeps_its_file_order_and_targets_rows(con, tmp_path):
    """The audit wiring changes nothing the loader returned before."""
    load_paths(con, [write_book(tmp_path / "r.xlsx", registry_book())])
    [r] = load_paths(con, [write_book(tmp_path / "t.xlsx", targets_book())], account="ba1")
    assert (r.status, r.kind, r.rows) == ("loaded", "targets", {"recruitment_targets": 3})
    assert con.execute("SELECT count(*) FROM recruitment_targets").fetchone() == (3,)
