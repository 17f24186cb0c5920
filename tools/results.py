"""What the dataset tools share: their argument types and docs, the selection they apply, and results
that say what they did (dims reduced and kept, a small table per kept value, converted units).

A reduction never averages over a dim the call did not name: what is left becomes rows, one per value,
up to ``MAX_LISTED`` (beyond, a summary says so).  Grids are reduced lazily (dask) in one compute.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from data.compute import load

from .schema import DIM, UNITS, VARIABLE, Range, Requires
from .selection import num
from .units import convert, known_unit, units_doubt
from .validation import ToolError

MAX_LOAD = 20_000_000  # values a median/quantile may load
MAX_LISTED = 24  # rows listed before a result is summarised

Variable = Annotated[str, VARIABLE]
TimeBound = Annotated[str | None, Requires("time")]
Month = Annotated[int | None, Range(1, 12), Requires("month")]
Season = Annotated[Literal["DJF", "MAM", "JJA", "SON"] | None, Requires("season")]
LatBound = Annotated[float | None, Range(-90, 90), Requires("lat")]
LonBound = Annotated[float | None, Range(-360, 360), Requires("latlon")]
Level = Annotated[float | None, Requires("level")]
Dims = Annotated[list[Annotated[str, DIM]] | None, Requires("grid")]
ToUnits = Annotated[str | None, UNITS, Requires("units")]
SEL = ("time_start", "time_end", "month", "season", "lat_min", "lat_max", "lon_min", "lon_max", "level")

_TIME_DOC = """
        time_start: First date (YYYY, YYYY-MM or YYYY-MM-DD); only if the question names a period.
        time_end: Last date; a year or month means all of it. Only if the question names a period.
        month: Only if the question names a calendar month: 1-12 (7 = every July).
        season: Only if the question names a season (DJF = Dec-Feb)."""
_BOX_DOC = """
        lat_min: Southern edge, degrees north (south is negative: 10°S-10°N is lat_min=-10, lat_max=10).
        lat_max: Northern edge, degrees north.
        lon_min: Western edge, degrees east (west is negative); the region runs eastward to lon_max.
        lon_max: Eastern edge, degrees east.
        level: Vertical level (the nearest is used), in the level coordinate's units."""
_UNITS_DOC = """
        to_units: Units to convert the result to; leave it out to keep the variable's units."""


def with_docs(fn: Any) -> Any:
    fn.__doc__ = (fn.__doc__.replace("\n        {time}", _TIME_DOC).replace("\n        {box}", _BOX_DOC)
                  .replace("\n        {units}", _UNITS_DOC))
    return fn


def selection_args(local: dict) -> dict:
    """The selection arguments a call gave. A month and a season together are refused: small models fill both
    with the first allowed values (month=1, season="DJF") when the question names neither, which would
    silently narrow the answer to January."""
    if local.get("month") is not None and local.get("season") is not None:
        raise ToolError(f"give month or season, not both (got month={local['month']}, season={local['season']!r}); "
                        "leave both out unless the question names a month or a season")
    return {k: local[k] for k in SEL if local.get(k) is not None}


def select_values(data: Any, variable: str, sel: dict) -> tuple[Any, dict, Any]:
    """(valid values | lazy DataArray, selection info, times of the valid rows) for the selection args.

    A table gives a Series of the valid values labelled by row position, and their times (or None).
    """
    data.check_variable(variable)
    if not data.is_table:
        return (*data.grid(variable, **sel), None)
    if any(sel.get(k) is not None for k in ("lat_min", "lat_max", "lon_min", "lon_max", "level")):
        raise ToolError("this dataset is a table: it has no latitude/longitude box or level")
    frame, times, info = data.table([variable], sel.get("time_start"), sel.get("time_end"), sel.get("month"),
                                    sel.get("season"))
    valid = frame[variable].notna().to_numpy()
    series = frame[variable][valid]
    return series, info, (pd.Series(np.asarray(times)[valid], index=series.index) if times is not None else None)


def result_base(data: Any, variable: str, info: dict, **more: Any) -> dict:
    out = {"variable": variable, **more, "units": data.units(variable)}
    if info:
        out["selection"] = info
    return out


def no_data() -> ToolError:
    return ToolError("no valid (non-missing) values in the selection")


def compute_all(**arrays: Any) -> dict[str, Any]:
    """Compute several lazy xarray results in one pass over the data."""
    import xarray as xr

    ds = load(xr.Dataset({k: v.reset_coords(drop=True) if k == "n" else v for k, v in arrays.items()}))
    return {k: ds[k] for k in arrays}


def reduce_dims(da: Any, dims: list[str] | None, default: list[str]) -> list[str]:
    """The dims to reduce: those named (else ``default``), and every dim with one value, which hides nothing (a
    file's single time step kept as a one-row table reads as one part of the result, not the whole)."""
    reduce = list(dict.fromkeys(dims or default))
    selected = {d for d in reduce if d not in da.dims and d in da.coords and da.coords[d].ndim == 0}
    reduce = [d for d in reduce if d not in selected]  # level=500 with dims=["lev", ...]: one level, nothing to reduce
    unknown = [d for d in reduce if d not in da.dims]
    if unknown:
        raise ToolError(f"{da.name} has dimensions {', '.join(map(str, da.dims))}; not {', '.join(unknown)}")
    return reduce + [d for d in da.dims if da.sizes[d] == 1 and d not in reduce]


def named_time_dims(data: Any, da: Any, sel: dict) -> list[str]:
    """The time dim the call selected by period, month or season (the question named it)."""
    named = any(sel.get(k) is not None for k in ("time_start", "time_end", "month", "season"))
    t = data.axes.time_of(da.dims)
    return [t.dim] if named and t is not None and t.dim in da.dims else []


def result_rows(data: Any, field: Any, names: tuple[str, ...] = ("value",)) -> list[dict]:
    """One dict per value of a (small) result: the kept dims' labels, then the value(s)."""
    fields = field if isinstance(field, tuple) else (field,)
    first = fields[0]
    coords = {d: {k: c.values for k, c in first.coords.items() if c.dims == (d,)} for d in first.dims}
    rows = []
    for idx in np.ndindex(first.shape):
        row: dict[str, Any] = {}
        for d, i in zip(first.dims, idx):
            name, value = data.label(d, {k: v[i] for k, v in coords[d].items()})
            row[name] = value if value is not None else i
        for name, f in zip(names, fields):
            row[name] = num(np.asarray(f.values)[idx])
        rows.append(row)
    return rows


def table_result(data: Any, out: dict, field: Any, reduced: list[str], names: tuple[str, ...] = ("value",)) -> dict:
    """A result with dims left: the rows (or a summary beyond MAX_LISTED) and what was kept."""
    first = field[0] if isinstance(field, tuple) else field
    out["dims_reduced"] = [str(d) for d in reduced]
    out["dims_kept"] = {str(d): int(s) for d, s in first.sizes.items()}
    if first.size <= MAX_LISTED:
        out["values"] = result_rows(data, field, names)
        time = data.axes.time_of(first.dims) if first.ndim == 1 and first.size > 1 else None
        if time is not None and time.kind == "datetime" and names == ("value",):  # rows over dates: their mean
            # is the period's mean too (not over months of a climatology, nor over levels)
            out["mean"] = num(first.mean())
            out["mean_note"] = f"the mean of the {first.size} rows above, each time step counting the same"
        return out
    out["result_shape"] = out["dims_kept"]
    out["note"] = f"more than {MAX_LISTED} values: summarised; reduce more dims or narrow the selection"
    out.update(min=num(first.min()), max=num(first.max()), mean=num(first.mean()))
    if first.ndim == 1 and names == ("value",):  # one row per time step (or level...): which row is the extreme
        # ("In which year is the global mean highest?" on 110 annual means), as climatology's summary says it
        values = np.asarray(first.values, dtype=float)
        row = {"min": int(np.nanargmin(values)), "max": int(np.nanargmax(values))}
        for stat, i in row.items():
            out[stat] = {**{k: v for k, v in result_rows(data, first[i:i + 1], names)[0].items() if k != "value"},
                         "value": out[stat]}
    return out


def convert_result(out: dict, data: Any, variable: str, to_units: str | None, delta: tuple[str, ...] = ()) -> dict:
    """Convert the result's numbers to ``to_units`` (keys in ``delta`` are differences: no offset). Values the
    file's own units cannot hold (``units_doubt``) are not converted, and the result says so."""
    tops = {k: x.get("value") if isinstance(x := out.get(k), dict) else x for k in ("value", "mean", "min", "max",
                                                                                   "median")}
    stated = [x for k, x in tops.items() if isinstance(x, (int, float)) and not isinstance(x, bool) and k not in delta]
    doubt = units_doubt(data.units(variable), min(stated), max(stated)) if stated else ""
    if doubt:
        doubt = f"{variable}'s values ({min(stated):g} to {max(stated):g}) {doubt}; the file's units may be wrong"
    if doubt and to_units:
        raise ToolError(f"{doubt}, so the app does not convert them; leave out to_units")
    if doubt:
        out = {**out, "units_note": doubt}
    if not to_units:
        return out
    source = known_unit(data.units(variable))
    if source is None:
        raise ToolError(f"{variable}'s units ({data.units(variable) or 'none'}) are not ones I can convert; "
                        "leave out to_units")

    def walk(x: Any, key: str = "") -> Any:
        if isinstance(x, dict):
            return {k: walk(v, k) for k, v in x.items()}
        if isinstance(x, list) and key == "values":
            return [walk(v) for v in x]
        if key in ("value", "mean", "min", "max", "a", "b", "median", *delta) and isinstance(x, (int, float)) \
                and not isinstance(x, bool):
            return num(float(convert(x, source, to_units, difference=key in delta)))
        return x

    # the other columns of a row stay in their own units
    converted = {k: walk(v, k) for k, v in out.items() if k not in ("selection", "at", "units", "row_values")}
    return {**out, **converted, "units": to_units, "converted_from": data.units(variable)}


# -- tools ----------------------------------------------------------------------------------------------------
