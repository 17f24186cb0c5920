"""NetCDF3 and NetCDF4/HDF5 files, opened lazily through xarray (data.grids.open_netcdf)."""

from __future__ import annotations

from typing import Any

from ..grids import GRID_PINS, open_netcdf
from ..loader import Loader, importable
from ..source import Source


class _NetCDFLoader(Loader):
    """Shared by both: the first importable engine of ``engines`` reads the file."""

    kind = "grid"
    label = "NetCDF"
    supported = "NetCDF/HDF5 (.nc .h5)"
    caption_order = 40
    needs_path = True
    engines: tuple[tuple[str, str], ...] = ()  # (xarray engine, module), preferred first

    def missing_dependency(self) -> str | None:
        if not importable("xarray"):
            return f"pip install {self.pins['xarray']}"
        if any(importable(mod) for _, mod in self.engines):
            return None
        return f"pip install {self.pins[self.engines[0][1]]}"

    def open(self, source: Source) -> Any:
        return open_netcdf(source, self.engines, self.description)


class NetCDF3Loader(_NetCDFLoader):
    name = "netcdf3"
    description = "a NetCDF3 file"
    priority = 10
    extensions = (".nc", ".nc3", ".cdf", ".netcdf")
    signatures = ("netcdf3",)
    engines = (("scipy", "scipy"), ("netcdf4", "netCDF4"))
    pins = {**GRID_PINS, "scipy": "scipy==1.17.1", "netCDF4": "netCDF4==1.7.5.1.post1"}


class NetCDF4Loader(_NetCDFLoader):
    name = "netcdf4"
    description = "a NetCDF4/HDF5 file"
    priority = 20
    extensions = (".nc", ".nc4", ".h5", ".hdf5", ".he5", ".hdf")
    signatures = ("hdf5",)
    engines = (("netcdf4", "netCDF4"), ("h5netcdf", "h5netcdf"))
    pins = {**GRID_PINS, "netCDF4": "netCDF4==1.7.5.1.post1", "h5netcdf": "h5netcdf==1.8.2"}
