"""The loader registry: pick a loader for a path or an upload, and run it.

Modelled on xarray's backend plugins (``xarray/backends/plugins.py``): each
:class:`~data.loader.Loader` says whether it can open a source (``guess_can_open``:
magic bytes first, the extension only for formats without a signature, i.e. text
tables) and opens it.  The loaders are the modules of ``data/formats/``, each
registering itself (data.loader); ``LOADERS``, ``PINS``, ``SUPPORTED``,
:func:`supported_extensions` and :func:`upload_caption` are derived from them.
Optional libraries are imported only inside ``open``; a missing or broken one
becomes a :class:`DataLoadError` naming the pip command, so importing ``data``
never fails.

Uploads are read from memory when the library accepts a file object; NetCDF
and Zarr need a path, so the bytes go to a private temporary folder that is
deleted when the returned Dataset is garbage-collected (or at interpreter
exit).  Call ``.load()`` on such a Dataset to detach it from the file.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from . import formats  # noqa: F401  (imports every format module: the loaders register themselves)
from .budgets import human_size
from .errors import DataLoadError
from .loader import LOADERS, PINS, Loader
from .source import FOREIGN, Source, looks_like_text, signature

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = [
    "LOADERS", "PINS", "open_path", "open_upload", "pick_loader", "supported_extensions", "upload_caption",
]


def _listed() -> list[Loader]:
    return sorted(LOADERS, key=lambda loader: loader.caption_order)


def _supported() -> str:
    """The "supported: ..." hint of error messages."""
    return "supported: " + ", ".join(dict.fromkeys(loader.supported or loader.label for loader in _listed()))


def __getattr__(name: str) -> str:  # SUPPORTED is computed: a loader registered later shows in it
    if name == "SUPPORTED":
        return _supported()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def supported_extensions() -> list[str]:
    return sorted({ext for loader in LOADERS for ext in loader.extensions})


def upload_caption(max_bytes: int) -> str:
    """The uploader's label: the formats and the size limit, in MB as Streamlit counts them (2**20 bytes)."""
    labels = list(dict.fromkeys(loader.label for loader in _listed()))
    names = ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else "".join(labels)
    return f"{names} — up to {max_bytes / 2**20:g} MB"


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
    hint = _supported()
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
