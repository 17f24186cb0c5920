"""Arrays (xarray Datasets / DataArrays, e.g. NetCDF), CF-aware, computed lazily.

Header: global attributes (title, source, institution, Conventions; history etc. trimmed), dims,
coordinates with ranges and spacing (time: start, end, frequency). Per data variable: long_name,
standard_name, units, _FillValue, missing fraction, min/max/mean/std (std with ddof=0, as xarray),
and condensed views: where the max/min occur, the area-weighted mean (weights named: the file's, from
cell bounds, or cos lat), zonal means at a few latitudes, and the seasonal cycle (monthly climatology)
when time spans at least a year. The header states the axes `data.axes` found (time axes and calendars,
vertical levels, grid kind, area weights) and what it could not read, the same axes the tools use.
Every statistic of every variable comes from ONE `dask.compute` pass that reads each value once, in
small blocks (cf.profile, blocks.stats); nothing is `.load()`ed: file-backed variables that are not
chunked yet are wrapped in dask ("auto" chunks) first.

Omission order (stats): seasonal cycles -> zonal means -> locations of max/min ->
area-weighted means -> extra global attributes -> coordinate details (ranges stay) ->
names of undetailed variables beyond 30 -> details of variables after the first ->
coordinate ranges -> the remaining names -> details of the first variable.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from data.axes import describe_axes
from tools.units import units_doubt

from .budget import fit
from .cf import Var, as_dataset, axis, profile, step_seconds, time_dim
from .table import freq_alias, write_freq, write_step
from .text import Writer, assemble, quote

GLOBAL_KEYS = ("title", "source", "institution", "Conventions")
MORE_KEYS = ("history", "summary", "comment", "references")
VAR_KEYS = ("long_name", "standard_name", "units", "cell_methods")
NAMES_KEPT = 30  # names of undetailed variables kept while details are cut
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def attr_value(w: Writer, key: str, value: Any, cap: int = 80) -> str:
    if isinstance(value, str):
        return quote(value, cap)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return w.num(key, value)
    if isinstance(value, (list, tuple, np.ndarray)) and len(value) and all(
            isinstance(v, (int, float, np.integer, np.floating)) for v in np.ravel(value)[:5]):
        flat = np.ravel(value)
        items = [w.num(f"{key}[{i}]", v) for i, v in enumerate(flat[:5])]
        return "[" + ", ".join(items) + (", …" if len(flat) > 5 else "") + "]"
    return quote(str(value), cap)


def header_lines(w: Writer, ds: xr.Dataset, title: str, attrs_level: int) -> list[str]:
    """Title, global attributes (level 2: all, 1: the four CF ones, 0: title only), dimensions."""
    n = len(ds.data_vars)
    lines = [f"Dataset{(' ' + quote(title, 80)) if title else ''}: {w.num('shape.data_vars', n)}"
             f" data variable{'' if n == 1 else 's'}."]
    keys = list(GLOBAL_KEYS[: 1 if attrs_level == 0 else 4])
    if attrs_level >= 2:
        keys += [k for k in MORE_KEYS if k in ds.attrs]
    shown = [f"{k} {attr_value(w, f'attr:{k}', ds.attrs[k], 150 if k in MORE_KEYS else 120)}"
             for k in keys if k in ds.attrs]
    if attrs_level >= 2:
        others = [k for k in ds.attrs if k not in GLOBAL_KEYS + MORE_KEYS + ("load_notes",)]  # the app's own notes
        # are stated as the app's ("Axes found: … note: …"), never as the file's attributes
        shown += [f"{quote(k, 30)} {attr_value(w, f'attr:{k}', ds.attrs[k])}" for k in others[:5]]
        if len(others) > 5:
            shown.append(f"{w.num('attrs.not_listed', len(others) - 5)} more attributes")
    if shown:
        lines.append("Global attributes: " + "; ".join(shown) + ".")
    if ds.dims:
        lines.append("Dimensions: " + ", ".join(f"{quote(d, 30)} {w.num(f'dim:{d}.size', n)}"
                                                for d, n in ds.sizes.items()) + ".")
    return lines


def attrs_omitted(ds: xr.Dataset, level: int) -> list[str]:
    """The omission label for global attributes left out at `level` (see header_lines)."""
    own = [k for k in ds.attrs if k != "load_notes"]  # the app's notes are not the file's attributes
    if level == 0 and any(k != "title" for k in own):
        return ["global attributes but title"]
    if level == 1 and any(k not in GLOBAL_KEYS for k in own):
        return ["history and other global attributes"]
    return []


def coord_lines(w: Writer, ds: xr.Dataset, ranges: dict, level: int = 2) -> list[str]:
    """Coordinates: level 2 one line each (range, count, spacing, units), 1 ranges only, 0 none."""
    if level >= 2 and ds.coords:
        return ["Coordinates:"] + [coord_line(w, ds, c, ranges) for c in ds.coords]
    short = []
    for c, idx in ds.indexes.items():
        key = f"coord:{c}"
        if len(idx) and c == time_dim(ds):
            short.append(f"{quote(c, 30)} {w.time(key + '.start', idx.min())} to {w.time(key + '.end', idx.max())}")
        elif len(idx) and ds[c].dtype.kind in "iuf":
            short.append(f"{quote(c, 30)} {w.num(key + '.first', idx[0])} to {w.num(key + '.last', idx[-1])}")
    return ["Coordinate ranges: " + "; ".join(short) + "."] if level == 1 and short else []


def coord_line(w: Writer, ds: xr.Dataset, c: Any, ranges: dict | None = None) -> str:
    key, x = f"coord:{c}", ds[c]
    line = f"- {quote(c, 30)}"
    if c in ds.indexes:
        idx = ds.indexes[c]
        n = f"{w.num(f'dim:{c}.size', len(idx))} values"
        if isinstance(idx, (pd.DatetimeIndex, xr.CFTimeIndex)) and len(idx):
            ordered = idx.sort_values()
            line += f": {w.time(key + '.start', ordered[0])} to {w.time(key + '.end', ordered[-1])}, {n}"
            alias = freq_alias(ordered.unique())
            if alias:
                line += ", " + write_freq(w, key + ".freq", alias)
            elif len(idx) > 1:
                line += ", irregular, median step " + write_step(w, key + ".median_step",
                                                                  float(np.median(step_seconds(idx))))
        elif x.dtype.kind in "iuf" and len(idx):
            v = idx.to_numpy().astype("float64")
            line += f": {w.num(key + '.first', v[0])} to {w.num(key + '.last', v[-1])}, {n}"
            if len(v) > 1:
                d = np.diff(v)
                regular = np.allclose(d, d[0], rtol=1e-4, atol=0)
                line += (f", step {w.num(key + '.step', d[0])}" if regular
                         else f", irregular, median step {w.num(key + '.median_step', np.median(d))}")
        elif len(idx):
            line += f": {quote(idx[0], 30)} to {quote(idx[-1], 30)}, {n}"
    else:
        dims = ", ".join(quote(d, 30) for d in x.dims)
        line += f" ({dims})" if dims else ""
        if x.ndim == 0 and x.variable._in_memory:
            line += ": " + (w.cell(key, x.values[()]) or "missing")
        elif ranges and c in ranges:
            line += f": {w.num(key + '.min', ranges[c]['min'])} to {w.num(key + '.max', ranges[c]['max'])}"
    units = x.attrs.get("units")
    return line + (f", units {quote(units, 30)}" if units not in (None, "") else "")


def var_line(w: Writer, ds: xr.Dataset, var: Var) -> str:
    x, key = var.x, f"var:{var.name}"
    dims = ", ".join(quote(d, 30) for d in x.dims)
    parts = [f"- {quote(var.name, 40)} ({dims}{'; ' if dims else ''}{x.dtype})"]
    attrs = [f"{k} {quote(x.attrs[k], 80)}" for k in VAR_KEYS if x.attrs.get(k) not in (None, "")]
    for k in ("_FillValue", "missing_value"):
        fill = x.encoding.get(k, x.attrs.get(k))
        if fill is not None and not (np.ndim(fill) == 0 and isinstance(fill, (float, np.floating)) and np.isnan(fill)):
            attrs.append(f"{k} {attr_value(w, f'{key}.{k}', fill)}")
    st = var.stats
    if "count" in st:
        missing = 100.0 * (1.0 - float(st["count"]) / x.size)
        attrs.append(f"missing {w.num(key + '.missing_pct', missing, '%')}%")
    line = parts[0] + (": " + ", ".join(attrs) if attrs else "")
    if "count" in st and int(st["count"]) == 0:
        return line + "; all missing"
    if "min" in st:
        unit = str(x.attrs.get("units", ""))
        doubt = units_doubt(unit, float(st["min"]), float(st["max"]))  # then no unit a sentence must match
        line += "; " + ", ".join(f"{k} {w.num(f'{key}.{k}', st[k], '' if doubt else unit)}"
                                 for k in ("min", "max", "mean", "std"))
        line += f" (these values {doubt})" if doubt else ""
    return line


def view_lines(w: Writer, ds: xr.Dataset, var: Var, plan: dict, weights: str = "cos lat") -> list[str]:
    x, key, st = var.x, f"var:{var.name}", var.stats
    unit = str(x.attrs.get("units", ""))
    if "min" not in st or int(st.get("count", 0)) == 0:
        return []
    lines = []
    if plan["loc"] and "argmax" in st:
        where = []
        for which in ("max", "min"):
            pos = np.unravel_index(int(st[f"arg{which}"]), x.shape)
            at = ", ".join(f"{quote(d, 30)} {_coord_at(w, ds, d, i, f'{key}.{which}_at.{d}')}"
                           for d, i in zip(x.dims, pos))
            where.append(f"{which} at {at}")
        lines.append("  " + "; ".join(where))
    if plan["gmean"] and "gmean" in st:
        lines.append(f"  area-weighted mean ({weights}, all dims) {w.num(key + '.area_mean', st['gmean'], unit)}")
    if plan["zonal"] and "zonal" in st:
        lat = var.zonal_lat
        picks = np.unique(np.linspace(0, len(lat) - 1, min(5, len(lat))).round().astype(int))
        lat_name = axis(ds, "lat")
        over = ", ".join(quote(d, 30) for d in x.dims if d != lat_name)
        vals = ", ".join(f"{w.num(f'coord:{lat_name}[{i}]', lat[i])}: "
                         f"{w.num(f'{key}.zonal_mean[{i}]', st['zonal'][i], unit)}" for i in picks)
        lines.append(f"  zonal means (over {over}) by latitude: {vals}")
    if plan["clim"] and "clim" in st:
        vals = ", ".join(f"{MONTHS[int(m) - 1]} {w.num(f'{key}.clim[{MONTHS[int(m) - 1]}]', v, unit)}"
                         for m, v in zip(var.months, np.ravel(st["clim"])))
        weighted = ", area-weighted" if axis(ds, "lat") in x.dims else ""
        lines.append(f"  seasonal cycle (monthly climatology{weighted}): {vals}")
    return lines


def _coord_at(w: Writer, ds: xr.Dataset, dim: Any, i: int, key: str) -> str:
    if dim not in ds.indexes:
        return f"index {w.num(key, i)}"
    value = ds.indexes[dim][i]
    return w.cell(key, value) or "missing"


_NUMBER = re.compile(r"(?<![\w.\-:])(-?\d+(?:\.\d+)?)(?![\d.:]|-\d)")


def axes_line(w: Writer, found: str) -> str:
    """The "Axes found" line, each of its numbers registered as a fact (dates are the time axis's own)."""
    for i, match in enumerate(_NUMBER.finditer(found)):
        w.num(f"axes.{i}", float(match.group(1)))
    return found


def stats_encoding(obj: Any, budget: int, count_tokens, title: str = "", strategy: str = "stats",
                   note: str = ""):
    ds = as_dataset(obj)
    vars_, ranges = profile(ds)
    n = len(vars_)
    axes = describe_axes(ds)
    found = "Axes found: " + "; ".join(axes.describe()) + "." if axes.describe() else ""
    weights = axes.weights_text() if axes.weights != "none" else "cos lat"
    have = {k: any(k in v.stats for v in vars_) for k in ("clim", "zonal", "argmax", "gmean")}

    def render(plan: dict) -> tuple:
        w = Writer()
        header = header_lines(w, ds, title, plan["attrs"]) + [line for line in (axes_line(w, found), note) if line]
        body = coord_lines(w, ds, ranges, plan["coords"])
        k, more = plan["detail"], plan["named"]
        if k:
            body.append("Data variables:")
        for var in vars_[:k]:
            body += [var_line(w, ds, var)] + view_lines(w, ds, var, plan, weights)
        listed, unlisted = vars_[k:k + more], vars_[k + more:]
        if listed or unlisted:
            line = ("Other data variables: " + ", ".join(
                f"{quote(v.name, 40)} ({', '.join(quote(d, 30) for d in v.x.dims)})" for v in listed)
                if listed else "Other data variables:")
            if unlisted:
                line += ("; and " if listed else " ") + f"{w.num('vars.not_listed', len(unlisted))} more"
            body.append(line + ".")
        omitted = [label for flag, label in (("clim", "seasonal cycles"), ("zonal", "zonal means"),
                                              ("loc", "locations of max/min"), ("gmean", "area-weighted means"))
                   if not plan[flag] and have["argmax" if flag == "loc" else flag] and k]
        omitted += attrs_omitted(ds, plan["attrs"])
        if k < n:
            omitted.append("details of later variables" if k else "variable details")
        if plan["coords"] < 2 and ds.coords:
            omitted.append("coordinate details" if plan["coords"] else "coordinates")
        if unlisted:
            omitted.append("names of later variables")
        return assemble(strategy, header, omitted, body), list(w.facts.values()), omitted

    names = list(range(n, -1, -1))
    stages = [("clim", [True, False]), ("zonal", [True, False]), ("loc", [True, False]),
              ("gmean", [True, False]), ("attrs", [2, 1, 0]), ("coords", [2, 1]),
              ("named", names[: max(n - NAMES_KEPT, 0) + 1]), ("detail", list(range(n, 0, -1))),
              ("coords", [0]), ("named", names[max(n - NAMES_KEPT, 0) + 1:]), ("detail", [0])]
    return fit(strategy, render, stages, budget, count_tokens)
