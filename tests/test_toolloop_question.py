"""The tool loop holds a call to what the question writes, on the shared real files: each case is a call the 1.5B
made in the whole real-data run (bench/RESULTS.md, "Model run, whole set"), and what the question asked instead."""
from __future__ import annotations

import numpy as np
import pytest
from test_toolcall import real_registry

from toolloop import ParsedCall, ToolLoop
from toolloop.numbers import suffix_named
from toolloop.question import area_mean_asked, names_place, plain_mean_asked, pointwise_extreme, unwritten_lons


def run(file: str, question: str, name: str, arguments: dict):
    registry = real_registry(file)
    loop = ToolLoop(None, registry, [{"role": "user", "content": question}], enabled=set(registry.enabled_names))
    return loop._run(ParsedCall(name, arguments, "")), registry.dataset


def test_what_names_a_place():
    for question in ("What is the mean tas between 30S and 30N?", "What is the mean SST in the Niño 3.4 region?",
                     "What is the mean tas over Europe in January?", "What is the mean temperature in the tropics?",
                     "What is the mean T north of the equator?", "What is Boulder's mean temperature?"):
        assert names_place(question), question
    for question in ("What is the area-weighted mean 2 m temperature over this ERA5 domain, in °C?",
                     "How many grid cells lie below 1500 m?", "What is the mean January TREFHT?",
                     "What is the highest T850 value?"):
        assert not names_place(question), question


def test_a_box_the_question_never_names_is_left_out():
    """"over this ERA5 domain": the 1.5B called lon -66..-125 (reversed, invented) and the answer had a ✓."""
    result, ds = run("era5_1995-07-14T12.nc",
                     "What is the area-weighted mean 2 m temperature over this ERA5 domain, in °C?",
                     "area_weighted_mean", {"variable": "t2m", "lat_min": -15, "lat_max": 15, "lon_min": -66,
                                            "lon_max": -125})
    weights = np.cos(np.deg2rad(ds.latitude))
    expected = float(ds.t2m.weighted(weights).mean()) - 273.15
    assert result.ok and result.value["mean"] == pytest.approx(expected, abs=0.01)
    assert "left out lat_min, lat_max, lon_min and lon_max" in result.text
    counted, ds = run("colorado_elev.nc", "How many grid cells lie below 1500 m?", "count_threshold",
                      {"variable": "z", "threshold": 1500, "direction": "below", "lon_min": -102, "lon_max": -100})
    assert counted.value["count"] == int((ds.z < 1500).sum())  # not the 420 cells of the invented strip
    boxed, _ = run("era5_1995-07-14T12.nc", "What is the mean 2 m temperature between 30N and 40N?",
                   "area_weighted_mean", {"variable": "t2m", "lat_min": 30, "lat_max": 40})
    assert boxed.value["selection"]["lat"] == [30, 40] and "left out" not in boxed.text


def test_an_extreme_at_any_grid_point_is_not_the_extreme_of_an_area_mean():
    """"the highest annual-mean TREFHT anywhere in any year": the 1.5B called climatology(by="year") and answered
    with the warmest global mean (285.4 K); the grid-point maximum is 302.3 K, in 1924."""
    question = "In which year does the highest annual-mean TREFHT at any grid point occur?"
    assert pointwise_extreme(question) == "max" and pointwise_extreme("In which year is TREFHT highest?") is None
    result, ds = run("TREFHT.B06.66.atm.1890-1999ANN.nc", question, "climatology",
                     {"variable": "TREFHT", "by": "year", "lat_min": -90, "lat_max": 90})
    assert result.ok and result.name == "statistic"
    assert result.value["value"] == pytest.approx(float(ds.TREFHT.max()), rel=1e-5)
    assert result.value["at"]["time"].startswith(str(int(ds.TREFHT.max("lat").max("lon").idxmax("time").dt.year)))
    assert "instead of climatology" in result.text
    means, _ = run("TREFHT.B06.66.atm.1890-1999ANN.nc", "In which year is the global mean TREFHT highest?",
                   "climatology", {"variable": "TREFHT", "by": "year"})
    assert means.name == "climatology"  # an area mean asked for stays one


def test_the_mean_of_all_grid_points_counts_each_the_same():
    """"the precipitation averaged over all grid points": the 1.5B called area_weighted_mean (22.295, with a ✓);
    the mean of the grid points is 22.413."""
    question = "What is the precipitation averaged over all grid points and all time steps?"
    assert plain_mean_asked(question) and not plain_mean_asked("What is the area-weighted mean over all grid points?")
    result, ds = run("pre.8912.mon.nc", question, "area_weighted_mean", {"variable": "pre"})
    assert result.ok and result.name == "statistic"
    assert result.value["value"] == pytest.approx(float(ds.pre.mean()), rel=1e-5)


def test_a_mean_over_an_area_asked_of_statistic_is_weighted_by_area():
    """pr_mme, "the domain mean JJA precipitation in 2060": the 1.5B called statistic(stat="mean", dims=["season"])
    and quoted the plain mean of the 1,020 grid points (1.91879 mm/day, with a ✓); the area mean is 1.952."""
    for question in ("What is the domain mean JJA precipitation in 2060 (seas2060), in mm/day?",
                     "What is the mean SST between 10S and 10N on the first day?",
                     "What is the global-mean z500 in July?", "What is the mean T in the Southern Hemisphere?"):
        assert area_mean_asked(question), question
    for question in ("What is the mean 850 hPa temperature over all cells in July 1979?",
                     "What is the mean temperature over the whole record?",
                     "What is the highest SST between 10S and 10N?"):
        assert not area_mean_asked(question), question
    question = "What is the domain mean JJA precipitation in 2060 (seas2060), in mm/day?"
    result, ds = run("pr_mme_change_sresa2.nc", question, "statistic",
                     {"variable": "seas2060", "stat": "mean", "dims": ["season"], "to_units": "mm/day"})
    assert result.ok and result.name == "area_weighted_mean" and "counts by its area" in result.text
    jja = ds.seas2060.sel(season=3)  # the file's seasons are numbered DJF=1 ... SON=4
    expected = float(jja.weighted(np.cos(np.deg2rad(ds.lat))).mean()) * 86400
    assert result.value["mean"] == pytest.approx(expected, rel=1e-4)
    plain, _ = run("pre.8912.mon.nc",
                   "What is the precipitation averaged over all grid points?", "statistic",
                   {"variable": "pre", "stat": "mean"})
    assert plain.name == "statistic"  # the mean of every grid point, asked as such, stays plain


def test_longitudes_copied_from_the_questions_latitudes_are_left_out():
    """ctorca.nc, "between 10S and 10N": the 1.5B called lat -10..10 and lon -10..10 (243 of the band's 4,550
    grid points), and the mean got a ✓."""
    question = "What is the mean SST between 10S and 10N on the first day in degrees Fahrenheit?"
    copied = {"lat_min": -10, "lat_max": 10, "lon_min": -10, "lon_max": 10}
    assert unwritten_lons(copied, question) == ["lon_min", "lon_max"]
    assert not unwritten_lons(copied, "What is the mean SST between 10S and 10N and 10W and 10E?")
    assert not unwritten_lons({**copied, "lon_min": 160}, question)
    assert not unwritten_lons({**copied, "lon_min": "170W"}, question)  # not a number: the tool says so
    assert not unwritten_lons(copied, "What is the long-term mean SST west of Africa between 10S and 10N?")
    result, _ = run("ctorca.nc", question, "statistic",
                    {"variable": "sosstsst", "stat": "mean", "q": 0, "dims": ["y", "x"], **copied, "to_units": "F"})
    assert result.ok and result.name == "area_weighted_mean"
    assert "lon" not in result.value["selection"] and result.value["selection"]["grid_points_in_box"] > 4000
    assert "left out" in result.text and "lon_min" in result.text


def test_from_the_first_to_the_last_day_compares_the_datasets_own_first_and_last_steps():
    """ctorca.nc, "change from the first to the last day": the 1.5B averaged the five days (statistic mean)."""
    result, ds = run("ctorca.nc", "By how much does the Niño 3.4 (5S-5N, 170W-120W) mean SST change from the first "
                     "to the last day?", "statistic", {"variable": "sosstsst", "stat": "mean",
                                                       "time_start": "1870-01-01", "time_end": "1870-01-05"})
    assert result.ok and result.name == "difference"
    first, last = result.value["selection_a"]["time"], result.value["selection_b"]["time"]
    assert first[0] == first[1] and last[0] == last[1] and first[0] < last[0]
    assert result.value["selection_a"]["time_steps"] == result.value["selection_b"]["time_steps"] == 1
    sst = ds.sosstsst
    assert result.value["b"] > result.value["a"] and str(sst.time_counter.values[-1])[:10] in last[0]


def test_an_argument_the_tool_lacks_is_left_out_and_a_count_answers_only_a_count():
    """hgt.nc, "In which year is the lowest 500 hPa height found?": the 1.5B wrote where_extreme(kind="min",
    threshold=500, direction="at_or_below"), which the loop had run as count_threshold (0 values <= 500)."""
    result, ds = run("hgt.nc", "In which year is the lowest 500 hPa height found?", "where_extreme",
                     {"variable": "HGT", "kind": "min", "threshold": 500, "direction": "at_or_below"})
    assert result.ok and result.name == "where_extreme"
    assert result.value["value"] == pytest.approx(float(ds.HGT.min()), rel=1e-5)
    assert "where_extreme does not take threshold or direction" in result.text
    counted, _ = run("hgt.nc", "How many values of the 500 hPa height are at or below 5000 gpm?", "where_extreme",
                     {"variable": "HGT", "kind": "min", "threshold": 5000, "direction": "at_or_below"})
    assert counted.name == "count_threshold" and counted.value["count"] == int((ds.HGT <= 5000).sum())
    lowest, _ = run("hgt.nc", "What is the lowest 500 hPa height in the file, in gpm?", "statistic",
                    {"variable": "HGT", "stat": "min", "max_values": 500})
    assert lowest.ok and lowest.value["value"] == pytest.approx(float(ds.HGT.min()), rel=1e-5)
    assert "statistic does not take max_values" in lowest.text


def test_a_trend_question_keeps_its_trend_tool():
    """TREFHT, "the trend per decade of the area-weighted mean TREFHT north of 60N": the 1.5B wrote
    linear_trend(by="year", to_units="K"); moved to climatology(by="year") it gave yearly means, no trend."""
    question = "What is the trend per decade of the area-weighted mean TREFHT north of 60N?"
    result, _ = run("TREFHT.B06.66.atm.1890-1999ANN.nc", question, "linear_trend",
                    {"variable": "TREFHT", "by": "year", "lat_min": 60, "lat_max": 90, "to_units": "K"})
    plain = real_registry("TREFHT.B06.66.atm.1890-1999ANN.nc").call(
        "linear_trend", {"variable": "TREFHT", "lat_min": 60, "lat_max": 90})
    assert result.ok and result.name == "linear_trend" and result.value["units"] == "K per decade"
    assert result.value["slope_per_decade"] == plain.value["slope_per_decade"] and "left out by" in result.text
    meaned, _ = run("TREFHT.B06.66.atm.1890-1999ANN.nc", question, "area_weighted_mean",  # the short schemas' call
                    {"variable": "TREFHT", "dims": ["lat", "lon"], "lat_min": 60, "lat_max": 90, "lon_min": 0,
                     "lon_max": 357.188, "to_units": "K"})
    assert meaned.ok and meaned.name == "linear_trend" and "instead of area_weighted_mean" in meaned.text
    assert meaned.value["slope_per_decade"] == pytest.approx(plain.value["slope_per_decade"], rel=1e-3)
    means, _ = run("TREFHT.B06.66.atm.1890-1999ANN.nc", "What are the yearly means of TREFHT north of 60N?",
                   "statistic", {"variable": "TREFHT", "stat": "mean", "by": "year", "lat_min": 60})
    assert means.name == "climatology"  # not a trend question: statistic(by="year") is still climatology's


def test_where_an_extreme_is_asked_of_describe_variable_runs_where_extreme():
    """tos, "At what latitude is the warmest sea surface temperature found?": the 1.5B called describe_variable
    (the maximum's value, no place) and answered an invented 15°S."""
    result, ds = run("tos_ocean_bipolar_grid.nc", "At what latitude is the warmest sea surface temperature found?",
                     "describe_variable", {"variable": "tos"})
    assert result.ok and result.name == "where_extreme"
    lat = ds.lat.values.ravel()[int(np.nanargmax(ds.tos.values.ravel()))]
    assert result.value["value"] == pytest.approx(float(ds.tos.max()), rel=1e-5)
    assert any(v == pytest.approx(float(lat), abs=1e-3) for v in result.value["at"].values()
               if isinstance(v, float))
    described, _ = run("tos_ocean_bipolar_grid.nc", "What are the units of tos?", "describe_variable",
                       {"variable": "tos"})
    assert described.name == "describe_variable"


def test_a_range_of_names_copied_from_the_prompt_is_the_one_the_question_numbers():
    """climdiv: the system message writes "PRECT_TX_CD{1..10}"; the 1.5B called it as a variable for "Texas
    climate division 1"."""
    result, ds = run("climdiv_prcp_1899-1999.nc", "What is the mean monthly precipitation of Texas climate "
                     "division 1 in millimetres?", "statistic", {"variable": "PRECT_TX_CD{1..10}", "stat": "mean"})
    assert result.ok and result.value["variable"] == "PRECT_TX_CD1"
    assert result.value["value"] == pytest.approx(float(ds.PRECT_TX_CD1.mean()) * 25.4, rel=1e-4)
    assert "as PRECT_TX_CD1" in result.text
    unnamed, _ = run("climdiv_prcp_1899-1999.nc", "What is the mean precipitation in Texas?", "statistic",
                     {"variable": "PRECT_TX_CD{1..10}", "stat": "mean"})
    assert not unnamed.ok  # no division named: not guessed
    question = "What is the wettest month on record in California climate division 4, in inches?"
    narrowed, ds = run("climdiv_prcp_1899-1999.nc", question, "statistic",  # short schemas, 6c0ba10: refused twice
                       {"variable": "PRECT_CA_CD{4}", "stat": "max", "to_units": "inches"})
    assert narrowed.ok and narrowed.value["value"] == pytest.approx(float(ds.PRECT_CA_CD4.max()), rel=1e-4)
    other, _ = run("climdiv_prcp_1899-1999.nc", question.replace("4", "5"), "statistic",
                   {"variable": "PRECT_CA_CD{4}", "stat": "max"})
    assert not other.ok  # the question names another division: not guessed


def test_a_selection_a_variable_lacks_is_refused_naming_the_variables_that_have_it():
    """pr_mme, "the mean SON precipitation in 1980": the 1.5B chose anvar2060 (lat, lon) twice; the error now
    names the variables with seasons, seas1980 among them."""
    registry = real_registry("pr_mme_change_sresa2.nc")
    refused = registry.call("statistic", {"variable": "anvar2060", "stat": "mean", "season": "SON"})
    assert not refused.ok and "does not vary with time" in refused.error
    assert "these vary with time: seas1980, seas2020" in refused.error and "an1980" not in refused.error


def test_a_change_question_keeps_difference_and_leaves_out_what_it_does_not_take():
    """mxclim, "By how much does the zonal mean temperature at 850 hPa between 10S and 10N change from January to
    July?": the 1.5B wrote difference(kind="max", month=1, level=850, ...) twice; kind is where_extreme's, but a
    change is difference's."""
    result, ds = run("mxclim.nc", "By how much does the zonal mean temperature at 850 hPa between 10S and 10N "
                     "change from January to July?", "difference",
                     {"variable": "T", "kind": "max", "month": 1, "lat_min": -10, "lat_max": 10, "level": 850})
    assert result.ok and result.name == "difference"
    assert result.value["selection_a"]["month"] == 1 and result.value["selection_b"]["month"] == 7
    assert result.value["selection_a"]["level"] == 850 and "difference does not take kind" in result.text


def test_how_many_records_is_the_datas_own_size_not_a_count_of_valid_values():
    """sfbay, "How many hourly records does the file hold?": the 1.5B counted the valid water temperatures
    (8782 of 8784 rows), with a ✓."""
    result, ds = run("sfbay_2020_met.nc", "How many hourly records does the file hold?", "statistic",
                     {"variable": "Water Temp (°C)", "stat": "count"})
    assert result.ok and result.name == "list_variables" and result.value["rows"] == len(ds)
    valid, _ = run("sfbay_2020_met.nc", "How many hourly records have a water temperature above 18 °C?",
                   "statistic", {"variable": "Water Temp (°C)", "stat": "count"})
    assert valid.name == "statistic"  # a condition on the values: not the file's size
    assert valid.value["value"] < len(ds)  # the valid values, fewer than the records


def test_any_month_names_no_month():
    """ta_ps_850, "What is the coldest 850 hPa temperature in any month, in K?": the 1.5B added month=1, and
    January's minimum (238.28 K) got a ✓; the coldest of all months is lower."""
    result, ds = run("ta_ps_850.nc", "What is the coldest 850 hPa temperature in any month, in K?", "where_extreme",
                     {"variable": "ta", "kind": "min", "month": 1})
    assert result.ok and result.value["value"] == pytest.approx(float(ds.ta.min()), rel=1e-5)
    assert "left out month" in result.text
    july, _ = run("ta_ps_850.nc", "What is the coldest 850 hPa temperature in July?", "where_extreme",
                  {"variable": "ta", "kind": "min", "month": 7})
    assert july.value["selection"]["month"] == 7


def test_two_levels_of_a_change_and_a_latitude_asked_for():
    """HYCOM: "the mean u at the surface and at 500 m (surface minus 500 m)" was answered with the mean at 500 m
    alone, with a ✓; "At what latitude is the most negative u at 1000 m depth?" got an invented box -10..10."""
    result, ds = run("archv.0021_016_00_3zu.nc", "What is the difference between the mean u at the surface and at "
                     "500 m (surface minus 500 m), area-weighted?", "area_weighted_mean",
                     {"variable": "u", "level": 500})
    assert result.ok and result.name == "difference"
    top = float(ds.Depth.min())
    assert (result.value["selection_a"]["level"], result.value["selection_b"]["level"]) == (500, top)
    weights = np.cos(np.deg2rad(ds.Latitude))
    mean = {d: float(ds.u.sel(Depth=d).weighted(weights).mean()) for d in (top, 500.0)}
    assert result.value["difference"] == pytest.approx(mean[top] - mean[500.0], rel=1e-4)
    assert not names_place("At what latitude is the most negative u at 1000 m depth?")
    where, _ = run("archv.0021_016_00_3zu.nc", "At what latitude is the most negative u at 1000 m depth?",
                   "statistic", {"variable": "u", "stat": "min", "level": 1000, "lat_min": -10, "lat_max": 10})
    u = ds.u.sel(Depth=1000.0)
    assert where.value["value"] == pytest.approx(float(u.min()), rel=1e-5)


def test_model_years_written_as_numbers_and_a_trend_per_century():
    """NAO (years 1-999 as numbers): "over model years 500 to 599" was called 1950-1999 (refused twice); "the
    trend per century" was called over an invented 1900-2000 ("century" read as naming a period)."""
    span, ds = run("NAO_b053.03_0000-0999.nc", "What is the mean NAO index over model years 500 to 599?",
                   "statistic", {"variable": "NAO", "stat": "mean", "time_start": "1950", "time_end": "1999"})
    assert span.ok and span.value["value"] == pytest.approx(float(ds.NAO.sel(time=slice(500, 599)).mean()), rel=1e-5)
    trend, _ = run("NAO_b053.03_0000-0999.nc", "What is the trend of the NAO index per century?", "linear_trend",
                   {"variable": "NAO", "time_start": "1900", "time_end": "2000"})
    assert trend.ok and trend.value["n"] == ds.sizes["time"] and "left out time_start and time_end" in trend.text
    assert "1900" not in trend.text.split("left out")[1]  # named, not quoted: the model copied such values
    since, _ = run("NAO_b053.03_0000-0999.nc", "What is the NAO trend over the last century?", "linear_trend",
                   {"variable": "NAO", "time_start": "900", "time_end": "999"})
    assert since.ok and since.value["n"] == 100  # "the last century" does name a period


def test_a_state_named_by_name_and_a_count_asked_hold_the_call():
    """climdiv: "Arizona climate division 7" was called as Arkansas's PRECT_AR_CD7 (the code AR), and the count
    as statistic(stat="max"), twice; the answer listed that maximum with a ✓."""
    question = "How many months have more than 3 inches of precipitation in Arizona climate division 7?"
    result, ds = run("climdiv_prcp_1899-1999.nc", question, "statistic",
                     {"variable": "PRECT_AR_CD7", "stat": "max", "dims": ["time"]})
    assert result.ok and result.name == "count_threshold"
    assert result.value["count"] == int((ds.PRECT_AZ_CD7 > 3).sum()) != int((ds.PRECT_AR_CD7 > 3).sum())
    assert "as PRECT_AZ_CD7: the one the question names" in result.text
    assert "ran count_threshold instead of statistic" in result.text
    # a division the question does not name by its number is not taken: the call stays as written
    kept, _ = run("climdiv_prcp_1899-1999.nc", "What is the wettest month on record in California?", "statistic",
                  {"variable": "PRECT_CA_CD4", "stat": "max"})
    assert kept.ok and kept.arguments["variable"] == "PRECT_CA_CD4" and "the one the question names" not in kept.text


def test_a_threshold_in_other_units_or_a_count_of_means_is_not_rescued():
    asked = "On the last day, how many ocean grid points have an SST above 29 °C?"  # the SST is in K
    result, _ = run("tos_ocean_bipolar_grid.nc", asked, "statistic", {"variable": "tos", "stat": "max"})
    assert result.name == "statistic" and "count_threshold" not in result.text
    means, _ = run("Boulder.temp.1897-2014.nc", "How many years have an annual mean temperature above 11?",
                   "statistic", {"variable": "temp", "stat": "max"})
    assert means.name == "statistic"


def test_the_model_reads_the_call_that_ran_not_the_one_it_wrote():
    """tas_mod2, "Which year has the highest tas?": the 1.5B wrote statistic(max, time_start="1950",
    time_end="2005"); the period was left out (unasked), and the answer named 2005, copied from its own call as
    the results listed it. The results now list the arguments the tool ran with."""
    from test_toolcall import ScriptedModel

    registry = real_registry("tas_mod2_hist_rectilin_grid_2D.nc")
    model = ScriptedModel(['{"name": "statistic", "arguments": {"variable": "tas", "stat": "max", '
                           '"time_start": "1950", "time_end": "2005"}}', "The warmest year is 2003."])
    loop = ToolLoop(model, registry, [{"role": "user", "content": "Which year has the highest tas?"}],
                    enabled=set(registry.enabled_names))
    list(loop.run())
    results = model.seen[1][0][-1]["content"]
    assert '- statistic("variable": "tas", "stat": "max") returned' in results
    assert '"time_end": "2005"' not in results


def test_a_call_written_back_as_it_ran_is_a_repeat_not_new_evidence():
    """The results list the call as it ran; the 0.5B then wrote that call back, which the loop had compared with
    the calls as written only, took for new evidence, and ran again until the step limit."""
    from test_toolcall import ScriptedModel

    registry = real_registry("tas_mod2_hist_rectilin_grid_2D.nc")
    written = '{"name": "statistic", "arguments": {"variable": "tas", "stat": "max", "time_end": "2005"}}'
    as_ran = '{"name": "statistic", "arguments": {"variable": "tas", "stat": "max"}}'
    model = ScriptedModel([written, as_ran, "The highest tas is 310.2 K."])
    loop = ToolLoop(model, registry, [{"role": "user", "content": "What is the highest tas?"}],
                    enabled=set(registry.enabled_names))
    list(loop.run())
    assert [len(s.results) for s in loop.steps] == [1, 0, 0]  # the second call is not run again
    assert loop.stopped == "answer" and loop.answer == "The highest tas is 310.2 K."


def test_how_many_years_a_file_covers_is_its_time_axis():
    """TREFHT (annual, 1890-1999): "How many years does this TREFHT file cover?" was called as
    statistic(stat="max"); with no listed extent to read, the 1.5B wrote "80 years"."""
    question = "How many years does this TREFHT file cover?"
    result, ds = run("TREFHT.B06.66.atm.1890-1999ANN.nc", question, "statistic", {"variable": "TREFHT", "stat": "max"})
    assert result.name == "list_variables" and result.value["time"]["steps"] == ds.sizes["time"] == 110
    assert "instead of statistic" in result.text
    counted, _ = run("TREFHT.B06.66.atm.1890-1999ANN.nc", "How many years have a global maximum TREFHT above 300 K?",
                     "statistic", {"variable": "TREFHT", "stat": "max"})
    assert counted.name != "list_variables"  # a condition on the values: a count among them, not the extent


def test_a_trend_per_century_is_given_per_century():
    """NAO, "What is the trend of the NAO index per century?": the slope came per decade (0.0087) and the 1.5B
    wrote "per century is 0.0087 per decade" with a ✓."""
    question = "What is the trend of the NAO index per century?"
    result, _ = run("NAO_b053.03_0000-0999.nc", question, "linear_trend", {"variable": "NAO"})
    decade, _ = run("NAO_b053.03_0000-0999.nc", "What is the NAO trend per decade?", "linear_trend",
                    {"variable": "NAO"})
    assert result.ok and result.value["slope_per_century"] == pytest.approx(10 * decade.value["slope_per_decade"],
                                                                             rel=1e-4)
    assert "per='century'" in result.text and "per=" not in decade.text and result.value["units"].endswith("century")


def test_a_day_the_question_names_is_the_day_the_call_selects():
    """"the maximum SST on 3 January 1870": the 1.5B selected 1 January (the file's first day) and its answer,
    0.05 from the right one, carried a ✓. The day the question writes replaces the call's, and a sentence that
    quotes one day's value for another day gets a ⚠."""
    from toolloop.numbers import Known, check_numbers
    from toolloop.question import day_from_question

    question = "What is the maximum SST on 3 January 1870?"
    result, ds = run("ctorca.nc", question, "statistic",
                     {"variable": "sosstsst", "stat": "max", "time_start": "1870-01-01T12:00",
                      "time_end": "1870-01-01T12:00"})
    expected = float(ds.sosstsst.sel(time_counter="1870-01-03").max())
    first_day = float(ds.sosstsst.isel(time_counter=0).max())
    assert abs(expected - first_day) > 0.01  # the two days differ: the test can tell them apart
    assert result.ok and result.value["value"] == pytest.approx(expected, abs=1e-3)
    assert "time_start='1870-01-03'" in result.text
    daily = real_registry("ctorca.nc").time_axes
    for asked in ("on July 19, 2015", "on 19 July 2015", "on the 19th of July 2015", "on 2015-07-19"):
        assert day_from_question("statistic", {}, f"How warm was it {asked}?", daily)[0] == {
            "time_start": "2015-07-19", "time_end": "2015-07-19"}, asked
    one_year = {"time_start": "2015"}
    for asked in ("in July 2015", "since 19 July 2015", "on 19 July 2015 and on 20 July 2015",
                  "on 2015-07-19 and 2015-07-20", "starting on 19 July 2015", "on 19 July 2015, not on 20 July"):
        assert day_from_question("statistic", one_year, f"How warm was it {asked}?", daily) == (one_year, ""), asked
    kept = {"time_start": "2015-07-19T12:00", "time_end": "2015-07-19T12:00"}
    span = {"time_start": "2015-07-01", "time_end": "2015-07-31"}
    for call in (kept, span):  # the day already, or a span of days the model chose: as it is
        assert day_from_question("statistic", call, "How warm was it on July 19, 2015?", daily) == (call, "")
    assert day_from_question("linear_trend", {}, "How warm was it on July 19, 2015?", daily) == ({}, "")
    monthly = real_registry("tas_rectilinear_grid_2D.nc").time_axes
    assert day_from_question("statistic", {}, "How warm was it on 16 July 2005?", monthly) == ({}, "")

    fact = [Known("statistic(max)", round(first_day, 4), "C", "sosstsst", "max",
                  (("time", "1870-01-01T12:00 to 1870-01-01T12:00"),))]
    wrong, = [c for c in check_numbers(f"The maximum SST on 3 January 1870 was {first_day:.4f}°C.", fact)
              if c.value == round(first_day, 4)]
    assert not wrong.found and "not for 1870-01-03" in wrong.note
    for right in (f"The maximum SST on 1 January 1870 was {first_day:.4f}°C.", f"The maximum SST was {first_day:.4f}.",
                  f"The maximum SST was {first_day:.4f} on 1 January and less on 3 January 1870.",
                  f"Over 3 decades 1961-1990 the maximum SST was {first_day:.4f}."):
        assert [c.found for c in check_numbers(right, fact) if c.value == round(first_day, 4)] == [True], right


def test_the_first_or_last_step_the_question_names_is_the_step_the_call_selects():
    """"the mean SST between 10S and 10N on the first day in degrees Fahrenheit": the 1.5B selected no time, the
    result gave each of the five days and their mean, and it quoted that mean (79.2568, 0.05 % from the first day's
    79.2201) with a ✓. The first day is selected now, and a number a digit's worth off is no longer the same."""
    from toolloop.numbers import Known, check_numbers
    from toolloop.question import end_step_from_question

    question = "What is the mean SST between 10S and 10N on the first day in degrees Fahrenheit?"
    result, ds = run("ctorca.nc", question, "area_weighted_mean",
                     {"variable": "sosstsst", "dims": ["y", "x"], "lat_min": -10, "lat_max": 10, "to_units": "degF"})
    first = ds.sosstsst.isel(time_counter=0)
    band = (ds.nav_lat >= -10) & (ds.nav_lat <= 10)
    weights = np.cos(np.deg2rad(ds.nav_lat)).where(band & first.notnull())
    expected = float((first * weights).sum() / weights.sum()) * 9 / 5 + 32
    assert result.ok and result.value["mean"] == pytest.approx(expected, abs=0.01)
    assert "(the first)" in result.text
    daily = real_registry("ctorca.nc").time_axes
    last = end_step_from_question("count_threshold", {}, "On the last day, how many points are above 29?", daily)
    assert last[0] == {"time_start": "1870-01-05T12:00", "time_end": "1870-01-05T12:00"}
    for asked, tool in (("from the first to the last day", "statistic"), ("on the first day", "linear_trend"),
                        ("in the first month", "statistic")):  # a span, a tool of series, a month of a daily file
        assert end_step_from_question(tool, {}, f"What is the mean SST {asked}?", daily) == ({}, ""), asked
    monthly = real_registry("tas_rectilinear_grid_2D.nc").time_axes
    assert end_step_from_question("statistic", {}, "What is the mean tas in the first year?", monthly) == ({}, "")
    assert end_step_from_question("statistic", {}, "What is the mean tas in the last month?", monthly)[1]

    fact = [Known("area_weighted_mean(...)", 79.2201, "degF", "sosstsst", "mean")]
    for written, right in (("79.2568", False), ("79.2201", True), ("79.22", True), ("79.23", True), ("79.3", False)):
        assert [c.found for c in check_numbers(f"The mean SST is {written} °F.", fact)] == [right], written


def test_calls_the_short_schemas_drew_out_of_the_extent_are_held_to_the_question():
    """Calls the 1.5B wrote with GEOLLM_TOOL_SCHEMAS=short (bench/RESULTS.md, issue 15's accuracy of the short
    schemas), each refused or wrong before: values copied from the extent that the question never asks for."""
    orca = {"variable": "sosstsst", "stat": "mean", "to_units": "degF", "lat_min": -10, "lat_max": -10,
            "lon_min": -10, "lon_max": -10, "time_start": "1870-01-01T12:00", "time_end": "1870-01-01T12:00"}
    result, ds = run("ctorca.nc", "What is the mean SST between 10S and 10N on the first day in degrees Fahrenheit?",
                     "statistic", orca)
    assert result.ok and result.value["selection"]["grid_points_in_box"] > 4000  # the band, not a -10..-10 lon
    assert "lon_min" in result.text and "left out" in result.text

    hycom = {"variable": "u", "stat": "max", "dims": ["Latitude", "Longitude"], "time_start": "0021-01-01",
             "time_end": "0021-01-01", "month": 1, "season": "MAM", "lat_min": -19.6058, "lat_max": 15,
             "lon_min": 263.0, "lon_max": 375.0, "to_units": "m/s"}
    result, ds = run("archv.0021_016_00_3zu.nc", "What is the strongest eastward velocity u at the surface?",
                     "statistic", hycom)
    assert result.ok and result.value["value"] == pytest.approx(float(ds.u.isel(MT=0).sel(Depth=0).max()), rel=1e-5)
    assert not names_place("What is the strongest eastward velocity u at the surface?")
    assert names_place("What is the mean SST east of 150W?")  # a place, still

    mm5 = {"variable": "pre", "kind": "max", "lat_min": -15, "lat_max": 15, "lon_min": 26.5641,
           "lon_max": 63.4359, "level": 0.02, "to_units": "mm"}
    result, ds = run("pre.8912.mon.nc", "At what latitude is the largest precipitation value?", "where_extreme", mm5)
    assert result.ok and result.value["value"] == pytest.approx(float(ds.pre.max()), rel=1e-5)
    assert "level" in result.text and "does not ask for" in result.text
    asked, _ = run("pre.8912.mon.nc", "What is the largest precipitation at 500 hPa?", "where_extreme", mm5)
    assert not asked.ok and "no vertical levels" in asked.error  # a level asked of a 2-D field: refused, said

    climdiv = {"variable": "CO_CD{1..5}", "stat": "sum", "time_start": "1965-01-01", "time_end": "1965-12-31",
               "to_units": "inches"}
    result, ds = run("climdiv_prcp_1899-1999.nc", "What was the total precipitation in Colorado climate division 1 "
                     "in 1965, in inches?", "statistic", climdiv)
    assert result.ok and result.value["variable"] == "PRECT_CO_CD1" and "as PRECT_CO_CD1" in result.text
    assert suffix_named(ds, "CD1") is None and suffix_named(ds, "PRECT_CO_CD1") is None  # many, or its own


def test_which_months_mean_is_highest_is_the_mean_seasonal_cycles_peak():
    """Boulder, with the short schemas: the 1.5B called where_extreme of January (month=1) for the month whose
    mean is highest; a mean asked of one grid point's extreme (TREFHT "anywhere") is that extreme."""
    question = "In which month is Boulder's mean temperature highest, and what is that monthly mean in °C?"
    result, ds = run("Boulder.temp.1897-2014.nc", question, "where_extreme",
                     {"variable": "temp", "kind": "max", "time_start": "1990-01", "time_end": "2014-12", "month": 1,
                      "to_units": "degC"})
    assert result.ok and result.name == "climatology" and 'climatology(by="month")' in result.text
    july = (ds.temp.groupby("time.month").mean().sel(month=7) - 32) * 5 / 9
    rows = {row["month"]: row["value"] for row in result.value["values"]}
    assert max(rows, key=rows.get) == 7 and rows[7] == pytest.approx(float(july), abs=1e-3)
    located, _ = run("Boulder.temp.1897-2014.nc", "In which month is the highest temperature on record?",
                     "where_extreme", {"variable": "temp", "kind": "max"})
    assert located.name == "where_extreme"  # the warmest single month, not a mean: kept

    anywhere, ds = run("TREFHT.B06.66.atm.1890-1999ANN.nc", "What is the highest annual-mean TREFHT anywhere in any "
                       "year?", "statistic", {"variable": "TREFHT", "stat": "mean", "by": "year",
                                              "time_start": "1890-01-01", "time_end": "1999-12-31", "to_units": "K"})
    assert anywhere.ok and anywhere.value["value"] == pytest.approx(float(ds.TREFHT.max()), rel=1e-6)


def test_the_new_rescues_leave_the_calls_of_other_questions_alone():
    """Questions next to the rescued ones, where the model's own call is right: one single value asked (a
    monthly mean, the record), a mean asked beside a trend, a mean over time asked at one grid point."""
    boulder = "Boulder.temp.1897-2014.nc"
    single, _ = run(boulder, "Which year had the highest monthly mean temperature at Boulder?", "where_extreme",
                    {"variable": "temp", "kind": "max"})
    assert single.ok and single.name == "where_extreme"
    record, _ = run(boulder, "Which month is warmest on average, and what is the maximum temperature on record?",
                    "statistic", {"variable": "temp", "stat": "max"})
    assert record.ok and record.name == "statistic"
    both, _ = run("TREFHT.B06.66.atm.1890-1999ANN.nc", "What are the mean and the trend per decade of TREFHT north "
                  "of 60N?", "area_weighted_mean", {"variable": "TREFHT", "lat_min": 60, "lat_max": 90})
    assert both.ok and both.name == "area_weighted_mean"
    over_time, ds = run("tas_rectilinear_grid_2D.nc", "What is the highest time-mean tas at any grid point?",
                        "statistic", {"variable": "tas", "stat": "mean", "dims": ["time"]})
    assert over_time.ok and over_time.name == "statistic" and "instead of" not in over_time.text


def test_a_variance_of_the_same_long_name_is_not_the_mean_asked_for():
    """pr_mme_change_sresa2, short schemas: for "the 2060 annual mean precipitation" the 1.5B called anvar2060
    (the models' variance, of the same long name "Annual Mean: Precipitation" as an2060) and its answer had a ✓."""
    question = "At what longitude is the 2060 annual mean precipitation largest?"
    result, ds = run("pr_mme_change_sresa2.nc", question, "where_extreme", {"variable": "anvar2060", "kind": "max"})
    assert result.ok and result.value["variable"] == "an2060"
    assert result.value["at"]["lon"] == pytest.approx(float(ds.an2060.max("lat").idxmax("lon")))
    asked, _ = run("pr_mme_change_sresa2.nc", "Where is the variance of the 2060 annual precipitation largest?",
                   "where_extreme", {"variable": "anvar2060", "kind": "max"})
    assert asked.value["variable"] == "anvar2060"  # a word starting "var": the variance was asked for
    named, _ = run("pr_mme_change_sresa2.nc", "Where is anvar2060 largest?", "where_extreme",
                   {"variable": "anvar2060", "kind": "max"})
    assert named.value["variable"] == "anvar2060"  # named as written
    seasonal, _ = run("pr_mme_change_sresa2.nc", question, "where_extreme", {"variable": "seas2060", "kind": "max"})
    assert seasonal.value["variable"] == "seas2060"  # another long name: the model's choice, not this rule's


def test_a_month_the_question_does_not_name_is_the_one_it_names():
    """mxclim's time holds the months 1 and 7: asked about January, the 1.5B (short schemas) wrote month=7 and
    answered July's level (1000 hPa, with a ✓) instead of January's 200 hPa."""
    question = "At which pressure level is the January zonal wind U strongest?"
    result, ds = run("mxclim.nc", question, "where_extreme", {"variable": "U", "kind": "max", "month": 7})
    assert result.ok and result.value["at"]["lev"] == float(ds.U.sel(time=1).max(["lat"]).idxmax("lev"))
    assert "month=1" in result.text
    both, _ = run("mxclim.nc", "How much does U's maximum change from January to July?", "where_extreme",
                  {"variable": "U", "kind": "max", "month": 7})
    assert both.value["selection"]["month"] == 7  # two months named: the call's own is kept


def test_which_level_an_extreme_is_at_is_found_over_every_level():
    """mxclim, short schemas: for "At which pressure level is the January zonal wind U strongest?" the 1.5B called
    statistic(U, max, month=7, level=500) and answered "500 hPa" (200 hPa expected): it chose the level asked for."""
    question = "At which pressure level is the January zonal wind U strongest?"
    result, ds = run("mxclim.nc", question, "statistic",
                     {"variable": "U", "stat": "max", "month": 7, "level": 500, "to_units": "Pa"})
    assert result.ok and result.name == "where_extreme" and "instead of statistic at level=500" in result.text
    assert result.value["at"]["lev"] == 200 == float(ds.U.sel(time=1).max("lat").idxmax("lev"))
    at_level, _ = run("mxclim.nc", "What is the maximum U at 500 hPa in January?", "statistic",
                      {"variable": "U", "stat": "max", "month": 1, "level": 500})
    assert at_level.name == "statistic" and at_level.value["selection"]["level"] == 500  # a level asked: kept
    latitude, _ = run("mxclim.nc", "At which latitude is U strongest at 200 hPa in July?", "statistic",
                      {"variable": "U", "stat": "max", "month": 7, "level": 200})
    assert latitude.name == "statistic"  # which latitude, at a level the question names


def test_one_date_written_as_time_is_the_span_a_tool_without_time_selects():
    """The 1.5B, short schemas, 6c8ef5e: count_threshold(time="2005-07", ...) for "July 2005" was refused twice
    ("unexpected argument(s) 'time'"); one date is that span's start and end. anomaly takes `time` itself."""
    question = "How many grid cells have a July 2005 tas above 305 K?"
    written = {"variable": "tas", "threshold": 305, "direction": "above", "time": "2005-07", "season": "JJA",
               "lat_min": -15, "lat_max": 15, "lon_min": 0, "lon_max": 358.125, "to_units": "K"}
    result, ds = run("tas_rectilinear_grid_2D.nc", question, "count_threshold", written)
    assert result.ok and result.value["count"] == int((ds.tas.sel(time="2005-07") > 305).sum())
    assert "time='2005-07' as time_start, time_end" in result.text
    both = {**written, "time_start": "2005-01", "time_end": "2005-12"}  # a span given too: `time` is not read
    result, _ = run("tas_rectilinear_grid_2D.nc", question, "count_threshold", both)
    assert "as time_start, time_end" not in result.text
    result, ds = run("tas_rectilinear_grid_2D.nc", "What is the tas anomaly in July 2005?", "anomaly",
                     {"variable": "tas", "time": "2005-07"})
    assert result.ok and "as time_start" not in result.text  # its own argument


def test_one_end_of_an_open_span_and_one_longitude_are_not_what_the_question_asks():
    """Two ctorca.nc calls the 1.5B wrote with the short schemas (6c8ef5e). "On the last day": only time_end, the
    last day, counted all five days (117 for 23, with a ✓). "Between 10S and 10N": lon -179.751..-179.751, the
    extent's first longitude, was refused twice. A span given whole, or a longitude written, is kept."""
    ds = real_registry("ctorca.nc").dataset
    question = "On the last day, how many ocean grid points have an SST above 29 °C?"
    result, _ = run("ctorca.nc", question, "count_threshold",
                    {"variable": "sosstsst", "threshold": 29, "direction": "above",
                     "dims": ["time_counter", "y", "x"], "time_end": "1870-01-05T12:00"})
    assert result.ok and result.value["count"] == int((ds.sosstsst.isel(time_counter=-1) > 29).sum())
    whole = {"variable": "sosstsst", "threshold": 29, "direction": "above", "time_start": "1870-01-01",
             "time_end": "1870-01-05T12:00"}
    result, _ = run("ctorca.nc", question, "count_threshold", whole)  # a span written whole: the model's own
    assert result.ok and result.value["selection"]["time_steps"] == 5

    band = "What is the mean SST between 10S and 10N on the first day in degrees Fahrenheit?"
    point = {"lat_min": -10, "lat_max": 10, "lon_min": -179.751, "lon_max": -179.751}
    assert unwritten_lons(point, band) == ["lon_min", "lon_max"]
    assert not unwritten_lons(point, "What is the mean SST between 10S and 10N at 179.751W?")
    assert not unwritten_lons({**point, "lon_max": -120}, band)  # a band of longitudes: not one
    result, _ = run("ctorca.nc", band, "statistic",
                    {"variable": "sosstsst", "stat": "mean", "to_units": "degF", "time_start": "1870-01-01T12:00",
                     "time_end": "1870-01-01T12:00", "lat_min": -10, "lat_max": -10, "lon_min": -179.751,
                     "lon_max": -179.751})
    assert result.ok and result.value["selection"]["grid_points_in_box"] > 4000


def test_a_threshold_written_in_other_units_counts_in_those_units():
    """Boulder's temp_annual is in farenheit, its sibling TEMP_ANNUAL (same long name) in degC; the 1.5B, short
    schemas (6c8ef5e), counted "above 11 °C" on temp_annual as above 11 °F: 118 of 118 years, with a ✓. The
    sibling in °C counts it (converting the threshold to 51.8 °F would miss a year the file rounds: 38, not 39);
    without one the threshold is converted (tas in K). A threshold the model converted itself, or written in the
    variable's own units, is left as it is."""
    question = "How many years have a Boulder annual mean temperature above 11 °C?"
    written = {"variable": "temp_annual", "threshold": 11, "direction": "above", "dims": ["TIME"]}
    result, ds = run("Boulder.temp.1897-2014.nc", question, "count_threshold", written)
    assert result.ok and result.value["count"] == int((ds.TEMP_ANNUAL > 11).sum()) == 39
    assert "variable='TEMP_ANNUAL' (in °C, as the threshold)" in result.text
    converted, _ = run("Boulder.temp.1897-2014.nc", question, "count_threshold", {**written, "threshold": 51.8})
    assert converted.value["variable"] == "temp_annual" and "threshold=" not in converted.text
    own, _ = run("Boulder.temp.1897-2014.nc", question.replace("°C", "°F"), "count_threshold", written)
    assert own.value["count"] == int((ds.temp_annual > 11).sum()) and "TEMP_ANNUAL" not in own.text

    hot = "How many grid cells have a July 2005 tas above 30 °C?"
    result, ds = run("tas_rectilinear_grid_2D.nc", hot, "count_threshold",
                     {"variable": "tas", "threshold": 30, "direction": "above", "time_start": "2005-07",
                      "time_end": "2005-07"})
    assert result.ok and result.value["count"] == int((ds.tas.sel(time="2005-07") > 303.15).sum()) > 0
    assert "threshold=303.15 (30 °C in K)" in result.text


def test_the_one_year_a_question_names_is_the_year_the_call_selects():
    """The 0.5B, short schemas (the Tools browser test): statistic(temp_max, max) with no time for "the highest
    daily maximum temperature in Seattle during 2015" answered 2014's 35.6. The year is selected now; a span, a
    day, a year the file does not hold, or a time the call gave are left as they are."""
    import data
    from toolloop.question import year_from_question
    from tools import default_registry

    seattle = data.open_sample("seattle-weather")
    registry = default_registry(seattle)
    question = "What was the highest daily maximum temperature in Seattle during 2015?"
    loop = ToolLoop(None, registry, [{"role": "user", "content": question}], enabled=set(registry.enabled_names))
    result = loop._run(ParsedCall("statistic", {"variable": "temp_max", "stat": "max"}, ""))
    in_2015 = seattle[seattle["date"].astype(str).str.startswith("2015")]
    assert result.ok and result.value["value"] == in_2015["temp_max"].max() == 35.0
    assert "time_start='2015', time_end='2015'" in result.text

    axes = registry.time_axes
    for other in ("What was the highest temperature from 2012 to 2015?", "What was the trend since 2013?",
                  "What was the highest temperature on July 19, 2015?", "What was the highest temperature in 1990?",
                  "What was the highest temperature?"):
        assert year_from_question("statistic", {}, other, axes) == ({}, ""), other
    given = {"time_start": "2014-01", "time_end": "2014-12"}
    assert year_from_question("statistic", given, question, axes) == (given, "")  # the call's own span
    assert year_from_question("linear_trend", {}, question, axes) == ({}, "")  # a tool of series
    one_year = real_registry("tas_rectilinear_grid_2D.nc").time_axes  # 2005 only: nothing to choose
    assert year_from_question("statistic", {}, "What is the mean tas in July 2005?", one_year) == ({}, "")


def test_lat_lon_dims_on_another_grid_are_its_own_dims_and_a_tool_without_arguments_runs():
    """The 1.5B, short schemas (6c0ba10), on CAM-SE: statistic(T850, mean, dims=["lat", "lon"]) for "between 10S
    and 10N" was refused twice (its cells are ncol), and list_variables(dims=["ncol"]) for "how many columns" was
    refused twice (it takes no arguments). A regular grid's lat, lon are its dims and stay."""
    question = "What is the mean temperature at 850 mbar between 10S and 10N, in °C?"
    result, ds = run("camse_unstructured_grid.nc", question, "statistic",
                     {"variable": "T850", "stat": "mean", "dims": ["lat", "lon"], "lat_min": -10, "lat_max": 10,
                      "lon_min": 0, "lon_max": 360, "to_units": "degC"})
    band = ds.T850.where((ds.lat >= -10) & (ds.lat <= 10))
    assert result.ok and result.value["mean"] == pytest.approx(float(band.mean()) - 273.15, abs=0.01)
    assert "dims=['ncol'] (the grid's own dims)" in result.text
    result, _ = run("camse_unstructured_grid.nc", "How many columns does this CAM-SE file have?", "list_variables",
                    {"dims": ["ncol"]})
    assert result.ok and "48602" in result.text.replace(",", "") and "does not take dims" in result.text
    regular, _ = run("tas_rectilinear_grid_2D.nc", "What is the mean tas between 10S and 10N?", "statistic",
                     {"variable": "tas", "stat": "mean", "dims": ["lat", "lon"], "lat_min": -10, "lat_max": 10})
    assert regular.ok and "the grid's own dims" not in regular.text
