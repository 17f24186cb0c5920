"""CF conventions and lazy evaluation for xarray Datasets: making a Dataset lazy without reading it,
the latitude/longitude/time axes the encoders use (read from the one dataset model, data.axes), and
the one-pass profile of every data variable.

`profile` gets every statistic of every variable (count, min, max, mean, std, arg-max/min,
cos-lat weighted mean, zonal-mean profile, monthly climatology) from one read of its values
(`blocks.stats`: per-block partial sums merged, see `onepass`), and the ranges of lazy coordinates,
all in ONE `dask.compute` pass, run where `data.compute` says (threaded, or GEOLLM_DASK_SCHEDULER).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from data import compute as scheduler
from data.areas import area_weights
from data.axes import describe_axes, is_numeric

from . import blocks


def as_dataset(obj: Any, chunk: bool = True) -> xr.Dataset:
    """The Dataset (a DataArray becomes one); with `chunk`, file-backed variables not loaded yet are
    wrapped in dask ("auto" chunks) so reductions stream through them. Reads no data."""
    if isinstance(obj, xr.DataArray):
        obj = obj.to_dataset(name=obj.name if obj.name is not None else "value")
    if not isinstance(obj, xr.Dataset):
        raise TypeError(f"expected an xarray Dataset or DataArray, got {type(obj).__name__}")
    if not chunk:
        return obj
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
    """The 1-D dimension coordinate of latitude ("lat") or longitude ("lon") of a regular grid (data.axes)."""
    h = describe_axes(ds).horizontal
    name = (h.lat if which == "lat" else h.lon) if h.kind == "regular" else None
    return name if name in ds.indexes and numeric(ds[name]) else None


def time_dim(ds: xr.Dataset) -> str | None:
    """The dimension of the dataset's dates (data.axes' main datetime axis), if it is indexed by them."""
    t = describe_axes(ds).time
    if t is None or t.kind != "datetime" or t.name != t.dim:
        return None
    return t.dim if isinstance(ds.indexes.get(t.dim), (pd.DatetimeIndex, xr.CFTimeIndex)) else None


def weights(ds: xr.Dataset, lat: str) -> xr.DataArray:
    """Area weights along the latitude dimension `lat` (the file's, from bounds, or cos(latitude): data.axes)."""
    w = area_weights(ds, describe_axes(ds), dims=ds[lat].dims)
    return w if w is not None else xr.ones_like(ds[lat], dtype="float64")


numeric = is_numeric  # the one definition (data.axes)


@dataclass
class Var:
    name: str
    x: xr.DataArray
    stats: dict[str, Any] = field(default_factory=dict)
    zonal_lat: np.ndarray | None = None
    months: np.ndarray | None = None


MAX_PROFILED = 500  # variables whose values are summarised; a 1,500-token prompt holds far fewer


def profile(ds: xr.Dataset) -> tuple[list[Var], dict[str, dict]]:
    """Every data variable's statistics and condensed views, and the ranges of lazy non-index
    coordinates, all from one dask.compute pass (each variable's values are read once: blocks.stats)."""
    lat, lon, t = axis(ds, "lat"), axis(ds, "lon"), time_dim(ds)
    w = weights(ds, lat).to_numpy() if lat else None
    year = t is not None and _span_seconds(ds.indexes[t]) >= 360 * 86400
    out, lazy = [], {}
    for name in ds.data_vars:
        x = ds[name]  # building a DataArray scans every variable: once per variable (2,000 took 36 s twice)
        var = Var(str(name), x)
        out.append(var)
        if not numeric(x) or len(lazy) >= MAX_PROFILED:  # past the budget: named, with its dims and attributes
            continue
        ilat = x.dims.index(lat) if lat in x.dims else None
        it = x.dims.index(t) if year and t in x.dims else None
        lazy[var.name] = blocks.stats(x.data, ilat, it, w if ilat is not None else None, file_chunks(x))
    lazy.update(lazy_coord_ranges(ds))
    done = compute(lazy)
    for var in out:
        if var.name in done:
            var.stats = views(var, done[var.name], ds, w, lat, lon, t)
    return out, {k[len("coord:"):]: v for k, v in done.items() if k.startswith("coord:")}


def views(var: Var, r: dict, ds: xr.Dataset, w, lat, lon, t) -> dict:
    """The statistics shown for a variable, from onepass.merge's result `r` (margins -> means); sets
    var.zonal_lat and var.months."""
    st = {k: r[k] for k in ("count", "min", "max", "mean", "std")}
    if var.x.ndim:
        st["argmax"], st["argmin"] = r["argmax"], r["argmin"]
    if "lat_sum" in r:
        st["gmean"] = _ratio(np.dot(w, r["lat_sum"]), np.dot(w, r["lat_count"]))
        if lon in var.x.dims:
            st["zonal"] = _ratio(r["lat_sum"], r["lat_count"])
            var.zonal_lat = ds.indexes[lat].to_numpy()
    if "t_wsum" in r:  # monthly means of the (area-weighted) mean of each time step
        series, months = _ratio(r["t_wsum"], r["t_wcount"]), np.asarray(ds.indexes[t].month)
        var.months = np.unique(months)
        st["clim"] = np.array([_nanmean(series[months == m]) for m in var.months])
    return st


def _ratio(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.full(a.shape, np.nan), where=b != 0)[()]


def _nanmean(v: np.ndarray) -> float:
    v = v[~np.isnan(v)]
    return float(v.mean()) if v.size else np.nan


def file_chunks(x: xr.DataArray) -> tuple | None:
    """The chunk shape of the file `x` was read from, if its encoding says."""
    preferred = x.encoding.get("preferred_chunks")
    if isinstance(preferred, dict) and preferred:
        return tuple(int(preferred.get(d, 1)) for d in x.dims)
    sizes = x.encoding.get("chunksizes")
    return tuple(int(c) for c in sizes) if sizes is not None and len(sizes) == x.ndim else None


def lazy_coord_ranges(ds: xr.Dataset) -> dict[str, dict]:
    """Min/max of the non-index numeric coordinates, as lazy reductions keyed "coord:<name>"."""
    return {f"coord:{c}": {"min": ds[c].min().data, "max": ds[c].max().data}
            for c in ds.coords if c not in ds.indexes and ds[c].ndim and numeric(ds[c])}


def step_seconds(index: Any) -> np.ndarray:
    """Seconds between consecutive times of a sorted DatetimeIndex or CFTimeIndex."""
    ordered = index.sort_values()
    if isinstance(ordered, pd.DatetimeIndex):
        return ordered.to_series().diff().dt.total_seconds().to_numpy()[1:]
    return np.array([(b - a).total_seconds() for a, b in zip(ordered[:-1], ordered[1:])], dtype=float)


def _span_seconds(index: Any) -> float:
    """The time covered, counting the last step: a year of monthly means spans a year."""
    steps = step_seconds(index)
    return float(steps.sum() + np.median(steps)) if steps.size else 0.0


def compute(lazy: Any) -> Any:
    """Evaluate a nest of lazy arrays in one pass (data.compute); all-NaN slices are expected, not warned about."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        (done,) = scheduler.compute(lazy)  # threaded or GEOLLM_DASK_SCHEDULER; stops at the page's time limit
    return done
