"""Presentation mode (sidebar toggle or ?present=1): for a projector at the back of a meeting room.

dashboard.py calls `apply()` on every run in this mode, before the page: it hides the sidebar and
Streamlit's chrome, enlarges the type, turns the page's "Đang xem: …" line (page.start) into a
band that stays at the top while the page scrolls, and draws a small corner bar with a link to the
slideshow (Trình chiếu), a page menu when the page list is given, and "Thoát trình chiếu".
`enter()` / `leave()` are button callbacks that switch the mode (they run before the script, the
only moment the toggle's session-state key may be written).
"""
from __future__ import annotations

import streamlit as st

from etl import theme
from ui import filters

SLIDESHOW = "pages/trinh_chieu.py"

# Streamlit wraps every element in [data-testid="stElementContainer"]; the element right after the
# title's container is page.start's filter caption: it becomes a sticky band (always visible).
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], footer { display: none !important; }
.block-container { padding-top: 1.2rem !important; padding-bottom: 4rem !important; max-width: 100%% !important; }
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
h1 { font-size: 2.2rem !important; padding-top: 0.4rem !important; }
[data-testid="stCaptionContainer"] { font-size: 1.15rem !important; color: %(ink_soft)s !important; opacity: 1 !important; }
[data-testid="stElementContainer"]:has(h1) + [data-testid="stElementContainer"] {
    position: sticky; top: 0; z-index: 20; }
[data-testid="stElementContainer"]:has(h1) + [data-testid="stElementContainer"] [data-testid="stCaptionContainer"] {
    font-size: 1.3rem !important; color: %(ink)s !important; background: %(band)s;
    border-left: 0.45rem solid %(main)s; padding: 0.35rem 0.9rem; border-radius: 0.3rem; }
[data-testid="stMetricValue"] { font-size: 3.2rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.3rem !important; }
[data-testid="stElementContainer"]:has(> [data-testid="stMarkdown"] style) { display: none; }
[data-testid="stLayoutWrapper"]:has(> .st-key-present-bar) { position: fixed !important; right: 1rem; bottom: 0.8rem;
    z-index: 999990; width: auto !important; }
.st-key-present-bar { width: auto !important; background: rgba(255, 255, 255, 0.92); border-radius: 0.5rem;
    padding: 0.25rem 0.4rem; box-shadow: 0 1px 6px rgba(0, 0, 0, 0.18); opacity: 0.6; }
.st-key-present-bar:hover, .st-key-present-bar:focus-within { opacity: 1; }
.st-key-present-bar p, .st-key-present-bar span { font-size: 0.8rem !important; }
[data-testid="stLayoutWrapper"]:has(> .st-key-slide-nav) { position: fixed !important; left: 1rem; bottom: 0.8rem;
    z-index: 999990; width: auto !important; }
.st-key-slide-nav { width: auto !important; background: rgba(255, 255, 255, 0.92); border-radius: 0.5rem; padding: 0.25rem 0.6rem;
    box-shadow: 0 1px 6px rgba(0, 0, 0, 0.18); }
.st-key-slide-nav p, .st-key-slide-nav span, .st-key-slide-nav label { font-size: 0.8rem !important; }
</style>
""" % {"ink_soft": theme.INK_SOFT, "ink": theme.INK, "band": theme.ERROR_BG, "main": theme.MAIN}


def enter() -> None:
    """Button callback: switch presentation mode on (the URL gets ?present=1 from dashboard.py)."""
    st.session_state[filters.PRESENT] = True


def leave() -> None:
    """Button callback: back to the normal layout, and out of the URL so a reload stays normal."""
    st.session_state[filters.PRESENT] = False
    if filters.PRESENT in st.query_params:
        del st.query_params[filters.PRESENT]


def apply(pages: list | None = None) -> None:
    """Presentation styling and the corner bar; `pages` (the st.Page list) adds a page menu."""
    st.markdown(CSS, unsafe_allow_html=True)
    with st.container(key="present-bar", horizontal=True, gap="small", vertical_alignment="center"):
        st.page_link(SLIDESHOW, label="Trình chiếu", icon=":material/slideshow:")
        if pages:
            with st.popover("Trang", icon=":material/menu:"):
                for p in pages:
                    st.page_link(p)
        st.button("Thoát trình chiếu", key="present-exit", on_click=leave, icon=":material/close_fullscreen:",
                  help="Trở lại giao diện thường (có thanh bên và bộ lọc).")
