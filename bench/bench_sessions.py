"""Benchmark: concurrent browser sessions on the dashboard while a load runs in another process.

    .venv/bin/python bench/bench_sessions.py [--sessions 10] [--late 3] [--minutes 3] [--communes 14]
                                             [--load-at 20] [--think 10] [--stagger 5]

Generates sample reports (etl.sample) for --communes communes from 2025-01 to 2026-10 and loads
all but the newest 150 monthly reports into bench/out/sessions-<communes>/warehouse.duckdb
(git-ignored); starts `python -m ui.serve` on it and has --sessions headless Chromium sessions
(Debian's /usr/bin/chromium, one browser, a context each, on loopback) at once on it, each going
round every page of the menu by clicking it, as a person would, for --minutes, and looking at
each page --think seconds before the next click (10 s: a person reading a page of charts;
--think 0.5 is a stress test). All but --late of them sign in first, one every --stagger seconds,
as people arrive, rather than all in the same instant (each context starts with a cold cache and
compiles Streamlit's code, several CPU-seconds). --load-at seconds after they are all in,
`python -m etl load` loads the held-back reports in a separate process; the --late sessions,
which opened the login form when the first were in, sign in a second after it starts, while it
holds the warehouse (a login writes no warehouse: it must not wait for the load), then browse
like the others.

A page visit counts from the click to the page settled: the title of the page shown, the script
run over, and a chart drawn by plotly when it has charts (checked inside the page every 50 ms).
An error is an error box, a traceback or Streamlit's "Page not found" on the page, or a visit or
sign-in that does not settle within 30 s.

Prints visits, errors, p50/p95/max overall, once every first session was in, while the load ran
and by page; for the first and the late sign-ins, how long the login page took to show and the
first page after the click; how many late logins the login file recorded before the load ended;
the load's duration and statuses; the CPU seconds of the server, of Chromium and those the virtual
machine's host took for others (steal: the same run varies by a third from one time to the next
on this machine); and checks afterwards that every held-back report is in the warehouse, once.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import duckdb  # noqa: E402

import test_browser as tb  # noqa: E402
from etl.access import accounts, logins  # noqa: E402
from etl.ingest.load import load_paths  # noqa: E402
from etl.sample import generate  # noqa: E402
from etl.warehouse import db  # noqa: E402

OUT = ROOT / "bench" / "out"
HELD_BACK = 150  # monthly reports loaded while the sessions browse
SETTLE_MS = 30_000
P95_TARGET_S = 3.0
ERRORS = tb.ERRORS


def build(communes: int) -> tuple[Path, list[Path]]:
    """The warehouse with everything but the newest HELD_BACK reports, and those reports."""
    folder = OUT / f"sessions-{communes}"
    shutil.rmtree(folder, ignore_errors=True)
    files = generate(folder / "sample", communes=communes, first="2025-01", last="2026-10")
    monthly = sorted((f for f in files if f.kind == "monthly"), key=lambda f: (f.period, f.commune_code))
    held = monthly[-HELD_BACK:]
    path = folder / "warehouse.duckdb"
    con = db.connect(path)
    load_paths(con, [f.path for f in files if f.kind != "monthly"])
    load_paths(con, [f.path for f in monthly[:-HELD_BACK]])
    accounts.add_user(con, tb.USER, "ban_to_chuc", password=tb.PASSWORD)
    con.close()
    return path, [f.path for f in held]


async def settled(page, before: str, charts: bool) -> str:
    """Waits for a new page: a title other than `before`, the script run over and, when the page
    has charts, one drawn by plotly, seen twice in a row (a rerun may follow a run). Returns the
    new title. The check runs inside the page every 50 ms: Playwright's default polls on every
    animation frame, which keeps each waiting tab drawing frames at 60 a second (work a person's
    browser never does), and each check sent from here costs a round trip through the browser."""
    await page.wait_for_function(SETTLED_JS, arg=[before, charts], timeout=SETTLE_MS, polling=50)
    return await page.locator("h1").first.inner_text()


SETTLED_JS = """([before, charts]) => {
  const h = document.querySelector('h1'), app = document.querySelector('[data-testid="stApp"]');
  const done = h && h.innerText !== before && app && app.dataset.testScriptState === 'notRunning' && (!charts || %s);
  window.__settledPolls = done ? (window.__settledPolls || 0) + 1 : 0;
  return window.__settledPolls >= 2;
}""" % tb.DRAWN


async def problems(page) -> str | None:
    if await page.locator(ERRORS).count():
        return "error box: " + " | ".join(await page.locator(ERRORS).all_inner_texts())[:200]
    text = await page.inner_text("body")
    for bad in ("Traceback", "Page not found"):
        if bad in text:
            return bad
    return None


async def session(n: int, browser, base: str, menu: list[tuple[str, str, bool]], until: float,
                  visits: list, errors: list, sign_ins: list | None = None, think: float = 0.5,
                  delay: float = 0.0, before_click=None) -> None:
    """One person: opens the login page `delay` seconds in, signs in (once `before_click()` has
    returned, when given) and goes round the menu until `until`."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport=tb.NORMAL, locale="vi-VN")
    page = await context.new_page()
    opened = form = started = time.monotonic()
    try:
        await page.goto(base + "/", timeout=SETTLE_MS)
        await page.get_by_label("Tên đăng nhập").fill(tb.USER, timeout=SETTLE_MS)
        form = time.monotonic()
        await page.get_by_label("Mật khẩu").fill(tb.PASSWORD)
        if before_click is not None:
            await before_click()
        started = time.monotonic()
        await page.get_by_role("button", name="Đăng nhập").click()
        shown = await settled(page, "Đăng nhập", menu[0][2])
    except Exception as err:  # never signed in: the session ends here
        errors.append((n, "Đăng nhập", f"{type(err).__name__}: {str(err)[:120]}"))
        if sign_ins is not None:
            sign_ins.append((form - opened, started, time.monotonic(), False))
        await context.close()
        return
    if sign_ins is not None:
        sign_ins.append((form - opened, started, time.monotonic(), await problems(page) is None))
    i = n + 1  # each session starts at another page; the first of the menu is open
    while time.monotonic() < until:
        _, title, charts = menu[i % len(menu)]
        i += 1
        if title == shown:  # the page already open (a session's first round): its link changes nothing
            continue
        started = time.monotonic()
        try:
            await page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).first.click()
            shown = await settled(page, shown, charts)
            bad = await problems(page)
        except Exception as err:  # a visit that never settles is an error, and the session goes on
            bad = f"{type(err).__name__}: {str(err)[:120]}"
        ended = time.monotonic()
        visits.append((started, ended, title))
        if bad:
            errors.append((n, title, bad))
        await asyncio.sleep(think)  # a person looks at the page before the next click
    await context.close()


async def all_in(first: list, sessions: int, load: dict) -> None:
    """Returns once each of the first `sessions` has signed in (or failed to); notes when."""
    while len(first) < sessions:
        await asyncio.sleep(0.1)
    load.setdefault("all_in", time.monotonic())


async def late_session(n: int, browser, base: str, menu, until: float, visits: list, errors: list, load: dict,
                       sign_ins: list, think: float, first: list, sessions: int) -> None:
    """A session that opens the login page once the first sessions are in and signs in a second
    after the load started, while it holds the warehouse."""
    async def load_running() -> None:
        while "start" not in load:
            await asyncio.sleep(0.1)
        await asyncio.sleep(max(0.0, load["start"] + 1.0 - time.monotonic()))

    await all_in(first, sessions, load)
    await session(n, browser, base, menu, until, visits, errors, sign_ins, think, 0.0, load_running)


def cpu_seconds(match) -> float:
    """User and system CPU seconds used so far by the processes whose command line `match`es."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if match(cmdline):
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            continue  # ended meanwhile
    return total


def steal_seconds() -> float:
    """CPU seconds the virtual machine's host gave to others so far (/proc/stat's steal), summed
    over the cores: a run that lost many is slower for reasons outside it."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else 0.0


async def measure_cpu(at: float, out: dict) -> None:
    """Where the machine's time went, just before the sessions end (their tabs still open): the
    browsers share the two cores with the server."""
    stolen = steal_seconds()
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    out["cpu"] = {"server": cpu_seconds(lambda c: "ui.serve" in c),
                  "chromium": cpu_seconds(lambda c: "chromium" in c), "steal": steal_seconds() - stolen}


async def browse(base: str, sessions: int, seconds: float, load_at: float, db_path: Path, held: list[Path],
                 late: int, think: float, stagger: float):
    from playwright.async_api import async_playwright

    menu = [(script, title, tb.draws_charts(script)) for script, title, _ in tb.PAGES]
    visits, errors, load, sign_ins, first = [], [], {}, [], []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=tb.CHROMIUM, args=tb.CHROMIUM_ARGS)
        until = time.monotonic() + seconds
        tasks = [asyncio.create_task(session(n, browser, base, menu, until, visits, errors, first, think=think,
                                             delay=n * stagger)) for n in range(sessions)]
        tasks += [asyncio.create_task(late_session(sessions + n, browser, base, menu, until, visits, errors, load,
                                                   sign_ins, think, first, sessions)) for n in range(late)]
        tasks.append(asyncio.create_task(run_load(load_at, db_path, held, load, all_in(first, sessions, load))))
        tasks.append(asyncio.create_task(measure_cpu(until - 1, load)))
        await asyncio.gather(*tasks)
        await browser.close()
    return visits, errors, load, sign_ins, first


async def run_load(delay: float, db_path: Path, held: list[Path], out: dict, after) -> None:
    """`python -m etl load` of the held-back reports, `delay` seconds after `after` returned."""
    await after
    await asyncio.sleep(delay)
    env = {**os.environ, "WAREHOUSE_DB": str(db_path)}
    out["start"], out["wall_start"] = time.monotonic(), datetime.now()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "etl", "load", "--json", *map(str, held),
                                                cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await proc.communicate()
    out["end"], out["wall_end"] = time.monotonic(), datetime.now()
    out["code"] = proc.returncode
    try:
        out["statuses"] = [f["status"] for f in json.loads(stdout)["files"]]
    except (json.JSONDecodeError, KeyError):
        out["statuses"] = []
        out["stderr"] = stderr.decode()[-500:]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def report(visits, errors, load, sign_ins, first, db_path: Path, held: list[Path]) -> int:
    times = [end - start for start, end, _ in visits]
    during = [end - start for start, end, _ in visits if start < load.get("end", 0) and end > load.get("start", 0)]
    print(f"lượt mở trang: {len(visits)} · lỗi: {len(errors)}")
    print(f"thời gian mở trang: p50 {pct(times, .5):.2f} s · p95 {pct(times, .95):.2f} s · max {max(times):.2f} s"
          f" (mục tiêu p95 < {P95_TARGET_S:.0f} s)")
    steady = [end - start for start, end, _ in visits if start > load.get("all_in", float("inf"))]
    if steady:
        print(f"sau khi mọi phiên đầu đã vào ({len(steady)} lượt): p50 {pct(steady, .5):.2f} s · "
              f"p95 {pct(steady, .95):.2f} s · max {max(steady):.2f} s")
    if during:
        print(f"trong lúc nạp ({len(during)} lượt): p50 {pct(during, .5):.2f} s · p95 {pct(during, .95):.2f} s"
              f" · max {max(during):.2f} s")
    by_page: dict[str, list[float]] = {}
    for start, end, title in visits:
        by_page.setdefault(title, []).append(end - start)
    for title, values in by_page.items():
        print(f"  {title:<24} {len(values):>4} lượt · p50 {pct(values, .5):.2f} s · p95 {pct(values, .95):.2f} s")
    # what the slowest twentieth of the visits coincided with: the load, other sessions' sign-ins
    signing = [(start, end) for _, start, end, _ in first + sign_ins]
    slowest = sorted(visits, key=lambda v: v[0] - v[1])[:max(1, len(visits) // 20)]
    print("chậm nhất: " + "; ".join(
        f"{title} {end - start:.1f} s (từ lúc bắt đầu nạp {start - load['start']:+.0f} s, "
        f"{sum(s < end and e > start for s, e in signing)} phiên đang đăng nhập)" for start, end, title in slowest))
    for name, entries in (("lúc đầu", first), ("trong lúc nạp", sign_ins)):
        if entries:
            form = [shown for shown, _, _, _ in entries]
            took = [end - start for _, start, end, _ in entries]
            print(f"đăng nhập {name}: {len(entries)} phiên · trang đăng nhập hiện sau p50 {pct(form, .5):.2f} s, max "
                  f"{max(form):.2f} s · từ lúc bấm đến trang đầu p50 {pct(took, .5):.2f} s, max {max(took):.2f} s")
    # the late sessions' logins, as the login file recorded them: after every first session was in
    # and before the load ended (a login that waited for the load would come after)
    since = load["wall_start"]
    if first:
        since = max(since, load["wall_start"] + timedelta(seconds=max(end for _, _, end, _ in first) - load["start"]))
    with duckdb.connect(str(logins.path_for(db_path)), read_only=True) as con:
        during_load = con.execute("""SELECT count(*) FROM login_attempts WHERE reason = 'ok' AND "at" > ? AND "at" < ?""",
                                  [since, load["wall_end"]]).fetchone()[0]
    if sign_ins:
        # a load over before a slowed-down login reached the server says nothing either way: the
        # figure is shown, and the run fails only on a late sign-in that did not get in
        print(f"đăng nhập trong lúc nạp: {during_load}/{len(sign_ins)} phiên được nhận trước khi nạp xong"
              f" (nạp kéo dài {load['end'] - load['start']:.1f} s)")
    statuses = {s: load.get("statuses", []).count(s) for s in ("loaded", "unchanged", "rejected")}
    print(f"nạp {len(held)} tệp trong tiến trình riêng: {load['end'] - load['start']:.1f} s · mã thoát {load['code']}"
          f" · {statuses}" + (f" · {load['stderr']}" if load.get("stderr") else ""))
    with duckdb.connect(str(db_path), read_only=True) as con:
        names = [p.name for p in held]
        found = con.execute("SELECT count(*), count(DISTINCT source_file) FROM loads WHERE list_contains(?, source_file)",
                            [names]).fetchone()
    complete = found == (len(held), len(held))
    print(f"kiểm tra kho: {found[0]} lần nạp của {len(held)} tệp ({'đủ, mỗi tệp một lần' if complete else 'THIẾU/THỪA'})")
    for n, title, bad in errors[:20]:
        print(f"  lỗi phiên {n} · {title}: {bad}")
    ok = (not errors and complete and statuses["loaded"] == len(held) and pct(times, .95) < P95_TARGET_S
          and all(signed for _, _, _, signed in sign_ins))
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description="Đo bảng điều khiển khi nhiều phiên cùng xem trong lúc nạp báo cáo.")
    parser.add_argument("--sessions", type=int, default=10, help="số phiên cùng lúc, kể cả các phiên --late")
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--communes", type=int, default=14)
    parser.add_argument("--load-at", type=float, default=20.0,
                        help="giây sau khi mọi phiên đầu đã đăng nhập thì chạy lệnh nạp")
    parser.add_argument("--late", type=int, default=3, help="trong số đó, số phiên đăng nhập trong lúc đang nạp")
    parser.add_argument("--think", type=float, default=10.0, help="giây mỗi phiên xem trang trước khi bấm trang sau")
    parser.add_argument("--stagger", type=float, default=5.0, help="giây giữa hai phiên đăng nhập lúc đầu")
    args = parser.parse_args()
    if not 0 <= args.late < args.sessions:
        parser.error("--late phải từ 0 đến --sessions − 1")
    early = args.sessions - args.late
    tb.require_chromium()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    db_path, held = build(args.communes)
    print(f"kho {db_path.relative_to(ROOT)}: dựng trong {time.perf_counter() - started:.1f} s; "
          f"{len(held)} báo cáo để nạp trong lúc xem")
    with tb.serving(db_path, OUT / "bench-sessions-streamlit.log") as base:
        visits, errors, load, sign_ins, first = asyncio.run(browse(base, early, args.minutes * 60, args.load_at,
                                                            db_path, held, args.late, args.think, args.stagger))
    print(f"{args.sessions} phiên trình duyệt cùng lúc ({early} vào trước, cách nhau {args.stagger:g} s; {args.late} "
          f"đăng nhập trong lúc nạp) · {args.minutes:g} phút"
          f" · xem mỗi trang {args.think:g} s"
          f" · máy {os.cpu_count()} lõi · CPU: máy chủ {load['cpu']['server']:.0f} s, Chromium "
          f"{load['cpu']['chromium']:.0f} s, lấy mất (steal) {load['cpu']['steal']:.0f} s")
    return report(visits, errors, load, sign_ins, first, db_path, held)


if __name__ == "__main__":
    sys.exit(main())
