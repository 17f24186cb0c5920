"""GeoLLM Explorer's data layer: open tables and grids from paths, uploads or samples.

Public API::

    open_path(path)                          -> pandas.DataFrame | xarray.Dataset
    open_upload(name, content, max_bytes=None) -> pandas.DataFrame | xarray.Dataset
    open_sample(sample_id)                   -> pandas.DataFrame | xarray.Dataset
    DataLoadError                            (a ValueError with a one-line, actionable message)
    DataReadError, reading(), read_error_message(exc)
                                             (a lazily opened file failing at a later value read:
                                              wrap reads in ``with data.reading():``)
    budgets                                  (limits checked from metadata before values are read)
    compute.compute(*lazy), compute.load(obj) (where values are computed: the threaded scheduler, or the
                                              dask.distributed one named by GEOLLM_DASK_SCHEDULER)
    catalog.SAMPLES                          (dict of sample id -> Sample)
    upload_caption(max_bytes)                (the uploader's label: the formats the loaders read)

The formats are the modules of ``data/formats/``: each defines a ``data.loader.Loader``
subclass that registers itself, so a new format is one new file there.

Every returned object carries ``attrs["load_notes"]`` (list of str): what was
guessed or repaired while loading (encoding fallbacks, skipped rows, ...).
Optional libraries (xarray, netCDF4, zarr, ...) are imported only when a file
needs them, so importing this package never fails because of them.
"""

from __future__ import annotations

from . import budgets, catalog
from .catalog import open_sample
from .errors import DataLoadError, DataReadError, read_error_message, reading
from .registry import open_path, open_upload, upload_caption

__all__ = [
    "DataLoadError", "DataReadError", "budgets", "catalog", "open_path", "open_sample", "open_upload",
    "read_error_message", "reading", "upload_caption",
]
