"""tools.dataset_tools on real samples; every expected value is computed independently with pandas/xarray."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import data
from data.synthetic import make_climate_dataset
from tools import default_registry
from tools.dataset_tools import statistic

REL = 1e-5  # tool floats carry 6 significant digits


def sample(sample_id):
    try:
        return data.open_sample(sample_id)
    except data.DataLoadError as exc:
        pytest.skip(str(exc))


def ok(registry, name, **arguments):
    res = registry.call(name, arguments)
    assert res.ok, res.error
    return res


@pytest.fixture(scope="module")
def seattle():
    df = sample("seattle-weather")
    return df, default_registry(df)


@pytest.fixture(scope="module")
def hadisst():
    ds = sample("hadisst-sst")
    return ds, default_registry(ds)


@pytest.fixture(scope="module")
def climate():
    ds = sample("synthetic-climate")
    return ds, default_registry(ds)


def cos_weighted_mean(da):
    return float(da.weighted(np.cos(np.deg2rad(da.lat))).mean())


# -- tables -------------------------------------------------------------------------------------------------
def test_wettest_day_in_seattle_2014(seattle):
    df, reg = seattle
    res = ok(reg, "where_extreme", variable="precipitation", kind="max", time_start="2014", time_end="2014")
    year = df[df["date"].dt.year == 2014]
    row = year.loc[year["precipitation"].idxmax()]
    assert res.value["time"] == row["date"].strftime("%Y-%m-%d")
    assert res.value["value"] == pytest.approx(row["precipitation"])
    assert res.value["selection"]["rows"] == len(year) == 365
    assert res.value["row_values"]["temp_max"] == pytest.approx(row["temp_max"])
    assert res.value["time"] in res.dates and res.value["value"] in res.facts
    # the same answer with explicit dates; the driest-warmest checks use min
    res2 = ok(reg, "where_extreme", variable="precipitation", kind="max", time_start="2014-01-01",
              time_end="2014-12-31")
    assert res2.value["time"] == res.value["time"]
    coldest = ok(reg, "where_extreme", variable="temp_min", kind="min").value
    assert coldest["time"] == df.loc[df["temp_min"].idxmin(), "date"].strftime("%Y-%m-%d")


def test_results_carry_units_the_files_lack(seattle):
    # The CSVs have no units; without them the 1.5B called Seattle's temperatures Fahrenheit and the
    # TMY3 irradiance "lx" (from a neighbouring illuminance column).
    _, reg = seattle
    assert ok(reg, "statistic", variable="temp_max", stat="max").value["units"] == "degC"
    assert ok(reg, "statistic", variable="precipitation", stat="sum", time_start="2014",
              time_end="2014").value["units"] == "mm"
    assert ok(reg, "describe_variable", variable="wind").value["units"] == "m/s"
    tmy = default_registry(sample("greensboro-tmy3"))
    assert ok(tmy, "statistic", variable="ghi", stat="mean").value["units"] == "Wh/m2"
    assert ok(tmy, "statistic", variable="temp_air", stat="max").value["units"] == "degC"


def test_count_of_hot_days(seattle):
    df, reg = seattle
    res = ok(reg, "count_threshold", variable="temp_max", threshold=30, direction="above")
    assert res.value["count"] == int((df["temp_max"] > 30).sum())
    assert res.value["distinct_days"] == res.value["count"]
    assert res.value["n_valid"] == len(df)
    in_2015 = ok(reg, "count_threshold", variable="temp_max", threshold=30, direction="above", time_start="2015")
    assert in_2015.value["count"] == int(((df["temp_max"] > 30) & (df["date"].dt.year == 2015)).sum())
    inclusive = ok(reg, "count_threshold", variable="temp_max", threshold=30, direction="at_or_above")
    assert inclusive.value["count"] == int((df["temp_max"] >= 30).sum())
    below = ok(reg, "count_threshold", variable="temp_min", threshold=0, direction="below")
    assert below.value["count"] == int((df["temp_min"] < 0).sum())
    at_most = ok(reg, "count_threshold", variable="temp_min", threshold=0, direction="at_or_below")
    assert at_most.value["count"] == int((df["temp_min"] <= 0).sum()) > below.value["count"]
    assert at_most.value["condition"] == "temp_min <= 0"


def test_an_argument_of_another_tool_points_to_that_tool(seattle):
    """Recorded: Qwen 1.5B asked where_extreme for the 90th percentile, with q=0.9, twice."""
    _, reg = seattle
    res = reg.call("where_extreme", {"variable": "temp_max", "kind": "max", "q": 0.9})
    assert not res.ok and "unexpected argument" in res.error
    assert "q is an argument of statistic" in res.error and "call statistic instead" in res.error
    counted = reg.call("where_extreme",
                       {"variable": "precipitation", "kind": "max", "threshold": 20, "direction": "above"})
    assert "direction and threshold are arguments of count_threshold" in counted.error
    unknown = reg.call("where_extreme", {"variable": "temp_max", "kind": "max", "colour": "red"})
    assert "instead" not in unknown.error  # no tool takes it: no pointer


def test_correlation_of_max_and_min_temperature(seattle):
    df, reg = seattle
    res = ok(reg, "correlation", variable_a="temp_max", variable_b="temp_min")
    assert res.value["pearson_r"] == pytest.approx(df["temp_max"].corr(df["temp_min"]), rel=REL)
    assert res.value["n"] == len(df)
    summer = ok(reg, "correlation", variable_a="temp_max", variable_b="wind", time_start="2013-06",
                time_end="2013-08").value
    sub = df[(df["date"] >= "2013-06-01") & (df["date"] <= "2013-08-31")]
    assert summer["n"] == len(sub) == 92
    assert summer["pearson_r"] == pytest.approx(sub["temp_max"].corr(sub["wind"]), rel=REL)


def test_table_statistics(seattle):
    df, reg = seattle
    y2013 = df[df["date"].dt.year == 2013]
    for stat, expected in [("mean", y2013["wind"].mean()), ("std", y2013["wind"].std()),
                           ("median", y2013["wind"].median()), ("sum", y2013["wind"].sum()),
                           ("max", y2013["wind"].max())]:
        res = ok(reg, "statistic", variable="wind", stat=stat, time_start="2013", time_end="2013")
        assert res.value["value"] == pytest.approx(expected, rel=REL), stat
        assert res.value["n"] == 365
    wettest = ok(reg, "statistic", variable="precipitation", stat="max", time_start="2014", time_end="2014").value
    y2014 = df[df["date"].dt.year == 2014]
    # when, not only how much
    assert wettest["time"] == f"{y2014.loc[y2014['precipitation'].idxmax(), 'date']:%Y-%m-%d}"
    assert "time" not in ok(reg, "statistic", variable="wind", stat="mean").value
    q90 = ok(reg, "statistic", variable="wind", stat="quantile", q=0.9).value
    assert q90["value"] == pytest.approx(df["wind"].quantile(0.9), rel=REL)
    res = reg.call("statistic", {"variable": "wind", "stat": "quantile"})
    assert not res.ok and "needs q" in res.error


def test_co2_linear_trend_per_decade():
    df = sample("mauna-loa-co2")
    reg = default_registry(df)
    res = ok(reg, "linear_trend", variable="co2")
    valid = df.dropna(subset=["co2"])
    d = valid["date"].dt
    years = d.year + (d.dayofyear - 1) / np.where(d.is_leap_year, 366.0, 365.0)
    slope = np.polyfit(years, valid["co2"], 1)[0] * 10
    assert res.value["slope_per_decade"] == pytest.approx(slope, rel=1e-3)
    assert 10 < res.value["slope_per_decade"] < 16  # ~1.3 ppm per year in 1958-2001
    assert res.value["units"] == "ppm per decade"
    assert res.value["n"] == len(valid)
    part = ok(reg, "linear_trend", variable="co2", time_start="1990", time_end="1999").value
    sub = valid[valid["date"].dt.year.between(1990, 1999)]
    d = sub["date"].dt
    years = d.year + (d.dayofyear - 1) / np.where(d.is_leap_year, 366.0, 365.0)
    assert part["slope_per_decade"] == pytest.approx(np.polyfit(years, sub["co2"], 1)[0] * 10, rel=1e-3)


def test_table_anomaly(seattle):
    df, reg = seattle
    res = ok(reg, "anomaly", variable="temp_max", time="2014-07-15", base_start="2012", base_end="2013")
    monthly = df.set_index("date")["temp_max"].resample("MS").mean()
    clim = monthly[(monthly.index.month == 7) & (monthly.index.year <= 2013)].mean()
    assert res.value["month"] == "2014-07"
    assert res.value["value"] == pytest.approx(monthly["2014-07-01"], rel=REL)
    assert res.value["climatology"] == pytest.approx(clim, rel=REL)
    assert res.value["anomaly"] == pytest.approx(monthly["2014-07-01"] - clim, rel=1e-4)
    assert res.value["base_years"] == 2


def test_table_errors(seattle):
    _, reg = seattle
    res = reg.call("statistic", {"variable": "weather", "stat": "mean"})  # a text column is not offered
    assert not res.ok and '"precipitation"' in res.error
    res = reg.call("where_extreme", {"variable": "wind", "kind": "max", "time_start": "1990", "time_end": "1991"})
    assert not res.ok and "2012-01-01 to 2015-12-31" in res.error
    res = reg.call("where_extreme", {"variable": "wind", "kind": "max", "time_start": "yesterday"})
    assert not res.ok and "not a date" in res.error
    res = reg.call("count_threshold", {"variable": "wind", "threshold": 3, "direction": "sideways"})
    assert not res.ok and '"above", "below"' in res.error


def test_timezone_aware_table():
    df = sample("neracoos-b01-sst")
    reg = default_registry(df)
    res = ok(reg, "where_extreme", variable="temperature", kind="max", time_start="2016-08", time_end="2016-08")
    times = df["time"]
    aug = df[(times >= pd.Timestamp("2016-08-01", tz="UTC")) & (times < pd.Timestamp("2016-09-01", tz="UTC"))]
    assert res.value["value"] == pytest.approx(aug["temperature"].max())
    assert res.value["time"].startswith(aug.loc[aug["temperature"].idxmax(), "time"].strftime("%Y-%m-%dT%H:%M"))


# -- grids ----------------------------------------------------------------------------------------------------
def test_tropical_mean_sst(hadisst):
    ds, reg = hadisst
    assert ds["lat"].values[0] > ds["lat"].values[-1]  # HadISST latitudes descend
    band = ds["sst"].sel(lat=slice(10, -10))
    weighted = ok(reg, "area_weighted_mean", variable="sst", lat_min=-10, lat_max=10)
    assert weighted.value["mean"] == pytest.approx(cos_weighted_mean(band), rel=REL)
    assert weighted.value["units"] == "degC"
    assert weighted.value["n"] == int(band.count())
    plain = ok(reg, "statistic", variable="sst", stat="mean", lat_min=-10, lat_max=10)
    assert plain.value["value"] == pytest.approx(float(band.mean()), rel=REL)
    swapped = ok(reg, "statistic", variable="sst", stat="mean", lat_min=10, lat_max=-10)
    assert swapped.value["value"] == plain.value["value"]
    # the weights matter over a wide band
    wide = ds["sst"].sel(lat=slice(60, -60))
    res = ok(reg, "area_weighted_mean", variable="sst", lat_min=-60, lat_max=60).value["mean"]
    assert res == pytest.approx(cos_weighted_mean(wide), rel=REL)
    assert abs(res - float(wide.mean())) > 0.5
    assert ds["sst"].chunks is not None  # the session's dataset stays lazy
    # recorded (1.5B, bench/tool_eval.py sst-nino34): "5°S-5°N" written as lat_min=-5, lat_max=-5
    line = reg.call("area_weighted_mean", {"variable": "sst", "lat_min": -5, "lat_max": -5})
    assert not line.ok and "lat_min=-5, lat_max=5" in line.error


def test_longitude_conventions(hadisst, climate):
    ds, reg = hadisst
    across = ok(reg, "statistic", variable="sst", stat="mean", lat_min=-5, lat_max=5, lon_min=170, lon_max=-170)
    lon = ds["lon"]
    expected = ds["sst"].sel(lat=slice(5, -5)).where((lon >= 170) | (lon <= -170)).mean()
    assert across.value["value"] == pytest.approx(float(expected), rel=REL)
    as_360 = ok(reg, "statistic", variable="sst", stat="mean", lat_min=-5, lat_max=5, lon_min=170, lon_max=190)
    assert as_360.value == {**across.value, "selection": as_360.value["selection"]}

    cds, creg = climate  # longitudes 0..360
    res = ok(creg, "statistic", variable="tas", stat="max", lon_min=-10, lon_max=10, time_start="2009")
    sub = cds["tas"].sel(time="2009").where((cds.lon >= 350) | (cds.lon <= 10))
    assert res.value["value"] == pytest.approx(float(sub.max()), rel=REL)
    res = creg.call("statistic", {"variable": "tas", "stat": "mean", "lon_min": 10})
    assert not res.ok and "both lon_min and lon_max" in res.error


def test_grid_statistics_over_dims(climate):
    ds, reg = climate
    res = ok(reg, "statistic", variable="tas", stat="mean", dims=["lat", "lon"], time_start="2009-01",
             time_end="2009-06")
    field = ds["tas"].sel(time=slice("2009-01", "2009-06"))
    expected = field.weighted(np.cos(np.deg2rad(field.lat))).mean(("lat", "lon"))  # a grid mean is by area
    assert res.value["weights"] == "cos(latitude)"
    assert [v["time"] for v in res.value["values"]] == [f"2009-0{m}-01" for m in range(1, 7)]
    assert [v["value"] for v in res.value["values"]] == pytest.approx(expected.values.tolist(), rel=REL)
    summary = ok(reg, "statistic", variable="tas", stat="max", dims=["time"]).value
    assert summary["result_shape"] == {"lat": 36, "lon": 72}
    assert summary["max"] == pytest.approx(float(ds["tas"].max()), rel=REL)
    q = ok(reg, "statistic", variable="pr", stat="quantile", q=0.95, lat_min=-30, lat_max=30).value
    sub = ds["pr"].sel(lat=slice(-30, 30)).values
    assert q["value"] == pytest.approx(np.nanquantile(sub, 0.95), rel=REL)
    coldest = ok(reg, "statistic", variable="tas", stat="min").value
    assert coldest["at"] == ok(reg, "where_extreme", variable="tas", kind="min").value["at"]
    std = ok(reg, "statistic", variable="tas", stat="std").value
    assert std["value"] == pytest.approx(float(ds["tas"].std(ddof=1)), rel=REL)
    res = reg.call("statistic", {"variable": "tas", "stat": "mean", "dims": ["depth"]})
    assert not res.ok and '"time", "lat", "lon"' in res.error


def test_where_extreme_on_synthetic(climate):
    ds, reg = climate
    values = ds["tas"].values
    for kind, pick in (("max", np.nanargmax), ("min", np.nanargmin)):
        res = ok(reg, "where_extreme", variable="tas", kind=kind)
        t, i, j = np.unravel_index(pick(values), values.shape)
        assert res.value["value"] == pytest.approx(float(values[t, i, j]), rel=REL)
        assert res.value["at"] == {"time": pd.Timestamp(ds.time.values[t]).strftime("%Y-%m-%d"),
                                   "lat": float(ds.lat[i]), "lon": float(ds.lon[j])}
    north = ok(reg, "where_extreme", variable="pr", kind="max", lat_min=30, time_start="2005").value
    sub = ds["pr"].sel(lat=slice(30, 90), time=slice("2005", None))
    assert north["value"] == pytest.approx(float(sub.max()), rel=REL)
    assert north["at"]["lat"] >= 30 and north["at"]["time"] >= "2005"


def test_anomaly_on_synthetic(climate):
    ds, reg = climate
    res = ok(reg, "anomaly", variable="tas", time="2008-07", base_start="2000", base_end="2004")
    series = ds["tas"].weighted(np.cos(np.deg2rad(ds.lat))).mean(("lat", "lon")).to_series()
    base = series[(series.index.year <= 2004) & (series.index.month == 7)]
    expected = series["2008-07-01"] - base.mean()
    assert res.value["anomaly"] == pytest.approx(expected, rel=1e-4, abs=1e-5)
    assert res.value["climatology"] == pytest.approx(base.mean(), rel=REL)
    assert res.value["base_years"] == 5 and res.value["units"] == "K"
    box = ok(reg, "anomaly", variable="tas", time="2009-01", lat_min=30, lat_max=60, lon_min=0, lon_max=40).value
    sub = ds["tas"].sel(lat=slice(30, 60), lon=slice(0, 40))
    s = sub.weighted(np.cos(np.deg2rad(sub.lat))).mean(("lat", "lon")).to_series()
    assert box["anomaly"] == pytest.approx(s["2009-01-01"] - s[s.index.month == 1].mean(), rel=1e-4, abs=1e-5)
    res = reg.call("anomaly", {"variable": "tas", "time": "1990-01"})
    assert not res.ok and "2000-01 to 2009-12" in res.error


def test_grid_trend_and_point_series(climate):
    ds, reg = climate
    res = ok(reg, "linear_trend", variable="tas")
    series = ds["tas"].weighted(np.cos(np.deg2rad(ds.lat))).mean(("lat", "lon")).to_series()
    d = series.index
    years = d.year + (d.dayofyear - 1) / np.where(d.is_leap_year, 366.0, 365.0)
    assert res.value["slope_per_decade"] == pytest.approx(np.polyfit(years, series.values, 1)[0] * 10, rel=1e-3)
    assert res.value["units"] == "K per decade"
    assert res.value["slope_per_decade"] == pytest.approx(0.3, abs=0.05)  # the generator's trend

    point = ok(reg, "time_series_at_point", variable="tas", lat=51.5, lon=-0.1, time_start="2001",
               time_end="2001-06").value
    assert point["point"] == {"lat": 52.5, "lon": 357.5}  # -0.1 wraps to the 0..360 grid
    expected = ds["tas"].sel(lat=52.5, lon=357.5, time=slice("2001-01", "2001-06"))
    assert point["n"] == 6 and len(point["values"]) == 6
    assert [v for _, v in point["values"]] == pytest.approx(expected.values.tolist(), rel=REL)
    assert point["mean"] == pytest.approx(float(expected.mean()), rel=REL)
    assert point["max"]["value"] == pytest.approx(float(expected.max()), rel=REL)
    long = ok(reg, "time_series_at_point", variable="tas", lat=0, lon=180).value
    assert long["n"] + long["n_missing"] == 120 and "values" not in long


def test_grid_correlation_and_count(climate):
    import xarray as xr

    ds, reg = climate
    res = ok(reg, "correlation", variable_a="tas", variable_b="pr", lat_min=-20, lat_max=20)
    sub = ds.sel(lat=slice(-20, 20))
    assert res.value["pearson_r"] == pytest.approx(float(xr.corr(sub.tas, sub.pr)), rel=REL)
    assert res.value["n"] == int((sub.tas.notnull() & sub.pr.notnull()).sum())
    count = ok(reg, "count_threshold", variable="tas", threshold=300, direction="above", time_start="2009").value
    assert count["count"] == int((ds.tas.sel(time="2009") > 300).sum())
    assert count["n_valid"] == int(ds.tas.sel(time="2009").count())


def test_dask_backed_grid_matches_numpy():
    ds = make_climate_dataset(years=2, nlat=18, nlon=36)
    lazy = ds.chunk({"time": 6})
    eager_reg, lazy_reg = default_registry(ds), default_registry(lazy)
    calls = [("statistic", {"variable": "tas", "stat": "mean", "lat_min": 0}),
             ("area_weighted_mean", {"variable": "pr", "lat_min": -30, "lat_max": 30}),
             ("where_extreme", {"variable": "tas", "kind": "min"}),
             ("statistic", {"variable": "pr", "stat": "median"}),
             ("count_threshold", {"variable": "tas", "threshold": 280, "direction": "below"})]
    for name, args in calls:
        assert ok(lazy_reg, name, **args).value == ok(eager_reg, name, **args).value, name
    assert lazy["tas"].chunks is not None


def test_grid_errors(hadisst, climate):
    ds, reg = hadisst
    res = reg.call("statistic", {"variable": "sst", "stat": "mean", "lat_min": 10.1, "lat_max": 10.2})
    assert not res.ok and "no grid points with latitude" in res.error and "widen the box" in res.error
    res = reg.call("area_weighted_mean", {"variable": "sst", "lat_min": -100})
    assert not res.ok and "out of range" in res.error
    res = reg.call("time_series_at_point", {"variable": "sst", "lat": 46.5, "lon": 8.5})  # Switzerland
    assert not res.ok and "no valid values" in res.error
    res = reg.call("statistic", {"variable": "sst", "stat": "mean", "time_start": "2013"})
    assert not res.ok and "2012-08-01" in res.error


def test_direct_calls_accept_a_plain_dataset(climate):
    ds, _ = climate
    out = statistic(ds, "tas", "min")
    assert out["value"] == pytest.approx(float(ds.tas.min()), rel=REL)


def test_list_and_describe(hadisst, seattle):
    ds, reg = hadisst
    listing = ok(reg, "list_variables").value
    assert [v["name"] for v in listing["variables"]] == ["sst"]
    assert listing["lat"] == [-89.5, 89.5] and listing["time"]["start"] == "2012-08-01"
    described = ok(reg, "describe_variable", variable="sst").value
    assert described["n_valid"] == int(ds.sst.count()) and described["units"] == "degC"
    assert described["max"] == pytest.approx(float(ds.sst.max()), rel=REL)
    df, treg = seattle
    listing = ok(treg, "list_variables").value
    assert [v["name"] for v in listing["variables"]] == ["precipitation", "temp_max", "temp_min", "wind"]
    assert listing["rows"] == len(df) and listing["time"]["name"] == "date"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_cftime_axis_and_all_missing_selections():
    import xarray as xr

    ds = make_climate_dataset(years=1, nlat=6, nlon=12)
    ds = ds.assign_coords(time=xr.date_range("2000-01-01", periods=12, freq="MS", calendar="noleap",
                                             use_cftime=True))
    ds["tas"] = ds["tas"].where(ds.lat < 0)  # the northern hemisphere is missing
    reg = default_registry(ds.chunk({"time": 4}))
    res = ok(reg, "where_extreme", variable="tas", kind="max", time_start="2000-06")
    sub = ds["tas"].isel(time=slice(5, None))
    t = int(np.argmax(sub.max(("lat", "lon")).values))
    assert res.value["value"] == pytest.approx(float(sub.max()), rel=REL)
    assert res.value["at"]["time"] == sub.time.values[t].strftime("%Y-%m-%d")
    for name, args in [("where_extreme", {"kind": "min"}), ("statistic", {"stat": "median"}),
                       ("statistic", {"stat": "sum"}), ("area_weighted_mean", {}),
                       ("count_threshold", {"threshold": 0, "direction": "above"})]:
        res = reg.call(name, {"variable": "tas", "lat_min": 10, **args})
        assert not res.ok and "no valid" in res.error, (name, res.error)
    res = reg.call("linear_trend", {"variable": "tas", "lat_min": 10})
    assert not res.ok and "at least 3" in res.error


def test_a_month_and_a_season_together_are_refused(seattle):
    """Seen in CI: the 0.5B filled month=1 and season="DJF" for "the highest maximum temperature of 2015" and
    got January's 17.2 °C instead of the year's 35.0. Both together are refused, with what to do instead."""
    df, registry = seattle
    arguments = {"variable": "temp_max", "kind": "max", "time_start": "2015-01-01", "time_end": "2015-12-31"}
    res = registry.call("where_extreme", {**arguments, "month": 1, "season": "DJF"})
    assert not res.ok and "month or season, not both" in res.error
    year = df[pd.DatetimeIndex(df["date"]).year == 2015]["temp_max"].max()
    assert ok(registry, "where_extreme", **arguments).value["value"] == year
    assert ok(registry, "where_extreme", **arguments, month=1).value["value"] < year  # one month still selects


def test_a_day_of_monthly_data_stands_for_its_month():
    """The 1.5B asks monthly means (stamped mid-month) for "2005-01-01" to "2005-01-01": January 2005, said so; on
    daily data a day with no step is still refused, and so is a day range across two months."""
    import cftime

    months = [cftime.DatetimeNoLeap(2005, m, 16) for m in range(1, 13)]
    monthly = xr.Dataset({"tas": (("time",), np.arange(12.0), {"units": "K"})}, coords={"time": months})
    registry = default_registry(monthly)
    result = registry.call("statistic", {"variable": "tas", "stat": "mean", "time_start": "2005-01-01",
                                         "time_end": "2005-01-01"})
    assert result.ok and result.value["value"] == 0.0 and result.value["selection"]["dates_read_as_month"] == "2005-01"
    assert not registry.call("statistic", {"variable": "tas", "stat": "mean", "time_start": "2005-01-30",
                                           "time_end": "2005-02-02"}).ok
    daily = xr.Dataset({"tas": (("time",), np.arange(3.0))},
                       coords={"time": pd.to_datetime(["2005-01-01", "2005-01-03", "2005-01-05"])})
    assert not default_registry(daily).call("statistic", {"variable": "tas", "stat": "mean",
                                                          "time_start": "2005-01-02", "time_end": "2005-01-02"}).ok
