"""The session's dataset seen by the tools: variables, units and selections, on the axes of ``data.axes``.

``as_data(obj)`` wraps a pandas DataFrame (a *table*: numeric columns are the variables, the first
datetime column or a DatetimeIndex is the time axis) or an xarray Dataset (a *grid*), and reads its
axes with ``data.axes.describe_axes`` — the same model the prompt encoders use.  Selections stay lazy:
``isel`` on index masks, and on curvilinear/unstructured/rotated grids a lat/lon box masks the 2-D or
per-cell latitude/longitude.  Time selection works on any calendar (cftime dates stay cftime), on
`year` axes (a range of years), and by calendar month or season on dates or on `month`/`season`
dims.  Latitudes may descend; a longitude box runs eastward from lon_min to lon_max in either
convention (170 -> -170 crosses the date line).  A bare year/month/day as an end bound covers that
whole period.  Every applied selection is reported (the nearest level actually used...).
Errors are ``ToolError`` texts for the model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from data import times as dtimes
from data.areas import area_weights, latlon
from data.axes import Axes, TimeAxis, describe_axes
from data.compute import load

from .schema import Context
from .validation import ToolError

WEIGHT = "_area_weight"  # the coordinate carrying area weights through selections
POS = "_step_of_"  # + a time dim: coordinate of each step's position on its (decoded) time axis
SEASONS = dtimes.SEASON_MONTHS
_PERIOD = re.compile(r"\s*(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2}):(\d{2}))?)?)?\s*")
fmt_time = dtimes.fmt


def safe_name(name: Any) -> bool:
    """A variable name short and plain enough to offer the model as an enum value."""
    return isinstance(name, str) and 0 < len(name) <= 64 and name.isprintable()


def clean_text(value: Any, limit: int = 80) -> str | None:
    """An attribute as one short line (None when absent)."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(str(value).split())
    return (text if len(text) <= limit else text[: limit - 3] + "...") or None


def num(x: Any) -> float | int | None:
    """A JSON number: ints stay ints, floats get 6 significant digits, NaN -> None."""
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, int):
        return x
    x = float(x)
    return float(f"{x:.6g}") if math.isfinite(x) else None


def coord_value(v: Any) -> Any:
    """A coordinate or cell value as JSON: ISO text for times (datetime64 or cftime), else a number."""
    if isinstance(v, np.ndarray):
        v = v[()]  # a 0-d array -> its scalar (keeps datetime64 a datetime)
    if hasattr(v, "calendar") or isinstance(v, (np.datetime64, pd.Timestamp)):
        return fmt_time(v)
    if isinstance(v, (str, np.str_, bytes)):
        return str(v)
    return num(v)


def date_parts(text: str) -> tuple[int, int | None, int | None, int, int]:
    match = _PERIOD.fullmatch(str(text))
    if not match:
        raise ToolError(f"{text!r} is not a date; use ISO format such as 2014-06-01 or 2014-06")
    y, m, d, hh, mm = match.groups()
    return int(y), int(m) if m else None, int(d) if d else None, int(hh or 0), int(mm or 0)


def parse_time(text: str, end: bool = False, calendar: str | None = None) -> tuple[Any, bool]:
    """(bound, inclusive) as a pandas Timestamp, or a cftime date on ``calendar``.  A bare 'YYYY',
    'YYYY-MM' or 'YYYY-MM-DD' end bound covers that whole period (exclusive start of the next one)."""
    try:
        y, m, d, hh, mm = date_parts(text)
        if calendar is None:
            start = pd.Timestamp(year=y, month=m or 1, day=d or 1, hour=hh, minute=mm)
        else:
            start = dtimes.make_date(y, m or 1, d or 1, calendar, hh + mm / 60)
    except (ValueError, TypeError, OverflowError):
        raise ToolError(f"{text!r} is not a date on this calendar; use ISO format such as 2014-06-01 or 2014-06") \
            from None
    if not end or (d and (hh or mm)):
        return start, True
    if d:
        return start + (pd.Timedelta(days=1) if calendar is None else timedelta(days=1)), False
    y2, m2 = (y + 1, 1) if not m else (y + (m == 12), m % 12 + 1)
    if calendar is None:
        return pd.Timestamp(year=y2, month=m2, day=1), False
    return dtimes.make_date(y2, m2, 1, calendar), False


def _align_tz(bound: pd.Timestamp, tz: Any) -> pd.Timestamp:
    if tz is not None and bound.tzinfo is None:
        return bound.tz_localize(tz)
    if tz is None and bound.tzinfo is not None:
        return bound.tz_convert("UTC").tz_localize(None)
    return bound


def time_mask(axis: TimeAxis | pd.DatetimeIndex, start: str | None, end: str | None) -> np.ndarray:
    """Boolean mask of the axis' steps inside [start, end] (dates on any calendar, years, or numbers)."""
    values = axis.values if isinstance(axis, TimeAxis) else axis
    kind = axis.kind if isinstance(axis, TimeAxis) else "datetime"
    name = axis.name if isinstance(axis, TimeAxis) else "time"
    if kind in ("month", "season"):
        raise ToolError(f"{name} holds {kind}s, not dates: select one with {kind}= instead of time_start/time_end")
    mask = np.ones(len(values), dtype=bool)
    for text, is_end in ((start, False), (end, True)):
        if not text:
            continue
        if kind == "datetime":
            cal = None if isinstance(values, pd.DatetimeIndex) else values.calendar
            bound, inclusive = parse_time(text, end=is_end, calendar=cal)
            if cal is None:
                bound = _align_tz(bound, values.tz)
            arr = values if cal is None else np.asarray(values)
            hit = (arr >= bound) if not is_end else (arr <= bound) if inclusive else (arr < bound)
        else:
            try:
                bound = float(date_parts(text)[0]) if kind == "year" else float(text)
            except (ValueError, ToolError):
                raise ToolError(f"{name} holds {kind}s: give time_start/time_end as plain numbers") from None
            hit = (np.asarray(values) >= bound) if not is_end else (np.asarray(values) <= bound)
        mask &= np.asarray(hit, dtype=bool)
    return mask


def season_mask(axis: TimeAxis, season: str) -> np.ndarray:
    if axis.kind == "season":
        return np.asarray(axis.values) == season
    months = axis.months()
    if months is None:
        raise ToolError(f"{axis.name} has no months or seasons to select")
    return np.isin(months, SEASONS[season])


def month_mask(axis: TimeAxis, month: int) -> np.ndarray:
    months = axis.months()
    if months is None:
        raise ToolError(f"{axis.name} holds {axis.kind}s, not months; its values: "
                        f"{', '.join(map(str, list(axis.values)[:12]))}")
    return months == month


_DAY = re.compile(r"^-?\d{4}-\d{2}-\d{2}")


def _days_of_one_month(time_start: str | None, time_end: str | None) -> bool:
    """Both dates are days ("YYYY-MM-DD...") of the same month (a missing end is the start)."""
    start, end = str(time_start or ""), str(time_end or time_start or "")
    return len(start) >= 10 and len(end) >= 10 and start[:7] == end[:7] and bool(_DAY.match(start))


def _monthly_or_coarser(axis: TimeAxis) -> bool:
    """A datetime axis whose typical step is at least 28 days: each time stamp stands for a month or more."""
    if axis.kind != "datetime" or len(axis.values) < 2:
        return False
    values = sorted(axis.values)  # pandas Timestamps or cftime dates (360-day, noleap): both subtract
    steps = [(b - a).total_seconds() for a, b in zip(values, values[1:], strict=False)]
    return bool(np.median(steps) >= 28 * 86400)


def span_text(axis: TimeAxis) -> str:
    v = axis.values
    if not len(v):
        return "no steps"
    first, last = (fmt_time(v.min()), fmt_time(v.max())) if axis.kind == "datetime" else (v[0], v[-1])
    return f"{first} to {last}"


class Data:
    """A table or a grid, with what the tools need to find and select variables."""

    def __init__(self, obj: Any):
        if isinstance(obj, pd.Series):
            obj = obj.to_frame()
        if not isinstance(obj, pd.DataFrame) and not hasattr(obj, "data_vars"):
            if hasattr(obj, "to_dataset"):
                obj = obj.to_dataset(name=obj.name if obj.name is not None else "value")
            else:
                raise TypeError(f"expected a pandas DataFrame or an xarray Dataset, got {type(obj).__name__}")
        self.obj = obj
        self.is_table = isinstance(obj, pd.DataFrame)
        self.axes: Axes = describe_axes(obj)
        self.variables = [v for v in self.axes.variables if safe_name(v)]
        self.dims = [] if self.is_table else list(dict.fromkeys(
            str(d) for n in self.variables for d in obj.variables[n].dims if safe_name(d)))
        self.time_name = self.axes.time.name if self.axes.time else None
        self._latlon: tuple | None = None

    # -- descriptions ---------------------------------------------------------------------------
    def context(self) -> Context:
        a, h = self.axes, self.axes.horizontal
        kinds = {t.kind for t in a.times}
        features = {"dataset", "table" if self.is_table else "grid"}
        if kinds & {"datetime", "year", "number"}:
            features.add("time")
        if kinds & {"datetime", "month"}:
            features.add("month")
        if kinds & {"datetime", "season"}:
            features.add("season")
        if "datetime" in kinds:
            features.add("dates")
        if not self.is_table and h.kind != "none":
            features.add("area")
        if not self.is_table and h.has_latlon:
            features.update(("latlon", "lat"))
        if not self.is_table and h.kind == "regular" and h.lat:
            features.add("lat")  # a zonal-mean file: a latitude band, no longitudes
        if a.vertical is not None and len(a.vertical.values) > 1:
            features.add("level")
        if len(self.variables) >= 2:
            features.add("two_variables")
        from .units import offered_for

        units = offered_for([self.units(v) for v in self.variables])
        if units:
            features.add("units")
        return Context(features=features, enums={"variables": list(self.variables), "dims": list(self.dims),
                                                 "units": units})

    def check_variable(self, name: str) -> str:
        if name not in self.variables:
            raise ToolError(f"unknown variable {name!r}; choose one of: {', '.join(self.variables)}")
        return name

    def units(self, name: str) -> str | None:
        return clean_text(self.axes.units.get(name), 40)

    def latlon(self) -> tuple[Any, Any]:
        """(latitude, longitude) in degrees on the grid's own dims (computed once)."""
        if self._latlon is None:
            self._latlon = latlon(self.obj, self.axes)
        return self._latlon

    # -- tables ---------------------------------------------------------------------------------
    def table(self, columns: list[str], time_start: str | None = None, time_end: str | None = None,
              month: int | None = None, season: str | None = None) -> tuple[pd.DataFrame, Any, dict]:
        """The rows in the selection: (frame of ``columns``, their times or None, selection info)."""
        frame = self.obj[columns].set_axis(pd.RangeIndex(len(self.obj)))  # labels = row positions
        t = self.axes.time
        times = t.values if t is not None else None
        info: dict[str, Any] = {}
        if time_start or time_end or month or season:
            if t is None:
                raise ToolError("this table has no date/time column, so it cannot be selected by time")
            mask = self._time_masks(t, time_start, time_end, month, season, info)
            if not mask.any():
                raise ToolError(f"no rows in the selection; the data cover {span_text(t)}")
            frame, times = frame[mask], times[mask]
            info["time"] = [fmt_time(times.min()), fmt_time(times.max())]
        info["rows"] = len(frame)
        return frame, times, info

    # -- grids ----------------------------------------------------------------------------------
    def _time_masks(self, t: TimeAxis, start: str | None, end: str | None, month: int | None,
                    season: str | None, info: dict) -> np.ndarray:
        mask = time_mask(t, start, end) if (start or end) else np.ones(len(t.values), dtype=bool)
        if start and end and not mask.any() and t.kind == "datetime":
            cal = None if isinstance(t.values, pd.DatetimeIndex) else t.values.calendar
            if parse_time(start, calendar=cal)[0] > parse_time(end, end=True, calendar=cal)[0]:
                raise ToolError(f"time_start {start!r} is after time_end {end!r}")
        if month is not None:
            mask &= month_mask(t, month)
            info["month"] = month
        if season is not None:
            mask &= season_mask(t, season)
            info["season"] = season
        return mask

    def _others_with(self, what: str, has: Callable[[tuple], bool], shown: int = 8) -> str:
        """"; these vary with time: a, b, ..." for a refused selection (the 1.5B asked SON of pr_mme's
        anvar2060, a lat-lon field, for "SON precipitation in 1980": seas1980 has the seasons); "" for none."""
        names = [v for v in self.variables if has(tuple(self.obj[v].dims))]
        if not names:
            return ""
        more = f", … ({len(names)} in all)" if len(names) > shown else ""
        return f"; these {what}: {', '.join(names[:shown])}{more}"

    def grid(self, name: str, time_start: str | None = None, time_end: str | None = None,
             lat_min: float | None = None, lat_max: float | None = None, lon_min: float | None = None,
             lon_max: float | None = None, level: float | None = None, month: int | None = None,
             season: str | None = None) -> tuple[Any, dict]:
        """The variable cut to the selection (lazy, area weights attached): (DataArray, selection info)."""
        da = self._attach(self.obj[self.check_variable(name)])
        info: dict[str, Any] = {}
        if level is not None:
            v = self.axes.vertical
            if v is None or v.dim not in da.dims:
                raise ToolError(f"{name} has no vertical levels (its dimensions: {', '.join(map(str, da.dims))})"
                                + self._others_with("have levels", lambda dims: v is not None and v.dim in dims))
            i = int(np.argmin(np.abs(v.values - level)))
            da = da.isel({v.dim: i})
            info["level"] = num(v.values[i])
            if v.units:
                info["level_units"] = clean_text(v.units, 20)
            if not np.isclose(v.values[i], level):
                info["level_requested"] = level
        if time_start or time_end or month is not None or season is not None:
            t = self.axes.time_of(da.dims)
            if t is None:
                raise ToolError(f"{name} does not vary with time (its dimensions: {', '.join(map(str, da.dims))})"
                                + self._others_with("vary with time", lambda dims: self.axes.time_of(dims) is not None))
            idx = np.flatnonzero(self._time_masks(t, time_start, time_end, month, season, info))
            if idx.size == 0 and _days_of_one_month(time_start, time_end) and _monthly_or_coarser(t):
                # "2005-01-01" to "2005-01-01" on monthly means stamped 2005-01-16: the day stands for its month
                time_start, time_end = str(time_start)[:7], str(time_end or time_start)[:7]
                idx = np.flatnonzero(self._time_masks(t, time_start, time_end, month, season, info))
                info["dates_read_as_month"] = time_start
            if idx.size == 0:
                asked = ", ".join(f"{k}={v}" for k, v in (("time_start", time_start), ("time_end", time_end),
                                                          ("month", month), ("season", season)) if v is not None)
                raise ToolError(f"no time steps with {asked}; {t.name} covers {span_text(t)}")
            da = da.isel({t.dim: idx})
            picked = t.values[da[POS + t.dim].values]
            if t.kind == "datetime":
                info["time"] = [fmt_time(picked.min()), fmt_time(picked.max())]
            elif t.kind in ("year", "number"):
                info["time"] = [num(picked[0]), num(picked[-1])]
            info["time_steps"] = int(idx.size)
        if any(v is not None for v in (lat_min, lat_max, lon_min, lon_max)):
            da = self._box(da, info, lat_min, lat_max, lon_min, lon_max)
        return da, info

    def _attach(self, da: Any) -> Any:
        """``da`` with area weights and (non-regular grids) latitude/longitude as coordinates, so that
        selections carry them along and an extreme's location names its lat/lon."""
        for t in self.axes.times:
            if t.dim in da.dims and POS + t.dim not in da.coords:
                da = da.assign_coords({POS + t.dim: (t.dim, np.arange(da.sizes[t.dim]))})
        if self.is_table or self.axes.horizontal.kind == "none":
            return da
        w = area_weights(self.obj, self.axes, dims=da.dims)
        if w is not None and set(w.dims) <= set(da.dims):
            da = da.assign_coords({WEIGHT: w})
        h = self.axes.horizontal
        if h.kind != "regular":
            lat, lon = self.latlon()
            for key, arr in (("lat", lat), ("lon", lon)):
                if arr is not None and set(arr.dims) <= set(da.dims) and key not in da.coords:
                    da = da.assign_coords({key if key not in da.dims else f"{key}_deg": arr})
        return da

    def _box(self, da: Any, info: dict, lat_min: Any, lat_max: Any, lon_min: Any, lon_max: Any) -> Any:
        h = self.axes.horizontal
        if not h.has_latlon and not (h.kind == "regular" and h.lat):
            raise ToolError("this dataset has no latitude/longitude to select a region by")
        lat, lon = self.latlon()
        keep = np.ones(lat.shape if lat is not None else lon.shape, dtype=bool) if h.kind != "regular" else None
        if lat_min is not None or lat_max is not None:
            lo, hi = sorted((-90.0 if lat_min is None else lat_min, 90.0 if lat_max is None else lat_max))
            test = lambda v: (v >= lo - 1e-9) & (v <= hi + 1e-9)  # noqa: E731
            try:
                da, keep = self._cut(da, lat, "latitude", test, f"{lo}..{hi}", keep)
            except ToolError as exc:
                if lo == hi != 0:  # "5°S to 5°N" written as -5..-5: say how a band is written
                    raise ToolError(f"{exc}. Southern latitudes are negative: {num(abs(lo))}°S to {num(abs(lo))}°N "
                                    f"is lat_min={num(-abs(lo))}, lat_max={num(abs(lo))}") from None
                raise
            info["lat"] = [lo, hi]
        if lon_min is not None or lon_max is not None:
            if lon_min is None or lon_max is None:
                raise ToolError("give both lon_min and lon_max (the box runs eastward from lon_min to lon_max)")
            width = lon_max - lon_min
            if not (width >= 360 or width <= -360):
                span = width % 360
                da, keep = self._cut(da, lon, "longitude", lambda v: ((v - lon_min) % 360) <= span + 1e-9,
                                     f"{lon_min}..{lon_max} (eastward)", keep)
            info["lon"] = [lon_min, lon_max]
        if keep is not None:
            da = self._mask(da, lat if lat is not None else lon, keep, info)
        return da

    def _cut(self, da: Any, coord: Any, what: str, test: Any, wanted: str, keep: Any) -> tuple[Any, Any]:
        if coord is None:
            raise ToolError(f"this dataset has no {what}")
        values = np.asarray(coord.values, dtype=float)
        hit = test(values)
        if not hit.any():
            step = float(np.median(np.abs(np.diff(np.ravel(values))))) if values.size > 1 else float("nan")
            raise ToolError(f"no grid points with {what} {wanted}: the grid has {what}s from "
                            f"{num(np.nanmin(values))} to {num(np.nanmax(values))} every ~{num(step)} degrees; "
                            "widen the box")
        if keep is not None:  # 2-D or per-cell coordinates: combined into one mask
            return da, keep & hit
        dim = coord.dims[0]
        if dim not in da.dims:
            raise ToolError(f"{da.name} does not vary with {what} (its dimensions: {', '.join(map(str, da.dims))})")
        return da.isel({dim: np.flatnonzero(hit)}), keep

    def _mask(self, da: Any, coord: Any, keep: np.ndarray, info: dict) -> Any:
        """Cells outside the box: dropped on unstructured grids, masked (NaN) on 2-D grids after
        cutting to the box's bounding rows and columns."""
        if not keep.any():
            raise ToolError("no grid points in that lat/lon box; widen the box")
        dims = coord.dims
        if any(d not in da.dims for d in dims):
            raise ToolError(f"{da.name} does not vary with latitude/longitude")
        cut = {d: np.flatnonzero(keep.any(axis=tuple(j for j in range(keep.ndim) if j != i)))
               for i, d in enumerate(dims)}
        sub = keep[np.ix_(*cut.values())]
        da = da.isel(cut)
        info["grid_points_in_box"] = int(sub.sum())
        if sub.all():
            return da
        import xarray as xr

        mask = xr.DataArray(sub, dims=dims)
        out = da.where(mask)
        if WEIGHT in da.coords:
            out = out.assign_coords({WEIGHT: da[WEIGHT].where(mask, 0.0)})
        return out

    def horizontal_dims(self, da: Any) -> list[str]:
        return [d for d in self.axes.horizontal.dims if d in da.dims]

    def weights_text(self, da: Any) -> str:
        return self.axes.weights_text() if WEIGHT in da.coords else (
            "equal" if self.axes.horizontal.kind != "none" else "none")

    def series(self, name: str, time_start: str | None = None, time_end: str | None = None,
               **sel: Any) -> tuple[pd.Series, dict, TimeAxis]:
        """One number per time step: the column, or the grid's area-weighted mean over its horizontal
        dims (any other dim left is an error naming it)."""
        if self.is_table:
            if any(sel.get(k) is not None for k in ("lat_min", "lat_max", "lon_min", "lon_max", "level")):
                raise ToolError("a table has no latitude/longitude box or level")
            frame, times, info = self.table([self.check_variable(name)], time_start, time_end,
                                            sel.get("month"), sel.get("season"))
            if times is None:
                raise ToolError("this table has no date/time column")
            s = pd.Series(frame[name].to_numpy(dtype=float), index=pd.DatetimeIndex(times))
            return s.dropna().sort_index(), info, self.axes.time
        da, info = self.grid(name, time_start, time_end, **sel)
        t = self.axes.time_of(da.dims)
        if t is None:
            raise ToolError(f"{name} does not vary with time (its dimensions: {', '.join(map(str, da.dims))})")
        space = self.horizontal_dims(da)
        da = da.isel({d: 0 for d in da.dims if da.sizes[d] == 1 and d != t.dim and d not in space})
        extra = [str(d) for d in da.dims if d != t.dim and d not in space]
        if extra:
            hint = " pass level to pick one" if self.axes.vertical and self.axes.vertical.dim in extra else ""
            raise ToolError(f"{name} also varies along {', '.join(extra)};{hint or ' select one value of it'}")
        mean = da.weighted(da[WEIGHT]).mean(space) if WEIGHT in da.coords else da.mean(space) if space else da
        if space:
            info["spatial_mean"] = f"area-weighted ({self.weights_text(da)})" if WEIGHT in da.coords else "unweighted"
        values = np.asarray(load(mean).values, dtype=float)
        index = t.values[mean[POS + t.dim].values]
        return pd.Series(values, index=index).dropna().sort_index(), info, t

    def label(self, dim: Any, coords: dict) -> tuple[str, Any]:
        """(name, JSON value) of one step along ``dim`` of a result, from its coordinates: a time dim
        gives its (decoded) date, month or season; other dims their coordinate value or position."""
        t = next((t for t in self.axes.times if t.dim == dim), None)
        if t is not None and POS + str(dim) in coords:
            v = t.values[int(coords[POS + str(dim)])]
            return t.name, coord_value(v) if t.kind != "season" else str(v)
        if dim in coords:
            return str(dim), coord_value(coords[dim])
        return str(dim), None


def as_data(obj: Any) -> Data:
    return obj if isinstance(obj, Data) else Data(obj)
