"""Dataset tools: numbers computed from the session's table or grid, never from the model.

Each tool's first parameter, ``dataset``, is bound by the registry (a DataFrame, a Dataset or a
``selection.Data``); the rest is what the model fills in.  Variables are numeric columns (tables)
or numeric data variables (grids), offered as an enum.  Grids are reduced with xarray, so dask-backed
data are read chunk by chunk, never loaded whole (median/quantile load the *selection*, up to
``MAX_LOAD`` values).  Results are JSON-ready dicts with units; floats carry 6 significant digits.
Standard deviations are sample standard deviations (ddof=1) for tables and grids alike.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from .schema import DIM, VARIABLE, Range, Requires, requires
from .selection import (as_data, clean_text, coord_value, decimal_years, fmt_time, num, parse_time, time_mask,
                        to_datetimes)
from .validation import ToolError

MAX_LOAD = 20_000_000  # values a median/quantile may load
MAX_LISTED = 24  # values listed before a result is summarised
MAX_ROW_VALUES = 12  # other columns reported with a table's extreme row

Variable = Annotated[str, VARIABLE]
TimeBound = Annotated[str | None, Requires("time")]
LatBound = Annotated[float | None, Range(-90, 90), Requires("latlon")]
LonBound = Annotated[float | None, Range(-360, 360), Requires("latlon")]
Level = Annotated[float | None, Requires("level")]
Dims = Annotated[list[Annotated[str, DIM]] | None, Requires("grid")]

_TIME_DOC = """
        time_start: First date to include (YYYY, YYYY-MM or YYYY-MM-DD). Leave it out unless the
            question names a period; default: the start of the data.
        time_end: Last date to include; a year or month means its whole period. Leave it out unless
            the question names a period; default: the end of the data."""
_BOX_DOC = """
        lat_min: Southern edge of the region in degrees north; southern latitudes are negative, so
            "10°S to 10°N" is lat_min=-10, lat_max=10. Leave it out for no limit.
        lat_max: Northern edge of the region in degrees north. Leave it out for no limit.
        lon_min: Western edge in degrees east (western longitudes are negative); the region runs
            eastward from lon_min to lon_max. Leave it out for no limit.
        lon_max: Eastern edge in degrees east. Leave it out for no limit.
        level: Vertical level (the nearest one is used), in the units of the level coordinate."""


def _doc(fn: Any) -> Any:
    fn.__doc__ = fn.__doc__.replace("\n        {time}", _TIME_DOC).replace("\n        {box}", _BOX_DOC)
    return fn


def _select(data: Any, variable: str, sel: dict) -> tuple[Any, dict, pd.Series | None]:
    """(valid values | lazy DataArray, selection info, times of the valid rows) for the selection args.

    A table gives a Series of the valid values labelled by row position, and their times (or None).
    """
    data.check_variable(variable)
    if not data.is_table:
        return (*data.grid(variable, **sel), None)
    if any(sel.get(k) is not None for k in ("lat_min", "lat_max", "lon_min", "lon_max", "level")):
        raise ToolError("this dataset is a table: it has no latitude/longitude box or level")
    frame, times, info = data.table([variable], sel.get("time_start"), sel.get("time_end"))
    valid = frame[variable].notna().to_numpy()
    series = frame[variable][valid]
    return series, info, (pd.Series(times[valid], index=series.index) if times is not None else None)


def _base(data: Any, variable: str, info: dict, **more: Any) -> dict:
    out = {"variable": variable, **more, "units": data.units(variable)}
    if info:
        out["selection"] = info
    return out


def _no_data() -> ToolError:
    return ToolError("no valid (non-missing) values in the selection")


def _compute(**arrays: Any) -> dict[str, Any]:
    """Compute several lazy xarray results in one pass over the data."""
    import xarray as xr

    ds = xr.Dataset({k: v.reset_coords(drop=True) for k, v in arrays.items()}).compute()
    return {k: ds[k] for k in arrays}


def list_variables(dataset: Any) -> dict:
    """List the dataset's numeric variables with units and dimensions, and its time span and extent."""
    data = as_data(dataset)
    out: dict[str, Any] = {"kind": "table" if data.is_table else "grid"}
    if data.is_table:
        out["rows"] = len(data.obj)
        out["variables"] = [{"name": v, "units": data.units(v)} for v in data.variables]
    else:
        out["dims"] = {str(d): int(n) for d, n in data.obj.sizes.items() if d in data.dims}
        out["variables"] = [{"name": v, "units": data.units(v), "dims": [str(d) for d in data.obj[v].dims],
                             "long_name": clean_text(data.obj[v].attrs.get("long_name"))} for v in data.variables]
        for key, coord in (("lat", data.lat), ("lon", data.lon), ("level", data.level)):
            if coord is not None:
                values = np.asarray(data.obj[coord].values, dtype=float)
                out[key] = [num(values.min()), num(values.max())]
    times = data.times()
    if times is not None and len(times):
        out["time"] = {"name": str(data.time_name), "start": fmt_time(times.min()), "end": fmt_time(times.max()),
                       "steps": len(times)}
    return out


def describe_variable(dataset: Any, variable: Variable) -> dict:
    """Describe one variable: units, long name, dimensions, valid and missing counts, min, max, mean.

    Args:
        variable: The variable (column) to describe.
    """
    data = as_data(dataset)
    values, _, _ = _select(data, variable, {})
    out = _base(data, variable, {})
    if data.is_table:
        n_total = len(data.obj)
        n, lo, hi, mean = len(values), values.min(), values.max(), values.mean()
    else:
        out["long_name"] = clean_text(values.attrs.get("long_name"))
        out["standard_name"] = clean_text(values.attrs.get("standard_name"))
        out["dims"] = {str(d): int(s) for d, s in values.sizes.items()}
        n_total = int(values.size)
        r = _compute(n=values.count(), lo=values.min(), hi=values.max(), mean=values.mean())
        n, lo, hi, mean = int(r["n"]), r["lo"], r["hi"], r["mean"]
    out.update(n_valid=int(n), n_missing=n_total - int(n), min=num(lo), max=num(hi), mean=num(mean))
    return out


@_doc
def statistic(
    dataset: Any,
    variable: Variable,
    stat: Literal["mean", "min", "max", "std", "sum", "median", "quantile"],
    q: Annotated[float | None, Range(0, 1)] = None,
    dims: Dims = None,
    time_start: TimeBound = None,
    time_end: TimeBound = None,
    lat_min: LatBound = None,
    lat_max: LatBound = None,
    lon_min: LonBound = None,
    lon_max: LonBound = None,
    level: Level = None,
) -> dict:
    """Compute a statistic of a variable over a selection (unweighted; see area_weighted_mean for regional means).

    Args:
        variable: The variable (column) to summarise.
        stat: The statistic; std is the sample standard deviation, quantile needs q.
        q: Only with stat="quantile": the quantile between 0 and 1. Leave it out for other statistics.
        dims: Dimensions to reduce (default: all, giving one number); the others remain in the result.
        {time}
        {box}
    """
    data = as_data(dataset)
    if stat == "quantile" and q is None:
        raise ToolError('stat="quantile" needs q, a number between 0 and 1 (0.9 = 90th percentile)')
    sel = dict(time_start=time_start, time_end=time_end, lat_min=lat_min, lat_max=lat_max,
               lon_min=lon_min, lon_max=lon_max, level=level)
    values, info, _ = _select(data, variable, sel)
    extra = {"q": q} if stat == "quantile" else {}
    if data.is_table:
        if dims:
            raise ToolError("dims applies to gridded datasets; a table column reduces to one number")
        if values.empty:
            raise _no_data()
        if stat == "quantile":
            result = values.quantile(q)
        elif stat == "std":
            result = values.std(ddof=1)
        else:
            result = getattr(values, stat)()
        out = {**_base(data, variable, info, stat=stat, **extra), "value": num(result), "n": len(values)}
        return {**out, **_where(dataset, variable, stat, sel)}
    reduce = list(dims) if dims else list(values.dims)
    unknown = [d for d in reduce if d not in values.dims]
    if unknown:
        raise ToolError(f"{variable} has dimensions {', '.join(map(str, values.dims))}; not {', '.join(unknown)}")
    if stat in ("median", "quantile"):
        if values.size > MAX_LOAD:
            raise ToolError(f"the selection has {values.size:,} values; narrow it to {MAX_LOAD:,} for a {stat}")
        result = values.compute().quantile(0.5 if stat == "median" else q, dim=reduce, skipna=True)
    else:
        kwargs = {"ddof": 1} if stat == "std" else {"min_count": 1} if stat == "sum" else {}
        result = getattr(values, stat)(dim=reduce, skipna=True, **kwargs)
    r = _compute(v=result, n=values.count(dim=reduce))
    out = _base(data, variable, info, stat=stat, **extra)
    if r["v"].ndim == 0:
        if int(r["n"]) == 0:
            raise _no_data()
        return {**out, "value": num(r["v"]), "n": int(r["n"]), **_where(dataset, variable, stat, sel)}
    field = r["v"]
    if field.size <= MAX_LISTED:
        rows = field.to_dataframe(name="value").reset_index()
        out["values"] = [{k: coord_value(v) for k, v in row.items()} for row in rows.to_dict("records")]
    else:
        out["result_shape"] = {str(d): int(s) for d, s in field.sizes.items()}
        out["note"] = f"more than {MAX_LISTED} values: summarised; reduce more dims or narrow the selection"
        out.update(min=num(field.min()), max=num(field.max()), mean=num(field.mean()))
    return out


@requires("latlon")
@_doc
def area_weighted_mean(
    dataset: Any,
    variable: Variable,
    time_start: TimeBound = None,
    time_end: TimeBound = None,
    lat_min: LatBound = None,
    lat_max: LatBound = None,
    lon_min: LonBound = None,
    lon_max: LonBound = None,
    level: Level = None,
) -> dict:
    """Area-weighted mean of a gridded variable over a region and time range, with cos(latitude) weights.

    Args:
        variable: The variable to average.
        {time}
        {box}
    """
    data = as_data(dataset)
    values, info, times = _select(data, variable, dict(time_start=time_start, time_end=time_end, lat_min=lat_min,
                                                       lat_max=lat_max, lon_min=lon_min, lon_max=lon_max,
                                                       level=level))
    weights = data.lat_weights(values)
    if weights is None:
        raise ToolError(f"{variable} has no latitude dimension to weight")
    r = _compute(v=values.weighted(weights).mean(dim=list(values.dims)), n=values.count())
    if int(r["n"]) == 0:
        raise _no_data()
    return {**_base(data, variable, info), "mean": num(r["v"]), "n": int(r["n"]), "weights": "cos(latitude)"}


@requires("latlon", "time")
@_doc
def time_series_at_point(
    dataset: Any,
    variable: Variable,
    lat: Annotated[float, Range(-90, 90)],
    lon: Annotated[float, Range(-360, 360)],
    time_start: TimeBound = None,
    time_end: TimeBound = None,
    level: Level = None,
    max_values: Annotated[int, Range(0, 100)] = 12,
) -> dict:
    """Summarise the time series at the grid point nearest to a location: count, first, last, min, max, mean.

    Args:
        variable: The variable to read.
        lat: Latitude of the location, degrees north.
        lon: Longitude of the location, degrees east (-180..180 or 0..360).
        {time}
        level: Vertical level (the nearest one is used), in the units of the level coordinate.
        max_values: List every value when the series has at most this many.
    """
    data = as_data(dataset)
    da = data.obj[data.check_variable(variable)]
    lats = np.asarray(data.obj[data.lat].values, dtype=float)
    lons = np.asarray(data.obj[data.lon].values, dtype=float)
    i = int(np.argmin(np.abs(lats - lat)))
    j = int(np.argmin(np.abs((lons - lon + 180.0) % 360.0 - 180.0)))
    lat_dim, lon_dim = data.obj[data.lat].dims[0], data.obj[data.lon].dims[0]
    if lat_dim not in da.dims or lon_dim not in da.dims:
        raise ToolError(f"{variable} does not vary with latitude and longitude")
    point = as_data(data.obj[[variable]].isel({lat_dim: i, lon_dim: j}))
    da, info = point.grid(variable, time_start, time_end, level=level)
    tdim = data.obj[data.time].dims[0]
    if tdim not in da.dims:
        raise ToolError(f"{variable} does not vary with time")
    extra = [str(d) for d in da.dims if d != tdim]
    if extra:
        raise ToolError(f"{variable} also varies along {', '.join(extra)}; pass level to pick one")
    da = da.compute()
    series = pd.Series(np.asarray(da.values, dtype=float), index=to_datetimes(da[data.time].values))
    valid = series.dropna()
    out = _base(data, variable, info, point={"lat": num(lats[i]), "lon": num(lons[j])},
                requested={"lat": lat, "lon": lon})
    if valid.empty:
        raise ToolError(f"the nearest grid point ({num(lats[i])}, {num(lons[j])}) has no valid values "
                        "(land, ice or missing data?); try a nearby location")
    out.update(n=len(valid), n_missing=int(series.isna().sum()),
               first={"time": fmt_time(valid.index[0]), "value": num(valid.iloc[0])},
               last={"time": fmt_time(valid.index[-1]), "value": num(valid.iloc[-1])},
               min={"time": fmt_time(valid.idxmin()), "value": num(valid.min())},
               max={"time": fmt_time(valid.idxmax()), "value": num(valid.max())},
               mean=num(valid.mean()))
    if len(valid) <= max_values:
        out["values"] = [[fmt_time(t), num(v)] for t, v in valid.items()]
    return out


@requires("time")
@_doc
def linear_trend(
    dataset: Any,
    variable: Variable,
    time_start: TimeBound = None,
    time_end: TimeBound = None,
    lat_min: LatBound = None,
    lat_max: LatBound = None,
    lon_min: LonBound = None,
    lon_max: LonBound = None,
    level: Level = None,
) -> dict:
    """Least-squares linear trend of a variable per decade (for a grid: of its area-weighted mean series).

    Args:
        variable: The variable whose trend is wanted.
        {time}
        {box}
    """
    data = as_data(dataset)
    series, info = data.series(variable, time_start, time_end, lat_min=lat_min, lat_max=lat_max,
                               lon_min=lon_min, lon_max=lon_max, level=level)
    if len(series) < 3:
        raise ToolError(f"a trend needs at least 3 valid time steps; the selection has {len(series)}")
    x, y = decimal_years(series.index), series.to_numpy(dtype=float)
    if np.ptp(x) == 0:
        raise ToolError("all values are at the same time; a trend needs a time span")
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (slope * x + intercept)
    stderr = np.sqrt(np.sum(resid**2) / (len(x) - 2) / np.sum((x - x.mean()) ** 2))
    r = np.corrcoef(x, y)[0, 1] if np.std(y) > 0 else 0.0
    units = data.units(variable)
    out = _base(data, variable, info, slope_per_decade=num(slope * 10), stderr_per_decade=num(stderr * 10))
    out.update(units=f"{units} per decade" if units else "per decade", r_squared=num(r**2), n=len(series),
               start=fmt_time(series.index[0]), end=fmt_time(series.index[-1]),
               change_over_period=num(slope * np.ptp(x)))
    return out


@requires("time")
@_doc
def anomaly(
    dataset: Any,
    variable: Variable,
    time: str,
    base_start: str | None = None,
    base_end: str | None = None,
    lat_min: LatBound = None,
    lat_max: LatBound = None,
    lon_min: LonBound = None,
    lon_max: LonBound = None,
    level: Level = None,
) -> dict:
    """Monthly anomaly: a month's mean minus the mean of the same calendar month over a base period.

    Args:
        variable: The variable (for a grid: its area-weighted mean over the region).
        time: The month, YYYY-MM (a full date picks its month).
        base_start: First date of the climatology's base period; default: the start of the data.
        base_end: Last date of the base period (inclusive); default: the end of the data.
        {box}
    """
    data = as_data(dataset)
    series, info = data.series(variable, lat_min=lat_min, lat_max=lat_max, lon_min=lon_min,
                               lon_max=lon_max, level=level)
    if series.empty:
        raise _no_data()
    monthly = series.resample("MS").mean().dropna()
    target = parse_time(time)[0].to_period("M").to_timestamp()
    if monthly.index.tz is not None:
        target = target.tz_localize(monthly.index.tz)
    if target not in monthly.index:
        raise ToolError(f"no data for {target:%Y-%m}; the data cover {monthly.index[0]:%Y-%m} to "
                        f"{monthly.index[-1]:%Y-%m}")
    in_base = time_mask(monthly.index, base_start, base_end) & (monthly.index.month == target.month)
    base = monthly[in_base]
    if base.empty:
        raise ToolError(f"the base period has no data for calendar month {target.month}")
    value, clim = float(monthly[target]), float(base.mean())
    out = _base(data, variable, info, month=f"{target:%Y-%m}", value=num(value), climatology=num(clim),
                anomaly=num(value - clim))
    out["base_period"] = [f"{base.index[0]:%Y-%m}", f"{base.index[-1]:%Y-%m}"]
    out["base_years"] = len(base)
    return out


def _where(dataset: Any, variable: str, stat: str, sel: dict) -> dict:
    """For a single max or min: when (and where) it occurs, so an answer need not guess the date."""
    if stat not in ("max", "min"):
        return {}
    try:
        found = where_extreme(dataset, variable, stat, **sel)
    except ToolError:  # e.g. a grid too large to search: the statistic stands on its own
        return {}
    return {k: found[k] for k in ("time", "at", "row") if k in found}


@_doc
def where_extreme(
    dataset: Any,
    variable: Variable,
    kind: Literal["max", "min"],
    time_start: TimeBound = None,
    time_end: TimeBound = None,
    lat_min: LatBound = None,
    lat_max: LatBound = None,
    lon_min: LonBound = None,
    lon_max: LonBound = None,
    level: Level = None,
) -> dict:
    """Find where and when a variable is highest or lowest. Not for counts over a threshold or percentiles.

    Args:
        variable: The variable to search.
        kind: "max" for the highest value, "min" for the lowest.
        {time}
        {box}
    """
    data = as_data(dataset)
    values, info, times = _select(data, variable, dict(time_start=time_start, time_end=time_end, lat_min=lat_min,
                                                       lat_max=lat_max, lon_min=lon_min, lon_max=lon_max,
                                                       level=level))
    out = _base(data, variable, info, kind=kind)
    if data.is_table:
        if values.empty:
            raise _no_data()
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
        return out
    if values.size == 0:
        raise _no_data()
    try:
        where = values.argmax(dim=...) if kind == "max" else values.argmin(dim=...)
        where = {d: int(i) for d, i in _compute(**{str(d): i for d, i in where.items()}).items()}
    except ValueError:
        raise _no_data() from None
    point = values.isel(where).compute()
    if not np.isfinite(float(point)):
        raise _no_data()
    out["value"] = num(point)
    out["at"] = {str(k): coord_value(c.values) for k, c in point.coords.items() if c.ndim == 0}
    return out


@requires("two_variables")
@_doc
def correlation(
    dataset: Any,
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
    sel = dict(time_start=time_start, time_end=time_end, lat_min=lat_min, lat_max=lat_max,
               lon_min=lon_min, lon_max=lon_max, level=level)
    for v in (variable_a, variable_b):
        data.check_variable(v)
    if data.is_table:
        _select(data, variable_a, {k: v for k, v in sel.items() if not k.startswith("time")})  # no box/level
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
        res = _compute(r=xr.corr(a, b), n=(a.notnull() & b.notnull()).sum())
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


@_doc
def count_threshold(
    dataset: Any,
    variable: Variable,
    threshold: float,
    direction: Literal["above", "below", "at_or_above", "at_or_below"],
    time_start: TimeBound = None,
    time_end: TimeBound = None,
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
        {time}
        {box}
    """
    data = as_data(dataset)
    values, info, times = _select(data, variable, dict(time_start=time_start, time_end=time_end, lat_min=lat_min,
                                                       lat_max=lat_max, lon_min=lon_min, lon_max=lon_max,
                                                       level=level))
    symbol, compare = _COMPARISONS[direction]
    hits = compare(values, threshold)
    if data.is_table:
        count, n = int(hits.sum()), len(values)
    else:
        r = _compute(c=hits.sum(), n=values.count())
        count, n = int(r["c"]), int(r["n"])
    if n == 0:
        raise _no_data()
    out = _base(data, variable, info, condition=f"{variable} {symbol} {threshold}", count=count, n_valid=n,
                fraction=num(count / n))
    if data.is_table and data.time_name is not None and count:
        days = pd.DatetimeIndex(times[np.asarray(hits)]).normalize().unique()
        out["distinct_days"] = len(days)
    return out


DATASET_TOOLS = [list_variables, describe_variable, statistic, area_weighted_mean, time_series_at_point,
                 linear_trend, anomaly, where_extreme, correlation, count_threshold]
