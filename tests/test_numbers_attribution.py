"""A ✓ means the claim is right: the number equals a fact AND its sentence says it of that fact's subject.

The facts of issue 12's ERA-Interim file (u, v, z on 3 levels and 2 months), written as the encoders key them,
and real tool results on a shared NCAR file; a number said of the wrong variable, statistic, selection or
count gets ⚠ saying what it really is.
"""
from __future__ import annotations

import pytest
from helpers import REALDATA

from encoders.types import Fact
from toolloop.marks import markdown_with_marks
from toolloop.numbers import Known, check_numbers, known_from_facts

ERA = known_from_facts(
    [Fact("dim:level.size", 3), Fact("dim:month.size", 2), Fact("dim:latitude.size", 241),
     Fact("coord:level.first", 200), Fact("coord:level.last", 850), Fact("coord:month.first", 1),
     Fact("coord:month.last", 7), Fact("coord:latitude.first", 90.0), Fact("coord:latitude.last", -90.0),
     Fact("var:u.min", -20.31, "m s**-1"), Fact("var:u.max", 78.52, "m s**-1"), Fact("var:u.mean", 7.328, "m s**-1"),
     Fact("var:v.min", -17.12, "m s**-1"), Fact("var:v.max", 14.19, "m s**-1"), Fact("var:v.mean", 0.03, "m s**-1"),
     Fact("var:z.min", 9001.5, "m**2 s**-2"), Fact("var:z.max", 121403.0, "m**2 s**-2"),
     Fact("var:z.mean", 55559.5, "m**2 s**-2"), Fact("var:u.max_at.latitude", 33.0),
     Fact("var:z.missing_pct", 0.0, "%"), Fact("var:u.missing_pct", 0.0, "%"), Fact("shape.data_vars", 3)],
    {"u": "U component of wind eastward_wind", "v": "V component of wind northward_wind", "z": "Geopotential"})


def real_result(file: str, tool: str, arguments: dict):
    """A tool's result on a shared real file, and what an answer about it may quote (each stated value with its
    variable's names, and every variable as a subject); the test is skipped without the shared files."""
    import data
    from toolloop.numbers import names_of, subjects_of
    from tools import default_registry

    path = REALDATA / file
    if not path.exists():
        pytest.skip("shared real data not here")
    registry = default_registry(data.open_path(path))
    result = registry.call(tool, arguments)
    names = names_of(registry.dataset)
    known = [Known(tool, s.value, s.unit, s.variable, s.kind, s.selection, names.get(s.variable, ""))
             for s in result.stated] + subjects_of(registry.dataset)
    return result, known


def check(answer, known=ERA):
    return [(c.text, c.found, c.note) for c in check_numbers(answer, known)]


def test_the_issue_summary_misattributes_v_to_the_geopotential():
    (low, high) = check("Over the region, the geopotential is between -17.12 and 14.19 meters per second.")
    assert low == ("-17.12", False, "this is v's minimum, not z's")
    assert high == ("14.19", False, "this is v's maximum, not z's")
    answer = "The geopotential is between -17.12 and 14.19."
    html = markdown_with_marks(answer, check_numbers(answer, ERA))
    assert "✓" not in html and html.count("⚠") == 2 and "this is v&#x27;s" not in html
    assert "(this is v's minimum, not z's)" in html  # said on the page, not only on hover


def test_the_same_numbers_said_of_v_get_a_check():
    assert [c[1] for c in check("The meridional wind v ranges from -17.12 to 14.19 m s**-1.")] == [True, True]
    assert [c[1] for c in check("The northward wind lies between -17.12 and 14.19.")] == [True, True]  # long name
    assert check("The geopotential z has a mean of 55559.5 m**2 s**-2.")[0][1]


def test_a_count_of_a_dimension_must_be_its_size():
    assert check("The data cover a period of 7 months.") == [("7", False, "the data have 2 months; this is month's "
                                                                            "last value")]
    assert [c[1] for c in check("There are 2 months and 3 levels, from 200 to 850 hPa.")] == [True] * 4
    assert not check("The file has 850 pressure levels.")[0][1]


def test_the_statistic_words_must_fit_the_fact():
    assert check("The maximum zonal wind u is 7.328 m s**-1.") == [
        ("7.328", False, "this is u's mean, not a maximum")]
    assert check("The mean zonal wind u is 7.328.")[0][1]
    assert check("The strongest u is 78.52, at latitude 33.")[0][1:] == (True, "")
    assert check("The strongest u is 78.52, at latitude 33.")[1][1]  # where its maximum is


def test_the_statistic_is_the_one_named_nearest_the_number():
    """SmolLM2 in the browser: "the average rainfall ..., with a standard deviation of 2.167" for a mean got ✓."""
    assert check("The average zonal wind u, with a standard deviation of 7.328, varies.") == [
        ("7.328", False, "this is u's mean, not a standard deviation")]
    assert check("The zonal wind u, which has a standard deviation of 2, has a mean of 7.328.")[1][1]
    assert check("The mean zonal wind u, which ranges from -20.31 to 78.52, is 7.328.") == [
        ("-20.31", True, ""), ("78.52", True, ""), ("7.328", True, "")]
    # the 1.5B on mxclim.nc, after a mean was computed: "zonal mean" names the field, "strongest" the statistic
    assert check("The strongest zonal mean zonal wind u in January is 7.328.") == [
        ("7.328", False, "this is u's mean, not a maximum")]
    assert check("The annual mean zonal wind u is 7.328.")[0][1]

def test_a_count_of_values_said_as_a_coordinate_gets_a_warning():
    """The 1.5B on hgt.nc (73 latitudes from -90 to 90): "a spatial area of 73 degrees north to 90 degrees north"."""
    assert check("The data cover 241 degrees north to 90 degrees north.") == [
        ("241", False, "this is the number of latitude values, not a coordinate value"), ("90", True, "")]
    assert [c[1] for c in check("The latitudes go from 90 to -90 degrees, 241 of them.")] == [True, True, True]

def test_a_number_of_several_subjects_needs_the_sentence_to_say_which():
    known = ERA + [Known("var:z.std", 14.19, "m**2 s**-2", "z", "std")]
    (number,) = check("The value reached 14.19.", known)
    assert not number[1] and "does not say which" in number[2]
    assert check("The value reached 14.19 m s**-1.", known)[0][1]  # the unit says it is v's
    assert check("Each variable has 0% missing values.")[0][1]  # the same kind of fact for all: no doubt


def test_facts_without_a_subject_and_dates_still_trace():
    known = [Known("multiply(...)", 42), Known("your question", 850.0), Known("range.start", "2012-01-01")]
    assert [c[1] for c in check("The geopotential at 850 hPa: 42, from 2012-01-01 (2012).", known)] == [True] * 4


def test_a_value_said_of_another_selection_gets_a_warning():
    known = [Known("statistic(z, month 1)", 5410.2, "m", "z", "mean", (("month", "1"),)),
             Known("statistic(z, month 7)", 5705.9, "m", "z", "mean", (("month", "7"),))]
    assert [c[1] for c in check("In January the mean z was 5410.2 m and in July 5705.9 m.", known)] == [True, True]
    swapped = check("In January the mean z was 5705.9 m.", known)
    assert swapped == [("5705.9", False, "this is z's mean for month=7, not for month=1")]


@pytest.fixture(scope="module")
def mxclim():
    path = REALDATA / "mxclim.nc"
    if not path.exists():
        pytest.skip("the shared real-data files are not here")
    import xarray as xr

    with xr.open_dataset(path) as ds:
        yield ds.load()


def test_the_encoder_facts_of_a_real_file_carry_their_variable(mxclim):
    import encoders
    from toolloop.numbers import names_of

    enc = encoders.encode(mxclim, encoders.DEFAULT_STRATEGY, 1500, lambda s: len(s) // 4, title="mxclim")
    known = known_from_facts(enc.facts, names_of(mxclim))
    u_max, t_max = (float(mxclim[v].max()) for v in ("U", "T"))
    right = check(f"The zonal wind reaches {u_max:.2f} m/s; the temperature T peaks at {t_max:.1f} C.", known)
    assert [c[1] for c in right] == [True, True]
    wrong = check(f"The temperature reaches {u_max:.2f}.", known)
    assert wrong == [(f"{u_max:.2f}", False, "this is U's maximum, not T's")]


def test_tool_results_on_a_real_file_state_what_each_number_is(mxclim):
    from toolloop import ToolLoop
    from tools import default_registry

    registry = default_registry(mxclim)
    result = registry.call("where_extreme", {"variable": "U", "kind": "max", "level": 200})
    assert result.ok, result.error
    expected = mxclim["U"].sel(lev=200).max().item()
    value = next(s for s in result.stated if s.kind == "max")
    assert (value.variable, value.selection) == ("U", (("level", "200"),))
    assert value.value == pytest.approx(expected, rel=1e-4)
    lat = float(mxclim["lat"][mxclim["U"].sel(lev=200).max("time").argmax("lat").item()])
    assert any(s.kind == "max_at.lat" and s.value == pytest.approx(lat, abs=1e-3) for s in result.stated)

    class Done:  # the loop's record, without a model: the one step that ran this call
        def stream_chat(self, *a, **k):
            yield ""
    loop = ToolLoop(Done(), registry, [{"role": "user", "content": "Strongest U at 200 hPa?"}])
    loop.steps = [type("S", (), {"calls": [], "results": [result]})()]
    known = loop.known()
    said = check(f"At 200 hPa the strongest zonal wind U is {expected:.2f} m/s, at latitude {lat:.2f}.", known)
    assert [c[1] for c in said] == [True, True, True]
    wrong = check(f"The temperature T reaches {expected:.2f} at 200 hPa.", known)
    assert wrong[0][:2] == (f"{expected:.2f}", False) and "U's maximum for level=200, not T's" in wrong[0][2]


def test_the_two_sides_of_a_real_difference_keep_their_selections(mxclim):
    from tools import default_registry

    result = default_registry(mxclim).call("difference", {"variable": "T", "level_a": 500, "level_b": 850})
    assert result.ok, result.error
    a, b = (next(s for s in result.stated if s.kind == "mean" and s.selection == (("level", lev),))
            for lev in ("500", "850"))
    known = [Known("difference(...)", s.value, s.unit, s.variable, s.kind, s.selection) for s in result.stated]
    said = f"The mean T is {a.value:.2f} C at 500 hPa and {b.value:.2f} C at 850 hPa."
    assert [c[1] for c in check(said, known)] == [True] * 4  # the levels are the selections applied
    swapped = check(f"At 850 hPa the mean T is {a.value:.2f} C.", known)
    assert swapped[1] == (f"{a.value:.2f}", False, "this is T's mean for level=500, not for level=850")


def test_a_number_written_in_another_unit_gets_a_warning():
    """The 1.5B on a real file (bench/realdata_eval.py): the global mean 289.411 K written as "289.411 °C"."""
    known = [Known("area_weighted_mean(tas)", 289.411, "K", "tas", "area_mean", (("month", "7"),),
                   "Near-Surface Air Temperature")]
    assert check("The global mean near-surface air temperature in July is 289.411 °C.", known) == [
        ("289.411", False, "this is tas's area-weighted mean for month=7 in K, not in °C")]
    assert check("The global mean temperature tas in July is 289.411 K.", known)[0][1]
    assert check("The global mean temperature tas in July is 289.411 kelvin.", known)[0][1]
    assert check("The global mean temperature tas in July is 289.411.", known)[0][1]  # no unit written
    known_c = [Known("to_units(...)", 16.26, "degrees_Celsius", "tas", "area_mean")]
    assert check("The mean tas is 16.26 °C.", known_c)[0][1]
    assert not check("The mean tas is 16.26 °F.", known_c)[0][1]
    assert check("The mean tas is 16.26 degrees Celsius, over 7 months.", known_c)[0][1]
    # a unit the table does not know is not judged
    assert check("Mean precipitation pr is 3.2 kg m-2 s-1.", [Known("s", 3.2, "mm/day", "pr", "mean")])[0][1]


def test_a_long_name_said_in_full_beats_one_that_shares_some_of_its_words():
    """ERA5 has t2m "2 metre temperature" and d2m "2 metre dewpoint temperature"."""
    known = [Known("var:t2m.max", 301.5, "K", "t2m", "max", (), "2 metre temperature"),
             Known("var:d2m.max", 297.2, "K", "d2m", "max", (), "2 metre dewpoint temperature")]
    assert check("The highest 2 metre temperature is 301.5 K.", known)[1][1]
    (_, wrong) = check("The highest 2 metre temperature is 297.2 K.", known)
    assert not wrong[1] and "d2m" in wrong[2]
    assert check("The highest 2 metre dewpoint temperature is 297.2 K.", known)[1][1]


def test_an_axis_value_said_of_the_data_gets_a_warning():
    known = ERA + [Known("var:t.min", 200.0, "K", "t", "min", (), "Temperature")]
    (number,) = check("The minimum temperature is -90.", known)
    assert not number[1] and "latitude" in number[2]
    assert check("The latitude runs from 90 to -90.", known)[1][1]
    assert [c[1] for c in check("The grid spans 90 to -90 degrees.", known)] == [True, True]


def test_one_row_of_a_table_said_as_the_whole_gets_a_warning():
    """The 1.5B asked for the 2005 mean kept 12 monthly rows and wrote one of them as the year's mean."""
    from tools import default_registry

    path = REALDATA / "tas_rectilinear_grid_2D.nc"
    if not path.exists():
        pytest.skip("shared real data not here")
    import data

    result = default_registry(data.open_path(path)).call(
        "area_weighted_mean", {"variable": "tas", "dims": ["lat", "lon"], "time_start": "2005", "time_end": "2005"})
    known = [Known("area_weighted_mean(...)", s.value, s.unit, s.variable, s.kind, s.selection) for s in result.stated]
    march = next(s for s in result.stated if s.variable == "tas" and s.selection[-1][1].startswith("2005-03"))
    (_, whole) = check(f"The global mean tas over the whole year 2005 is {march.value} K.", known)
    assert not whole[1] and "one row" in whole[2]
    assert check(f"In March 2005 the global mean tas was {march.value} K.", known)[1][1]
    assert check(f"On {march.selection[-1][1][:10]} the global mean tas was {march.value} K.", known)[1][1]


def test_a_mean_said_as_a_change_is_not_a_change():
    """The 1.5B on ctorca.nc: "the mean SST change from the first to the last day is 24.5962°C", where 24.5962
    is the mean over the five days, not their difference."""
    sst = Known('statistic("variable": "sosstsst", "stat": "mean")', 24.5962, "C", "sosstsst", "mean")
    change = Known('difference("variable": "sosstsst")', 0.1078, "C", "sosstsst", "difference")
    said_as_change = check("The Niño 3.4 mean SST change from the first to the last day is 24.5962°C.", [sst])
    assert said_as_change[-1] == ("24.5962", False, "this is sosstsst's mean, not a change or difference")
    assert check("The mean SST changed by 0.1078 °C.", [sst, change])[0][:2] == ("0.1078", True)
    assert check("The mean SST over the five days is 24.5962 °C.", [sst, change])[0][:2] == ("24.5962", True)


def test_a_number_is_the_value_its_digits_round_from_not_a_neighbour_within_a_tenth_of_a_percent():
    """The 1.5B wrote the JJA mean 24.848 °C; the August row 24.835 is within 0.1 % of it, and was taken for it
    (⚠ "one row of the result") before the mean the digits really round from."""
    rows = [Known("area_weighted_mean(tas)", v, "degC", "tas", "", (("season", "JJA"), ("time", t)))
            for v, t in ((24.971, "2005-06-16"), (24.835, "2005-08-16"))]
    mean = Known("area_weighted_mean(tas)", 24.848, "degC", "tas", "mean", (("season", "JJA"),))
    said = check("The area-weighted mean tas in JJA is 24.848 °C.", rows + [mean])
    assert said == [("24.848", True, "")]
    assert check("The mean is 24.84 °C.", rows)[0][1] is False  # only rows near it: one row said as the whole, ⚠


def test_a_hemisphere_written_after_a_coordinate_gives_its_sign():
    """The 1.5B on tos_ocean_bipolar_grid: "found at 19.62 degrees south" for lat -19.6199: right, and read as
    -19.62; "19.62°N" for the same fact used to get a ✓ too (a positive number matched the fact's size)."""
    known = [Known("where_extreme", -19.6199, "", "tos", "max_at.lat"), Known("stat", 240.5, "W m-2", "rlut", "mean")]
    for answer in ("The warmest SST is at 19.62 degrees south.", "The warmest SST is at 19.62°S.",
                   "The warmest SST is at latitude -19.62."):
        (c, *_) = check_numbers(answer, known)
        assert c.found and c.value == -19.62, answer
    (north,) = check_numbers("The warmest SST is at 19.62°N.", known)
    assert not north.found and north.value == 19.62
    for twice in ("The warmest SST is at -19.62°S.", "The warmest SST is at -19.62 degrees north."):
        (c,) = check_numbers(twice, known)  # the 0.5B wrote "-19.6199°S": no ✓ on a position read two ways
        assert not c.found and "both a minus sign" in c.note and "is -19.6199" in c.note, twice
    (watts,) = check_numbers("The mean rlut is 240.5 W m-2.", known)  # W of watts is not west
    assert watts.found and watts.value == 240.5


def test_a_box_written_with_between_is_a_selection_not_a_range_of_values():
    """The 1.5B: "The mean 2 m temperature between 45N and 55N and 0E to 20E, in °C, is -0.715." got ⚠ "not a
    maximum or minimum": "between" was read as the answer giving the values' range."""
    box = (("lat", "45 to 55"), ("lon", "0 to 20"))
    known = [Known("statistic", -0.715, "degC", "tas", "mean", box), Known("statistic", 4.1, "degC", "tas", "max", box)]
    (mean,) = check("The mean 2 m temperature between 45N and 55N and 0E to 20E, in °C, is -0.715.", known)[1:]
    assert mean == ("-0.715", True, "")
    (low, high) = check("The temperature ranges between -0.715 and 4.1 °C.", known)
    assert low[2] != "" and high == ("4.1", True, "")  # a range of values still claims its ends


def test_a_rotated_grids_own_latitude_said_as_the_latitude_gets_a_warning():
    """The 1.5B on the EURO-CORDEX file, asked for the true latitude of the warmest cell: "a true (geographic)
    latitude of -23.375", which is the rotated grid's rlat (the true latitude is 25.1), got a ✓."""
    import data
    from toolloop.numbers import names_of, subjects_of
    from tools import default_registry

    path = REALDATA / "tas_rotated_grid_EUR11.nc"
    if not path.exists():
        pytest.skip("shared real data not here")
    registry = default_registry(data.open_path(path))
    result = registry.call("where_extreme", {"variable": "tas", "kind": "max"})
    at = result.value["at"]
    assert list(at)[:2] == ["lat", "lon"]  # the geographic position first, the grid's own after it
    names = names_of(registry.dataset)
    known = [Known("where_extreme", s.value, s.unit, s.variable, s.kind, s.selection, names.get(s.variable, ""))
             for s in result.stated] + subjects_of(registry.dataset)
    rlat, lat = f"{at['rlat']:g}", f"{at['lat']:g}"
    (rotated,) = check(f"The warmest grid cell is at a true (geographic) latitude of {rlat}.", known)
    assert not rotated[1] and rotated[2] == "this is the rlat of tas's maximum, not its lat"
    assert check(f"The warmest grid cell is at latitude {lat}.", known)[0][1]
    assert check(f"The warmest grid cell is at rlat {rlat}.", known)[0][1]
    assert [c[1] for c in check(f"It is at {lat} N, {at['lon']:g} E.", known)] == [True, True]


@pytest.mark.parametrize("name, steps, unit, other", [("TREFHT.B06.66.atm.1890-1999ANN.nc", 110, "years", "months"),
                                                      ("tas_rectilinear_grid_2D.nc", 12, "months", "years")])
def test_a_count_of_time_steps_said_in_the_axis_own_calendar_unit(name, steps, unit, other):
    """The 1.5B: "The TREFHT file covers 110 years." (an annual axis of 110 steps) got ⚠; "12 years" for the 12
    steps of a monthly axis got a ✓ (any count word fitted a size nobody named)."""
    import data
    from toolloop.numbers import calendar_counts, subjects_of
    from tools import default_registry

    if not (REALDATA / name).exists():
        pytest.skip("shared real data not here")
    registry = default_registry(data.open_path(REALDATA / name))
    known = subjects_of(registry.dataset) + calendar_counts(registry.time_axes)
    assert check(f"The file covers {steps} {unit}.", known) == [(str(steps), True, "")]
    (wrong,) = check(f"The file covers {steps} {other}.", known)
    assert not wrong[1] and wrong[2] == f"these are {steps} {unit} of time, not {other}"


def test_a_fact_of_the_area_mean_said_of_any_grid_point_gets_a_warning():
    """The 1.5B, asked "In which year does the highest annual-mean TREFHT at any grid point occur?", called
    climatology(by="year") (area means) and wrote its warmest year, 1951, with a ✓; the grid-point maximum is in
    1924."""
    result, known = real_result("TREFHT.B06.66.atm.1890-1999ANN.nc", "climatology",
                                {"variable": "TREFHT", "by": "year"})
    year, value = result.value["max"]["year"], result.value["max"]["value"]
    (pointwise,) = check(f"The highest annual-mean TREFHT at any grid point occurs in {year}.", known)
    assert pointwise == (str(year), False,
                         "this is the year of TREFHT's maximum of the area mean, not at one grid point")
    assert check(f"The warmest year of the global mean TREFHT is {year}.", known) == [(str(year), True, "")]
    assert check(f"The highest global mean TREFHT is {value} K.", known)[0][1]


def test_among_hundreds_of_like_variables_only_a_named_one_gets_a_check():
    """The 1.5B on climdiv (345 series, each "monthly precipitation total"), asked about Washington division 1,
    computed Delaware's (PRECT_DE_CD1) and wrote "in Washington climate division 1 ... is 3.353 inches" with a ✓."""
    result, known = real_result("climdiv_prcp_1899-1999.nc", "statistic",
                                {"variable": "PRECT_DE_CD1", "stat": "mean", "month": 12})
    value = f"{result.value['value']:.3f}"
    wrong = check(f"The mean December precipitation in Washington climate division 1 is {value} inches.", known)[-1]
    assert not wrong[1] and "not PRECT_WA_CD1's" in wrong[2]  # the state named by name, its code in state_name
    assert check(f"The mean December PRECT_DE_CD1 is {value} inches.", known) == [(value, True, "")]
    right = f"The mean December precipitation in Delaware climate division 1 is {value} inches."
    assert check(right, known)[-1] == (value, True, "")
    other = check(f"The mean December precipitation in Delaware climate division 2 is {value} inches.", known)[-1]
    assert not other[1] and "not PRECT_DE_CD2's" in other[2]
    vague = check(f"The mean December precipitation is {value} inches.", known)[-1]
    assert not vague[1] and "names none of the 345 variables" in vague[2]


def test_a_count_of_a_series_values_said_in_its_steps_unit():
    """The 1.5B, "In how many years is tas above 294.5 K?" on a series of 56 annual values: count_threshold said
    6 and "6 years" got ⚠ "the data have 56 years". A count among a grid's values is not a count of years."""
    import data
    from toolloop.numbers import calendar_counts, names_of, subjects_of
    from tools import default_registry

    def known_of(name, arguments):
        if not (REALDATA / name).exists():
            pytest.skip("shared real data not here")
        registry = default_registry(data.open_path(REALDATA / name))
        result = registry.call("count_threshold", arguments)
        names = names_of(registry.dataset)
        return result.value["count"], [
            Known("count_threshold", s.value, s.unit, s.variable, s.kind, s.selection, names.get(s.variable, ""))
            for s in result.stated] + subjects_of(registry.dataset) + calendar_counts(registry.time_axes)

    count, known = known_of("tas_mod2_hist_rectilin_grid_2D.nc",
                            {"variable": "tas", "threshold": 294.5, "direction": "above"})
    assert check(f"In {count} years tas is above 294.5 K.", known)[0] == (str(count), True, "")
    count, known = known_of("tas_rectilinear_grid_2D.nc", {"variable": "tas", "threshold": 316, "direction": "above"})
    assert 0 < count <= 12  # grid values of 12 monthly fields, fewer than the months
    (grid,) = check(f"In {count} months tas is above 316 K.", known)[:1]
    assert not grid[1]


def test_the_number_in_a_variables_name_names_it_among_those_of_one_long_name():
    """pr_mme: an1980, an2020, an2060 and their anvar* share the long name "Annual Mean: Precipitation" (with 18
    more precipitation variables); "the largest annual mean precipitation in 2060" names an2060, and its right
    maximum had ⚠ "the sentence names none of the 24 variables"."""
    result, known = real_result("pr_mme_change_sresa2.nc", "statistic",
                                {"variable": "an2060", "stat": "max", "to_units": "mm/day"})
    value = f"{result.value['value']:g}"
    assert check(f"The largest annual mean precipitation in 2060 is {value} mm/day.", known)[-1] == (value, True, "")
    (_, wrong) = check(f"The largest annual mean precipitation in 1980 is {value} mm/day.", known)
    assert not wrong[1] and "an1980" in wrong[2]


def test_a_position_said_as_the_other_coordinate_gets_no_check():
    """The 0.5B in the browser test (tos, curvilinear): "304.065 K at lat_min=-19.6199°S and lon=119.203°N", a
    longitude written as a latitude, had a ✓; so had the two positions swapped, since the sentence names tos."""
    result, known = real_result("tos_ocean_bipolar_grid.nc", "statistic",
                                {"variable": "tos", "stat": "max"})
    at = result.value["at"]
    lat, lon = f"{at['lat']:g}", f"{at['lon']:g}"
    recorded = check(f"The highest sea surface temperature tos is 304.065 K at lat_min={lat}°S and lon={lon}°N.", known)
    assert recorded[-1][:2] == (lon, False) and "lon of tos's maximum, not its lat" in recorded[-1][2]
    assert recorded[1][:2] == (lat, False) and "both a minus sign and S" in recorded[1][2]  # "-19.6199°S": N or S?
    swapped = check(f"The highest tos is 304.065 K at latitude {lon} and longitude {lat}.", known)
    assert [found for _, found, _ in swapped] == [True, False, False]
    right = check(f"The highest tos is 304.065 K at latitude {lat} and longitude {lon}.", known)
    assert [found for _, found, _ in right] == [True, True, True]
    assert [found for _, found, _ in check(f"The highest tos is 304.065 K at {lat.lstrip('-')}°S, {lon}°E.",
                                            known)] == [True, True, True]


def test_among_hundreds_of_like_variables_a_bare_answer_is_about_the_one_the_question_names():
    """climdiv, "How many months have more than 3 inches of precipitation in Arizona climate division 7?": the
    1.5B answered "125" (right), which named none of the 345 variables and got no ✓."""
    from toolloop.numbers import question_known

    result, known = real_result("climdiv_prcp_1899-1999.nc", "count_threshold",
                                {"variable": "PRECT_AZ_CD7", "threshold": 3, "direction": "above"})
    count = str(result.value["count"])
    asked = "How many months have more than 3 inches of precipitation in Arizona climate division 7?"
    assert check(count, [*known, question_known(asked)]) == [(count, True, "")]
    other = asked.replace("Arizona", "Arkansas")  # the question names another division: no ✓
    assert not check(count, [*known, question_known(other)])[0][1]
    assert not check(count, known)[0][1]  # no question: no subject


def test_a_row_of_a_grouping_is_said_of_its_own_label():
    """Boulder with the short schemas: climatology(by="month") of temp in °C; the answer "highest in July, and
    that monthly mean is 22.5174 °C" names July's row in another clause of the sentence, and got no ✓ because the
    rows were not labelled by their month. Said of January, July's mean gets a warning."""
    result, known = real_result("Boulder.temp.1897-2014.nc", "climatology",
                                {"variable": "temp", "by": "month", "to_units": "degC"})
    july = next(row["value"] for row in result.value["values"] if row["month"] == 7)
    said = "The Boulder's mean temperature is highest in {}, and that monthly mean is {} °C."
    assert check(said.format("July", july), known) == [(str(july), True, "")]
    assert check(said.format("January", july), known) == [
        (str(july), False, "this is temp's value for month=7 only (one row of the result)")]
