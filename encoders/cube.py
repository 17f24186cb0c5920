"""Arrays (xarray Datasets / DataArrays, e.g. NetCDF), CF-aware, computed lazily.

Header: global attributes (title, source, institution, Conventions; history etc. trimmed), dims,
coordinates with ranges and spacing (time: start, end, frequency). Per data variable: long_name,
standard_name, units, _FillValue, missing fraction, min/max/mean/std (std with ddof=0, as xarray),
and condensed views: where the max/min occur, the area-weighted (cos lat) mean, zonal means at a
few latitudes, and the seasonal cycle (monthly climatology) when time spans at least a year.
Every reduction of every variable is computed in ONE `dask.compute` pass; nothing is `.load()`ed:
file-backed variables that are not chunked yet are wrapped in dask ("auto" chunks) first.

Omission order (stats): seasonal cycles -> zonal means -> locations of max/min ->
area-weighted means -> extra global attributes -> details of later variables ->
coordinate details -> names of later variables.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dask
import dask.array
import numpy as np
import pandas as pd
import xarray as xr

from .table import freq_alias, write_freq, write_step
from .text import Writer, assemble, quote

GLOBAL_KEYS = ("title", "source", "institution", "Conventions")
MORE_KEYS = ("history", "summary", "comment", "references")
VAR_KEYS = ("long_name", "standard_name", "units", "cell_methods")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_AXES = {"lat": (("lat", "latitude", "nav_lat"), ("degrees_north", "degree_north", "degrees_n", "degree_n")),
         "lon": (("lon", "longitude", "nav_lon"), ("degrees_east", "degree_east", "degrees_e", "degree_e"))}


def as_dataset(obj: Any) -> xr.Dataset:
    """A Dataset whose not-yet-loaded variables are dask-backed (lazy), without reading any data."""
    if isinstance(obj, xr.DataArray):
        obj = obj.to_dataset(name=obj.name if obj.name is not None else "value")
    if not isinstance(obj, xr.Dataset):
        raise TypeError(f"expected an xarray Dataset or DataArray, got {type(obj).__name__}")
    todo = [n for n, v in obj.variables.items()
            if n not in obj.indexes and not v._in_memory and v.chunks is None]
    if not todo:
        return obj
    chunked = {n: _chunk(obj[n]) for n in todo}
    return obj.assign({n: v for n, v in chunked.items() if n in obj.data_vars}).assign_coords(
        {n: v for n, v in chunked.items() if n not in obj.data_vars})


def _chunk(x: xr.DataArray) -> xr.DataArray:
    try:
        return x.chunk("auto")
    except (ValueError, NotImplementedError):
        return x.chunk()


def axis(ds: xr.Dataset, which: str) -> str | None:
    """The 1-D dimension coordinate that is latitude ("lat") or longitude ("lon"), by CF rules."""
    names, units = _AXES[which]
    full = "latitude" if which == "lat" else "longitude"
    for d in ds.dims:
        if d not in ds.indexes or ds[d].dtype.kind not in "iuf":
            continue
        attrs = ds[d].attrs
        if (attrs.get("standard_name") == full or str(attrs.get("units", "")).lower() in units
                or str(d).lower() in names):
            return d
    return None


def time_dim(ds: xr.Dataset) -> str | None:
    for d in ds.dims:
        if d in ds.indexes and isinstance(ds.indexes[d], (pd.DatetimeIndex, xr.CFTimeIndex)):
            return d
    return None


def weights(ds: xr.Dataset, lat: str) -> xr.DataArray:
    return np.cos(np.deg2rad(ds[lat].astype("float64"))).clip(min=0.0)


def numeric(x: xr.DataArray) -> bool:
    return x.dtype.kind in "biuf" and x.size > 0


@dataclass
class Var:
    name: str
    x: xr.DataArray
    stats: dict[str, Any] = field(default_factory=dict)
    zonal_lat: np.ndarray | None = None
    months: np.ndarray | None = None


def profile(ds: xr.Dataset) -> tuple[list[Var], dict[str, dict]]:
    """Every data variable's statistics and condensed views, and the ranges of lazy non-index
    coordinates, all from one dask.compute pass."""
    lat, lon, t = axis(ds, "lat"), axis(ds, "lon"), time_dim(ds)
    w = weights(ds, lat) if lat else None
    year = t is not None and _span_seconds(ds.indexes[t]) >= 360 * 86400
    out, lazy = [], {}
    for name in ds.data_vars:
        var, x = Var(str(name), ds[name]), ds[name]
        out.append(var)
        if not numeric(x):
            continue
        x = x.astype("int8") if x.dtype.kind == "b" else x
        data = x.data
        xp = dask.array if isinstance(data, dask.array.Array) else np
        r = {"count": x.count().data, "min": x.min().data, "max": x.max().data,
             "mean": x.mean().data, "std": x.std().data}
        if x.ndim:
            r["argmax"] = xp.argmax(xp.where(xp.isnan(data), -np.inf, data)) if x.dtype.kind == "f" else xp.argmax(data)
            r["argmin"] = xp.argmin(xp.where(xp.isnan(data), np.inf, data)) if x.dtype.kind == "f" else xp.argmin(data)
        if lat in x.dims:
            r["gmean"] = x.weighted(w).mean().data
            if lon in x.dims:
                r["zonal"] = x.mean([d for d in x.dims if d != lat]).data
                var.zonal_lat = ds.indexes[lat].to_numpy()
        if year and t in x.dims:
            others = [d for d in x.dims if d != t]
            series = (x.weighted(w).mean(others) if lat in x.dims else x.mean(others)) if others else x
            clim = series.groupby(f"{t}.month").mean()
            r["clim"], var.months = clim.data, np.asarray(clim["month"].values)
        lazy[var.name] = r
    lazy.update(lazy_coord_ranges(ds))
    (done,) = dask.compute(lazy)
    for var in out:
        var.stats = done.get(var.name, {})
    return out, {k[len("coord:"):]: v for k, v in done.items() if k.startswith("coord:")}


def lazy_coord_ranges(ds: xr.Dataset) -> dict[str, dict]:
    """Min/max of the non-index numeric coordinates, as lazy reductions keyed "coord:<name>"."""
    return {f"coord:{c}": {"min": ds[c].min().data, "max": ds[c].max().data}
            for c in ds.coords if c not in ds.indexes and ds[c].ndim and numeric(ds[c])}


def _span_seconds(index: Any) -> float:
    if len(index) < 2:
        return 0.0
    ordered = index.sort_values()
    span = pd.Timedelta(ordered[-1] - ordered[0]).total_seconds()
    step = pd.Series([pd.Timedelta(b - a).total_seconds() for a, b in zip(ordered[:-1], ordered[1:])]).median()
    return span + step


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
    lines = [f"Dataset{(' ' + quote(title, 80)) if title else ''}: {w.num('shape.data_vars', len(ds.data_vars))}"
             " data variables."]
    keys = list(GLOBAL_KEYS[: 1 if attrs_level == 0 else 4])
    if attrs_level >= 2:
        keys += [k for k in MORE_KEYS if k in ds.attrs]
    shown = [f"{k} {attr_value(w, f'attr:{k}', ds.attrs[k], 150 if k in MORE_KEYS else 120)}"
             for k in keys if k in ds.attrs]
    if attrs_level >= 2:
        others = [k for k in ds.attrs if k not in GLOBAL_KEYS + MORE_KEYS]
        shown += [f"{quote(k, 30)} {attr_value(w, f'attr:{k}', ds.attrs[k])}" for k in others[:5]]
        if len(others) > 5:
            shown.append(f"{w.num('attrs.not_listed', len(others) - 5)} more attributes")
    if shown:
        lines.append("Global attributes: " + "; ".join(shown) + ".")
    if ds.dims:
        lines.append("Dimensions: " + ", ".join(f"{quote(d, 30)} {w.num(f'dim:{d}.size', n)}"
                                                for d, n in ds.sizes.items()) + ".")
    return lines


def coord_lines(w: Writer, ds: xr.Dataset, ranges: dict) -> list[str]:
    return ["Coordinates:"] + [coord_line(w, ds, c, ranges) for c in ds.coords] if ds.coords else []


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
                steps = [pd.Timedelta(b - a).total_seconds() for a, b in zip(ordered[:-1], ordered[1:])]
                line += ", irregular, median step " + write_step(w, key + ".median_step", float(np.median(steps)))
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
        line += "; " + ", ".join(f"{k} {w.num(f'{key}.{k}', st[k], unit)}" for k in ("min", "max", "mean", "std"))
    return line


def view_lines(w: Writer, ds: xr.Dataset, var: Var, plan: dict) -> list[str]:
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
        lines.append(f"  area-weighted mean (cos lat, all dims) {w.num(key + '.area_mean', st['gmean'], unit)}")
    if plan["zonal"] and "zonal" in st:
        lat = var.zonal_lat
        picks = np.unique(np.linspace(0, len(lat) - 1, min(5, len(lat))).round().astype(int))
        lat_name = axis(ds, "lat")
        over = ", ".join(quote(d, 30) for d in x.dims if d != lat_name)
        vals = ", ".join(f"{w.num(f'coord:{lat_name}[{i}]', lat[i])}: {w.num(f'{key}.zonal_mean[{i}]', st['zonal'][i], unit)}"
                         for i in picks)
        lines.append(f"  zonal means (over {over}) by latitude: {vals}")
    if plan["clim"] and "clim" in st:
        vals = ", ".join(f"{MONTHS[int(m) - 1]} {w.num(f'{key}.clim[{MONTHS[int(m) - 1]}]', v, unit)}"
                         for m, v in zip(var.months, np.ravel(st["clim"])))
        lines.append(f"  seasonal cycle (monthly climatology, area-weighted): {vals}")
    return lines


def _coord_at(w: Writer, ds: xr.Dataset, dim: Any, i: int, key: str) -> str:
    if dim not in ds.indexes:
        return f"index {w.num(key, i)}"
    value = ds.indexes[dim][i]
    return w.cell(key, value) or "missing"


def stats_encoding(obj: Any, budget: int, count_tokens, title: str = "", strategy: str = "stats",
                   note: str = ""):
    from .budget import fit

    ds = as_dataset(obj)
    vars_, ranges = profile(ds)
    n = len(vars_)
    have = {k: any(k in v.stats for v in vars_) for k in ("clim", "zonal", "argmax", "gmean")}
    extra_attrs = any(k not in GLOBAL_KEYS for k in ds.attrs)

    def render(plan: dict) -> tuple:
        w = Writer()
        header = header_lines(w, ds, title, plan["attrs"]) + ([note] if note else [])
        body = coord_lines(w, ds, ranges) if plan["coords"] else []
        k, more = plan["detail"], plan["named"]
        if n:
            body.append("Data variables:")
        for var in vars_[:k]:
            body += [var_line(w, ds, var)] + view_lines(w, ds, var, plan)
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
        if plan["attrs"] < 2 and extra_attrs:
            omitted.append("history and other global attributes" if plan["attrs"] == 1 else "global attributes but title")
        if k < n:
            omitted.append("details of later variables")
        if not plan["coords"] and ds.coords:
            omitted.append("coordinate details")
        if unlisted:
            omitted.append("names of later variables")
        return assemble(strategy, header, omitted, body), list(w.facts.values()), omitted

    stages = [("clim", [True, False]), ("zonal", [True, False]), ("loc", [True, False]),
              ("gmean", [True, False]), ("attrs", [2, 1, 0]), ("detail", list(range(n, -1, -1))),
              ("coords", [True, False]), ("named", list(range(n, -1, -1)))]
    return fit(strategy, render, stages, budget, count_tokens)
