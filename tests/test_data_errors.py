"""Bad inputs: each one is a DataLoadError with a useful one-line message, or
loads with a note saying what was repaired."""

from __future__ import annotations

import io
import sys

import h5py
import matplotlib.image
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import data
from data import DataLoadError


def _one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and "Traceback" not in msg
    return msg


def _netcdf_bytes(ds: xr.Dataset, engine: str) -> bytes:
    if engine == "scipy":
        return ds.to_netcdf(engine="scipy")  # in-memory NETCDF3 bytes
    buf = io.BytesIO()
    ds.to_netcdf(buf, engine="h5netcdf")
    return buf.getvalue()


@pytest.fixture
def small() -> xr.Dataset:
    return xr.Dataset({"v": (("t", "x"), np.arange(200.0).reshape(20, 10))}, coords={"t": np.arange(20)})


def test_empty_file(tmp_path):
    with pytest.raises(DataLoadError) as exc:
        data.open_upload("data.csv", b"")
    assert "empty" in _one_line(exc)
    (tmp_path / "e.nc").write_bytes(b"")
    with pytest.raises(DataLoadError, match="empty"):
        data.open_path(tmp_path / "e.nc")


def test_blank_text_file():
    with pytest.raises(DataLoadError, match="no data"):
        data.open_upload("data.csv", b"\n \n\n")


def test_png_named_csv():
    buf = io.BytesIO()
    matplotlib.image.imsave(buf, np.zeros((4, 4)), format="png")
    with pytest.raises(DataLoadError) as exc:
        data.open_upload("data.csv", buf.getvalue())
    msg = _one_line(exc)
    assert "PNG image" in msg and "data.csv" in msg and ".nc" in msg  # lists what is supported


def test_unknown_extension_text():
    with pytest.raises(DataLoadError) as exc:
        data.open_upload("points.xyz", b"x y z\n1 2 3\n")
    msg = _one_line(exc)
    assert "unsupported file type '.xyz'" in msg and "rename it to .csv" in msg


def test_binary_garbage():
    garbage = np.random.default_rng(0).bytes(4096)
    with pytest.raises(DataLoadError) as exc:
        data.open_upload("data.csv", garbage)
    assert "binary data, not text" in _one_line(exc)
    with pytest.raises(DataLoadError, match="does not start like a NetCDF3 file"):
        data.open_upload("data.nc", garbage)
    with pytest.raises(DataLoadError, match="not a recognised data format"):
        data.open_upload("data.xyz", garbage)


@pytest.mark.parametrize("engine", ["scipy", "h5netcdf"])
@pytest.mark.parametrize("keep", [0.5, 0.02])
def test_truncated_netcdf(small, engine, keep):
    content = _netcdf_bytes(small, engine)
    with pytest.raises(DataLoadError) as exc:
        data.open_upload("cut.nc", content[: int(len(content) * keep)])
    msg = _one_line(exc)
    assert "could not be read as a NetCDF" in msg and "truncated" in msg


def test_hdf5_that_is_not_netcdf(tmp_path):
    path = tmp_path / "plain.h5"
    with h5py.File(path, "w") as f:
        f["readings"] = np.arange(10.0)
        f["nested/more"] = np.ones((3, 3))
    with pytest.raises(DataLoadError) as exc:
        data.open_path(path)
    msg = _one_line(exc)
    assert "HDF5 file but not NetCDF" in msg and "NetCDF-4" in msg
    with h5py.File(tmp_path / "empty.h5", "w"):
        pass
    with pytest.raises(DataLoadError, match="contains no variables"):
        data.open_path(tmp_path / "empty.h5")


def test_mixed_encoding_csv_loads_with_a_note():
    content = "site,note\nZ\u00fcrich,\u00e9t\u00e9\n".encode() + b"Gen\xe8ve,caf\xe9\nBern,ok\n"
    df = data.open_upload("mixed.csv", content)
    assert df["site"].tolist() == ["Z\u00fcrich", "Gen\u00e8ve", "Bern"]
    assert df["note"].tolist() == ["\u00e9t\u00e9", "caf\u00e9", "ok"]
    notes = " ".join(df.attrs["load_notes"])
    assert "mixed encodings" in notes and "2 byte(s)" in notes


def test_ragged_rows_load_with_notes():
    content = b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n"
    df = data.open_upload("ragged.csv", content)
    assert df["a"].tolist() == [1, 4, 10]
    assert np.isnan(df["c"].iloc[1])
    notes = " ".join(df.attrs["load_notes"])
    assert "skipped 1 row(s) with more fields" in notes and "line 4" in notes
    assert "1 row(s) had fewer fields" in notes


def test_trailing_delimiters_do_not_shift_columns():
    df = data.open_upload("trail.csv", b"a,b,c\n1,2,3,\n4,5,6,\n")
    assert df["a"].tolist() == [1, 4] and df["c"].tolist() == [3, 6]
    assert any("ragged" in n for n in df.attrs["load_notes"])


def test_unbalanced_quote_is_clear_or_loads():
    try:
        df = data.open_upload("q.csv", b'a,b\n1,"oops\n2,3\n')
    except DataLoadError as exc:
        assert "quotes" in str(exc)
    else:
        assert list(df.columns) == ["a", "b"]


def test_all_nan_column_loads(tmp_path):
    df = data.open_upload("nan.csv", b"a,b,c\n1,,x\n2,,y\n")
    assert df["b"].isna().all() and len(df) == 2
    ds = xr.Dataset({"v": ("x", np.full(4, np.nan)), "w": ("x", np.arange(4.0))})
    got = data.open_upload("nan.nc", _netcdf_bytes(ds, "h5netcdf"))
    assert bool(got["v"].isnull().all()) and got["w"].values.tolist() == [0, 1, 2, 3]


def test_variable_without_coordinates_loads():
    ds = xr.Dataset({"field": (("row", "col"), np.arange(6.0).reshape(2, 3))})
    got = data.open_upload("nocoords.nc", _netcdf_bytes(ds, "scipy"))
    assert got["field"].dims == ("row", "col") and not got.coords
    np.testing.assert_array_equal(got["field"].values, ds["field"].values)


def test_zero_length_dimension_loads_with_note(tmp_path):
    ds = xr.Dataset({"v": (("time", "x"), np.zeros((0, 3)))}, coords={"x": [1, 2, 3]})
    path = tmp_path / "zero.nc"
    ds.to_netcdf(path, engine="netcdf4", unlimited_dims=["time"])
    got = data.open_path(path)
    assert got.sizes["time"] == 0 and got["v"].shape == (0, 3)
    assert any("length 0" in n and "time" in n for n in got.attrs["load_notes"])


def test_upload_over_the_size_limit():
    with pytest.raises(DataLoadError) as exc:
        data.open_upload("big.csv", b"a,b\n" + b"1,2\n" * 1000, max_bytes=2000)
    msg = _one_line(exc)
    assert "over the upload limit of 2.0 KB" in msg and "4.0 KB" in msg
    assert data.open_upload("ok.csv", b"a,b\n1,2\n", max_bytes=2000).shape == (1, 2)


def test_missing_path_and_plain_folder(tmp_path):
    with pytest.raises(DataLoadError, match="No such file"):
        data.open_path(tmp_path / "absent.nc")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "x.txt").write_text("hi")
    with pytest.raises(DataLoadError, match="not a Zarr store"):
        data.open_path(tmp_path / "folder")


def test_zip_that_is_not_a_store():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(DataLoadError, match="ZIP archive.*unzip it"):
        data.open_upload("bundle.zip", buf.getvalue())


def test_corrupt_parquet():
    content = b"PAR1" + bytes(200) + b"PAR1"
    with pytest.raises(DataLoadError, match="could not be read as a Parquet table"):
        data.open_upload("t.parquet", content)


def test_error_is_a_value_error():
    assert issubclass(DataLoadError, ValueError)
    assert str(DataLoadError("a\n  b")) == "a b"
    assert isinstance(pd.DataFrame(), pd.DataFrame)  # pandas still importable alongside


def test_undecodable_times_load_as_numbers_with_note():
    ds = xr.Dataset(
        {"v": ("time", np.arange(3.0))},
        coords={"time": ("time", [0, 1, 2], {"units": "days since NOT-A-DATE"})},
    )
    got = data.open_upload("badtime.nc", _netcdf_bytes(ds, "scipy"))
    assert got.time.values.tolist() == [0, 1, 2]
    assert any("times could not be decoded" in n for n in got.attrs["load_notes"])


def test_without_dask_grids_are_still_lazy(monkeypatch, small):
    monkeypatch.setitem(sys.modules, "dask.array", None)  # as if dask were missing
    got = data.open_upload("small.nc", _netcdf_bytes(small, "scipy"))
    assert got["v"].chunks is None
    assert not got["v"].variable._in_memory  # xarray's lazy backend array, not loaded
    assert any("dask is not installed" in n for n in got.attrs["load_notes"])
    np.testing.assert_array_equal(got["v"].values, small["v"].values)
