"""NumPy .npz archives of plain arrays, read into memory as a grid (data.grids.read_npz)."""

from __future__ import annotations

from typing import Any

from ..grids import GRID_PINS, read_npz
from ..loader import Loader
from ..source import Source


class NPZLoader(Loader):
    name = "npz"
    description = "a NumPy .npz archive"
    label = ".npz"
    supported = "NumPy .npz"
    kind = "grid"
    priority = 60
    caption_order = 60
    extensions = (".npz",)
    signatures = ("npz",)
    requires = ("xarray",)
    pins = GRID_PINS

    def open(self, source: Source) -> Any:
        return read_npz(source)
