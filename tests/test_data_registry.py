"""Loaders register themselves: a format is one file in data/formats/, and every list of formats follows."""

from __future__ import annotations

import sys
import textwrap

import pandas as pd
import pytest

import data
import data.formats
from data import loader as loader_module
from data import registry

# A whole new format, as a contributor would write it into data/formats/.
JSONL_MODULE = textwrap.dedent('''
    """JSON Lines tables (.jsonl): one JSON object per line."""
    import pandas as pd

    from data.loader import Loader
    from data.source import Source


    class JSONLinesLoader(Loader):
        name = "jsonl"
        description = "a JSON Lines table"
        label = "JSON Lines"
        extensions = (".jsonl",)
        priority = 65  # after .npz (60), before CSV (70)
        pins = {"pandas": "pandas>=2"}

        def open(self, source: Source) -> pd.DataFrame:
            with source.open_binary() as fh:
                return pd.read_json(fh, lines=True)
''')
MODULE = "data.formats.jsonl_demo"


@pytest.fixture
def jsonl_format(tmp_path, monkeypatch):
    """The module written to its own folder, added to data/formats' search path and discovered;
    afterwards the registry, PINS and sys.modules are as before."""
    folder = tmp_path / "formats"
    folder.mkdir()
    (folder / "jsonl_demo.py").write_text(JSONL_MODULE)
    monkeypatch.setattr(data.formats, "__path__", [*data.formats.__path__, str(folder)])
    before = list(registry.LOADERS), dict(registry.PINS)
    try:
        yield data.formats.discover()
    finally:
        loader_module.unregister("jsonl")
        sys.modules.pop(MODULE, None)
        if hasattr(data.formats, "jsonl_demo"):
            delattr(data.formats, "jsonl_demo")
        assert (list(registry.LOADERS), dict(registry.PINS)) == before


def test_the_seven_loaders_in_todays_priority_order():
    assert [x.name for x in registry.LOADERS] == ["netcdf3", "netcdf4", "zarr", "parquet", "xlsx", "npz", "csv"]
    assert all(type(x).__module__.startswith("data.formats.") for x in registry.LOADERS)


def test_lists_of_formats_are_derived_with_todays_wording():
    assert registry.SUPPORTED == (
        "supported: CSV/TSV (.csv .tsv .txt, also .gz), Parquet, Excel .xlsx, NetCDF/HDF5 (.nc .h5), "
        "Zarr (.zarr folder or .zip), NumPy .npz"
    )
    assert registry.upload_caption(200 * 2**20) == (
        "CSV, TSV, Parquet, Excel, NetCDF, Zarr (.zip) or .npz — up to 200 MB"
    )
    assert registry.PINS == {
        "xarray": "xarray==2026.9.0", "scipy": "scipy==1.17.1", "netCDF4": "netCDF4==1.7.5.1.post1",
        "h5netcdf": "h5netcdf==1.8.2", "zarr": "zarr==3.1.6", "dask": "dask[array]==2026.8.0",
        "pyarrow": "pyarrow==26.0.1", "openpyxl": "openpyxl==3.1.5",
    }  # fmt: skip
    assert {".csv", ".nc", ".npz", ".parquet", ".xlsx", ".zarr", ".zip"} <= set(registry.supported_extensions())


def test_a_new_format_is_one_file_that_registers_itself(jsonl_format, tmp_path):
    assert MODULE in jsonl_format
    assert [x.name for x in registry.LOADERS] == [
        "netcdf3", "netcdf4", "zarr", "parquet", "xlsx", "npz", "jsonl", "csv"]  # fmt: skip
    assert type(registry.LOADERS[6]).__module__ == MODULE
    content = b'{"site": "A", "temp": 1.5}\n{"site": "B", "temp": -2.0}\n'
    path = tmp_path / "obs.jsonl"
    path.write_bytes(content)
    for df in (data.open_path(path), data.open_upload("obs.jsonl", content)):
        assert isinstance(df, pd.DataFrame)
        assert df["site"].tolist() == ["A", "B"] and df["temp"].tolist() == [1.5, -2.0]
        assert df.attrs["load_notes"] == []
    assert registry.SUPPORTED.endswith(", NumPy .npz, JSON Lines")
    assert ".jsonl" in registry.supported_extensions()
    assert registry.upload_caption(200 * 2**20) == (
        "CSV, TSV, Parquet, Excel, NetCDF, Zarr (.zip), .npz or JSON Lines — up to 200 MB"
    )
    assert registry.PINS["pandas"] == "pandas>=2"
    with pytest.raises(data.DataLoadError, match=r"unknown binary content; supported: .*, JSON Lines\)"):
        data.open_upload("notes.bin", b"\x00\x01binary")  # error messages list it too


def test_a_loader_missing_what_it_must_declare_or_reusing_a_name_is_refused():
    with pytest.raises(TypeError, match="must set label"):
        type("NoLabel", (loader_module.Loader,), {"name": "nolabel", "description": "x", "extensions": (".x",)})
    with pytest.raises(ValueError, match="two loaders are named 'csv'"):
        type("OtherCSV", (loader_module.Loader,), {"name": "csv", "description": "x", "label": "x",
                                                   "extensions": (".x",)})
    with pytest.raises(ValueError, match="pins xarray==0 but another loader pins xarray==2026.9.0"):
        type("BadPin", (loader_module.Loader,), {"name": "badpin", "description": "x", "label": "x",
                                                 "extensions": (".x",), "pins": {"xarray": "xarray==0"}})
    assert [x.name for x in registry.LOADERS] == ["netcdf3", "netcdf4", "zarr", "parquet", "xlsx", "npz", "csv"]
