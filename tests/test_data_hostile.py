"""Hostile and odd files at the library level (issue 13): each is built here, small, in tmp_path, and
either opens safely (with a load note saying what was cut or repaired) or is refused with a one-line
DataLoadError that names the limit or the real cause. Budgets are checked from metadata: the huge
files below declare gigabytes but hold kilobytes, so a test that read their values would hang."""

from __future__ import annotations

import io
import zipfile

import netCDF4
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xarray as xr

import data
import encoders
from data import DataLoadError, DataReadError, budgets, tables


def _message(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and "Traceback" not in msg and len(msg) < 700
    return msg


def _notes(obj) -> str:
    return " | ".join(obj.attrs["load_notes"])


# --- names and attributes -------------------------------------------------------------------------------

def test_huge_attributes_are_shortened_with_a_note(tmp_path):
    path = tmp_path / "long.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("y", 3)
        nc.createDimension("x", 4)
        v = nc.createVariable("v", "f4", ("y", "x"))
        v[:] = np.arange(12.0).reshape(3, 4)
        v.long_name = "L" * 100_000
        v.units = "K" * 100_000
        v.comment = "c" * 10_000
        nc.history = "h" * 100_000
    ds = data.open_path(path)
    var = ds["v"]
    assert len(var.attrs["long_name"]) == len(var.attrs["units"]) == budgets.NAME_CHARS
    assert var.attrs["units"].endswith("…")
    assert len(var.attrs["comment"]) == budgets.ATTR_CHARS and len(ds.attrs["history"]) == budgets.ATTR_CHARS
    notes = _notes(ds)
    assert "'long_name' was 100,000 characters: shortened to 256" in notes
    assert float(var.sum()) == 66.0  # values untouched
    text = encoders.encode(ds, budget=800).text
    assert "L" * 300 not in text and "K" * 300 not in text


def test_long_variable_and_dimension_names_are_shortened(tmp_path):
    # HDF5/netCDF-C cap names at 256 bytes and file systems at 255: an .npz array name has no cap
    got = data.open_upload("long.npz", _npz(**{"v" * 1000: np.ones((2, 2, 3)), "w": np.arange(3.0)}))
    assert all(len(str(n)) <= budgets.NAME_CHARS for n in [*got.variables, *got.dims])
    assert float(got["w"].sum()) == 3.0 and float(got["v" * 255 + "…"].sum()) == 12.0
    notes = _notes(got)
    assert "1 dimension name(s)" in notes and "1 variable name(s)" in notes and "up to 1,005" in notes


def test_long_names_stay_distinct():
    df = pd.DataFrame({"a" * 400: [1], "a" * 401: [2], "b": [3]})
    notes = budgets.shorten_columns(df)
    assert len(set(df.columns)) == 3 and all(len(c) <= budgets.NAME_CHARS for c in df.columns)
    assert "2 column name(s)" in notes[0]


def test_csv_column_name_of_100_kb_is_shortened():
    content = ("n," + "z" * 100_000 + "\n1,2\n3,4\n").encode()
    df = data.open_upload("wide.csv", content)
    assert [len(c) for c in df.columns] == [1, budgets.NAME_CHARS]
    assert df.iloc[:, 1].tolist() == [2, 4] and "column name" in _notes(df)


def test_long_upload_name_is_shortened_in_messages():
    with pytest.raises(DataLoadError) as exc:
        data.open_upload("n" * 5000 + ".csv", b"")
    assert len(_message(exc)) < 300 and ".csv" in str(exc.value)


# --- declared size of grids ------------------------------------------------------------------------------

def _declared_netcdf(path, ny: int, nx: int, chunks=None) -> None:
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("y", ny)
        nc.createDimension("x", nx)
        nc.createVariable("big", "f4", ("y", "x"), chunksizes=chunks, fill_value=-9.0)


def test_netcdf_declaring_160_gb_is_refused_at_open(tmp_path):
    path = tmp_path / "huge.nc"
    _declared_netcdf(path, 200_000, 200_000, chunks=(1000, 1000))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(DataLoadError) as exc:
        data.open_path(path)
    msg = _message(exc)
    assert "declares 160.0 GB" in msg and "2.0 GB budget" in msg and "200,000 x 200,000" in msg
    assert "ncks" in msg and "xarray" in msg


def test_upload_declaring_far_more_than_its_size_is_refused(tmp_path):
    path = tmp_path / "bomb.nc"
    _declared_netcdf(path, 20_000, 20_000, chunks=(1000, 1000))  # 1.6 GB declared: opens as a path
    assert data.open_path(path)["big"].shape == (20_000, 20_000)
    with pytest.raises(DataLoadError) as exc:
        data.open_upload("bomb.nc", path.read_bytes())
    msg = _message(exc)
    assert "declares 1.6 GB" in msg and "times its size" in msg and "budget of 1,000 times" in msg
    assert "python -m geollm summarize" in msg


def test_zarr_with_one_huge_chunk_is_refused(tmp_path):
    import zarr

    store = tmp_path / "bomb.zarr"
    root = zarr.open_group(store, mode="w")
    root.create_array("v", shape=(16_384, 16_384), chunks=(16_384, 16_384), dtype="f4",
                      dimension_names=["y", "x"], fill_value=0.0)  # 1.07 GB in one chunk, none written
    with pytest.raises(DataLoadError) as exc:
        data.open_path(store)
    msg = _message(exc)
    assert "one stored chunk of variable 'v'" in msg and "16384 x 16384" in msg and "512.0 MB budget" in msg
    zipped = tmp_path / "bomb.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for f in store.rglob("*"):
            zf.write(f, f.relative_to(store).as_posix())
    with pytest.raises(DataLoadError, match="one stored chunk"):
        data.open_upload("bomb.zip", zipped.read_bytes())


def test_ordinary_uncompressed_upload_still_opens(tmp_path):
    ds = xr.Dataset({"t": (("time", "lat", "lon"), np.random.default_rng(0).random((40, 90, 180)))},
                    coords={"lat": np.linspace(-89, 89, 90), "lon": np.arange(0, 360, 2.0)})
    path = tmp_path / "ok.nc"
    ds.to_netcdf(path)
    got = data.open_upload("ok.nc", path.read_bytes())
    assert got["t"].shape == (40, 90, 180) and not any("budget" in n for n in got.attrs["load_notes"])


# --- zip members: xlsx and npz ---------------------------------------------------------------------------

def _inflated_xlsx(tmp_path, pad: int) -> bytes:
    """A real workbook whose sheet XML is padded with `pad` bytes of whitespace (compresses to ~1/1000)."""
    src = tmp_path / "plain.xlsx"
    pd.DataFrame({"a": [1, 2]}).to_excel(src, index=False)
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"<sheetData>", b"<sheetData>" + b" " * pad, 1)
            zout.writestr(info.filename, body)
    return out.getvalue()


def test_xlsx_whose_sheet_inflates_past_the_budget_is_refused_from_the_zip_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(budgets, "MAX_SHEET_BYTES", 1_000_000)
    content = _inflated_xlsx(tmp_path, 2_000_000)
    assert len(content) < 100_000
    with pytest.raises(DataLoadError) as exc:
        data.open_upload("bomb.xlsx", content)
    msg = _message(exc)
    assert "'xl/worksheets/sheet1.xml'" in msg and "1.0 MB budget" in msg and "CSV" in msg
    assert data.open_upload("fine.xlsx", _inflated_xlsx(tmp_path, 10_000))["a"].tolist() == [1, 2]


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def test_truncated_npz_says_truncated_not_pickled():
    raw = _npz(a=np.arange(2000.0).reshape(20, 100))
    for cut in (len(raw) // 2, len(raw) - 30):
        with pytest.raises(DataLoadError) as exc:
            data.open_upload("a.npz", raw[:cut])
        msg = _message(exc)
        assert "truncated or corrupt" in msg and "pickle" not in msg


def test_npz_with_a_corrupt_array_says_corrupt_not_pickled():
    raw = bytearray(_npz(a=np.random.default_rng(1).random((50, 100))))
    raw[200:260] = b"\x00" * 60  # inside the compressed array, the zip directory is intact
    with pytest.raises(DataLoadError) as exc:
        data.open_upload("a.npz", bytes(raw))
    msg = _message(exc)
    assert "corrupt" in msg and "pickle" not in msg


def test_npz_with_pickled_objects_still_says_pickled():
    buf = io.BytesIO()
    np.savez(buf, a=np.array([{"x": 1}, None], dtype=object))
    with pytest.raises(DataLoadError, match="pickled Python objects"):
        data.open_upload("a.npz", buf.getvalue())


def test_npz_inflating_past_the_budget_is_refused(monkeypatch):
    monkeypatch.setattr(budgets, "MAX_NPZ_BYTES", 1_000_000)
    with pytest.raises(DataLoadError) as exc:
        data.open_upload("z.npz", _npz(a=np.zeros((500, 500))))
    assert "2.0 MB" in _message(exc) and "1.0 MB budget" in str(exc.value)


# --- columns and rows ------------------------------------------------------------------------------------

def test_csv_with_too_many_columns_is_cut_with_a_note():
    n = budgets.MAX_COLUMNS + 500
    content = (",".join(f"c{i}" for i in range(n)) + "\n" + ",".join("1" for _ in range(n)) + "\n").encode()
    df = data.open_upload("wide.csv", content)
    assert df.shape == (1, budgets.MAX_COLUMNS) and df.columns[-1] == f"c{budgets.MAX_COLUMNS - 1}"
    assert f"the table has {n:,} columns" in _notes(df) and "2,000 columns were read" in _notes(df)


def test_parquet_with_too_many_columns_is_cut_from_its_footer():
    n = budgets.MAX_COLUMNS + 10
    buf = io.BytesIO()
    pq.write_table(pa.table({f"c{i}": [i] for i in range(n)}), buf)
    df = data.open_upload("wide.parquet", buf.getvalue())
    assert df.shape == (1, budgets.MAX_COLUMNS) and f"{n:,} columns" in _notes(df)


def test_rows_past_the_budget_are_cut_with_a_note(monkeypatch):
    monkeypatch.setattr(tables, "LARGE_CSV_MAX_ROWS", 10)
    df = data.open_upload("long.csv", ("v\n" + "".join(f"{i}\n" for i in range(50))).encode())
    assert df["v"].tolist() == list(range(10)) and "more than 10 rows" in _notes(df)
    exact = data.open_upload("ten.csv", ("v\n" + "".join(f"{i}\n" for i in range(10))).encode())
    assert len(exact) == 10 and "rows" not in _notes(exact)
    buf = io.BytesIO()
    pq.write_table(pa.table({"v": np.arange(50)}), buf, row_group_size=7)
    df = data.open_upload("long.parquet", buf.getvalue())
    assert df["v"].tolist() == list(range(10)) and "more than 10 rows" in _notes(df)


# --- messages that name the real cause -------------------------------------------------------------------

def test_csv_with_cr_only_line_endings_opens():
    df = data.open_upload("mac.csv", b"a;b\r1,5;2\r3,5;4\r")
    assert df.to_dict("list") == {"a": [1.5, 3.5], "b": [2, 4]}


def test_csv_with_a_line_over_131072_characters_opens():
    content = b"name,v\n" + b"x" * 200_000 + b",1\nshort,2\n"
    df = data.open_upload("long.csv", content)
    assert df["v"].tolist() == [1, 2] and len(df["name"].iloc[0]) == 200_000


def test_parquet_with_non_utf8_binary_column_opens():
    table = pa.table({"date": pa.array([b"\xff\xfe2020", b"\x80abc", None], pa.binary()), "v": [1, 2, 3]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    df = data.open_upload("bin.parquet", buf.getvalue())
    assert df["date"].iloc[0] == b"\xff\xfe2020" and df["v"].tolist() == [1, 2, 3]


def test_integers_beyond_64_bits_become_floats_arrow_can_show():
    df = data.open_upload("big.csv", b"a,b\n1,%d\n2,3\n3,\n" % (2**70))
    assert df["b"].dtype == "float64" and df["b"].iloc[0] == float(2**70) and np.isnan(df["b"].iloc[2])
    pa.Table.from_pandas(df)  # what st.dataframe does; raised OverflowError before
    assert "beyond 64 bits" in _notes(df)


def _packed_netcdf(path, fmt: str, var_type: str, scale) -> None:
    with netCDF4.Dataset(path, "w", format=fmt) as nc:
        nc.createDimension("x", 3)
        nc.createDimension("n", 4)
        if var_type == "S1":
            v = nc.createVariable("code", "S1", ("x", "n"))
            v[:] = np.array([list("abcd")] * 3, "S1")
        else:
            v = nc.createVariable("code", var_type, ("x",))
            v[:] = [1, 2, 3]
        v.setncattr("scale_factor", scale)


@pytest.mark.parametrize("fmt", ["NETCDF4", "NETCDF3_CLASSIC"])
@pytest.mark.parametrize("var_type,scale", [("i2", "abc"), ("i2", np.array([1.0, 2.0])), ("S1", 0.5)])
def test_bad_scale_factor_names_variable_and_attribute(tmp_path, fmt, var_type, scale):
    path = tmp_path / "packed.nc"
    _packed_netcdf(path, fmt, var_type, scale)
    with pytest.raises(DataLoadError) as exc:
        data.open_path(path)
    msg = _message(exc)
    assert "variable 'code'" in msg and "scale_factor" in msg and "ncatted" in msg
    assert "ufunc" not in msg and "could not convert" not in msg


def _corrupt_chunk_netcdf(path) -> None:
    import h5py

    rng = np.random.default_rng(0)
    ds = xr.Dataset({"temp": (("t", "y", "x"), rng.random((4, 50, 60)).astype("f4"))},
                    coords={"t": np.arange(4), "y": np.arange(50.0), "x": np.arange(60.0)})
    ds.to_netcdf(path, engine="netcdf4", encoding={"temp": {"zlib": True, "chunksizes": (1, 50, 60)}})
    with h5py.File(path, "r") as f:
        chunk = f["temp"].id.get_chunk_info(2)
    raw = bytearray(path.read_bytes())
    raw[chunk.byte_offset + 10 : chunk.byte_offset + 60] = b"\x00" * 50
    path.write_bytes(bytes(raw))


def test_corrupt_compressed_chunk_is_a_one_line_read_error(tmp_path):
    path = tmp_path / "corrupt.nc"
    _corrupt_chunk_netcdf(path)
    ds = data.open_path(path)  # the header is intact: opens lazily
    assert ds["temp"].shape == (4, 50, 60)
    assert float(ds["temp"][0].mean()) > 0  # an intact chunk reads
    with pytest.raises(DataReadError) as exc:
        encoders.encode(ds)
    msg = _message(exc)
    assert msg.startswith("a compressed chunk of variable 'temp'") and "corrupt" in msg
    assert isinstance(exc.value, DataLoadError) and isinstance(exc.value.__cause__, RuntimeError)
    with pytest.raises(DataReadError, match="variable 'temp'"), data.reading(path.name):
        _ = ds["temp"].values
    raw = RuntimeError("NetCDF: HDF error")
    assert "corrupt" in data.read_error_message(raw) and "a variable" in data.read_error_message(raw)
    with pytest.raises(RuntimeError, match="a bug"), data.reading():  # not a file's fault: not hidden
        raise RuntimeError("a bug")
    with pytest.raises(DataReadError, match="no longer there"), data.reading():
        raise FileNotFoundError(2, "No such file")


# --- the loader's own notes are not the file's -----------------------------------------------------------

@pytest.mark.parametrize("strategy", list(encoders.STRATEGIES))
def test_load_notes_never_appear_as_file_attributes(tmp_path, strategy):
    ds = xr.Dataset({"v": (("lat", "lon"), np.arange(12.0).reshape(3, 4))},
                    coords={"lat": [-10.0, 0.0, 10.0], "lon": [0.0, 90.0, 180.0, 270.0]},
                    attrs={"title": "t", "institution": "i", "comment": "c" * 5000})
    path = tmp_path / "noted.nc"
    ds.to_netcdf(path)
    got = data.open_path(path)
    assert got.attrs["load_notes"]  # the comment was shortened, and noted
    text = encoders.encode(got, strategy, budget=400).text
    assert "load_notes" not in text
    said_by_file = [line for line in text.splitlines() if line.startswith("Global attributes")]
    assert not any("shortened" in line for line in said_by_file)  # the app's note is said as the app's
    df = data.open_upload("t.csv", ("a,b\n1," + "9" * 30 + "\n").encode())
    assert df.attrs["load_notes"]
    assert "load_notes" not in encoders.encode(df, strategy, budget=400).text


def test_load_notes_are_not_counted_as_omitted_file_attributes():
    from encoders.cube import attrs_omitted

    ds = xr.Dataset(attrs={"title": "t", "load_notes": ["a note of the app"]})
    assert attrs_omitted(ds, 0) == [] and attrs_omitted(ds, 1) == []
    ds.attrs["history"] = "made"
    assert attrs_omitted(ds, 1) == ["history and other global attributes"]


def test_wide_tables_keep_fewer_rows_within_the_cell_budget(monkeypatch):
    monkeypatch.setattr(budgets, "MAX_CELLS", 100)
    content = ("a,b,c,d\n" + "".join(f"{i},{i},{i},{i}\n" for i in range(40))).encode()
    df = data.open_upload("wide.csv", content)
    assert df.shape == (25, 4) and "budget of 25 (100 cells)" in _notes(df)
    buf = io.BytesIO()
    pq.write_table(pa.table({c: np.arange(40) for c in "abcd"}), buf, row_group_size=7)
    assert data.open_upload("wide.parquet", buf.getvalue()).shape == (25, 4)


def test_netcdf_with_millions_of_tiny_chunks_is_refused(tmp_path):
    path = tmp_path / "tiny_chunks.nc"
    _declared_netcdf(path, 10_000, 10_000, chunks=(4, 4))  # 400 MB in 6,250,000 chunks
    with pytest.raises(DataLoadError) as exc:
        data.open_path(path)
    msg = _message(exc)
    assert "more than 1,000,000 chunks" in msg and "6,250,000 chunks of 4 x 4" in msg and "nccopy -c" in msg


# --- wall time ------------------------------------------------------------------------------------------

def _slow_grid(blocks: int = 40, seconds: float = 0.05) -> xr.Dataset:
    """A lat/lon grid whose every block takes `seconds` to read, like a slow or remote file system."""
    import time

    import dask.array as da

    def slow(block):
        time.sleep(seconds)
        return block

    values = da.ones((blocks, 8), chunks=(1, 8)).map_blocks(slow)
    return xr.Dataset({"t": (("lat", "lon"), values)},
                      coords={"lat": np.linspace(-80, 80, blocks), "lon": np.arange(8.0) * 45})


def test_reading_values_past_the_time_limit_stops_with_the_limit_and_what_to_do():
    ds = _slow_grid()
    with budgets.time_limit(0.2), pytest.raises(budgets.WorkTimeout) as exc:
        encoders.encode(ds, budget=800)
    msg = _message(exc)
    assert "stopped at the 0.2 s time budget" in msg and "subset" in msg and "geollm summarize" in msg
    assert isinstance(exc.value, DataLoadError)  # the pages' boundary explains it like any refused file
    assert "t" in encoders.encode(ds, budget=800).text  # no limit (the CLI): the same work completes


def test_a_time_limit_holds_only_in_the_thread_that_set_it():
    import threading

    ds, stopped = _slow_grid(blocks=20), []

    def limited():
        with budgets.time_limit(0.01):
            try:
                encoders.encode(_slow_grid(blocks=20), budget=800)
            except budgets.WorkTimeout:
                stopped.append(True)

    other = threading.Thread(target=limited)
    other.start()
    text = encoders.encode(ds, budget=800).text  # runs meanwhile, unlimited: one session's limit is its own
    other.join()
    assert stopped == [True] and "t" in text


def test_a_time_limit_keeps_global_dask_callbacks_running():
    from dask.callbacks import Callback

    started = []
    with Callback(pretask=lambda key, dsk, state: started.append(key)):
        encoders.encode(_slow_grid(blocks=4, seconds=0), budget=800)
        unlimited = len(started)
        with budgets.time_limit(60):
            encoders.encode(_slow_grid(blocks=4, seconds=0), budget=800)
    assert unlimited > 0 and len(started) == 2 * unlimited
