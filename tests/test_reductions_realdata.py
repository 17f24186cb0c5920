"""The dataset tools on the real files of ../shared/realdata: selections on every axis kind and every
reduction, each expected value computed here with plain xarray/numpy (never typed in)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr
from helpers import REALDATA

from data.registry import open_path
from tools import default_registry

pytestmark = pytest.mark.skipif(not (REALDATA / "mxclim.nc").exists(), reason=f"no real data files in {REALDATA}")
REL = 1e-5  # tool floats carry 6 significant digits


def load(name: str) -> tuple[xr.Dataset, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = open_path(REALDATA / name)
    return ds, default_registry(ds)


def ok(registry, name, **arguments):
    res = registry.call(name, arguments)
    assert res.ok, res.error
    return res.value


def gw_mean(da: xr.DataArray, gw: xr.DataArray) -> float:
    return float((da * gw).sum("lat") / gw.where(da.notnull()).sum("lat"))


def test_mean_at_a_level_in_a_month_with_the_files_gaussian_weights():
    ds, reg = load("mxclim.nc")
    res = ok(reg, "area_weighted_mean", variable="U", level=500, month=7)
    assert res["mean"] == pytest.approx(gw_mean(ds.U.sel(lev=500, time=7), ds.gw), rel=REL)
    assert res["selection"]["level"] == 500 and res["selection"]["month"] == 7
    assert "gw" in res["weights"] and res["dims_reduced"] == ["lat", "time"]  # July: one step, named
    nearest = ok(reg, "area_weighted_mean", variable="U", level=480, month=7)["selection"]
    assert nearest["level"] == 500 and nearest["level_requested"] == 480  # says which level was used


def test_nothing_is_averaged_over_dims_the_call_did_not_name():
    ds, reg = load("mxclim.nc")
    res = ok(reg, "area_weighted_mean", variable="U", level=200)
    assert res["dims_reduced"] == ["lat"] and res["dims_kept"] == {"time": 2}
    expected = [gw_mean(ds.U.sel(lev=200, time=m), ds.gw) for m in ds.time.values]
    assert [row["time"] for row in res["values"]] == list(ds.time.values)
    assert [row["value"] for row in res["values"]] == pytest.approx(expected, rel=REL)
    both = ok(reg, "area_weighted_mean", variable="U")
    assert both["dims_kept"] == {"time": 2, "lev": 14}  # too many rows: summarised, never averaged away
    stat = ok(reg, "statistic", variable="U", stat="max", month=1)
    assert stat["dims_kept"] == {"lev": 14} and "values" in stat  # levels stay rows for a statistic too
    assert [r["value"] for r in stat["values"]] == pytest.approx(ds.U.sel(time=1).max("lat").values.tolist(), rel=REL)


def test_difference_between_two_months_of_a_hemisphere_mean():
    ds, reg = load("mxclim.nc")
    res = ok(reg, "difference", variable="U", period_a="January", period_b="July", level_a=200, level_b=200,
             lat_min=0)
    north = ds.U.sel(lev=200, lat=ds.lat >= 0)
    gw = ds.gw.sel(lat=ds.lat >= 0)
    jan, jul = gw_mean(north.sel(time=1), gw), gw_mean(north.sel(time=7), gw)
    assert res["a"] == pytest.approx(jan, rel=REL) and res["b"] == pytest.approx(jul, rel=REL)
    assert res["difference"] == pytest.approx(jul - jan, rel=1e-4)


def test_a_month_number_is_a_month_on_an_axis_of_months_and_a_year_on_dates():
    """mxclim's time holds the months 1 and 7: "1" and "7" are January and July there (a call the 1.5B wrote
    for "from January to July" failed with "time holds months, not dates"); on dates "7" stays the year 7."""
    ds, reg = load("mxclim.nc")
    named = ok(reg, "difference", variable="T", period_a="January", period_b="July", level_a=850, level_b=850,
               lat_min=-10, lat_max=10)
    numbered = ok(reg, "difference", variable="T", period_a="1", period_b="07", level_a=850, level_b=850,
                  lat_min=-10, lat_max=10)
    band = ds.T.sel(lev=850, lat=(ds.lat >= -10) & (ds.lat <= 10))
    gw = ds.gw.sel(lat=(ds.lat >= -10) & (ds.lat <= 10))
    expected = gw_mean(band.sel(time=7), gw) - gw_mean(band.sel(time=1), gw)
    assert numbered["difference"] == named["difference"] == pytest.approx(expected, rel=1e-4)
    assert numbered["selection_a"]["month"] == 1 and numbered["selection_b"]["month"] == 7
    assert not reg.call("difference", {"variable": "T", "period_a": "13", "period_b": "7"}).ok  # no 13th month
    _, dated = load("TREFHT.B06.66.atm.1890-1999ANN.nc")
    res = dated.call("difference", {"variable": "TREFHT", "period_a": "1", "period_b": "7"})
    assert not res.ok and "time_start=1" in res.error  # the year 1, which the file does not hold


def test_extreme_says_where_and_at_which_level():
    ds, reg = load("mxclim.nc")
    res = ok(reg, "where_extreme", variable="U", kind="max", level=200, month=1)
    field = ds.U.sel(lev=200, time=1)
    i = int(np.nanargmax(field.values))
    assert res["value"] == pytest.approx(float(field.max()), rel=REL)
    assert res["at"]["lat"] == pytest.approx(float(ds.lat[i]), rel=REL) and res["at"]["lev"] == 200


def test_count_over_a_threshold_along_one_dim():
    ds, reg = load("mxclim.nc")
    res = ok(reg, "count_threshold", variable="U", threshold=10, direction="above", dims=["lat"], level=200)
    assert [r["count"] for r in res["values"]] == (ds.U.sel(lev=200) > 10).sum("lat").values.tolist()
    boulder, breg = load("Boulder.temp.1897-2014.nc")
    one = ok(breg, "count_threshold", variable="temp", threshold=70, direction="above")
    assert one["count"] == int((boulder.temp > 70).sum()) and one["n_valid"] == int(boulder.temp.count())


def test_bounds_weighted_mean_in_a_month():
    ds, reg = load("tas_rectilinear_grid_2D.nc")
    res = ok(reg, "area_weighted_mean", variable="tas", month=7, lat_min=-30, lat_max=30)
    b = np.deg2rad(ds.lat_bnds.values)
    w = xr.DataArray(np.abs(np.sin(b[:, 1]) - np.sin(b[:, 0])), dims="lat", coords={"lat": ds.lat})
    sub = ds.tas.sel(time=ds.time.dt.month == 7).sel(lat=slice(-30, 30))
    assert res["mean"] == pytest.approx(float(sub.weighted(w.sel(lat=slice(-30, 30))).mean()), rel=REL)
    assert "bounds" in res["weights"]


def test_360_day_calendar_selection_trend_and_climatology():
    ds, reg = load("tas_mod2_hist_rectilin_grid_2D.nc")
    res = ok(reg, "statistic", variable="tas", stat="mean", time_start="1960", time_end="1969")
    sub = ds.tas.sel(time=slice("1960", "1969"))
    assert res["value"] == pytest.approx(float(sub.mean()), rel=REL) and res["n"] == 10
    assert res["selection"]["time"] == ["1960-12-16", "1969-12-16"]
    trend = ok(reg, "linear_trend", variable="tas")
    t = ds.indexes["time"]
    years = np.array([d.year + (d.dayofyr - 1) / 360 for d in t])  # a 360-day year
    series = ds.tas.squeeze().values
    assert trend["slope_per_decade"] == pytest.approx(np.polyfit(years, series, 1)[0] * 10, rel=1e-4)
    december = ok(reg, "statistic", variable="tas", stat="mean", month=12)
    assert december["value"] == pytest.approx(float(ds.tas.mean()), rel=REL)
    july = reg.call("statistic", {"variable": "tas", "stat": "mean", "month": 7})
    assert not july.ok and "month=7" in july.error


def test_climatology_and_anomaly_on_decoded_months():
    ds, reg = load("SOI_Darwin.nc")
    res = ok(reg, "climatology", variable="DSOI", by="month")
    expected = ds.DSOI.groupby("time.month").mean()
    assert [r["month"] for r in res["values"]] == expected.month.values.tolist()
    assert [r["value"] for r in res["values"]] == pytest.approx(expected.values.tolist(), rel=REL, abs=1e-6)
    seasons = ok(reg, "climatology", variable="DSOI", by="season")
    djf = ds.DSOI.sel(time=ds.time.dt.month.isin([12, 1, 2]))
    assert seasons["values"][0]["season"] == "DJF"
    assert seasons["values"][0]["value"] == pytest.approx(float(djf.mean()), rel=REL, abs=1e-6)
    anom = ok(reg, "anomaly", variable="DSOI", time="1997-12")
    dec = ds.DSOI.sel(time=ds.time.dt.month == 12)
    assert anom["anomaly"] == pytest.approx(ds.DSOI.sel(time="1997-12").values.item() - float(dec.mean()), rel=1e-4)


def test_month_and_season_dimensions_select_by_value():
    ds, reg = load("pr_mme_change_sresa2.nc")
    res = ok(reg, "area_weighted_mean", variable="mon1980", month=7)
    july = ds.mon1980.isel(month=6)  # month values 0..11
    assert res["mean"] == pytest.approx(float(july.weighted(np.cos(np.deg2rad(ds.lat))).mean()), rel=REL)
    jja = ok(reg, "statistic", variable="seas1980", stat="mean", season="JJA")
    order = ds.season.attrs["description"].split(",")
    jja_field = ds.seas1980.isel(season=order.index("JJA"))
    # a mean over the whole horizontal grid is area-weighted, and the result says by what
    assert jja["value"] == pytest.approx(float(jja_field.weighted(np.cos(np.deg2rad(ds.lat))).mean()), rel=REL)
    assert jja["weights"].startswith("cos(latitude)")
    assert jja["value"] != pytest.approx(float(jja_field.mean()), rel=REL)
    count = ok(reg, "statistic", variable="seas1980", stat="count", season="JJA")
    assert count["value"] == int(jja_field.count()) and count["units"] == ""


def test_region_on_a_curvilinear_grid_is_a_mask_on_its_2d_latlon():
    ds, reg = load("ctorca.nc")
    res = ok(reg, "area_weighted_mean", variable="sosstsst", lat_min=30, lat_max=60, time_start="1870-01-02",
             time_end="1870-01-02")
    inside = (ds.nav_lat >= 30) & (ds.nav_lat <= 60)
    day = ds.sosstsst.isel(time_counter=1).where(inside)
    expected = float(day.weighted(np.cos(np.deg2rad(ds.nav_lat)).where(inside, 0)).mean())
    assert res["mean"] == pytest.approx(expected, rel=REL)
    assert res["selection"]["grid_points_in_box"] == int(inside.sum())


def test_point_series_on_a_curvilinear_grid_uses_the_nearest_cell():
    ds, reg = load("ctorca.nc")
    res = ok(reg, "time_series_at_point", variable="sosstsst", lat=-20, lon=-30)
    lat, lon = np.deg2rad(ds.nav_lat.values), np.deg2rad(ds.nav_lon.values)
    dist = np.arccos(np.clip(np.sin(lat) * np.sin(np.deg2rad(-20)) + np.cos(lat) * np.cos(np.deg2rad(-20))
                             * np.cos(lon - np.deg2rad(-30)), -1, 1))
    j, i = np.unravel_index(np.argmin(dist), dist.shape)
    assert res["point"]["lat"] == pytest.approx(float(ds.nav_lat[j, i]), rel=REL)
    assert [v for _, v in res["values"]] == pytest.approx(ds.sosstsst[:, j, i].values.tolist(), rel=REL)


def test_region_on_an_unstructured_grid_crossing_longitude_zero():
    ds, reg = load("camse_unstructured_grid.nc")
    res = ok(reg, "area_weighted_mean", variable="T850", lat_min=30, lat_max=60, lon_min=-10, lon_max=40)
    inside = (ds.lat >= 30) & (ds.lat <= 60) & ((ds.lon >= 350) | (ds.lon <= 40))
    assert res["mean"] == pytest.approx(float(ds.T850.where(inside).mean()), rel=REL)
    assert res["n"] == int(inside.sum()) and res["weights"].startswith("equal")


def test_region_on_a_rotated_grid():
    ds, reg = load("tas_rotated_grid_EUR11.nc")
    res = ok(reg, "statistic", variable="tas", stat="mean", lat_min=40, lat_max=50, lon_min=0, lon_max=20)
    pole = ds.rotated_pole.attrs
    p, pn = np.deg2rad(pole["grid_north_pole_latitude"]), pole["grid_north_pole_longitude"]
    fr, lr = np.deg2rad(ds.rlat.values)[:, None], np.deg2rad(ds.rlon.values)[None, :]
    lat = np.rad2deg(np.arcsin(np.cos(p) * np.cos(fr) * np.cos(lr) + np.sin(p) * np.sin(fr)))
    lon = (np.rad2deg(np.arctan2(np.cos(fr) * np.sin(lr), np.sin(p) * np.cos(fr) * np.cos(lr)
                                 - np.cos(p) * np.sin(fr))) + pn + 360) % 360 - 180
    inside = xr.DataArray((lat >= 40) & (lat <= 50) & (lon >= 0) & (lon <= 20), dims=("rlat", "rlon"))
    rotated_weights = np.cos(np.deg2rad(ds.rlat))  # cos(latitude) of the rotated grid: its cells' areas
    assert res["value"] == pytest.approx(float(ds.tas.where(inside).weighted(rotated_weights).mean()), rel=REL)


def test_unit_conversion_of_results():
    ds, reg = load("TREFHT.B06.66.atm.1890-1999ANN.nc")
    res = ok(reg, "statistic", variable="TREFHT", stat="max", to_units="degC")
    assert res["value"] == pytest.approx(float(ds.TREFHT.max()) - 273.15, rel=REL)
    assert res["units"] == "degC" and res["converted_from"] == "K"
    spread = ok(reg, "statistic", variable="TREFHT", stat="std", to_units="degC")
    assert spread["value"] == pytest.approx(float(ds.TREFHT.std(ddof=1)), rel=1e-4)  # a spread has no offset
    boulder, breg = load("Boulder.temp.1897-2014.nc")
    f = ok(breg, "statistic", variable="temp", stat="mean", to_units="degC")
    assert f["value"] == pytest.approx((float(boulder.temp.mean()) - 32) * 5 / 9, rel=1e-4)
    assert f["value"] == pytest.approx(float(boulder.TEMP.mean()), abs=0.05)  # the file's own °C column
    offered = breg.call("statistic", {"variable": "temp", "stat": "mean", "to_units": "hPa"})
    assert not offered.ok and '"K", "degC", "degF"' in offered.error  # only units of the file's quantities
    _, ereg = load("era5_1995-07-14T12.nc")  # K, m s**-1 and Pa: all offered, each for its own quantity
    assert ok(ereg, "statistic", variable="sp", stat="mean", to_units="hPa")["units"] == "hPa"
    bad = ereg.call("statistic", {"variable": "t2m", "stat": "mean", "to_units": "hPa"})
    assert not bad.ok and "cannot convert" in bad.error


def test_year_axis_and_level_nearest_on_an_ocean_file():
    boulder, breg = load("Boulder.temp.1897-2014.nc")
    res = ok(breg, "statistic", variable="TEMP_ANNUAL", stat="mean", time_start="1950", time_end="1959")
    years = boulder.TIME.values
    assert res["value"] == pytest.approx(float(boulder.TEMP_ANNUAL[(years >= 1950) & (years <= 1959)].mean()), rel=REL)
    trend = ok(breg, "linear_trend", variable="TEMP_ANNUAL")
    valid = boulder.TEMP_ANNUAL.notnull().values
    assert trend["slope_per_decade"] == pytest.approx(
        np.polyfit(years[valid], boulder.TEMP_ANNUAL.values[valid], 1)[0] * 10, rel=1e-4)
    ds, reg = load("archv.0021_016_00_3zu.nc")
    deep = ok(reg, "statistic", variable="u", stat="mean", level=480)
    i = int(np.argmin(np.abs(ds.Depth.values - 480)))
    assert deep["selection"]["level"] == pytest.approx(float(ds.Depth[i])) and deep["selection"]["level_units"] == "m"
    layer = ds.u.isel(Depth=i)
    assert deep["value"] == pytest.approx(float(layer.weighted(np.cos(np.deg2rad(layer.Latitude))).mean()), rel=REL)


def test_list_variables_states_levels_and_time_kinds():
    ds, reg = load("mxclim.nc")
    listing = ok(reg, "list_variables")
    assert listing["level"]["count"] == ds.sizes["lev"] and listing["level"]["values"] == ds.lev.values.tolist()
    assert listing["time"]["kind"] == "month" and listing["time"]["values"] == ds.time.values.tolist()
    assert "gw" not in [v["name"] for v in listing["variables"]]
    cal = ok(load("tas_mod2_hist_rectilin_grid_2D.nc")[1], "list_variables")
    assert cal["time"]["calendar"] == "360_day"


def test_trend_on_a_time_axis_without_units_says_what_it_assumed():
    ds, reg = load("NAO_b053.03_0000-0999.nc")
    res = ok(reg, "linear_trend", variable="NAO")
    ok_ = np.isfinite(ds.NAO.values)
    slope = np.polyfit(ds.time.values[ok_].astype(float), ds.NAO.values[ok_].astype(float), 1)[0]
    assert res["slope_per_decade"] == pytest.approx(slope * 10, rel=1e-4)
    assert "no units" in res["note"]


def test_the_text_table_answers_by_month():
    table, reg = load("sfbay_2020_met.nc")
    water = next(c for c in table.columns if str(c).startswith("Water Temp"))
    res = ok(reg, "statistic", variable=water, stat="mean", month=7)
    assert res["value"] == pytest.approx(float(table[water][table["time"].dt.month == 7].mean()), rel=REL)
    assert ok(reg, "list_variables")["rows"] == len(table)


def test_hundreds_of_variables_are_listed_by_group():
    ds, reg = load("climdiv_prcp_1899-1999.nc")
    listing = ok(reg, "list_variables")
    names = [n for group in listing["variables"] for n in group["names"]]
    assert sorted(names) == sorted(v for v in ds.data_vars if v.startswith("PRECT"))
    assert {(g["units"], tuple(g["dims"])) for g in listing["variables"]} == {("inches", ("time",))}


def test_rows_over_time_come_with_their_mean_the_periods_mean():
    """The 1.5B kept time as rows (dims=["lat", "lon"]) for "the global mean over the whole year 2005" and wrote
    one row (or its own average) as the answer: a result listed over time now states the rows' mean too."""
    ds, reg = load("tas_rectilinear_grid_2D.nc")
    rows = ok(reg, "area_weighted_mean", variable="tas", dims=["lat", "lon"], time_start="2005", time_end="2005")
    whole = ok(reg, "area_weighted_mean", variable="tas", time_start="2005", time_end="2005")
    values = [r["value"] for r in rows["values"]]
    assert len(values) == 12 and rows["mean"] == pytest.approx(np.mean(values), rel=REL)
    assert rows["mean"] == pytest.approx(whole["mean"], rel=REL) and "12 rows" in rows["mean_note"]
    mx = load("mxclim.nc")[1]
    by_level = ok(mx, "area_weighted_mean", variable="U", dims=["lat"], month=7)
    by_month = ok(mx, "area_weighted_mean", variable="U", dims=["lat"], level=200)
    assert by_level["dims_kept"]["lev"] == 14 and by_month["dims_kept"] == {"time": 2}
    assert "mean" not in by_level and "mean" not in by_month  # over levels or two months: no period's mean


@pytest.mark.parametrize("name, axis", [("mxclim.nc", "lev"), ("camse_unstructured_grid.nc", "ncol"),
                                        ("tas_rectilinear_grid_2D.nc", "time")])
def test_a_variable_tool_asked_about_an_axis_lists_the_axes_instead_of_refusing(name, axis):
    """"How many levels?" written as statistic(variable="lev", stat="count"): the answer is the axis's size."""
    ds, reg = load(name)
    res = reg.call("statistic", {"variable": axis, "stat": "count"})
    assert res.ok and res.name == "list_variables", res.error
    assert res.value["dims"][axis] == ds.sizes[axis]
    assert f"{axis!r} is an axis" in res.text
    assert not reg.call("statistic", {"variable": "no_such_name", "stat": "count"}).ok  # a typo is still refused


def test_a_max_that_keeps_rows_also_says_the_overall_max_and_where_it_is():
    """statistic(max) over lat keeps one row per level; the question "the strongest U, at what latitude" needs the
    largest of those rows and its place, which the call did not ask where_extreme for."""
    ds, reg = load("mxclim.nc")
    res = ok(reg, "statistic", variable="U", stat="max", month=1)
    u = ds.U.sel(time=1).load()
    where = u.isel(u.argmax(dim=...))
    assert res["overall_max"]["value"] == pytest.approx(float(u.max()), rel=REL)
    assert res["overall_max"]["at"]["lat"] == pytest.approx(float(where.lat), rel=REL)
    assert res["overall_max"]["at"]["lev"] == float(where.lev)
    assert "overall_mean" not in ok(reg, "statistic", variable="U", stat="mean", month=1)


def test_a_dim_with_one_value_is_reduced_even_when_the_call_names_other_dims():
    """tos has one time step; dims=["y", "x"] used to keep it as a one-row table, which the numbers check then
    read as one part of the result (⚠ on the right global mean) and which carried no place for a max."""
    ds, reg = load("tos_ocean_bipolar_grid.nc")
    assert ds.sizes["time"] == 1
    mean = ok(reg, "area_weighted_mean", variable="tos", dims=["y", "x"])
    assert "values" not in mean and mean["dims_reduced"] == ["y", "x", "time"]
    tos = ds.tos.isel(time=0).load()
    assert ok(reg, "statistic", variable="tos", stat="max", dims=["y", "x"])["at"]["lat"] == pytest.approx(
        float(ds.lat.load()[tos.argmax(dim=...)["y"], tos.argmax(dim=...)["x"]]), rel=REL)


def test_climatology_by_year_on_an_axis_of_year_numbers():
    """Boulder's temp_annual lies on TIME = 1897..2014 (integers): climatology(by="year") crashed with
    AttributeError ('Index' object has no attribute 'month'); now one row per year, and by="month" says why not."""
    ds, reg = load("Boulder.temp.1897-2014.nc")
    res = ok(reg, "climatology", variable="temp_annual", by="year")
    annual = ds.temp_annual.load()
    assert res["n_groups"] == ds.sizes["TIME"]
    assert res["max"] == {"year": int(ds.TIME[int(annual.argmax())]), "value": pytest.approx(float(annual.max()))}
    refused = reg.call("climatology", {"variable": "temp_annual", "by": "month"})
    assert not refused.ok and "holds years only" in refused.error
    monthly = ok(reg, "climatology", variable="temp", by="month")["values"]
    assert [row["month"] for row in monthly] == list(range(1, 13))


def test_a_level_selected_and_named_in_dims_and_an_area_mean_over_part_of_the_area():
    """The 1.5B on the HYCOM file: area_weighted_mean(u, level=100, dims=["Depth", "Latitude"]) was refused ("u has
    dimensions MT, Latitude, Longitude; not Depth": the level had removed Depth), and once it ran, Longitude was
    kept as rows; the selected dim is already one value, and an area mean averages the whole area."""
    ds, reg = load("archv.0021_016_00_3zu.nc")
    named = ok(reg, "area_weighted_mean", variable="u", level=100, lat_min=0, lat_max=10, dims=["Depth", "Latitude"])
    plain = ok(reg, "area_weighted_mean", variable="u", level=100, lat_min=0, lat_max=10)
    assert "values" not in named and named["mean"] == plain["mean"]
    assert ok(reg, "statistic", variable="u", stat="min", level=1000, dims=["Depth", "Latitude", "Longitude"])[
        "value"] == pytest.approx(float(ds.u.sel(Depth=1000).min()), rel=REL)


def test_celsius_units_on_kelvin_values_are_doubted_not_converted():
    """mxclim's T says units "C" and holds 184 to 302 (kelvin): "in K" had added 273.15 to kelvin. The prompt and
    every result say the units cannot be right, and a conversion is refused; kelvin anomalies are not doubted."""
    import encoders
    from tools.units import units_doubt

    ds, registry = load("mxclim.nc")
    plain = ok(registry, "statistic", variable="T", stat="max", dims=["time", "lev", "lat"])
    assert plain["value"] == pytest.approx(float(ds.T.max()), rel=1e-5)
    assert "cannot be in C: they look like kelvin" in plain["units_note"]
    said = registry.call("statistic", {"variable": "T", "stat": "max", "dims": ["time", "lev", "lat"]})
    assert [s.unit for s in said.stated if s.kind == "max"] == [""]  # "301.7 K" is not checked against "C"
    refused = registry.call("statistic", {"variable": "T", "stat": "max", "to_units": "K"})
    assert not refused.ok and "does not convert" in refused.error
    assert "units_note" not in ok(registry, "statistic", variable="U", stat="max")
    text = encoders.encode(registry.dataset, encoders.DEFAULT_STRATEGY, 2000, lambda t: len(t) // 4).text
    assert [line for line in text.splitlines() if "look like kelvin" in line][0].startswith('- "T"')
    assert units_doubt("K", -4.2, 5.1) == "" and units_doubt("degC", -40, 35) == ""  # anomalies, real Celsius
    assert units_doubt("degF", 250, 300) and not units_doubt("m", 200, 300)


def test_a_trend_in_other_units_is_scaled_as_a_difference():
    """Boulder's annual means are in °F: "the trend in °C per decade" is the °F slope × 5/9, with no offset (the
    short schemas' 1.5B answered the °F slope for °C because linear_trend had no to_units)."""
    registry = default_registry(open_path(REALDATA / "Boulder.temp.1897-2014.nc"))
    own = registry.call("linear_trend", {"variable": "temp_annual"}).value
    celsius = registry.call("linear_trend", {"variable": "temp_annual", "to_units": "degC"}).value
    assert celsius["slope_per_decade"] == pytest.approx(own["slope_per_decade"] * 5 / 9, rel=1e-5)
    assert celsius["change_over_period"] == pytest.approx(own["change_over_period"] * 5 / 9, rel=1e-5)
    assert celsius["units"] == "degC per decade" and own["units"] == "farenheit per decade"
    century = registry.call("linear_trend", {"variable": "temp_annual", "to_units": "K", "per": "century"}).value
    assert century["slope_per_century"] == pytest.approx(own["slope_per_decade"] * 50 / 9, rel=1e-5)
