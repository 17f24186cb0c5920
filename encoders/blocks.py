"""Lazy one-pass statistics of dask arrays, read in small blocks.

`stats(data, ...)` is `onepass.merge` of `onepass.block_stats` over every block: for a numpy array it is
computed at once; for a dask array it is a Delayed (one task per block and one merge task) meant to
join the caller's single `dask.compute`.

Memory: `xr.open_dataset(..., chunks="auto")` makes ~128 MiB chunks, and each one read costs ~2.5x its
size (raw values, fill-value mask, decoded copy) per thread. When a dask array is a plain
`dask.array.from_array` of a lazily indexed array (how xarray wraps file variables), `small_blocks`
re-wraps that array with chunks of <= BLOCK_BYTES cut along the leading dims in multiples of the
file's own chunks, so every value is still read once, in small aligned reads; other arrays keep
their chunks.
"""
from __future__ import annotations

import math

import dask
import dask.array
import numpy as np
from dask.array.core import getter, getter_inline, getter_nofancy

from .onepass import block_stats, merge

BLOCK_BYTES = 8 << 20
_GETTERS = (getter, getter_nofancy, getter_inline)


def stats(data, lat: int | None = None, t: int | None = None, w: np.ndarray | None = None,
          align: tuple | None = None):
    """onepass statistics of `data` (see onepass.merge); a Delayed when `data` is a dask array.
    `align`: the file's chunk shape, if known (small blocks are cut in multiples of it)."""
    if not isinstance(data, dask.array.Array):
        data = np.asarray(data)
        return merge([block_stats(data, (0,) * max(data.ndim, 1), lat, t, w)], data.shape, lat, t)
    a = small_blocks(data, align)
    starts = [np.cumsum((0,) + c[:-1]) for c in a.chunks]
    part = dask.delayed(block_stats, pure=True)
    parts = [part(b, tuple(int(s[i]) for s, i in zip(starts, idx)) or (0,), lat, t, w)
             for b, idx in zip(a.to_delayed().ravel(), np.ndindex(*a.numblocks))]
    return dask.delayed(merge, pure=True)(parts, a.shape, lat, t)


def small_blocks(a: dask.array.Array, align: tuple | None = None, limit: int | None = None) -> dask.array.Array:
    """`a`, re-wrapped with chunks of <= `limit` (default BLOCK_BYTES) bytes when it is a plain from_array
    of a lazily indexed array whose chunks are larger; otherwise `a` itself."""
    limit = limit or BLOCK_BYTES
    if math.prod(max(c, default=0) for c in a.chunks) * a.dtype.itemsize <= limit:
        return a
    found = _source(a)
    if found is None:
        return a
    src, get = found
    align = tuple(align) if align is not None and len(align) == a.ndim else (1,) * a.ndim
    chunks = small_chunks(a.shape, a.dtype.itemsize, align, limit)
    return dask.array.from_array(src, chunks=chunks, name=f"small-{a.name}-{'x'.join(map(str, chunks))}",
                                 getitem=get, meta=a._meta)


def small_chunks(shape: tuple, itemsize: int, align: tuple, limit: int) -> tuple:
    """A chunk shape of <= `limit` bytes (if one aligned chunk fits): trailing dims whole, the leading
    ones cut in multiples of `align`."""
    sizes = list(shape)
    for ax in range(len(shape)):
        one = itemsize * math.prod(sizes[:ax]) * math.prod(shape[ax + 1:])  # bytes per index along ax
        step = max(1, align[ax]) * max(1, limit // max(1, one * max(1, align[ax])))
        sizes[ax] = max(1, min(shape[ax], step))
        if one * max(1, align[ax]) <= limit:
            break
    return tuple(sizes)


def _source(a: dask.array.Array):
    """(array-like, getter) when `a` is dask.array.from_array(array-like) with a plain getter, else None."""
    layers = getattr(a.dask, "layers", None)
    orig = "original-" + a.name
    if not layers or set(layers) != {orig, a.name}:
        return None
    try:
        src = dict(layers[orig])[orig]
        task = layers[a.name][(a.name,) + (0,) * a.ndim]
    except (KeyError, TypeError):
        return None
    src = getattr(src, "value", src) if type(src).__name__ == "DataNode" else src
    func, args = (task.func, task.args) if hasattr(task, "func") else (task[0], task[1:])
    if func not in _GETTERS or len(args) != 2 or getattr(src, "shape", None) != a.shape:
        return None
    return src, func
