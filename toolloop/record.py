"""A tool loop's steps as plain records (dicts of str, numbers, lists): what the pages keep in session state and
draw again, and what the benchmarks write to JSON. One conversion, so a trace reads the same everywhere."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .loop import Step


def _cut(text: str, chars: int | None) -> str:
    return text if chars is None else text[:chars]


def step_record(step: Step, *, text_chars: int | None = None, result_chars: int | None = None) -> dict[str, Any]:
    """One step: the model's text (its first `text_chars` characters, or all), whether the call was
    grammar-constrained and tools were offered, each parsed call and its result (text cut to `result_chars`),
    the step's time (s, to 0.01) and its token counts (None when the backend gave no statistics)."""
    stats = step.stats
    return {
        "index": step.index,
        "text": _cut(step.model_text, text_chars),
        "constrained": step.constrained,
        "tools_offered": step.tools_offered,
        "calls": [{"name": c.name, "arguments": c.arguments, "error": c.error} for c in step.calls],
        "results": [{"ok": r.ok, "text": _cut(r.text, result_chars), "error": r.error, "duration_s": r.duration_s}
                    for r in step.results],
        "duration_s": round(step.duration_s, 2),
        "prompt_tokens": stats.prompt_tokens if stats else None,
        "prompt_tokens_evaluated": stats.prompt_tokens_evaluated if stats else None,
        "generated_tokens": stats.generated_tokens if stats else None,
    }


def steps_records(steps: Iterable[Step], *, text_chars: int | None = None,
                  result_chars: int | None = None) -> list[dict[str, Any]]:
    """`step_record` of every step, in order."""
    return [step_record(s, text_chars=text_chars, result_chars=result_chars) for s in steps]


def call_records(steps: Iterable[Step], *, result_chars: int | None = None) -> list[dict[str, Any]]:
    """Every call of every step with its outcome, flat: name, arguments, ok, the result's error and text."""
    return [{"name": c.name, "arguments": c.arguments, "ok": r.ok, "error": r.error,
             "result": _cut(r.text, result_chars)} for s in steps for c, r in zip(s.calls, s.results)]
