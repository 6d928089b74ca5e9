"""Real-browser test: the dashboard as scripts/run.sh starts it (`python -m ui.serve`) on a copy
of the demo warehouse, driven by headless Chromium (Debian's /usr/bin/chromium) through
Playwright's Python package.

Every page of dashboard.py's PAGES list (read from its source, so new pages are covered as they
are added) is opened in normal and presentation mode: its title shows, a chart shows where the
page draws one, and no error box, traceback or "Page not found" appears. A commune filter set on
one page is still applied on another and through a copied URL; the slideshow moves with the
arrow keys. Screenshots of every page go to tests/artifacts/ (git-ignored) for a person to look at.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from etl.access import accounts
from etl.warehouse import db
from ui import auth, remember, streamlit_vn, upload_guard

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
NORMAL, PROJECTOR = {"width": 1600, "height": 1000}, {"width": 1366, "height": 768}
CHART = '.js-plotly-plot, [data-testid="stPlotlyChart"]'
# JavaScript: whether plotly has drawn a chart (CHART also matches the container before it is drawn)
DRAWN = "[...document.querySelectorAll('.js-plotly-plot .main-svg')].some(s => s.getBoundingClientRect().height > 0)"
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
TIMEOUT_MS = 30_000
USER, PASSWORD = "bantochuc", "mật khẩu thử nghiệm 2026"  # a Ban Tổ chức account: every page


def page_calls() -> list[tuple[str, str, str, bool]]:
    """(script, title, url_path as written, default) of every st.Page in dashboard.py, in its order
    (read from its source, since importing it runs the dashboard)."""
    source = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    pages = []
    for call in re.findall(r"st\.Page\((.*?)\)\s*,?\s*$", source, flags=re.M | re.S):
        script = re.match(r'\s*"([^"]+)"', call)
        title = re.search(r'title="([^"]+)"', call)
        url = re.search(r'url_path="([^"]*)"', call)
        if script and title and url:
            default = bool(re.search(r"default\s*=\s*True", call))
            pages.append((script.group(1), title.group(1), url.group(1), default))
    return pages


def dashboard_pages() -> list[tuple[str, str, str]]:
    """(script, title, url_path) of every st.Page in dashboard.py, in its order. The default
    page's path is "" (Streamlit serves it at the root); its own address is a hidden copy of it."""
    return [(script, title, "" if default else url) for script, title, url, default in page_calls()]


PAGES = dashboard_pages()


def draws_charts(script: str) -> bool:
    """Whether the page draws a chart at all (pages still being written may not yet)."""
    text = (ROOT / script).read_text(encoding="utf-8")
    return "page.chart(" in text or "plotly_chart(" in text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_path: Path, port: int, log: Path, plain: bool = False) -> subprocess.Popen:
    """The dashboard as scripts/run.sh starts it (ui.serve), or with plain `streamlit run`."""
    env = {**os.environ, "WAREHOUSE_DB": str(db_path)}
    launcher = ["streamlit", "run", str(ROOT / "dashboard.py")] if plain else ["ui.serve"]
    cmd = [sys.executable, "-m", *launcher, "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)  # the first-visit bench counts from the server's start
    raise TimeoutError(f"streamlit did not answer at {base} within {timeout} s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def serving(db_path: Path, log: Path, plain: bool = False):
    """The base URL of a dashboard started on `db_path` (see start_server), once it answers;
    the server is stopped on leaving."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(db_path, port, log, plain=plain)
    try:
        wait_healthy(base, proc)
        yield base
    finally:
        stop_server(proc)


def require_chromium() -> None:
    """A missing browser is a failure, never a skip: the screenshots are part of the release."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser test needs Debian's Chromium. Install it with "
                    "`bash scripts/setup.sh --browser` (scripts/test.sh does), or `apt-get install chromium`.",
                    pytrace=False)


def launch(playwright):
    require_chromium()
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def private_copy(demo_db: Path, folder: Path) -> Path:
    """A copy of the demo warehouse in `folder`, with the test account."""
    db_path = folder / "warehouse.duckdb"
    shutil.copyfile(demo_db, db_path)
    with db.connect(db_path) as con:
        accounts.add_user(con, USER, "ban_to_chuc", password=PASSWORD)
    return db_path


@pytest.fixture(scope="module")
def served_db(demo_db, tmp_path_factory) -> Path:
    """The private copy of the demo warehouse the dashboard serves."""
    return private_copy(demo_db, tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def server(served_db):
    """Base URL of a dashboard serving a private copy of the demo warehouse."""
    require_chromium()
    log = served_db.parent / "streamlit.log"
    try:
        with serving(served_db, log) as base:
            yield base
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log, ARTIFACTS / "streamlit.log")


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def settled(page, timeout: float = TIMEOUT_MS / 1000) -> None:
    """Wait until the script run is over (twice in a row: a rerun may follow a run)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        state = page.get_attribute('[data-testid="stApp"]', "data-test-script-state")
        quiet = quiet + 1 if state == "notRunning" else 0
        if quiet >= 3:
            return
        time.sleep(0.15)
    raise TimeoutError(f"the page was still running after {timeout} s: {page.url}")


# JavaScript: whether the page shown is past the login form (its title is no longer "Đăng nhập")
PAST_LOGIN = "() => { const h = document.querySelector('h1'); return h && !h.innerText.includes('Đăng nhập'); }"


def submit_login(page, name: str = USER, password: str = PASSWORD) -> None:
    """Fill the login form and press its button."""
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def sign_in(page, name: str = USER, password: str = PASSWORD) -> None:
    """Fill the login form; returns once the page the URL named has replaced it."""
    submit_login(page, name, password)
    page.wait_for_function(PAST_LOGIN, timeout=TIMEOUT_MS)
    settled(page)


def open_page(page, url: str, chart: bool = False) -> None:
    """Open `url` in a new session, signing in unless the browser's cookie still does (ui.remember)."""
    page.goto(url)
    page.wait_for_selector("h1", state="visible", timeout=TIMEOUT_MS)
    settled(page)
    if "Đăng nhập" in page.locator("h1").first.inner_text():
        sign_in(page)
    if chart:
        page.wait_for_selector(CHART, state="visible", timeout=TIMEOUT_MS)
        settled(page)


def assert_clean(page) -> None:
    """No error box, traceback or Streamlit modal on the page."""
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).all_inner_texts()
    text = page.inner_text("body")
    assert "Traceback" not in text
    assert "Page not found" not in text, "Streamlit's 'Page not found' dialog is open"
    # the dashboard opens no dialog of its own: one open is Streamlit's (shown in Vietnamese)
    assert page.locator('section[role="dialog"]').count() == 0, page.locator('section[role="dialog"]').all_inner_texts()


# Axis labels that stick out of their chart (the dashboard sets margins itself, automargin off:
# ui.charts._set_margins), as "chart title: label" strings.
CLIPPED_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(chart => {
  const box = chart.querySelector('.main-svg').getBoundingClientRect();
  const title = (chart.querySelector('.gtitle') || {}).textContent || '(không tiêu đề)';
  return [...chart.querySelectorAll('.xtick text, .ytick text')].filter(t => {
    const r = t.getBoundingClientRect();
    return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
                           || r.bottom > box.bottom + 1);
  }).map(t => title + ': ' + t.textContent);
})"""


def screenshot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main section, not the document, so the
    viewport is stretched to the content's height for the picture."""
    size = page.viewport_size
    height = page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                           " return m ? m.scrollHeight : document.body.scrollHeight; }")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 8000))})
    time.sleep(0.4)  # charts resize to the new viewport
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.set_viewport_size(size)


def caption(page) -> str:
    return page.locator('[data-testid="stCaptionContainer"]', has_text="Đang xem").first.inner_text()


@pytest.mark.parametrize("mode", ["normal", "present"])
def test_every_page_renders(server, browser, mode):
    assert len(PAGES) >= 9, PAGES
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=NORMAL if mode == "normal" else PROJECTOR, locale="vi-VN")
    page = context.new_page()
    missing_charts, clipped = [], []
    for script, title, url_path in PAGES:
        charts = draws_charts(script)
        open_page(page, f"{server}/{url_path}" + ("?present=1" if mode == "present" else ""), chart=charts)
        screenshot(page, f"{mode}-{url_path or 'trang-chu'}")
        heading = page.locator("h1").first
        assert heading.is_visible() and heading.inner_text().strip(), f"{title}: no title"
        assert_clean(page)
        if charts and not page.locator(CHART).first.is_visible():
            missing_charts.append(title)
        clipped += page.evaluate(CLIPPED_JS)
        if charts:  # the chart toolbar speaks Vietnamese: one button, "save as PNG"
            page.locator(".js-plotly-plot").first.hover()
            tips = [b.get_attribute("data-title") for b in page.locator(".js-plotly-plot").first.locator(
                ".modebar-btn").all()]
            assert tips == ["Tải ảnh biểu đồ (PNG)"], (title, tips)
        sidebar = page.locator('[data-testid="stSidebar"]')
        if mode == "present":
            assert not sidebar.is_visible(), f"{title}: sidebar shown in presentation mode"
            assert page.locator(".st-key-present-exit").is_visible(), f"{title}: no way out of presentation mode"
        else:
            assert sidebar.is_visible(), f"{title}: no sidebar"
            assert page.get_by_role("link", name=title).first.is_visible(), f"{title}: not in the menu"
    context.close()
    assert not missing_charts, f"no chart visible on: {missing_charts}"
    assert not clipped, f"axis labels cut off: {clipped[:10]}"


def open_list(page, box) -> None:
    """Open a selectbox's list of options (a react-aria combobox: the arrow key opens it; the
    first key press after the page is drawn is sometimes lost, so try again)."""
    for _ in range(4):
        box.locator("input").click()
        page.keyboard.press("ArrowDown")
        try:
            page.get_by_role("listbox").wait_for(state="visible", timeout=4000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError("the selectbox's list did not open")


def choose_commune(page, name: str) -> None:
    box = page.locator(".st-key-dang_bo")
    box.locator("input").click()
    page.get_by_role("option", name=name).click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => location.search.includes('dang_bo=')", timeout=TIMEOUT_MS)
    settled(page)


# What a person sees of an element: its text, or the text CSS puts after it in its place.
SHOWN_TEXT_JS = """e => { const style = getComputedStyle(e), after = getComputedStyle(e, '::after');
  return style.fontSize === '0px' && after.content !== 'none' ? JSON.parse(after.content) : e.innerText; }"""


def test_the_uploader_speaks_vietnamese_even_while_a_file_is_dragged(server, browser):
    page = browser.new_page(viewport=NORMAL)
    open_page(page, f"{server}/tai-bao-cao")
    zone = '[data-testid="stFileUploaderDropzone"]'
    button, hint = f'{zone} [data-testid="stBaseButton-secondary"] p', f"{zone} [data-testid$=Instructions] span"
    drop = f"{zone} > div:not([data-testid]) > span"  # the text shown while a file is held over the box
    assert page.locator(button).evaluate(SHOWN_TEXT_JS) == "Chọn tệp"
    assert page.locator(hint).evaluate(SHOWN_TEXT_JS) == "Kéo thả tệp vào đây hoặc bấm Chọn tệp"
    assert page.locator(drop).count() == 0  # shown only while a file is held over the box
    dragged = page.evaluate_handle("() => { const d = new DataTransfer(); d.items.add(new File(['x'], 'a.xlsx'));"
                                   " return d; }")
    page.dispatch_event(zone, "dragenter", {"dataTransfer": dragged})
    page.locator(drop).wait_for(state="visible", timeout=TIMEOUT_MS)
    assert page.locator(drop).evaluate(SHOWN_TEXT_JS) == "Thả tệp vào đây"
    page.close()


def test_an_upload_the_server_refuses_is_said_in_vietnamese(server, browser):
    """Without the session's cookie (ui.upload_guard) the server refuses the file; the uploader
    shows why in Vietnamese instead of Streamlit's "AxiosError: Request failed with status code 403"."""
    context = browser.new_context(viewport=NORMAL, locale="vi-VN")
    page = context.new_page()
    open_page(page, f"{server}/tai-bao-cao")
    context.clear_cookies(name=remember.COOKIE)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]',
                         files=[{"name": "bao-cao.xlsx", "mimeType": "application/octet-stream", "buffer": b"PK"}])
    error = page.locator('[data-testid="stFileChip"] [role="alert"]')
    expect(error).to_have_text(re.compile(r"^(Lỗi: )?" + re.escape(upload_guard.NOT_ADMITTED_VN) + "$"), timeout=TIMEOUT_MS)
    context.close()


# The texts in Streamlit's own menus, lists, tooltips and table search box (ui.streamlit_vn.WHERE).
SHOWN_MENUS_JS = """where => [...document.querySelectorAll(where)].flatMap(root => {
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), out = [];
  for (let node = walk.nextNode(); node; node = walk.nextNode()) if (node.nodeValue.trim()) out.push(node.nodeValue.trim());
  return out; })"""


def test_tables_and_filter_lists_speak_vietnamese(server, browser):
    """The table toolbar (its buttons' names and tooltips), a column's menu, the table search and
    the communes filter's list show Vietnamese, never the English of ui.streamlit_vn.TEXTS. The
    toolbar has no CSV download (.streamlit/config.toml: it wrote a commune's =HYPERLINK(…) text
    for Excel to run); the pages' own Excel download writes text as text."""
    english = set(streamlit_vn.TEXTS)
    page = browser.new_page(viewport=NORMAL)
    open_page(page, f"{server}/kiem-tra", chart=True)
    shown = lambda: page.evaluate(SHOWN_MENUS_JS, streamlit_vn.WHERE)  # noqa: E731
    table = page.locator('[data-testid="stDataFrame"]:visible').first
    table.scroll_into_view_if_needed()
    table.hover()
    # the table's own toolbar: in the nearest block that holds one
    buttons = table.locator("xpath=ancestor::*[.//*[@data-testid='stElementToolbar']][1]").locator(
        '[data-testid="stElementToolbar"] button')
    names = [b.get_attribute("aria-label").split(": ")[0] for b in buttons.all()]
    assert names == ["Ẩn/hiện cột", "Tìm trong bảng", "Toàn màn hình"]
    buttons.first.hover()
    tip = page.locator('[data-testid="stTooltipContent"] p')
    tip.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert tip.evaluate(SHOWN_TEXT_JS) == "Ẩn/hiện cột"
    # a column's menu: its button is drawn on the table's canvas at the right of the header
    box = table.bounding_box()
    for dx in range(200, 100, -4):
        page.mouse.click(box["x"] + dx, box["y"] + 18)
        if page.locator('[role="menu"]').count():
            break
    menu = page.locator('[role="menu"]')
    menu.wait_for(state="visible", timeout=TIMEOUT_MS)
    menu.get_by_text("Thống kê").click()
    page.get_by_text("Độ dài ngắn nhất").wait_for(timeout=TIMEOUT_MS)
    texts = shown()
    assert {"Sắp xếp tăng dần", "Ghim cột", "Ẩn cột", "Thống kê", "Số giá trị khác nhau"} <= set(texts), texts
    assert not english & set(texts), texts
    page.keyboard.press("Escape")
    # the table search: its hint, then how many cells it found
    table.hover()
    buttons.nth(1).click()
    page.locator(".gdg-search-status label").wait_for(timeout=TIMEOUT_MS)
    assert "Gõ để tìm" in shown()
    page.keyboard.type("Lộc")
    page.locator('[data-testid="search-result-area"]').wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function("() => document.querySelector('[data-testid=\"search-result-area\"]').innerText"
                           ".includes('kết quả')", timeout=TIMEOUT_MS)
    found = page.locator('[data-testid="search-result-area"]').inner_text()
    assert re.fullmatch(r"(\d+/)?\d+ kết quả", found), found
    page.keyboard.press("Escape")
    # the communes filter's list
    page.locator(".st-key-dang_bo input").click()
    page.get_by_role("listbox").wait_for(state="visible", timeout=TIMEOUT_MS)
    texts = shown()
    assert texts and not english & set(texts), texts  # ("Select all" comes with longer lists)
    placeholders = page.evaluate("() => [...document.querySelectorAll('input[placeholder]')].map(e => e.placeholder)")
    assert "Chọn một mục" in placeholders and not english & set(placeholders), placeholders
    page.keyboard.type("không có đảng bộ này")
    page.wait_for_function(f"w => ({SHOWN_MENUS_JS})(w).includes('Không có kết quả')",
                           arg=streamlit_vn.WHERE, timeout=TIMEOUT_MS)
    screenshot(page, "danh-sach-loc-tieng-viet")
    page.close()


def test_filter_carries_across_pages_and_links(server, browser):
    context = browser.new_context(viewport=NORMAL, locale="vi-VN")
    page = context.new_page()
    open_page(page, f"{server}/chat-luong", chart=True)
    assert "Tất cả đảng bộ" in caption(page)
    page.locator(".st-key-dang_bo input").click()
    options = page.get_by_role("option").all_inner_texts()
    assert len(options) >= 2, options
    commune = options[1]
    page.keyboard.press("Escape")
    choose_commune(page, commune)
    assert commune in caption(page) and "1 đảng bộ" in caption(page)
    # the link names the commune by its code (a renamed commune keeps its links), not its name
    assert re.search(r"[?&]dang_bo=[A-Z]+\d+(&|$)", page.url), page.url
    screenshot(page, "filter-chat-luong")

    # another page through the menu: the filter, and the URL, stay
    target = next(title for _, title, url in PAGES if url == "sinh-hoat-chi-bo")
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=target).click()
    page.wait_for_url(re.compile(r"/sinh-hoat-chi-bo"), timeout=TIMEOUT_MS)
    page.wait_for_selector("h1", state="visible", timeout=TIMEOUT_MS)
    settled(page)
    assert "dang_bo=" in page.url, page.url
    assert commune in caption(page)
    assert_clean(page)
    copied = page.url
    screenshot(page, "filter-sinh-hoat-chi-bo")

    # the copied link opened by someone else shows the same view
    other = browser.new_context(viewport=NORMAL, locale="vi-VN")
    fresh = other.new_page()
    open_page(fresh, copied)
    assert commune in caption(fresh)
    expect(fresh.locator(".st-key-dang_bo")).to_contain_text(commune, timeout=TIMEOUT_MS)
    assert_clean(fresh)
    # the drill-down's commune and branch go into the link too, and come back from it
    fresh.wait_for_function("() => location.search.includes('shcb_chi_bo=')", timeout=TIMEOUT_MS)
    settled(fresh)
    before = fresh.url
    drill = fresh.locator(".st-key-shcb_chi_bo")
    open_list(fresh, drill)
    option = fresh.get_by_role("listbox").get_by_role("option").nth(1)
    chosen = option.inner_text()
    option.click()
    fresh.wait_for_function("u => location.href !== u && location.search.includes('shcb_chi_bo=')", arg=before,
                            timeout=TIMEOUT_MS)
    settled(fresh)
    linked = fresh.url
    assert "shcb_dang_bo=" in linked
    again = other.new_page()
    open_page(again, linked)
    expect(again.locator(".st-key-shcb_chi_bo input")).to_have_value(chosen, timeout=TIMEOUT_MS)
    assert_clean(again)
    screenshot(again, "link-drill-down")
    # an unknown commune in a link says so, in Vietnamese, and shows every commune
    open_page(again, f"{server}/sinh-hoat-chi-bo?dang_bo=BL99")
    expect(again.locator('[data-testid="stAlertContentWarning"]').first).to_contain_text("«BL99»")
    assert "Tất cả đảng bộ" in caption(again)
    other.close()
    context.close()


# Outside text that is Markdown or HTML (ui.markup). The image's address is this machine's discard
# port: a fetch would be among the page's requests without leaving the machine.
BAIT = "http://127.0.0.1:9/px.png"
LINK = "[Bấm vào đây để đăng nhập lại](https://evil.example/login)"
CRAFTED = [LINK, f"![]({BAIT})", f"<{BAIT}> <img src={BAIT}> https://evil.example/x www.evil.example ai@evil.example",
           ":red[đỏ] :blue-badge[xanh] :material/home: :streamlit: :smile: :+1:", "$x^2$ và $$y$$",
           "# Tiêu đề  \n- mục\n> trích\n1. một", "**đậm** _nghiêng_ ~~gạch~~ `mã` | a | b |", "\u202eđảo chiều",
           "&lt;b&gt; &amp; &#x5B;x&#x5D;(https://evil.example)", "[x]: https://evil.example\n[y][x]", "a\\[b\\]"]


def baited(url: str) -> bool:
    """A request to an address the crafted texts name."""
    return urllib.parse.urlsplit(url).netloc in ("evil.example", "www.evil.example", "127.0.0.1:9")


# JavaScript: what the main area draws that is not plain text: a link or image anywhere (plotly's
# too), or in rendered Markdown anything but its paragraphs (LaTeX, colours, icons, headings, lists…)
LIVE_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] :is(a, img, [data-testid="stMarkdownContainer"] '
  + ':not(p), [data-testid="stCaptionContainer"] :not(p))')].map(e => e.outerHTML.slice(0, 160))"""
SHOWN_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] :is([data-testid="stMarkdownContainer"], '
  + '[data-testid="stCaptionContainer"], .js-plotly-plot text)')].map(e => e.textContent.replaceAll('\u2060', ''))"""
APP = """import sys
sys.path.insert(0, {root!r})
import plotly.graph_objects as go
import streamlit as st
from ui.markup import md, plotly
for i, text in enumerate({texts!r}):
    st.markdown(md(text))
    st.caption(md(text))
    st.warning(md(text))
    st.metric(md(text), i)
st.plotly_chart(go.Figure(go.Bar(y=[plotly(t) for t in {texts!r}], x=list(range({n})), orientation="h"),
                          layout=dict(height=60 * {n}, title=dict(text="T", subtitle=dict(text=plotly({texts!r}[0]))))))
"""


def test_outside_text_renders_as_written_in_streamlit_and_plotly(browser, tmp_path):
    """ui.markup's output through Streamlit's own Markdown and plotly: each crafted text shows as
    written (on one line), and nothing of it is a link, an image, LaTeX, an icon, a colour or a
    block (each of them is, given to Streamlit as it is); no request goes to the addresses it names."""
    from ui.markup import line

    script = tmp_path / "app.py"
    script.write_text(APP.format(root=str(ROOT), texts=CRAFTED, n=len(CRAFTED)), encoding="utf-8")
    port = free_port()
    log = (tmp_path / "streamlit.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
                             "--server.port", str(port), "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        page = browser.new_page(viewport=NORMAL)
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot .ytick text').length == {len(CRAFTED)}"
                               " && document.querySelector('.js-plotly-plot .gtitle-subtitle')", timeout=TIMEOUT_MS)
        settled(page)
        assert page.evaluate(LIVE_JS) == []
        shown = page.evaluate(SHOWN_JS)
        for text in CRAFTED:  # st.markdown, st.caption, st.warning, the metric's label; the chart's label
            assert shown.count(line(text)) == 5 + (text == LINK), (text, shown)  # and the chart's subtitle
        assert not [u for u in requests if baited(u)], requests
        page.close()
    finally:
        stop_server(proc)
        log.close()


def test_a_link_whose_value_is_markdown_shows_it_as_text(server, browser):
    """The notice about a link's unknown commune names the value as it is: a link written in it
    is no link, an image in it is fetched by no reader's browser."""
    context = browser.new_context(viewport=NORMAL, locale="vi-VN")
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    open_page(page, f"{server}/sinh-hoat-chi-bo?" + urllib.parse.urlencode({"dang_bo": [LINK, f"![]({BAIT})"]},
                                                                           doseq=True))
    notice = page.locator('[data-testid="stAlertContentWarning"]', has_text="không tìm thấy").first
    notice.wait_for(timeout=TIMEOUT_MS)
    assert f"«{LINK}», «![]({BAIT})»" in notice.inner_text().replace("\u2060", "")
    assert page.locator('[data-testid="stMain"] a[href*="evil.example"], img[src*="127.0.0.1:9"]').count() == 0
    assert not [u for u in requests if baited(u)], requests
    assert "Tất cả đảng bộ" in caption(page)
    assert_clean(page)
    context.close()


def test_slideshow_moves_by_itself(server, browser):
    """A kiosk link: presentation mode, autoplay every 5 seconds."""
    context = browser.new_context(viewport=PROJECTOR, locale="vi-VN")
    page = context.new_page()
    open_page(page, f"{server}/trinh-chieu?present=1&tu_dong=true&moi_giay=5", chart=True)
    first = page.locator("h1").first.inner_text()
    page.wait_for_function("t => document.querySelector('h1') && document.querySelector('h1').innerText !== t",
                           arg=first, timeout=15_000)
    expect(page.locator(".st-key-slide-nav")).to_contain_text(re.compile(r"\b2/\d"), timeout=TIMEOUT_MS)
    assert_clean(page)
    context.close()


def test_slideshow_autoplay_stops_when_the_account_is_disabled(server, served_db, browser):
    """The autoplay timer reruns only the slide, not dashboard.py: the slide checks the session
    itself, so a disabled account gets the login form at the next tick, not the next slides."""
    name, password = "trinhchieu", "mật khẩu trình chiếu 2026"
    con = db.connect(served_db)
    accounts.add_user(con, name, "xem", password=password)
    con.close()
    context = browser.new_context(viewport=PROJECTOR, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{server}/trinh-chieu?present=1&tu_dong=true&moi_giay=5")
    page.wait_for_selector("h1", state="visible", timeout=TIMEOUT_MS)
    settled(page)
    sign_in(page, name, password)
    page.wait_for_selector(CHART, state="visible", timeout=TIMEOUT_MS)
    con = db.connect(served_db)
    accounts.disable(con, name)
    con.close()
    page.wait_for_function("() => { const h = document.querySelector('h1');"
                           " return h && h.innerText.includes('Đăng nhập'); }", timeout=20_000)
    expect(page.locator('[data-testid="stAlertContentWarning"]')).to_contain_text("khóa", timeout=TIMEOUT_MS)
    # Streamlit keeps the slide's elements, faded, until the login run ends, then drops them
    expect(page.locator(CHART)).to_have_count(0, timeout=TIMEOUT_MS)
    context.close()


def test_slideshow_arrow_keys_and_leaving_presentation(server, browser):
    context = browser.new_context(viewport=PROJECTOR, locale="vi-VN")
    page = context.new_page()
    open_page(page, f"{server}/trinh-chieu?present=1", chart=True)
    first = page.locator("h1").first.inner_text()
    expect(page.locator(".st-key-slide-nav")).to_contain_text(re.compile(r"\b1/\d"))
    # the autoplay switch is in the fixed bar, nothing over it, and the chart ends above the bar
    toggle = page.locator(".st-key-slide-nav .st-key-tu_dong")
    expect(toggle).to_be_visible()
    box = toggle.bounding_box()
    assert page.evaluate("([x, y]) => !!document.elementFromPoint(x, y).closest('.st-key-tu_dong')",
                         [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    chart = page.locator(CHART).first.bounding_box()
    assert chart["y"] + chart["height"] <= page.locator(".st-key-slide-nav").bounding_box()["y"] + 1

    page.locator("h1").first.click()  # the keys go to the document, not to a widget
    page.keyboard.press("ArrowRight")
    page.wait_for_function("t => document.querySelector('h1') && document.querySelector('h1').innerText !== t",
                           arg=first, timeout=TIMEOUT_MS)
    settled(page)
    expect(page.locator(".st-key-slide-nav")).to_contain_text(re.compile(r"\b2/\d"), timeout=TIMEOUT_MS)
    page.wait_for_selector(CHART, state="visible", timeout=TIMEOUT_MS)
    assert_clean(page)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("t => document.querySelector('h1').innerText === t", arg=first, timeout=TIMEOUT_MS)

    page.get_by_role("button", name="Thoát trình chiếu").click()
    page.wait_for_selector('[data-testid="stSidebar"]', state="visible", timeout=TIMEOUT_MS)
    settled(page)
    assert "present=1" not in page.url
    assert_clean(page)
    context.close()


def test_login_comes_first_and_then_opens_the_linked_view(server, browser):
    context = browser.new_context(viewport=NORMAL, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{server}/kiem-tra?nam=2025")
    page.wait_for_selector("h1", state="visible", timeout=TIMEOUT_MS)
    settled(page)
    assert "Đăng nhập" in page.locator("h1").first.inner_text()
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # no menu, no data before signing in
    assert page.locator(CHART).count() == 0
    screenshot(page, "dang-nhap")

    page.get_by_label("Tên đăng nhập").fill(USER)
    page.get_by_label("Mật khẩu").fill("không phải mật khẩu")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator('[data-testid="stAlertContentError"]')).to_contain_text(accounts.LOGIN_FAILED_VN,
                                                                              timeout=TIMEOUT_MS)
    sign_in(page)
    assert "Kết quả kiểm tra" in page.locator("h1").first.inner_text()
    assert "nam=2025" in page.url and "Năm 2025" in caption(page)
    assert_clean(page)
    context.close()


def on_login_form(page) -> bool:
    page.wait_for_selector("h1", state="visible", timeout=TIMEOUT_MS)
    settled(page)
    return "Đăng nhập" in page.locator("h1").first.inner_text()


def test_a_reload_and_a_new_tab_stay_signed_in_until_the_sign_out(server, browser):
    context = browser.new_context(viewport=NORMAL, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{server}/chat-luong?nam=2025")
    assert on_login_form(page)
    sign_in(page)
    cookie = {c["name"]: c for c in context.cookies()}[remember.COOKIE]
    assert cookie["sameSite"] == "Strict" and cookie["expires"] == -1  # gone when the browser closes
    assert PASSWORD not in cookie["value"] and USER not in cookie["value"]
    page.reload()
    assert not on_login_form(page)
    assert "Chất lượng" in page.locator("h1").first.inner_text() and "Năm 2025" in caption(page)
    other = context.new_page()  # a second tab of the same browser
    other.goto(f"{server}/kiem-tra")
    assert not on_login_form(other)
    assert_clean(other)

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_function("() => { const h = document.querySelector('h1');"
                           " return h && h.innerText.includes('Đăng nhập'); }", timeout=TIMEOUT_MS)
    settled(page)
    assert remember.COOKIE not in {c["name"] for c in context.cookies()}
    # the other tab's next action finds its sign-in ended
    other.get_by_role("link", name="Tổng quan").click()
    other.wait_for_function("() => { const h = document.querySelector('h1');"
                            " return h && h.innerText.includes('Đăng nhập'); }", timeout=TIMEOUT_MS)
    expect(other.locator('[data-testid="stAlertContentWarning"]')).to_contain_text(auth.ENDED_VN)
    # the token copied before the sign-out no longer signs anybody in
    thief = browser.new_context(viewport=NORMAL, locale="vi-VN")
    thief.add_cookies([{"name": remember.COOKIE, "value": cookie["value"], "url": server}])
    stolen = thief.new_page()
    stolen.goto(f"{server}/kiem-tra")
    assert on_login_form(stolen)
    page.reload()
    assert on_login_form(page)
    thief.close()
    context.close()


def test_the_server_logged_no_traceback(server, served_db):
    """Last of the module: every page visited above ran without an exception or a warning with a
    stack in the server's log (a widget given a default and a session value logged one)."""
    log = (served_db.parent / "streamlit.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and "most recent call last" not in log, log[-3000:]


@contextmanager
def first_visit(demo_db, browser, tmp_path, path: str, plain: bool = False):
    """A page opened at `base/path` on a server no one has visited yet: the first visit after a
    start, the one Streamlit runs in its old pages-folder mode unless ui.serve left it."""
    with serving(private_copy(demo_db, tmp_path), tmp_path / "streamlit.log", plain=plain) as base:
        page = browser.new_page(viewport=NORMAL)
        page.goto(f"{base}/{path}")
        page.wait_for_selector("h1", state="visible", timeout=TIMEOUT_MS)
        settled(page)
        yield page
        page.close()


def test_a_page_file_named_in_the_first_visit_after_plain_streamlit_run(demo_db, browser, tmp_path):
    """Regression: until a script run has called st.navigation, plain `streamlit run` runs an app
    with a pages/ folder in its old mode: the first visit, when its URL named a page file, ran
    that file directly, without dashboard.py's login. ui.page.routed() guards that case."""
    with first_visit(demo_db, browser, tmp_path, "hoi_nghi_cap_uy", plain=True) as page:  # the file's name
        assert page.locator("h1").first.inner_text() == "Đăng nhập"
        text = page.inner_text("body")
        assert "Ban Chấp hành" not in text and "hoi nghi cap uy" not in text  # no page, no old-mode menu
        sign_in(page)
        assert page.locator("h1").first.inner_text() == "Tổng quan"  # no such page: the default one
        assert_clean(page)


@pytest.mark.parametrize("plain", [False, True], ids=["ui.serve", "streamlit-run"])
def test_a_page_link_opened_first_after_the_launcher_starts(demo_db, browser, tmp_path, plain):
    """A page's own link, the first visit after a start, asks for the login, then opens that page,
    with no "Page not found" box: under ui.serve (scripts/run.sh) that visit is already in
    st.navigation's mode; under plain `streamlit run` Streamlit's old mode sends the box, which
    ui.page.navigation closes. The login page has the browser load Streamlit's chart code before
    anyone signs in (ui.streamlit_internals.CHART_CODE)."""
    with first_visit(demo_db, browser, tmp_path, "hoi-nghi-cap-uy", plain=plain) as page:
        assert page.locator("h1").first.inner_text() == "Đăng nhập"
        assert_clean(page)
        page.wait_for_function("() => performance.getEntriesByType('resource')"
                               ".some(e => e.name.includes('/static/js/PlotlyChart.'))", timeout=TIMEOUT_MS)
        assert page.locator(CHART).count() == 0  # loaded, not drawn
        sign_in(page)
        assert page.locator("h1").first.inner_text() == "Hội nghị cấp ủy"
        assert_clean(page)


def menu_headings(page, base: str) -> dict[str, str]:
    """The title each menu link opens (signed in): menu title -> the page's heading."""
    open_page(page, f"{base}/")
    headings = {}
    for _, title, url_path in PAGES:
        if title not in headings:  # a second page of the same title is a hidden copy, not in the menu
            page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
            page.wait_for_function("p => location.pathname === p", arg=f"/{url_path}", timeout=TIMEOUT_MS)
            settled(page)
            headings[title] = page.locator("h1").first.inner_text()
    return headings


@pytest.mark.parametrize("plain", [False, True], ids=["ui.serve", "streamlit-run"])
def test_every_page_opens_by_its_own_address(demo_db, browser, tmp_path, plain):
    """Every page's url_path, and the root, each opened in a new session: the login form with no
    "Page not found" box over it, then, signed in, the page its menu link opens. The default page's
    own path (/tong-quan) goes first: the first visit after plain `streamlit run` is the one
    Streamlit answers in its old pages-folder mode."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    launcher = "streamlit-run" if plain else "ui-serve"
    # every url_path written in dashboard.py (the default page's own too) and the root
    addresses = {url: title for _, title, url, _ in page_calls()}
    addresses.setdefault("", next(title for _, title, _, default in page_calls() if default))
    order = sorted(addresses.items(), key=lambda a: a[0] != "tong-quan")
    with serving(private_copy(demo_db, tmp_path), tmp_path / "streamlit.log", plain=plain) as base:
        shown = {}
        for url_path, title in order:
            context = browser.new_context(viewport=NORMAL, locale="vi-VN")
            page = context.new_page()
            page.goto(f"{base}/{url_path}")
            assert on_login_form(page), url_path
            assert_clean(page)
            if url_path == "tong-quan":
                screenshot(page, f"dia-chi-{launcher}-dang-nhap")
            sign_in(page)
            assert_clean(page)
            assert urllib.parse.urlparse(page.url).path == f"/{url_path}"
            shown[url_path] = (title, page.locator("h1").first.inner_text())
            if url_path == "tong-quan":
                screenshot(page, f"dia-chi-{launcher}-tong-quan")
            context.close()
        context = browser.new_context(viewport=NORMAL, locale="vi-VN")
        headings = menu_headings(context.new_page(), base)
        context.close()
    assert {url: heading for url, (_, heading) in shown.items()} == {
        url: headings[title] for url, (title, _) in shown.items()}
    assert "tong-quan" in shown and "" in shown and len(shown) >= 11


def test_a_stopped_server_is_said_in_vietnamese(demo_db, browser, tmp_path):
    """Streamlit's "Connection error" dialog, when the server stops or restarts under an open page,
    reads in Vietnamese (ui.streamlit_vn.SCRIPT, installed by the login page for the tab's life)."""
    port = free_port()
    proc = start_server(private_copy(demo_db, tmp_path), port, tmp_path / "streamlit.log")
    page = browser.new_page(viewport=NORMAL)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        open_page(page, f"http://127.0.0.1:{port}/kiem-tra")  # signs in: the login form's elements are gone
        stop_server(proc)
        title = page.locator('section[role="dialog"] h2')
        title.wait_for(state="visible", timeout=TIMEOUT_MS)
        page.wait_for_function("h => h.dataset.vn", arg=title.element_handle(), timeout=TIMEOUT_MS)
        assert title.evaluate(SHOWN_TEXT_JS) == "Mất kết nối với máy chủ"
        body = page.locator('section[role="dialog"] h2 + div')
        assert body.evaluate(SHOWN_TEXT_JS).startswith("Máy chủ bảng điều khiển không trả lời.")
        screenshot(page, "mat-ket-noi")
    finally:
        stop_server(proc)
        page.close()
