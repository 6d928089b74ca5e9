"""Text from outside the code, made inert for the two markups the dashboard renders.

Outside text is whatever the code did not write: values from a URL, unit names and codes from the
registry, free text from reports, file names, account names, messages that embed any of these.
Each function takes such a value and returns a string that shows the same text, on one line, at
most `limit` characters (the last one '…'):
- `md` for Streamlit's Markdown: st.markdown, st.caption, st.title / st.subheader, st.info /
  st.warning / st.error / st.success / st.toast, the label and help of st.metric and of every
  widget and button, st.radio's options;
- `plotly` for a chart's texts: axis categories, hover labels, titles and subtitles.
Plain-text places need neither: the options of st.selectbox / st.multiselect (format_func), the
cells and headers of st.dataframe, a download's file name, the workbooks and the Word report.

Streamlit renders GitHub-flavoured Markdown with additions of its own; what `md` stops:
- links and images (`[text](url)`, `![](url)`, `<https://…>`) and the bare addresses GFM links by
  itself (`https://…`, `www.…`, `name@host`);
- Streamlit's directives (`:red[…]`, `:blue-badge[…]`, `:material/icon:`), LaTeX (`$…$`),
  headings, lists, quotes, tables, code, emphasis, and the shortcodes (`:smile:`, `:streamlit:`);
- line breaks (a new block inside a list item) and characters that reorder the text after them.
CommonMark lets a backslash escape every ASCII punctuation character, so each one is escaped and
nothing in the value can open a construct. Raw HTML needs nothing more: Streamlit shows it as
text unless unsafe_allow_html, which no call with outside text uses. What is still matched after
parsing, where the escapes are gone (shortcodes and bare addresses), gets a word joiner, which
shows nothing, inside its pattern. Streamlit's typographic arrows ('->' as '→') are left alone.

Plotly draws its texts as SVG from a small HTML subset, in which `<a href>` is a working link:
`plotly` writes &, < and > as entities, which plotly shows as the characters.
"""
from __future__ import annotations

import re

# line and plotly are in etl/text.py: the chart builders (etl/outputs/charts.py) use plotly for
# the registry's names, on the dashboard and in the December export's chart images alike
from etl.text import ELLIPSIS, LIMIT, line, plotly  # noqa: F401

MESSAGE = 600  # characters of a message that embeds outside values (an error, a warning)

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # ASCII punctuation: CommonMark escapes each with '\'
_MATCHED_LATER = re.compile(r":(?=[\w+-]+:|//)|www(?=\.)|@", re.IGNORECASE)  # shortcodes, bare addresses
_WORD_JOINER = "\u2060"


def md(value, limit: int = LIMIT) -> str:
    """`value` as Markdown that shows its text (see the module docstring)."""
    text = _MATCHED_LATER.sub(lambda m: m[0] + _WORD_JOINER, line(value, limit))
    return _PUNCTUATION.sub(r"\\\1", text)
