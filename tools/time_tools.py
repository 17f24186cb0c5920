"""Dataset tools along time and between selections: a point's series, trends per decade, monthly anomalies,
climatologies by month/season/year, and the difference of two selections (periods, months, seasons,
levels).  Dates on any calendar (cftime stays cftime), `year` axes and unit-less steps (said so).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd

from data import times as dtimes
from data.compute import load

from .catalog import tool
from .results import (
    MAX_LISTED,
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
    no_data,
    reduce_dims,
    result_base,
    select_values,
    selection_args,
    table_result,
    with_docs,
)
from .schema import DatasetArg, Range, requires
from .selection import POS, SEASONS, WEIGHT, as_data, coord_value, date_parts, num
from .validation import ToolError


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


@tool(order=50)
@requires("latlon", "time")
@with_docs
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
    da = load(da)
    series = pd.Series(np.asarray(da.values, dtype=float), index=t.values[da[POS + t.dim].values])
    valid = series.dropna()
    out = result_base(data, variable, info, point=point, requested={"lat": lat, "lon": lon})
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


@tool(order=60)
@requires("time")
@with_docs
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
    per: Literal["year", "decade", "century"] = "decade",
    to_units: ToUnits = None,
) -> dict:
    """Least-squares linear trend of a variable per decade (for a grid: of its area-weighted mean series).

    Args:
        variable: The variable whose trend is wanted.
        {time}
        {box}
        per: The time unit of the slope: "year", "decade" (default) or "century".
        {units}
    """
    data = as_data(dataset)
    series, info, t = data.series(variable, **selection_args(locals()))
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
    years = _PER_YEARS.get(per)
    if years is None:
        raise ToolError(f"per must be year, decade or century, not {per!r}")
    out = result_base(data, variable, info, **{f"slope_per_{per}": num(slope * years),
                                               f"stderr_per_{per}": num(stderr * years)})
    out.update(units=f"{units} per {per}" if units else f"per {per}", r_squared=num(r**2), n=len(series),
               start=coord_value(series.index[0]), end=coord_value(series.index[-1]),
               change_over_period=num(slope * np.ptp(x)))
    if t.kind == "number":
        out["note"] = (f"{t.name} has no units: the slope is per {years} of its units (per {per} if it counts "
                       "years)")
    if to_units:  # a slope is a difference per time: °F to °C scales it, with no offset
        out = convert_result(out, data, variable, to_units,
                             delta=(f"slope_per_{per}", f"stderr_per_{per}", "change_over_period"))
        out["units"] = f"{to_units} per {per}"
    return out


_PER_YEARS = {"year": 1, "decade": 10, "century": 100}


def _monthly(series: pd.Series) -> pd.Series:
    """Means per (year, month) of a series on any calendar, indexed by (year, month)."""
    idx = series.index
    frame = pd.DataFrame({"year": np.asarray(idx.year), "month": np.asarray(idx.month), "v": series.to_numpy()})
    return frame.groupby(["year", "month"])["v"].mean().dropna()


@tool(order=70)
@requires("dates")
@with_docs
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
    series, info, _ = data.series(variable, **selection_args(locals()))
    if series.empty:
        raise no_data()
    monthly = _monthly(series)
    year, month = date_parts(time)[:2]
    month = month or 1
    first, last = monthly.index[0], monthly.index[-1]
    if (year, month) not in monthly.index:
        raise ToolError(f"no data for {year:04d}-{month:02d}; the data cover {first[0]:04d}-{first[1]:02d} to "
                        f"{last[0]:04d}-{last[1]:02d}")
    years = np.array([y for y, _ in monthly.index])
    in_base = np.array([m == month for _, m in monthly.index])
    if base_start:
        in_base &= years >= date_parts(base_start)[0]
    if base_end:
        in_base &= years <= date_parts(base_end)[0]
    base = monthly[in_base]
    if base.empty:
        raise ToolError(f"the base period has no data for calendar month {month}")
    value, clim = float(monthly[(year, month)]), float(base.mean())
    out = result_base(data, variable, info, month=f"{year:04d}-{month:02d}", value=num(value), climatology=num(clim),
                anomaly=num(value - clim))
    out["base_period"] = [f"{base.index[0][0]:04d}-{month:02d}", f"{base.index[-1][0]:04d}-{month:02d}"]
    out["base_years"] = len(base)
    return out


@tool(order=80)
@requires("dates")
@with_docs
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
    series, info, _ = data.series(variable, **selection_args(locals()))
    if series.empty:
        raise no_data()
    months, years = _calendar_parts(data, variable, series.index)
    if (months if by in ("month", "season") else years) is None:
        has, instead = ("years", "statistic or linear_trend") if years is not None else ("months", "statistic")
        raise ToolError(f"{variable}'s time axis holds {has} only, so there is no {by} to group by; {instead} "
                        "use its values as they are")
    if by == "month":
        keys = months
    elif by == "season":
        keys = np.array([next(s for s, ms in SEASONS.items() if m in ms) for m in months])
    else:
        keys = years
    grouped = pd.Series(series.to_numpy(), index=keys).groupby(level=0)
    means, counts = grouped.mean(), grouped.count()
    order = list(SEASONS) if by == "season" else sorted(means.index)
    rows = [{by: k.item() if hasattr(k, "item") else k, "value": num(means[k]), "n_steps": int(counts[k])}
            for k in order if k in means.index]
    out = result_base(data, variable, info, by=by)
    if len(rows) <= MAX_LISTED:
        out["values"] = rows
    else:
        lo, hi = means.idxmin(), means.idxmax()
        out.update(n_groups=len(rows), min={by: int(lo), "value": num(means[lo])},
                   max={by: int(hi), "value": num(means[hi])}, first=rows[0], last=rows[-1],
                   note=f"more than {MAX_LISTED} {by}s: summarised; narrow the period to list them")
    return convert_result(out, data, variable, to_units)


def _calendar_parts(data: Any, variable: str, index: Any) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(calendar month, year) of each step of a series: from its dates, or from an axis of year numbers
    (Boulder's annual TIME = 1897..2014) or of month numbers (1..12); None for a part the axis lacks."""
    if hasattr(index, "month"):  # a DatetimeIndex or CFTimeIndex
        return np.asarray(index.month), np.asarray(index.year)
    t = data.axes.time if data.is_table else data.axes.time_of(data.obj[variable].dims)
    kind = getattr(t, "kind", "")
    values = np.asarray(index)
    return (values.astype(int), None) if kind == "month" else (None, values.astype(int)) if kind == "year" else (
        None, None)


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
    date_parts(t)  # a year, month or day, else a ToolError naming the forms
    return {"time_start": t, "time_end": t}


def _period_on_axis(data: Any, variable: str, period: str) -> dict:
    """``parse_period``, and on a time axis of month numbers (a climatology: mxclim's time = 1..12) a bare
    number 1-12 ("7", "07") is that month, not the year 7."""
    t = None if data.is_table else data.axes.time_of(data.obj[variable].dims)
    text = str(period).strip()
    if getattr(t, "kind", "") == "month" and text.isdigit() and 1 <= int(text) <= 12:
        return {"month": int(text)}
    return parse_period(text)


@tool(order=90)
@with_docs
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
        sel = {**box, **(_period_on_axis(data, variable, period) if period else {}),
               **({"level": lev} if lev is not None else {})}
        values, info, _ = select_values(data, variable, sel)
        if data.is_table:
            sides.append((float(values.mean()) if len(values) else np.nan, info, []))
            continue
        time = [d for d in [getattr(data.axes.time_of(values.dims), "dim", None)] if d in values.dims]
        reduce = reduce_dims(values, None, data.horizontal_dims(values) + time)  # and any dim of one value
        weighted = values.weighted(values[WEIGHT]) if WEIGHT in values.coords else values
        r = compute_all(v=weighted.mean(dim=reduce), n=values.count(dim=reduce))
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
        out = table_result(data, out, (a, b, b - a), reduced, ("a", "b", "difference"))
    return convert_result(out, data, variable, to_units, delta=("difference",))


