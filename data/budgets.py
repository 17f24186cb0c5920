"""Budgets every load is held to, checked from metadata before values are read.

A hostile or accidental file must not cost unbounded memory or time: each rule
below is checked from what the file *declares* (header, zip directory, Parquet
footer, sniffed header line), and a load past a budget either stops with a
one-line :class:`DataLoadError` saying the limit and how to proceed, or is cut
with a load note saying what was left out:

* names and attributes (repaired, noted): variable, dimension and column names,
  ``units``, ``long_name`` and ``standard_name`` longer than ``NAME_CHARS``, and
  any other string attribute longer than ``ATTR_CHARS``, are shortened at load,
  so no plot label or prompt carries 100 KB of text;
* declared size of a grid (refused): more than ``MAX_DECLARED_BYTES`` of
  decompressed values in all, one stored chunk over ``MAX_CHUNK_BYTES``, more
  than ``MAX_CHUNKS`` stored chunks (each costs a lookup: 6 million 4 x 4 chunks
  took 87 s and 1.8 GB), or, for an upload, more than ``MAX_UPLOAD_RATIO`` times
  its own size (a zip bomb);
* zip members (refused): an ``.xlsx`` sheet XML over ``MAX_SHEET_BYTES`` or an
  ``.npz`` array over ``MAX_NPZ_BYTES`` once inflated;
* tables (cut, noted): only the first ``MAX_COLUMNS`` columns and ``MAX_ROWS``
  rows (fewer for wide tables: at most ``MAX_CELLS`` cells, see :func:`row_limit`)
  are kept: a wide or long table still opens, and the note says how to see the
  rest.  Columns are cut rather than refused because the first columns are
  usually the keys a user wants to look at.
* wall time (stopped): work done under :func:`time_limit` (the pages wrap the
  reading of a dataset's values in it) stops at the next dask task once
  ``MAX_WORK_SECONDS`` have passed, with a :class:`WorkTimeout` saying the limit
  and how to proceed.  Values are read through ``data.compute``, which passes
  :func:`deadline_callbacks` to the threaded scheduler and waits at most
  :func:`seconds_left` for a dask.distributed cluster; the CLI sets no limit, so
  a genuine large file can still be summarised there.
"""

from __future__ import annotations

import math
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .errors import DataLoadError

NAME_CHARS = 256
ATTR_CHARS = 4096
SHORT_ATTRS = ("units", "long_name", "standard_name")
MAX_DECLARED_BYTES = 2 * 1000**3
MAX_CHUNK_BYTES = 512 * 1000**2
MAX_CHUNKS = 1_000_000
MAX_UPLOAD_RATIO = 1000
RATIO_FLOOR_BYTES = 256 * 1000**2  # the ratio rule applies only past this many declared bytes
MAX_SHEET_BYTES = 25 * 1000**2  # openpyxl read 47.7 MB of sheet XML in 38 s (idle, 2 cores): 25 MB ~ 20 s
MAX_NPZ_BYTES = 1000**3
MAX_COLUMNS = 2000
MAX_ROWS = 1_000_000
MAX_CELLS = 50_000_000  # ~400 MB of float64
MAX_WORK_SECONDS = 20.0  # one page step: opening (metadata) + this stays under the 30 s an upload may take

GRID_HINT = (
    "open a subset instead: cut it with `ncks -d dim,first,last` or `cdo sellonlatbox`, or with xarray "
    "(`xr.open_dataset(path).isel(...).to_netcdf(...)`)"
)
CLI_HINT = "or, if the file is genuine, open it from its path with `python -m geollm summarize FILE`"


class WorkTimeout(DataLoadError):
    """Work under :func:`time_limit` ran past its budget and was stopped."""


_deadline: ContextVar[tuple[float, float] | None] = ContextVar("geollm_deadline", default=None)


@contextmanager
def time_limit(seconds: float | None = None) -> Iterator[None]:
    """Work inside (in this thread: one Streamlit session) stops after ``seconds`` (default
    ``MAX_WORK_SECONDS``; ``0`` means no limit) at the next :func:`check_time` or dask task."""
    seconds = MAX_WORK_SECONDS if seconds is None else seconds
    token = _deadline.set((time.monotonic() + seconds, seconds) if seconds > 0 else None)
    try:
        yield
    finally:
        _deadline.reset(token)


def check_time(*_: Any) -> None:
    """Raise :class:`WorkTimeout` when the current :func:`time_limit` has passed."""
    limit = _deadline.get()
    if limit is not None and time.monotonic() > limit[0]:
        raise timed_out()


def seconds_left() -> float | None:
    """Seconds until the current :func:`time_limit` (0 once past it); ``None`` without a limit."""
    limit = _deadline.get()
    return None if limit is None else max(0.0, limit[0] - time.monotonic())


def timed_out() -> WorkTimeout:
    """The :class:`WorkTimeout` of the current :func:`time_limit`, saying the limit and how to proceed."""
    limit = _deadline.get()
    budget = f"the {limit[1]:g} s time budget" if limit is not None else "its time budget"
    return WorkTimeout(
        f"reading its values stopped at {budget} for one step in the app: open a "
        f"subset of the file (`ncks -d`, `cdo sellonlatbox` or xarray's `isel`), or the whole file with "
        f"`python -m geollm summarize FILE`, which has no time budget."
    )


def deadline_callbacks() -> list[tuple] | None:
    """The ``callbacks=`` for a ``dask.compute`` that should stop at the current time limit: dask's
    (start, start_state, pretask, posttask, finish) tuple, checked before each task starts, next to the
    global callbacks (explicit callbacks replace them in dask). ``None`` without a limit: dask's default.
    Passed per call, not registered as a global ``dask.callbacks.Callback``, so one session's limit never
    stops another session's work."""
    if _deadline.get() is None:
        return None
    from dask.callbacks import Callback

    return [*Callback.active, (None, None, check_time, None, None)]


def human_size(n: int) -> str:
    """``n`` bytes in decimal units, as the messages state sizes (``2.1 GB``)."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} bytes"  # pragma: no cover


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shorten_attrs(attrs: dict[Any, Any], where: str) -> list[str]:
    """Shorten long string attributes of ``attrs`` in place; notes naming those cut (``where``: whose)."""
    notes = []
    for key, value in list(attrs.items()):
        if key == "load_notes" or not isinstance(value, (str, bytes)):
            continue
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        limit = NAME_CHARS if key in SHORT_ATTRS else ATTR_CHARS
        if len(text) > limit:
            attrs[key] = shorten(text, limit)
            notes.append(f"{where} attribute {shorten(str(key), 40)!r} was {len(text):,} characters: "
                         f"shortened to {limit:,}")
    return notes


def unique_short_names(names: Iterable[Any]) -> dict[Any, str]:
    """Old name -> new name for the names over ``NAME_CHARS`` (kept distinct from all others)."""
    names = list(names)
    taken = {str(n) for n in names}
    out: dict[Any, str] = {}
    for name in names:
        text = str(name)
        if len(text) <= NAME_CHARS:
            continue
        new, i = shorten(text, NAME_CHARS), 1
        while new in taken:
            i += 1
            new = shorten(text, NAME_CHARS - len(str(i)) - 1) + f"~{i}"
        taken.add(new)
        out[name] = new
    return out


def _renamed_note(what: str, renamed: dict[Any, str]) -> list[str]:
    if not renamed:
        return []
    longest = max(len(str(k)) for k in renamed)
    return [f"{len(renamed)} {what} name(s) longer than {NAME_CHARS} characters (up to {longest:,}) "
            f"were shortened"]


def shorten_grid(ds: Any) -> tuple[Any, list[str]]:
    """``ds`` with long names and attributes shortened, and the notes saying so."""
    notes = shorten_attrs(ds.attrs, "a global")
    for name, var in ds.variables.items():
        notes += shorten_attrs(var.attrs, f"variable {shorten(str(name), 40)!r}:")
    dims = unique_short_names(ds.dims)
    names = unique_short_names([n for n in ds.variables if n not in dims])
    if dims or names:
        ds = ds.rename({**dims, **names})
    return ds, _renamed_note("dimension", dims) + _renamed_note("variable", names) + notes


def shorten_columns(df: Any) -> list[str]:
    """Shorten column names over ``NAME_CHARS`` in place; the note saying so."""
    renamed = unique_short_names(df.columns)
    if renamed:
        df.columns = [renamed.get(c, c) for c in df.columns]
    return _renamed_note("column", renamed)


def _chunk_shape(var: Any) -> tuple[int, ...] | None:
    enc = var.encoding
    preferred = enc.get("preferred_chunks")
    if isinstance(preferred, dict) and preferred:
        return tuple(int(preferred.get(d, n)) for d, n in zip(var.dims, var.shape))
    for key in ("chunksizes", "chunks"):
        shape = enc.get(key)
        if shape is not None and len(shape) == var.ndim:
            return tuple(int(c) for c in shape)
    return None


def check_grid_size(ds: Any, name: str, upload_bytes: int | None = None) -> None:
    """Refuse a grid whose declared values exceed the budgets (reads metadata only)."""
    declared = stored = 0
    for vname, var in ds.variables.items():
        itemsize = max(var.dtype.itemsize, 1)
        declared += var.size * itemsize
        chunk = _chunk_shape(var)
        if chunk is None:
            continue
        count = math.prod(-(-n // max(c, 1)) for n, c in zip(var.shape, chunk))
        stored += count
        if stored > MAX_CHUNKS:
            raise DataLoadError(
                f"{name} stores its values in more than {MAX_CHUNKS:,} chunks (variable "
                f"{shorten(str(vname), 60)!r} alone in {count:,} chunks of {' x '.join(map(str, chunk))} values), "
                f"over the budget of {MAX_CHUNKS:,} chunks: rewrite it with larger chunks (e.g. `nccopy -c` or "
                f"xarray's to_netcdf with encoding chunksizes) or {GRID_HINT}."
            )
        if math.prod(chunk) * itemsize > MAX_CHUNK_BYTES:
            raise DataLoadError(
                f"{name}: one stored chunk of variable {shorten(str(vname), 60)!r} "
                f"({' x '.join(map(str, chunk))} values) inflates to {human_size(math.prod(chunk) * itemsize)}, "
                f"over the {human_size(MAX_CHUNK_BYTES)} budget for one chunk: rewrite it with smaller "
                f"chunks (e.g. `nccopy -c` or xarray's to_netcdf/to_zarr with encoding chunks) or {GRID_HINT}."
            )
    if declared > MAX_DECLARED_BYTES:
        raise DataLoadError(
            f"{name} declares {human_size(declared)} of values ({_largest(ds)}), over the "
            f"{human_size(MAX_DECLARED_BYTES)} budget for one dataset: {GRID_HINT}."
        )
    if upload_bytes and declared > RATIO_FLOOR_BYTES and declared > MAX_UPLOAD_RATIO * upload_bytes:
        raise DataLoadError(
            f"{name} is {human_size(upload_bytes)} but declares {human_size(declared)} of values "
            f"({declared // upload_bytes:,} times its size; {_largest(ds)}), over the budget of "
            f"{MAX_UPLOAD_RATIO:,} times for an upload: {GRID_HINT}, {CLI_HINT}."
        )


def _largest(ds: Any) -> str:
    vname, var = max(ds.variables.items(), key=lambda kv: kv[1].size * kv[1].dtype.itemsize)
    shape = " x ".join(f"{n:,}" for n in var.shape)
    return f"the largest, {shorten(str(vname), 60)!r}, is {shape} {var.dtype}"


def check_zip_members(
    archive: zipfile.ZipFile, name: str, wanted: Callable[[str], bool], limit: int, what: str, todo: str
) -> None:
    """Refuse when the members ``wanted`` inflate past ``limit`` in all (read from the zip directory,
    before any member is decompressed)."""
    infos = [info for info in archive.infolist() if wanted(info.filename)]
    total = sum(info.file_size for info in infos)
    if total > limit:
        big = max(infos, key=lambda info: info.file_size)
        raise DataLoadError(
            f"{name}: {what} inflate to {human_size(total)} (the largest, {shorten(big.filename, 60)!r}, "
            f"to {human_size(big.file_size)}), over the {human_size(limit)} budget: {todo}."
        )


def row_limit(columns: int, rows: int = MAX_ROWS) -> int:
    """Rows kept of a table with ``columns`` columns: ``rows``, fewer when that would pass ``MAX_CELLS``."""
    return max(1, min(rows, MAX_CELLS // max(columns, 1)))


def cut_table_note(kept: int, total: str, what: str, how: str, why: str = "") -> str:
    """The load note for a table cut to its first ``kept`` rows or columns (``why``: what set ``kept``)."""
    return (f"the table has {total} {what}, over the budget of {kept:,}{why}: only the first {kept:,} {what} "
            f"were read; {how}")
