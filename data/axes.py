"""The dataset model: a Dataset's (or table's) axes, found once by one set of CF rules.

``describe_axes(obj) -> Axes`` is what the prompt encoders and the tools both read, so they agree on
the same file: time axes (dates on any calendar, kept as cftime off the standard calendar; `month`,
`season`, `year` dimensions that are not dates; numeric times decoded by ``times.decode`` with a
note), the vertical axis (name, units, positive up/down), the horizontal grid kind ("regular" 1-D
lat/lon, "curvilinear" 2-D lat/lon, "rotated" pole, "unstructured" cells, "projected" x/y, or
"none"), where area weights come from, units and fill values, and the numeric variables.
``Axes.describe()`` says all that (and what could not be read) in short lines a prompt can state.
Only metadata and 1-D coordinates are read; data stay lazy.  Arrays (weights, 2-D lat/lon) come
from ``data.areas``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import times as _times
from .times import TimeAxis, attr_text, short_num, time_axes

DEG_N = {"degrees_north", "degree_north", "degrees_n", "degree_n", "degreesn", "degreen", "degrees north"}
DEG_E = {"degrees_east", "degree_east", "degrees_e", "degree_e", "degreese", "degreee", "degrees east"}
LAT_NAMES = {"lat", "latitude", "nav_lat", "lats", "xlat", "lat_rho", "latitudes", "glat", "tlat"}
LON_NAMES = {"lon", "longitude", "nav_lon", "lons", "long", "xlong", "lon_rho", "longitudes", "glon", "tlon"}
LEVEL_NAMES = {"level", "levels", "lev", "ilev", "plev", "plevel", "pressure", "pressure_level", "isobaric",
               "z", "z_t", "z_w", "depth", "deptht", "depthu", "depthv", "depthw", "height", "altitude", "sigma",
               "hybrid", "bottom_top", "olevel", "isobaricinhpa"}
PRESSURE_UNITS = {"pa", "hpa", "mb", "mbar", "millibar", "millibars", "kpa", "dbar", "decibar", "atm"}
CELL_DIMS = {"ncol", "ncells", "ncell", "cell", "cells", "node", "nodes", "nmesh2_face", "nmesh2_node", "nelem",
             "elem", "ncells2", "cell_index", "n_cells"}
PROJ_X, PROJ_Y = {"x", "xc", "xcoord", "easting", "west_east"}, {"y", "yc", "ycoord", "northing", "south_north"}
AREA_NAMES = {"area", "cell_area", "areacella", "areacello", "tarea", "uarea", "area_t"}
GAUSS_NAMES = {"gw", "gauss_weights", "gaussian_weights", "wgt", "weights"}


def is_numeric(x: Any) -> bool:
    """THE definition of a numeric variable: ints or floats (not booleans, not dates), with values."""
    dtype = getattr(x, "dtype", None)
    if dtype is None or not int(getattr(x, "size", 0)):
        return False
    return (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
            and not pd.api.types.is_complex_dtype(dtype))


@dataclass(frozen=True)
class Vertical:
    name: str
    dim: str
    values: np.ndarray
    units: str | None
    positive: str | None  # "up" or "down"
    kind: str  # "pressure", "depth", "height", "sigma" or "level"

    def describe(self) -> str:
        v = self.values
        unit = f" {self.units}" if self.units else ""
        span = f"{short_num(v[0])} .. {short_num(v[-1])}{unit}" if len(v) > 1 else f"{short_num(v[0])}{unit}"
        way = f", positive {self.positive}" if self.positive else ""
        return f"vertical: {self.name}, {len(v)} {self.kind} level{'s' if len(v) != 1 else ''} {span}{way}"


@dataclass(frozen=True)
class Horizontal:
    """kind: regular | curvilinear | rotated | unstructured | projected | none. ``dims`` are what an
    area mean reduces; ``lat``/``lon`` the variables holding latitude/longitude (1-D or 2-D), if any."""

    kind: str = "none"
    dims: tuple[str, ...] = ()
    lat: str | None = None
    lon: str | None = None
    x: str | None = None  # the 1-D grid coordinates of rotated and projected grids
    y: str | None = None
    radians: bool = False
    grid_mapping: str | None = None

    @property
    def has_latlon(self) -> bool:
        return self.kind == "rotated" and self.grid_mapping is not None or bool(self.lat and self.lon)


@dataclass(frozen=True)
class Axes:
    times: tuple[TimeAxis, ...] = ()
    vertical: Vertical | None = None
    horizontal: Horizontal = field(default_factory=Horizontal)
    weights: str = "none"  # "area:<var>", "gaussian:<var>", "bounds", "cos", "equal" or "none"
    variables: tuple[str, ...] = ()
    units: dict = field(default_factory=dict)
    fill: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    is_table: bool = False

    @property
    def time(self) -> TimeAxis | None:
        """The main time axis: the first datetime one, else the first."""
        return next((t for t in self.times if t.kind == "datetime"), self.times[0] if self.times else None)

    def time_of(self, dims: Any) -> TimeAxis | None:
        """The time axis along one of ``dims`` (a variable's), datetime ones first."""
        found = [t for t in self.times if t.dim in tuple(dims)]
        return next((t for t in found if t.kind == "datetime"), found[0] if found else None)

    def category_dims(self) -> set[str]:
        """Dims a statistic keeps unless told: the vertical axis and month/season axes."""
        out = {t.dim for t in self.times if t.kind in ("month", "season")}
        return out | ({self.vertical.dim} if self.vertical else set())

    @property
    def exact_weights(self) -> bool:
        """Whether the area weights are the cells' true areas (not an approximation such as cos(latitude) of a
        curvilinear grid's cells)."""
        kind = self.weights.partition(":")[0]
        return kind in ("area", "gaussian", "bounds") or (kind == "cos" and self.horizontal.kind in ("regular",
                                                                                                      "rotated"))

    def weights_text(self) -> str:
        kind, _, var = self.weights.partition(":")
        return {"area": f"the file's cell areas {var!r}", "gaussian": f"the file's latitude weights {var!r}",
                "bounds": "cell areas from the cell bounds (exact on the sphere)",
                "cos": "cos(latitude)" + (" of the rotated grid (exact for its regular cells)"
                                          if self.horizontal.kind == "rotated" else ""),
                "equal": "equal weights (the file has no cell areas; "
                         + ("unstructured cells are near-equal-area)" if self.horizontal.kind == "unstructured"
                            else "projected cells are equal-area)"),
                "none": "none"}[kind]

    def describe(self) -> list[str]:
        """Short lines saying what was found (and what could not be read), for a prompt."""
        lines = [t.describe() for t in self.times]
        if self.vertical:
            lines.append(self.vertical.describe())
        h = self.horizontal
        if not self.is_table:
            if h.kind == "none":
                lines.append("horizontal: no latitude/longitude axes")
            else:
                where = {"regular": "1-D latitude/longitude", "curvilinear": "2-D latitude/longitude",
                         "rotated": "rotated pole", "unstructured": "unstructured cells",
                         "projected": "projected x/y"}[h.kind]
                names = "/".join(n for n in (h.y or h.lat, h.x or h.lon) if n)
                extra = " (latitude only: zonal means)" if h.kind == "regular" and not h.lon else ""
                extra += "" if h.has_latlon or h.kind in ("regular", "projected") else " without lat/lon"
                lines.append(f"horizontal: {h.kind} grid, {where} ({names or ', '.join(h.dims)}) on dims "
                             f"{' × '.join(h.dims)}{extra}; area weights: {self.weights_text()}")
        lines += [f"note: {n}" for n in self.notes]
        return lines


def describe_axes(obj: Any) -> Axes:
    """The axes of a pandas DataFrame or an xarray Dataset/DataArray (metadata only: no data read)."""
    if isinstance(obj, pd.DataFrame):
        return _table_axes(obj)
    if hasattr(obj, "to_dataset") and not hasattr(obj, "data_vars"):
        obj = obj.to_dataset(name=obj.name if obj.name is not None else "value")
    notes: list[str] = []
    times = time_axes(obj, notes)
    taken = {t.name for t in times}
    horizontal = _horizontal(obj)
    taken |= {n for n in (horizontal.lat, horizontal.lon, horizontal.x, horizontal.y) if n}
    vertical = _vertical(obj, taken)
    weights = _weights_source(obj, horizontal)
    aux = _auxiliary(obj, horizontal, weights)
    data = _data_vars(obj)  # Variables, not DataArrays: building 300 DataArrays takes a second
    variables = tuple(str(n) for n, v in data if n not in aux and v.ndim >= 1 and is_numeric(v))
    skipped = [str(n) for n, v in data if n not in aux and v.ndim >= 1 and not is_numeric(v)]
    if skipped:
        notes.append(f"not numeric, so not offered: {', '.join(skipped[:5])}" + (" ..." if len(skipped) > 5 else ""))
    units = {str(n): str(v.attrs["units"]) for n, v in obj.variables.items() if v.attrs.get("units") not in (None, "")}
    fill = {str(n): v.encoding.get("_FillValue", v.encoding.get("missing_value")) for n, v in data
            if v.encoding.get("_FillValue", v.encoding.get("missing_value")) is not None}
    notes = [str(n) for n in obj.attrs.get("load_notes", [])] + notes
    return Axes(tuple(times), vertical, horizontal, weights, variables, units, fill, tuple(dict.fromkeys(notes)))


def _data_vars(ds: Any) -> list[tuple[Any, Any]]:
    """(name, Variable) of the data variables."""
    return [(n, ds.variables[n]) for n in ds.data_vars]


def _table_axes(df: pd.DataFrame) -> Axes:
    numeric = tuple(c for c in df.columns if is_numeric(df[c]))
    times: tuple[TimeAxis, ...] = ()
    column = next((c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c].dtype)), None)
    if column is not None:
        times = (TimeAxis(str(column), str(column), "datetime", pd.DatetimeIndex(df[column])),)
    elif isinstance(df.index, pd.DatetimeIndex):
        name = df.index.name or "index"
        times = (TimeAxis(str(name), str(name), "datetime", df.index),)
    units = df.attrs.get("units") if isinstance(df.attrs.get("units"), dict) else {}
    return Axes(times=times, variables=numeric, units=dict(units), is_table=True)


# -- vertical -------------------------------------------------------------------------------------------
def _vertical(ds: Any, taken: set) -> Vertical | None:
    used = {d for _, v in _data_vars(ds) for d in v.dims}
    for name, c in sorted(ds.coords.items(), key=lambda kv: (kv[0] not in used, kv[0] not in ds.dims)):
        if name in taken or c.ndim != 1 or c.dtype.kind not in "iuf":
            continue
        a, low = c.attrs, str(name).lower()
        std, units, positive = attr_text(a, "standard_name"), attr_text(a, "units"), attr_text(a, "positive")
        hit = (low in LEVEL_NAMES or attr_text(a, "axis") == "z" or positive in ("up", "down")
               or units in PRESSURE_UNITS
               or any(k in std for k in ("air_pressure", "depth", "height", "altitude", "sigma", "hybrid", "level")))
        if not hit:
            continue
        kind = ("pressure" if units in PRESSURE_UNITS or "pressure" in std else "sigma" if "sigma" in low + std
                else "depth" if "depth" in low + std else "height" if "height" in low + std or "altitude" in std
                else "level")
        if positive not in ("up", "down"):
            positive = {"pressure": "down", "sigma": "down", "depth": "down", "height": "up"}.get(kind)
        return Vertical(str(name), str(c.dims[0]), np.asarray(c.values, dtype=float), a.get("units") or None,
                        positive or None, kind)
    return None


# -- horizontal -----------------------------------------------------------------------------------------
def _is_lat(name: Any, v: Any) -> bool:
    return is_numeric(v) and (attr_text(v.attrs, "standard_name") == "latitude" or attr_text(v.attrs, "units") in DEG_N
                              or str(name).lower() in LAT_NAMES)


def _is_lon(name: Any, v: Any) -> bool:
    return is_numeric(v) and (attr_text(v.attrs, "standard_name") == "longitude" or attr_text(v.attrs, "units") in DEG_E
                              or str(name).lower() in LON_NAMES)


def _horizontal(ds: Any) -> Horizontal:
    candidates = sorted(ds.variables.items(), key=lambda kv: (kv[0] not in ds.dims, kv[0] not in ds.coords))
    lats = [(str(n), v) for n, v in candidates if _is_lat(n, v) and not _is_lon(n, v)]
    lons = [(str(n), v) for n, v in candidates if _is_lon(n, v) and not _is_lat(n, v)]
    lat1 = next((n for n, v in lats if v.ndim == 1 and n in ds.dims), None)
    lon1 = next((n for n, v in lons if v.ndim == 1 and n in ds.dims), None)
    if lat1 or lon1:
        return Horizontal("regular", tuple(n for n in (lat1, lon1) if n), lat1, lon1)
    rot = {str(attr_text(v.attrs, "standard_name")): str(n) for n, v in ds.coords.items() if v.ndim == 1}
    ry = rot.get("grid_latitude") or ("rlat" if "rlat" in ds.dims else None)
    rx = rot.get("grid_longitude") or ("rlon" if "rlon" in ds.dims else None)
    lat2 = next(((n, v) for n, v in lats if v.ndim == 2), None)
    lon2 = next(((n, v) for n, v in lons if lat2 and v.ndim == 2 and v.dims == lat2[1].dims), None)
    if ry and rx:
        mapping = next((str(v.attrs["grid_mapping"]) for _, v in _data_vars(ds)
                        if v.attrs.get("grid_mapping") in ds.variables), None)
        lat, lon = (lat2[0], lon2[0]) if lat2 and lon2 else (None, None)
        return Horizontal("rotated", (str(ds.variables[ry].dims[0]), str(ds.variables[rx].dims[0])), lat, lon, rx, ry,
                          grid_mapping=mapping)
    if lat2 and lon2:
        return Horizontal("curvilinear", tuple(map(str, lat2[1].dims)), lat2[0], lon2[0])
    for n, v in lats:
        lon = next((m for m, w in lons if v.ndim == 1 and w.dims == v.dims), None)
        if lon:
            radians = "rad" in attr_text(v.attrs, "units")
            return Horizontal("unstructured", (str(v.dims[0]),), n, lon, radians=radians)
    cells = next((str(d) for d in ds.dims if str(d).lower() in CELL_DIMS), None)
    if cells:
        return Horizontal("unstructured", (cells,))
    axes = {attr_text(v.attrs, "axis"): str(n) for n, v in ds.coords.items() if v.ndim == 1 and n in ds.dims}
    px = axes.get("x") or next((str(d) for d in ds.dims if str(d).lower() in PROJ_X and d in ds.coords), None)
    py = axes.get("y") or next((str(d) for d in ds.dims if str(d).lower() in PROJ_Y and d in ds.coords), None)
    if px and py:
        return Horizontal("projected", (py, px), x=px, y=py)
    return Horizontal()


def _weights_source(ds: Any, h: Horizontal) -> str:
    if h.kind == "none":
        return "none"
    dims = set(h.dims)
    measures = [str(v.attrs.get("cell_measures", "")) for _, v in _data_vars(ds)]
    named = {m.split("area:")[1].split()[0] for m in measures if "area:" in m}
    for n, v in ds.variables.items():
        if is_numeric(v) and set(v.dims) == dims and (n in named or str(n).lower() in AREA_NAMES
                                                      or attr_text(v.attrs, "standard_name") == "cell_area"):
            return f"area:{n}"
    lat = h.lat or h.y
    if h.kind == "regular" and lat:
        for n, v in ds.variables.items():
            if (str(n).lower() in GAUSS_NAMES or "gaussian" in attr_text(v.attrs, "long_name")) \
                    and v.dims == ds.variables[lat].dims and is_numeric(v):
                return f"gaussian:{n}"
    if h.lat and ds.variables[h.lat].attrs.get("bounds") in ds.variables and h.kind in ("regular", "curvilinear"):
        return "bounds"
    if h.kind in ("unstructured", "projected") or (h.kind == "rotated" and not h.y):
        return "equal"
    return "cos" if (h.lat or h.kind == "rotated") else "equal"


def _auxiliary(ds: Any, h: Horizontal, weights: str) -> set:
    """Variables that describe the grid or the time axis rather than data (bounds, 2-D lat/lon, weights...)."""
    aux = {v.attrs.get("bounds") for v in ds.variables.values()} | {h.lat, h.lon, h.grid_mapping}
    aux |= {weights.partition(":")[2]} | {n for n in ds.data_vars if str(n).endswith(("_bnds", "_bounds"))}
    aux |= {n for n, v in _data_vars(ds) if _times.number_date_format(v.attrs) or "grid_mapping_name" in v.attrs}
    return aux - {None, ""}


