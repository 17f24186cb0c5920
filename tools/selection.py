"""The session's dataset seen by the tools: variables, coordinates, units and selections.

``as_data(obj)`` wraps a pandas DataFrame (a *table*: numeric columns are the variables, the first
datetime column, or a DatetimeIndex, is the time axis) or an xarray Dataset (a *grid*: numeric data
variables; latitude/longitude/time/level found by CF names, ``standard_name``, ``units`` or
``axis``).  Selections use boolean masks on coordinate values and ``isel``, so they stay lazy on
dask, work for descending latitudes (HadISST: 89.5 -> -89.5) and for both longitude conventions
(-180..180 or 0..360; a box runs eastward from lon_min to lon_max, so 170 -> -170 crosses the date
line).  Time bounds accept ISO text; a bare year/month/day as the end bound is inclusive of the
whole period ("2014" ends on 2014-12-31 23:59...).  Errors are ``ToolError`` texts for the model.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from .schema import Context
from .validation import ToolError

_LAT = {"lat", "latitude", "nav_lat", "lats"}
_LON = {"lon", "longitude", "nav_lon", "lons", "long"}
_TIME = {"time", "t", "date", "datetime", "valid_time"}
_LEVEL = {"level", "lev", "plev", "pressure", "depth", "height", "z", "isobaric", "pressure_level"}
_PERIOD = re.compile(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*")


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


def fmt_time(t: Any) -> str:
    """ISO text: '2014-03-01' at midnight, else '2014-03-01T12:30' (with the offset when aware)."""
    ts = pd.Timestamp(t)
    if ts.tzinfo is None and ts == ts.normalize():
        return ts.strftime("%Y-%m-%d")
    return ts.isoformat(timespec="seconds" if ts.second else "minutes")


def coord_value(v: Any) -> Any:
    """A coordinate or cell value as JSON: ISO text for times (datetime64 or cftime), else a number."""
    if isinstance(v, np.ndarray):
        v = v[()]  # a 0-d array -> its scalar (keeps datetime64 a datetime)
    if hasattr(v, "calendar"):  # cftime
        return v.strftime("%Y-%m-%d") if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat()[:16]
    if isinstance(v, (np.datetime64, pd.Timestamp)):
        return fmt_time(v)
    if isinstance(v, (str, np.str_)):
        return str(v)
    return num(v)


def parse_time(text: str, end: bool = False) -> tuple[pd.Timestamp, bool]:
    """(bound, inclusive).  A bare 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' end bound covers that whole period."""
    match = _PERIOD.fullmatch(text)
    try:
        if match:
            year, month, day = (int(g) if g else None for g in match.groups())
            start = pd.Timestamp(year=year, month=month or 1, day=day or 1)
            if not end:
                return start, True
            step = pd.DateOffset(days=1) if day else pd.DateOffset(months=1) if month else pd.DateOffset(years=1)
            return start + step, False
        return pd.Timestamp(text.strip()), True
    except (ValueError, TypeError, OverflowError):
        raise ToolError(f"{text!r} is not a date; use ISO format such as 2014-06-01 or 2014-06") from None


def _align_tz(bound: pd.Timestamp, tz: Any) -> pd.Timestamp:
    if tz is not None and bound.tzinfo is None:
        return bound.tz_localize(tz)
    if tz is None and bound.tzinfo is not None:
        return bound.tz_convert("UTC").tz_localize(None)
    return bound


def time_mask(times: pd.DatetimeIndex, start: str | None, end: str | None) -> np.ndarray:
    """Boolean mask of ``times`` inside [start, end] (see ``parse_time`` for the end bound)."""
    mask = np.ones(len(times), dtype=bool)
    if start:
        bound, _ = parse_time(start)
        mask &= np.asarray(times >= _align_tz(bound, times.tz))
    if end:
        bound, inclusive = parse_time(end, end=True)
        bound = _align_tz(bound, times.tz)
        mask &= np.asarray(times <= bound if inclusive else times < bound)
    if start and end and not mask.any() and parse_time(start)[0] > parse_time(end, end=True)[0]:
        raise ToolError(f"time_start {start!r} is after time_end {end!r}")
    return mask


def to_datetimes(values: Any) -> pd.DatetimeIndex:
    """Datetimes from datetime64 values or cftime objects (ToolError otherwise)."""
    try:
        return pd.DatetimeIndex(values)
    except (TypeError, ValueError):
        pass
    try:
        import xarray as xr

        return xr.CFTimeIndex(values).to_datetimeindex(unsafe=True, time_unit="us")
    except Exception:
        raise ToolError("this dataset's time axis cannot be read as dates") from None


def decimal_years(times: pd.DatetimeIndex) -> np.ndarray:
    """Years since 1970-01-01 + 1970, a year being 365.2425 days (UTC for aware times)."""
    if times.tz is not None:
        times = times.tz_convert("UTC").tz_localize(None)
    return 1970.0 + np.asarray((times - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=365.2425), dtype=float)


class Data:
    """A table or a grid, with what the tools need to find and select variables."""

    def __init__(self, obj: Any):
        self.obj = obj
        self.is_table = isinstance(obj, pd.DataFrame)
        if self.is_table:
            numeric = [c for c in obj.columns if pd.api.types.is_numeric_dtype(obj[c].dtype)
                       and not pd.api.types.is_bool_dtype(obj[c].dtype)]
            self.variables = [c for c in numeric if safe_name(c)]
            self.time_name = next((c for c in obj.columns if pd.api.types.is_datetime64_any_dtype(obj[c].dtype)),
                                  None)
            if self.time_name is None and isinstance(obj.index, pd.DatetimeIndex):
                self.time_name = obj.index.name or "index"
            self.dims: list[str] = []
            self.lat = self.lon = self.level = self.time = None
        else:
            if not hasattr(obj, "data_vars"):
                raise TypeError(f"expected a pandas DataFrame or an xarray Dataset, got {type(obj).__name__}")
            self.variables = [n for n, v in obj.data_vars.items() if safe_name(n) and v.ndim >= 1
                              and np.issubdtype(v.dtype, np.number)]
            self.dims = list(dict.fromkeys(d for n in self.variables for d in obj[n].dims if safe_name(d)))
            self.lat = self._coord(_LAT, ("latitude", "grid_latitude"), ("degrees_north", "degree_north"), "Y")
            self.lon = self._coord(_LON, ("longitude", "grid_longitude"), ("degrees_east", "degree_east"), "X")
            self.level = self._coord(_LEVEL, ("air_pressure", "depth", "height", "altitude"), (), "Z")
            self.time = self._coord(_TIME, ("time",), (), "T", datetime=True)
            self.time_name = self.time

    def _coord(self, names: set[str], standard: tuple, units: tuple, axis: str, datetime: bool = False) -> str | None:
        """The 1-D coordinate matching CF conventions (dimension coordinates first)."""
        coords = sorted(self.obj.coords.items(), key=lambda kv: kv[0] not in self.obj.dims)
        for name, c in coords:
            a = c.attrs
            hit = (str(name).lower() in names or a.get("standard_name") in standard
                   or (units and a.get("units") in units) or a.get("axis") == axis
                   or (datetime and np.issubdtype(c.dtype, np.datetime64)))
            if hit and c.ndim == 1:
                return name
        return None

    # -- descriptions ---------------------------------------------------------------------------
    def context(self) -> Context:
        features = {"dataset", "table" if self.is_table else "grid"}
        if self.time_name is not None:
            features.add("time")
        if not self.is_table and self.lat and self.lon:
            features.add("latlon")
        if not self.is_table and self.level:
            features.add("level")
        if len(self.variables) >= 2:
            features.add("two_variables")
        return Context(features=features, enums={"variables": list(self.variables), "dims": list(self.dims)})

    def check_variable(self, name: str) -> str:
        if name not in self.variables:
            raise ToolError(f"unknown variable {name!r}; choose one of: {', '.join(self.variables)}")
        return name

    def units(self, name: str) -> str | None:
        if self.is_table:
            units = self.obj.attrs.get("units")
            return clean_text(units.get(name), 40) if isinstance(units, dict) else None
        return clean_text(self.obj[name].attrs.get("units"), 40)

    def times(self) -> pd.DatetimeIndex | None:
        """The time axis as datetimes (table rows or the grid's time coordinate)."""
        if self.time_name is None:
            return None
        if self.is_table:
            values = self.obj.index if self.time_name not in self.obj.columns else self.obj[self.time_name]
            return pd.DatetimeIndex(values)
        return to_datetimes(self.obj[self.time].values)

    # -- selections -----------------------------------------------------------------------------
    def table(self, columns: list[str], time_start: str | None, time_end: str | None
              ) -> tuple[pd.DataFrame, pd.DatetimeIndex | None, dict]:
        """The rows in the time range: (frame of ``columns``, their times, selection info)."""
        frame = self.obj[columns].set_axis(pd.RangeIndex(len(self.obj)))  # labels = row positions
        times = self.times()
        info: dict[str, Any] = {}
        if time_start or time_end:
            if times is None:
                raise ToolError("this table has no date/time column, so it cannot be selected by time")
            mask = time_mask(times, time_start, time_end)
            if not mask.any():
                raise ToolError(f"no rows between {time_start or 'the start'} and {time_end or 'the end'}; "
                                f"the data cover {fmt_time(times.min())} to {fmt_time(times.max())}")
            frame, times = frame[mask], times[mask]
            info["time"] = [fmt_time(times.min()), fmt_time(times.max())]
        info["rows"] = len(frame)
        return frame, times, info

    def grid(self, name: str, time_start: str | None = None, time_end: str | None = None,
             lat_min: float | None = None, lat_max: float | None = None, lon_min: float | None = None,
             lon_max: float | None = None, level: float | None = None) -> tuple[Any, dict]:
        """The variable cut to the time range, box and level (lazy): (DataArray, selection info)."""
        da = self.obj[self.check_variable(name)]
        info: dict[str, Any] = {}
        if level is not None:
            dim = self._dim_of(self.level, da, "level")
            values = np.asarray(self.obj[self.level].values, dtype=float)
            i = int(np.argmin(np.abs(values - level)))
            da = da.isel({dim: i})
            info["level"] = num(values[i])
        if time_start or time_end:
            dim = self._dim_of(self.time, da, "time")
            times = to_datetimes(self.obj[self.time].values)
            idx = np.flatnonzero(time_mask(times, time_start, time_end))
            if idx.size == 0:
                raise ToolError(f"no time steps between {time_start or 'the start'} and {time_end or 'the end'}; "
                                f"the data cover {fmt_time(times.min())} to {fmt_time(times.max())}")
            da = da.isel({dim: idx})
            info["time"] = [fmt_time(times[idx[0]]), fmt_time(times[idx[-1]])]
            info["time_steps"] = int(idx.size)
        if lat_min is not None or lat_max is not None:
            lo, hi = sorted((-90.0 if lat_min is None else lat_min, 90.0 if lat_max is None else lat_max))
            try:
                da = self._cut(da, self.lat, "latitude", lambda v: (v >= lo - 1e-9) & (v <= hi + 1e-9), f"{lo}..{hi}")
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
                da = self._cut(da, self.lon, "longitude",
                               lambda v: ((v - lon_min) % 360) <= span + 1e-9, f"{lon_min}..{lon_max} (eastward)")
            info["lon"] = [lon_min, lon_max]
        return da, info

    def _dim_of(self, coord: str | None, da: Any, what: str) -> str:
        if coord is None:
            raise ToolError(f"this dataset has no {what} coordinate")
        dim = self.obj[coord].dims[0]
        if dim not in da.dims:
            raise ToolError(f"{da.name} does not vary with {what} (its dimensions: {', '.join(map(str, da.dims))})")
        return dim

    def _cut(self, da: Any, coord: str | None, what: str, keep: Any, wanted: str) -> Any:
        dim = self._dim_of(coord, da, what)
        values = np.asarray(self.obj[coord].values, dtype=float)
        idx = np.flatnonzero(keep(values))
        if idx.size == 0:
            step = float(np.median(np.abs(np.diff(values)))) if values.size > 1 else float("nan")
            raise ToolError(f"no grid points with {what} {wanted}: the grid has {what}s from "
                            f"{num(values.min())} to {num(values.max())} every ~{num(step)} degrees; widen the box")
        return da.isel({dim: idx})

    def lat_weights(self, da: Any) -> Any | None:
        """cos(latitude) weights on ``da``'s latitude dimension (None when it has none)."""
        if self.lat is None or self.obj[self.lat].dims[0] not in da.dims:
            return None
        lat = da[self.lat] if self.lat in da.coords else self.obj[self.lat]
        return np.cos(np.deg2rad(lat.astype(float))).clip(min=0.0)

    def series(self, name: str, time_start: str | None = None, time_end: str | None = None,
               **box: Any) -> tuple[pd.Series, dict]:
        """One number per time step: the column, or the grid's (cos-latitude weighted) spatial mean."""
        if self.is_table:
            if any(v is not None for v in box.values()):
                raise ToolError("a table has no latitude/longitude box or level")
            frame, times, info = self.table([self.check_variable(name)], time_start, time_end)
            if times is None:
                raise ToolError("this table has no date/time column")
            return pd.Series(frame[name].to_numpy(dtype=float), index=times).dropna().sort_index(), info
        da, info = self.grid(name, time_start, time_end, **box)
        tdim = self._dim_of(self.time, da, "time")
        other = [d for d in da.dims if d != tdim]
        weights = self.lat_weights(da)
        mean = da.weighted(weights).mean(other) if weights is not None else da.mean(other)
        if other:
            info["spatial_mean"] = "cos(latitude)-weighted" if weights is not None else "unweighted"
        values = np.asarray(mean.compute().values, dtype=float)
        times = to_datetimes(mean[self.time].values)
        return pd.Series(values, index=times).dropna().sort_index(), info


def as_data(obj: Any) -> Data:
    return obj if isinstance(obj, Data) else Data(obj)
