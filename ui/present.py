"""Presentation mode (sidebar toggle or ?present=1): for a projector at the back of a meeting room.

dashboard.py calls `apply()` on every run in this mode, before the page: it hides the sidebar and
Streamlit's chrome, enlarges the type, turns the page's "Đang xem: …" line (page.start) into a
band that stays at the top while the page scrolls, and draws a small corner bar with a link to the
slideshow (Trình chiếu), a page menu when the page list is given, "Toàn màn hình" and "Thoát
trình chiếu". The bars sit in a strip reserved at the bottom of the screen: the page scrolls above
it, so no bar ever covers a chart, a card or another bar, at 1024×768 as at 1920×1080. Below
NARROW pixels the corner bar shows its icons only (each keeps its name as a tooltip).
A presenter's clicker works (KEYS_JS): PageDown / PageUp press the slideshow's "Sau" / "Trước",
as → and ← do (their shortcuts); B or "." blanks the screen until the next key or click; F5 and
the "Toàn màn hình" button switch the browser's full screen (Fullscreen API), in the browser, with
no script run.
`enter()` / `leave()` are button callbacks that switch the mode (they run before the script, the
only moment the toggle's session-state key may be written).
"""
from __future__ import annotations

import re

import streamlit as st

from etl import theme
from ui import filters
from ui.streamlit_internals import testid

SLIDESHOW = "pages/trinh_chieu.py"
NARROW = 1600  # px: a narrower screen gets the corner bar's icons only, so both bars fit one strip
# keys of the slideshow's slide, of its controls and of its buttons (pages/trinh_chieu.py)
SLIDE, SLIDE_NAV, PREVIOUS, NEXT = "slide-body", "slide-nav", "slide-prev", "slide-next"
BAR, FULLSCREEN = "present-bar", "present-fullscreen"  # keys of the corner bar and of its full-screen button
BLANK = "present-blank"  # id of the black cover of B and "."

# $name is the selector of the Streamlit element of that test id (ui.streamlit_internals.testid).
# Streamlit wraps every element in $stElementContainer; the element right after the title's
# container is page.start's filter caption: it becomes a sticky band (always visible). --bars is
# the strip reserved at the bottom for the fixed bars; the slide takes the height left between the
# top of the page and that strip, and its chart (height "stretch") the room its title and band leave.
CSS_TEMPLATE = """
<style>
:root { --bars: 2.6rem; --gap: 0.4rem; --top: 0.6rem; }
$stSidebar, $stHeader, $stToolbar, footer { display: none !important; }
$stMain { height: calc(100vh - var(--bars) - 2 * var(--gap)) !important; }
$stMainBlockContainer { padding: var(--top) 1.5rem var(--gap) !important; max-width: 100% !important; }
html, body, $stAppViewContainer { font-size: 22px; }
h1 { font-size: clamp(1.5rem, 3.1vw, 2.2rem) !important; padding-top: 0.2rem !important; }
$stCaptionContainer { font-size: 1.15rem !important; color: @CAPTION_INK !important; opacity: 1 !important; }
$stElementContainer:has(h1) + $stElementContainer { position: sticky; top: 0; z-index: 20; }
$stElementContainer:has(h1) + $stElementContainer $stCaptionContainer {
    font-size: clamp(1rem, 2vw, 1.3rem) !important; color: @BAND_INK !important; background: @BAND_BG;
    border-left: 0.45rem solid @BAND_EDGE; padding: 0.25rem 0.9rem; border-radius: 0.3rem; }
$stMetricValue { font-size: 3.2rem !important; }
$stMetricLabel p { font-size: 1.3rem !important; }
$stMetricLabel, $stMetricLabel * { white-space: normal !important; overflow: visible !important;
    text-overflow: clip !important; overflow-wrap: anywhere; line-height: 1.25 !important; }
$stElementContainer:has(> $stMarkdown style), $stElementContainer:has(> $stHtml script) { display: none; }
$stLayoutWrapper:has(> .st-key-@SLIDE) { height: calc(100vh - var(--bars) - 3 * var(--gap) - var(--top));
    flex: none !important; }
.st-key-@SLIDE { height: 100%; flex-wrap: nowrap; }
.st-key-@SLIDE > $stElementContainer:has($stPlotlyChart) { flex: 1 1 0; min-height: 0; }
$stLayoutWrapper:has(> .st-key-@BAR), $stLayoutWrapper:has(> .st-key-@SLIDE_NAV) {
    position: fixed !important; bottom: var(--gap); height: var(--bars); z-index: 999990; width: auto !important; }
$stLayoutWrapper:has(> .st-key-@BAR) { right: 1rem; }
$stLayoutWrapper:has(> .st-key-@SLIDE_NAV) { left: 1rem; }
.st-key-@BAR, .st-key-@SLIDE_NAV { width: auto !important; height: 100%; flex-wrap: nowrap !important;
    background: rgba(255, 255, 255, 0.92); border-radius: 0.5rem; padding: 0 0.4rem;
    box-shadow: 0 1px 6px rgba(0, 0, 0, 0.18); }
.st-key-@BAR { opacity: 0.7; }
.st-key-@BAR:hover, .st-key-@BAR:focus-within { opacity: 1; }
.st-key-@BAR :is(p, span), .st-key-@SLIDE_NAV :is(p, span, label) { font-size: 0.75rem !important;
    white-space: nowrap; }
.st-key-@BAR button, .st-key-@BAR a, .st-key-@SLIDE_NAV button {
    min-height: 0 !important; padding-top: 0.15rem !important; padding-bottom: 0.15rem !important; }
@media (max-width: @NARROWpx) {
  .st-key-@BAR :is(button, a) p { position: absolute !important; width: 1px; height: 1px; overflow: hidden;
      clip-path: inset(50%); }  /* hidden from sight, still the button's name */
  :is(.st-key-@BAR, .st-key-@SLIDE_NAV) :is(button, a) { gap: 0 !important; padding-left: 0.35rem !important;
      padding-right: 0.35rem !important; }
  .st-key-@BAR, .st-key-@SLIDE_NAV { gap: 0.3rem !important; }
  $stLayoutWrapper:has(> .st-key-@BAR) { right: 0.5rem; }
  $stLayoutWrapper:has(> .st-key-@SLIDE_NAV) { left: 0.5rem; }
}
</style>
"""
CSS = re.sub(r"\$(st[\w-]+)", lambda m: testid(m.group(1)), CSS_TEMPLATE).replace(
    "@SLIDE_NAV", SLIDE_NAV).replace("@SLIDE", SLIDE).replace("@NARROW", str(NARROW - 1)).replace("@BAR", BAR).replace(
    "@CAPTION_INK", theme.INK_SOFT).replace("@BAND_INK", theme.INK).replace("@BAND_BG", theme.ERROR_BG).replace(
    "@BAND_EDGE", theme.MAIN)

# JavaScript, installed once in the tab: the clicker's keys and the full-screen button (a click on
# it never reaches Streamlit, so no script runs). The keys act in presentation mode only (while the
# corner bar is there), never while a box or a list of a widget has the focus.
KEYS_JS = """<script>if (!window.presentKeys) { window.presentKeys = true;
  const press = key => { const b = document.querySelector('.st-key-' + key + ' button');
                         if (b && !b.disabled) b.click(); return !!b; };
  const full = () => document.fullscreenElement ? document.exitFullscreen()
                                                : document.documentElement.requestFullscreen();
  const stop = e => { e.preventDefault(); e.stopPropagation(); };
  const lift = e => { const cover = document.getElementById('%(blank)s');
                      if (cover) { cover.remove(); stop(e); } return !!cover; };
  const blank = () => { const cover = document.createElement('div'); cover.id = '%(blank)s';
    cover.style.cssText = 'position: fixed; inset: 0; background: #000; z-index: 2147483647; cursor: none';
    document.body.appendChild(cover); };
  const acts = {PageDown: () => press('%(next)s'), PageUp: () => press('%(previous)s'),
                b: blank, B: blank, '.': blank, F5: () => { full(); return true; }};
  addEventListener('keydown', e => {
    const typing = e.target.closest && e.target.closest('input, textarea, select, [contenteditable], [role="listbox"]');
    if (lift(e) || e.altKey || e.ctrlKey || e.metaKey || typing) return;
    if (!document.querySelector('.st-key-%(bar)s')) return;
    const act = acts[e.key];
    if (act && act() !== false) stop(e);
  }, true);
  // a click on the slide focused the page's scroller, which then drew a focus ring round the slide
  addEventListener('focusin', e => { if (document.querySelector('.st-key-%(bar)s')
                                         && e.target.matches('%(main)s')) e.target.blur(); }, true);
  addEventListener('click', e => {
    if (lift(e)) return;
    if (e.target.closest && e.target.closest('.st-key-%(full)s')) { stop(e); full(); }
  }, true);
}</script>""" % {"blank": BLANK, "main": testid("stMain"), "bar": BAR, "full": FULLSCREEN, "next": NEXT,
                   "previous": PREVIOUS}


def enter() -> None:
    """Button callback: switch presentation mode on (the URL gets ?present=1 from dashboard.py)."""
    st.session_state[filters.PRESENT] = True


def leave() -> None:
    """Button callback: back to the normal layout, and out of the URL so a reload stays normal."""
    st.session_state[filters.PRESENT] = False
    if filters.PRESENT in st.query_params:
        del st.query_params[filters.PRESENT]


def apply(pages: list | None = None) -> None:
    """Presentation styling, the clicker's keys and the corner bar; `pages` (the st.Page list) adds a page menu."""
    st.markdown(CSS, unsafe_allow_html=True)
    st.html(KEYS_JS, unsafe_allow_javascript=True)
    with st.container(key=BAR, horizontal=True, gap="small", vertical_alignment="center"):
        st.page_link(SLIDESHOW, label="Trình chiếu", icon=":material/slideshow:", help="Trình chiếu")
        if pages:
            with st.popover("Trang", icon=":material/menu:", help="Trang"):
                for p in pages:
                    st.page_link(p)
        st.button("Toàn màn hình", key=FULLSCREEN, icon=":material/fullscreen:",
                  help="Toàn màn hình (phím F5; Esc để thoát)")
        st.button("Thoát trình chiếu", key="present-exit", on_click=leave, icon=":material/close_fullscreen:",
                  help="Trở lại giao diện thường (có thanh bên và bộ lọc).")
