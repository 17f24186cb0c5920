"""Encoder benchmark: lazy statistics of a multi-GB NetCDF, prompt-cache time to first token, tokens per strategy.

    python bench/encoders.py                      # all three parts at default sizes (~5-7 min on 2 busy cores)
    python bench/encoders.py --quick              # smoke run: 0.25 GB file, 1 repetition, smollm2-135m
    python bench/encoders.py --parts 1 --gb 0.5   # only the big-NetCDF part, on a smaller file
    python bench/encoders.py --parts 1 --breakdown --cold   # + each reduction alone; file evicted from cache
    python bench/encoders.py --parts 2,3 --model qwen2.5-coder-0.5b

1. Big NetCDF. A child process writes a chunked NetCDF4 file (float32 `tos`, time x 720 lat x 1440 lon,
   CF attributes, a land mask stored as _FillValue, daily steps so the seasonal cycle is computed) of
   `--gb` GB (default 2.2 GB > 2 GiB) into a temporary folder, a few time steps at a time (its own peak
   RSS is reported, well under the file size). Then each measurement runs in a FRESH child process, so
   peak RSS (VmHWM of the child, i.e. its own high-water mark, not inherited) belongs to it alone:
     encode  encoders.encode(data.open_path(f), "stats", 1500, approx_tokens) - every statistic and
             condensed view in one lazy dask pass;
     dask    data.open_path(f)["tos"].sum().compute() - the floor: one read of every value;
     naive   xr.open_dataset(f).load() then numpy nanmin/nanmax/nanmean/nanstd.
   The three are interleaved `--reps` times (medians reported). The page cache is warm (the file was just
   written) unless `--cold`, which evicts the file (fsync + posix_fadvise DONTNEED) before each run.
   Targets: encode time <= 1.5x one dask pass, encode peak RSS < 500 MB. The file is deleted at the end.
   `--breakdown` also times each reduction of encoders.cf.profile alone (where the time and memory go).
2. Time to first token. With `--model` on llama.cpp, a sample (`--sample`, `--strategy`) is encoded with a
   budget tuned so the whole rendered chat prompt is ~`--prompt-tokens` (model's own tokenizer). Each of
   `--ttft-reps` repetitions: llm.reset() (cold), summary (64 new tokens), then a follow-up question with the
   summary in the history: dataset_messages(enc, [assistant summary], question). The follow-up shares the
   dataset prefix, so llama.cpp's prompt cache should compute only the new turn. Target: follow-up TTFT
   <= 15% of cold TTFT. `--threads auto` (default) gives llama.cpp only the cores other processes leave
   idle: with a thread on a busy core its thread barrier stalls (decode 20x slower here).
3. Tokens per strategy. Every available catalog sample, every strategy (what encoders.compare runs, one
   encode at a time so each is timed) at `--budgets` (default 4000 and 600) with the model's tokenizer: tokens \
and facts (numbers/strings the text states) per strategy, and
   facts per 100 tokens (higher = cheaper for the same information).

Timings are noisy on a shared 2-core machine: only ratios within one run mean much. The printed Markdown
tables are meant to be pasted into bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = str(Path(__file__).resolve().parent)
# This file is called encoders.py: make sure `import encoders` finds the package, not this script.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
sys.path.insert(0, str(ROOT))

VAR = "tos"
NLAT, NLON = 720, 1440  # 0.25 degree global grid: 4.1 MB per float32 time step
FILL = 1.0e20
QUESTION = "Where and when is the sea surface temperature highest, and what is its value?"
QUESTION_TABLE = "Which variable varies the most, and what are its extremes?"


# --- memory ------------------------------------------------------------------------------------------------
def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_mb() -> float:
    kb = _status_kb("VmRSS")
    return (kb if kb is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def peak_rss_mb() -> float:
    """This process's own peak RSS. VmHWM is per address space (reset by exec); ru_maxrss on Linux also
    keeps the parent's high-water mark across fork/vfork+exec, so it is only the fallback."""
    kb = _status_kb("VmHWM")
    return (kb if kb is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


# --- part 1: children ---------------------------------------------------------------------------------------
def child_generate(path: str, gb: float, block: int = 12) -> dict:
    """Write the big file a few time steps at a time (peak memory ~ a block, not the file)."""
    import netCDF4
    import numpy as np

    nt = max(2, math.ceil(gb * 1e9 / (NLAT * NLON * 4)))
    lat = (-90 + (np.arange(NLAT) + 0.5) * 180 / NLAT).astype("f8")
    lon = ((np.arange(NLON) + 0.5) * 360 / NLON).astype("f8")
    rlat, rlon = np.deg2rad(lat)[:, None], np.deg2rad(lon)[None, :]
    land = (np.sin(3 * rlon) * np.cos(2 * rlat) + 0.6 * np.sin(5 * rlat + rlon)) > 0.55  # ~30% "land"
    land |= np.abs(lat)[:, None] > 80
    clim = (28.0 * np.cos(rlat) ** 2 - 1.5 + 0.8 * np.sin(2 * rlon)).astype("f4")  # degC
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.setncatts({
            "Conventions": "CF-1.8", "title": "Synthetic daily sea surface temperature (benchmark data)",
            "institution": "GeoLLM Explorer", "source": "bench/encoders.py: climatology + seasonal cycle + noise",
            "history": f"created by bench/encoders.py --gb {gb}", "comment": "Not real observations."})
        nc.createDimension("time", nt)
        nc.createDimension("lat", NLAT)
        nc.createDimension("lon", NLON)
        t = nc.createVariable("time", "f8", ("time",))
        t.setncatts({"standard_name": "time", "long_name": "time", "units": "days since 2000-01-01",
                     "calendar": "standard", "axis": "T"})
        t[:] = np.arange(nt, dtype="f8")
        for name, values, units, axis in (("lat", lat, "degrees_north", "Y"), ("lon", lon, "degrees_east", "X")):
            v = nc.createVariable(name, "f8", (name,))
            v.setncatts({"standard_name": "latitude" if name == "lat" else "longitude",
                         "long_name": "latitude" if name == "lat" else "longitude", "units": units, "axis": axis})
            v[:] = values
        sst = nc.createVariable(VAR, "f4", ("time", "lat", "lon"), chunksizes=(1, NLAT, NLON), fill_value=FILL)
        sst.setncatts({"standard_name": "sea_surface_temperature", "long_name": "Sea surface temperature",
                       "units": "degC", "cell_methods": "time: mean"})
        sst.set_auto_mask(False)
        north = np.sign(lat).astype("f4")[:, None]
        for t0 in range(0, nt, block):
            days = np.arange(t0, min(t0 + block, nt))
            season = np.cos(2 * np.pi * (days - 30) / 365.25).astype("f4")[:, None, None]  # warm NH in Aug
            out = rng.standard_normal((len(days), NLAT, NLON), dtype=np.float32)
            out *= 0.6
            out += clim
            out -= 3.0 * north * season
            out[:, land] = FILL
            sst[t0:t0 + len(days)] = out
            del out
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": peak_rss_mb(), "bytes": os.path.getsize(path),
            "shape": [nt, NLAT, NLON]}


def child_measure(kind: str, path: str) -> dict:
    import numpy as np
    import xarray as xr

    import data
    import encoders

    base = rss_mb()
    start = time.perf_counter()
    extra: dict = {}
    if kind == "encode":
        enc = encoders.encode(data.open_path(path), "stats", 1500, encoders.approx_tokens)
        extra = {"tokens": enc.tokens, "facts": len(enc.facts), "omitted": enc.omitted,
                 **{k: float(f.value) for k in ("mean", "std", "min", "max") if (f := enc.fact(f"var:{VAR}.{k}"))}}
    elif kind == "dask":
        extra = {"sum": float(data.open_path(path)[VAR].sum().compute())}
    elif kind == "naive":
        ds = xr.open_dataset(path, engine="netcdf4").load()
        v = ds[VAR].values
        extra = {"min": float(np.nanmin(v)), "max": float(np.nanmax(v)), "mean": float(np.nanmean(v)),
                 "std": float(np.nanstd(v))}
    elif kind.startswith("reduce:"):  # --breakdown: one of cf.profile's reductions on its own
        import dask

        from encoders import cf

        ds = data.open_path(path)
        x, w, xp = ds[VAR], cf.weights(ds, "lat"), dask.array
        guard = {"argmax": -np.inf, "argmin": np.inf}
        name = kind.split(":", 1)[1]
        lazy = {
            "sum": lambda: x.sum(), "count": lambda: x.count(), "min": lambda: x.min(), "max": lambda: x.max(),
            "mean": lambda: x.mean(), "std": lambda: x.std(),
            "argmax": lambda: xp.argmax(xp.where(xp.isnan(x.data), guard["argmax"], x.data)),
            "argmin": lambda: xp.argmin(xp.where(xp.isnan(x.data), guard["argmin"], x.data)),
            "gmean": lambda: x.weighted(w).mean(), "zonal": lambda: x.mean(["time", "lon"]),
            "clim": lambda: x.weighted(w).mean(["lat", "lon"]).groupby("time.month").mean(),
            "profile": lambda: None,
        }[name]
        if name == "profile":
            cf.profile(ds)  # all of them in one pass, as the stats encoder does (no text rendering)
        else:
            cf.compute(lazy())
    else:
        raise ValueError(kind)
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": peak_rss_mb(), "base_rss_mb": base, **extra}


def run_child(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"child {args[0]} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def evict(path: Path) -> None:
    """Drop the file from the page cache (no root needed for clean pages)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def part_big_netcdf(args: argparse.Namespace) -> None:
    print(f"\n## 1. Big NetCDF: stats encoding vs one dask pass vs naive load ({args.gb:g} GB requested; {load()})\n")
    with tempfile.TemporaryDirectory(prefix="geollm-bench-", dir=args.tmpdir) as tmp:
        path = Path(tmp) / "big_sst.nc"
        try:
            gen = run_child("generate", str(path), str(args.gb))
            size = path.stat().st_size
            nt, ny, nx = gen["shape"]
            print(f"file: float32 {VAR}(time {nt}, lat {ny}, lon {nx}), NetCDF4 chunks (1, {ny}, {nx}), uncompressed,"
                  f" {size / 1e9:.2f} GB ({size / 2**30:.2f} GiB); written in {gen['seconds']:.1f} s,"
                  f" generator peak RSS {gen['peak_rss_mb']:.0f} MB")
            print(f"cache: {'cold (file evicted before each run)' if args.cold else 'warm (file in the page cache)'};"
                  f" {args.reps} interleaved repetition(s), each in a fresh process\n", flush=True)
            kinds = ("encode", "dask", "naive") if not args.skip_naive else ("encode", "dask")
            runs: dict[str, list[dict]] = {k: [] for k in kinds}
            for rep in range(args.reps):
                for kind in kinds:
                    if args.cold:
                        evict(path)
                    r = run_child(kind, str(path))
                    runs[kind].append(r)
                    print(f"  rep {rep + 1} {kind:6s} {r['seconds']:7.2f} s  peak RSS {r['peak_rss_mb']:7.0f} MB",
                          file=sys.stderr, flush=True)
        finally:
            path.unlink(missing_ok=True)
    med = {k: {f: statistics.median(r[f] for r in rs) for f in ("seconds", "peak_rss_mb", "base_rss_mb")}
           for k, rs in runs.items()}
    enc = runs["encode"][0]
    labels = {
        "encode": f'`encoders.encode(open_path(f), "stats", 1500)` ({enc["tokens"]} tokens, {enc["facts"]} facts)',
        "dask": f"one dask pass: `open_path(f).{VAR}.sum().compute()`",
        "naive": "naive: `xr.open_dataset(f).load()` + numpy nanmin/nanmax/nanmean/nanstd",
    }
    print(f"| measurement ({size / 1e9:.2f} GB file) | time s (median) | peak RSS MB | RSS after imports MB |"
          f" runs (s) |\n|---|---|---|---|---|")
    for k in kinds:
        times = ", ".join(f"{r['seconds']:.1f}" for r in runs[k])
        print(f"| {labels[k]} | {med[k]['seconds']:.1f} | {med[k]['peak_rss_mb']:.0f} | {med[k]['base_rss_mb']:.0f}"
              f" | {times} |")
    ratio = med["encode"]["seconds"] / med["dask"]["seconds"]
    per_rep = ", ".join(f"{e['seconds'] / d['seconds']:.2f}" for e, d in zip(runs["encode"], runs["dask"]))
    print(f"\n- encode time / one dask pass: **{ratio:.2f}x** (per repetition {per_rep}; target <= 1.5x:"
          f" {'met' if ratio <= 1.5 else 'NOT met'})")
    peak = med["encode"]["peak_rss_mb"]
    print(f"- encode peak RSS: **{peak:.0f} MB** (whole process, {peak - med['encode']['base_rss_mb']:.0f} MB above"
          f" the imports; target < 500 MB: {'met' if peak < 500 else 'NOT met'}); one dask pass"
          f" {med['dask']['peak_rss_mb']:.0f} MB")
    if "naive" in med:
        print(f"- naive load + describe: peak RSS **{med['naive']['peak_rss_mb']:.0f} MB**"
              f" ({med['naive']['peak_rss_mb'] / peak:.1f}x the encoder's), {med['naive']['seconds']:.1f} s")
    if "naive" in runs:
        n = runs["naive"][0]
        print("- same numbers: " + ", ".join(f"{k} encode {enc[k]:.4f} / naive {n[k]:.4f}"
                                             for k in ("min", "max", "mean", "std") if k in enc) + " degC")
    print(f"- omitted by the 1,500-token stats encoding: {', '.join(enc['omitted']) or 'nothing'}", flush=True)
    if args.breakdown:
        breakdown(args, path_args=(args.gb,))


REDUCTIONS = ("sum", "count", "min", "max", "mean", "std", "argmax", "argmin", "gmean", "zonal", "clim", "profile")


def breakdown(args: argparse.Namespace, path_args: tuple) -> None:
    """Each reduction of cf.profile alone, in a fresh process, on a fresh file: where the encoder's time goes."""
    print("\n### Breakdown: each reduction of `encoders.cf.profile` alone (fresh process each)\n")
    with tempfile.TemporaryDirectory(prefix="geollm-bench-", dir=args.tmpdir) as tmp:
        path = Path(tmp) / "big_sst.nc"
        try:
            run_child("generate", str(path), str(path_args[0]))
            rows = []
            for name in REDUCTIONS:
                if args.cold:
                    evict(path)
                rows.append((name, run_child(f"reduce:{name}", str(path))))
                print(f"  {name:8s} {rows[-1][1]['seconds']:6.2f} s", file=sys.stderr, flush=True)
        finally:
            path.unlink(missing_ok=True)
    print("| reduction | time s | peak RSS MB |\n|---|---|---|")
    for name, r in rows:
        label = "**all of them, one `dask.compute` (cf.profile)**" if name == "profile" else f"`{name}`"
        print(f"| {label} | {r['seconds']:.1f} | {r['peak_rss_mb']:.0f} |")
    total = sum(r["seconds"] for n, r in rows if n not in ("sum", "profile"))
    print(f"\nSum of the separate reductions (without `sum`): {total:.1f} s", flush=True)


# --- parts 2 and 3: the model ------------------------------------------------------------------------------
def pick_threads(choice: str) -> tuple[int, str]:
    """llama.cpp threads: the number given, or the physical cores that other processes leave idle."""
    import psutil

    if choice != "auto":
        return int(choice), "--threads"
    cores = psutil.cpu_count(logical=False) or os.cpu_count() or 1
    load = sum(psutil.cpu_percent(interval=2.0, percpu=True)) / 100  # cores in use; this process idles meanwhile
    busy = max(0, math.ceil(load - 0.2))  # a core a third busy is enough to stall llama.cpp's thread barrier
    return max(1, min(cores, cores - busy)), f"auto: {cores} physical cores, {load:.1f} in use by other processes"


def load_model(model_id: str, threads: str):
    from generation import load_backend, load_models

    n, why = pick_threads(threads)
    os.environ["GEOLLM_THREADS"] = str(n)
    start = time.perf_counter()
    backend = load_backend(load_models().get(model_id), "llama.cpp")
    print(f"<!-- {model_id} on llama.cpp with {n} thread(s) ({why}); loaded in {time.perf_counter() - start:.1f} s -->",
          flush=True)
    return backend


def prompt_of(backend, enc) -> int:
    from encoders.prompts import dataset_messages

    return backend.count_tokens(backend.apply_chat_template(dataset_messages(enc)))


def tuned_encoding(backend, obj, strategy: str, target: int, title: str):
    """The encoding whose whole chat prompt is closest to `target` tokens: for each strategy (or the one
    given), binary-search the budget for the largest prompt <= target and take it or the next larger one."""
    import encoders

    cache: dict[tuple[str, int], tuple[int, object]] = {}

    def at(name: str, budget: int):
        if (name, budget) not in cache:
            enc = encoders.encode(obj, name, budget, backend.count_tokens, title)
            cache[name, budget] = (prompt_of(backend, enc), enc)
        return cache[name, budget]

    best = None
    for name in (encoders.STRATEGIES if strategy == "auto" else [strategy]):
        lo, hi = encoders.MIN_BUDGET, 2 * target  # prompt(budget) never decreases as the budget grows
        if at(name, lo)[0] > target:
            hi = lo
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if at(name, mid)[0] <= target else (lo, mid - 1)
        for b in (lo, min(lo + 1, 2 * target)):
            prompt, enc = at(name, b)
            if best is None or abs(prompt - target) < abs(best[0] - target):
                best = (prompt, enc)
    return best[1]


def part_ttft(args: argparse.Namespace, backend) -> None:
    import data
    from encoders.prompts import dataset_messages
    from generation import Sampling

    sample = data.catalog.SAMPLES[args.sample]
    obj = sample.open()
    enc = tuned_encoding(backend, obj, args.strategy, args.prompt_tokens, sample.title)
    question = QUESTION if sample.kind == "grid" else QUESTION_TABLE
    print(f"\n## 2. Time to first token: cold summary vs follow-up ({args.model}, llama.cpp; {load()})\n")
    print(f"`{args.sample}`, strategy `{enc.strategy}`, budget {enc.budget}: encoding {enc.tokens} tokens, chat"
          f" prompt {prompt_of(backend, enc)} tokens; summary {args.max_new_tokens} new tokens (greedy), then"
          f" follow-up \"{question}\"; {args.ttft_reps} repetition(s), llm.reset() before each cold run\n")
    # Warm-up: page the weights in, so the first cold run is not also a cold start of the process.
    for _ in backend.stream("Hello", Sampling(max_new_tokens=2)):
        pass
    rows = []
    for rep in range(args.ttft_reps):
        if hasattr(backend, "llm"):
            backend.llm.reset()
        messages = dataset_messages(enc)
        generation = backend.stream_chat(messages, Sampling(max_new_tokens=args.max_new_tokens))
        summary = "".join(generation)
        cold = generation.stats
        follow_messages = dataset_messages(enc, [{"role": "assistant", "content": summary}], question)
        generation = backend.stream_chat(follow_messages, Sampling(max_new_tokens=4))  # only its TTFT matters
        for _ in generation:
            pass
        follow = generation.stats
        rows.append((cold.prompt_tokens, cold.prompt_tokens_evaluated, cold.time_to_first_token_s,
                     follow.prompt_tokens, follow.prompt_tokens_evaluated, follow.cached_tokens,
                     follow.time_to_first_token_s, follow.time_to_first_token_s / cold.time_to_first_token_s))
        print(f"  rep {rep + 1}: cold {cold.time_to_first_token_s:.2f} s,"
              f" follow-up {follow.time_to_first_token_s:.2f} s,"
              f" summary decode {cold.decode_tokens_per_s:.1f} tok/s",
              file=sys.stderr, flush=True)
    print("| run | cold prompt tokens (evaluated) | TTFT cold s | follow-up prompt tokens | evaluated | cached |"
          " TTFT follow-up s | follow-up / cold |\n|---|---|---|---|---|---|---|---|")
    for i, r in enumerate(rows, 1):
        print(f"| {i} | {r[0]} ({r[1]}) | {r[2]:.2f} | {r[3]} | {r[4]} | {r[5]} | {r[6]:.2f} | {r[7]:.1%} |")
    med = [statistics.median(r[i] for r in rows) for i in range(len(rows[0]))]
    print(f"| **median** | {med[0]:.0f} ({med[1]:.0f}) | **{med[2]:.2f}** | {med[3]:.0f} | {med[4]:.0f} |"
          f" {med[5]:.0f} |"
          f" **{med[6]:.2f}** | **{med[7]:.1%}** |")
    print(f"\n- follow-up TTFT / cold TTFT (median of per-run ratios): **{med[7]:.1%}** (target <= 15%:"
          f" {'met' if med[7] <= 0.15 else 'NOT met'}); the follow-up computed {med[4]:.0f} of {med[3]:.0f} prompt"
          f" tokens, {med[5]:.0f} came from the prompt cache", flush=True)


def part_tokens(args: argparse.Namespace, backend, model_id: str) -> None:
    import data
    import encoders

    names = list(encoders.STRATEGIES)
    samples = [s for s in data.catalog.SAMPLES.values() if s.available]
    missing = [s.id for s in data.catalog.SAMPLES.values() if not s.available]
    print(f"\n## 3. Tokens per strategy ({model_id} tokenizer)\n")
    print("Cells: tokens / facts (numbers and strings the text states). `encoders.compare` on every available"
          " sample" + (f"; unavailable: {', '.join(missing)}" if missing else "") + ".")
    results: dict[int, dict[str, dict[str, object]]] = {}
    seconds: dict[str, list[float]] = {n: [] for n in names}
    for sample in samples:
        obj = sample.open()
        for budget in args.budgets:
            for name in names:
                start = time.perf_counter()
                try:
                    enc = encoders.encode(obj, name, budget, backend.count_tokens, sample.title)
                except Exception as exc:  # report, keep going
                    results.setdefault(budget, {}).setdefault(sample.id, {})[name] = f"error {type(exc).__name__}"
                    continue
                seconds[name].append(time.perf_counter() - start)
                results.setdefault(budget, {}).setdefault(sample.id, {})[name] = enc
        print(f"  {sample.id} done", file=sys.stderr, flush=True)
    for budget in args.budgets:
        table = results.get(budget, {})
        print(f"\n### Budget {budget} tokens\n")
        print("| sample | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
        for sid, row in table.items():
            cells = [c if isinstance(c, str) else f"{c.tokens} / {len(c.facts)}" + ("*" if c.omitted else "")
                     for c in (row[n] for n in names)]
            print(f"| {sid} | " + " | ".join(cells) + " |")
        encs = {n: [row[n] for row in table.values() if not isinstance(row[n], str)] for n in names}
        print("| **total** | " + " | ".join(
            f"**{sum(e.tokens for e in encs[n])} / {sum(len(e.facts) for e in encs[n])}**"
            for n in names) + " |")
        print("| facts per 100 tokens | " + " | ".join(
            f"{100 * sum(len(e.facts) for e in encs[n]) / max(sum(e.tokens for e in encs[n]), 1):.1f}"
            for n in names) + " |")
        print("| samples with omissions | " + " | ".join(f"{sum(bool(e.omitted) for e in encs[n])}/{len(encs[n])}"
                                                         for n in names) + " |")
    print("\n\\* = the encoding says it left something out to fit the budget.")
    print("\nMedian encode time per sample (s, tokenizer calls included): " + ", ".join(
        f"{n} {statistics.median(seconds[n]):.3f}" for n in names if seconds[n]), flush=True)


def load() -> str:
    """The 1-minute load average: other processes share the CPUs, which skews every timing."""
    try:
        return f"load average {os.getloadavg()[0]:.1f}"
    except OSError:
        return "load average unknown"


# --- driver --------------------------------------------------------------------------------------------------
def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, path = sys.argv[2], sys.argv[3]
        out = child_generate(path, float(sys.argv[4])) if kind == "generate" else child_measure(kind, path)
        print(json.dumps(out))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--parts", default="1,2,3", help="comma-separated parts to run: 1,2,3 (default all)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: --gb 0.25 --reps 1 --ttft-reps 1 --model smollm2-135m (unless given)")
    parser.add_argument("--gb", type=float, help="part 1: file size in GB (default 2.2, i.e. > 2 GiB)")
    parser.add_argument("--reps", type=int, help="part 1: interleaved repetitions (default 2)")
    parser.add_argument("--cold", action="store_true",
                        help="part 1: evict the file from the page cache before each run")
    parser.add_argument("--breakdown", action="store_true",
                        help="part 1: also time each reduction of the stats profile alone (adds ~1-2 min per GB)")
    parser.add_argument("--skip-naive", action="store_true",
                        help="part 1: skip the naive load (it needs ~3x the file in RAM)")
    parser.add_argument("--tmpdir", default=None, help="part 1: where to write the file (default: the system temp dir)")
    parser.add_argument("--model", help="parts 2-3: model id on llama.cpp (default qwen2.5-coder-1.5b)")
    parser.add_argument("--threads", default="auto",
                        help="parts 2-3: llama.cpp threads (sets GEOLLM_THREADS). Default auto: physical cores minus"
                             " the cores other processes keep busy"
                             " (llama.cpp slows ~20x when its threads share a core)")
    parser.add_argument("--sample", default="hadisst-sst", help="part 2: catalog sample (default hadisst-sst)")
    parser.add_argument("--strategy", default="auto",
                        help="part 2: encoding strategy"
                             " (default auto: the one whose prompt gets closest to --prompt-tokens)")
    parser.add_argument("--prompt-tokens", type=int, default=1500,
                        help="part 2: target chat prompt size (default 1500)")
    parser.add_argument("--max-new-tokens", type=int, default=64, help="part 2: summary length (default 64)")
    parser.add_argument("--ttft-reps", type=int, help="part 2: repetitions (default 3)")
    parser.add_argument("--budgets", default="4000,600", help="part 3: budgets (default 4000,600)")
    args = parser.parse_args()
    quick = args.quick
    args.gb = args.gb if args.gb is not None else (0.25 if quick else 2.2)
    args.reps = args.reps or (1 if quick else 2)
    args.ttft_reps = args.ttft_reps or (1 if quick else 3)
    args.model = args.model or ("smollm2-135m" if quick else "qwen2.5-coder-1.5b")
    args.budgets = [int(b) for b in args.budgets.split(",") if b.strip()]
    parts = {p.strip() for p in args.parts.split(",")}
    if not parts <= {"1", "2", "3"}:
        parser.error("--parts takes 1, 2 and/or 3")
    print(f"<!-- bench/encoders.py {' '.join(sys.argv[1:])}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]};"
          f" {time.strftime('%Y-%m-%d %H:%M')}; {load()} -->")
    start = time.perf_counter()
    if "1" in parts:
        part_big_netcdf(args)  # first: before the model is loaded, to keep the machine's memory free
    if parts & {"2", "3"}:
        backend = load_model(args.model, args.threads)
        try:
            if "2" in parts:
                part_ttft(args, backend)
            if "3" in parts:
                part_tokens(args, backend, args.model)
        finally:
            backend.close()
    print(f"\n(total {time.perf_counter() - start:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
