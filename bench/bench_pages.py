"""Benchmark: every dashboard page on a province warehouse, warm (AppTest) and first visit (Chromium).

    .venv/bin/python bench/bench_pages.py [--communes 130] [--branches 30] [--years 10] [--runs 5]
                                          [--visits 3] [--no-browser] [--typing S]
                                          [--pages chat_luong tong_quan ...]

Builds once, then reuses, bench/out/pages-<communes>x<branches>x<years>y.duckdb (git-ignored):
15,600 Excel files would take an hour to generate and load, so the rows go straight into the
internal tables (etl/warehouse/schema.sql) with bulk SQL: one registry, targets and inspection
load, and one monthly load per commune-month with its committee meetings, branch meetings,
recruitment rows and (December) annual ratings; a few reports are missing or late, as in life.
Then, for each page of dashboard.py: the script run warm (median of --runs AppTest runs after one
cold run; target < 200 ms), and the first visit in headless Chromium (from starting a fresh
`python -m ui.serve`, the tab already open on a fresh profile, until the server answers, the
login form is ready, the page's title shows after the automated sign-in and plotly has drawn
the first chart; target < 4 s; the median of --visits rounds over the pages, with the fastest
and slowest: the same visit varies by a quarter from one time to the next on this machine).
--typing S waits S seconds on the form before pressing its button, as a person typing, and
leaves them out of the figures after it: what that person waits. Prints a table.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from etl.access import accounts  # noqa: E402
from etl.access.accounts import Account  # noqa: E402
from etl.warehouse import db  # noqa: E402

OUT = ROOT / "bench" / "out"
WARM_TARGET_MS, FIRST_TARGET_S = 200, 4.0
LAST_YEAR = 2025

# Deterministic pseudo-random numbers in SQL: hash of a row's keys and a salt, 0..999.
R = "CAST(hash({keys}, '{salt}') % 1000 AS INTEGER)"


def r(keys: str, salt: str) -> str:
    return R.format(keys=keys, salt=salt)


def build_warehouse(communes: int, branches: int, years: int) -> Path:
    path = OUT / f"pages-{communes}x{branches}x{years}y.duckdb"
    if path.exists():
        print(f"kho dữ liệu có sẵn: {path.relative_to(ROOT)}")
        return path
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    first_year = LAST_YEAR - years + 1
    con = db.connect(partial)
    con.execute("BEGIN TRANSACTION")
    con.execute(f"""
        CREATE TEMP TABLE c AS
        SELECT i, printf('P%03d', i) AS code,
               CASE WHEN i % 9 = 0 THEN 'Phường ' WHEN i % 13 = 0 THEN 'Thị trấn ' ELSE 'Xã ' END
                 || (['Tân', 'Hòa', 'Phú', 'Lộc', 'An', 'Bình', 'Thạnh', 'Đức', 'Hưng', 'Long'])[i % 10 + 1]
                 || ' ' || (['Bắc', 'Nam', 'Đông', 'Tây', 'Trung', 'Thượng', 'Hạ', 'Mỹ', 'Quý', 'Phước',
                             'Thành', 'Lâm', 'Sơn'])[(i // 10) % 13 + 1] AS name
        FROM range(1, {communes} + 1) t(i);
        CREATE TEMP TABLE b AS
        SELECT c.code AS commune_code, c.code || printf('-%02d', j) AS code, j,
               (['Thôn', 'Thôn', 'Thôn', 'Tổ dân phố', 'Cơ quan', 'Trường học', 'Y tế', 'Công an',
                 'Quân sự', 'Doanh nghiệp'])[j % 10 + 1] AS kind
        FROM c, range(1, {branches} + 1) t(j);
        CREATE TEMP TABLE m AS
        SELECT strftime(d, '%Y-%m') AS period, d::DATE AS month_start, year(d) AS year, month(d) AS month
        FROM range(DATE '{first_year}-01-01', DATE '{LAST_YEAR}-12-01' + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(d);
    """)
    board = {}
    for kind in ("registry", "targets", "inspections"):
        board[kind] = con.execute(
            "INSERT INTO loads (load_id, kind, source_file, sha256, received_at, loaded_at) "
            "VALUES (nextval('load_ids'), ?, ?, ?, TIMESTAMP '2016-01-02 08:00', now()) RETURNING load_id",
            [kind, f"{kind}.xlsx", f"bench-{kind}"]).fetchone()[0]
    con.execute(f"""
        INSERT INTO commune_rows (load_id, row_no, commune_code, commune_name, kind, aliases)
        SELECT {board['registry']}, i, code, name, split_part(name, ' ', 1), [] FROM c;
        INSERT INTO branch_rows (load_id, row_no, branch_code, branch_name, commune_code, kind, aliases)
        SELECT {board['registry']}, row_number() OVER (), code, 'Chi bộ ' || kind || ' ' || j, commune_code, kind, []
        FROM b;
        INSERT INTO target_rows (load_id, row_no, commune_code, year, target)
        SELECT {board['targets']}, row_number() OVER (), c.code, y.year, 4 + {r('c.code, y.year', 't')} % 9
        FROM c, (SELECT DISTINCT year FROM m) y;
        INSERT INTO finding_rows (load_id, row_no, plan_ref, inspected_on, commune_code, category, description,
                                  recommendation, due_date, status, resolved_on)
        SELECT {board['inspections']}, row_number() OVER (), 'KH-' || y.year, make_date(y.year, 5, 10), c.code,
               (['BIEN_BAN', 'KET_LUAN', 'SO_GHI_CHEP', 'QUY_CHE', 'TAO_NGUON', 'SO_DANG_VIEN', 'HUONG_DAN_CB',
                 'CHUYEN_DE'])[{r('c.code, y.year, k', 'cat')} % 8 + 1],
               'Hạn chế ' || k, 'Khắc phục trong quý', make_date(y.year, 9, 30),
               CASE WHEN y.year < {LAST_YEAR} OR {r('c.code, k', 'st')} < 500 THEN 'resolved'
                    WHEN {r('c.code, k', 'st')} < 800 THEN 'in_progress' ELSE 'open' END,
               CASE WHEN y.year < {LAST_YEAR} OR {r('c.code, k', 'st')} < 500 THEN make_date(y.year, 9, 1) END
        FROM c, (SELECT DISTINCT year FROM m) y, range(1, 4) t(k)
        WHERE c.i % 3 = y.year % 3;
    """)
    # monthly loads: ~2 % missing; most received by the 4th of the next month, ~15 % later
    con.execute(f"""
        CREATE TEMP TABLE reports AS
        SELECT c.code AS commune_code, m.period, m.month_start, m.year, m.month,
               (m.month_start + INTERVAL 1 MONTH + INTERVAL (CASE WHEN {r('c.code, m.period', 'rcv')} < 850 THEN {r('c.code, m.period', 'rcv')} % 4 ELSE 5 + {r('c.code, m.period', 'rcv')} % 9 END) DAY
                + INTERVAL 8 HOUR)::TIMESTAMP AS received_at
        FROM c, m
        WHERE {r('c.code, m.period', 'miss')} >= 20
        ORDER BY m.period, c.code;
        CREATE TEMP TABLE report_ids AS
        SELECT nextval('load_ids') AS load_id, * FROM reports;
        INSERT INTO loads (load_id, kind, source_file, sha256, received_at, loaded_at, commune_code, period,
                           tasks_sent_on, made_on, made_by, warnings)
        SELECT load_id, 'monthly', commune_code || '-' || period || '.xlsx', 'bench-' || load_id, received_at,
               received_at, commune_code, period,
               CASE WHEN {r('commune_code, period', 'task')} < 900
                    THEN (month_start + INTERVAL (20 + {r('commune_code, period', 'task')} % 12) DAY)::DATE END,
               received_at::DATE, 'Văn phòng', 0
        FROM report_ids;
        INSERT INTO committee_meeting_rows (load_id, row_no, meeting_date, body, regular, members_total,
                                            members_present, conclusion_issued, conclusion_ref, conclusion_date,
                                            upper_attended)
        SELECT load_id, k, (month_start + INTERVAL (k * 6) DAY)::DATE, (['BCH', 'BTV', 'TT'])[k],
               {r('load_id, k', 'reg')} < 930, 15, 12 + {r('load_id, k', 'pre')} % 4,
               {r('load_id, k', 'con')} < 880, k || '-NQ/ĐU',
               (month_start + INTERVAL (k * 6 + 1 + {r('load_id, k', 'del')} % 6) DAY)::DATE,
               {r('load_id, k', 'up')} < 300
        FROM report_ids, range(1, 4) t(k)
        WHERE k = 1 OR {r('load_id, k', 'more')} < 500;
        INSERT INTO branch_meeting_rows (load_id, row_no, branch_code, held, meeting_date, members_total,
                                         members_exempt, members_attended, thematic, upper_attended, quality)
        SELECT load_id, b.j, b.code, held,
               CASE WHEN held THEN (month_start + INTERVAL ({r('b.code, period', 'day')} % 9) DAY)::DATE END,
               total, exempt, CASE WHEN held THEN total - exempt - {r('b.code, period', 'abs')} % 4 END,
               held AND {r('b.code, period', 'the')} < 350, held AND {r('b.code, period', 'upb')} < 450,
               CASE WHEN NOT held THEN NULL
                    WHEN {r('b.code, period', 'q')} < 300 THEN 'tot' WHEN {r('b.code, period', 'q')} < 850 THEN 'kha'
                    WHEN {r('b.code, period', 'q')} < 985 THEN 'trung_binh' ELSE 'kem' END
        FROM (SELECT *, {r('b.code, period', 'held')} >= 40 AS held,
                        12 + {r('b.code', 'size')} % 30 AS total, {r('b.code, period', 'ex')} % 3 AS exempt
              FROM report_ids JOIN b USING (commune_code)) b;
        INSERT INTO recruitment_rows (load_id, row_no, branch_code, sources_trained, admitted, confirmed_official,
                                      transferred_in, transferred_out, deceased, removed, working_away)
        SELECT load_id, b.j, b.code, CASE WHEN {r('b.code, period', 'src')} < 60 THEN 1 ELSE 0 END,
               CASE WHEN {r('b.code, period', 'adm')} < 20 THEN 1 ELSE 0 END,
               CASE WHEN {r('b.code, period', 'cnf')} < 20 THEN 1 ELSE 0 END,
               CASE WHEN {r('b.code, period', 'tin')} < 15 THEN 1 ELSE 0 END,
               CASE WHEN {r('b.code, period', 'tout')} < 12 THEN 1 ELSE 0 END,
               CASE WHEN {r('b.code, period', 'dec')} < 6 THEN 1 ELSE 0 END, 0, {r('b.code', 'away')} % 3
        FROM report_ids JOIN b USING (commune_code);
        INSERT INTO annual_rating_rows (load_id, row_no, branch_code, org_rating, members_xuat_sac, members_tot,
                                        members_hoan_thanh, members_khong_hoan_thanh)
        SELECT load_id, b.j, b.code,
               (['xuat_sac', 'tot', 'tot', 'tot', 'hoan_thanh', 'hoan_thanh', 'khong_hoan_thanh', 'tot', 'tot',
                 'hoan_thanh'])[{r('b.code, period', 'rat')} % 10 + 1], 3, 15, 6, {r('b.code, period', 'k')} % 2
        FROM report_ids JOIN b USING (commune_code)
        WHERE month = 12;
    """)
    con.execute("COMMIT")
    con.execute("CHECKPOINT")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("loads", "branch_meeting_rows", "committee_meeting_rows", "recruitment_rows")}
    con.close()
    partial.rename(path)  # only a complete warehouse is reused
    print(f"dựng kho {path.relative_to(ROOT)}: {time.perf_counter() - started:.1f} s · "
          + " · ".join(f"{t} {n:,}".replace(",", ".") for t, n in counts.items()))
    return path


def warm_times(db_path: Path, scripts: list[str], runs: int) -> dict[str, tuple[float, float]]:
    """Per page: (cold ms, median warm ms) of the whole script run (dashboard.py + the page)."""
    from streamlit.testing.v1 import AppTest

    os.environ["WAREHOUSE_DB"] = str(db_path)
    out = {}
    for script in scripts:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.session_state["_account"] = Account("bench", "ban_to_chuc")  # signed in: every page
        at.run()
        at.switch_page(script)
        t0 = time.perf_counter()
        at.run()
        cold = (time.perf_counter() - t0) * 1000
        if at.exception:
            print(f"  {script}: LỖI {at.exception[0].message}")
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            at.run()
            samples.append((time.perf_counter() - t0) * 1000)
        out[script] = (cold, statistics.median(samples))
    return out


def first_visits(db_path: Path, pages: list[tuple[str, str, str]], typing: float = 0.0,
                 rounds: int = 1) -> dict[str, list[tuple] | None]:
    """Per page, one tuple per round: seconds from starting a fresh server to (server answering,
    login form ready, page title shown, first chart drawn); None for a page without charts. The
    sign-in is typed the moment the form is ready, or after `typing` seconds, which the last two
    figures leave out. Rounds go over every page in turn, so a slower spell of the machine does not
    fall on one page only."""
    from playwright.sync_api import sync_playwright

    import test_browser as tb

    con = db.connect(db_path)
    if accounts.lookup(con, tb.USER) is None:
        accounts.add_user(con, tb.USER, "ban_to_chuc", password=tb.PASSWORD)
    con.close()
    out: dict[str, list[tuple] | None] = {script: None if not tb.draws_charts(script) else [] for script, _, _ in pages}
    with sync_playwright() as p:
        browser = tb.launch(p)
        for _ in range(rounds):
            for script, _, url_path in pages:
                if out[script] is None:
                    continue
                # the tab is open before the server starts, as a person's browser is (creating a
                # fresh Playwright context takes ~0.3 s, which is the bench's own time)
                page = browser.new_page(viewport=tb.NORMAL)
                t0 = time.perf_counter()
                with tb.serving(db_path, OUT / "bench-pages-streamlit.log") as base:
                    healthy = time.perf_counter() - t0
                    page.goto(f"{base}/{url_path}")
                    page.wait_for_function(FORM_READY_JS, polling=POLL_MS, timeout=60_000)
                    ready = time.perf_counter() - t0
                    time.sleep(typing)
                    tb.submit_login(page)
                    page.wait_for_function(tb.PAST_LOGIN, polling=POLL_MS, timeout=60_000)
                    titled = time.perf_counter() - t0 - typing
                    page.wait_for_function(f"() => {tb.DRAWN}", polling=POLL_MS, timeout=60_000)
                    out[script].append((healthy, ready, titled, time.perf_counter() - t0 - typing))
                    page.close()
        browser.close()
    return out


POLL_MS = 20
# the login form drawn and its script run over (typing into a running form may be lost)
FORM_READY_JS = """() => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning'
    && [...document.querySelectorAll('h1')].some(h => h.innerText.includes('Đăng nhập'))
    && document.querySelector('input[type="password"]')"""


def main() -> int:
    parser = argparse.ArgumentParser(description="Đo thời gian các trang của bảng điều khiển (kho cấp tỉnh).")
    parser.add_argument("--communes", type=int, default=130)
    parser.add_argument("--branches", type=int, default=30)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="chỉ đo bằng AppTest")
    parser.add_argument("--typing", type=float, default=0.0,
                        help="số giây chờ ở mẫu đăng nhập như người gõ (không tính vào số đo)")
    parser.add_argument("--visits", type=int, default=3, help="số lần mở lần đầu mỗi trang (lấy trung vị)")
    parser.add_argument("--pages", nargs="*", help="tên tệp trang (vd. chat_luong); mặc định tất cả")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = build_warehouse(args.communes, args.branches, args.years)

    import test_browser as tb

    pages = [p for p in tb.PAGES if not args.pages or Path(p[0]).stem in args.pages]
    # the snapshot the dashboard reads is copied once here, not inside the first measurement
    from etl.warehouse import snapshot
    snapshot.refresh(path)
    warm = warm_times(path, [p[0] for p in pages], args.runs)
    first = {} if args.no_browser else first_visits(path, pages, args.typing, args.visits)
    print(f"\n{'trang':<24}{'lần đầu (ms)':>14}{'ấm, trung vị (ms)':>19}"
          f"{'Chromium, trung vị: máy chủ · đăng nhập · tiêu đề · biểu đồ (s)':>66}{'biểu đồ: nhanh–chậm nhất':>28}")
    missed = []
    for script, title, _ in pages:
        cold, median = warm[script]
        visits = first.get(script)
        visit = None if not visits else [statistics.median(v) for v in zip(*visits)]
        shown = "—" if visit is None else " · ".join(f"{t:.2f}" for t in visit)
        spread = "" if visit is None else f"{min(v[-1] for v in visits):.2f}–{max(v[-1] for v in visits):.2f}"
        flag = ""
        if median > WARM_TARGET_MS or (visit is not None and visit[-1] > FIRST_TARGET_S):
            flag = "  ✗ vượt mục tiêu"
            missed.append(title)
        print(f"{title:<24}{cold:>14.0f}{median:>19.0f}{shown:>66}{spread:>28}{flag}")
    print(f"\nmục tiêu: ấm < {WARM_TARGET_MS} ms; biểu đồ đầu tiên < {FIRST_TARGET_S:.0f} s"
          + (f" · vượt: {', '.join(missed)}" if missed else " · tất cả đạt"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
