"""The "grid" strategy: a coarse picture of each lat/lon field.

Each numeric variable with both a latitude and a longitude dimension is averaged over its other
dimensions and block-meaned down to at most 8 x 16 cells (all grid sizes are computed lazily in
one `dask.compute`), then printed as CSV, north at the top. Tables, and Datasets without a
lat/lon field, fall back to the "stats" description (the text says so).

Omission order: extra global attributes -> coordinate details (ranges stay) -> finer grids
(8x16 to 6x12 to 4x8) -> grids of later variables -> coarser still (3x6, 2x4, 1x2) ->
coordinate ranges -> the last grid -> names of the other variables.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from . import cf, cube, table
from .budget import fit
from .text import Writer, assemble, quote

SIZES = ((8, 16), (6, 12), (4, 8), (3, 6), (2, 4), (1, 2))
TABLE_NOTE = "The grid strategy needs a lat/lon array: this table is described by its statistics instead."
NO_GRID_NOTE = "No variable has a lat/lon grid: the dataset is described by its statistics instead."


def grid_encoding(obj: Any, budget: int, count_tokens, title: str = ""):
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return table.stats_encoding(table.as_frame(obj), budget, count_tokens, title, "grid", TABLE_NOTE)
    ds = cf.as_dataset(obj)
    lat, lon = cf.axis(ds, "lat"), cf.axis(ds, "lon")
    fields = [v for v in ds.data_vars if lat and lon and {lat, lon} <= set(ds[v].dims) and cf.numeric(ds[v])]
    if not fields:
        return cube.stats_encoding(ds, budget, count_tokens, title, "grid", NO_GRID_NOTE)
    lats, lons = ds.indexes[lat].to_numpy().astype(float), ds.indexes[lon].to_numpy().astype(float)
    factors = list(dict.fromkeys((math.ceil(len(lats) / ny), math.ceil(len(lons) / nx)) for ny, nx in SIZES))
    lazy = {}
    for v in fields:
        x = ds[v].astype("float64")
        others = [d for d in x.dims if d not in (lat, lon)]
        field = (x.mean(others) if others else x).transpose(lat, lon)
        field = field.drop_vars(list(field.coords))
        lazy[str(v)] = [field.coarsen({lat: fy, lon: fx}, boundary="pad").mean().data for fy, fx in factors]
    lazy.update(cf.lazy_coord_ranges(ds))
    blocks = cf.compute(lazy)
    ranges = {k[len("coord:"):]: v for k, v in blocks.items() if k.startswith("coord:")}
    others = [v for v in ds.data_vars if v not in fields]
    north_up = len(lats) > 1 and lats[0] < lats[-1]

    def grid_lines(w: Writer, v: Any, size: int) -> list[str]:
        fy, fx = factors[size]
        vals = np.asarray(blocks[str(v)][size])
        lat_c = [lats[i:i + fy].mean() for i in range(0, len(lats), fy)]
        lon_c = [lons[j:j + fx].mean() for j in range(0, len(lons), fx)]
        order = range(len(lat_c) - 1, -1, -1) if north_up else range(len(lat_c))
        x = ds[v]
        over = ", ".join(quote(d, 30) for d in x.dims if d not in (lat, lon))
        unit = str(x.attrs.get("units", ""))
        head = (f"{quote(v, 40)}{f' (mean over {over})' if over else ''}"
                f"{f', units {quote(unit, 30)}' if unit else ''}, block means on "
                f"{w.num('grid.rows', len(lat_c))} x {w.num('grid.cols', len(lon_c))} cells of "
                f"{w.num('grid.block_lat', fy)} x {w.num('grid.block_lon', fx)} points (rows: lat, columns: lon):")
        lines = [head, "lat/lon, " + ", ".join(w.num(f"grid.lon[{j}]", c) for j, c in enumerate(lon_c))]
        for i in order:
            cells = [w.num(f"var:{v}.grid[{i},{j}]", vals[i, j], unit) for j in range(len(lon_c))]
            lines.append(w.num(f"grid.lat[{i}]", lat_c[i]) + ", " + ", ".join(cells))
        return lines

    def render(plan: dict) -> tuple:
        w = Writer()
        header = cube.header_lines(w, ds, title, plan["attrs"])
        body = cube.coord_lines(w, ds, ranges, plan["coords"])
        k = plan["fields"]
        for v in fields[:k]:
            body += grid_lines(w, v, plan["size"])
        rest = fields[k:] + others
        listed = rest[:plan["named"]]
        if rest:
            line = "Other data variables (no grid shown): " + ", ".join(quote(v, 40) for v in listed)
            if len(rest) > len(listed):
                line += ("; and " if listed else "") + f"{w.num('vars.not_listed', len(rest) - len(listed))} more"
            body.append(line + ".")
        omitted = cube.attrs_omitted(ds, plan["attrs"])
        if plan["size"] > 0:
            omitted.append("finer grids")
        if k < len(fields):
            omitted.append("grids of later variables")
        if plan["coords"] < 2 and ds.coords:
            omitted.append("coordinate details" if plan["coords"] else "coordinates")
        if len(rest) > len(listed):
            omitted.append("names of other variables")
        return assemble("grid", header, omitted, body), list(w.facts.values()), omitted

    sizes = list(range(len(factors)))
    stages = [("attrs", [2, 1, 0]), ("coords", [2, 1]), ("size", sizes[:3]),
              ("fields", list(range(len(fields), 0, -1))), ("size", sizes[3:]), ("coords", [0]), ("fields", [0]),
              ("named", list(range(len(fields) + len(others), -1, -1)))]
    return fit("grid", render, stages, budget, count_tokens)
