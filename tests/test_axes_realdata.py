"""data.axes on the 20 real NetCDF files of ../shared/realdata (NCAR GeoCAT): every axis kind the
dataset model knows, checked against what the files themselves say (raw values read with plain
xarray/numpy, date columns written by the authors, invariants such as the sphere's area)."""
from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from helpers import REALDATA

from data.areas import area_weights, latlon
from data.axes import describe_axes, is_numeric
from data.registry import open_path

FILES = sorted(p.name for p in REALDATA.glob("*.nc")) if REALDATA.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason=f"no real data files in {REALDATA}")


def opened(name: str) -> xr.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return open_path(REALDATA / name)


def raw(name: str) -> xr.Dataset:
    """The file as xarray reads it without decoding times (the authors' numbers)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xr.open_dataset(REALDATA / name, decode_times=False)


def yyyymm(index) -> np.ndarray:
    return np.asarray(index.year) * 100 + np.asarray(index.month)


@pytest.mark.parametrize("name", FILES)
def test_every_file_opens_lazily_and_is_described(name):
    ds = opened(name)
    axes = describe_axes(ds)
    lines = axes.describe()
    assert lines and all(isinstance(line, str) and line for line in lines)
    if isinstance(ds, pd.DataFrame):  # a text array read as a table (see below)
        assert axes.is_table and axes.variables
        return
    assert all(ds[v].chunks is not None for v in axes.variables)  # still lazy: nothing loaded
    assert set(axes.variables) <= set(map(str, ds.data_vars))
    for t in axes.times:
        assert len(t.values) == ds.sizes[t.dim]


def test_regular_grid_with_bounds_gives_exact_cell_areas():
    ds = opened("tas_rectilinear_grid_2D.nc")
    axes = describe_axes(ds)
    h = axes.horizontal
    assert (h.kind, h.dims, h.lat, h.lon) == ("regular", ("lat", "lon"), "lat", "lon")
    assert axes.weights == "bounds"
    assert float(area_weights(ds, axes).sum()) == pytest.approx(4 * np.pi, rel=1e-9)  # the unit sphere
    assert set(axes.variables) == {"tas"}  # lat_bnds, lon_bnds, time_bnds are not data


def test_descending_latitudes_and_a_single_time():
    ds = opened("era5_1995-07-14T12.nc")
    axes = describe_axes(ds)
    assert axes.horizontal.kind == "regular" and ds["latitude"].values[0] > ds["latitude"].values[-1]
    assert axes.times == () and any("1995-07-14T12:00" in n for n in axes.notes)
    assert axes.weights == "cos"


def test_curvilinear_grid_with_corner_bounds_covers_the_sphere():
    ds = opened("tos_ocean_bipolar_grid.nc")
    axes = describe_axes(ds)
    h = axes.horizontal
    assert (h.kind, h.dims, h.lat, h.lon) == ("curvilinear", ("y", "x"), "lat", "lon")
    assert axes.weights == "bounds"
    assert float(area_weights(ds, axes).sum()) == pytest.approx(4 * np.pi, rel=0.01)
    assert "curvilinear" in " ".join(axes.describe())


def test_nemo_orca_grid_with_nav_lat_and_time_counter():
    ds = opened("ctorca.nc")
    axes = describe_axes(ds)
    h = axes.horizontal
    assert (h.kind, h.lat, h.lon) == ("curvilinear", "nav_lat", "nav_lon")
    assert axes.variables == ("sosstsst",)  # nav_lat/nav_lon are the grid, not data
    assert axes.time.name == "time_counter" and axes.time.kind == "datetime"
    lat, _ = latlon(ds, axes)
    assert lat.dims == ("y", "x") and float(lat.max()) == pytest.approx(float(raw("ctorca.nc").nav_lat.max()))


def test_rotated_pole_grid_gets_geographic_latlon_from_its_pole():
    ds = opened("tas_rotated_grid_EUR11.nc")
    axes = describe_axes(ds)
    h = axes.horizontal
    assert (h.kind, h.dims, h.y, h.x, h.grid_mapping) == ("rotated", ("rlat", "rlon"), "rlat", "rlon", "rotated_pole")
    assert h.has_latlon and axes.weights == "cos"
    lat, lon = latlon(ds, axes)
    pole = ds["rotated_pole"].attrs
    p, pn = np.deg2rad(pole["grid_north_pole_latitude"]), pole["grid_north_pole_longitude"]
    fr, lr = np.deg2rad(ds.rlat.values)[:, None], np.deg2rad(ds.rlon.values)[None, :]
    # the textbook rotated-pole formulas, written independently of data.areas
    exp_lat = np.rad2deg(np.arcsin(np.cos(p) * np.cos(fr) * np.cos(lr) + np.sin(p) * np.sin(fr)))
    exp_lon = np.rad2deg(np.arctan2(np.cos(fr) * np.sin(lr),
                                    np.sin(p) * np.cos(fr) * np.cos(lr) - np.cos(p) * np.sin(fr))) + pn + 180
    np.testing.assert_allclose(lat.values, exp_lat, atol=1e-9)
    np.testing.assert_allclose((lon.values - exp_lon + 180) % 360 - 180, 0, atol=1e-9)


def test_unstructured_cells_with_and_without_coordinates():
    ds = opened("camse_unstructured_grid.nc")
    axes = describe_axes(ds)
    h = axes.horizontal
    assert (h.kind, h.dims, h.lat, h.lon) == ("unstructured", ("ncol",), "lat", "lon")
    assert axes.variables == ("T850",) and axes.weights == "equal"
    icon = describe_axes(opened("ta_ps_850.nc"))
    assert icon.horizontal.kind == "unstructured" and icon.horizontal.dims == ("ncells",)
    assert not icon.horizontal.has_latlon and "without lat/lon" in " ".join(icon.describe())


def test_projected_xy_and_degrees_named_x_y():
    ds = opened("colorado_elev.nc")
    # the DEM's y/x carry degrees_north/degrees_east: by CF they are latitude/longitude
    assert describe_axes(ds).horizontal.kind == "regular"
    metres = ds.assign_coords(x=ds.x.assign_attrs(units="m", long_name="x"), y=ds.y.assign_attrs(units="m",
                                                                                               long_name="y"))
    h = describe_axes(metres).horizontal
    assert (h.kind, h.dims, h.x, h.y) == ("projected", ("y", "x"), "x", "y")


def test_360_day_calendar_stays_cftime():
    ds = opened("tas_mod2_hist_rectilin_grid_2D.nc")
    t = describe_axes(ds).time
    assert t.kind == "datetime" and t.calendar == "360_day" and isinstance(t.values, xr.CFTimeIndex)
    assert len(t.values) == raw("tas_mod2_hist_rectilin_grid_2D.nc").sizes["time"]
    assert "360_day calendar" in t.describe() and t.values[0].strftime("%Y-%m-%d") in t.describe()
    hycom = describe_axes(opened("archv.0021_016_00_3zu.nc"))
    assert hycom.time.name == "MT" and hycom.time.calendar == "360_day"


def test_months_since_a_written_date_match_the_authors_date_column():
    for name in ("climdiv_prcp_1899-1999.nc", "SOI_Darwin.nc"):
        ds = opened(name)
        t = describe_axes(ds).time
        assert t.kind == "datetime" and isinstance(ds.indexes["time"], pd.DatetimeIndex)
        np.testing.assert_array_equal(yyyymm(t.values), raw(name)["date"].values.astype(int))
        assert any("decoded by hand" in n for n in describe_axes(ds).notes)
    ds = opened("hgt.nc")
    months = raw("hgt.nc")["time"].values.astype(int)  # months since 1958-1-1
    np.testing.assert_array_equal(yyyymm(describe_axes(ds).time.values), (1958 + months // 12) * 100 + months % 12 + 1)


def test_undecoded_dataset_is_decoded_the_same_way():
    """describe_axes on a Dataset opened without the loader reads the same dates."""
    plain = describe_axes(raw("climdiv_prcp_1899-1999.nc")).time
    loaded = describe_axes(opened("climdiv_prcp_1899-1999.nc")).time
    assert (plain.values == loaded.values).all()


def test_two_time_axes_and_dates_written_as_numbers():
    ds = opened("Boulder.temp.1897-2014.nc")
    axes = describe_axes(ds)
    by_name = {t.name: t for t in axes.times}
    np.testing.assert_array_equal(yyyymm(by_name["time"].values), raw("Boulder.temp.1897-2014.nc")["time"].values)
    assert by_name["TIME"].kind == "year"
    np.testing.assert_array_equal(by_name["TIME"].values, raw("Boulder.temp.1897-2014.nc")["TIME"].values)
    assert axes.time_of(ds["temp_annual"].dims).name == "TIME"
    icon = describe_axes(opened("ta_ps_850.nc")).time  # "day as %Y%m%d.%f"
    days = raw("ta_ps_850.nc")["time"].values.astype(int)
    np.testing.assert_array_equal(icon.values.year * 10000 + icon.values.month * 100 + icon.values.day, days)


def test_month_and_season_dimensions():
    ds = opened("pr_mme_change_sresa2.nc")
    axes = describe_axes(ds)
    kinds = {t.name: t for t in axes.times}
    assert kinds["month"].kind == "month"
    np.testing.assert_array_equal(kinds["month"].values, raw("pr_mme_change_sresa2.nc")["month"].values + 1)
    assert list(kinds["season"].values) == ds["season"].attrs["description"].split(",")
    assert axes.category_dims() == {"month", "season"}
    mx = describe_axes(opened("mxclim.nc"))
    assert mx.time.kind == "month" and list(mx.time.values) == list(raw("mxclim.nc")["time"].values)


def test_vertical_axes_units_and_direction():
    cases = {"mxclim.nc": ("lev", "pressure", "down", "hPa"),
             "archv.0021_016_00_3zu.nc": ("Depth", "depth", "down", "m"),
             "pre.8912.mon.nc": ("sigma", "sigma", "down", None), "ta_ps_850.nc": ("lev", "pressure", "down", "Pa"),
             "tas_rotated_grid_EUR11.nc": ("height", "height", "up", "m")}
    for name, (level, kind, positive, units) in cases.items():
        v = describe_axes(opened(name)).vertical
        assert (v.name, v.kind, v.positive, v.units) == (level, kind, positive, units), name
        np.testing.assert_array_equal(v.values, raw(name)[level].values.astype(float))


def test_gaussian_weights_of_the_file_are_used():
    ds = opened("mxclim.nc")
    axes = describe_axes(ds)
    assert axes.weights == "gaussian:gw" and "gw" not in axes.variables
    np.testing.assert_allclose(area_weights(ds, axes).values, raw("mxclim.nc")["gw"].values)


def test_what_cannot_be_read_is_said():
    pre = describe_axes(opened("pre.8912.mon.nc"))
    assert pre.time.kind == "number" and any("same value" in n for n in pre.notes)
    nao = describe_axes(opened("NAO_b053.03_0000-0999.nc"))
    assert nao.time.kind == "number" and any("no units" in n for n in nao.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bay = describe_axes(xr.open_dataset(REALDATA / "sfbay_2020_met.nc"))  # as xarray reads it: text only
    assert bay.variables == () and any("not numeric" in n for n in bay.notes)


def test_an_unnamed_text_array_with_column_labels_opens_as_a_table():
    table = opened("sfbay_2020_met.nc")
    arr = raw("sfbay_2020_met.nc")["__xarray_dataarray_variable__"]
    labels = [str(x) for x in arr["dim_1"].values]
    assert isinstance(table, pd.DataFrame) and len(table) == arr.sizes["dim_0"]
    water = next(c for c in labels if c.startswith("Water Temp"))
    expected = pd.to_numeric(pd.Series(arr.values[:, labels.index(water)]), errors="coerce")
    np.testing.assert_allclose(table[water].to_numpy(), expected.to_numpy())
    when = pd.to_datetime([f"{d} {t}" for d, t in arr.values[:, :2]], format="%Y/%m/%d %H:%M")
    assert (pd.DatetimeIndex(table["time"]) == when).all()
    axes = describe_axes(table)
    assert axes.variables == (water,) and axes.time.name == "time" and axes.units[water] == "°C"


def test_is_numeric_and_axes_are_frozen():
    ds = opened("era5_1995-07-14T12.nc")
    assert is_numeric(ds["t2m"]) and is_numeric(ds["t2m_C"])
    assert not is_numeric(ds["time"]) and not is_numeric(ds["t2m"] > 0) and not is_numeric(ds["t2m"][:0])
    axes = describe_axes(ds)
    with pytest.raises(dataclasses.FrozenInstanceError):
        axes.weights = "equal"
