"""The sample catalog: real datasets shipped inside installed packages."""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
import pandas as pd
import pytest

import data
from data.catalog import SAMPLES, Sample

AVAILABLE = [s.id for s in SAMPLES.values() if s.available]


def test_catalog_metadata_is_complete():
    assert len(SAMPLES) >= 9
    for sid, sample in SAMPLES.items():
        assert sid == sample.id
        for text in (sample.title, sample.source, sample.licence, sample.description, sample.pip):
            assert isinstance(text, str) and text.strip(), sid
        assert sample.kind in ("table", "grid")
        assert sample.variables and all(isinstance(v, str) for v in sample.variables)
        assert sample.shape and all(n > 0 for n in sample.shape.values())
        assert sample.pip.startswith("pip install ")
        if sample.kind == "table":
            assert set(sample.shape) == {"rows", "columns"}
            assert "rows" in sample.size and "columns" in sample.size
        else:
            assert all(dim in sample.size for dim in sample.shape)


def test_hadisst_licence_is_shown():
    assert SAMPLES["hadisst-sst"].licence == "© British Crown Copyright, Met Office; for academic research use"


@pytest.mark.parametrize("sample_id", AVAILABLE)
def test_every_available_sample_opens_with_documented_shape(sample_id):
    sample = SAMPLES[sample_id]
    obj = data.open_sample(sample_id)
    assert isinstance(obj.attrs["load_notes"], list)
    if sample.kind == "table":
        assert isinstance(obj, pd.DataFrame)
        assert obj.shape == (sample.shape["rows"], sample.shape["columns"])
        assert set(sample.variables) <= set(obj.columns)
        assert set(sample.units) <= set(obj.columns)  # a documented unit names a real column
        assert sample.units.items() <= obj.attrs.get("units", {}).items()
    else:
        assert set(obj.data_vars) == set(sample.variables)
        for dim, n in sample.shape.items():
            assert obj.sizes[dim] == n, (dim, dict(obj.sizes))
        for name in sample.variables:
            assert int(obj[name].notnull().sum()) > 0


def test_the_packaged_samples_are_all_installed_here():
    # The dev environment installs every package the catalog reads from.
    assert set(AVAILABLE) == set(SAMPLES), {s.id: s.unavailable_reason for s in SAMPLES.values()}


def test_hadisst_grid_is_lazy_global_one_degree():
    ds = data.open_sample("hadisst-sst")
    assert ds["sst"].chunks is not None
    assert ds.sizes["lat"] == 180 and ds.sizes["lon"] == 360
    assert float(ds.lat.max()) == pytest.approx(89.5) and float(ds.lon.min()) == pytest.approx(-179.5)
    assert str(ds.time.values[0])[:7] == "2012-08"
    assert ds["sst"].attrs["units"] == "degC"
    assert -2.0 < float(ds.sst.min()) < float(ds.sst.max()) < 35.0
    assert "time_bnds" in ds.coords


def test_seattle_weather_dates_and_values():
    df = data.open_sample("seattle-weather")
    assert len(df) == 1461
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert df["date"].min() == pd.Timestamp("2012-01-01") and df["date"].max() == pd.Timestamp("2015-12-31")
    assert set(df["weather"]) >= {"rain", "sun"}


def test_co2_and_elnino_are_tidy_time_series():
    co2 = data.open_sample("mauna-loa-co2")
    assert pd.api.types.is_datetime64_any_dtype(co2["date"])
    assert co2["date"].iloc[0] == pd.Timestamp("1958-03-29")
    assert 300 < co2["co2"].min() < co2["co2"].max() < 400
    assert co2["co2"].isna().any()  # missing weeks are kept as NaN, not invented
    elnino = data.open_sample("elnino-sst")
    assert elnino["date"].is_monotonic_increasing
    assert elnino["date"].iloc[0] == pd.Timestamp("1950-01-01")
    assert elnino["date"].iloc[-1] == pd.Timestamp("2010-12-01")
    assert elnino["sst"].iloc[0] == pytest.approx(23.11)  # first cell of the wide table


def test_buoy_and_tmy3_tables():
    buoy = data.open_sample("neracoos-b01-sst")
    assert str(buoy["time"].dt.tz) == "UTC"
    assert buoy["time"].iloc[0] == pd.Timestamp("2016-02-15", tz="UTC")
    assert (buoy["time"].diff().dropna() == pd.Timedelta(minutes=30)).mean() > 0.99
    assert 0 < buoy["temperature"].median() < 20
    tmy = data.open_sample("greensboro-tmy3")
    assert len(tmy) == 8760
    assert (tmy["time"].diff().dropna() == pd.Timedelta(hours=1)).all()
    assert tmy.attrs["station"]["Name"].startswith("GREENSBORO")
    assert not any(c.endswith("source") for c in tmy.columns)


def test_matplotlib_grids_have_real_coordinates():
    topo = data.open_sample("topobathy")
    assert topo["topo"].dims == ("latitude", "longitude")
    assert topo.latitude.attrs["units"] == "degrees_north"
    assert 47 < float(topo.latitude.min()) < float(topo.latitude.max()) < 50
    assert float(topo.topo.min()) < 0 < float(topo.topo.max())  # sea and land
    dem = data.open_sample("jacksboro-dem")
    assert dem["elevation"].dims == ("y", "x") and dem.x.attrs["units"] == "m"
    assert dem.x.values[0] == 0 and np.all(np.diff(dem.x.values) > 0)
    assert 25_000 < float(dem.x.max()) < 35_000  # ~0.34 degrees of longitude at 36.6 N
    assert float(dem.lon.min()) == pytest.approx(-84.41375)
    assert float(dem.lat.max()) == pytest.approx(36.7329, abs=1e-3)


def test_missing_package_marks_sample_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "bokeh_sampledata", None)  # as if not installed
    sample = SAMPLES["neracoos-b01-sst"]
    assert not sample.available
    assert "pip install bokeh-sampledata" in sample.unavailable_reason
    with pytest.raises(data.DataLoadError, match="unavailable.*pip install bokeh-sampledata"):
        sample.open()


def test_missing_file_in_package_is_reported():
    base = SAMPLES["mauna-loa-co2"]
    from data import catalog

    ghost: Sample = dataclasses.replace(
        base, id="ghost",
        locate=lambda: catalog._package_file("statsmodels", base.pip, "datasets", "nope.csv"),
    )  # fmt: skip
    assert not ghost.available and "does not ship datasets/nope.csv" in ghost.unavailable_reason


def test_unknown_sample_id():
    with pytest.raises(data.DataLoadError, match="Unknown sample 'nope'.*seattle-weather"):
        data.open_sample("nope")
