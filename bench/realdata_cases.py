"""Questions over the 20 real NetCDF files in ../shared/realdata/, with answers computed by xarray/numpy here.

Each `Case` holds a question as a geoscientist would type it, the file it is about, the grid kind and the
question kind, a tolerance, and `expected(ds) -> float`: a function that computes the answer from the file
opened *directly with xarray* (`open_reference`), never through the app's loader or tools, and never a typed
number. `call`/`read` give the direct tool call that answers the question (the tool ceiling, see
bench/realdata_eval.py) and how to read the number from its result.

Conventions the reference follows (stated so a reviewer can check them):
- area weights: the file's own weights (`gw`), else cell areas from cell bounds (1-D bounds: sin(lat) steps;
  2-D corner bounds: spherical quadrilaterals), else cos(latitude); on a rotated grid cos(rotated latitude);
  unstructured cells without areas (CAM-SE columns, ICON cells) count equally: those meshes are near
  equal-area, so cos(latitude) would weight the tropics twice;
- means skip missing values; "between A and B" includes both edges; a longitude range runs eastward;
- seasons follow the file's own `season` description (1..4 = DJF, MAM, JJA, SON), `month` 0..11 = Jan..Dec;
- trends are least-squares slopes against decimal years, times 10 for "per decade";
- kelvin to °C subtracts 273.15; precipitation flux kg m-2 s-1 to mm/day multiplies by 86400.
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
K0 = 273.15

# Files whose time units xarray cannot decode by default: opened with decode_times=False, decoded below.
_RAW_TIME = {"climdiv_prcp_1899-1999.nc", "hgt.nc"}


@lru_cache(maxsize=None)
def open_reference(file: str) -> xr.Dataset:
    """The file read straight with xarray (in memory), independent of the app's loader."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with xr.open_dataset(REALDATA / file, decode_times=file not in _RAW_TIME) as ds:
            return ds.load()


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    grid: str  # regular, curvilinear, rotated, unstructured, projected, station, index, month-season
    kind: str  # count, extreme, where, when, regional-mean, difference, trend, threshold, conversion, climatology
    question: str
    expected: Callable[[xr.Dataset], float]
    tol: dict[str, float] = field(default_factory=lambda: {"rel": 0.005})
    call: dict[str, Any] | None = None  # {"name": tool, "arguments": {...}}: the direct tool call
    read: str | Callable[[Any], float] | None = None  # key path ("value", "rows.0.mean") or function of the value

    def want(self) -> float:
        return float(self.expected(open_reference(self.file)))

    def allowed(self, want: float) -> float:
        return max(self.tol.get("abs", 0.0), self.tol.get("rel", 0.0) * abs(want))


# -- reference helpers ---------------------------------------------------------------------------------

EDGE = 1e-6  # degrees: a grid line on a box edge counts as inside (files store 0 as -2.9e-10)


def lon_in(lon: Any, west: float, east: float) -> Any:
    """Longitudes from `west` eastward to `east`, in either convention (0-360 or ±180)."""
    return ((lon - west + EDGE) % 360) <= ((east - west) % 360) + 2 * EDGE


def box(lat: Any, lon: Any, lat_range: tuple[float, float] | None = None,
        lon_range: tuple[float, float] | None = None) -> Any:
    mask = xr.ones_like(lat, dtype=bool) if lon is None else xr.ones_like(lat * lon, dtype=bool)
    if lat_range:
        mask = mask & (lat >= lat_range[0] - EDGE) & (lat <= lat_range[1] + EDGE)
    if lon_range:
        mask = mask & lon_in(lon, *lon_range)
    return mask


def wmean(da: xr.DataArray, weights: Any, mask: Any = True) -> float:
    """sum(w x) / sum(w) over the valid points inside the mask."""
    w = (xr.ones_like(da) * weights).where(da.notnull() & mask)
    return float((da * w).sum() / w.sum())


def coslat(lat: Any) -> Any:
    return np.cos(np.deg2rad(lat))


def bounds_weights(bnds: xr.DataArray) -> xr.DataArray:
    """Cell-area weights of 1-D latitude bounds: |sin(north) - sin(south)|."""
    s = np.sin(np.deg2rad(bnds))
    return abs(s.isel({bnds.dims[-1]: 1}) - s.isel({bnds.dims[-1]: 0}))


def corner_areas(lat_b: xr.DataArray, lon_b: xr.DataArray) -> xr.DataArray:
    """Areas (unit sphere) of cells given by 4 corners in order, as two spherical triangles."""
    la, lo = np.deg2rad(lat_b.values), np.deg2rad(lon_b.values)
    p = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)

    def tri(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        num = np.abs(np.einsum("...i,...i", a, np.cross(b, c)))
        den = 1 + np.einsum("...i,...i", a, b) + np.einsum("...i,...i", b, c) + np.einsum("...i,...i", c, a)
        return 2 * np.arctan2(num, den)

    a, b, c, d = (p[..., i, :] for i in range(4))
    return xr.DataArray(tri(a, b, c) + tri(a, c, d), dims=lat_b.dims[:-1])


def rotated_to_geographic(rlat: Any, rlon: Any, pole_lat: float, pole_lon: float) -> tuple[Any, Any]:
    """True latitude/longitude (degrees) of rotated-pole coordinates (CF rotated_latitude_longitude)."""
    rla, rlo, pla = np.deg2rad(rlat), np.deg2rad(rlon), np.deg2rad(pole_lat)
    lat = np.arcsin(np.sin(rla) * np.sin(pla) + np.cos(rla) * np.cos(rlo) * np.cos(pla))
    lon = np.arctan2(np.cos(rla) * np.sin(rlo), np.sin(pla) * np.cos(rla) * np.cos(rlo) - np.cos(pla) * np.sin(rla))
    return np.rad2deg(lat), (np.rad2deg(lon) + pole_lon + 180 + 180) % 360 - 180


def per_decade(years: Any, values: Any) -> float:
    years, values = np.asarray(years, float), np.asarray(values, float)
    ok = np.isfinite(values)
    return float(np.polyfit(years[ok], values[ok], 1)[0] * 10)


def at_max(da: xr.DataArray, coord: str, fn: str = "argmax") -> float:
    """The value of `coord` where da is largest (fn='argmax') or smallest ('argmin')."""
    flat = int(getattr(np, "nan" + fn)(da.values))
    index = np.unravel_index(flat, da.shape)
    point = da[dict(zip(da.dims, index))]
    return float(point[coord])


def decimal_year(times: Any) -> np.ndarray:
    """Decimal years of datetime64 or cftime values (any calendar)."""
    t = xr.DataArray(np.asarray(times), dims="t")
    year, doy = t.dt.year.values, t.dt.dayofyear.values
    days = np.asarray(t.dt.days_in_year.values if hasattr(t.dt, "days_in_year") else 365.25)
    return year + (doy - 0.5) / days


# --- per-file readers of odd time axes ----------------------------------------------------------------

def months_since(values: Any, year0: int) -> tuple[np.ndarray, np.ndarray]:
    """(year, month) of 'months since Jan year0' offsets."""
    v = np.asarray(values).astype(int)
    return year0 + v // 12, v % 12 + 1


def yyyymm(values: Any) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(values).astype(int)
    return v // 100, v % 100


def yyyymmdd_month(values: Any) -> np.ndarray:
    return (np.asarray(values).astype(int) // 100) % 100


def sfbay_column(ds: xr.Dataset, label: str) -> pd.Series:
    """One column of the unnamed string table, as numbers ('-' -> NaN), indexed by date-time."""
    arr = ds["__xarray_dataarray_variable__"]
    labels = [str(x) for x in arr["dim_1"].values]
    col = next(i for i, name in enumerate(labels) if name.startswith(label))
    when = pd.to_datetime([f"{d} {t}" for d, t in zip(arr.values[:, 0], arr.values[:, 1])], format="%Y/%m/%d %H:%M")
    return pd.Series(pd.to_numeric(arr.values[:, col], errors="coerce"), index=when)


# -- the cases -------------------------------------------------------------------------------------------

CASES: list[Case] = []


def case(id: str, file: str, grid: str, kind: str, question: str, expected: Callable[[xr.Dataset], float],
         tol: dict[str, float] | None = None) -> None:
    CASES.append(Case(id, file, grid, kind, question, expected, tol or {"rel": 0.005}))


T_ABS = {"abs": 0.05}  # temperatures, in K or °C, to the tool's 6 significant digits
EXACT = {"abs": 0.0}
GRID_STEP = {"abs": 0.6}  # a latitude/longitude where something occurs (grids >= 1° apart are distinct)

# 1. tas_rectilinear_grid_2D.nc: regular lat/lon with bounds, 12 months of 2005, tas in K --------------
F = "tas_rectilinear_grid_2D.nc"


def _tas_w(ds: xr.Dataset) -> xr.DataArray:
    return bounds_weights(ds.lat_bnds)


case("tasrect-global-jul-c", F, "regular", "regional-mean",
     "What is the area-weighted global mean near-surface air temperature in July 2005, in °C?",
     lambda ds: wmean(ds.tas.sel(time="2005-07"), _tas_w(ds)) - K0, T_ABS)
case("tasrect-global-annual", F, "regular", "regional-mean",
     "What is the global mean tas over the whole year 2005 in kelvin (area-weighted)?",
     lambda ds: wmean(ds.tas, _tas_w(ds)), T_ABS)
case("tasrect-tropics-jja-c", F, "regular", "regional-mean",
     "What is the area-weighted mean tas between 30S and 30N in June-July-August (JJA), in °C?",
     lambda ds: wmean(ds.tas.sel(time=ds.time.dt.month.isin([6, 7, 8])), _tas_w(ds),
                      box(ds.lat, ds.lon, (-30, 30))) - K0, T_ABS)
case("tasrect-europe-jan-c", F, "regular", "regional-mean",
     "What is the mean January 2005 temperature over Europe, 35N to 70N and 10W to 40E, in degrees Celsius?",
     lambda ds: wmean(ds.tas.sel(time="2005-01"), _tas_w(ds), box(ds.lat, ds.lon, (35, 70), (-10, 40))) - K0,
     T_ABS)
case("tasrect-max-jan", F, "regular", "extreme",
     "What is the highest near-surface air temperature anywhere in January 2005, in K?",
     lambda ds: float(ds.tas.sel(time="2005-01").max()), T_ABS)
case("tasrect-max-jan-lat", F, "regular", "where",
     "At what latitude is the highest January 2005 near-surface air temperature?",
     lambda ds: at_max(ds.tas.sel(time="2005-01").squeeze("time"), "lat"), GRID_STEP)
case("tasrect-jul-minus-jan", F, "regular", "difference",
     "By how much does the global mean tas change from January to July 2005 (July minus January, in K)?",
     lambda ds: wmean(ds.tas.sel(time="2005-07"), _tas_w(ds)) - wmean(ds.tas.sel(time="2005-01"), _tas_w(ds)),
     T_ABS)
case("tasrect-count-hot-jul", F, "regular", "threshold",
     "How many grid cells have a July 2005 tas above 305 K?",
     lambda ds: int((ds.tas.sel(time="2005-07") > 305).sum()), EXACT)
case("tasrect-ntime", F, "regular", "count",
     "How many time steps does this tas file have?",
     lambda ds: ds.sizes["time"], EXACT)
case("tasrect-min-c", F, "regular", "conversion",
     "What is the coldest tas value in the file, converted to °C?",
     lambda ds: float(ds.tas.min()) - K0, T_ABS)

# 2. tos_ocean_bipolar_grid.nc: curvilinear bipolar ocean grid, corner bounds, 1 time, K -------------
F = "tos_ocean_bipolar_grid.nc"


def _tos_w(ds: xr.Dataset) -> xr.DataArray:
    return corner_areas(ds.lat_bnds, ds.lon_bnds)


case("tos-global-mean-c", F, "curvilinear", "regional-mean",
     "What is the area-weighted global mean sea surface temperature in this file, in °C?",
     lambda ds: wmean(ds.tos, _tos_w(ds)) - K0, {"abs": 0.1})
case("tos-nino34-c", F, "curvilinear", "regional-mean",
     "What is the mean SST in the Niño 3.4 region (5S-5N, 170W-120W) in °C?",
     lambda ds: wmean(ds.tos, _tos_w(ds), box(ds.lat, ds.lon, (-5, 5), (-170, -120))) - K0, {"abs": 0.1})
case("tos-tropics-c", F, "curvilinear", "regional-mean",
     "What is the area-weighted mean sea surface temperature between 30S and 30N in the first time step, in °C?",
     lambda ds: wmean(ds.tos.isel(time=0), _tos_w(ds), box(ds.lat, ds.lon, (-30, 30))) - K0, {"abs": 0.1})
case("tos-max", F, "curvilinear", "extreme",
     "What is the warmest sea surface temperature in the file, in kelvin?",
     lambda ds: float(ds.tos.max()), T_ABS)
case("tos-max-lat", F, "curvilinear", "where",
     "At what latitude is the warmest sea surface temperature found?",
     lambda ds: at_max(ds.tos.isel(time=0), "lat"), {"abs": 0.5})
case("tos-count-freezing", F, "curvilinear", "threshold",
     "How many ocean grid cells have an SST below 272 K?",
     lambda ds: int((ds.tos < 272).sum()), EXACT)
case("tos-north-atlantic-c", F, "curvilinear", "regional-mean",
     "What is the mean SST of the North Atlantic between 40N and 60N and 50W to 10W, in °C?",
     lambda ds: wmean(ds.tos, _tos_w(ds), box(ds.lat, ds.lon, (40, 60), (-50, -10))) - K0, {"abs": 0.1})

# 3. tas_rotated_grid_EUR11.nc: rotated pole, no true lat/lon in the file, 1 time -----------------------
F = "tas_rotated_grid_EUR11.nc"


def _eur_geo(ds: xr.Dataset) -> tuple[xr.DataArray, xr.DataArray]:
    pole = ds.rotated_pole.attrs
    rlat, rlon = xr.broadcast(ds.rlat, ds.rlon)
    return rotated_to_geographic(rlat, rlon, pole["grid_north_pole_latitude"], pole["grid_north_pole_longitude"])


def _eur_tas(ds: xr.Dataset) -> xr.DataArray:
    return ds.tas.isel(time=0, height=0)


case("eur-domain-mean-c", F, "rotated", "regional-mean",
     "What is the area-weighted mean near-surface temperature over the whole EURO-CORDEX domain, in °C?",
     lambda ds: wmean(_eur_tas(ds), coslat(ds.rlat)) - K0, T_ABS)
case("eur-box-c", F, "rotated", "regional-mean",
     "What is the mean 2 m temperature between 45N and 55N and 0E to 20E, in °C?",
     lambda ds: wmean(_eur_tas(ds), coslat(_eur_geo(ds)[0]), box(*_eur_geo(ds), (45, 55), (0, 20))) - K0,
     {"abs": 0.1})
case("eur-max", F, "rotated", "extreme",
     "What is the highest tas value in this regional model file, in K?",
     lambda ds: float(ds.tas.max()), T_ABS)
case("eur-min-c", F, "rotated", "conversion",
     "What is the lowest near-surface temperature in the domain in degrees Celsius?",
     lambda ds: float(ds.tas.min()) - K0, T_ABS)
case("eur-count-frost", F, "rotated", "threshold",
     "How many grid cells are below freezing (273.15 K)?",
     lambda ds: int((ds.tas < 273.15).sum()), EXACT)
case("eur-max-lat", F, "rotated", "where",
     "At what true (geographic) latitude is the warmest grid cell?",
     lambda ds: float(_eur_geo(ds)[0].values.ravel()[int(np.nanargmax(_eur_tas(ds).values))]), {"abs": 0.2})

# 4. ctorca.nc: NEMO ORCA curvilinear (nav_lat/nav_lon), 5 daily steps on time_counter, SST in °C -----
F = "ctorca.nc"


def _orca_mask(ds: xr.Dataset, lat: tuple, lon: tuple | None = None) -> xr.DataArray:
    return box(ds.nav_lat, ds.nav_lon, lat, lon)


case("orca-ntime", F, "curvilinear", "count",
     "How many time steps are in this NEMO file?",
     lambda ds: ds.sizes["time_counter"], EXACT)
case("orca-max-day3", F, "curvilinear", "extreme",
     "What is the maximum SST on 3 January 1870?",
     lambda ds: float(ds.sosstsst.sel(time_counter="1870-01-03").max()), T_ABS)
case("orca-nino34-day1", F, "curvilinear", "regional-mean",
     "What is the mean SST in the Niño 3.4 box (5S to 5N, 170W to 120W) on the first day?",
     lambda ds: wmean(ds.sosstsst.isel(time_counter=0), coslat(ds.nav_lat), _orca_mask(ds, (-5, 5), (-170, -120))),
     {"abs": 0.05})
case("orca-nino34-change", F, "curvilinear", "difference",
     "By how much does the Niño 3.4 (5S-5N, 170W-120W) mean SST change from the first to the last day?",
     lambda ds: (wmean(ds.sosstsst.isel(time_counter=-1), coslat(ds.nav_lat), _orca_mask(ds, (-5, 5), (-170, -120)))
                 - wmean(ds.sosstsst.isel(time_counter=0), coslat(ds.nav_lat),
                         _orca_mask(ds, (-5, 5), (-170, -120)))), {"abs": 0.01})
case("orca-min", F, "curvilinear", "extreme",
     "What is the coldest SST anywhere over the five days?",
     lambda ds: float(ds.sosstsst.min()), T_ABS)
case("orca-count-warm", F, "curvilinear", "threshold",
     "On the last day, how many ocean grid points have an SST above 29 °C?",
     lambda ds: int((ds.sosstsst.isel(time_counter=-1) > 29).sum()), EXACT)
case("orca-max-lat", F, "curvilinear", "where",
     "At what latitude is the warmest SST on the first day?",
     lambda ds: float(ds.nav_lat.values.ravel()[int(np.nanargmax(ds.sosstsst.isel(time_counter=0).values))]),
     {"abs": 0.3})
case("orca-tropics-f", F, "curvilinear", "conversion",
     "What is the mean SST between 10S and 10N on the first day in degrees Fahrenheit?",
     lambda ds: wmean(ds.sosstsst.isel(time_counter=0), coslat(ds.nav_lat), _orca_mask(ds, (-10, 10))) * 9 / 5 + 32,
     {"abs": 0.1})

# 5. TREFHT.B06.66.atm.1890-1999ANN.nc: 110 annual means, noleap, K -------------------------------------
F = "TREFHT.B06.66.atm.1890-1999ANN.nc"


def _gm(ds: xr.Dataset, lat: tuple | None = None) -> xr.DataArray:
    """Area-weighted (cos lat) mean time series."""
    w = coslat(ds.lat) * xr.ones_like(ds.lon)
    if lat:
        w = w.where((ds.lat >= lat[0]) & (ds.lat <= lat[1]), 0)
    return (ds.TREFHT * w).sum(("lat", "lon")) / w.sum()


case("trefht-trend", F, "regular", "trend",
     "What is the trend of global mean TREFHT per decade?",
     lambda ds: per_decade(decimal_year(ds.time.values), _gm(ds).values), {"rel": 0.02, "abs": 0.0005})
case("trefht-1990-c", F, "regular", "regional-mean",
     "What is the global mean reference height temperature in 1990, in °C?",
     lambda ds: float(_gm(ds).sel(time=ds.time.dt.year == 1990).item()) - K0, T_ABS)
case("trefht-warmest-year", F, "regular", "when",
     "In which year is the global mean TREFHT highest?",
     lambda ds: int(ds.time.dt.year[int(np.nanargmax(_gm(ds).values))]), EXACT)
case("trefht-decade-diff", F, "regular", "difference",
     "How much warmer is the global mean TREFHT in 1990-1999 than in 1890-1899?",
     lambda ds: float(_gm(ds).sel(time=ds.time.dt.year >= 1990).mean()
                      - _gm(ds).sel(time=ds.time.dt.year < 1900).mean()),
     {"abs": 0.01})
case("trefht-nh-1950", F, "regular", "regional-mean",
     "What is the Northern Hemisphere (0-90N) area-weighted mean TREFHT in 1950, in K?",
     lambda ds: float(_gm(ds, (0, 90)).sel(time=ds.time.dt.year == 1950).item()), T_ABS)
case("trefht-max", F, "regular", "extreme",
     "What is the highest annual-mean TREFHT anywhere in any year?",
     lambda ds: float(ds.TREFHT.max()), T_ABS)
case("trefht-max-year", F, "regular", "when",
     "In which year does the highest annual-mean TREFHT at any grid point occur?",
     lambda ds: int(ds.time.dt.year[int(np.nanargmax(ds.TREFHT.values) // (ds.sizes["lat"] * ds.sizes["lon"]))]),
     EXACT)
case("trefht-nyears", F, "regular", "count",
     "How many years does this TREFHT file cover?",
     lambda ds: ds.sizes["time"], EXACT)
case("trefht-arctic-trend", F, "regular", "trend",
     "What is the trend per decade of the area-weighted mean TREFHT north of 60N?",
     lambda ds: per_decade(decimal_year(ds.time.values), _gm(ds, (60, 90)).values), {"rel": 0.02, "abs": 0.001})

# 6. tas_mod2_hist_rectilin_grid_2D.nc: a single point, 56 annual values, 360_day calendar -------------
F = "tas_mod2_hist_rectilin_grid_2D.nc"


def _pt(ds: xr.Dataset) -> xr.DataArray:
    return ds.tas.squeeze()


case("pt360-mean-c", F, "station", "conversion",
     "What is the mean near-surface temperature over the whole record, in °C?",
     lambda ds: float(_pt(ds).mean()) - K0, T_ABS)
case("pt360-trend", F, "station", "trend",
     "What is the linear trend of tas in K per decade?",
     lambda ds: per_decade(decimal_year(ds.time.values), _pt(ds).values), {"rel": 0.02, "abs": 0.001})
case("pt360-max-year", F, "station", "when",
     "Which year has the highest tas?",
     lambda ds: int(ds.time.dt.year[int(np.nanargmax(_pt(ds).values))]), EXACT)
case("pt360-count", F, "station", "threshold",
     "In how many years is tas above 294.5 K?",
     lambda ds: int((_pt(ds) > 294.5).sum()), EXACT)
case("pt360-mean-1990s", F, "station", "regional-mean",
     "What is the mean tas from 1990 to 1999 in kelvin?",
     lambda ds: float(_pt(ds).sel(time=(ds.time.dt.year >= 1990) & (ds.time.dt.year <= 1999)).mean()), T_ABS)

# 7. SOI_Darwin.nc: monthly index; time = months since Jan 1882, separate `date` (YYYYMM) ----------------
F = "SOI_Darwin.nc"


def _soi_year(ds: xr.Dataset) -> np.ndarray:
    return yyyymm(ds.date.values)[0]


case("soi-count-above2", F, "index", "threshold",
     "How many months have a Darwin SOI above 2?",
     lambda ds: int((ds.DSOI > 2).sum()), EXACT)
case("soi-min", F, "index", "extreme",
     "What is the lowest Darwin SOI value in the record?",
     lambda ds: float(ds.DSOI.min()), {"abs": 0.005})
case("soi-min-year", F, "index", "when",
     "In which year does the lowest Darwin SOI occur?",
     lambda ds: int(_soi_year(ds)[int(np.nanargmin(ds.DSOI.values))]), EXACT)
case("soi-mean-1950s", F, "index", "regional-mean",
     "What is the mean Darwin SOI from 1950 through 1959?",
     lambda ds: float(ds.DSOI[(_soi_year(ds) >= 1950) & (_soi_year(ds) <= 1959)].mean()), {"abs": 0.005})
case("soi-nmonths", F, "index", "count",
     "How many monthly values does the SOI record hold?",
     lambda ds: ds.sizes["time"], EXACT)
case("soi-trend", F, "index", "trend",
     "What is the trend of the Darwin SOI per decade?",
     lambda ds: per_decade(_soi_year(ds) + (yyyymm(ds.date.values)[1] - 0.5) / 12, ds.DSOI.values),
     {"rel": 0.03, "abs": 0.002})

# 8. Boulder.temp.1897-2014.nc: station; `time` monthly (YYYYMM ints) and `TIME` annual (years) --------
F = "Boulder.temp.1897-2014.nc"


def _boulder_clim(ds: xr.Dataset) -> xr.DataArray:
    return ds.TEMP.groupby(xr.DataArray(yyyymm(ds.time.values)[1], dims="time", name="month")).mean()


case("boulder-warmest-month-c", F, "station", "climatology",
     "In which month is Boulder's mean temperature highest, and what is that monthly mean in °C?",
     lambda ds: float(_boulder_clim(ds).max()), T_ABS)
case("boulder-coldest-month-f", F, "station", "climatology",
     "What is Boulder's mean January temperature over the whole record, in °F?",
     lambda ds: float(ds.temp[yyyymm(ds.time.values)[1] == 1].mean()), T_ABS)
case("boulder-warmest-year", F, "station", "when",
     "Which year has the warmest annual mean temperature in Boulder?",
     lambda ds: int(ds.TIME[int(np.nanargmax(ds.TEMP_ANNUAL.values))]), EXACT)
case("boulder-annual-trend", F, "station", "trend",
     "What is the trend of Boulder's annual mean temperature in °C per decade?",
     lambda ds: per_decade(ds.TIME.values, ds.TEMP_ANNUAL.values), {"rel": 0.02, "abs": 0.002})
case("boulder-count-warm-years", F, "station", "threshold",
     "How many years have a Boulder annual mean temperature above 11 °C?",
     lambda ds: int((ds.TEMP_ANNUAL > 11).sum()), EXACT)
case("boulder-jul-1981-2010", F, "station", "climatology",
     "What is the mean July temperature in Boulder for 1981-2010, in °C?",
     lambda ds: float(ds.TEMP[(yyyymm(ds.time.values)[1] == 7) & (yyyymm(ds.time.values)[0] >= 1981)
                              & (yyyymm(ds.time.values)[0] <= 2010)].mean()), T_ABS)
case("boulder-mean-k", F, "station", "conversion",
     "What is Boulder's mean annual temperature over the whole record in kelvin?",
     lambda ds: float(ds.TEMP_ANNUAL.mean()) + K0, T_ABS)
case("boulder-max-month", F, "station", "extreme",
     "What is the warmest single month on record in Boulder, in °C?",
     lambda ds: float(ds.TEMP.max()), T_ABS)
case("boulder-nyears", F, "station", "count",
     "How many years of annual means does the Boulder file have?",
     lambda ds: ds.sizes["TIME"], EXACT)

# 9. pr_mme_change_sresa2.nc: `season` (1..4 = DJF..SON) and `month` (0..11) dims, flux units ------------
F = "pr_mme_change_sresa2.nc"
MMDAY = 86400.0


def _pr_w(ds: xr.Dataset) -> xr.DataArray:
    return coslat(ds.lat)


case("pr-annual-1980-mmday", F, "month-season", "conversion",
     "What is the area-weighted mean annual precipitation for 1980 (an1980) over the domain, in mm/day?",
     lambda ds: wmean(ds.an1980, _pr_w(ds)) * MMDAY, {"rel": 0.005})
case("pr-jja-2060", F, "month-season", "regional-mean",
     "What is the domain mean JJA precipitation in 2060 (seas2060), in mm/day?",
     lambda ds: wmean(ds.seas2060.sel(season=3), _pr_w(ds)) * MMDAY, {"rel": 0.005})
case("pr-djf-jja-2060", F, "month-season", "difference",
     "By how much does the domain mean 2060 precipitation (seas2060) change from DJF to JJA, in mm/day?",
     lambda ds: (wmean(ds.seas2060.sel(season=3), _pr_w(ds)) - wmean(ds.seas2060.sel(season=1), _pr_w(ds))) * MMDAY,
     {"rel": 0.01, "abs": 0.005})
case("pr-jan-1980", F, "month-season", "regional-mean",
     "What is the area-weighted mean January precipitation in 1980 (mon1980) in kg m-2 s-1?",
     lambda ds: wmean(ds.mon1980.sel(month=0), _pr_w(ds)), {"rel": 0.005})
case("pr-count-prob", F, "month-season", "threshold",
     "At how many grid points is the probability of no change in annual mean (2060 vs 1980) below 0.05?",
     lambda ds: int((ds.prob_an2060_1980 < 0.05).sum()), EXACT)
case("pr-max-an2060", F, "month-season", "extreme",
     "What is the largest annual mean precipitation in 2060 anywhere in the domain, in mm/day?",
     lambda ds: float(ds.an2060.max()) * MMDAY, {"rel": 0.005})
case("pr-max-an2060-lon", F, "month-season", "where",
     "At what longitude is the 2060 annual mean precipitation largest?",
     lambda ds: at_max(ds.an2060, "lon"), {"abs": 0.5})
case("pr-north-son-1980", F, "month-season", "regional-mean",
     "What is the mean SON precipitation in 1980 north of 15S, in mm/day?",
     lambda ds: wmean(ds.seas1980.sel(season=4), _pr_w(ds), box(ds.lat, ds.lon, (-15, 90))) * MMDAY, {"rel": 0.005})

# 10. mxclim.nc: zonal means lev x lat, `time` = month numbers 1 and 7, Gaussian weights gw -------------
F = "mxclim.nc"


def _zm(da: xr.DataArray, ds: xr.Dataset, lat: tuple = (-90, 90)) -> xr.DataArray:
    w = ds.gw.where((ds.lat >= lat[0]) & (ds.lat <= lat[1]), 0)
    return (da * w).sum("lat") / w.sum()


case("mx-nlev", F, "regular", "count",
     "How many pressure levels are in this file?",
     lambda ds: ds.sizes["lev"], EXACT)
case("mx-t850-eq-change", F, "regular", "difference",
     "By how much does the zonal mean temperature at 850 hPa between 10S and 10N change from January to July?",
     lambda ds: float(_zm(ds.T.sel(time=7, lev=850), ds, (-10, 10)) - _zm(ds.T.sel(time=1, lev=850), ds, (-10, 10))),
     {"abs": 0.01})
case("mx-umax-jan", F, "regular", "extreme",
     "What is the strongest zonal mean zonal wind U in January, at any level and latitude?",
     lambda ds: float(ds.U.sel(time=1).max()), {"abs": 0.05})
case("mx-umax-jan-lat", F, "regular", "where",
     "At what latitude is the strongest January zonal wind U?",
     lambda ds: at_max(ds.U.sel(time=1), "lat"), {"abs": 0.5})
case("mx-umax-jan-lev", F, "regular", "where",
     "At which pressure level is the January zonal wind U strongest?",
     lambda ds: at_max(ds.U.sel(time=1), "lev"), EXACT)
case("mx-t500-jul-global", F, "regular", "regional-mean",
     "What is the gw-weighted global mean temperature T at 500 hPa in July?",
     lambda ds: float(_zm(ds.T.sel(time=7, lev=500), ds)), T_ABS)
case("mx-u200-jul-sh-max", F, "regular", "extreme",
     "What is the maximum zonal wind at 200 hPa in July in the Southern Hemisphere?",
     lambda ds: float(ds.U.sel(time=7, lev=200).where(ds.lat < 0).max()), {"abs": 0.05})
case("mx-t-nh-jan", F, "regular", "regional-mean",
     "What is the weighted mean temperature T at 1000 hPa north of the equator in January?",
     lambda ds: float(_zm(ds.T.sel(time=1, lev=1000), ds, (0, 90))), T_ABS)  # T says units "C" but holds kelvin
case("mx-u-jan-jul-cms", F, "regular", "conversion",
     "What is the strongest July zonal wind U at 200 hPa anywhere, in km/h?",
     lambda ds: float(ds.U.sel(time=7, lev=200).max()) * 3.6, {"abs": 0.1})

# 11. ta_ps_850.nc: ICON unstructured `ncells` without coordinates, 12 months of 1979 (YYYYMMDD) ------
F = "ta_ps_850.nc"


def _icon_month(ds: xr.Dataset, month: int) -> xr.DataArray:
    return ds.isel(time=int(np.flatnonzero(yyyymmdd_month(ds.time.values) == month)[0]))


case("icon-ta-jul-c", F, "unstructured", "regional-mean",
     "What is the mean 850 hPa temperature over all cells in July 1979, in °C?",
     lambda ds: float(_icon_month(ds, 7).ta.mean()) - K0, T_ABS)
case("icon-aps-max-hpa", F, "unstructured", "conversion",
     "What is the highest surface pressure in the file, in hPa?",
     lambda ds: float(ds.aps.max()) / 100, {"abs": 0.05})
case("icon-count-hot-jan", F, "unstructured", "threshold",
     "How many cells have an 850 hPa temperature above 290 K in January 1979?",
     lambda ds: int((_icon_month(ds, 1).ta > 290).sum()), EXACT)
case("icon-ntime", F, "unstructured", "count",
     "How many time steps does the ICON file have?",
     lambda ds: ds.sizes["time"], EXACT)
case("icon-ta-jan-jul-diff", F, "unstructured", "difference",
     "How much does the all-cell mean ta at 850 hPa change from January to July 1979?",
     lambda ds: float(_icon_month(ds, 7).ta.mean() - _icon_month(ds, 1).ta.mean()), {"abs": 0.01})
case("icon-ta-min", F, "unstructured", "extreme",
     "What is the coldest 850 hPa temperature in any month, in K?",
     lambda ds: float(ds.ta.min()), T_ABS)

# 12. camse_unstructured_grid.nc: CAM-SE `ncol` with lat/lon as data variables, T850 ------------------
F = "camse_unstructured_grid.nc"

case("camse-ncol", F, "unstructured", "count",
     "How many columns does this CAM-SE file have?",
     lambda ds: ds.sizes["ncol"], EXACT)
case("camse-max", F, "unstructured", "extreme",
     "What is the highest T850 value?",
     lambda ds: float(ds.T850.max()), T_ABS)
case("camse-max-lat", F, "unstructured", "where",
     "At what latitude is T850 highest?",
     lambda ds: float(ds.lat[int(np.nanargmax(ds.T850.values))]), {"abs": 0.1})
case("camse-tropics-c", F, "unstructured", "regional-mean",
     "What is the mean temperature at 850 mbar between 10S and 10N, in °C?",
     lambda ds: wmean(ds.T850, 1, box(ds.lat, ds.lon, (-10, 10))) - K0, {"abs": 0.05})
case("camse-count-cold", F, "unstructured", "threshold",
     "How many columns have a T850 below 250 K?",
     lambda ds: int((ds.T850 < 250).sum()), EXACT)
case("camse-us-box", F, "unstructured", "regional-mean",
     "What is the mean T850 over 30N-50N, 120W-70W, in K?",
     lambda ds: wmean(ds.T850, 1, box(ds.lat, ds.lon, (30, 50), (-120, -70))), T_ABS)

# 13. archv.0021_016_00_3zu.nc: HYCOM u on `Depth` levels, MT on a 360_day calendar --------------------
F = "archv.0021_016_00_3zu.nc"


def _u(ds: xr.Dataset) -> xr.DataArray:
    return ds.u.isel(MT=0)


case("hycom-ndepth", F, "regular", "count",
     "How many depth levels are in this HYCOM file?",
     lambda ds: ds.sizes["Depth"], EXACT)
case("hycom-umax-surface", F, "regular", "extreme",
     "What is the strongest eastward velocity u at the surface?",
     lambda ds: float(_u(ds).sel(Depth=0).max()), {"abs": 0.0005})
case("hycom-umax-surface-cms", F, "regular", "conversion",
     "What is the maximum surface u velocity in cm/s?",
     lambda ds: float(_u(ds).sel(Depth=0).max()) * 100, {"abs": 0.05})
case("hycom-u100-band", F, "regular", "regional-mean",
     "What is the area-weighted mean u at 100 m depth between 0 and 10N?",
     lambda ds: wmean(_u(ds).sel(Depth=100), coslat(ds.Latitude), box(ds.Latitude, ds.Longitude, (0, 10))),
     {"abs": 0.0005, "rel": 0.01})
case("hycom-umin-1000-lat", F, "regular", "where",
     "At what latitude is the most negative u at 1000 m depth?",
     lambda ds: at_max(_u(ds).sel(Depth=1000), "Latitude", "argmin"), {"abs": 0.3})
case("hycom-count-fast", F, "regular", "threshold",
     "How many surface grid points have u greater than 0.3 m/s?",
     lambda ds: int((_u(ds).sel(Depth=0) > 0.3).sum()), EXACT)
case("hycom-surface-vs-500", F, "regular", "difference",
     "What is the difference between the mean u at the surface and at 500 m (surface minus 500 m), area-weighted?",
     lambda ds: wmean(_u(ds).sel(Depth=0), coslat(ds.Latitude)) - wmean(_u(ds).sel(Depth=500), coslat(ds.Latitude)),
     {"abs": 0.0005, "rel": 0.01})

# 14. era5_1995-07-14T12.nc: one time, latitude descending, t2m in K and t2m_C in °C (no units attr) ----
F = "era5_1995-07-14T12.nc"


def _era_w(ds: xr.Dataset) -> xr.DataArray:
    return coslat(ds.latitude)


case("era5-mean-t2m-c", F, "regular", "regional-mean",
     "What is the area-weighted mean 2 m temperature over this ERA5 domain, in °C?",
     lambda ds: wmean(ds.t2m, _era_w(ds)) - K0, T_ABS)
case("era5-max-t2m", F, "regular", "extreme",
     "What is the highest 2 m temperature in this ERA5 file, in K?",
     lambda ds: float(ds.t2m.max()), T_ABS)
case("era5-max-t2m-lon", F, "regular", "where",
     "At what longitude is the 2 m temperature highest?",
     lambda ds: at_max(ds.t2m, "longitude"), {"abs": 0.13})
case("era5-sp-box-hpa", F, "regular", "conversion",
     "What is the mean surface pressure between 30N and 40N and 100W to 90W, in hPa?",
     lambda ds: wmean(ds.sp, _era_w(ds), box(ds.latitude, ds.longitude, (30, 40), (-100, -90))) / 100,
     {"abs": 0.05})
case("era5-count-humid", F, "regular", "threshold",
     "How many grid points have a 2 m dewpoint above 295 K?",
     lambda ds: int((ds.d2m > 295).sum()), EXACT)
case("era5-min-t2mc", F, "regular", "extreme",
     "What is the lowest value of t2m_C?",
     lambda ds: float(ds.t2m_C.min()), T_ABS)
case("era5-d2m-south-c", F, "regular", "conversion",
     "What is the area-weighted mean 2 m dewpoint south of 35N, in °C?",
     lambda ds: wmean(ds.d2m, _era_w(ds), ds.latitude <= 35) - K0, T_ABS)

# 15. pre.8912.mon.nc: MM5 regional model, `sigma` levels, 2-D lat/lon on xcoord/ycoord, time all 0 ----
F = "pre.8912.mon.nc"

case("mm5-nsigma", F, "projected", "count",
     "How many sigma levels does this MM5 file have?",
     lambda ds: ds.sizes["sigma"], EXACT)
case("mm5-max", F, "projected", "extreme",
     "What is the largest precipitation value in the file, in mm?",
     lambda ds: float(ds.pre.max()), {"abs": 0.05})
case("mm5-mean-all", F, "projected", "regional-mean",
     "What is the precipitation averaged over all grid points and all time steps?",
     lambda ds: float(ds.pre.mean()), {"rel": 0.005})
case("mm5-count-wet", F, "projected", "threshold",
     "How many values (grid points times time steps) have more than 50 mm of precipitation?",
     lambda ds: int((ds.pre > 50).sum()), EXACT)
case("mm5-box-mean", F, "projected", "regional-mean",
     "What is the area-weighted mean precipitation between 30N and 35N and 40E to 50E over all time steps?",
     lambda ds: wmean(ds.pre, coslat(ds.lat), box(ds.lat, ds.lon, (30, 35), (40, 50))), {"rel": 0.01})
case("mm5-max-lat", F, "projected", "where",
     "At what latitude is the largest precipitation value?",
     lambda ds: float(ds.lat.values.ravel()[int(np.nanargmax(ds.pre.values)) % ds.lat.size]), {"abs": 0.2})

# 16. sfbay_2020_met.nc: an unnamed DataArray of strings (dim_0 rows x dim_1 column labels) -------------
F = "sfbay_2020_met.nc"

case("sfbay-mean-water", F, "station", "regional-mean",
     "What is the mean water temperature in San Francisco Bay in 2020, in °C?",
     lambda ds: float(sfbay_column(ds, "Water Temp").mean()), T_ABS)
case("sfbay-max-water", F, "station", "extreme",
     "What is the highest hourly water temperature of the year?",
     lambda ds: float(sfbay_column(ds, "Water Temp").max()), T_ABS)
case("sfbay-count-warm", F, "station", "threshold",
     "How many hourly records have a water temperature above 18 °C?",
     lambda ds: int((sfbay_column(ds, "Water Temp") > 18).sum()), EXACT)
case("sfbay-nrows", F, "station", "count",
     "How many hourly records does the file hold?",
     lambda ds: ds.sizes["dim_0"], EXACT)
case("sfbay-july-mean", F, "station", "climatology",
     "What is the mean water temperature in July 2020?",
     lambda ds: float(sfbay_column(ds, "Water Temp")["2020-07"].mean()), T_ABS)

# 17. climdiv_prcp_1899-1999.nc: monthly, time 'months since jan 1899' (not decodable by default) --------
F = "climdiv_prcp_1899-1999.nc"


def _cd_ym(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    return months_since(ds.time.values, 1899)


case("climdiv-co1-1965-total", F, "index", "climatology",
     "What was the total precipitation in Colorado climate division 1 in 1965, in inches?",
     lambda ds: float(ds.PRECT_CO_CD1[_cd_ym(ds)[0] == 1965].sum()), {"abs": 0.01})
case("climdiv-ca4-max", F, "index", "extreme",
     "What is the wettest month on record in California climate division 4, in inches?",
     lambda ds: float(ds.PRECT_CA_CD4.max()), {"abs": 0.01})
case("climdiv-ca4-max-year", F, "index", "when",
     "In which year was the wettest month in California climate division 4?",
     lambda ds: int(_cd_ym(ds)[0][int(np.nanargmax(ds.PRECT_CA_CD4.values))]), EXACT)
case("climdiv-wa1-dec-clim", F, "index", "climatology",
     "What is the mean December precipitation in Washington climate division 1 over 1899-1999?",
     lambda ds: float(ds.PRECT_WA_CD1[_cd_ym(ds)[1] == 12].mean()), {"abs": 0.01})
case("climdiv-az7-count", F, "index", "threshold",
     "How many months have more than 3 inches of precipitation in Arizona climate division 7?",
     lambda ds: int((ds.PRECT_AZ_CD7 > 3).sum()), EXACT)
case("climdiv-tx1-mean-mm", F, "index", "conversion",
     "What is the mean monthly precipitation of Texas climate division 1 in millimetres?",
     lambda ds: float(ds.PRECT_TX_CD1.mean()) * 25.4, {"abs": 0.1})
case("climdiv-fl1-trend", F, "index", "trend",
     "What is the trend of monthly precipitation in Florida climate division 1 per decade?",
     lambda ds: per_decade(_cd_ym(ds)[0] + (_cd_ym(ds)[1] - 0.5) / 12, ds.PRECT_FL_CD1.values),
     {"rel": 0.03, "abs": 0.001})

# 18. hgt.nc: 500 hPa height, time 'months since 1958-1-1' (Jan 1958, then each February 1958-1977) -----
F = "hgt.nc"


def _hgt_at(ds: xr.Dataset, year: int, month: int) -> xr.DataArray:
    y, m = months_since(ds.time.values, 1958)
    return ds.HGT.isel(time=int(np.flatnonzero((y == year) & (m == month))[0]))


def _hgt_gm(da: xr.DataArray, lat: tuple = (-90, 90)) -> float:
    return wmean(da, coslat(da.lat), (da.lat >= lat[0]) & (da.lat <= lat[1]))


case("hgt-ntime", F, "regular", "count",
     "How many time steps are in the geopotential height file?",
     lambda ds: ds.sizes["time"], EXACT)
case("hgt-global-feb1970", F, "regular", "regional-mean",
     "What is the area-weighted global mean 500 hPa geopotential height in February 1970?",
     lambda ds: _hgt_gm(_hgt_at(ds, 1970, 2)), {"abs": 0.5})
case("hgt-nh-jan1958", F, "regular", "regional-mean",
     "What is the mean geopotential height between 20N and 90N in January 1958?",
     lambda ds: _hgt_gm(_hgt_at(ds, 1958, 1), (20, 90)), {"abs": 0.5})
case("hgt-nh-feb-trend", F, "regular", "trend",
     "What is the trend per decade of the February mean geopotential height north of 20N?",
     lambda ds: per_decade(np.arange(1958, 1978), [_hgt_gm(_hgt_at(ds, y, 2), (20, 90)) for y in range(1958, 1978)]),
     {"rel": 0.02, "abs": 0.1})
case("hgt-min", F, "regular", "extreme",
     "What is the lowest 500 hPa height in the file, in gpm?",
     lambda ds: float(ds.HGT.min()), {"abs": 0.5})
case("hgt-min-year", F, "regular", "when",
     "In which year is the lowest 500 hPa height found?",
     lambda ds: int(months_since(ds.time.values, 1958)[0][int(np.nanargmin(ds.HGT.values) // (73 * 144))]), EXACT)
case("hgt-feb-change", F, "regular", "difference",
     "How much did the global mean 500 hPa height change from February 1958 to February 1977?",
     lambda ds: _hgt_gm(_hgt_at(ds, 1977, 2)) - _hgt_gm(_hgt_at(ds, 1958, 2)), {"abs": 0.5})

# 19. colorado_elev.nc: DEM on `y`/`x` (in degrees), z without units ------------------------------------
F = "colorado_elev.nc"

case("dem-max", F, "projected", "extreme",
     "What is the highest elevation in this Colorado DEM?",
     lambda ds: float(ds.z.max()), {"abs": 0.5})
case("dem-count-low", F, "projected", "threshold",
     "How many grid cells lie below 1500 m?",
     lambda ds: int((ds.z < 1500).sum()), EXACT)
case("dem-mean", F, "projected", "regional-mean",
     "What is the area-weighted mean elevation of the DEM?",
     lambda ds: wmean(ds.z, coslat(ds.y)), {"abs": 0.5})
case("dem-count-3000", F, "projected", "threshold",
     "How many grid cells are higher than 3000 m?",
     lambda ds: int((ds.z > 3000).sum()), EXACT)
case("dem-box", F, "projected", "regional-mean",
     "What is the mean elevation between 39N and 40N and 106W to 105W?",
     lambda ds: wmean(ds.z, coslat(ds.y), box(ds.y, ds.x, (39, 40), (-106, -105))), {"abs": 0.5})
case("dem-max-x", F, "projected", "where",
     "At what longitude (x) is the highest point?",
     lambda ds: at_max(ds.z, "x"), {"abs": 0.02})

# 20. NAO_b053.03_0000-0999.nc: 999-year index, time = model years, no units -----------------------------
F = "NAO_b053.03_0000-0999.nc"

case("nao-count-above", F, "index", "threshold",
     "How many years in the NAO index are above 1.5?",
     lambda ds: int((ds.NAO > 1.5).sum()), EXACT)
case("nao-max", F, "index", "extreme",
     "What is the largest NAO index value?",
     lambda ds: float(ds.NAO.max()), {"abs": 0.005})
case("nao-max-year", F, "index", "when",
     "In which model year is the NAO index highest?",
     lambda ds: float(ds.time[int(np.nanargmax(ds.NAO.values))]), EXACT)
case("nao-mean-500s", F, "index", "regional-mean",
     "What is the mean NAO index over model years 500 to 599?",
     lambda ds: float(ds.NAO.sel(time=slice(500, 599)).mean()), {"abs": 0.002})
case("nao-std", F, "index", "extreme",
     "What is the standard deviation of the NAO index?",
     lambda ds: float(ds.NAO.std(ddof=1)), {"rel": 0.005})
case("nao-trend", F, "index", "trend",
     "What is the trend of the NAO index per century?",
     lambda ds: per_decade(ds.time.values, ds.NAO.values) * 10, {"rel": 0.03, "abs": 0.001})
case("nao-count-below", F, "index", "threshold",
     "How many years have an NAO index below -2?",
     lambda ds: int((ds.NAO < -2).sum()), EXACT)


def check_ids() -> None:
    ids = [c.id for c in CASES]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"duplicate case ids: {sorted(dupes)}")


check_ids()


# -- the direct tool call of each case (tools/dataset_tools.py as of commit 1a106fa) ----------------------

def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def year_of(path: str) -> Callable[[Any], float]:
    """The year of a date (or the number itself) at a key path of the result."""
    def read(value: Any) -> float:
        for key in path.split("."):
            value = value[key]
        if isinstance(value, (int, float)):
            return float(value)
        return float(re.match(r"-?\d+", str(value)).group(0))
    return read


def at_coord(*names: str) -> Callable[[Any], float]:
    """The first of `names` found in the result's "at" (where an extreme occurs)."""
    def read(value: Any) -> float:
        at = value["at"]
        return float(next(at[n] for n in names if n in at))
    return read


def best_row(key: str = "value", fn: Callable = max) -> Callable[[Any], float]:
    """The largest (fn=max) value among a result's rows, or its summarised max/min."""
    def read(value: Any) -> float:
        if "values" in value:
            return float(fn(row[key] for row in value["values"]))
        return float(value["max" if fn is max else "min"]["value"])
    return read


def best_row_label(label: str, fn: Callable = max) -> Callable[[Any], float]:
    """The `label` (year, month ...) of the row with the largest (fn=max) value."""
    def read(value: Any) -> float:
        if "values" in value:
            return float(fn(value["values"], key=lambda row: row["value"])[label])
        return float(value["max" if fn is max else "min"][label])
    return read


def time_steps(name: str | None = None) -> Callable[[Any], float]:
    """list_variables' number of steps of the time axis named `name` (default: the first)."""
    def read(value: Any) -> float:
        entries = [v for k, v in value.items() if k.startswith("time") and isinstance(v, dict)]
        entry = next(e for e in entries if name is None or e.get("name") == name)
        return float(entry.get("steps") or len(entry["values"]))
    return read


AWM, STAT, WHERE, COUNT = "area_weighted_mean", "statistic", "where_extreme", "count_threshold"
TREND, DIFF, CLIM, LIST = "linear_trend", "difference", "climatology", "list_variables"
NINO = {"lat_min": -5, "lat_max": 5, "lon_min": -170, "lon_max": -120}
ORCA_NINO = {**NINO, "time_start": "1870-01-01", "time_end": "1870-01-01"}
WATER = "Water Temp (°C)"  # the column label the file stores in dim_1

CALLS: dict[str, tuple[dict[str, Any], str | Callable[[Any], float]]] = {
    # tas_rectilinear_grid_2D.nc
    "tasrect-global-jul-c": (call(AWM, variable="tas", time_start="2005-07", time_end="2005-07", to_units="degC"),
                             "mean"),
    "tasrect-global-annual": (call(AWM, variable="tas", time_start="2005", time_end="2005"), "mean"),
    "tasrect-tropics-jja-c": (call(AWM, variable="tas", season="JJA", lat_min=-30, lat_max=30, to_units="degC"),
                              "mean"),
    "tasrect-europe-jan-c": (call(AWM, variable="tas", time_start="2005-01", time_end="2005-01", lat_min=35,
                                  lat_max=70, lon_min=-10, lon_max=40, to_units="degC"), "mean"),
    "tasrect-max-jan": (call(STAT, variable="tas", stat="max", time_start="2005-01", time_end="2005-01"), "value"),
    "tasrect-max-jan-lat": (call(WHERE, variable="tas", kind="max", month=1), at_coord("lat")),
    "tasrect-jul-minus-jan": (call(DIFF, variable="tas", period_a="2005-01", period_b="2005-07"), "difference"),
    "tasrect-count-hot-jul": (call(COUNT, variable="tas", threshold=305, direction="above", time_start="2005-07",
                                   time_end="2005-07"), "count"),
    "tasrect-ntime": (call(LIST), time_steps()),
    "tasrect-min-c": (call(STAT, variable="tas", stat="min", to_units="degC"), "value"),
    # tos_ocean_bipolar_grid.nc
    "tos-global-mean-c": (call(AWM, variable="tos", to_units="degC"), "mean"),
    "tos-nino34-c": (call(AWM, variable="tos", **NINO, to_units="degC"), "mean"),
    "tos-tropics-c": (call(AWM, variable="tos", lat_min=-30, lat_max=30, to_units="degC"), "mean"),
    "tos-max": (call(STAT, variable="tos", stat="max"), "value"),
    "tos-max-lat": (call(WHERE, variable="tos", kind="max"), at_coord("lat")),
    "tos-count-freezing": (call(COUNT, variable="tos", threshold=272, direction="below"), "count"),
    "tos-north-atlantic-c": (call(AWM, variable="tos", lat_min=40, lat_max=60, lon_min=-50, lon_max=-10,
                                  to_units="degC"), "mean"),
    # tas_rotated_grid_EUR11.nc
    "eur-domain-mean-c": (call(AWM, variable="tas", to_units="degC"), "mean"),
    "eur-box-c": (call(AWM, variable="tas", lat_min=45, lat_max=55, lon_min=0, lon_max=20, to_units="degC"), "mean"),
    "eur-max": (call(STAT, variable="tas", stat="max"), "value"),
    "eur-min-c": (call(STAT, variable="tas", stat="min", to_units="degC"), "value"),
    "eur-count-frost": (call(COUNT, variable="tas", threshold=273.15, direction="below"), "count"),
    "eur-max-lat": (call(WHERE, variable="tas", kind="max"), at_coord("lat", "latitude")),
    # ctorca.nc
    "orca-ntime": (call(LIST), time_steps()),
    "orca-max-day3": (call(STAT, variable="sosstsst", stat="max", time_start="1870-01-03", time_end="1870-01-03"),
                      "value"),
    "orca-nino34-day1": (call(AWM, variable="sosstsst", **ORCA_NINO), "mean"),
    "orca-nino34-change": (call(DIFF, variable="sosstsst", period_a="1870-01-01", period_b="1870-01-05", **NINO),
                           "difference"),
    "orca-min": (call(STAT, variable="sosstsst", stat="min"), "value"),
    "orca-count-warm": (call(COUNT, variable="sosstsst", threshold=29, direction="above", time_start="1870-01-05",
                             time_end="1870-01-05"), "count"),
    "orca-max-lat": (call(WHERE, variable="sosstsst", kind="max", time_start="1870-01-01", time_end="1870-01-01"),
                     at_coord("lat", "nav_lat")),
    "orca-tropics-f": (call(AWM, variable="sosstsst", lat_min=-10, lat_max=10, time_start="1870-01-01",
                            time_end="1870-01-01", to_units="degF"), "mean"),
    # TREFHT.B06.66.atm.1890-1999ANN.nc
    "trefht-trend": (call(TREND, variable="TREFHT"), "slope_per_decade"),
    "trefht-1990-c": (call(AWM, variable="TREFHT", time_start="1990", time_end="1990", to_units="degC"), "mean"),
    "trefht-warmest-year": (call(CLIM, variable="TREFHT", by="year"), best_row_label("year")),
    "trefht-decade-diff": (call(DIFF, variable="TREFHT", period_a="1890-1899", period_b="1990-1999"), "difference"),
    "trefht-nh-1950": (call(AWM, variable="TREFHT", time_start="1950", time_end="1950", lat_min=0, lat_max=90),
                       "mean"),
    "trefht-max": (call(STAT, variable="TREFHT", stat="max"), "value"),
    "trefht-max-year": (call(WHERE, variable="TREFHT", kind="max"), year_of("at.time")),
    "trefht-nyears": (call(LIST), time_steps()),
    "trefht-arctic-trend": (call(TREND, variable="TREFHT", lat_min=60, lat_max=90), "slope_per_decade"),
    # tas_mod2_hist_rectilin_grid_2D.nc
    "pt360-mean-c": (call(STAT, variable="tas", stat="mean", to_units="degC"), "value"),
    "pt360-trend": (call(TREND, variable="tas"), "slope_per_decade"),
    "pt360-max-year": (call(WHERE, variable="tas", kind="max"), year_of("at.time")),
    "pt360-count": (call(COUNT, variable="tas", threshold=294.5, direction="above"), "count"),
    "pt360-mean-1990s": (call(STAT, variable="tas", stat="mean", time_start="1990", time_end="1999"), "value"),
    # SOI_Darwin.nc
    "soi-count-above2": (call(COUNT, variable="DSOI", threshold=2, direction="above"), "count"),
    "soi-min": (call(STAT, variable="DSOI", stat="min"), "value"),
    "soi-min-year": (call(WHERE, variable="DSOI", kind="min"), year_of("at.time")),
    "soi-mean-1950s": (call(STAT, variable="DSOI", stat="mean", time_start="1950", time_end="1959"), "value"),
    "soi-nmonths": (call(LIST), time_steps()),
    "soi-trend": (call(TREND, variable="DSOI"), "slope_per_decade"),
    # Boulder.temp.1897-2014.nc
    "boulder-warmest-month-c": (call(CLIM, variable="TEMP", by="month"), best_row()),
    "boulder-coldest-month-f": (call(STAT, variable="temp", stat="mean", month=1), "value"),
    "boulder-warmest-year": (call(WHERE, variable="TEMP_ANNUAL", kind="max"), year_of("at.TIME")),
    "boulder-annual-trend": (call(TREND, variable="TEMP_ANNUAL"), "slope_per_decade"),
    "boulder-count-warm-years": (call(COUNT, variable="TEMP_ANNUAL", threshold=11, direction="above"), "count"),
    "boulder-jul-1981-2010": (call(STAT, variable="TEMP", stat="mean", month=7, time_start="1981", time_end="2010"),
                              "value"),
    "boulder-mean-k": (call(STAT, variable="TEMP_ANNUAL", stat="mean", to_units="K"), "value"),
    "boulder-max-month": (call(STAT, variable="TEMP", stat="max"), "value"),
    "boulder-nyears": (call(LIST), time_steps("TIME")),
    # pr_mme_change_sresa2.nc
    "pr-annual-1980-mmday": (call(AWM, variable="an1980", to_units="mm/day"), "mean"),
    "pr-jja-2060": (call(AWM, variable="seas2060", season="JJA", to_units="mm/day"), "mean"),
    "pr-djf-jja-2060": (call(DIFF, variable="seas2060", period_a="DJF", period_b="JJA", to_units="mm/day"),
                        "difference"),
    "pr-jan-1980": (call(AWM, variable="mon1980", month=1), "mean"),
    "pr-count-prob": (call(COUNT, variable="prob_an2060_1980", threshold=0.05, direction="below"), "count"),
    "pr-max-an2060": (call(STAT, variable="an2060", stat="max", to_units="mm/day"), "value"),
    "pr-max-an2060-lon": (call(WHERE, variable="an2060", kind="max"), at_coord("lon")),
    "pr-north-son-1980": (call(AWM, variable="seas1980", season="SON", lat_min=-15, to_units="mm/day"), "mean"),
    # mxclim.nc
    "mx-nlev": (call(LIST), "level.count"),
    "mx-t850-eq-change": (call(DIFF, variable="T", period_a="January", period_b="July", level_a=850, level_b=850,
                               lat_min=-10, lat_max=10), "difference"),
    "mx-umax-jan": (call(STAT, variable="U", stat="max", month=1, dims=["time", "lev", "lat"]), "value"),
    "mx-umax-jan-lat": (call(WHERE, variable="U", kind="max", month=1), at_coord("lat")),
    "mx-umax-jan-lev": (call(WHERE, variable="U", kind="max", month=1), at_coord("lev")),
    "mx-t500-jul-global": (call(AWM, variable="T", month=7, level=500), "mean"),
    "mx-u200-jul-sh-max": (call(STAT, variable="U", stat="max", month=7, level=200, lat_max=0), "value"),
    "mx-t-nh-jan": (call(AWM, variable="T", month=1, level=1000, lat_min=0), "mean"),
    "mx-u-jan-jul-cms": (call(STAT, variable="U", stat="max", month=7, level=200, to_units="km/h"), "value"),
    # ta_ps_850.nc
    "icon-ta-jul-c": (call(STAT, variable="ta", stat="mean", month=7, to_units="degC"), "value"),
    "icon-aps-max-hpa": (call(STAT, variable="aps", stat="max", to_units="hPa"), "value"),
    "icon-count-hot-jan": (call(COUNT, variable="ta", threshold=290, direction="above", month=1), "count"),
    "icon-ntime": (call(LIST), time_steps()),
    "icon-ta-jan-jul-diff": (call(DIFF, variable="ta", period_a="1979-01", period_b="1979-07"), "difference"),
    "icon-ta-min": (call(STAT, variable="ta", stat="min"), "value"),
    # camse_unstructured_grid.nc
    "camse-ncol": (call(LIST), "dims.ncol"),
    "camse-max": (call(STAT, variable="T850", stat="max"), "value"),
    "camse-max-lat": (call(WHERE, variable="T850", kind="max"), at_coord("lat")),
    "camse-tropics-c": (call(AWM, variable="T850", lat_min=-10, lat_max=10, to_units="degC"), "mean"),
    "camse-count-cold": (call(COUNT, variable="T850", threshold=250, direction="below"), "count"),
    "camse-us-box": (call(AWM, variable="T850", lat_min=30, lat_max=50, lon_min=-120, lon_max=-70), "mean"),
    # archv.0021_016_00_3zu.nc
    "hycom-ndepth": (call(LIST), "level.count"),
    "hycom-umax-surface": (call(STAT, variable="u", stat="max", level=0), "value"),
    "hycom-umax-surface-cms": (call(STAT, variable="u", stat="max", level=0, to_units="cm/s"), "value"),
    "hycom-u100-band": (call(AWM, variable="u", level=100, lat_min=0, lat_max=10), "mean"),
    "hycom-umin-1000-lat": (call(WHERE, variable="u", kind="min", level=1000), at_coord("Latitude", "lat")),
    "hycom-count-fast": (call(COUNT, variable="u", threshold=0.3, direction="above", level=0), "count"),
    "hycom-surface-vs-500": (call(DIFF, variable="u", level_a=500, level_b=0), "difference"),
    # era5_1995-07-14T12.nc
    "era5-mean-t2m-c": (call(AWM, variable="t2m", to_units="degC"), "mean"),
    "era5-max-t2m": (call(STAT, variable="t2m", stat="max"), "value"),
    "era5-max-t2m-lon": (call(WHERE, variable="t2m", kind="max"), at_coord("longitude", "lon")),
    "era5-sp-box-hpa": (call(AWM, variable="sp", lat_min=30, lat_max=40, lon_min=-100, lon_max=-90, to_units="hPa"),
                        "mean"),
    "era5-count-humid": (call(COUNT, variable="d2m", threshold=295, direction="above"), "count"),
    "era5-min-t2mc": (call(STAT, variable="t2m_C", stat="min"), "value"),
    "era5-d2m-south-c": (call(AWM, variable="d2m", lat_max=35, to_units="degC"), "mean"),
    # pre.8912.mon.nc
    "mm5-nsigma": (call(LIST), "level.count"),
    "mm5-max": (call(STAT, variable="pre", stat="max"), "value"),
    "mm5-mean-all": (call(STAT, variable="pre", stat="mean"), "value"),
    "mm5-count-wet": (call(COUNT, variable="pre", threshold=50, direction="above"), "count"),
    "mm5-box-mean": (call(AWM, variable="pre", lat_min=30, lat_max=35, lon_min=40, lon_max=50), "mean"),
    "mm5-max-lat": (call(WHERE, variable="pre", kind="max"), at_coord("lat")),
    # sfbay_2020_met.nc
    "sfbay-mean-water": (call(STAT, variable=WATER, stat="mean"), "value"),
    "sfbay-max-water": (call(STAT, variable=WATER, stat="max"), "value"),
    "sfbay-count-warm": (call(COUNT, variable=WATER, threshold=18, direction="above"), "count"),
    "sfbay-nrows": (call(LIST), "rows"),
    "sfbay-july-mean": (call(STAT, variable=WATER, stat="mean", month=7), "value"),
    # climdiv_prcp_1899-1999.nc
    "climdiv-co1-1965-total": (call(STAT, variable="PRECT_CO_CD1", stat="sum", time_start="1965", time_end="1965"),
                               "value"),
    "climdiv-ca4-max": (call(STAT, variable="PRECT_CA_CD4", stat="max"), "value"),
    "climdiv-ca4-max-year": (call(WHERE, variable="PRECT_CA_CD4", kind="max"), year_of("at.time")),
    "climdiv-wa1-dec-clim": (call(STAT, variable="PRECT_WA_CD1", stat="mean", month=12), "value"),
    "climdiv-az7-count": (call(COUNT, variable="PRECT_AZ_CD7", threshold=3, direction="above"), "count"),
    "climdiv-tx1-mean-mm": (call(STAT, variable="PRECT_TX_CD1", stat="mean", to_units="mm"), "value"),
    "climdiv-fl1-trend": (call(TREND, variable="PRECT_FL_CD1"), "slope_per_decade"),
    # hgt.nc
    "hgt-ntime": (call(LIST), time_steps()),
    "hgt-global-feb1970": (call(AWM, variable="HGT", time_start="1970-02", time_end="1970-02"), "mean"),
    "hgt-nh-jan1958": (call(AWM, variable="HGT", time_start="1958-01", time_end="1958-01", lat_min=20, lat_max=90),
                       "mean"),
    "hgt-nh-feb-trend": (call(TREND, variable="HGT", month=2, lat_min=20, lat_max=90), "slope_per_decade"),
    "hgt-min": (call(STAT, variable="HGT", stat="min"), "value"),
    "hgt-min-year": (call(WHERE, variable="HGT", kind="min"), year_of("at.time")),
    "hgt-feb-change": (call(DIFF, variable="HGT", period_a="1958-02", period_b="1977-02"), "difference"),
    # colorado_elev.nc
    "dem-max": (call(STAT, variable="z", stat="max"), "value"),
    "dem-count-low": (call(COUNT, variable="z", threshold=1500, direction="below"), "count"),
    "dem-mean": (call(AWM, variable="z"), "mean"),
    "dem-count-3000": (call(COUNT, variable="z", threshold=3000, direction="above"), "count"),
    "dem-box": (call(AWM, variable="z", lat_min=39, lat_max=40, lon_min=-106, lon_max=-105), "mean"),
    "dem-max-x": (call(WHERE, variable="z", kind="max"), at_coord("x", "lon")),
    # NAO_b053.03_0000-0999.nc
    "nao-count-above": (call(COUNT, variable="NAO", threshold=1.5, direction="above"), "count"),
    "nao-max": (call(STAT, variable="NAO", stat="max"), "value"),
    "nao-max-year": (call(WHERE, variable="NAO", kind="max"), year_of("at.time")),
    "nao-mean-500s": (call(STAT, variable="NAO", stat="mean", time_start="500", time_end="599"), "value"),
    "nao-std": (call(STAT, variable="NAO", stat="std"), "value"),
    "nao-trend": (call(TREND, variable="NAO"), lambda v: 10 * v["slope_per_decade"]),
    "nao-count-below": (call(COUNT, variable="NAO", threshold=-2, direction="below"), "count"),
}


def _attach_calls() -> None:
    for i, c in enumerate(CASES):
        if c.id in CALLS:
            CASES[i] = replace(c, call=CALLS[c.id][0], read=CALLS[c.id][1])
    unknown = set(CALLS) - {c.id for c in CASES}
    if unknown:
        raise ValueError(f"calls for unknown cases: {sorted(unknown)}")


_attach_calls()
