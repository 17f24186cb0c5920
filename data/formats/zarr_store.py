"""Zarr stores: a folder, or a .zip holding one (data.grids.open_zarr)."""

from __future__ import annotations

from typing import Any

from ..grids import GRID_PINS, open_zarr
from ..loader import Loader
from ..source import Source


class ZarrLoader(Loader):
    name = "zarr"
    description = "a Zarr store"
    label = "Zarr (.zip)"
    supported = "Zarr (.zarr folder or .zip)"
    kind = "grid"
    priority = 30
    caption_order = 50
    extensions = (".zarr", ".zip")
    signatures = ("zarr",)
    needs_path = True
    requires = ("xarray", "zarr")
    pins = {**GRID_PINS, "zarr": "zarr==3.1.6"}

    def open(self, source: Source) -> Any:
        return open_zarr(source)
