"""A deterministic synthetic climate dataset (CF-1.8) for tests and demos.

``make_climate_dataset`` builds monthly near-surface air temperature ``tas``
(K) and precipitation flux ``pr`` (kg m-2 s-1) on a regular lat/lon grid:
latitude-dependent climatology + seasonal cycle (opposite in each hemisphere)
+ linear trend + seeded noise, with a seeded share of missing values (NaN,
written with ``_FillValue``).  Same arguments -> same values, every time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FILL_VALUE = np.float32(1.0e20)


def make_climate_dataset(
    years: int = 10,
    nlat: int = 36,
    nlon: int = 72,
    *,
    start: str = "2000-01-01",
    seed: int = 0,
    missing_fraction: float = 0.01,
    trend_per_decade: float = 0.3,
) -> Any:
    """Return an ``xarray.Dataset`` with ``tas`` and ``pr`` on (time, lat, lon)."""
    import xarray as xr

    if years < 1 or nlat < 1 or nlon < 1:
        raise ValueError("years, nlat and nlon must be at least 1")
    rng = np.random.default_rng(seed)
    time = pd.date_range(start, periods=12 * years, freq="MS")
    lat = -90 + (np.arange(nlat) + 0.5) * 180.0 / nlat
    lon = (np.arange(nlon) + 0.5) * 360.0 / nlon
    t_years = np.arange(time.size) / 12.0
    phase = np.cos(2 * np.pi * (time.month.to_numpy() - 1) / 12.0)  # +1 in January
    sin_lat = np.sin(np.deg2rad(lat))
    shape = (time.size, nlat, nlon)

    climatology = 300.0 - 50.0 * sin_lat**2  # K, warm tropics, cold poles
    seasonal = -12.0 * sin_lat[None, :] * phase[:, None]  # northern winter is cold
    land_sea = 2.0 * np.sin(np.deg2rad(3 * lon))  # gentle zonal structure
    tas = (
        climatology[None, :, None]
        + seasonal[:, :, None]
        + land_sea[None, None, :]
        + trend_per_decade / 10.0 * t_years[:, None, None]
        + rng.normal(0.0, 0.8, shape)
    ).astype(np.float32)

    wet = 3.0e-5 * np.exp(-((lat / 12.0) ** 2)) + 1.2e-5 * np.exp(-(((np.abs(lat) - 50) / 15.0) ** 2))
    monsoon = 1.0 + 0.4 * np.sign(lat)[None, :] * -phase[:, None]
    pr = (wet[None, :, None] * monsoon[:, :, None] * rng.lognormal(0.0, 0.5, shape)).astype(np.float32)

    for field in (tas, pr):
        field[rng.random(shape) < missing_fraction] = np.nan

    encoding = {"_FillValue": FILL_VALUE, "dtype": "float32"}
    ds = xr.Dataset(
        {
            "tas": (("time", "lat", "lon"), tas, {
                "standard_name": "air_temperature", "long_name": "Near-surface air temperature",
                "units": "K", "cell_methods": "time: mean",
            }),
            "pr": (("time", "lat", "lon"), pr, {
                "standard_name": "precipitation_flux", "long_name": "Precipitation",
                "units": "kg m-2 s-1", "cell_methods": "time: mean",
            }),
        },
        coords={
            "time": ("time", time, {"standard_name": "time", "long_name": "time", "axis": "T"}),
            "lat": ("lat", lat, {"standard_name": "latitude", "long_name": "latitude",
                                 "units": "degrees_north", "axis": "Y"}),
            "lon": ("lon", lon, {"standard_name": "longitude", "long_name": "longitude",
                                 "units": "degrees_east", "axis": "X"}),
        },
        attrs={
            "Conventions": "CF-1.8",
            "title": "Synthetic monthly climate (GeoLLM Explorer test data)",
            "institution": "GeoLLM Explorer",
            "source": "data.synthetic.make_climate_dataset: climatology + seasonal cycle "
            "+ linear trend + seeded Gaussian/log-normal noise",
            "history": f"created by data.synthetic.make_climate_dataset(years={years}, "
            f"nlat={nlat}, nlon={nlon}, start={start!r}, seed={seed}, "
            f"missing_fraction={missing_fraction}, trend_per_decade={trend_per_decade})",
            "comment": "Not real observations; for tests and demonstrations only.",
        },
    )  # fmt: skip
    for name in ("tas", "pr"):
        ds[name].encoding.update(encoding)
    ds["time"].encoding.update(units="days since 1850-01-01", calendar="standard", dtype="float64")
    for name in ("time", "lat", "lon"):
        ds[name].encoding["_FillValue"] = None
    return ds


def write_climate_netcdf(path: str | Path, **kwargs: Any) -> Path:
    """Write ``make_climate_dataset(**kwargs)`` to ``path`` (NetCDF4 if netCDF4 is
    installed, else NetCDF3 via scipy) and return the path."""
    path = Path(path)
    ds = make_climate_dataset(**kwargs)
    try:
        import netCDF4  # noqa: F401

        ds.to_netcdf(path, engine="netcdf4", format="NETCDF4")
    except ImportError:
        ds.to_netcdf(path, engine="scipy", format="NETCDF3_64BIT")
    return path
