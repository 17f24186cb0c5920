"""Arrays of the dataset model (``data.axes``): latitude/longitude in degrees on every grid kind, and
area weights.

``latlon(ds, axes)`` gives (lat, lon) DataArrays over the grid's own dims: 1-D on a regular grid, 2-D on
curvilinear grids, per cell on unstructured grids (radians become degrees), and on a rotated-pole grid
without 2-D lat/lon they are computed from the grid mapping's pole.  ``area_weights(ds, axes, dims)``
follows ``axes.weights``: the file's cell areas or Gaussian weights, exact spherical cell areas from
the cell bounds, or cos(latitude); None means equal weights.  Only coordinates and bounds are read.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .axes import Axes
from .compute import load


def rotated_to_geographic(rlat: np.ndarray, rlon: np.ndarray, pole_lat: float, pole_lon: float
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Geographic (lat, lon) in degrees of rotated-grid points (CF rotated_latitude_longitude)."""
    p, lp = np.deg2rad(pole_lat), np.deg2rad(pole_lon)
    north = np.array([np.cos(p) * np.cos(lp), np.cos(p) * np.sin(lp), np.sin(p)])
    origin = np.array([-np.sin(p) * np.cos(lp), -np.sin(p) * np.sin(lp), np.cos(p)])  # rotated (0, 0)
    east = np.cross(north, origin)
    fr, lr = np.deg2rad(rlat), np.deg2rad(rlon)
    xyz = (np.multiply.outer(np.cos(fr) * np.cos(lr), origin) + np.multiply.outer(np.cos(fr) * np.sin(lr), east)
           + np.multiply.outer(np.sin(fr), north))
    lat = np.rad2deg(np.arcsin(np.clip(xyz[..., 2], -1, 1)))
    lon = np.rad2deg(np.arctan2(xyz[..., 1], xyz[..., 0]))
    return lat, lon


def latlon(ds: Any, axes: Axes) -> tuple[xr.DataArray | None, xr.DataArray | None]:
    """(latitude, longitude) in degrees over the horizontal dims (None where the file has none)."""
    h = axes.horizontal
    if h.kind == "rotated" and not h.lat:
        if h.grid_mapping is None or h.y is None or h.x is None:
            return None, None
        gm = ds[h.grid_mapping].attrs
        if "grid_north_pole_latitude" not in gm:
            return None, None
        ry, rx = np.asarray(ds[h.y].values, float), np.asarray(ds[h.x].values, float)
        lat, lon = rotated_to_geographic(ry[:, None], rx[None, :], float(gm["grid_north_pole_latitude"]),
                                         float(gm.get("grid_north_pole_longitude", 0.0)))
        dims = (ds[h.y].dims[0], ds[h.x].dims[0])
        return xr.DataArray(lat, dims=dims), xr.DataArray(lon, dims=dims)
    out = []
    for name in (h.lat, h.lon):
        if name is None:
            out.append(None)
            continue
        v = load(ds[name].variable.astype("float64"))
        values = np.rad2deg(v.values) if h.radians else v.values
        out.append(xr.DataArray(values, dims=v.dims))
    return out[0], out[1]


def _spherical_polygon(lat_b: np.ndarray, lon_b: np.ndarray) -> np.ndarray:
    """Areas on the unit sphere of cells given by corners (..., n) in degrees."""
    phi, lam = np.deg2rad(lat_b), np.deg2rad(lon_b)
    dlam = (np.roll(lam, -1, axis=-1) - lam + np.pi) % (2 * np.pi) - np.pi
    area = np.abs(np.sum(dlam * (np.sin(phi) + np.sin(np.roll(phi, -1, axis=-1))) / 2, axis=-1))
    encloses_pole = np.abs(dlam.sum(axis=-1)) > np.pi  # the integral then measures the cap outside the cell
    return np.where(encloses_pole, np.abs(2 * np.pi - area), area)


def area_weights(ds: Any, axes: Axes, dims: Any = None) -> xr.DataArray | None:
    """Area weights over the horizontal dims that are in ``dims`` (all when None); None = equal weights."""
    h, (kind, _, var) = axes.horizontal, axes.weights.partition(":")
    keep = set(h.dims if dims is None else dims)
    if kind in ("area", "gaussian"):
        w = load(ds[var].variable.astype("float64"))
        w = xr.DataArray(w.values, dims=w.dims)
    elif kind == "bounds" and h.kind == "curvilinear":
        lat_b, lon_b = ds[ds[h.lat].attrs["bounds"]], ds[ds[h.lon].attrs["bounds"]]
        w = xr.DataArray(_spherical_polygon(lat_b.values.astype(float), lon_b.values.astype(float)),
                         dims=ds[h.lat].dims)
    elif kind == "bounds":
        b = np.deg2rad(ds[ds[h.lat].attrs["bounds"]].values.astype(float))
        w = xr.DataArray(np.abs(np.sin(b[:, 1]) - np.sin(b[:, 0])), dims=ds[h.lat].dims)
        lon_b = ds[h.lon].attrs.get("bounds") if h.lon else None
        if lon_b in ds.variables:
            lb = ds[lon_b].values.astype(float)
            width = np.abs((lb[:, 1] - lb[:, 0] + 180.0) % 360.0 - 180.0)
            w = w * xr.DataArray(np.deg2rad(np.where(width == 0, 360.0, width)), dims=ds[h.lon].dims)
    elif kind == "cos":
        lat = xr.DataArray(ds[h.y].values.astype(float), dims=ds[h.y].dims) if h.kind == "rotated" \
            else latlon(ds, axes)[0]
        w = np.cos(np.deg2rad(lat)).clip(min=0.0)
    else:
        return None
    extra = [d for d in w.dims if d not in keep]
    if extra:  # a factor over a dim the variable lacks: its weights do not depend on it
        return None if set(w.dims) <= set(extra) else w.isel({d: 0 for d in extra})
    return w.fillna(0.0)
