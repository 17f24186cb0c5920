"""One-pass NaN-aware statistics of an array, block by block, for `cf.profile`.

`block_stats` reads one block (numpy) in cache-sized pieces and returns its partial statistics; `merge`
combines the blocks' partials into the whole array's:

  count, sum and M2 (sum of squared deviations, Chan's parallel merge; per-row two-pass centring, so
  no catastrophic cancellation), min/max with the flat index of their first occurrence (as numpy's
  argmin/argmax over the C-ordered array), and marginal sums and counts along two optional axes:
  per latitude (summed over every other dim; zonal and area-weighted means) and per time step
  (summed over every other dim, weighted by `w` along latitude; the seasonal cycle).

Sums end in float64 (float32 data: float32 arithmetic on centred values within a row, then float64).
`blocks.stats` applies this to a numpy array at once, or to a dask array as one task per block plus
one merge task, so each value is read once.
"""
from __future__ import annotations

import math

import numpy as np

PIECE = 1 << 18  # elements processed at once (~1 MB of float32: the temporaries stay in cache)
LAT = ("lat_sum", "lat_count")  # margins: sums and counts of the non-NaN values per latitude,
TIME = ("t_wsum", "t_wcount")  # and per time step, both weighted by w along latitude


def pieces(shape: tuple, limit: int | None = None):
    """Slices cutting an array of `shape` along its leading axes into C-ordered pieces of <= `limit`
    (default PIECE) elements (more only when one index of the last cut axis is already larger)."""
    limit = limit or PIECE
    ax, rest = len(shape), 1
    while ax and rest * shape[ax - 1] <= limit:
        ax -= 1
        rest *= shape[ax]
    if ax == 0:
        yield (slice(None),) * len(shape)
        return
    cut, step, tail = ax - 1, max(1, limit // rest), (slice(None),) * (len(shape) - ax)
    for idx in np.ndindex(*shape[:cut]):
        for i in range(0, shape[cut], step):
            yield tuple(slice(j, j + 1) for j in idx) + (slice(i, min(i + step, shape[cut])),) + tail


def block_stats(block, start: tuple, lat: int | None = None, t: int | None = None,
                w: np.ndarray | None = None) -> dict:
    """Partial statistics of `block`, whose first element is at `start` in the whole array. `lat`, `t`:
    axes with marginal sums; `w`: weights along the whole `lat` axis (for the per-time sums)."""
    block = np.asarray(block)
    if block.ndim == 0:
        block, start = block.reshape(1), (0,)
    if block.dtype == bool:
        block = block.view(np.int8)
    keep = tuple(a for a in range(block.ndim) if a in (lat, t))
    perm = keep + tuple(a for a in range(block.ndim) if a not in keep)
    small = block.dtype.kind == "f" and block.dtype.itemsize <= 4
    out = {"start": start, "hi": None, "lo": None}
    for axis, (total, count) in ((lat, LAT), (t, TIME)):
        if axis is not None:
            out[total], out[count] = np.zeros(block.shape[axis]), np.zeros(block.shape[axis])
    sums, counts, m2s, best = [], [], [], {}
    for sl in pieces(block.shape):
        p = block[sl]
        if p.size == 0:
            continue
        cells = [p.shape[a] for a in keep]
        x = (p.transpose(perm) if perm != tuple(range(p.ndim)) else p).reshape(math.prod(cells), -1)
        hi, lo = np.fmax.reduce(x, axis=None), np.fmin.reduce(x, axis=None)
        if hi == hi:  # not all NaN: keep the first piece holding the max (min)
            if "hi" not in best or hi > best["hi"][0]:
                best["hi"] = (hi, sl)
            if "lo" not in best or lo < best["lo"][0]:
                best["lo"] = (lo, sl)
        # float32 arithmetic unless squares could overflow it (centred values; sums end in float64)
        s, n, m2 = _rows(x, np.float32 if small and max(abs(hi), abs(lo)) < 1e18 else np.float64)
        sums.append(s.sum())
        counts.append(n.sum())
        m2s.append(m2.sum() + _between(s, n))
        _margins(out, s.reshape(cells), n.reshape(cells), [sl[a].start or 0 for a in keep], keep, lat, t, w, start)
    out["n"], out["sum"] = int(sum(counts)), float(sum(sums))
    out["m2"] = float(sum(m2s)) + _between(np.array(sums), np.array(counts)) if counts else 0.0
    for which, (v, sl) in best.items():  # where in the piece: its first occurrence, C order
        p = block[sl]
        at = np.unravel_index(int(np.argmax(p == v)), p.shape)
        out[which] = (v, tuple(int(i) + (cut.start or 0) + o for i, cut, o in zip(at, sl, start)))
    return out


def _rows(x: np.ndarray, wd) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of `x` (2-D): sum, count of non-NaN values, and M2 about the row's mean, in float64.
    Two passes in `wd`: a rough centre m, then the centred values y = x - m, whose sum d corrects it
    (sum = n m + d, M2 = sum y^2 - d^2 / n), so rounding scales with the spread, not the magnitude."""
    nan = np.isnan(x) if x.dtype.kind == "f" else None
    if nan is None:
        n = np.full(x.shape[0], x.shape[1], dtype=np.int64)
    else:
        n = x.shape[1] - nan.view(np.uint8).sum(axis=1, dtype=np.int64)
    gaps = nan is not None and int(n.sum()) < x.size
    y = x.astype(wd, copy=True)
    if gaps:
        np.copyto(y, 0, where=nan)
    m = (y.sum(axis=1) / np.maximum(n, 1)).astype(wd)
    y -= m[:, None]
    if gaps:
        np.copyto(y, 0, where=nan)
    d = y.sum(axis=1).astype(np.float64)
    q = np.einsum("ij,ij->i", y, y).astype(np.float64)
    m2 = np.maximum(q - np.divide(d * d, n, out=np.zeros_like(d), where=n > 0), 0.0)
    return n * m.astype(np.float64) + d, n, m2


def _between(s: np.ndarray, n: np.ndarray) -> float:
    """The part of M2 from the spread of group means (Chan et al.): sum n_g (mean_g - mean)^2."""
    ok = n > 0
    if not ok.any():
        return 0.0
    s, n = s[ok].astype(np.float64), n[ok].astype(np.float64)
    mean = s.sum() / n.sum()
    return float((n * (s / n - mean) ** 2).sum())


def _margins(out: dict, s, n, at, keep, lat, t, w, start) -> None:
    """Add a piece's cell sums and counts (shaped as its kept axes, in array order; `at`: their offsets
    in the block) to the block's margins: per latitude, and per time step weighted along latitude."""
    for axis, (total, count) in ((lat, LAT), (t, TIME)):
        if axis is None:
            continue
        i, ws, wn = keep.index(axis), s, n
        if axis == t and lat is not None and w is not None:
            j = keep.index(lat)
            first = start[lat] + at[j]
            lw = np.asarray(w, dtype=np.float64)[first:first + s.shape[j]]
            lw = lw.reshape([-1 if a == j else 1 for a in range(len(keep))])
            ws, wn = s * lw, n * lw
        other = tuple(a for a in range(len(keep)) if a != i)
        out[total][at[i]:at[i] + s.shape[i]] += ws.sum(axis=other)
        out[count][at[i]:at[i] + s.shape[i]] += wn.sum(axis=other)


def merge(parts: list[dict], shape: tuple, lat: int | None = None, t: int | None = None) -> dict:
    """The whole array's statistics from its blocks' partials: count, min, max, mean, std (ddof=0),
    argmax/argmin (flat C-order index of the first max/min; 0 if all missing) and the margins
    lat_sum/lat_count (per latitude) and t_wsum/t_wcount (per time step, latitude-weighted)."""
    shape = tuple(shape) or (1,)
    n = sum(p["n"] for p in parts)
    total = sum(p["sum"] for p in parts)
    mean = total / n if n else np.nan
    m2 = sum(p["m2"] for p in parts) + _between(np.array([p["sum"] for p in parts]),
                                                np.array([p["n"] for p in parts]))
    r = {"count": n, "mean": mean, "std": math.sqrt(max(m2, 0.0) / n) if n else np.nan}
    for which, name, better in (("hi", "max", np.greater), ("lo", "min", np.less)):
        found = [p[which] for p in parts if p[which] is not None]
        v, at = found[0] if found else (np.nan, (0,) * len(shape))
        for v2, at2 in found[1:]:
            if better(v2, v) or (v2 == v and at2 < at):
                v, at = v2, at2
        r[name], r["arg" + name] = v, int(np.ravel_multi_index(at, shape))
    for axis, (ks, kn) in ((lat, LAT), (t, TIME)):
        if axis is not None:
            r[ks], r[kn] = np.zeros(shape[axis]), np.zeros(shape[axis])
            for p in parts:
                at = slice(p["start"][axis], p["start"][axis] + len(p[ks]))
                r[ks][at] += p[ks]
                r[kn][at] += p[kn]
    return r
