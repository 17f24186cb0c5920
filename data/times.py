"""Time axes of the dataset model (``data.axes``): which coordinates are time, decoding time units xarray
leaves as numbers, and calendar sums.

``TimeAxis`` is one time-like axis: dates on any calendar, or `year`/`month`/`season`/unit-less steps.

``decode(values, attrs)`` turns a numeric time coordinate into dates when its units (or, failing
that, its long_name) say how: "months since jan 1899" and "years since ..." (whole calendar months
or years are added to the reference date), "days since <a date xarray could not parse>", and dates
written as numbers ("YYYYMM", "YYYYMMDD", "day as %Y%m%d.%f").  Dates stay on their calendar:
``cftime`` objects for 360_day/noleap/..., a pandas DatetimeIndex only for the standard calendar
inside pandas' range.  Every fallback returns a sentence saying what was done.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

_SINCE = re.compile(r"(years?|months?|days?|hours?|minutes?|seconds?)\s+(?:since|starting|from|after)\s+(.+)", re.I)
_BARE_UNIT = re.compile(r"\s*(years?|months?|mons?|days?|hours?)\s*", re.I)
_NUMBER_DATES = {"yyyymm": "%Y%m", "yyyymo": "%Y%m", "yyyymmdd": "%Y%m%d", "day as %y%m%d.%f": "%Y%m%d.%f"}
STANDARD = ("standard", "gregorian", "proleptic_gregorian")
SEASONS = ("DJF", "MAM", "JJA", "SON")
SEASON_MONTHS = {"DJF": (12, 1, 2), "MAM": (3, 4, 5), "JJA": (6, 7, 8), "SON": (9, 10, 11)}


def number_date_format(attrs: dict) -> str | None:
    """The strftime-like layout of dates written as numbers ("YYYYMM" ...), from units or long_name."""
    units = str(attrs.get("units", "")).strip().lower()
    if units in _NUMBER_DATES:
        return _NUMBER_DATES[units]
    match = re.search(r"\((yyyymm(?:dd)?)\)", str(attrs.get("long_name", "")).lower())
    return _NUMBER_DATES[match.group(1)] if match else None


def as_index(dates: list[Any], calendar: str) -> Any:
    """A DatetimeIndex for standard-calendar dates pandas can hold, else an xarray CFTimeIndex."""
    import xarray as xr

    if calendar in STANDARD and all(1678 < d.year < 2262 for d in dates):
        return pd.DatetimeIndex([pd.Timestamp(d.year, d.month, d.day, d.hour, d.minute, d.second) for d in dates])
    return xr.CFTimeIndex(dates)


def make_date(year: int, month: int, day: int, calendar: str, hour: float = 0.0) -> Any:
    """One date on ``calendar`` (cftime), ValueError when the day does not exist there."""
    import cftime

    whole = int(hour)
    minutes = int(round((hour - whole) * 60))
    return cftime.datetime(year, month, day, whole, minutes, calendar=calendar)


def _reference(text: str) -> tuple[int, int, int, float]:
    from dateutil import parser

    text = re.sub(r"\s+(utc|gmt|z)$", "", text.strip(), flags=re.I)
    when = parser.parse(text, default=pd.Timestamp(2000, 1, 1).to_pydatetime())
    return when.year, when.month, when.day, when.hour + when.minute / 60


def decode(values: np.ndarray, attrs: dict) -> tuple[Any, str] | None:
    """(dates, what was done) for a numeric time coordinate xarray left undecoded, or None."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or not values.size or not np.isfinite(values).all():
        return None
    if values.size > 1 and np.ptp(values) == 0:  # every step the same: not a time axis to decode
        return None
    calendar = str(attrs.get("calendar", "standard")).lower()
    calendar = "standard" if calendar == "gregorian" else calendar
    units, long_name = str(attrs.get("units", "")).strip(), str(attrs.get("long_name", "")).strip()
    layout = number_date_format(attrs)
    try:
        if layout:
            return as_index([_from_number(v, layout, calendar) for v in values], calendar), (
                f"dates written as numbers ({units or 'YYYYMM'}) were read as dates")
        match = _SINCE.fullmatch(units) or (_BARE_UNIT.fullmatch(units) and _SINCE.search(long_name))
        if not match:
            return None
        unit, ref = match.group(1).lower(), match.group(2)
        year, month, day, hour = _reference(ref)
        dates = [_add(year, month, day, hour, unit, v, calendar) for v in values]
    except (ValueError, OverflowError, TypeError):
        return None
    where = "units" if _SINCE.fullmatch(units) else "long_name"
    how = ("whole calendar months were added to" if unit.startswith("mon")
           else "whole years were added to" if unit.startswith("year") else f"{unit} were counted from")
    return as_index(dates, calendar), f"time {where} {units if where == 'units' else long_name!r} " \
                                      f"decoded by hand: {how} {year:04d}-{month:02d}-{day:02d}"


def _from_number(v: float, layout: str, calendar: str) -> Any:
    whole = int(v)
    if layout == "%Y%m":
        return make_date(whole // 100, whole % 100, 1, calendar)
    day = whole % 100
    return make_date(whole // 10000, whole // 100 % 100, day, calendar, hour=(v - whole) * 24)


def _add(year: int, month: int, day: int, hour: float, unit: str, v: float, calendar: str) -> Any:
    if unit.startswith(("mon", "year")):
        if v != int(v):
            raise ValueError("fractional months or years are not a date")
        months = int(v) * (12 if unit.startswith("year") else 1)
        y, m = divmod(month - 1 + months, 12)
        return make_date(year + y, m + 1, day, calendar, hour)
    import cftime

    scale = {"day": 1.0, "hou": 1 / 24, "min": 1 / 1440, "sec": 1 / 86400}[unit[:3]]
    ref = f"days since {year:04d}-{month:02d}-{day:02d} {int(hour):02d}:00:00"
    return cftime.num2date(v * scale, ref, calendar=calendar)


def decimal_years(index: Any) -> np.ndarray:
    """Years as decimals (2000.5 is mid-2000) on the axis' own calendar (a 360_day year has 360 days)."""
    if isinstance(index, pd.DatetimeIndex):
        if index.tz is not None:
            index = index.tz_convert("UTC").tz_localize(None)
        length = np.where(index.is_leap_year, 366.0, 365.0)
        frac = (index.dayofyear - 1 + (index.hour + index.minute / 60) / 24) / length
        return np.asarray(index.year + frac, dtype=float)
    out = []
    for d in index:
        start = make_date(d.year, 1, 1, d.calendar)
        end = make_date(d.year + 1, 1, 1, d.calendar)
        out.append(d.year + (d - start).total_seconds() / (end - start).total_seconds())
    return np.asarray(out, dtype=float)


def fmt(t: Any) -> str:
    """ISO text of a datetime64, Timestamp or cftime date: the day, or the minute when not midnight."""
    if hasattr(t, "calendar"):
        return t.strftime("%Y-%m-%d") if (t.hour, t.minute, t.second) == (0, 0, 0) else t.isoformat()[:16]
    ts = pd.Timestamp(t)
    if ts.tzinfo is None and ts == ts.normalize():
        return ts.strftime("%Y-%m-%d")
    return ts.isoformat(timespec="seconds" if ts.second else "minutes")


def frequency(index: Any) -> str | None:
    """"hourly", "daily", "monthly", "annual" ... from the median step (None for one step)."""
    if len(index) < 2:
        return None
    years = decimal_years(index)
    step_days = float(np.median(np.diff(np.sort(years)))) * 365.25
    for name, days, tol in (("hourly", 1 / 24, 0.2), ("daily", 1, 0.2), ("weekly", 7, 0.2), ("monthly", 30.4, 0.1),
                            ("seasonal", 91.3, 0.1), ("annual", 365.25, 0.02), ("decadal", 3652.5, 0.02)):
        if abs(step_days - days) <= tol * days:
            return name
    return f"every ~{step_days:.3g} days"


TIME_NAMES = {"time", "t", "date", "datetime", "valid_time", "time_counter", "mt", "times"}
CATEGORY_NAMES = {"month": "month", "months": "month", "season": "season", "seasons": "season",
                  "year": "year", "years": "year"}


def attr_text(attrs: dict, key: str) -> str:
    return str(attrs.get(key, "")).strip().lower()


def short_num(v: Any) -> str:
    return f"{float(v):.6g}"


@dataclass(frozen=True)
class TimeAxis:
    """A time-like axis. kind: "datetime" (``values`` a DatetimeIndex or CFTimeIndex), "year", "month"
    (month numbers 1..12), "season" (labels such as "DJF") or "number" (values without a date unit)."""

    name: str
    dim: str
    kind: str
    values: Any
    calendar: str | None = None

    def months(self) -> np.ndarray | None:
        """The calendar month (1..12) of each step, when the axis has months."""
        if self.kind == "datetime":
            return np.asarray(self.values.month)
        return np.asarray(self.values, dtype=int) if self.kind == "month" else None

    def describe(self) -> str:
        n = len(self.values)
        if self.kind == "datetime":
            cal = f", {self.calendar} calendar" if self.calendar else ""
            freq = frequency(self.values)
            span = f"{fmt(self.values.min())} .. {fmt(self.values.max())}" if n else "empty"
            return f"time: {self.name}{cal}, {span}, {n} steps{', ' + freq if freq else ''}"
        shown = ", ".join(str(v) for v in list(self.values)[:12]) + (", ..." if n > 12 else "")
        if self.kind == "number":
            return f"time: {self.name}, {n} numeric steps without a date unit ({shown})"
        return f"time: {self.name}, {n} {self.kind} values ({shown}), not dates"


# -- time axes of a Dataset ----------------------------------------------------------------------------------
def time_axes(ds: Any, notes: list[str]) -> list[TimeAxis]:
    found = []
    for name, c in sorted(ds.coords.items(), key=lambda kv: kv[0] not in ds.dims):
        if c.ndim == 0 and c.dtype.kind == "M" or (c.ndim == 0 and hasattr(c.values[()], "calendar")):
            notes.append(f"{name}: a single time, {fmt(c.values[()])}")
        if c.ndim != 1 or not c.size:
            continue
        axis = _time_axis(str(name), c, notes)
        if axis is not None and all(t.dim != axis.dim for t in found):
            found.append(axis)
    return sorted(found, key=lambda t: t.kind != "datetime")


def _time_axis(name: str, c: Any, notes: list[str]) -> TimeAxis | None:
    low, attrs, dim = name.lower(), c.attrs, str(c.dims[0])
    values = c.to_index() if name in c.dims else pd.Index(c.values)
    calendar = c.encoding.get("calendar") or attrs.get("calendar")
    if isinstance(values, pd.DatetimeIndex):
        return TimeAxis(name, dim, "datetime", values, str(calendar) if calendar else "standard")
    if values.dtype == object and len(values) and hasattr(values[0], "calendar"):
        import xarray as xr

        index = xr.CFTimeIndex(values)
        return TimeAxis(name, dim, "datetime", index, index.calendar)
    timeish = (low in TIME_NAMES or low in CATEGORY_NAMES or attr_text(attrs, "axis") == "t"
               or attr_text(attrs, "standard_name") == "time" or " since " in attr_text(attrs, "units"))
    if not timeish:
        return None
    if c.dtype.kind in "iuf":
        decoded = decode(c.values, attrs)
        if decoded is not None:
            index, how = decoded
            notes.append(f"{name}: {how}")
            return TimeAxis(name, dim, "datetime", index, getattr(index, "calendar", None) or "standard")
    return _category_axis(name, dim, c, notes)


def _category_axis(name: str, dim: str, c: Any, notes: list[str]) -> TimeAxis | None:
    low, units = name.lower(), attr_text(c.attrs, "units")
    values = np.asarray(c.values)
    kind = CATEGORY_NAMES.get(low) or ("year" if units in ("yyyy", "year", "years") else
                                       "month" if units in ("month", "months", "mon") and c.dtype.kind in "iu"
                                       else None)
    if kind == "season":
        labels = [s.strip().upper() for s in str(c.attrs.get("description", "")).split(",") if s.strip()]
        if values.dtype.kind in "US":
            return TimeAxis(name, dim, "season", np.char.upper(values.astype(str)))
        if len(labels) != len(values):
            labels = [SEASONS[(int(v) - int(values.min())) % 4] for v in values]
            notes.append(f"{name}: values {', '.join(map(str, values))} read as {', '.join(labels)} (order assumed)")
        return TimeAxis(name, dim, "season", np.asarray(labels))
    if values.dtype.kind not in "iuf":
        return None
    if kind == "month" and values.min() >= 0 and values.max() <= 12:
        if values.min() == 0:
            notes.append(f"{name}: values 0..{int(values.max())} read as months {1}..{int(values.max()) + 1}")
            values = values + 1
        return TimeAxis(name, dim, "month", values.astype(int))
    if kind == "year":
        return TimeAxis(name, dim, "year", values.astype(int))
    if len(values) > 1 and np.ptp(values) == 0:
        notes.append(f"{name}: every step has the same value ({short_num(values[0])}), so its dates cannot be read")
    elif c.attrs.get("units"):
        notes.append(f"{name}: units {c.attrs['units']!r} could not be read as dates; values used as they are")
    else:
        span = f"{short_num(values[0])} .. {short_num(values[-1])}"
        notes.append(f"{name}: no units, so its values ({span}) are used as they are")
    return TimeAxis(name, dim, "number", values)


UNDECODED_NOTE = "times could not be decoded and are left as numbers"


def decode_times(ds: Any) -> Any:
    """``ds`` with the time coordinates ``describe_axes`` decoded by hand assigned as dates (a load note
    says how); every other variable untouched and lazy."""
    notes: list[str] = []
    decoded = {t.name: t for t in time_axes(ds, notes)
               if t.kind == "datetime" and ds[t.name].dtype.kind in "iuf"}
    if not decoded:
        return ds
    out = ds.assign_coords({n: (ds[n].dims, np.asarray(t.values), {k: v for k, v in ds[n].attrs.items()
                                                                   if k not in ("units", "calendar")})
                            for n, t in decoded.items()})
    old = [n for n in ds.attrs.get("load_notes", []) if n != UNDECODED_NOTE]
    out.attrs["load_notes"] = old + [n for n in notes if n.split(":")[0] in decoded]
    return out
