"""A checked answer as inert markdown: the model's text with a ✓ after each traced number and a ⚠ (saying what the
number really is, when it is a fact of something else) after the others, and the list of where each number comes from.

Model text and names from files are data. The pages show this markdown with HTML off, the marks are Streamlit's own
`:green[…]`/`:orange[…]`, and HTML and markdown images in the text are made inert, so nothing in an answer becomes
markup or loads a remote image.
"""
from __future__ import annotations

import re

from toolloop.numbers import CheckedNumber

MARKDOWN_SPECIALS = frozenset("\\`*_[]()<>&!#~$|")  # markup, links and images, HTML, LaTeX, tables
_SPAN = re.compile(r"(?P<fenced>```.*?(?:```|$))|(?P<code>`[^`\n]*`)"
                   r"|(?P<math>\$\$.*?\$\$|\$(?![\s$])[^$\n]*?(?<![\s\\])\$(?!\d))"
                   r"|(?P<url>(?:https?://|www\.)[^\s<>]*)", re.DOTALL)  # an address is made a link whole
_LIST_NUMBER = re.compile(r"^ {0,3}(\d{1,9})[.)](?=[ \t])", re.MULTILINE)  # "1. " starts a numbered list item
_NAMED_COLON = re.compile(r":(?=[A-Za-z])")  # ":red[…]", ":red" and ":smile:" are markup: escaped, shown as written


def plain(text: object) -> str:
    """`text` (a file name, column, attribute, load note or a message holding them) as inert markdown: on one
    line, with every markdown and HTML special escaped, so it shows as written and never loads an image or frame."""
    escaped = "".join("\\" + c if c in MARKDOWN_SPECIALS else c for c in " ".join(str(text).split()))
    return _NAMED_COLON.sub(r"\\:", escaped)


def markdown_with_marks(answer: str, checked: list[CheckedNumber]) -> str:
    """The answer with :green[✓] after traced numbers and :orange[⚠] after the others; a ⚠ on a number that equals
    a fact of something else also says what it really is, "⚠ (this is v's minimum, not z's)".

    A mark never goes inside a code span (markdown would show it as text) or math (KaTeX would show it as an
    error), but right after the span; a number in a fenced block or a web address gets none (shown as written); the
    number of a numbered list item ("1. ") gets its mark after the "1.", so the list stays a list.
    """
    spans = [(m.start(), m.end(), m.lastgroup) for m in _SPAN.finditer(answer)]
    list_numbers = {m.span(1): m.end() for m in _LIST_NUMBER.finditer(answer)}
    out, last = [], 0
    for c in checked:
        span = next(((start, end, kind) for start, end, kind in spans if start <= c.start < end), None)
        if span and span[2] in ("fenced", "url"):
            continue
        list_item = not span and (c.start, c.end) in list_numbers
        at = span[1] if span else list_numbers[c.start, c.end] if list_item else c.end
        out.append(_as_text(answer, last, at, spans))
        if span and "\n" in answer[span[0]:span[1]]:
            out.append("\n\n")  # after a block of math, on a line of its own: "$$" must end its line
        note = f" ({plain(c.note)})" if c.note and not c.found else ""  # names come from files
        out.append((" " if list_item else "") + (":green[✓]" if c.found else f":orange[⚠{note}]")
                   + ("\\" if answer.startswith("{", at) else ""))  # a "{" after a mark would be its settings
        last = at  # numbers come in order, so a later mark never lands before an earlier one
    out.append(_as_text(answer, last, len(answer), spans))
    return "".join(out)


def number_sources(checked: list[CheckedNumber]) -> list[dict]:
    """Each checked number as written, whether it has a ✓, and why: where it comes from, or what is wrong with it."""
    return [{"text": c.text, "found": c.found,
             "why": f"from {c.source}" if c.found else c.note or "not found among the computed facts: check it"}
            for c in checked]


def sources_markdown(numbers: list[dict]) -> str:
    """`number_sources` as an inert markdown list, one line per number: "- 1461 ✓ from shape.rows"."""
    return "\n".join(f"- {plain(n['text'])} " + (":green[✓] " if n["found"] else ":orange[⚠] ") + plain(n["why"])
                     for n in numbers)


def _as_text(answer: str, start: int, end: int, spans: list[tuple[int, int, str]]) -> str:
    """answer[start:end] with HTML and markdown images outside code spans made inert (code spans already show
    HTML as text; in math a "<" is written as KaTeX's \\lt, and "![" is escaped as outside): model text is data,
    so it never loads a remote image or frame on the page."""
    out, at = [], start
    for s_start, s_end, kind in spans:
        if s_end <= at or s_start >= end:
            continue
        out.append(_inert(answer[at:max(s_start, at)]))
        part = answer[max(s_start, at):min(s_end, end)]
        out.append(part.replace("<", r"\lt ").replace("![", "!\\[") if kind == "math" else
                   _inert(part) if kind == "url" else part)
        at = min(s_end, end)
    out.append(_inert(answer[at:end]))
    return "".join(out)


def _inert(text: str) -> str:
    """Model text with HTML, images and colour markup shown as written (a model's own ":green[✓]" is no mark)."""
    return _NAMED_COLON.sub(r"\\:", text.replace("&", "&amp;").replace("<", "&lt;").replace("![", "!\\["))
