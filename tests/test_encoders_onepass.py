"""One-pass statistics (encoders.onepass / encoders.blocks) equal numpy's, whatever the blocks and pieces."""
from __future__ import annotations

import dask.array
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import encoders
from encoders import blocks, onepass

try:
    from test_encoders_cube import Computes
    from test_encoders_data import make_dataset, words
except ImportError:  # tests/ imported as a package
    from tests.test_encoders_cube import Computes
    from tests.test_encoders_data import make_dataset, words


def field(seed: int = 1, dtype=np.float32) -> np.ndarray:
    """(time 14, lat 9, lon 11) with NaNs, an all-NaN latitude, an all-NaN time step and a tied maximum."""
    rng = np.random.default_rng(seed)
    x = (rng.normal(300.0, 3.0, (14, 9, 11)) + np.linspace(0, 5, 14)[:, None, None]).astype(dtype)
    x[rng.random(x.shape) < 0.2] = np.nan
    x[:, 0, :] = np.nan
    x[6] = np.nan
    x[2, 3, 4] = x[1, 7, 9] = 330.0  # first max in C order at (1, 7, 9), stored in a later lat block
    x[5, 8, 2] = 250.0
    return x


def expected(x: np.ndarray, w: np.ndarray) -> dict:
    x64, ok = x.astype(np.float64), ~np.isnan(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        lat_sum, lat_n = np.nansum(x64, axis=(0, 2)), ok.sum(axis=(0, 2))
        t_sum = np.nansum(x64 * w[None, :, None], axis=(1, 2))
        t_n = (ok * w[None, :, None]).sum(axis=(1, 2))
        return {"count": ok.sum(), "min": np.nanmin(x), "max": np.nanmax(x), "mean": np.nanmean(x64),
                "std": np.nanstd(x64), "argmax": np.argmax(np.where(ok, x, -np.inf)),
                "argmin": np.argmin(np.where(ok, x, np.inf)), "zonal": lat_sum / lat_n,
                "series": t_sum / t_n, "gmean": (lat_sum * w).sum() / (lat_n * w).sum()}


def check(r: dict, x: np.ndarray, w: np.ndarray) -> None:
    """Exact count/min/max/locations; sums to float64 rounding; the float32 sum of squares to ~1e-7."""
    e = expected(x, w)
    assert r["count"] == e["count"] and r["argmax"] == e["argmax"] and r["argmin"] == e["argmin"]
    assert r["min"] == e["min"] and r["max"] == e["max"]
    assert r["mean"] == pytest.approx(e["mean"], rel=1e-9)
    assert r["std"] == pytest.approx(e["std"], rel=1e-6 if x.dtype == np.float32 else 1e-9)
    np.testing.assert_allclose(r["lat_sum"] / r["lat_count"], e["zonal"], rtol=1e-9)
    np.testing.assert_allclose(r["t_wsum"] / r["t_wcount"], e["series"], rtol=1e-9)
    assert (r["lat_sum"] * w).sum() / (r["lat_count"] * w).sum() == pytest.approx(e["gmean"], rel=1e-9)


@pytest.mark.parametrize("piece", [onepass.PIECE, 1, 7, 30])
@pytest.mark.parametrize("chunks", [None, (5, 4, 6), (14, 9, 11), (3, 2, 11)])
def test_stats_equal_numpy(monkeypatch, piece, chunks):
    monkeypatch.setattr(onepass, "PIECE", piece)  # many pieces per block: ties, margins across pieces
    x, w = field(), np.cos(np.deg2rad(np.linspace(-80, 80, 9)))
    data = x if chunks is None else dask.array.from_array(x, chunks=chunks)
    r = blocks.stats(data, lat=1, t=0, w=w)
    r = r if chunks is None else r.compute()
    with np.errstate(invalid="ignore"):
        check(r, x, w)
    assert r["lat_count"][0] == 0 and r["t_wcount"][6] == 0  # the all-NaN latitude and time step


def test_stats_other_layouts_dtypes_and_precision():
    x, w = field(2), np.linspace(0.1, 1.0, 9)
    moved = dask.array.from_array(np.moveaxis(x, 0, 2), chunks=(4, 5, 3))  # (lat, lon, time)
    r = blocks.stats(moved, lat=0, t=2, w=w).compute()
    e = expected(x, w)
    assert r["argmax"] == np.argmax(np.where(np.isnan(moved), -np.inf, moved).compute())
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(r["lat_sum"] / r["lat_count"], e["zonal"], rtol=1e-9)
        np.testing.assert_allclose(r["t_wsum"] / r["t_wcount"], e["series"], rtol=1e-9)
    offset = field(3, np.float64) * 1e-2 + 1e5  # mean/std ~ 3e6: a float64 sum of squares would lose ~1e-3
    r = blocks.stats(dask.array.from_array(offset, chunks=(3, 4, 5)))
    assert r.compute()["std"] == pytest.approx(np.nanstd(offset), rel=1e-9)
    ints = np.arange(-50, 70, dtype=np.int16).reshape(10, 12)
    r = blocks.stats(dask.array.from_array(ints, chunks=5)).compute()
    assert (r["count"], r["min"], r["max"], r["argmax"]) == (120, -50, 69, 119)
    assert r["std"] == pytest.approx(ints.std())
    flags = blocks.stats(np.array([[False, True], [True, True]]))
    assert (flags["min"], flags["max"], flags["argmin"], flags["argmax"], flags["mean"]) == (0, 1, 0, 1, 0.75)
    empty = blocks.stats(np.full((3, 4), np.nan, dtype=np.float32))
    assert empty["count"] == 0 and np.isnan(empty["max"]) and empty["argmax"] == 0
    scalar = blocks.stats(dask.array.from_array(np.float32(2.5))).compute()
    assert (scalar["count"], scalar["mean"], scalar["std"]) == (1, 2.5, 0.0)


def test_encoded_facts_equal_numpy():
    x = field(4)
    time = pd.date_range("2000-01-01", periods=14, freq="MS")
    lat = np.linspace(-80, 80, 9)
    ds = xr.Dataset({"v": (("time", "lat", "lon"), x, {"units": "K"})},
                    coords={"time": time, "lat": ("lat", lat, {"units": "degrees_north"}),
                            "lon": ("lon", np.arange(11) * 30.0, {"units": "degrees_east"})}).chunk({"lat": 4})
    enc = encoders.encode(ds, "stats", 6000, words)
    e = expected(x, np.cos(np.deg2rad(lat)))
    for key, value in (("mean", e["mean"]), ("std", e["std"]), ("min", e["min"]), ("max", e["max"]),
                       ("area_mean", e["gmean"]), ("missing_pct", 100 * (1 - e["count"] / x.size))):
        assert enc.fact(f"var:v.{key}").value == pytest.approx(float(value), rel=1e-6 if key == "std" else 1e-9), key
    t, i, j = np.unravel_index(e["argmax"], x.shape)
    assert enc.fact("var:v.max_at.time").value == str(time[t].date())
    assert enc.fact("var:v.max_at.lat").value == pytest.approx(lat[i])
    assert enc.fact("var:v.max_at.lon").value == pytest.approx(j * 30.0)
    jan = e["series"][[0, 12]]  # January 2000 and January 2001
    assert enc.fact("var:v.clim[Jan]").value == pytest.approx(float(np.nanmean(jan)), rel=1e-9)
    assert enc.fact("var:v.clim[Jul]").value != enc.fact("var:v.clim[Jul]").value  # July: the all-NaN step


def test_file_variables_are_read_in_small_aligned_blocks(tmp_path, monkeypatch):
    path = tmp_path / "sst.nc"
    make_dataset(nt=24).to_netcdf(path, encoding={"sst": {"chunksizes": (2, 18, 36)}})
    with xr.open_dataset(path, chunks={"time": 12}) as ds:
        x = ds["sst"]
        small = blocks.small_blocks(x.data, (2, 18, 36), limit=4 * 18 * 36 * 5)
        assert small.chunks[0] == (4,) * 6 and small.chunks[1:] == ((18,), (36,))  # 2 file chunks each
        np.testing.assert_array_equal(small.compute(), x.values)
        assert blocks.small_blocks(x.data + 1, limit=100).chunks == x.chunks  # not a plain file read
        monkeypatch.setattr(blocks, "BLOCK_BYTES", 5000)
        with Computes() as c:
            enc = encoders.encode(ds, "stats", 1500, words)
        assert c.count == 1 and not x.variable._in_memory
        assert enc.fact("var:sst.std").value == pytest.approx(float(np.nanstd(x.values.astype("f8"))), rel=1e-9)
