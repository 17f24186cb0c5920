"""Fit a rendering into a token budget by dropping detail in a fixed, stated order.

A strategy gives `render(plan) -> (text, facts, omitted)` and a list of stages `(knob, values)`,
values from richest to poorest. `fit` starts with every knob at its richest; while the text is
over budget it takes the next stage, and if that stage's poorest value fits, binary-searches for
its richest value that fits (earlier stages stay at their poorest, later ones at their richest).
If nothing fits, a bare notice is returned, and if even that is too long, an empty text: the
result never exceeds the budget as counted by `count_tokens`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .text import assemble
from .types import EncoderError, Encoding, Fact

MIN_BUDGET = 200

Plan = dict[str, Any]
Rendered = tuple[str, list[Fact], list[str]]


def check_budget(budget: Any) -> int:
    if isinstance(budget, bool) or not isinstance(budget, int):
        raise EncoderError(f"budget must be a whole number of tokens, got {budget!r}")
    if budget < MIN_BUDGET:
        raise EncoderError(f"budget must be at least {MIN_BUDGET} tokens to describe any data, got {budget}")
    return budget


def fit(strategy: str, render: Callable[[Plan], Rendered], stages: Sequence[tuple[str, Sequence[Any]]],
        budget: int, count_tokens: Callable[[str], int]) -> Encoding:
    budget = check_budget(budget)
    cache: dict[tuple, tuple[Rendered, int]] = {}

    def attempt(plan: Plan) -> tuple[Rendered, int]:
        key = tuple(sorted(plan.items()))
        if key not in cache:
            rendered = render(dict(plan))
            cache[key] = (rendered, count_tokens(rendered[0]))
        return cache[key]

    def done(rendered: Rendered, tokens: int) -> Encoding:
        text, facts, omitted = rendered
        return Encoding(strategy, text, list(facts), tokens, budget, list(omitted))

    stages = [(knob, list(values)) for knob, values in stages if len(values)]
    plan: Plan = {}
    for knob, values in stages:
        plan.setdefault(knob, values[0])
    rendered, tokens = attempt(plan)
    if tokens <= budget:
        return done(rendered, tokens)
    for knob, values in stages:
        plan[knob] = values[-1]
        rendered, tokens = attempt(plan)
        if tokens > budget:
            continue
        lo, hi = 0, len(values) - 1  # values[hi] fits
        while lo < hi:
            mid = (lo + hi) // 2
            plan[knob] = values[mid]
            if attempt(plan)[1] <= budget:
                hi = mid
            else:
                lo = mid + 1
        plan[knob] = values[hi]
        return done(*attempt(plan))
    notice = assemble(strategy, [], ["all detail (the budget is too small for this data)"], [])
    tokens = count_tokens(notice)
    if tokens <= budget:
        return done((notice, [], ["all detail"]), tokens)
    return done(("", [], ["all detail"]), count_tokens(""))
