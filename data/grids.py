"""Reading grids: NetCDF3, NetCDF4/HDF5, Zarr (folder or .zip) and ``.npz`` arrays (the loaders that
call these live in ``data/formats/``).

NetCDF and Zarr open lazily: with dask installed every variable is a dask array
(``chunks="auto"``: ~128 MB chunks aligned with the file's own chunking), so
describing a multi-GB file reads only its metadata; without dask, xarray's lazy
indexing is used and a load note says so.  Times xarray cannot decode
("months since ...", "YYYYMM") are decoded by ``axes.decode_times`` with a note, or
left as numbers with a note.  ``.npz`` files are small by
nature and are read into memory by :func:`npz_to_dataset`.

Before any value is read, :func:`guard` holds the opened grid to the budgets of
``data.budgets`` (long names and attributes shortened with a note; a grid that
declares too many bytes, too big a chunk, or, uploaded, far more than its own
size, refused) and :func:`check_packing` refuses a ``scale_factor`` or
``add_offset`` that could not unpack the values (it would fail only at the
first read, in numpy's words).  Values read later (statistics, plots) go
through ``data.reading`` so a corrupt chunk is a one-line ``DataReadError``.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import budgets
from .errors import DataLoadError
from .loader import importable, require
from .source import Source, zarr_root
from .times import UNDECODED_NOTE, decode_times

# The pins every grid loader declares (its ``pins``), with its engine's own.
GRID_PINS = {"xarray": "xarray==2026.9.0", "dask": "dask[array]==2026.8.0"}

_X_NAMES = ("lon", "longitude", "x", "easting")
_Y_NAMES = ("lat", "latitude", "y", "northing")


def _xarray() -> Any:
    return require("xarray", "Reading gridded data")


def _chunks() -> tuple[Any, list[str]]:
    try:
        import dask.array  # noqa: F401
    except Exception:
        note = f"dask is not installed: data are read lazily but not chunked (pip install {GRID_PINS['dask']})"
        return None, [note]
    return "auto", []


def open_lazy(opener: Callable[..., Any]) -> Any:
    """Call ``opener(chunks=..., **decode_options)``, relaxing decoding if needed."""
    chunks, notes = _chunks()
    attempts = [
        ({}, None),
        ({"decode_times": False}, UNDECODED_NOTE),
        ({"decode_cf": False}, "CF decoding failed: values are raw (no scaling or masking)"),
    ]
    first_error: Exception | None = None
    for kwargs, note in attempts:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                try:
                    ds = opener(chunks=chunks, **kwargs)
                except NotImplementedError:  # "auto" cannot size object arrays
                    ds = opener(chunks={}, **kwargs)
            except DataLoadError:
                raise
            except Exception as exc:
                first_error = first_error or exc
                continue
        for w in caught:
            if type(w.message).__name__ == "SerializationWarning":
                msg = str(w.message).split(". ")[0].strip()
                if msg not in notes:
                    notes.append(msg)
        ds.attrs["load_notes"] = notes + ([note] if note else [])
        return ds
    assert first_error is not None
    raise first_error


def check_packing(ds: Any, name: str) -> None:
    """Refuse a variable whose ``scale_factor``/``add_offset`` cannot unpack its values (not one number,
    or numbers on text): decoding would fail only later, at the first read, with numpy's own words."""
    for vname, var in ds.variables.items():
        stored = np.dtype(var.encoding.get("dtype", var.dtype))
        for key in ("scale_factor", "add_offset"):
            value = var.encoding.get(key, var.attrs.get(key))
            if value is None:
                continue
            packed = np.asarray(value)
            label = f"variable {budgets.shorten(str(vname), 60)!r}"
            fix = (f"fix or delete the attribute (e.g. `ncatted -a {key},{budgets.shorten(str(vname), 60)},d,, "
                   "in.nc out.nc`) and open the file again")
            if packed.dtype.kind not in "iuf" or packed.size != 1:
                shown = budgets.shorten(repr(packed.tolist()), 40)
                raise DataLoadError(f"{name}: {label} has {key} = {shown}, which is not one number, so its "
                                    f"packed values cannot be unpacked: {fix}.")
            if stored.kind not in "iufb":
                raise DataLoadError(f"{name}: {label} holds text values but has a {key}, so they "
                                    f"cannot be unpacked as numbers: {fix}.")


def guard(ds: Any, source: Source) -> Any:
    """Hold a lazily opened grid to the budgets (data.budgets) and check its packing, reading metadata
    only: long names and attributes are shortened (noted), an oversized grid is refused."""
    ds, notes = budgets.shorten_grid(ds)
    ds.attrs["load_notes"] = list(ds.attrs.get("load_notes", [])) + notes
    budgets.check_grid_size(ds, source.name, source.size if source.upload else None)
    check_packing(ds, source.name)
    return ds


def check_dataset(ds: Any, name: str) -> Any:
    """Refuse datasets that hold nothing or are plain HDF5; note empty dimensions."""
    if not ds.data_vars and not ds.coords:
        raise DataLoadError(
            f"{name} contains no variables (nothing in its root group): check that it is "
            "the right file; data kept only in sub-groups is not supported."
        )
    if ds.sizes and all(str(d).startswith("phony_dim") for d in ds.sizes):
        raise DataLoadError(
            f"{name} is an HDF5 file but not NetCDF: its arrays have no named dimensions. "
            "Save it as NetCDF-4 (e.g. xarray's to_netcdf) or export the arrays as CSV."
        )
    empty = [str(d) for d, n in ds.sizes.items() if n == 0]
    if empty:
        ds.attrs.setdefault("load_notes", []).append(
            f"dimension(s) {', '.join(empty)} have length 0: the variables on them hold no values"
        )
    return ds


_UNIT_IN_LABEL = re.compile(r"^(.*\S)\s*\(([^()]{1,20})\)\s*$")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")


def text_table(ds: Any) -> Any:
    """A DataFrame when ``ds`` is one 2-D text array whose second dim labels its columns (a table saved
    as an unnamed DataArray), else None.  Columns of numbers become numbers ("-" -> NaN), a date column
    plus a clock-time column become one "time" column, "Name (unit)" labels give the units."""
    import pandas as pd

    if len(ds.data_vars) != 1:
        return None
    (name, arr), = ds.data_vars.items()
    if arr.ndim != 2 or arr.dtype.kind not in "OUS" or arr.size > 50_000_000:
        return None
    rows, cols = arr.dims
    labels = ds[cols].values if cols in ds.coords else None
    if labels is None or labels.dtype.kind not in "OUS":
        return None
    values = np.asarray(arr.values).astype(str)
    frame = pd.DataFrame(values, columns=[str(x) for x in labels])
    units: dict[str, str] = {}
    dates = clock = None
    for col in frame.columns:
        text = frame[col].str.strip()
        numbers = pd.to_numeric(text, errors="coerce")
        if numbers.notna().mean() >= 0.5:
            frame[col] = numbers
            match = _UNIT_IN_LABEL.match(col)
            if match:
                units[col] = match.group(2)
        elif text.str.match(_CLOCK).mean() > 0.9:
            clock = col
        elif pd.to_datetime(text, errors="coerce", format="mixed").notna().mean() > 0.9:
            dates = col
    notes = [f"{name}: a 2-D text array with labelled columns ({cols}) was read as a table"]
    if dates is not None:
        stamp = frame[dates].str.strip() + (" " + frame[clock].str.strip() if clock is not None else "")
        frame.insert(0, "time", pd.to_datetime(stamp, errors="coerce", format="mixed"))
        frame = frame.drop(columns=[c for c in (dates, clock) if c is not None])
        notes.append(f"time: read from column {dates!r}" + (f" and {clock!r}" if clock else ""))
    frame.attrs.update(units=units, load_notes=list(ds.attrs.get("load_notes", [])) + notes)
    return frame


def open_netcdf(source: Source, engines: tuple[tuple[str, str], ...], description: str) -> Any:
    """Open a NetCDF/HDF5 file lazily with the first of ``engines`` ((xarray engine, module) pairs) that
    imports: a grid, or a table when it holds one labelled 2-D text array."""
    xr = _xarray()
    usable = [eng for eng, mod in engines if importable(mod)]
    if not usable:
        require(engines[0][1], f"Reading {description}")
    # Only the preferred engine: a fallback could "succeed" on a corrupt file
    # (netCDF-C reads a truncated NetCDF3 file as fill values).
    engine = usable[0]
    ds = guard(open_lazy(lambda **kw: xr.open_dataset(source.path, engine=engine, **kw)), source)
    table = text_table(ds)
    return table if table is not None else check_dataset(decode_times(ds), source.name)


def open_zarr(source: Source) -> Any:
    """Open a Zarr store (a folder, or a .zip with its root at the top or in one folder) lazily."""
    xr = _xarray()
    zarr = require("zarr", "Reading Zarr stores")
    assert source.path is not None
    store: Any = source.path
    group = None
    if not source.is_dir:
        with zipfile.ZipFile(source.path) as archive:
            budgets.check_zip_members(archive, source.name, lambda n: True, budgets.MAX_DECLARED_BYTES,
                                      "its members", budgets.GRID_HINT)
        store = zarr.storage.ZipStore(source.path, mode="r")
        group = zarr_root(source.zip_names() or []) or None
    # Consolidated metadata is looked up at the store root only: off for nested roots.
    consolidated = None if group is None else False
    ds = open_lazy(
        lambda **kw: xr.open_dataset(
            store, engine="zarr", group=group, consolidated=consolidated, **kw
        )
    )
    ds = guard(ds, source)
    return check_dataset(decode_times(ds), source.name)


def read_npz(source: Source) -> Any:
    """Read a NumPy ``.npz`` archive of plain arrays into memory as a Dataset (see npz_to_dataset)."""
    with source.open_binary() as fh:
        raw = io.BytesIO(fh.read())
    with zipfile.ZipFile(raw) as archive:
        budgets.check_zip_members(
            archive, source.name, lambda n: n.endswith(".npy"), budgets.MAX_NPZ_BYTES,
            "its arrays", "save a subset of the arrays (or as NetCDF, which opens lazily)",
        )
    try:
        with np.load(raw, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except ValueError as exc:
        if "pickle" not in str(exc):
            raise DataLoadError(f"{source.name} is a truncated or corrupt .npz archive (an array "
                                "cannot be read): save or download it again.") from exc
        raise DataLoadError(
            f"{source.name} holds pickled Python objects, which are not loaded for "
            "safety: save plain numeric arrays with numpy.savez."
        ) from exc
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise DataLoadError(f"{source.name} is a truncated or corrupt .npz archive (an array "
                            "cannot be read): save or download it again.") from exc
    ds, notes = budgets.shorten_grid(npz_to_dataset(arrays))
    ds.attrs["load_notes"] = notes
    return check_dataset(ds, source.name)


def _axis_coord(
    offset: int, n: int, vectors: Mapping[str, np.ndarray], scalars: Mapping[str, Any], taken: list[str]
) -> tuple[str | None, np.ndarray | None]:
    """Name and values (if known) of the coordinate for axis ``offset`` from the end."""
    names = _X_NAMES if offset == -1 else _Y_NAMES if offset == -2 else ()
    fits = [k for k, v in vectors.items() if len(v) == n and k not in taken]
    for key in [k for k in fits if k.lower() in names] + fits:
        return key, vectors[key]
    if not names:
        return None, None
    axis = names[2]  # "x" or "y"
    lo, hi, step = (scalars.get(f"{axis}{s}") for s in ("min", "max", "d" + axis))
    if lo is not None and hi is not None:
        return axis, np.linspace(lo, hi, n)
    if lo is not None and step is not None:
        return axis, lo + step * np.arange(n)
    return axis, None


def npz_to_dataset(arrays: Mapping[str, np.ndarray]) -> Any:
    """Turn named arrays into a Dataset.

    1-D arrays whose length matches a grid axis become its coordinate (names
    like lat/latitude/y preferred for rows, lon/longitude/x for columns);
    ``xmin``/``xmax``/``dx`` (and y) scalars build x/y coordinates; other
    scalars become attributes; remaining 1-D arrays become variables.
    """
    xr = _xarray()
    scalars = {k: v.item() for k, v in arrays.items() if v.ndim == 0}
    vectors = {k: v for k, v in arrays.items() if v.ndim == 1 and v.dtype.names is None}
    sizes: dict[str, int] = {}
    coords: dict[str, Any] = {}
    data_vars: dict[str, Any] = {}
    for key, arr in arrays.items():
        if arr.ndim < 2:
            continue
        dims: list[str] = []
        for axis, n in enumerate(arr.shape):
            dim, values = _axis_coord(axis - arr.ndim, n, vectors, scalars, dims)
            dim = dim or f"{key}_dim{axis}"
            if sizes.get(dim, n) != n or dim in dims:
                dim, values = f"{dim}_{key}", None
            dims.append(dim)
            sizes[dim] = n
            if values is not None:
                coords[dim] = (dim, np.asarray(values))
        data_vars[key] = (dims, arr)
    for key, arr in arrays.items():
        if arr.ndim == 1 and key not in coords:
            if arr.dtype.names:  # structured array: one variable per field
                for field in arr.dtype.names:
                    data_vars[f"{key}.{field}"] = (f"{key}_index", arr[field])
            else:
                data_vars[key] = (f"{key}_index", arr)
    ds = xr.Dataset(data_vars, coords=coords, attrs={k: v for k, v in scalars.items()})
    for name in ds.coords:
        low = str(name).lower()
        if low in ("lat", "latitude"):
            ds[name].attrs.update(units="degrees_north", standard_name="latitude")
        elif low in ("lon", "longitude"):
            ds[name].attrs.update(units="degrees_east", standard_name="longitude")
    return ds
