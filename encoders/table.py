"""Tables (pandas DataFrames): a profile of every column, computed once, and the "stats" text.

Per column: dtype, units (df.attrs["units"] dict, else a hint in the name such as "temp_c" or
"depth (m)"), missing count; numbers: min/max/mean/std and quartiles; dates: range and inferred
frequency; text/categories/bools: distinct count and top values. Then a sample of rows that
always says "sample of n of N rows" and how the rows were chosen.

Omission order (first dropped first): sample rows -> quartiles -> top values ->
names of undetailed columns beyond 30 -> details of columns after the first (they are then listed
by name only) -> the remaining names -> details of the first column.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .budget import fit
from .rows import EVEN, ROW_COUNTS, Rows, csv_lines, frame_rows, pick, pick_within
from .text import Writer, assemble, quote

TOP_K = 5
SAMPLE_ROWS = 5
SAMPLE_COLS = 12
NAMES_KEPT = 30  # names of undetailed columns kept while details are cut

_UNITS = {
    "c": "°C", "degc": "°C", "celsius": "°C", "f": "°F", "degf": "°F", "k": "K", "kelvin": "K",
    "mm": "mm", "cm": "cm", "m": "m", "km": "km", "ft": "ft", "hpa": "hPa", "pa": "Pa", "kpa": "kPa",
    "mb": "mbar", "mbar": "mbar", "pct": "%", "percent": "%", "ms": "m/s", "mps": "m/s", "kmh": "km/h",
    "kph": "km/h", "kt": "kn", "knots": "kn", "ppm": "ppm", "ppb": "ppb", "psu": "psu", "deg": "degrees",
    "wm2": "W/m²", "kgm2": "kg/m²", "kgm3": "kg/m³", "m3s": "m³/s", "cms": "m³/s", "cfs": "ft³/s",
    "mmday": "mm/day", "mmd": "mm/day", "mmh": "mm/h", "mmhr": "mm/h", "ugm3": "µg/m³", "km2": "km²",
    "m2": "m²", "kg": "kg", "g": "g", "db": "dB", "hz": "Hz",
}
_COORD_UNITS = {"lat": "degrees_north", "latitude": "degrees_north", "lon": "degrees_east",
                "longitude": "degrees_east"}
_FREQ_WORDS = {"D": "daily", "h": "hourly", "H": "hourly", "min": "every minute", "s": "every second",
               "MS": "monthly", "ME": "monthly", "M": "monthly", "W": "weekly", "YS": "yearly",
               "YE": "yearly", "Y": "yearly", "AS": "yearly", "A": "yearly", "QS": "quarterly",
               "QE": "quarterly", "B": "business daily"}


def as_frame(obj: Any) -> pd.DataFrame:
    df = obj.to_frame() if isinstance(obj, pd.Series) else obj
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(obj).__name__}")
    return df


def guess_unit(name: str, attrs: dict) -> tuple[str, bool]:
    """(unit, guessed): from df.attrs["units"], else from "name (unit)" / "name [unit]" / a suffix."""
    given = attrs.get("units") if isinstance(attrs.get("units"), dict) else {}
    if name in given and given[name] not in (None, ""):
        return str(given[name]), False
    bracket = re.search(r"[(\[]([^()\[\]]{1,20})[)\]]\s*$", name)
    if bracket:
        return bracket.group(1).strip(), True
    parts = [p for p in re.split(r"[_\-\s.]+", name.lower()) if p]
    if len(parts) == 1 and parts[0] in _COORD_UNITS:
        return _COORD_UNITS[parts[0]], True
    for n in (3, 2, 1):
        if len(parts) > n and "".join(parts[-n:]) in _UNITS:
            return _UNITS["".join(parts[-n:])], True
    return "", False


def freq_alias(index: Any) -> str | None:
    """The pandas/xarray frequency alias of sorted times (None when irregular or too short)."""
    if len(index) < 3:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            freq = pd.infer_freq(index) if isinstance(index, pd.DatetimeIndex) else xr.infer_freq(index)
    except (TypeError, ValueError):
        return None
    return getattr(freq, "freqstr", freq)


def write_freq(w: Writer, key: str, alias: str) -> str:
    base = re.sub(r"-.*$", "", alias)
    word = _FREQ_WORDS.get(base)
    return f"{word} ({w.word(key, alias)})" if word else f"frequency {w.word(key, alias)}"


def write_step(w: Writer, key: str, seconds: float) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if abs(seconds) >= size:
            return f"{w.num(key, seconds / size, unit)} {unit}"
    return f"{w.num(key, seconds, 's')} seconds"


@dataclass
class Column:
    name: str
    dtype: str
    kind: str  # "number", "time", "text" or "empty"
    unit: tuple[str, bool]
    missing: int
    stats: dict[str, float] = field(default_factory=dict)
    distinct: int = 0
    top: list[tuple[Any, int]] = field(default_factory=list)


def profile(df: pd.DataFrame) -> list[Column]:
    return [_column(str(df.columns[j]), df.iloc[:, j], df.attrs) for j in range(df.shape[1])]


def _column(name: str, s: pd.Series, attrs: dict) -> Column:
    col = Column(name, str(s.dtype), "text", guess_unit(name, attrs), int(s.isna().sum()))
    if pd.api.types.is_timedelta64_dtype(s.dtype):
        s, col.unit = s.dt.total_seconds(), ("s", False)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        col.kind = "time"
        t = pd.DatetimeIndex(s.dropna())
        if t.tz is not None:
            t = t.tz_convert("UTC").tz_localize(None)
        if len(t):
            t = t.unique().sort_values()
            col.stats = {"start": t[0], "end": t[-1]}
            alias = freq_alias(t)
            if alias:
                col.stats["freq"] = alias
            elif len(t) > 1:
                col.stats["step"] = pd.Series(t).diff().median().total_seconds()
        return col
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        col.kind = "number"
        x = s.to_numpy(dtype="float64", na_value=np.nan)
        x = x[~np.isnan(x)]
        if x.size:
            with np.errstate(all="ignore"):
                q1, q2, q3 = np.quantile(x, [0.25, 0.5, 0.75])
                col.stats = {"min": x.min(), "max": x.max(), "mean": x.mean(),
                             "std": x.std(ddof=1) if x.size > 1 else np.nan, "q1": q1, "median": q2, "q3": q3}
            if pd.api.types.is_integer_dtype(s.dtype):
                col.stats["min"], col.stats["max"] = int(s.min()), int(s.max())
        else:
            col.kind = "empty"
        return col
    try:
        counts = s.value_counts(dropna=True)
    except TypeError:
        counts = s.dropna().map(repr).value_counts()
    col.distinct, col.top = len(counts), list(counts.head(TOP_K).items())
    if not len(counts):
        col.kind = "empty"
    return col


def column_line(w: Writer, c: Column, quartiles: bool, top_k: int) -> str:
    key = f"column:{c.name}"
    head = [f"- {quote(c.name, 40)}: {c.dtype}"]
    if c.unit[0]:
        head.append(f"units {quote(c.unit[0], 30)}" + (" (guessed from name)" if c.unit[1] else ""))
    head.append(f"{w.num(key + '.missing', c.missing)} missing")
    parts = [", ".join(head)]
    st = c.stats
    if c.kind == "number":
        parts.append(", ".join(f"{k} {w.num(f'{key}.{k}', st[k], c.unit[0])}" for k in ("min", "max", "mean", "std")))
        if quartiles:
            parts.append("quartiles " + ", ".join(w.num(f"{key}.{k}", st[k], c.unit[0])
                                                  for k in ("q1", "median", "q3")))
    elif c.kind == "time" and st:
        span = f"{w.time(key + '.start', st['start'])} to {w.time(key + '.end', st['end'])}"
        if "freq" in st:
            span += ", " + write_freq(w, key + ".freq", st["freq"])
        elif "step" in st:
            span += ", irregular, median step " + write_step(w, key + ".median_step", st["step"])
        parts.append(span)
    elif c.kind == "text":
        parts.append(f"{w.num(key + '.distinct', c.distinct)} distinct")
        if top_k:
            parts.append("top " + ", ".join(f"{quote(v, 40)} {w.num(f'{key}.count[{str(v)[:40]}]', n)}"
                                            for v, n in c.top[:top_k]))
    elif c.kind == "empty":
        parts.append("all missing")
    return "; ".join(parts)


def stats_encoding(df: pd.DataFrame, budget: int, count_tokens, title: str = "", strategy: str = "stats",
                   note: str = ""):
    cols = profile(df)
    n_rows, n_cols = df.shape
    counts = sorted({min(n, n_rows) for n in ROW_COUNTS if n <= SAMPLE_ROWS} | {0}, reverse=True)
    units = {c.name: c.unit for c in cols if c.unit[0]}
    rows = frame_rows(df.iloc[:, :SAMPLE_COLS], pick(n_rows, counts[0], EVEN), units, with_pos=True)
    has_text = any(c.kind == "text" for c in cols)
    has_number = any(c.kind == "number" for c in cols)

    def render(plan: dict) -> tuple:
        w = Writer()
        named = f" {quote(title, 80)}" if title else ""
        header = [f"Table{named}: {w.num('shape.rows', n_rows)} rows x {w.num('shape.cols', n_cols)} columns."]
        if note:
            header.append(note)
        omitted, body = [], []
        k, more = plan["detail"], plan["named"]
        if n_cols:
            body.append("Columns:")
        body += [column_line(w, c, plan["quartiles"], plan["top"]) for c in cols[:k]]
        listed, unlisted = cols[k:k + more], cols[k + more:]
        if listed or unlisted:
            line = ("Other columns (name: dtype): " + ", ".join(f"{quote(c.name, 40)}: {c.dtype}" for c in listed)
                    if listed else "Other columns:")
            if unlisted:
                line += ("; and " if listed else " ") + f"{w.num('columns.not_listed', len(unlisted))} more"
            body.append(line + ".")
        n = plan["sample"]
        if n:
            body += _sample(w, rows, n_rows, n_cols, n)
        if n < counts[0]:
            omitted.append("sample rows" if n == 0 else "further sample rows")
        if has_number and not plan["quartiles"] and k:
            omitted.append("quartiles")
        if has_text and plan["top"] < TOP_K and k:
            omitted.append("top values" if plan["top"] == 0 else "further top values")
        if k < n_cols:
            omitted.append("details of later columns" if k else "column details")
        if unlisted:
            omitted.append("names of later columns")
        return assemble(strategy, header, omitted, body), list(w.facts.values()), omitted

    names = list(range(n_cols, -1, -1))
    stages = [("sample", counts), ("quartiles", [True, False]), ("top", [TOP_K, 3, 1, 0]),
              ("named", names[: max(n_cols - NAMES_KEPT, 0) + 1]), ("detail", list(range(n_cols, 0, -1))),
              ("named", names[max(n_cols - NAMES_KEPT, 0) + 1:]), ("detail", [0])]
    return fit(strategy, render, stages, budget, count_tokens)


def _sample(w: Writer, rows: Rows, n_rows: int, n_cols: int, n: int) -> list[str]:
    positions, cols = rows.subset(pick_within(n_rows, len(rows.positions), n, EVEN), len(rows.columns))
    shown = f"sample of {w.num('sample.n', len(positions))} of {w.num('shape.rows', n_rows)} rows ({EVEN})"
    if n_cols > SAMPLE_COLS:
        shown += f", first {w.num('sample.columns', SAMPLE_COLS)} columns"
    return [f"Rows: {shown}, as CSV with JSON-quoted strings, empty = missing:"] + csv_lines(w, positions, cols)
