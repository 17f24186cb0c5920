"""The loader registry: pick a loader for a path or an upload, and run it.

Modelled on xarray's backend plugins (``xarray/backends/plugins.py``): each
:class:`Loader` says whether it can open a source (``guess_can_open``: magic
bytes first, the extension only for formats without a signature, i.e. text
tables) and opens it.  Optional libraries are imported only inside ``open``; a
missing or broken one becomes a :class:`DataLoadError` naming the pip command,
so importing ``data`` never fails.

Uploads are read from memory when the library accepts a file object; NetCDF
and Zarr need a path, so the bytes go to a private temporary folder that is
deleted when the returned Dataset is garbage-collected (or at interpreter
exit).  Call ``.load()`` on such a Dataset to detach it from the file.
"""

from __future__ import annotations

import importlib
import re
import shutil
import tempfile
import weakref
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

from .budgets import human_size
from .errors import DataLoadError
from .source import FOREIGN, Source, looks_like_text, signature

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

# The pins the project tests with; used in "pip install ..." advice.
PINS = {
    "xarray": "xarray==2026.9.0",
    "scipy": "scipy==1.17.1",
    "netCDF4": "netCDF4==1.7.5.1.post1",
    "h5netcdf": "h5netcdf==1.8.2",
    "zarr": "zarr==3.1.6",
    "dask": "dask[array]==2026.8.0",
    "pyarrow": "pyarrow==26.0.1",
    "openpyxl": "openpyxl==3.1.5",
}


def require(module: str, purpose: str, pin: str | None = None) -> ModuleType:
    """Import ``module`` or raise a DataLoadError saying what to install."""
    try:
        return importlib.import_module(module)
    except Exception as exc:  # ImportError, or a broken install raising anything
        how = "is not installed" if isinstance(exc, ModuleNotFoundError) else "failed to import"
        pip = pin or PINS.get(module, module)
        raise DataLoadError(f"{purpose} needs {module}, which {how}: run `pip install {pip}`.") from exc


class Loader:
    """One file format.  Subclasses set the class attributes and ``open``."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    kind: ClassVar[str] = "table"  # "table" -> DataFrame, "grid" -> Dataset
    extensions: ClassVar[tuple[str, ...]] = ()
    signatures: ClassVar[tuple[str, ...]] = ()  # values of source.signature()
    needs_path: ClassVar[bool] = False
    requires: ClassVar[tuple[str, ...]] = ()  # modules imported by open()

    def guess_can_open(self, source: Source, sig: str | None) -> bool:
        if self.signatures:
            return sig in self.signatures
        return sig is None and source.suffix in self.extensions

    def missing_dependency(self) -> str | None:
        """``None`` when the loader can run, else the pip command it needs."""
        for module in self.requires:
            try:
                importlib.import_module(module)
            except Exception:
                return f"pip install {PINS.get(module, module)}"
        return None

    def open(self, source: Source) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


def _loaders() -> list[Loader]:
    # Imported here: those modules subclass Loader, defined above. Order = priority.
    from .grids import NPZLoader, NetCDF3Loader, NetCDF4Loader, ZarrLoader
    from .tables import CSVLoader, ExcelLoader, ParquetLoader

    return [
        NetCDF3Loader(), NetCDF4Loader(), ZarrLoader(), ParquetLoader(),
        ExcelLoader(), NPZLoader(), CSVLoader(),
    ]  # fmt: skip


LOADERS: list[Loader] = _loaders()


SUPPORTED = (
    "supported: CSV/TSV (.csv .tsv .txt, also .gz), Parquet, Excel .xlsx, NetCDF/HDF5 (.nc .h5), "
    "Zarr (.zarr folder or .zip), NumPy .npz"
)


def supported_extensions() -> list[str]:
    return sorted({ext for loader in LOADERS for ext in loader.extensions})


def pick_loader(source: Source) -> Loader:
    """The loader for ``source``, or a DataLoadError saying why there is none."""
    name = source.name or "the file"
    if not source.is_dir and source.size == 0:
        raise DataLoadError(f"{name} is empty (0 bytes): choose a file that contains data.")
    sig = signature(source)
    if sig == "gzip" and source.suffix.endswith(".gz") and source.suffix != ".gz":
        sig = None  # compressed text table: .csv.gz, .tsv.gz, .txt.gz
    for loader in LOADERS:
        if loader.guess_can_open(source, sig):
            if sig and source.suffix and source.suffix not in loader.extensions:
                source.notes.append(
                    f"{name} has a {source.suffix} extension but is {loader.description}; "
                    "opened by its content"
                )
            return loader
    hint = SUPPORTED
    if source.is_dir:
        raise DataLoadError(f"{name} is a folder that is not a Zarr store; only Zarr stores open as folders.")
    if sig == "badzip":
        raise DataLoadError(
            f"{name} is a truncated or corrupt ZIP archive (its directory cannot be read; .npz, .xlsx "
            "and zipped Zarr stores are ZIP archives): download or export it again."
        )
    if sig in FOREIGN:
        what, todo = FOREIGN[sig]
        raise DataLoadError(f"{name} is {what}, not a data table or grid: {todo} ({hint}).")
    if sig == "gzip":
        raise DataLoadError(f"{name} is gzip-compressed: name it .csv.gz/.tsv.gz or decompress it ({hint}).")
    text = looks_like_text(source.head)
    by_ext = [loader for loader in LOADERS if source.suffix in loader.extensions]
    if by_ext and by_ext[0].signatures:
        kinds = " or ".join(dict.fromkeys(loader.description for loader in by_ext))
        raise DataLoadError(
            f"{name} does not start like {kinds} (corrupt, truncated or "
            f"mislabelled?): re-export it or pick the right file ({hint})."
        )
    if by_ext and not text:
        raise DataLoadError(
            f"{name} is binary data, not text: it is not a valid {source.suffix} table; "
            f"check the file or export it again ({hint})."
        )
    if text:
        kind = f"unsupported file type '{source.suffix}'" if source.suffix else "no file extension"
        raise DataLoadError(
            f"{name}: {kind}; if it is a delimited text table, rename it to .csv ({hint})."
        )
    raise DataLoadError(f"{name} is not a recognised data format (unknown binary content; {hint}).")


def _run(loader: Loader, source: Source) -> pd.DataFrame | xr.Dataset:
    try:
        obj = loader.open(source)
    except DataLoadError:
        raise
    except MemoryError as exc:
        raise DataLoadError(f"{source.name} is too large to load into memory.") from exc
    except Exception as exc:  # a library's own error: keep it out of the message
        raise DataLoadError(
            f"{source.name} could not be read as {loader.description} ({type(exc).__name__}); "
            "the file may be corrupt or truncated: export it again."
        ) from exc
    notes = list(obj.attrs.get("load_notes", []))
    obj.attrs["load_notes"] = source.notes + [n for n in notes if n not in source.notes]
    return obj


def open_path(path: str | Path) -> pd.DataFrame | xr.Dataset:
    """Open a file (or Zarr folder) as a DataFrame (tables) or Dataset (grids).

    Grids open lazily (dask chunks when dask is installed).  Every returned
    object has ``attrs["load_notes"]``: a list of what was guessed or fixed.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise DataLoadError(f"No such file or folder: {path}; check the path.")
    try:
        source = Source.from_path(path)
    except OSError as exc:
        raise DataLoadError(f"{path} cannot be read ({exc.strerror or type(exc).__name__}).") from exc
    return _run(pick_loader(source), source)


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip(".") or "upload"
    if len(safe) > 120:  # a long name would fill every message and label; keep its extension
        stem, dot, ext = safe.rpartition(".")
        safe = (stem[:100] + "~." + ext[:16]) if dot and stem else safe[:120]
    return safe


def open_upload(
    name: str, content: bytes, max_bytes: int | None = None
) -> pd.DataFrame | xr.Dataset:
    """Open uploaded ``content`` named ``name`` through the same registry as paths."""
    if max_bytes is not None and len(content) > max_bytes:
        raise DataLoadError(
            f"{_safe_name(name)} is {human_size(len(content))}, over the upload limit of "
            f"{human_size(max_bytes)}: upload a smaller file or a subset."
        )
    source = Source.from_bytes(_safe_name(name), bytes(content))
    loader = pick_loader(source)
    if not loader.needs_path:
        return _run(loader, source)
    tmpdir = Path(tempfile.mkdtemp(prefix="geollm-upload-"))
    try:
        source.path = tmpdir / source.name
        source.path.write_bytes(source.data or b"")
        source.data = None
        obj = _run(loader, source)
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise
    weakref.finalize(obj, shutil.rmtree, str(tmpdir), True)
    return obj
