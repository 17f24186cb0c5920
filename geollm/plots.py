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

from data.times import decimal_years  # noqa: E402

LAT_NAMES = ("lat", "latitude", "y_lat")
LON_NAMES = ("lon", "longitude", "x_lon")
MAX_CELLS = 1_000_000  # larger fields are thinned before plotting
LABEL_CHARS = 80  # longer labels and titles are cut


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
    """A map (lat/lon grids, cartopy) or an image (other 2-D grids) or a line (1-D variables); every label and
    title is shortened and shown as written (no mathtext), so a file's huge or odd attribute cannot blow up the
    canvas. A failure closes the half-drawn figure."""
    fig = plt.figure()
    try:
        _draw_grid(fig, ds, variable, index)
        _tame_texts(fig)
        return fig
    except BaseException:
        plt.close(fig)
        raise


def _draw_grid(fig, ds: xr.Dataset, variable: str, index: int) -> None:
    da = ds[variable]
    units = str(da.attrs.get("units", ""))
    label = short_label(str(da.attrs.get("long_name", variable))) + (f" [{short_label(units)}]" if units else "")
    if da.ndim == 1:
        fig.set_size_inches(9, 3.5)
        ax = fig.add_subplot(1, 1, 1)
        step = max(da.size // MAX_CELLS + 1, 1)
        series = da.isel({da.dims[0]: slice(None, None, step)}).load()
        dim = series.dims[0]
        if dim in series.coords and series[dim].dtype == object:  # cftime dates (noleap, 360_day): decimal years
            series = series.assign_coords({dim: decimal_years(series.indexes[dim])})
            series[dim].attrs["long_name"] = f"{dim} (years)"
        series.plot(ax=ax)
        ax.set_ylabel(label)
        return
    field = field_2d(ds, variable, index)
    lat, lon = find_dim(field, LAT_NAMES), find_dim(field, LON_NAMES)
    if lat and lon:
        import cartopy.crs as ccrs

        fig.set_size_inches(9, 4.6)
        ax = fig.add_subplot(1, 1, 1, projection=ccrs.PlateCarree())
        ax.stock_img()
        mesh = ax.pcolormesh(field[lon], field[lat], field.transpose(lat, lon), transform=ccrs.PlateCarree(),
                             shading="auto", cmap="viridis")
        ax.set_extent([float(field[lon].min()), float(field[lon].max()), float(field[lat].min()),
                       float(field[lat].max())], crs=ccrs.PlateCarree())
        ax.gridlines(draw_labels=True, linewidth=0.3, alpha=0.5)
    else:
        fig.set_size_inches(8, 5)
        ax = fig.add_subplot(1, 1, 1)
        mesh = field.plot(ax=ax, add_colorbar=False, cmap="terrain")
    fig.colorbar(mesh, ax=ax, label=label, shrink=0.8)
    title = " · ".join(f"{d}={_coord_text(ds, d, index)}" for d in da.dims if d not in field.dims)
    ax.set_title(title or variable, fontsize=10)


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """A label on one line, at most `limit` characters (… when cut)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _tame_texts(fig) -> None:
    """Every title and axis label of `fig` shortened and drawn as plain text (no $…$ mathtext parsing)."""
    for ax in fig.axes:
        for text in (ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None),
                     ax.xaxis.label, ax.yaxis.label):
            if text is not None:
                text.set_text(short_label(text.get_text()))
                text.set_parse_math(False)


def grid_png(ds: xr.Dataset, variable: str, index: int = 0, dpi: int = 110) -> bytes:
    """`grid_figure` as PNG bytes (the figure is closed)."""
    return figure_png(grid_figure(ds, variable, index), dpi=dpi)


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


# --- the transformer page ---------------------------------------------------------------------------
TOKEN_COLOURS = ("#fde2e4", "#e2ece9", "#dfe7fd", "#fff1c1", "#e8dff5", "#d7f9f1", "#fce1c8", "#e4f1c4")


def token_html(pieces: list[str], ids: list[int] | None = None) -> str:
    """Tokens as coloured HTML spans (text escaped), each with its id as a tooltip and, if given, below it."""
    from html import escape

    spans = []
    for n, piece in enumerate(pieces):
        colour = TOKEN_COLOURS[n % len(TOKEN_COLOURS)]
        label = f"<br><small style='color:#555'>{ids[n]}</small>" if ids is not None else ""
        title = f" title='id {ids[n]}'" if ids is not None else ""
        spans.append(f"<span{title} style='display:inline-block;background:{colour};border-radius:4px;"
                     f"padding:2px 5px;margin:2px;font-family:monospace;text-align:center'>"
                     f"{escape(piece) or '&nbsp;'}{label}</span>")
    return "<div style='line-height:2.2'>" + "".join(spans) + "</div>"


def heatmap_figure(matrix, row_labels: list[str], col_labels: list[str], title: str = "", cmap: str = "viridis",
                   vmin: float | None = None, vmax: float | None = None, size: tuple[float, float] | None = None,
                   colorbar: str = ""):
    """A labelled heatmap (attention weights, cosine similarities); labels are dropped past 64 of them."""
    rows, cols = matrix.shape
    fig, ax = plt.subplots(figsize=size or (min(2 + 0.32 * cols, 12), min(1.6 + 0.3 * rows, 10)))
    image = ax.imshow(matrix, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    for set_ticks, set_labels, labels in ((ax.set_yticks, ax.set_yticklabels, row_labels),
                                          (ax.set_xticks, ax.set_xticklabels, col_labels)):
        if labels and len(labels) <= 64:
            set_ticks(range(len(labels)))
            set_labels(labels, fontsize=8)
    ax.tick_params(axis="x", labelrotation=90)
    ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax, label=colorbar, shrink=0.8)
    fig.tight_layout()
    return fig


def head_grid_figure(layer_attention, labels: list[str], layer: int):
    """Every head of one layer side by side (heads x tokens x tokens), same colour scale."""
    heads = layer_attention.shape[0]
    columns = min(heads, 6)
    rows = -(-heads // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(2.3 * columns, 2.3 * rows + 0.4), squeeze=False)
    small = len(labels) <= 12
    for h, ax in enumerate(axes.flat):
        if h >= heads:
            ax.axis("off")
            continue
        ax.imshow(layer_attention[h], cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"head {h}", fontsize=8)
        ax.set_xticks(range(len(labels)) if small else [])
        ax.set_yticks(range(len(labels)) if small else [])
        if small:
            ax.set_xticklabels(labels, fontsize=6, rotation=90)
            ax.set_yticklabels(labels, fontsize=6)
    fig.suptitle(f"Layer {layer}: every head (rows: the token that looks, columns: where it looks)", fontsize=10)
    fig.tight_layout()
    return fig


def similarity_heatmap(matrix: np.ndarray, image_labels: list[str], captions: list[str], title: str):
    """Images × captions cosine similarities (heatmap_figure), each cell written, each image's best caption boxed."""
    matrix = np.asarray(matrix)
    short = [c if len(c) <= 32 else c[:31] + "…" for c in captions]
    fig = heatmap_figure(matrix, image_labels, short, title, cmap="magma", colorbar="cosine similarity",
                         size=(2.6 + 0.55 * len(captions), 2.4 + 0.38 * len(image_labels)))
    ax = fig.axes[0]
    middle = matrix.min() + 0.6 * (np.ptp(matrix) or 1.0)
    for row in range(matrix.shape[0]):
        for col in range(matrix.shape[1]):
            ax.text(col, row, f"{matrix[row, col]:.2f}", ha="center", va="center", fontsize=6,
                    color="black" if matrix[row, col] > middle else "white")
        best = int(matrix[row].argmax())
        ax.add_patch(plt.Rectangle((best - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="cyan", linewidth=1.5))
    fig.tight_layout()
    return fig


def heatmap_chart(matrix, row_labels: list[str], col_labels: list[str], title: str = "", value: str = "weight",
                  scheme: str = "viridis", domain: tuple[float, float] | None = (0.0, 1.0), cell: int = 34):
    """An interactive heatmap (Vega-Lite draws it in the browser; hover a cell for its value).
    Labels must be unique (prefix token pieces with their position)."""
    import altair as alt

    rows, cols = matrix.shape
    data = pd.DataFrame({"row": np.repeat(row_labels, cols), "column": np.tile(col_labels, rows),
                         value: np.asarray(matrix, dtype=float).ravel()})
    scale = alt.Scale(scheme=scheme, domain=list(domain)) if domain else alt.Scale(scheme=scheme)
    size = max(min(cell, 640 // max(cols, 1)), 8)
    return alt.Chart(data, title=title).mark_rect().encode(
        x=alt.X("column:N", sort=list(col_labels), title=None),
        y=alt.Y("row:N", sort=list(row_labels), title=None),
        color=alt.Color(f"{value}:Q", scale=scale),
        tooltip=["row", "column", alt.Tooltip(f"{value}:Q", format=".3f")],
    ).properties(width=alt.Step(size), height=alt.Step(size))


def figure_png(fig, dpi: int = 100) -> bytes:
    """A figure as PNG bytes at `dpi` (st.pyplot's 200 dpi doubles the time of a large heatmap), then closed."""
    from io import BytesIO

    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
