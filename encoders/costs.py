"""What each encoder strategy costs in tokens on one dataset, beside the cost of pasting the whole file:
the comparison the Inside-the-transformer page tabulates (the tokenizer is the caller's `count_tokens`)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import compare

MAX_DUMP_CELLS = 300_000  # larger data is not written out as CSV just to count its tokens


def strategy_token_counts(obj: Any, budget: int, count_tokens: Callable[[str], int], title: str = "") -> list[dict]:
    """Tokens and stated facts of every encoder strategy on `obj`, plus the whole data as one CSV dump
    (when it has at most MAX_DUMP_CELLS values), which ignores the budget: the cost of pasting a file."""
    rows = [{"strategy": e.strategy, "tokens": e.tokens, "facts": len(e.facts),
             "facts per 100 tokens": round(100 * len(e.facts) / e.tokens, 1) if e.tokens else 0.0}
            for e in compare(obj, budget, count_tokens, title)]
    table = _as_table(obj)
    if table is not None:
        rows.append({"strategy": "whole file as CSV (no budget)", "tokens": count_tokens(table.to_csv(index=False)),
                     "facts": None, "facts per 100 tokens": None})
    return rows


def _as_table(obj: Any):
    """The data values as one flat table (a grid: a row per cell), or None past MAX_DUMP_CELLS."""
    if hasattr(obj, "to_csv"):  # a DataFrame or Series
        return obj if obj.size <= MAX_DUMP_CELLS else None
    if not hasattr(obj, "data_vars"):  # a DataArray
        obj = obj.to_dataset(name=obj.name or "value")
    values = obj.reset_coords(drop=True)  # the data and their index coordinates, no bounds
    used = {d for v in values.data_vars.values() for d in v.dims}
    values = values.drop_dims([d for d in values.dims if d not in used])
    if sum(v.size * (v.ndim + 1) for v in values.data_vars.values()) > MAX_DUMP_CELLS:
        return None
    return values.to_dataframe().reset_index()
