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
import re
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from data import times as dtimes

from .schema import DIM, UNITS, VARIABLE, DatasetArg, Range, Requires, requires
from .selection import POS, SEASONS, WEIGHT, as_data, clean_text, coord_value, fmt_time, num
from .units import convert, known_unit
from .validation import ToolError

MAX_LOAD = 20_000_000  # values a median/quantile may load
MAX_LISTED = 24  # rows listed before a result is summarised
MAX_ROW_VALUES = 12  # other columns reported with a table's extreme row

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
        month: Only this calendar month, 1-12 (7 = every July).
        season: Only this season."""
_BOX_DOC = """
        lat_min: Southern edge, degrees north (south is negative: 10°S-10°N is lat_min=-10, lat_max=10).
        lat_max: Northern edge, degrees north.
        lon_min: Western edge, degrees east (west is negative); the region runs eastward to lon_max.
        lon_max: Eastern edge, degrees east.
        level: Vertical level (the nearest is used), in the level coordinate's units."""
_UNITS_DOC = """
        to_units: Units to convert the result to; leave it out to keep the variable's units."""


def _doc(fn: Any) -> Any:
    fn.__doc__ = (fn.__doc__.replace("\n        {time}", _TIME_DOC).replace("\n        {box}", _BOX_DOC)
                  .replace("\n        {units}", _UNITS_DOC))
    return fn


def _sel(local: dict) -> dict:
    return {k: local[k] for k in SEL if local.get(k) is not None}


def _select(data: Any, variable: str, sel: dict) -> tuple[Any, dict, Any]:
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

    ds = xr.Dataset({k: v.reset_coords(drop=True) if k == "n" else v for k, v in arrays.items()}).compute()
    return {k: ds[k] for k in arrays}


def _dims(da: Any, dims: list[str] | None, default: list[str]) -> list[str]:
    reduce = list(dict.fromkeys(dims or default))
    unknown = [d for d in reduce if d not in da.dims]
    if unknown:
        raise ToolError(f"{da.name} has dimensions {', '.join(map(str, da.dims))}; not {', '.join(unknown)}")
    return reduce


def _named_time(data: Any, da: Any, sel: dict) -> list[str]:
    """The time dim the call selected by period, month or season (the question named it)."""
    named = any(sel.get(k) is not None for k in ("time_start", "time_end", "month", "season"))
    t = data.axes.time_of(da.dims)
    return [t.dim] if named and t is not None and t.dim in da.dims else []


def _rows(data: Any, field: Any, names: tuple[str, ...] = ("value",)) -> list[dict]:
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


def _table(data: Any, out: dict, field: Any, reduced: list[str], names: tuple[str, ...] = ("value",)) -> dict:
    """A result with dims left: the rows (or a summary beyond MAX_LISTED) and what was kept."""
    first = field[0] if isinstance(field, tuple) else field
    out["dims_reduced"] = [str(d) for d in reduced]
    out["dims_kept"] = {str(d): int(s) for d, s in first.sizes.items()}
    if first.size <= MAX_LISTED:
        out["values"] = _rows(data, field, names)
        return out
    out["result_shape"] = out["dims_kept"]
    out["note"] = f"more than {MAX_LISTED} values: summarised; reduce more dims or narrow the selection"
    out.update(min=num(first.min()), max=num(first.max()), mean=num(first.mean()))
    return out


def _convert(out: dict, data: Any, variable: str, to_units: str | None, delta: tuple[str, ...] = ()) -> dict:
    """Convert the result's numbers to ``to_units`` (keys in ``delta`` are differences: no offset)."""
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
            try:
                return num(float(convert(x, source, to_units, difference=key in delta)))
            except ValueError as exc:
                raise ToolError(str(exc)) from None
        return x

    converted = {k: walk(v, k) for k, v in out.items() if k not in ("selection", "at", "units")}
    return {**out, **converted, "units": to_units, "converted_from": data.units(variable)}


# -- tools ----------------------------------------------------------------------------------------------------
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
        out["variables"] = [{"name": v, "units": data.units(v), "dims": [str(d) for d in data.obj[v].dims],
                             "long_name": clean_text(data.obj[v].attrs.get("long_name"))} for v in data.variables]
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


def describe_variable(dataset: DatasetArg, variable: Variable) -> dict:
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
    dataset: DatasetArg,
    variable: Variable,
    stat: Literal["mean", "min", "max", "std", "sum", "median", "quantile"],
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
    """Compute a statistic of a variable over a selection (unweighted; see area_weighted_mean for regional means).

    Args:
        variable: The variable (column) to summarise.
        stat: The statistic; std is the sample standard deviation, quantile needs q.
        q: Only with stat="quantile": the quantile between 0 and 1. Leave it out for other statistics.
        dims: Dimensions to reduce; default: all but levels, months and seasons, which stay as rows.
        {time}
        {box}
        {units}
    """
    data = as_data(dataset)
    if stat == "quantile" and q is None:
        raise ToolError('stat="quantile" needs q, a number between 0 and 1 (0.9 = 90th percentile)')
    sel = _sel(locals())
    values, info, _ = _select(data, variable, sel)
    extra = {"q": q} if stat == "quantile" else {}
    delta = ("value",) if stat == "std" else ()
    if data.is_table:
        if dims:
            raise ToolError("dims applies to gridded datasets; a table column reduces to one number")
        if values.empty:
            raise _no_data()
        result = (values.quantile(q) if stat == "quantile" else values.std(ddof=1) if stat == "std"
                  else getattr(values, stat)())
        out = {**_base(data, variable, info, stat=stat, **extra), "value": num(result), "n": len(values)}
        return _convert({**out, **_where(dataset, variable, stat, sel)}, data, variable, to_units, delta)
    keep = data.axes.category_dims()
    reduce = _dims(values, dims, [d for d in values.dims if d not in keep or values.sizes[d] == 1])
    if stat in ("median", "quantile"):
        if values.size > MAX_LOAD:
            raise ToolError(f"the selection has {values.size:,} values; narrow it to {MAX_LOAD:,} for a {stat}")
        result = values.compute().quantile(0.5 if stat == "median" else q, dim=reduce, skipna=True).drop_vars(
            "quantile")
    else:
        kwargs = {"ddof": 1} if stat == "std" else {"min_count": 1} if stat == "sum" else {}
        result = getattr(values, stat)(dim=reduce, skipna=True, **kwargs)
    r = _compute(v=result, n=values.count(dim=reduce))
    out = _base(data, variable, info, stat=stat, **extra)
    if r["v"].ndim == 0:
        if int(r["n"]) == 0:
            raise _no_data()
        out = {**out, "value": num(r["v"]), "n": int(r["n"]), "dims_reduced": [str(d) for d in reduce],
               **_where(dataset, variable, stat, sel)}
        return _convert(out, data, variable, to_units, delta)
    if int(r["n"].sum()) == 0:
        raise _no_data()
    return _convert(_table(data, out, r["v"], reduce), data, variable, to_units, delta)


@requires("area")
@_doc
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
        dims: Dimensions to average over; default: the grid's horizontal dims, and time when a period,
            month or season is given. Any other dim stays as one row per value.
        {time}
        {box}
        {units}
    """
    data = as_data(dataset)
    sel = _sel(locals())
    values, info, _ = _select(data, variable, sel)
    space = data.horizontal_dims(values)
    if not space:
        raise ToolError(f"{variable} does not vary over the grid (its dimensions: {', '.join(map(str, values.dims))})")
    single = [d for d in values.dims if values.sizes[d] == 1 and d not in space]  # one value: nothing hidden
    reduce = _dims(values, dims, space + [d for d in _named_time(data, values, sel) + single if d not in space])
    weighted = values.weighted(values[WEIGHT]) if WEIGHT in values.coords else values
    r = _compute(v=weighted.mean(dim=reduce), n=values.count(dim=reduce))
    out = _base(data, variable, info, weights=data.weights_text(values))
    if int(r["n"].sum()) == 0:
        raise _no_data()
    if r["v"].ndim == 0:
        out.update(mean=num(r["v"]), n=int(r["n"]), dims_reduced=[str(d) for d in reduce])
        return _convert(out, data, variable, to_units)
    return _convert(_table(data, out, r["v"], reduce), data, variable, to_units)


def _nearest_point(data: Any, da: Any, lat: float, lon: float) -> tuple[dict, dict]:
    """(isel of the grid point nearest to lat/lon, its actual lat/lon) on any grid kind."""
    glat, glon = data.latlon()
    if glat is None or glon is None:
        raise ToolError("this dataset has no latitude/longitude grid")
    if data.axes.horizontal.kind == "regular":
        i = int(np.argmin(np.abs(glat.values - lat)))
        j = int(np.argmin(np.abs((glon.values - lon + 180.0) % 360.0 - 180.0)))
        where = {glat.dims[0]: i, glon.dims[0]: j}
        point = {"lat": num(glat.values[i]), "lon": num(glon.values[j])}
    else:
        a, b = np.deg2rad(glat.values), np.deg2rad(glon.values)
        cosd = np.sin(a) * np.sin(np.deg2rad(lat)) + np.cos(a) * np.cos(np.deg2rad(lat)) * np.cos(b - np.deg2rad(lon))
        flat = int(np.nanargmax(cosd))
        idx = np.unravel_index(flat, glat.shape)
        where = dict(zip(glat.dims, map(int, idx)))
        point = {"lat": num(glat.values[idx]), "lon": num(glon.values[idx])}
    if any(d not in da.dims for d in where):
        raise ToolError(f"{da.name} does not vary with latitude and longitude")
    return where, point


@requires("latlon", "time")
@_doc
def time_series_at_point(
    dataset: DatasetArg,
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
    da, info = data.grid(data.check_variable(variable), time_start, time_end, level=level)
    where, point = _nearest_point(data, da, lat, lon)
    da = da.isel(where)
    t = data.axes.time_of(da.dims)
    if t is None:
        raise ToolError(f"{variable} does not vary with time")
    extra = [str(d) for d in da.dims if d != t.dim]
    if extra:
        raise ToolError(f"{variable} also varies along {', '.join(extra)}; pass level to pick one")
    da = da.compute()
    series = pd.Series(np.asarray(da.values, dtype=float), index=t.values[da[POS + t.dim].values])
    valid = series.dropna()
    out = _base(data, variable, info, point=point, requested={"lat": lat, "lon": lon})
    if valid.empty:
        raise ToolError(f"the nearest grid point ({point['lat']}, {point['lon']}) has no valid values "
                        "(land, ice or missing data?); try a nearby location")
    label = coord_value
    out.update(n=len(valid), n_missing=int(series.isna().sum()),
               first={"time": label(valid.index[0]), "value": num(valid.iloc[0])},
               last={"time": label(valid.index[-1]), "value": num(valid.iloc[-1])},
               min={"time": label(valid.idxmin()), "value": num(valid.min())},
               max={"time": label(valid.idxmax()), "value": num(valid.max())},
               mean=num(valid.mean()))
    if len(valid) <= max_values:
        out["values"] = [[label(t_), num(v)] for t_, v in valid.items()]
    return out


def _years(index: Any, kind: str) -> np.ndarray:
    if kind in ("year", "number"):
        return np.asarray(index, dtype=float)
    if kind != "datetime":
        raise ToolError(f"the time axis holds {kind}s, not dates: a trend needs dates or years")
    return dtimes.decimal_years(index)


@requires("time")
@_doc
def linear_trend(
    dataset: DatasetArg,
    variable: Variable,
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
    """Least-squares linear trend of a variable per decade (for a grid: of its area-weighted mean series).

    Args:
        variable: The variable whose trend is wanted.
        {time}
        {box}
    """
    data = as_data(dataset)
    series, info, t = data.series(variable, **_sel(locals()))
    if len(series) < 3:
        raise ToolError(f"a trend needs at least 3 valid time steps; the selection has {len(series)}")
    x, y = _years(series.index, t.kind), series.to_numpy(dtype=float)
    if np.ptp(x) == 0:
        raise ToolError("all values are at the same time; a trend needs a time span")
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (slope * x + intercept)
    stderr = np.sqrt(np.sum(resid**2) / (len(x) - 2) / np.sum((x - x.mean()) ** 2))
    r = np.corrcoef(x, y)[0, 1] if np.std(y) > 0 else 0.0
    units = data.units(variable)
    out = _base(data, variable, info, slope_per_decade=num(slope * 10), stderr_per_decade=num(stderr * 10))
    out.update(units=f"{units} per decade" if units else "per decade", r_squared=num(r**2), n=len(series),
               start=coord_value(series.index[0]), end=coord_value(series.index[-1]),
               change_over_period=num(slope * np.ptp(x)))
    if t.kind == "number":
        out["note"] = (f"{t.name} has no units: the slope is per 10 of its units (per decade if it counts years)")
    return out


def _monthly(series: pd.Series) -> pd.Series:
    """Means per (year, month) of a series on any calendar, indexed by (year, month)."""
    idx = series.index
    frame = pd.DataFrame({"year": np.asarray(idx.year), "month": np.asarray(idx.month), "v": series.to_numpy()})
    return frame.groupby(["year", "month"])["v"].mean().dropna()


@requires("dates")
@_doc
def anomaly(
    dataset: DatasetArg,
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
    series, info, _ = data.series(variable, **_sel(locals()))
    if series.empty:
        raise _no_data()
    monthly = _monthly(series)
    from .selection import _parts

    year, month = _parts(time)[:2]
    month = month or 1
    first, last = monthly.index[0], monthly.index[-1]
    if (year, month) not in monthly.index:
        raise ToolError(f"no data for {year:04d}-{month:02d}; the data cover {first[0]:04d}-{first[1]:02d} to "
                        f"{last[0]:04d}-{last[1]:02d}")
    years = np.array([y for y, _ in monthly.index])
    in_base = np.array([m == month for _, m in monthly.index])
    if base_start:
        in_base &= years >= _parts(base_start)[0]
    if base_end:
        in_base &= years <= _parts(base_end)[0]
    base = monthly[in_base]
    if base.empty:
        raise ToolError(f"the base period has no data for calendar month {month}")
    value, clim = float(monthly[(year, month)]), float(base.mean())
    out = _base(data, variable, info, month=f"{year:04d}-{month:02d}", value=num(value), climatology=num(clim),
                anomaly=num(value - clim))
    out["base_period"] = [f"{base.index[0][0]:04d}-{month:02d}", f"{base.index[-1][0]:04d}-{month:02d}"]
    out["base_years"] = len(base)
    return out


@requires("dates")
@_doc
def climatology(
    dataset: DatasetArg,
    variable: Variable,
    by: Literal["month", "season", "year"],
    time_start: TimeBound = None,
    time_end: TimeBound = None,
    lat_min: LatBound = None,
    lat_max: LatBound = None,
    lon_min: LonBound = None,
    lon_max: LonBound = None,
    level: Level = None,
    to_units: ToUnits = None,
) -> dict:
    """Mean per calendar month, season or year (for a grid: of its area-weighted mean): one row each.

    Args:
        variable: The variable.
        by: "month" for the mean seasonal cycle, "season" for DJF/MAM/JJA/SON, "year" for annual means.
        {time}
        {box}
        {units}
    """
    data = as_data(dataset)
    series, info, _ = data.series(variable, **_sel(locals()))
    if series.empty:
        raise _no_data()
    months = np.asarray(series.index.month)
    if by == "month":
        keys = months
    elif by == "season":
        keys = np.array([next(s for s, ms in SEASONS.items() if m in ms) for m in months])
    else:
        keys = np.asarray(series.index.year)
    grouped = pd.Series(series.to_numpy(), index=keys).groupby(level=0)
    means, counts = grouped.mean(), grouped.count()
    order = list(SEASONS) if by == "season" else sorted(means.index)
    rows = [{by: k.item() if hasattr(k, "item") else k, "value": num(means[k]), "n_steps": int(counts[k])}
            for k in order if k in means.index]
    out = _base(data, variable, info, by=by)
    if len(rows) <= MAX_LISTED:
        out["values"] = rows
    else:
        lo, hi = means.idxmin(), means.idxmax()
        out.update(n_groups=len(rows), min={by: int(lo), "value": num(means[lo])},
                   max={by: int(hi), "value": num(means[hi])}, first=rows[0], last=rows[-1],
                   note=f"more than {MAX_LISTED} {by}s: summarised; narrow the period to list them")
    return _convert(out, data, variable, to_units)


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_RANGE = re.compile(r"\s*(\d{4}(?:-\d{1,2})?)\s*(?:\.\.|to|/|–|-)\s*(\d{4}(?:-\d{1,2})?)\s*")


def parse_period(text: str) -> dict:
    """A period as a question names it -> selection arguments: "DJF", "July"/"Jul", "1990", "1990-07",
    "1961-1990" (or "1961..1990", "1961 to 1990")."""
    t = str(text).strip()
    if t.upper() in SEASONS:
        return {"season": t.upper()}
    if t[:3].lower() in _MONTHS and t.isalpha():
        return {"month": _MONTHS.index(t[:3].lower()) + 1}
    match = _RANGE.fullmatch(t)
    if match and len(match.group(2)) >= 4:
        return {"time_start": match.group(1), "time_end": match.group(2)}
    from .selection import _parts

    _parts(t)  # a year, month or day, else a ToolError naming the forms
    return {"time_start": t, "time_end": t}


@_doc
def difference(
    dataset: DatasetArg,
    variable: Variable,
    period_a: str | None = None,
    period_b: str | None = None,
    level_a: Level = None,
    level_b: Level = None,
    lat_min: LatBound = None,
    lat_max: LatBound = None,
    lon_min: LonBound = None,
    lon_max: LonBound = None,
    to_units: ToUnits = None,
) -> dict:
    """Difference B minus A of a variable's (area-weighted) mean between two periods or two levels.

    Args:
        variable: The variable.
        period_a: First period: a year "1990", a month "1990-07", years "1961-1990", a calendar month
            "July", or a season "DJF". Leave it out for all times.
        period_b: Second period, written the same way.
        level_a: Level of the first selection (the nearest is used); leave out for all or the same.
        level_b: Level of the second selection.
        lat_min: Southern edge in degrees north (negative south). Leave it out for no limit.
        lat_max: Northern edge in degrees north. Leave it out for no limit.
        lon_min: Western edge in degrees east; the region runs eastward to lon_max.
        lon_max: Eastern edge in degrees east.
        {units}
    """
    data = as_data(dataset)
    if period_a is None and period_b is None and level_a is None and level_b is None:
        raise ToolError("give the two selections to compare: period_a and period_b, or level_a and level_b")
    box = {k: v for k, v in (("lat_min", lat_min), ("lat_max", lat_max), ("lon_min", lon_min),
                             ("lon_max", lon_max)) if v is not None}
    sides = []
    for period, lev in ((period_a, level_a), (period_b, level_b)):
        sel = {**box, **(parse_period(period) if period else {}), **({"level": lev} if lev is not None else {})}
        values, info, _ = _select(data, variable, sel)
        if data.is_table:
            sides.append((float(values.mean()) if len(values) else np.nan, info, []))
            continue
        reduce = data.horizontal_dims(values) + [d for d in [getattr(data.axes.time_of(values.dims), "dim", None)]
                                                 if d in values.dims]
        weighted = values.weighted(values[WEIGHT]) if WEIGHT in values.coords else values
        r = _compute(v=weighted.mean(dim=reduce), n=values.count(dim=reduce))
        if int(r["n"].sum()) == 0:
            raise ToolError(f"no valid values in selection {'A' if not sides else 'B'} ({info or 'all'})")
        sides.append((r["v"].drop_vars([c for c in r["v"].coords if c not in r["v"].dims]), info, reduce))
    (a, info_a, reduced), (b, info_b, _) = sides
    out = {"variable": variable, "units": data.units(variable), "selection_a": info_a, "selection_b": info_b}
    if not data.is_table:
        out["weights"] = data.weights_text(data.grid(variable)[0])
    if np.ndim(a) == 0 and np.ndim(b) == 0:
        out.update(a=num(a), b=num(b), difference=num(float(b) - float(a)))
        if reduced:
            out["dims_reduced"] = [str(d) for d in reduced]
    else:
        import xarray as xr

        a, b = xr.align(a, b, join="inner")
        if not a.size:
            raise ToolError("the two selections share no values of their other dims to compare")
        out = _table(data, out, (a, b, b - a), reduced, ("a", "b", "difference"))
    return _convert(out, data, variable, to_units, delta=("difference",))


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
) -> dict:
    """Find where and when a variable is highest or lowest. Not for counts over a threshold or percentiles.

    Args:
        variable: The variable to search.
        kind: "max" for the highest value, "min" for the lowest.
        {time}
        {box}
    """
    data = as_data(dataset)
    values, info, times = _select(data, variable, _sel(locals()))
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
    scalars = {k: c.values for k, c in point.coords.items() if c.ndim == 0}
    at: dict[str, Any] = {}
    for d in values.dims:
        name, value = data.label(d, scalars)
        if value is not None:
            at[name] = value
    for k, v in scalars.items():
        if k not in at and k not in values.dims and k != WEIGHT and not str(k).startswith(POS):
            at[str(k)] = coord_value(v)
    out["at"] = at
    return out


@requires("two_variables")
@_doc
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
    sel = _sel(locals())
    for v in (variable_a, variable_b):
        data.check_variable(v)
    if data.is_table:
        _select(data, variable_a, {k: v for k, v in sel.items() if not k.startswith("time")})  # refuses a box/level
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
    values, info, times = _select(data, variable, _sel(locals()))
    symbol, compare = _COMPARISONS[direction]
    hits = compare(values, threshold)
    out = _base(data, variable, info, condition=f"{variable} {symbol} {threshold}")
    if data.is_table:
        if dims:
            raise ToolError("dims applies to gridded datasets; a table column gives one count")
        count, n = int(hits.sum()), len(values)
    else:
        reduce = _dims(values, dims, list(values.dims))
        r = _compute(c=hits.where(values.notnull()).sum(dim=reduce), n=values.count(dim=reduce))
        if r["c"].ndim:
            if int(r["n"].sum()) == 0:
                raise _no_data()
            return _table(data, out, (r["c"], r["n"]), reduce, ("count", "n_valid"))
        count, n = int(r["c"]), int(r["n"])
    if n == 0:
        raise _no_data()
    out.update(count=count, n_valid=n, fraction=num(count / n))
    if data.is_table and data.time_name is not None and count:
        days = pd.DatetimeIndex(np.asarray(times)[np.asarray(hits)]).normalize().unique()
        out["distinct_days"] = len(days)
    return out


DATASET_TOOLS = [list_variables, describe_variable, statistic, area_weighted_mean, time_series_at_point,
                 linear_trend, anomaly, climatology, difference, where_extreme, correlation, count_threshold]
