"""Encoders: turn a pandas DataFrame or an xarray Dataset/DataArray into a token-budgeted prompt text.

    enc = encoders.encode(df_or_ds, strategy="stats", budget=1500, count_tokens=backend.count_tokens)
    enc.text, enc.tokens (<= budget), enc.facts (every number the text states), enc.omitted
    encoders.compare(obj, budget, count_tokens) -> one Encoding per strategy, for a side-by-side view
    encoders.unbacked_numbers(enc) -> numbers in enc.text that no Fact states (empty by design)

Strategies (`STRATEGIES`, name -> function(obj, budget, count_tokens, title="") -> Encoding), each in a module
of `encoders/strategies/` registered with `@strategy(name, order=...)` (`catalog.py`), in this order:
  head      the first rows as CSV
  stats     schema + statistics; for arrays CF metadata, lazy statistics and condensed views (default)
  markdown  evenly spaced rows as a Markdown table
  json      evenly spaced rows as JSON records
  grid      block means of each lat/lon field on a coarse grid (tables: falls back to stats)
Every strategy works for both tables and arrays, never exceeds the budget (as counted by the given
count_tokens), says in the text what it left out, and writes dataset strings only JSON-quoted.
A budget below MIN_BUDGET (200) tokens, or an unknown strategy, raises EncoderError (a ValueError).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from data.errors import reading

from .budget import MIN_BUDGET, check_budget
from .catalog import STRATEGIES, default_strategy, discover, lookup, strategy
from .text import PREAMBLE, numbers_in, unbacked_numbers
from .types import EncoderError, Encoding, Fact

__all__ = ["Encoding", "EncoderError", "Fact", "STRATEGIES", "DEFAULT_STRATEGY", "MIN_BUDGET", "PREAMBLE", "encode",
           "compare", "approx_tokens", "numbers_in", "unbacked_numbers", "strategy"]

discover()  # every module of encoders/strategies/ registers its strategies
DEFAULT_STRATEGY = default_strategy()

_PIECES = re.compile(r"\d|[^\W\d]+|[^\w\s]")


def approx_tokens(text: str) -> int:
    """A rough, tokenizer-free count (a digit or a symbol each, a word per 4 letters).
    Pass the active model's own count_tokens whenever there is one."""
    return sum(math.ceil(len(p) / 4) if p[0].isalpha() or p[0] == "_" else 1 for p in _PIECES.findall(text))


def encode(obj: Any, strategy: str = DEFAULT_STRATEGY, budget: int = 1500,
           count_tokens: Callable[[str], int] = approx_tokens, title: str = "") -> Encoding:
    """Describe `obj` (DataFrame, Series, Dataset or DataArray) with `strategy` within `budget` tokens."""
    check_budget(budget)
    fn = lookup(strategy)
    with reading():  # a corrupt chunk met while reading: a one-line DataReadError
        return fn(obj, budget, count_tokens, title=title)


def compare(obj: Any, budget: int, count_tokens: Callable[[str], int] = approx_tokens,
            title: str = "") -> list[Encoding]:
    """Every strategy on the same data and budget, in registry order (each carries its token count)."""
    check_budget(budget)
    return [encode(obj, name, budget, count_tokens, title) for name in STRATEGIES]
