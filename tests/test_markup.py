"""ui.markup: outside text made inert for Streamlit's Markdown (md) and plotly's labels (plotly).

md's output, with its escapes taken off and its word joiners removed, is the text on one line;
no ASCII punctuation is left unescaped, so no Markdown construct can open; what Streamlit matches
after parsing (bare addresses, shortcodes) is broken by a word joiner; the length is capped.
"""
from __future__ import annotations

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ui.markup import ELLIPSIS, LIMIT, MESSAGE, line, md, plotly

JOINER = "\u2060"


def unescaped(markdown: str) -> str:
    """The text CommonMark shows for `markdown` made only of escapes and plain characters."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(JOINER, "")


def bare(markdown: str) -> str:
    """`markdown` without its escaped characters: what Markdown could still read as syntax."""
    return re.sub(r"\\.", "", markdown)


@pytest.mark.parametrize("char", list(string.punctuation))
def test_every_ascii_punctuation_character_is_escaped(char):
    joined = JOINER if char == "@" else ""  # 'a@b' would be a mail link
    assert md(f"a{char}b") == f"a\\{char}{joined}b"
    assert unescaped(md(f"a{char}b")) == f"a{char}b"


@pytest.mark.parametrize("text, expected", [
    ("[Bấm vào đây](https://evil.example/login)", r"\[Bấm vào đây\]\(https\:⁠\/\/evil\.example\/login\)"),
    ("![](http://host/px.png)", r"\!\[\]\(http\:⁠\/\/host\/px\.png\)"),
    ("www.evil.example", r"www⁠\.evil\.example"),
    ("WWW.evil.example", r"WWW⁠\.evil\.example"),
    ("thu@evil.example", r"thu\@⁠evil\.example"),
    (":red[đỏ] :blue-badge[x] :material/home:", r"\:red\[đỏ\] \:blue\-badge\[x\] \:material\/home\:"),
    (":smile: :streamlit: :+1:", r"\:⁠smile\: \:⁠streamlit\: \:⁠\+1\:"),
    ("$x^2$ và $$y$$", r"\$x\^2\$ và \$\$y\$\$"),
    ("<img src=x> &amp;", r"\<img src\=x\> \&amp\;"),
    ("**đậm** _nghiêng_ ~~gạch~~ `mã`", r"\*\*đậm\*\* \_nghiêng\_ \~\~gạch\~\~ \`mã\`"),
    ("Xã Lộc An", "Xã Lộc An"),  # a plain name is left as it is
])
def test_links_images_directives_latex_and_shortcodes_are_escaped(text, expected):
    assert md(text) == expected.replace("⁠", JOINER)


def test_line_breaks_and_hidden_characters_become_one_space():
    assert md("a\n\n# b\r\n- c\t\x00d") == r"a \# b \- c d"
    assert md("\u202eabc\u2066d\u2069 ") == "abc d"  # bidirectional override and isolate
    assert md(12.5) == r"12\.5" and md(None) == "None"


def test_the_length_is_capped():
    assert md("x" * LIMIT) == "x" * LIMIT
    assert md("x" * (LIMIT + 1)) == "x" * (LIMIT - 1) + ELLIPSIS
    assert len(line("y " * 1000)) == LIMIT
    assert md("a" * 1000, 10) == "a" * 9 + ELLIPSIS
    assert len(unescaped(md("[" * 10_000, MESSAGE))) == MESSAGE  # the cap counts the text, not the escapes
    assert plotly("<" * 1000).count("&lt;") == LIMIT - 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_md_shows_the_text_and_leaves_nothing_to_parse(text):
    out = md(text)
    assert unescaped(out) == line(text).replace(JOINER, "")
    assert not re.search(r"[!-/:-@\[-`{-~]", bare(out))  # no punctuation left unescaped
    shown = re.sub(r"\\(.)", r"\1", out)  # the text after parsing, word joiners kept
    assert not re.search(r"://|www\.|\w@\w|:[\w+-]+:", shown, re.IGNORECASE)  # bare links, shortcodes


def test_plotly_writes_tags_as_text():
    assert plotly('<a href="https://evil.example">Bấm</a> & <br>') == \
        '&lt;a href="https://evil.example"&gt;Bấm&lt;/a&gt; &amp; &lt;br&gt;'
    assert plotly("Xã Lộc An\nthôn 1") == "Xã Lộc An thôn 1"
