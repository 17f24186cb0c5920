"""The loader registry: format detection, round trips, laziness, CSV sniffing."""

from __future__ import annotations

import gc
import gzip
import io
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import data
from data import tables
from data.registry import LOADERS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "station": ["A", "B", "C", "D"],
            "depth_m": [0.5, 10.0, 25.25, 100.0],
            "count": [1, 2, 3, 4],
            "date": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01"]),
        }
    )


@pytest.fixture
def grid() -> xr.Dataset:
    rng = np.random.default_rng(42)
    return xr.Dataset(
        {"tas": (("time", "lat", "lon"), rng.normal(280, 5, (3, 4, 5)).astype("float32"), {"units": "K"})},
        coords={
            "time": pd.date_range("2001-01-01", periods=3, freq="MS"),
            "lat": [-45.0, -15.0, 15.0, 45.0],
            "lon": [0.0, 72.0, 144.0, 216.0, 288.0],
        },
        attrs={"title": "round trip"},
    )


def _zip_dir(folder: Path, dest: Path, nested: bool) -> Path:
    root = folder.parent if nested else folder
    base = folder.name if nested else "."
    archive = shutil.make_archive(str(dest.with_suffix("")), "zip", root_dir=root, base_dir=base)
    return Path(archive)


def _table_bytes(df: pd.DataFrame, fmt: str, tmp_path: Path) -> bytes:
    target = tmp_path / f"t.{fmt}"
    if fmt == "csv":
        df.to_csv(target, index=False)
    elif fmt == "tsv":
        df.to_csv(target, sep="\t", index=False)
    elif fmt == "parquet":
        df.to_parquet(target, index=False)
    elif fmt == "xlsx":
        df.to_excel(target, index=False)
    elif fmt == "csv.gz":
        target.write_bytes(gzip.compress(df.to_csv(index=False).encode()))
    return target.read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "tsv", "parquet", "xlsx", "csv.gz"])
def test_table_upload_round_trip(frame, fmt, tmp_path):
    got = data.open_upload(f"stations.{fmt}", _table_bytes(frame, fmt, tmp_path))
    assert isinstance(got, pd.DataFrame)
    pd.testing.assert_frame_equal(
        got.astype({"station": object}), frame.astype({"station": object}), check_dtype=False
    )
    assert pd.api.types.is_datetime64_any_dtype(got["date"])


def _grid_file(ds: xr.Dataset, fmt: str, tmp_path: Path) -> Path:
    if fmt == "netcdf3":
        path = tmp_path / "g.nc"
        ds.to_netcdf(path, engine="scipy", format="NETCDF3_64BIT")
    elif fmt in ("netcdf4", "h5netcdf"):
        path = tmp_path / f"g-{fmt}.nc"
        ds.to_netcdf(path, engine=fmt)
    elif fmt.startswith("zarr"):
        store = tmp_path / "g.zarr"
        ds.to_zarr(store, mode="w", zarr_format=3 if fmt.endswith("3") else 2, consolidated=False)
        path = _zip_dir(store, tmp_path / "g.zip", nested=fmt.startswith("zarr-nested"))
    return path


@pytest.mark.parametrize("fmt", ["netcdf3", "netcdf4", "h5netcdf", "zarr-v2", "zarr-v3", "zarr-nested-v3"])
def test_grid_upload_round_trip_is_lazy(grid, fmt, tmp_path):
    path = _grid_file(grid, fmt, tmp_path)
    got = data.open_upload(path.name, path.read_bytes())
    assert isinstance(got, xr.Dataset)
    assert got["tas"].chunks is not None  # dask-backed: nothing read yet
    xr.testing.assert_allclose(got["tas"].load(), grid["tas"])
    assert got.attrs["title"] == "round trip" and got["tas"].attrs["units"] == "K"


def test_zarr_folder_and_netcdf_path_open_lazily(grid, tmp_path):
    grid.to_zarr(tmp_path / "store.zarr", mode="w", zarr_format=2)
    ds = data.open_path(tmp_path / "store.zarr")
    assert ds["tas"].chunks is not None
    np.testing.assert_array_equal(ds.tas.values, grid.tas.values)
    grid.to_netcdf(tmp_path / "g.nc")
    assert data.open_path(str(tmp_path / "g.nc"))["tas"].chunks is not None


def test_npz_grid_gets_coordinates():
    buf = io.BytesIO()
    np.savez(buf, depth=np.arange(12.0).reshape(3, 4), lat=np.array([10.0, 20.0, 30.0]),
             lon=np.array([1.0, 2.0, 3.0, 4.0]), scale=np.float64(2.5))  # fmt: skip
    ds = data.open_upload("grid.npz", buf.getvalue())
    assert ds["depth"].dims == ("lat", "lon")
    assert ds.lat.values.tolist() == [10.0, 20.0, 30.0] and ds.lat.attrs["units"] == "degrees_north"
    assert ds.attrs["scale"] == 2.5
    assert float(ds.depth.sel(lat=30.0, lon=4.0)) == 11.0


def test_npz_with_pickled_objects_is_refused():
    buf = io.BytesIO()
    np.savez(buf, things=np.array([{"a": 1}], dtype=object))
    with pytest.raises(data.DataLoadError, match="pickled"):
        data.open_upload("objs.npz", buf.getvalue())


@pytest.mark.parametrize(
    ("name", "expected"),
    [("data.csv", xr.Dataset), ("upload.bin", xr.Dataset), ("noext", xr.Dataset)],
)
def test_magic_bytes_beat_a_misleading_extension(grid, tmp_path, name, expected):
    path = _grid_file(grid, "netcdf3", tmp_path)
    got = data.open_upload(name, path.read_bytes())
    assert isinstance(got, expected)
    np.testing.assert_allclose(got.tas.values, grid.tas.values)
    if "." in name:
        assert any("opened by its content" in n for n in got.attrs["load_notes"])


def test_parquet_and_hdf5_named_wrongly(frame, grid, tmp_path):
    df = data.open_upload("table.csv", _table_bytes(frame, "parquet", tmp_path))
    assert isinstance(df, pd.DataFrame) and df["count"].tolist() == [1, 2, 3, 4]
    path = _grid_file(grid, "netcdf4", tmp_path)
    ds = data.open_upload("grid.h5", path.read_bytes())
    np.testing.assert_allclose(ds.tas.values, grid.tas.values)


def test_every_loader_declares_itself():
    names = {loader.name for loader in LOADERS}
    assert names == {"csv", "parquet", "xlsx", "netcdf3", "netcdf4", "zarr", "npz"}
    for loader in LOADERS:
        assert loader.description and loader.extensions and loader.kind in ("table", "grid")
        assert loader.missing_dependency() is None  # all installed in the dev env


def test_upload_temp_copy_lives_as_long_as_the_dataset(grid, tmp_path):
    path = _grid_file(grid, "netcdf4", tmp_path)
    ds = data.open_upload("g.nc", path.read_bytes())
    copy = Path(ds.encoding["source"])
    assert copy.exists() and copy.parent != tmp_path
    del ds
    gc.collect()
    assert not copy.parent.exists()


# --- CSV sniffing -----------------------------------------------------------


def test_semicolon_decimal_comma_and_comment_lines():
    text = "# station export\n# units: degC\nsite;temp;when\nA;1,5;2021-03-04\nB;-2,25;2021-03-05\n"
    df = data.open_upload("eu.csv", text.encode("utf-8"))
    assert df["temp"].tolist() == [1.5, -2.25]
    assert pd.api.types.is_datetime64_any_dtype(df["when"])  # ISO values, name not date-like
    notes = " ".join(df.attrs["load_notes"])
    assert "comment" in notes and "decimal comma" in notes


def test_whitespace_columns_and_bom():
    df = data.open_upload("obs.txt", b"x    y   z\n1.0  2.0 3.0\n4.0  5.0 6.0\n")
    assert list(df.columns) == ["x", "y", "z"] and df["z"].tolist() == [3.0, 6.0]
    df = data.open_upload("bom.csv", b"\xef\xbb\xbfa,b\n1,2\n")
    assert list(df.columns) == ["a", "b"]


def test_date_columns_by_name_and_not_times_of_day():
    text = "Date,Time (HH:MM),id,value\n01/02/2020,01:00,7,1.5\n01/03/2020,02:00,8,2.5\n"
    df = data.open_upload("t.csv", text.encode())
    assert pd.api.types.is_datetime64_any_dtype(df["Date"])
    assert not pd.api.types.is_datetime64_any_dtype(df["Time (HH:MM)"])
    assert df["id"].tolist() == [7, 8]


def test_latin1_file_is_decoded_with_a_note():
    df = data.open_upload("fr.csv", "ville,temp\nGen\u00e8ve,3\nSa\u00f4ne,4\n".encode("latin-1"))
    assert df["ville"].tolist() == ["Gen\u00e8ve", "Sa\u00f4ne"]
    assert any("Windows-1252" in n for n in df.attrs["load_notes"])


def test_large_csv_is_capped(monkeypatch, tmp_path):
    monkeypatch.setattr(tables, "LARGE_CSV_BYTES", 200)
    monkeypatch.setattr(tables, "LARGE_CSV_MAX_ROWS", 5)
    body = "".join(f"{i},Caf\u00e9{i}\n" for i in range(100)).encode()
    path = tmp_path / "big.csv"
    path.write_bytes(b"n,name\n" + body + b"999,Na\xefve\n")
    df = data.open_path(path)
    assert df["n"].tolist() == [0, 1, 2, 3, 4] and df["name"].iloc[0] == "Caf\u00e9" + "0"
    assert any("first 5 rows" in n for n in df.attrs["load_notes"])


def test_importing_data_survives_missing_optional_libraries(tmp_path, grid):
    path = _grid_file(grid, "netcdf3", tmp_path)
    code = textwrap.dedent(f"""
        import sys
        for name in ("xarray", "netCDF4", "h5netcdf", "zarr", "scipy", "dask", "openpyxl"):
            sys.modules[name] = None
        import data
        assert not data.catalog.SAMPLES["synthetic-climate"].available
        try:
            data.open_path({str(path)!r})
        except data.DataLoadError as exc:
            print(exc)
        print(data.open_upload("a.csv", b"a,b\\n1,2\\n").shape)
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "needs xarray, which is not installed: run `pip install xarray==" in out.stdout
    assert "(1, 2)" in out.stdout


def test_missing_engine_says_what_to_install(monkeypatch, frame, tmp_path):
    content = _table_bytes(frame, "xlsx", tmp_path)
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(data.DataLoadError, match=r"pip install openpyxl==3\.1\.5"):
        data.open_upload("t.xlsx", content)


_NA_WORDS = {"nan", "null", "none", "n/a", "na"}
_cell_text = st.text(alphabet="abcxyzéüø -", min_size=1, max_size=8).filter(
    lambda s: s == s.strip() and s.lower() not in _NA_WORDS and s != "-"
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    columns=st.lists(st.sampled_from(["int", "float", "text"]), min_size=1, max_size=4),
    rows=st.integers(min_value=1, max_value=12),
    sep=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    data_=st.data(),
)
def test_csv_round_trip_any_dialect(columns, rows, sep, encoding, data_):
    frame = {}
    for i, kind in enumerate(columns):
        if kind == "int":
            values = data_.draw(st.lists(st.integers(-10**6, 10**6), min_size=rows, max_size=rows))
        elif kind == "float":
            values = data_.draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: v + 0.5),
                                         min_size=rows, max_size=rows))  # fmt: skip
        else:
            values = data_.draw(st.lists(_cell_text, min_size=rows, max_size=rows))
        frame[f"c{i}"] = values
    df = pd.DataFrame(frame)
    content = df.to_csv(sep=sep, index=False).encode(encoding)
    got = data.open_upload("t.tsv" if sep == "\t" else "t.csv", content)
    pd.testing.assert_frame_equal(got.astype(object), df.astype(object), check_exact=False, rtol=1e-12)


def test_declared_multi_gigabyte_grid_opens_without_reading(tmp_path):
    import netCDF4

    path = tmp_path / "huge.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("y", 20_000)
        nc.createDimension("x", 20_000)
        nc.createVariable("big", "f4", ("y", "x"), chunksizes=(1000, 1000), fill_value=-9.0)
    assert path.stat().st_size < 1_000_000  # nothing written: chunks are unallocated
    ds = data.open_path(path)
    assert ds["big"].nbytes == 20_000 * 20_000 * 4  # 1.6 GB described, not loaded
    assert ds["big"].chunks is not None and max(ds["big"].chunks[0]) < 20_000
    assert bool(ds["big"][:2, :2].isnull().all())  # a small read touches one chunk
