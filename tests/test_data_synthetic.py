"""The deterministic synthetic climate dataset."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import data
from data.synthetic import make_climate_dataset, write_climate_netcdf


def test_same_arguments_same_values_other_seed_other_values():
    a, b = make_climate_dataset(years=2, nlat=6, nlon=8), make_climate_dataset(years=2, nlat=6, nlon=8)
    xr.testing.assert_identical(a, b)
    c = make_climate_dataset(years=2, nlat=6, nlon=8, seed=1)
    assert not np.array_equal(a.tas.values, c.tas.values, equal_nan=True)


def test_shape_is_parametrisable_and_monthly():
    ds = make_climate_dataset(years=3, nlat=18, nlon=36, start="1990-01-01")
    assert dict(ds.sizes) == {"time": 36, "lat": 18, "lon": 36}
    assert str(ds.time.values[0])[:10] == "1990-01-01" and str(ds.time.values[-1])[:7] == "1992-12"
    assert float(ds.lat.min()) == pytest.approx(-85.0) and float(ds.lon.max()) == pytest.approx(355.0)


def test_cf_attributes_and_missing_values():
    ds = make_climate_dataset()
    assert ds.attrs["Conventions"] == "CF-1.8" and ds.attrs["title"] and ds.attrs["history"]
    assert (ds.tas.attrs["standard_name"], ds.tas.attrs["units"]) == ("air_temperature", "K")
    assert (ds.pr.attrs["standard_name"], ds.pr.attrs["units"]) == ("precipitation_flux", "kg m-2 s-1")
    assert ds.lat.attrs["units"] == "degrees_north" and ds.lon.attrs["units"] == "degrees_east"
    for name in ("tas", "pr"):
        share = float(ds[name].isnull().mean())
        assert 0.005 < share < 0.02
        assert ds[name].encoding["_FillValue"] == np.float32(1e20)
    assert float(ds.pr.min()) >= 0
    assert 250 < float(ds.tas.mean()) < 300


def test_trend_and_seasons_are_in_the_data():
    ds = make_climate_dataset(years=20, nlat=12, nlon=12, trend_per_decade=0.5)
    annual = ds.tas.mean(("lat", "lon")).groupby("time.year").mean()
    slope = np.polyfit(np.arange(annual.size), annual.values, 1)[0]
    assert 0.03 < slope < 0.07  # K per year, i.e. ~0.5 K per decade
    north = ds.tas.where(ds.lat > 30).mean(("lat", "lon")).groupby("time.month").mean()
    south = ds.tas.where(ds.lat < -30).mean(("lat", "lon")).groupby("time.month").mean()
    assert float(north.sel(month=7)) > float(north.sel(month=1)) + 5
    assert float(south.sel(month=1)) > float(south.sel(month=7)) + 5


def test_written_file_round_trips_with_fill_values(tmp_path):
    path = write_climate_netcdf(tmp_path / "clim.nc", years=2, nlat=10, nlon=20)
    ref = make_climate_dataset(years=2, nlat=10, nlon=20)
    ds = data.open_path(path)
    assert ds["tas"].chunks is not None
    np.testing.assert_array_equal(ds.tas.values, ref.tas.values)
    assert ds.attrs["Conventions"] == "CF-1.8"
    with xr.open_dataset(path, mask_and_scale=False) as raw:
        assert (raw.tas.values == np.float32(1e20)).sum() == int(ref.tas.isnull().sum())
