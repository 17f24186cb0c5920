"""Rows as text: which rows (the first ones or evenly spaced), taking them from a DataFrame or,
lazily, from a Dataset flattened to one row per grid point, and writing them as CSV, a Markdown
table or JSON records. Only the chosen rows are ever read from a Dataset (one pointwise `isel`
and one `dask.compute`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from .cf import compute
from .text import Writer, quote

ROW_COUNTS = (20, 15, 10, 7, 5, 3, 2, 1)
FIRST, EVEN = "first rows", "evenly spaced"


def pick(n_total: int, n: int, how: str) -> np.ndarray:
    """Positions of n of n_total rows: the first n, or n evenly spaced from first to last."""
    n = max(0, min(n, n_total))
    if how == FIRST or n >= n_total:
        return np.arange(n)
    if n == 1:
        return np.array([0])
    return np.unique(np.linspace(0, n_total - 1, n).round().astype(np.int64))


def pick_within(n_total: int, n_max: int, n: int, how: str) -> np.ndarray:
    """n positions chosen among the n_max ones (so every smaller sample reuses rows already read)."""
    base = pick(n_total, n_max, how)
    return base[pick(len(base), n, how)]


@dataclass
class Rows:
    """Some rows of a table: positions in the full table and column values aligned with them."""

    n_total: int
    positions: np.ndarray
    columns: list[tuple[str, np.ndarray]]
    units: dict[str, tuple[str, bool]] = field(default_factory=dict)  # name -> (unit, guessed)

    def subset(self, positions: np.ndarray, ncols: int) -> tuple[list[int], list[tuple[str, list]]]:
        where = {int(p): i for i, p in enumerate(self.positions)}
        rows = [where[int(p)] for p in positions]
        return [int(p) for p in positions], [(name, [vals[i] for i in rows]) for name, vals in self.columns[:ncols]]


def frame_rows(df: pd.DataFrame, positions: np.ndarray, units: dict[str, tuple[str, bool]],
               with_pos: bool = False) -> Rows:
    """The rows at `positions`; a meaningful index comes first, else (with_pos) a "row" position column."""
    positions = np.asarray(positions, dtype=np.int64)
    taken = df.iloc[positions]
    columns: list[tuple[str, np.ndarray]] = []
    index = df.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        columns.append((str(index.name) if index.name is not None else "index", taken.index.to_numpy()))
    elif with_pos:
        columns.append(("row", positions))
    for j in range(df.shape[1]):
        columns.append((str(df.columns[j]), taken.iloc[:, j].to_numpy()))
    return Rows(len(df), positions, columns, units)


def table_dims(ds: xr.Dataset) -> tuple[list[str], list[str], list[str]]:
    """(dims, variables, left out): the largest data variable's dims, the data variables on those
    dims only, and the data variables that need other dimensions (they cannot share the table)."""
    names = list(ds.data_vars)
    if not names:
        return list(ds.dims), [], []
    main = max(names, key=lambda v: (ds[v].size, -names.index(v)))
    dims = list(ds[main].dims)
    inside = [v for v in names if set(ds[v].dims) <= set(dims)]
    return dims, inside, [v for v in names if v not in inside]


def dataset_rows(ds: xr.Dataset, positions: np.ndarray) -> Rows:
    dims, names, _ = table_dims(ds)
    shape = [ds.sizes[d] for d in dims]
    n_total = int(np.prod(shape, dtype=np.int64)) if dims else 1
    positions = np.asarray(positions, dtype=np.int64)
    index = np.unravel_index(positions, shape) if dims else ()
    columns: list[tuple[str, np.ndarray]] = []
    for d, ix in zip(dims, index):
        columns.append((str(d), ds.indexes[d][ix].to_numpy() if d in ds.indexes else ix))
    extra = [c for c in ds.coords if c not in ds.indexes and ds[c].ndim and set(ds[c].dims) <= set(dims)]
    points = ds[names + extra] if (names or extra) else ds
    if dims:
        points = points.isel({d: xr.DataArray(ix, dims="row") for d, ix in zip(dims, index)})
    values = compute({v: points[v].data for v in extra + names})
    for v in extra + names:
        columns.append((str(v), np.broadcast_to(np.asarray(values[v]), positions.shape)))
    units = {str(v): (str(ds[v].attrs["units"]), False) for v in dims + extra + names
             if v in ds.variables and ds[v].attrs.get("units") not in (None, "")}
    return Rows(n_total, positions, columns, units)


def csv_lines(w: Writer, positions: list[int], cols: list[tuple[str, list]]) -> list[str]:
    lines = [", ".join(quote(name, 40) for name, _ in cols)]
    for i, pos in enumerate(positions):  # ", " between cells: "-85, 100" cannot read as one number "-85,100"
        lines.append(", ".join(w.cell(f"row[{pos}].{name}", vals[i]) for name, vals in cols))
    return lines


def markdown_lines(w: Writer, positions: list[int], cols: list[tuple[str, list]]) -> list[str]:
    lines = ["| " + " | ".join(quote(name, 40).replace("|", "\\|") for name, _ in cols) + " |",
             "|" + "---|" * len(cols)]
    for i, pos in enumerate(positions):
        cells = [w.cell(f"row[{pos}].{name}", vals[i]).replace("|", "\\|") for name, vals in cols]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def json_lines(w: Writer, positions: list[int], cols: list[tuple[str, list]]) -> list[str]:
    records = []
    for i, pos in enumerate(positions):
        fields = []
        for name, vals in cols:
            text = w.cell(f"row[{pos}].{name}", vals[i], missing="null", json_form=True)
            fields.append(f"{quote(name, 40)}: {text}")
        records.append("{" + ", ".join(fields) + "}")
    return ["["] + [r + ("," if i < len(records) - 1 else "") for i, r in enumerate(records)] + ["]"]


def units_line(rows: Rows, names: list[str]) -> list[str]:
    shown = [(n, rows.units[n]) for n in names if n in rows.units]
    if not shown:
        return []
    return ["Units: " + ", ".join(f"{quote(n, 40)} {quote(u, 30)}" + (" (guessed from name)" if g else "")
                                  for n, (u, g) in shown) + "."]
