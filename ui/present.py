"""Presentation mode (toggle or ?present=1): for a projector at the back of a meeting room.
No sidebar or chrome, large type, the active filters always visible."""
import streamlit as st

CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], footer { display: none !important; }
.block-container { padding-top: 1.2rem !important; max-width: 100% !important; }
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
h1 { font-size: 2.6rem !important; }
[data-testid="stCaptionContainer"] { font-size: 1.3rem !important; color: #343a40 !important; }
[data-testid="stMetricValue"] { font-size: 3.2rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.3rem !important; }
</style>
"""


def apply() -> None:
    st.markdown(CSS, unsafe_allow_html=True)
