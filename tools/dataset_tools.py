"""Dataset tools: numbers computed from the session's table or grid, never from the model.

Each tool's first parameter is the dataset (annotated ``DatasetArg``), bound by the registry (a
DataFrame, a Dataset or a ``selection.Data``); the rest is what the model fills in.  Every tool selects
by the axes of ``data.axes`` (a period, a calendar month or season, a level, a lat/lon box on any grid
kind) and says what it did: the selection applied (the nearest level actually used), the dims reduced
and the dims kept.  Nothing is averaged over a dim the call did not name: a kept dim gives a small
table, one row per value (capped at ``MAX_LISTED``).  Area means use the file's cell areas or
weights, exact cell areas from bounds, or cos(latitude) (``data.areas``).  Grids stay lazy (dask);
median/quantile load the *selection*, up to ``MAX_LOAD`` values.  Floats carry 6 significant digits;
standard deviations are sample ones (ddof=1).  ``to_units`` converts a result (``units.py``).
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from data import times as dtimes
from data.compute import load

from .catalog import tool
from .prompt_schema import group_variables
from .results import (
    MAX_LISTED,
    MAX_LOAD,
    Dims,
    LatBound,
    Level,
    LonBound,
    Month,
    Season,
    TimeBound,
    ToUnits,
    Variable,
    compute_all,
    convert_result,
    named_time_dims,
    no_data,
    reduce_dims,
    result_base,
    select_values,
    selection_args,
    table_result,
    with_docs,
)
from .schema import DatasetArg, Range, requires
from .selection import POS, WEIGHT, as_data, clean_text, coord_value, fmt_time, num
from .validation import ToolError

MAX_ROW_VALUES = 12  # other columns reported with a table's extreme row


@tool(order=10)
def list_variables(dataset: DatasetArg) -> dict:
    """List the dataset's numeric variables with units and dimensions, and its time, levels and extent."""
    data = as_data(dataset)
    axes = data.axes
    out: dict[str, Any] = {"kind": "table" if data.is_table else "grid"}
    if data.is_table:
        out["rows"] = len(data.obj)
        out["variables"] = [{"name": v, "units": data.units(v)} for v in data.variables]
    else:
        out["dims"] = {str(d): int(n) for d, n in data.obj.sizes.items() if d in data.dims}
        out["variables"] = [{"name": v, "units": data.units(v), "dims": [str(d) for d in data.obj.variables[v].dims],
                             "long_name": clean_text(data.obj.variables[v].attrs.get("long_name"))}
                            for v in data.variables]
        if len(out["variables"]) > MAX_LISTED:  # hundreds of variables: one entry per (units, dims) group
            out["variables"] = [{"names": names, "units": units, "dims": list(dims)}
                                for (units, dims), names in group_variables(out["variables"]).items()]
        h = axes.horizontal
        if h.kind != "none":
            out["grid"] = h.kind
        lat, lon = data.latlon()
        for key, arr in (("lat", lat), ("lon", lon)):
            if arr is not None and arr.size:
                out[key] = [num(np.nanmin(arr.values)), num(np.nanmax(arr.values))]
        v = axes.vertical
        if v is not None:
            out["level"] = {"name": v.name, "count": len(v.values), "units": clean_text(v.units, 20)}
            out["level"]["values" if len(v.values) <= MAX_LISTED else "range"] = (
                [num(x) for x in v.values] if len(v.values) <= MAX_LISTED else [num(v.values[0]), num(v.values[-1])])
    for i, t in enumerate(axes.times):
        entry: dict[str, Any] = {"name": str(t.name)}
        if t.kind == "datetime" and len(t.values):
            entry.update(start=fmt_time(t.values.min()), end=fmt_time(t.values.max()), steps=len(t.values))
            if t.calendar and t.calendar not in dtimes.STANDARD:
                entry["calendar"] = t.calendar
        else:
            entry["kind"] = t.kind
            values = [coord_value(x) for x in list(t.values)]
            entry.update(values=values) if len(values) <= MAX_LISTED else entry.update(
                first=values[0], last=values[-1], steps=len(values))
        out["time" if i == 0 else f"time_{i + 1}"] = entry
    return out


@tool(order=20)
def describe_variable(dataset: DatasetArg, variable: Variable) -> dict:
    """Describe one variable: units, long name, dimensions, valid and missing counts, min, max, mean.

    Args:
        variable: The variable (column) to describe.
    """
    data = as_data(dataset)
    values, _, _ = select_values(data, variable, {})
    out = result_base(data, variable, {})
    if data.is_table:
        n_total = len(data.obj)
        n, lo, hi, mean = len(values), values.min(), values.max(), values.mean()
    else:
        out["long_name"] = clean_text(values.attrs.get("long_name"))
        out["standard_name"] = clean_text(values.attrs.get("standard_name"))
        out["dims"] = {str(d): int(s) for d, s in values.sizes.items()}
        n_total = int(values.size)
        r = compute_all(n=values.count(), lo=values.min(), hi=values.max(), mean=values.mean())
        n, lo, hi, mean = int(r["n"]), r["lo"], r["hi"], r["mean"]
    out.update(n_valid=int(n), n_missing=n_total - int(n), min=num(lo), max=num(hi), mean=num(mean))
    return out


@tool(order=30)
@with_docs
def statistic(
    dataset: DatasetArg,
    variable: Variable,
    stat: Literal["mean", "min", "max", "std", "sum", "median", "quantile", "count"],
    q: Annotated[float | None, Range(0, 1)] = None,
    dims: Dims = None,
    time_start: TimeBound = None,
    time_end: TimeBound = None,
    month: Month = None,
    season: Season = None,
    lat_min: LatBound = None,
    lat_max: LatBound = None,
    lon_min: LonBound = None,
    lon_max: LonBound = None,
    level: Level = None,
    to_units: ToUnits = None,
) -> dict:
    """Compute a statistic of a variable over a selection; a mean over a lat/lon grid is area-weighted.

    Args:
        variable: The variable (column) to summarise.
        stat: The statistic; std is the sample standard deviation, quantile needs q, count is the number of
            values present (not missing).
        q: Only with stat="quantile": the quantile between 0 and 1. Leave it out for other statistics.
        dims: Dimensions to reduce; default: all but levels, months and seasons, which stay as rows.
        {time}
        {box}
        {units}
    """
    data = as_data(dataset)
    if stat == "quantile" and q is None:
        raise ToolError('stat="quantile" needs q, a number between 0 and 1 (0.9 = 90th percentile)')
    sel = selection_args(locals())
    values, info, _ = select_values(data, variable, sel)
    extra = {"q": q} if stat == "quantile" else {}
    delta = ("value",) if stat == "std" else ()
    if data.is_table:
        if dims:
            raise ToolError("dims applies to gridded datasets; a table column reduces to one number")
        if values.empty:
            raise no_data()
        result = (values.quantile(q) if stat == "quantile" else values.std(ddof=1) if stat == "std"
                  else values.count() if stat == "count" else getattr(values, stat)())
        out = {**result_base(data, variable, info, stat=stat, **extra), "value": num(result), "n": len(values)}
        if stat == "count":
            return {**out, "units": ""}
        return convert_result({**out, **_where(dataset, variable, stat, sel)}, data, variable, to_units, delta)
    keep = data.axes.category_dims()
    reduce = reduce_dims(values, dims, [d for d in values.dims if d not in keep or values.sizes[d] == 1])
    grid_mean = stat == "mean" and _whole_grid(data, values, reduce)
    if stat in ("median", "quantile"):
        if values.size > MAX_LOAD:
            raise ToolError(f"the selection has {values.size:,} values; narrow it to {MAX_LOAD:,} for a {stat}")
        result = load(values).quantile(0.5 if stat == "median" else q, dim=reduce, skipna=True).drop_vars(
            "quantile")
    elif stat == "count":
        result = values.count(dim=reduce)
    elif grid_mean and data.axes.exact_weights:
        result = values.weighted(values[WEIGHT]).mean(dim=reduce)  # a regional mean: each cell by its area
        extra["weights"] = data.weights_text(values)
    else:
        if grid_mean:
            extra["weights"] = "none: every grid point counts the same (area_weighted_mean weights by area)"
        kwargs = {"ddof": 1} if stat == "std" else {"min_count": 1} if stat == "sum" else {}
        result = getattr(values, stat)(dim=reduce, skipna=True, **kwargs)
    r = compute_all(v=result, n=values.count(dim=reduce))
    out = result_base(data, variable, info, stat=stat, **extra)
    if stat == "count":  # a number of values: no unit to state or convert
        out["units"], to_units = "", None
    if r["v"].ndim == 0:
        if int(r["n"]) == 0:
            raise no_data()
        out = {**out, "value": num(r["v"]), "n": int(r["n"]), "dims_reduced": [str(d) for d in reduce],
               **_where(dataset, variable, stat, sel)}
        return convert_result(out, data, variable, to_units, delta)
    if int(r["n"].sum()) == 0:
        raise no_data()
    table = table_result(data, out, r["v"], reduce)
    overall = _where(dataset, variable, stat, sel, ("value", "time", "at"))
    if overall:  # "the strongest wind, and at what latitude": the extreme of all rows, and where it is
        table[f"overall_{stat}"] = overall
    return convert_result(table, data, variable, to_units, delta)


def _whole_grid(data: Any, values: Any, reduce: list) -> bool:
    """Whether a reduction covers every horizontal dim of a variable that has area weights."""
    space = data.horizontal_dims(values)
    return WEIGHT in values.coords and bool(space) and all(d in reduce for d in space)


@tool(order=40)
@requires("area")
@with_docs
def area_weighted_mean(
    dataset: DatasetArg,
    variable: Variable,
    dims: Dims = None,
    time_start: TimeBound = None,
    time_end: TimeBound = None,
    month: Month = None,
    season: Season = None,
    lat_min: LatBound = None,
    lat_max: LatBound = None,
    lon_min: LonBound = None,
    lon_max: LonBound = None,
    level: Level = None,
    to_units: ToUnits = None,
) -> dict:
    """Area-weighted mean of a gridded variable over a region; other dims stay as rows unless selected.

    Args:
        variable: The variable to average.
        dims: Dimensions to average over besides the grid's horizontal dims (always averaged); default:
            time when a period, month or season is given. Any other dim stays as one row per value.
        {time}
        {box}
        {units}
    """
    data = as_data(dataset)
    sel = selection_args(locals())
    values, info, _ = select_values(data, variable, sel)
    space = data.horizontal_dims(values)
    if not space:
        raise ToolError(f"{variable} does not vary over the grid (its dimensions: {', '.join(map(str, values.dims))})")
    named = [d for d in named_time_dims(data, values, sel) if d not in space]
    reduce = reduce_dims(values, dims, space + named)  # and any dim of one value: it hides nothing
    reduce += [d for d in space if d not in reduce]  # an area mean averages the whole area, whichever dims are named
    weighted = values.weighted(values[WEIGHT]) if WEIGHT in values.coords else values
    r = compute_all(v=weighted.mean(dim=reduce), n=values.count(dim=reduce))
    out = result_base(data, variable, info, weights=data.weights_text(values))
    if int(r["n"].sum()) == 0:
        raise no_data()
    if r["v"].ndim == 0:
        out.update(mean=num(r["v"]), n=int(r["n"]), dims_reduced=[str(d) for d in reduce])
        return convert_result(out, data, variable, to_units)
    return convert_result(table_result(data, out, r["v"], reduce), data, variable, to_units)


def _where(dataset: Any, variable: str, stat: str, sel: dict, keys: tuple = ("time", "at", "row")) -> dict:
    """For a max or min: when (and where) it occurs, so an answer need not guess the date or the place."""
    if stat not in ("max", "min"):
        return {}
    try:
        found = where_extreme(dataset, variable, stat, **sel)
    except ToolError:  # e.g. a grid too large to search: the statistic stands on its own
        return {}
    return {k: found[k] for k in keys if k in found}


@tool(order=100)
@with_docs
def where_extreme(
    dataset: DatasetArg,
    variable: Variable,
    kind: Literal["max", "min"],
    time_start: TimeBound = None,
    time_end: TimeBound = None,
    month: Month = None,
    season: Season = None,
    lat_min: LatBound = None,
    lat_max: LatBound = None,
    lon_min: LonBound = None,
    lon_max: LonBound = None,
    level: Level = None,
    to_units: ToUnits = None,
) -> dict:
    """Find where and when a variable is highest or lowest. Not for counts over a threshold or percentiles.

    Args:
        variable: The variable to search.
        kind: "max" for the highest value, "min" for the lowest.
        {time}
        {box}
        {units}
    """
    data = as_data(dataset)
    values, info, times = select_values(data, variable, selection_args(locals()))
    out = result_base(data, variable, info, kind=kind)
    if data.is_table:
        if values.empty:
            raise no_data()
        label = values.idxmax() if kind == "max" else values.idxmin()
        value = values[label]
        out["value"] = num(value)
        ties = int((values == value).sum())
        if ties > 1:  # not a count of days over a threshold (models read "occurrences" so): only ties
            out["rows_with_the_same_value"] = ties
        if times is not None:
            out["time"] = fmt_time(times[label])
        else:
            out["row"] = int(label)
        others = [(k, v) for k, v in data.obj.iloc[label].items()
                  if k not in (variable, data.time_name) and isinstance(k, str) and len(k) <= 64]
        out["row_values"] = {k: coord_value(v) if not isinstance(v, str) else clean_text(v, 40)
                             for k, v in others[:MAX_ROW_VALUES]}
        return convert_result(out, data, variable, to_units)
    if values.size == 0:
        raise no_data()
    try:
        where = values.argmax(dim=...) if kind == "max" else values.argmin(dim=...)
        where = {d: int(i) for d, i in compute_all(**{str(d): i for d, i in where.items()}).items()}
    except ValueError:
        raise no_data() from None
    point = load(values.isel(where))
    if not np.isfinite(float(point)):
        raise no_data()
    out["value"] = num(point)
    scalars = {k: c.values for k, c in point.coords.items() if c.ndim == 0}
    at: dict[str, Any] = {}
    for d in values.dims:
        name, value = data.label(d, scalars)
        if value is not None:
            at[name] = value
    for k, v in scalars.items():
        if k not in at and k not in values.dims and k != WEIGHT and not str(k).startswith(POS):
            at[str(k)] = coord_value(v)
    h = data.axes.horizontal
    # the geographic position first: a rotated grid's own rlat, listed first, was read as "the latitude"
    geographic = [k for k in (h.lat or "lat", h.lon or "lon") if k in at]
    out["at"] = {**{k: at[k] for k in geographic}, **at}
    return convert_result(out, data, variable, to_units)


@tool(order=110)
@requires("two_variables")
@with_docs
def correlation(
    dataset: DatasetArg,
    variable_a: Variable,
    variable_b: Variable,
    time_start: TimeBound = None,
    time_end: TimeBound = None,
    lat_min: LatBound = None,
    lat_max: LatBound = None,
    lon_min: LonBound = None,
    lon_max: LonBound = None,
    level: Level = None,
) -> dict:
    """Pearson correlation between two variables over the rows (or grid points) where both are valid.

    Args:
        variable_a: The first variable.
        variable_b: The second variable.
        {time}
        {box}
    """
    data = as_data(dataset)
    sel = selection_args(locals())
    for v in (variable_a, variable_b):
        data.check_variable(v)
    if data.is_table:
        no_time = {k: v for k, v in sel.items() if not k.startswith("time")}
        select_values(data, variable_a, no_time)  # refuses a box or level
        frame, _, info = data.table([variable_a, variable_b] if variable_a != variable_b else [variable_a],
                                    time_start, time_end)
        both = frame.dropna()
        n = len(both)
        r = both[variable_a].corr(both[variable_b]) if n >= 3 else np.nan
    else:
        import xarray as xr

        a, info = data.grid(variable_a, **sel)
        b, _ = data.grid(variable_b, **sel)
        if set(a.dims) != set(b.dims):
            raise ToolError(f"{variable_a} {tuple(a.dims)} and {variable_b} {tuple(b.dims)} do not share dimensions")
        res = compute_all(r=xr.corr(a, b), n=(a.notnull() & b.notnull()).sum())
        r, n = float(res["r"]), int(res["n"])
    if n < 3:
        raise ToolError(f"a correlation needs at least 3 points where both are valid; there are {n}")
    if not np.isfinite(r):
        raise ToolError("the correlation is undefined: one of the variables is constant in the selection")
    out = {"variable_a": variable_a, "variable_b": variable_b, "pearson_r": num(r), "n": n}
    if info:
        out["selection"] = info
    return out


_COMPARISONS = {"above": (">", operator.gt), "below": ("<", operator.lt), "at_or_above": (">=", operator.ge),
                "at_or_below": ("<=", operator.le)}


@tool(order=120)
@with_docs
def count_threshold(
    dataset: DatasetArg,
    variable: Variable,
    threshold: float,
    direction: Literal["above", "below", "at_or_above", "at_or_below"],
    dims: Dims = None,
    time_start: TimeBound = None,
    time_end: TimeBound = None,
    month: Month = None,
    season: Season = None,
    lat_min: LatBound = None,
    lat_max: LatBound = None,
    lon_min: LonBound = None,
    lon_max: LonBound = None,
    level: Level = None,
) -> dict:
    """Count the rows (table) or grid values (grid points × time steps) above or below a threshold.

    Args:
        variable: The variable to test.
        threshold: The threshold, in the variable's own units.
        direction: "above" counts values > threshold and "below" values < threshold; "at_or_above"
            (>=) and "at_or_below" (<=) also count values equal to it. Use what the question says.
        dims: Dimensions to count along; default: all (one count). Others stay as one row per value.
        {time}
        {box}
    """
    data = as_data(dataset)
    values, info, times = select_values(data, variable, selection_args(locals()))
    symbol, compare = _COMPARISONS[direction]
    hits = compare(values, threshold)
    out = result_base(data, variable, info, condition=f"{variable} {symbol} {threshold}")
    if data.is_table:
        if dims:
            raise ToolError("dims applies to gridded datasets; a table column gives one count")
        count, n = int(hits.sum()), len(values)
    else:
        reduce = reduce_dims(values, dims, list(values.dims))
        r = compute_all(c=hits.where(values.notnull()).sum(dim=reduce), n=values.count(dim=reduce))
        if r["c"].ndim:
            if int(r["n"].sum()) == 0:
                raise no_data()
            return table_result(data, out, (r["c"], r["n"]), reduce, ("count", "n_valid"))
        count, n = int(r["c"]), int(r["n"])
    if n == 0:
        raise no_data()
    out.update(count=count, n_valid=n, fraction=num(count / n))
    if data.is_table and data.time_name is not None and count:
        days = pd.DatetimeIndex(np.asarray(times)[np.asarray(hits)]).normalize().unique()
        out["distinct_days"] = len(days)
    return out

