"""Time values the dataset model reads: decoding time units xarray leaves as numbers, and calendar sums.

``decode(values, attrs)`` turns a numeric time coordinate into dates when its units (or, failing
that, its long_name) say how: "months since jan 1899" and "years since ..." (whole calendar months
or years are added to the reference date), "days since <a date xarray could not parse>", and dates
written as numbers ("YYYYMM", "YYYYMMDD", "day as %Y%m%d.%f").  Dates stay on their calendar:
``cftime`` objects for 360_day/noleap/..., a pandas DatetimeIndex only for the standard calendar
inside pandas' range.  Every fallback returns a sentence saying what was done.
"""
from __future__ import annotations

import re
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
    if values.ndim != 1 or not values.size or not np.isfinite(values).all() or (values.size > 1 and np.ptp(values) == 0):
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
