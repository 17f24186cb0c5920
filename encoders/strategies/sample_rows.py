"""The row strategies ("head", "markdown", "json").

A row strategy shows a sample of rows: "head" the first rows as CSV, "markdown" evenly spaced rows
as a Markdown table, "json" evenly spaced rows as JSON records. A Dataset is shown as a table with
one row per grid point of its largest variable's dimensions, read pointwise and lazily.
The header always says "sample of n of N rows" and how they were chosen.

Omission order: rows beyond 3 -> later columns -> rows beyond 1 -> the units line and the names of
Dataset variables that cannot join the table.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .. import cf, table
from ..budget import fit
from ..catalog import strategy
from ..rows import (
    EVEN,
    FIRST,
    ROW_COUNTS,
    csv_lines,
    dataset_rows,
    frame_rows,
    json_lines,
    markdown_lines,
    pick,
    pick_within,
    table_dims,
    units_line,
)
from ..text import Writer, assemble, quote

Count = Callable[[str], int]
FORMATS = {
    "head": (FIRST, "CSV with JSON-quoted strings, empty = missing", csv_lines),
    "markdown": (EVEN, "a Markdown table with JSON-quoted strings, empty = missing", markdown_lines),
    "json": (EVEN, "JSON records, null = missing", json_lines),
}


def rows_encoding(obj: Any, budget: int, count_tokens: Count, title: str, strategy: str):
    how, what, write = FORMATS[strategy]
    named = f" {quote(title, 80)}" if title else ""
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        df = table.as_frame(obj)
        n_total, left_out = len(df), []
        units = {str(c): u for c in df.columns if (u := table.guess_unit(str(c), df.attrs))[0]}

        def take(pos: np.ndarray):
            return frame_rows(df, pos, units, with_pos=how == EVEN)

        def intro(w: Writer) -> str:
            return f"Table{named}: {w.num('shape.rows', n_total)} rows x {w.num('shape.cols', df.shape[1])} columns"
    else:
        ds = cf.as_dataset(obj, chunk=False)  # pointwise reads of file-backed arrays stay small
        dims, _, left_out = table_dims(ds)
        n_total = int(np.prod([ds.sizes[d] for d in dims], dtype=np.int64)) if dims else 1

        def take(pos: np.ndarray):
            return dataset_rows(ds, pos)

        def intro(w: Writer) -> str:
            grid_ = " x ".join(f"{quote(d, 30)} {w.num(f'dim:{d}.size', ds.sizes[d])}" for d in dims)
            return (f"Dataset{named} as a table, one row per point of {grid_ or 'no dimensions'}: "
                    f"{w.num('shape.rows', n_total)} rows")

    counts = sorted({min(n, n_total) for n in ROW_COUNTS}, reverse=True)
    rows = take(pick(n_total, counts[0], how))
    n_cols = len(rows.columns)

    def render(plan: dict) -> tuple:
        w = Writer()
        positions, cols = rows.subset(pick_within(n_total, counts[0], plan["rows"], how), plan["cols"])
        header = [f"{intro(w)}; sample of {w.num('sample.n', len(positions))} of {w.num('shape.rows', n_total)}"
                  f" rows ({how}), as {what}."]
        if plan["extras"]:
            header += units_line(rows, [name for name, _ in cols])
        if left_out and plan["extras"]:
            more = "…" if len(left_out) > 10 else ""
            header.append("Not in the table (they have other dimensions): "
                          + ", ".join(quote(v, 40) for v in left_out[:10]) + more + ".")
        omitted = []
        if plan["rows"] < counts[0]:
            omitted.append("further rows")
        if plan["cols"] < n_cols:
            omitted.append("later columns")
        if not plan["extras"] and rows.units:
            omitted.append("units")
        if not plan["extras"] and left_out:
            omitted.append("names of variables with other dimensions")
        return assemble(strategy, header, omitted, write(w, positions, cols)), list(w.facts.values()), omitted

    stages = [("rows", [n for n in counts if n >= 3] or counts[:1]), ("cols", list(range(n_cols, 0, -1)) or [0]),
              ("rows", [n for n in counts if n < 3]), ("extras", [True, False])]
    return fit(strategy, render, stages, budget, count_tokens)


@strategy("head", order=10)
def head(obj: Any, budget: int, count_tokens: Count, title: str = ""):
    """The first rows as CSV."""
    return rows_encoding(obj, budget, count_tokens, title, "head")


@strategy("markdown", order=30)
def markdown(obj: Any, budget: int, count_tokens: Count, title: str = ""):
    """Evenly spaced rows as a Markdown table."""
    return rows_encoding(obj, budget, count_tokens, title, "markdown")


@strategy("json", order=40)
def json_records(obj: Any, budget: int, count_tokens: Count, title: str = ""):
    """Evenly spaced rows as JSON records."""
    return rows_encoding(obj, budget, count_tokens, title, "json")

