"""Figures for the data pages: a map or image of one field of a grid, a line chart of a table.

Maps use cartopy with the Natural Earth image that ships inside cartopy as the background
(coastline shapefiles would be downloaded, so they are never asked for).
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402

LAT_NAMES = ("lat", "latitude", "y_lat")
LON_NAMES = ("lon", "longitude", "x_lon")
MAX_CELLS = 1_000_000  # larger fields are thinned before plotting


def find_dim(da: xr.DataArray, names: tuple[str, ...]) -> str | None:
    return next((d for d in da.dims if str(d).lower() in names), None)


def field_2d(ds: xr.Dataset, variable: str, index: int = 0) -> xr.DataArray:
    """One 2-D slice of a variable: the first two spatial dims, other dims at `index` (or 0)."""
    da = ds[variable]
    lat, lon = find_dim(da, LAT_NAMES), find_dim(da, LON_NAMES)
    keep = [lat, lon] if lat and lon else list(da.dims[-2:])
    for dim in da.dims:
        if dim not in keep:
            da = da.isel({dim: min(index, da.sizes[dim] - 1) if dim == da.dims[0] else 0})
    step = max(int(np.ceil(np.sqrt(da.size / MAX_CELLS))), 1)
    if step > 1:
        da = da.isel({d: slice(None, None, step) for d in da.dims})
    return da.load()


def grid_figure(ds: xr.Dataset, variable: str, index: int = 0):
    """A map (lat/lon grids, cartopy) or an image (other 2-D grids) or a line (1-D variables)."""
    da = ds[variable]
    units = da.attrs.get("units", "")
    label = f"{da.attrs.get('long_name', variable)}" + (f" [{units}]" if units else "")
    if da.ndim == 1:
        fig, ax = plt.subplots(figsize=(9, 3.5))
        da.load().plot(ax=ax)
        ax.set_ylabel(label)
        return fig
    field = field_2d(ds, variable, index)
    lat, lon = find_dim(field, LAT_NAMES), find_dim(field, LON_NAMES)
    if lat and lon:
        import cartopy.crs as ccrs

        fig = plt.figure(figsize=(9, 4.6))
        ax = fig.add_subplot(1, 1, 1, projection=ccrs.PlateCarree())
        ax.stock_img()
        mesh = ax.pcolormesh(field[lon], field[lat], field.transpose(lat, lon), transform=ccrs.PlateCarree(),
                             shading="auto", cmap="viridis")
        ax.set_extent([float(field[lon].min()), float(field[lon].max()), float(field[lat].min()),
                       float(field[lat].max())], crs=ccrs.PlateCarree())
        ax.gridlines(draw_labels=True, linewidth=0.3, alpha=0.5)
    else:
        fig, ax = plt.subplots(figsize=(8, 5))
        mesh = field.plot(ax=ax, add_colorbar=False, cmap="terrain")
    fig.colorbar(mesh, ax=ax, label=label, shrink=0.8)
    title = " · ".join(f"{d}={_coord_text(ds, d, index)}" for d in da.dims if d not in field.dims)
    ax.set_title(title or variable, fontsize=10)
    return fig


def _coord_text(ds: xr.Dataset, dim: str, index: int) -> str:
    if dim not in ds.coords:
        return str(index)
    value = ds[dim].values[min(index, ds.sizes[dim] - 1)]
    return str(pd.Timestamp(value).date()) if np.issubdtype(ds[dim].dtype, np.datetime64) else str(value)


def table_chart_data(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Numeric columns indexed by the table's first datetime column (or the row number)."""
    dates = [c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c])]
    data = df[columns]
    if dates:
        data = data.set_axis(df[dates[0]], axis=0)
    if len(data) > 5000:
        data = data.iloc[:: len(data) // 5000 + 1]
    return data
