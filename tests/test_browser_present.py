"""Presentation mode on a meeting room's projector, in headless Chromium (the server, sign-in and
helpers of tests/test_browser.py, a server of this module's own).

At 1024×768, 1280×720, 1366×768 and 1920×1080 every slide of /trinh-chieu?present=1 fits the
screen: nothing scrolls, the chart lies inside the viewport and reaches down to the bars, the
title, the "Đang xem" band, the note and the chart do not overlap, and no fixed element (the
slide's controls, the corner bar) overlaps a chart, the slide or another fixed element. The
indicator pages' card labels wrap instead of being cut, on two lines at most. A presenter's
clicker works: PageDown / PageUp move the slides, B or "." blanks the screen until the next key or
click, F5 and the "Toàn màn hình" button switch the browser's full screen without a
reload or a script run. Viewport screenshots go to tests/artifacts/ (trinh-chieu-WxH-N.png,
cards-WxH-PAGE.png) for a person to look at.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from test_browser import (ARTIFACTS, CHART, CLIPPED_JS, DRAWN, TIMEOUT_MS, browser, open_page, served_db,  # noqa: F401
                          server, settled)

SIZES = [(1024, 768), (1280, 720), (1366, 768), (1920, 1080)]
SLIDES = 6
# a chart "reaches down to the bars" when at most this many pixels lie between them
REACH = 40

# JavaScript: boxes of what a person sees. `fixed`: the outermost fixed elements (a fixed bar, not
# the buttons inside it); `charts`: each plotly chart clipped to the page's scroller (what of it is
# on screen); `slide`: the slideshow's slide, `parts`: its title, captions and chart;
# `scroll`: [scrollHeight, clientHeight] of the page's scroller.
BOXES_JS = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return {l: r.left, t: r.top, r: r.right, b: r.bottom}; };
  const main = document.querySelector('[data-testid="stMain"]'), view = box(main);
  const clip = b => ({l: Math.max(b.l, view.l), t: Math.max(b.t, view.t), r: Math.min(b.r, view.r),
                      b: Math.min(b.b, view.b)});
  const isFixed = e => getComputedStyle(e).position === 'fixed';
  const inFixed = e => { for (let a = e.parentElement; a; a = a.parentElement) if (isFixed(a)) return true; return false; };
  const fixed = [...document.querySelectorAll('body *')]
    .filter(e => isFixed(e) && e.getBoundingClientRect().width > 0 && !inFixed(e))
    .map(e => ({name: (e.querySelector('[class*="st-key-"]') || e).className.toString().match(/st-key-[\\w-]+/)?.[0]
                      || e.dataset.testid || e.tagName, ...box(e)}));
  const slide = document.querySelector('.st-key-slide-body');
  const parts = slide ? [...slide.querySelectorAll('h1, [data-testid="stCaptionContainer"], .js-plotly-plot')]
    .map(e => ({name: e.innerText.split('\\n')[0].slice(0, 40) || e.tagName, ...box(e)})) : [];
  return {fixed, parts, slide: slide && box(slide), scroll: [main.scrollHeight, main.clientHeight],
          charts: [...document.querySelectorAll('.js-plotly-plot .main-svg')].filter(s => s.parentElement
                   .querySelector('.main-svg') === s).map(s => clip(box(s))).filter(b => b.b > b.t),
          width: innerWidth, height: innerHeight};
}"""

# JavaScript: every card (st.metric) whose label is cut or too long: an element inside the card
# wider than its box, the label's text outside the card, or the label on more than two lines.
CUT_LABELS_JS = """() => [...document.querySelectorAll('[data-testid="stMetric"]')].flatMap(card => {
  const label = card.querySelector('[data-testid="stMetricLabel"] p'), text = label.innerText;
  const over = [...card.querySelectorAll('*')].filter(e => !(e instanceof SVGElement)
                                                          && e.scrollWidth > e.clientWidth + 1);
  const inside = card.getBoundingClientRect(), r = label.getBoundingClientRect();
  const range = document.createRange(); range.selectNodeContents(label);
  const lines = new Set([...range.getClientRects()].map(q => Math.round(q.top))).size;
  const out = [];
  if (over.length) out.push(text + ': cut (' + over.map(e => e.tagName).join(', ') + ')');
  if (r.left < inside.left || r.right > inside.right + 1) out.push(text + ': outside its card');
  if (lines > 2) out.push(text + ': ' + lines + ' lines');
  return out; })"""

CARD_PAGES = ["", "hoi-nghi-cap-uy", "sinh-hoat-chi-bo", "chat-luong", "phat-trien-dang-vien", "kiem-tra",
              "nop-bao-cao"]


def overlap(a: dict, b: dict) -> bool:
    """Whether two boxes share more than a pixel's width."""
    return min(a["r"], b["r"]) - max(a["l"], b["l"]) > 1 and min(a["b"], b["b"]) - max(a["t"], b["t"]) > 1


def overlaps(boxes: dict) -> list[str]:
    """What a fixed element covers: a chart, the slide, another fixed element."""
    found = []
    fixed = boxes["fixed"]
    for i, f in enumerate(fixed):
        found += [f"{f['name']} × {g['name']}" for g in fixed[i + 1:] if overlap(f, g)]
        found += [f"{f['name']} × biểu đồ" for c in boxes["charts"] if overlap(f, c)]
        if boxes["slide"] and overlap(f, boxes["slide"]):
            found.append(f"{f['name']} × slide")
    return found


def slide_number(page) -> str:
    return re.search(r"\d+/\d+", page.locator(".st-key-slide-nav").inner_text()).group(0)


def next_slide(page, key: str) -> None:
    """Press `key` and wait until the slide's title has changed."""
    title = page.locator("h1").first.inner_text()
    page.keyboard.press(key)
    page.wait_for_function("t => document.querySelector('h1') && document.querySelector('h1').innerText !== t",
                           arg=title, timeout=TIMEOUT_MS)
    settled(page)


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_slide_fits_the_projector(server, browser, width, height):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    open_page(page, f"{server}/trinh-chieu?present=1", chart=True)
    problems = []
    for n in range(1, SLIDES + 1):
        if page.locator(CHART).count():
            page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
            page.wait_for_timeout(400)  # the chart takes its room after its first drawing
        title = page.locator("h1").first.inner_text()
        page.screenshot(path=str(ARTIFACTS / f"trinh-chieu-{width}x{height}-{n}.png"))
        boxes = page.evaluate(BOXES_JS)
        scrolled, shown = boxes["scroll"]
        if scrolled > shown + 1:
            problems.append(f"{title}: the page scrolls ({scrolled} > {shown} px)")
        problems += [f"{title}: {o}" for o in overlaps(boxes)]
        parts = boxes["parts"]
        problems += [f"{title}: «{a['name']}» × «{b['name']}»" for i, a in enumerate(parts) for b in parts[i + 1:]
                     if overlap(a, b)]
        bars = min((f["t"] for f in boxes["fixed"]), default=height)
        for chart in boxes["charts"]:
            if chart["t"] < 0 or chart["l"] < 0 or chart["r"] > width + 1 or chart["b"] > height + 1:
                problems.append(f"{title}: the chart runs off the screen {chart}")
            if chart["b"] < bars - REACH:
                problems.append(f"{title}: the chart ends {bars - chart['b']:.0f} px above the bars")
        problems += [f"{title}: {label}" for label in page.evaluate(CLIPPED_JS)]
        next_slide(page, "ArrowRight")
    context.close()
    assert not problems, problems


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_card_labels_wrap_and_no_bar_covers_the_page(server, browser, width, height):
    """The indicator pages' cards at the narrowest screen, Tổng quan at every size; the corner bar
    lies below the page (which scrolls above it), never over a card or a chart."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    problems = []
    for path in CARD_PAGES if width == SIZES[0][0] else CARD_PAGES[:1]:
        open_page(page, f"{server}/{path}?present=1", chart=True)
        name = path or "tong-quan"
        assert page.locator('[data-testid="stMetric"]').count() >= 5, name
        page.screenshot(path=str(ARTIFACTS / f"cards-{width}x{height}-{name}.png"))
        problems += [f"{name}: {p}" for p in page.evaluate(CUT_LABELS_JS)]
        main = page.locator('[data-testid="stMain"]').bounding_box()
        for f in page.evaluate(BOXES_JS)["fixed"]:
            if f["t"] < main["y"] + main["height"] - 1:
                problems.append(f"{name}: {f['name']} over the page")
    context.close()
    assert not problems, problems


def test_a_clicker_moves_the_slides_blanks_the_screen_and_goes_full_screen(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="vi-VN")
    page = context.new_page()
    open_page(page, f"{server}/trinh-chieu?present=1", chart=True)
    assert slide_number(page) == "1/6"
    page.locator("h1").first.click()  # a click on the slide, as a presenter does before the clicker
    next_slide(page, "PageDown")
    expect(page.locator(".st-key-slide-nav")).to_contain_text("2/6")
    # the page's scroller let the click's focus go: no focus ring drawn round the slide
    assert not page.evaluate("() => document.activeElement.matches('[data-testid=\"stMain\"]')")
    next_slide(page, "PageUp")
    expect(page.locator(".st-key-slide-nav")).to_contain_text("1/6")
    next_slide(page, "PageUp")
    expect(page.locator(".st-key-slide-nav")).to_contain_text("6/6")

    # B or ".": the screen goes black until the next key (which does nothing else) or click
    covers = "() => document.elementFromPoint(innerWidth / 2, innerHeight / 2).id === 'present-blank'"
    for key, back in (("b", lambda: page.keyboard.press("PageDown")), (".", lambda: page.mouse.click(640, 360))):
        page.keyboard.press(key)
        assert page.evaluate(covers), key
        assert page.evaluate("() => getComputedStyle(document.getElementById('present-blank')).backgroundColor")\
            == "rgb(0, 0, 0)"
        back()
        expect(page.locator("#present-blank")).to_have_count(0)
        page.wait_for_timeout(500)
        assert slide_number(page) == "6/6", key

    # full screen from the page's script (the click's user gesture), with no reload or script run
    page.evaluate("""() => { window.stayed = true; window.runs = 0;
      new MutationObserver(() => { if (document.querySelector('[data-testid="stApp"]').dataset.testScriptState
        === 'running') window.runs += 1; }).observe(document.querySelector('[data-testid="stApp"]'),
        {attributes: true, attributeFilter: ['data-test-script-state']}); }""")
    full = "() => !!document.fullscreenElement"
    button = page.locator(".st-key-present-fullscreen").get_by_role("button", name="Toàn màn hình")
    button.click()
    page.wait_for_function(full, timeout=TIMEOUT_MS)
    button.click()
    page.wait_for_function(f"() => !({full})()", timeout=TIMEOUT_MS)
    page.keyboard.press("F5")  # the clicker's "start the show" key: full screen, not a reload
    page.wait_for_function(full, timeout=TIMEOUT_MS)
    page.keyboard.press("F5")
    page.wait_for_function(f"() => !({full})()", timeout=TIMEOUT_MS)
    assert page.evaluate("() => [window.stayed, window.runs]") == [True, 0]
    assert slide_number(page) == "6/6"
    context.close()
