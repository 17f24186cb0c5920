"""The exception types of the ``data`` package.

Every bad input (empty file, wrong format, corrupt or truncated file, missing
optional library, upload over the size limit) is reported as a
:class:`DataLoadError` whose message is a single line saying what is wrong and
what to do.  The library's original exception, when there is one, is chained
as ``__cause__`` for logs; it never becomes the message.

Grids open lazily, so a corrupt compressed chunk is met only when its values
are read (statistics, plots).  :func:`reading` wraps such reads: an error from
the netCDF/HDF5/Zarr libraries becomes a :class:`DataReadError` (a
``DataLoadError``) whose message :func:`read_error_message` names the variable.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager


class DataLoadError(ValueError):
    """A file or upload could not be turned into a DataFrame or Dataset."""

    def __init__(self, message: str) -> None:
        # One line, always: the UI shows it as is.
        super().__init__(" ".join(str(message).split()))


class DataReadError(DataLoadError):
    """A lazily opened file failed when its values were read (corrupt chunk, file gone)."""


def _variable_name(exc: BaseException) -> str | None:
    """The variable being read when ``exc`` was raised: the ``variable_name`` of xarray's
    backend array (netCDF4, h5netcdf, Zarr) found in the traceback's frames."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        name = getattr(owner, "variable_name", None)
        if isinstance(name, str):
            found = name
        tb = tb.tb_next
    return found


def read_error_message(exc: BaseException, what: str = "the file") -> str:
    """One line naming the cause of a failed value read (``exc`` from netCDF4/h5py/zarr/OS)."""
    name = _variable_name(exc)
    var = f"variable {name[:60]!r}" if name else "a variable"
    text = str(exc)
    if isinstance(exc, FileNotFoundError):
        return f"{what} is no longer there ({var} could not be read): open it again."
    if "HDF" in text or "NetCDF" in text or "decompress" in text.lower() or "codec" in text.lower():
        return (f"a compressed chunk of {var} in {what} could not be read: the file is corrupt "
                "(check it with `ncdump` or download it again).")
    return (f"the values of {var} in {what} could not be read ({type(exc).__name__}): the file is "
            "corrupt or truncated; download or export it again.")


@contextmanager
def reading(what: str = "the file") -> Iterator[None]:
    """Turn a library's failure while reading lazily opened values into a DataReadError."""
    try:
        yield
    except DataLoadError:
        raise
    except (RuntimeError, OSError, EOFError, zlib.error, ValueError) as exc:  # zlib/ValueError: Zarr codecs
        if isinstance(exc, (RuntimeError, ValueError)) and not _from_a_file(exc):
            raise  # a program error, not a bad file: keep it visible
        raise DataReadError(read_error_message(exc, what)) from exc


def _from_a_file(exc: BaseException) -> bool:
    """True when ``exc`` was raised reading a file's values (a backend array in the traceback, or the
    netCDF/HDF5 libraries' own words)."""
    text = str(exc)
    return _variable_name(exc) is not None or any(w in text for w in ("NetCDF", "HDF", "Zarr", "codec"))
