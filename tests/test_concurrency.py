"""The dashboard while another process loads into the warehouse it reads.

DuckDB lets the writing process have the file and refuses every other one, even read-only, so
the pages run on the last snapshot: each renders, says "Đang nạp dữ liệu mới" and shows the data
as they were; once the writer is done they show the new communes and the notice is gone.
(The upload page shows no warehouse data: it only has to keep working.)

Two real second processes: one runs the loader (etl.ingest.load.load_paths) and then keeps the
warehouse until told to let go, so that every page is checked while it is locked whatever the
machine's speed (and people sign in meanwhile: a login writes no warehouse); the other is the
command line, `python -m etl load` of about a hundred generated reports, with pages rendered over
and over while it runs.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from contextlib import contextmanager

import duckdb
import pytest

from etl.access import accounts, logins
from etl.sample import generate
from etl.warehouse import db, snapshot
from test_browser import PAGES, ROOT
from test_roles import PASSWORD, sign_in

STALE = "Đang nạp dữ liệu mới"
# Loads the files given, prints how many loaded, and keeps the warehouse until a line on stdin.
HOLDER = """
import sys
from etl.ingest.load import load_paths
from etl.warehouse import db
con = db.connect(sys.argv[1])
results = load_paths(con, sys.argv[2:])
print(sum(r.status == "loaded" for r in results), flush=True)
sys.stdin.readline()
con.close()
"""


@contextmanager
def holding(warehouse, *files):
    """A second process that loads `files` into the warehouse and keeps it while the block runs;
    yields how many files it loaded."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(warehouse), *map(str, files)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        loaded = holder.stdout.readline()
        assert loaded.strip().isdigit(), (loaded, holder.stderr.read())
        assert locked(warehouse)
        yield int(loaded)
        assert locked(warehouse), "the load let go before the block ended"
        holder.communicate("\n", timeout=60)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert holder.returncode == 0


def shows_data(script: str) -> bool:
    """Pages framed by page.start show warehouse data and its freshness; the upload page does not."""
    return "page.start(" in (ROOT / script).read_text(encoding="utf-8")


def locked(path) -> bool:
    """Whether another process holds the warehouse (a read-only open is refused)."""
    try:
        duckdb.connect(str(path), read_only=True).close()
        return False
    except duckdb.IOException as err:
        if "lock" in str(err).lower():
            return True
        raise


def visit(at, script: str):
    """The same browser session moving to another page (one script run)."""
    at.switch_page(script)
    at.run()
    return at


def communes_offered(at) -> int:
    return len(at.multiselect(key="dang_bo").options)


def check(at, script: str) -> bool:
    """No failure on the page; returns whether it carries the 'loading' notice."""
    assert not at.exception, (script, at.exception)
    assert not at.error, (script, [e.value for e in at.error])
    assert at.title, script
    return STALE in " ".join(w.value for w in at.warning)


@pytest.fixture(scope="module")
def incoming(tmp_path_factory):
    """Reports of 10 communes for 2026 (6 more than the demo's 4), with their registry."""
    folder = tmp_path_factory.mktemp("incoming")
    generate(folder, communes=10, first="2026-01", last="2026-10")
    return folder


@pytest.fixture
def warehouse(demo_db, tmp_path):
    """A private copy of the demo warehouse (its snapshot is taken by the test's first page)."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, path)
    return path


def test_every_page_works_while_a_loader_holds_the_warehouse(warehouse, incoming, app):
    first = app(warehouse)
    assert not check(first, "dashboard.py")
    old = communes_offered(first)
    reports = sorted((incoming / "bao-cao-thang").rglob("*.xlsx"))[:3]
    with holding(warehouse, incoming / "danh-muc-don-vi.xlsx", *reports) as loaded:
        assert loaded >= 1
        for script, _, _ in PAGES:
            at = visit(first, script)
            stale = check(at, script)
            assert stale or not shows_data(script), f"{script}: no '{STALE}' notice while the warehouse is locked"
            assert communes_offered(at) == old, script
    time.sleep(snapshot.BUSY_RETRY)  # the copy is tried again that long after a try found it busy
    after = app(warehouse)
    for script, _, _ in PAGES:
        at = visit(after, script)
        assert not check(at, script), script
        assert communes_offered(at) > old, script


def test_signing_in_while_a_loader_holds_the_warehouse(warehouse, incoming, app):
    """Regression: a login wrote the warehouse, so while a load held it nobody could sign in (the
    form waited 20 s, then said the warehouse was busy)."""
    with db.connect(warehouse) as con:
        accounts.add_user(con, "bantochuc", "ban_to_chuc", password=PASSWORD)
    at = app(warehouse, account=None)  # the login form; the snapshot now holds the account
    with holding(warehouse, incoming / "danh-muc-don-vi.xlsx") as loaded:
        assert loaded == 1
        at = sign_in(at, "bantochuc", "sai mật khẩu rồi")
        assert [e.value for e in at.error] == [accounts.LOGIN_FAILED_VN]
        at = sign_in(at, "bantochuc", PASSWORD)
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert at.title[0].value == "Tổng quan" and at.metric
        assert STALE in " ".join(w.value for w in at.warning)  # the data as they were before the load
    with logins.opened(warehouse) as con:
        assert [(r["action"], r["account"]) for r in logins.audit(con)] == [("login", "bantochuc"),
                                                                           ("login_failed", "bantochuc")]


def test_pages_during_the_command_line_load(warehouse, incoming, app):
    first = app(warehouse)
    assert not check(first, "dashboard.py")
    old = communes_offered(first)
    loader = subprocess.Popen([sys.executable, "-m", "etl", "load", str(incoming), "--db", str(warehouse)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []  # (said stale, communes offered) of each page rendered while the load ran
    try:
        deadline = time.monotonic() + 30
        while not locked(warehouse):
            assert loader.poll() is None, f"the load ended before it was seen: {loader.communicate()}"
            assert time.monotonic() < deadline, "the load never took the warehouse"
            time.sleep(0.05)
        while loader.poll() is None:  # round and round the pages until the load is over
            script = PAGES[len(seen) % len(PAGES)][0]
            at = visit(first, script)
            seen.append((check(at, script), communes_offered(at)))
        out, err = loader.communicate(timeout=300)
    finally:
        if loader.poll() is None:
            loader.kill()
            loader.wait()
    assert seen, "no page rendered while the load ran"
    assert loader.returncode in (0, 1), err  # 1: some reports rejected, the others loaded
    assert out.count("ĐÃ NẠP") >= 50, out[-2000:]
    time.sleep(snapshot.BUSY_RETRY)  # the copy is tried again that long after a try found it busy
    after = app(warehouse)
    for script, _, _ in PAGES:
        at = visit(after, script)
        assert not check(at, script), script
        assert communes_offered(at) > old, script
    # each page showed the data from before the load (saying so if the load had written by
    # then) or all of it, never a part. Whether a render falls while the load has written and
    # still holds the warehouse depends on the machine's speed (it missed once in CI): the
    # holding test above checks every page in that state.
    final = communes_offered(after)  # more than before: checked page by page above
    for stale, offered in seen:
        assert offered == old if stale else offered in (old, final), (stale, offered)
