"""The numbers check: is each number in a model's answer one the data (or a tool) actually produced?

`check_numbers(answer, known)` finds every number in the answer (1,461 · -3.5 · 2.1e-05 · 27% ·
2014-03-01) and looks it up among the known values (encoder facts or tool results). A number counts as
found when it equals a known value as written at the answer's precision (14.2 for 14.23), or within a
relative 0.1%; a year, month or day matches the parts of a known date. Everything else is flagged: the
model may have invented it, or computed it itself, and a reader should check.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

_NUMBER = re.compile(
    r"(?<![\w.])(?P<date>\d{4}-\d{2}-\d{2})(?![\w])"
    r"|(?<![\w.])(?P<num>[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?)(?P<pct>\s?%)?(?![\w])")
_DATE_IN_TEXT = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CODE = re.compile(r"```.*?(?:```|$)|`[^`\n]*`", re.DOTALL)


@dataclass(frozen=True)
class Known:
    """A value the answer may quote: where it comes from, the value, its unit."""

    source: str  # e.g. "column:temp_max.mean" or "multiply(...)"
    value: float | int | str
    unit: str = ""


@dataclass(frozen=True)
class CheckedNumber:
    text: str  # as written in the answer
    start: int
    end: int
    source: str  # the known value's source, "" when not found

    @property
    def found(self) -> bool:
        return bool(self.source)


def check_numbers(answer: str, known: Iterable[Known]) -> list[CheckedNumber]:
    known = list(known)
    numbers = [(k, float(k.value)) for k in known if _is_number(k.value)]
    date_parts = [(k, int(p)) for k in known if isinstance(k.value, str)
                  for m in _DATE_IN_TEXT.finditer(k.value) for p in m.groups()]
    checked = []
    for match in _NUMBER.finditer(answer):
        text = match.group(0)
        if match.group("date"):
            source = next((k.source for k in known if isinstance(k.value, str) and match.group("date") in k.value), "")
        else:
            written = match.group("num").replace(",", "").replace("−", "-")
            source = _lookup(written, numbers, date_parts)
        checked.append(CheckedNumber(text, match.start(), match.end(), source))
    return checked


def _lookup(written: str, numbers: list[tuple[Known, float]], date_parts: list[tuple[Known, int]]) -> str:
    value = float(written)
    decimals = len(written.split(".")[1].split("e")[0].split("E")[0]) if "." in written else 0
    for k, v in numbers:
        for candidate in (v, abs(v)) if value >= 0 else (v,):
            if _same(value, candidate, decimals, written):
                return k.source
    if value.is_integer():
        return next((k.source for k, part in date_parts if part == int(value)), "")
    return ""


def _same(value: float, candidate: float, decimals: int, written: str) -> bool:
    if math.isclose(value, candidate, rel_tol=1e-3, abs_tol=1e-12):
        return True
    if "e" in written.lower():
        return False
    return round(candidate, decimals) == value  # the answer rounded the known value


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def markdown_with_marks(answer: str, checked: list[CheckedNumber]) -> str:
    """The answer with ✓ after traced numbers and ⚠ (with a hover text) after the others.

    Markdown shows HTML inside a code span as text, so a number in `code` gets its mark after the span;
    a number in a fenced block gets none (the block is shown as written).
    """
    spans = [(m.start(), m.end(), m.group(0).startswith("```")) for m in _CODE.finditer(answer)]
    out, last = [], 0
    for c in checked:
        span = next(((end, fenced) for start, end, fenced in spans if start <= c.start < end), None)
        if span and span[1]:
            continue
        at = span[0] if span else c.end
        tip = f"from {c.source}" if c.found else "not found among the computed facts: check it"
        mark = "✓" if c.found else "⚠"
        out.append(answer[last:at])
        out.append(f'<span title="{_attr(tip)}" style="color:{"#2e7d32" if c.found else "#c77700"}">{mark}</span>')
        last = at  # numbers come in order, so a later mark never lands before an earlier one
    out.append(answer[last:])
    return "".join(out)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
