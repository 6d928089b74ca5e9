"""The one palette and the fonts: every dashboard page, chart and export takes its colours from
here, so a colour means the same on the screen, in the December workbook and in the Word report.

Colours are '#rrggbb' strings, as plotly, CSS and xlsxwriter all take them. The series colours
carry a meaning (party red for the main figure, blue for what it is compared with, the quality
levels, grey for a unit without a report); the neutrals are the dashboard's greys, darkest
first. `.streamlit/config.toml` repeats MAIN as Streamlit's primaryColor (TOML cannot import it;
a test keeps the two equal).
"""
from __future__ import annotations

# --- colours that mean something, on every page and in every export -----------------------
MAIN = "#b71c1c"           # party red: the main series, the chosen figure
SECOND = "#1f5fa8"         # comparison blue: targets, paces, the whole organisation's line
GOOD = "#1b7f3b"           # on time, resolved, valid; the quality level Tốt
LATE = "#ef6c00"           # late, in progress
BAD = "#c62828"            # open findings; the quality level Kém
NOT_REPORTED = "#b0b7bf"   # a unit without a report: a grey gap, never a 0
HATCH, HATCH_GROUND = "#8a929b", "#d5d9de"  # the same gap printed: grey hatching on a light ground
PENDING = "#90caf9"        # a report not due yet
QUALITY = {"tot": GOOD, "kha": "#7cb342", "trung_binh": "#f9a825", "kem": BAD}
# a share's heat map, from 0 to 1: Kém's red through Trung bình's yellow to Tốt's green
SHARE_SCALE = [[0, BAD], [0.5, QUALITY["trung_binh"]], [0.8, "#9ccc65"], [1, GOOD]]
COUNT_LOW = "#fde0dc"      # a count heat map's smallest count (its largest is MAIN)

# --- neutrals, darkest first ----------------------------------------------------------------
INK = "#212529"            # text, and the net-change marks
INK_SOFT = "#343a40"       # presentation captions; removals from the membership
MUTED = "#495057"          # subtitles, zero lines, "unchanged"
GREY = "#6c757d"           # deaths in the membership change
SILVER = "#adb5bd"         # a total drawn behind its part
TRACK = "#dee2e6"          # the annual target bar behind what is done
GRID = "#e9ecef"           # grid lines, an empty count cell
WHITE = "#ffffff"

# --- backgrounds of dashboard cells and messages, with their text colour --------------------
ERROR_BG = "#fdecea"                          # a rejected file's problem; the presentation band
WARNING_BG, WARNING_INK = "#fff4e5", "#8a4b00"
PENDING_BG, PENDING_INK = "#dbe9f6", "#1f3b5c"  # a report not due yet, in the submission grid

# --- the December workbook: Excel's own pastel fills, which print light -----------------------
HEADER_FILL, TOTAL_FILL = "#ddebf7", "#f2f2f2"
SUBMISSION_FILLS = {"on_time": "#e2efda", "late": "#fce4d6", "missing": "#f8cbad", "pending": "#fff2cc"}
MISSING_INK, NOTE_INK = "#7f7f7f", "#404040"  # "Chưa báo cáo" in a figure cell; a sheet's notes

# --- fonts ---------------------------------------------------------------------------------
FONT = "Be Vietnam Pro, Segoe UI, Roboto, Arial, sans-serif"  # the dashboard's charts
PRINT_FONT = "Times New Roman"  # the workbook, the Word report and the report's chart images


def tint(color: str, strength: float) -> str:
    """`color` ('#rrggbb') mixed with white: `strength` 1 is the colour itself, 0 white."""
    rgb = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - v) * strength):02x}" for v in rgb)
