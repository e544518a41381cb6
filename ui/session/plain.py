"""Text from outside (a link, a file, a person) shown exactly as written: never as Markdown or
HTML, so no link, image or script can be put on a page, and never longer than a line or two."""

from __future__ import annotations

import re

from ui.session.settings import SHOWN_CHARS, shortened

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_MARKS = re.compile(
    r"(?P<code>:[^\s:]+:)"  # an emoji or icon shortcode (:smile:, :material/home:)
    r"|[\\`*_\[\]<>$~|&{}]"  # emphasis, code, links, HTML, math, strike, tables, entities
    r"|:(?=\S)"  # a colon glued to a word (:red[...]); "Format: phyphox" is left alone
)
_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])", re.MULTILINE)  # headings, lists, quotes


_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")  # where a bare address begins
WORD_JOINER = "\u2060"  # invisible; it keeps GitHub's Markdown from linking a bare address


def as_text(sentence: str) -> str:
    """A sentence for st.markdown or st.error that shows exactly as written.

    Sentences quote column names and labels from the file, which may hold Markdown, HTML or
    Streamlit's own marks (**ax**, <b>ax</b>, [x](javascript:...), :red[x], :smile:, $x$): each
    such mark gets a backslash, so it shows as the characters it is. A sentence without marks
    is left as it is. A bare web or mail address gets an invisible word joiner after its "://",
    "www" or "@", so that it shows as text, not as a link.
    """
    sentence = _AUTOLINK.sub(WORD_JOINER, sentence)

    def escape(mark: re.Match) -> str:
        return (
            _PUNCTUATION.sub(r"\\\1", mark.group(0)) if mark.group("code") else "\\" + mark.group(0)
        )

    text = _MARKS.sub(escape, sentence)
    return _LINE_START.sub(lambda m: m.group(1) + _PUNCTUATION.sub(r"\\\1", m.group(2)), text)


def plain(text: str, length: int | None = SHOWN_CHARS) -> str:
    """`as_text` of `text` shortened to `length` characters (with an ellipsis); None keeps all."""
    return as_text(shortened(text, length) if length is not None else text)
