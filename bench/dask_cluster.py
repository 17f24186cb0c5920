"""dask.distributed against the threaded scheduler: the stats encoding of bench/encoders.py's big NetCDF, both ways.

    python bench/dask_cluster.py                     # 2.2 GB file, 2 interleaved repetitions (~2 min)
    python bench/dask_cluster.py --gb 0.25 --reps 1  # smoke run

bench/encoders.py's generator writes the file (float32 `tos`, time x 720 lat x 1440 lon, one stored chunk per
time step) into a temporary folder. Then, in the SAME run and each in a fresh child process (so peak RSS is its
own), `encoders.encode(data.open_path(f), "stats", 1500)` twice (the second is the one compared: the first also
pays for imports and opening the file in fresh workers, and is shown apart):
  threaded  dask's threaded scheduler inside the process (one thread per CPU), the app's default;
  cluster   GEOLLM_DASK_SCHEDULER naming a LocalCluster(n_workers=2, threads_per_worker=1, processes=True) on
            127.0.0.1 that the child starts first (its start-up and the app's connection are timed apart,
            not in the encode time); the workers read the file from its path.
The two alternate (threaded first in odd repetitions, cluster first in even ones). Printed: each time, the
ratio cluster / threaded per repetition and of the medians, the load average around each run (other work on
the machine skews every timing), peak RSS of the app process and of each worker, and whether both give the
same statistics. The file is deleted at the end. The children lift data.budgets' 2 GB declared-size budget for
one dataset (the 2.2 GB file is over it): the app itself refuses such a file.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = str(Path(__file__).resolve().parent)
# `import encoders` must find the package, not bench/encoders.py next to this script.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
sys.path.insert(0, str(ROOT))

from bench.encoders import child_measure, load, peak_rss_mb, run_child  # noqa: E402

MODES = ("threaded", "cluster")


def twice(path: str) -> dict:
    """Two encodes of ``path``: the second's numbers, with the first's time (imports and file opening on
    fresh workers included) as ``first_s``."""
    first = child_measure("encode", path)
    return {**child_measure("encode", path), "first_s": first["seconds"]}


def child(mode: str, path: str) -> dict:
    """Encodes of ``path`` with ``mode``'s scheduler (a fresh process)."""
    from data import budgets, compute

    # The 2.2 GB file declares more than the app's 2 GB budget for one dataset (data.budgets, issue 13):
    # lifted here, in this process only, to measure the case bench/encoders.py was written for.
    budgets.MAX_DECLARED_BYTES = max(budgets.MAX_DECLARED_BYTES, 2 * os.path.getsize(path))
    os.environ.pop(compute.SCHEDULER_ENV, None)
    if mode == "threaded":
        return {**twice(path), "setup_s": 0.0, "workers_peak_rss_mb": []}
    from distributed import LocalCluster

    start = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        os.environ[compute.SCHEDULER_ENV] = cluster.scheduler_address
        client = compute.client(cluster.scheduler_address)  # connected before the clock starts
        setup = time.perf_counter() - start
        out = twice(path)
        workers = sorted(client.run(peak_rss_mb).values())
        compute.close()
    return {**out, "setup_s": setup, "workers_peak_rss_mb": workers}


def measure(mode: str, path: Path) -> dict:
    before = os.getloadavg()[0]
    proc = subprocess.run([sys.executable, __file__, "--child", mode, str(path)], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"child {mode} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {**out, "load_before": before, "load_after": os.getloadavg()[0]}


def report(runs: dict[str, list[dict]], size: int) -> None:
    med = {m: statistics.median(r["seconds"] for r in runs[m]) for m in MODES}
    print(f"| scheduler ({size / 1e9:.2f} GB file) | encode s (median) | runs s | first encode s | peak RSS app MB"
          " | peak RSS per worker MB | start-up s | load avg (1 min) around the runs |\n" + "|---" * 8 + "|")
    labels = {"threaded": f"threaded, in the process ({os.cpu_count()} threads)",
              "cluster": "LocalCluster, 2 worker processes x 1 thread"}
    for m in MODES:
        rs = runs[m]
        workers = ", ".join(f"{w:.0f}" for w in rs[-1]["workers_peak_rss_mb"]) or "-"
        times = ", ".join(f"{r['seconds']:.1f}" for r in rs)
        loads = ", ".join(f"{r['load_before']:.1f}-{r['load_after']:.1f}" for r in rs)
        first = ", ".join(f"{r['first_s']:.1f}" for r in rs)
        peak = max(r["peak_rss_mb"] for r in rs)
        print(f"| {labels[m]} | {med[m]:.1f} | {times} | {first} | {peak:.0f} | {workers} |"
              f" {max(r['setup_s'] for r in rs):.1f} | {loads} |")
    per_rep = ", ".join(f"{c['seconds'] / t['seconds']:.2f}" for t, c in zip(runs["threaded"], runs["cluster"]))
    print(f"\n- cluster / threaded encode time: **{med['cluster'] / med['threaded']:.2f}x** (medians; per repetition"
          f" {per_rep})")
    t, c = runs["threaded"][0], runs["cluster"][0]
    same = all(t.get(k) == c.get(k) for k in ("mean", "std", "min", "max", "facts", "tokens"))
    print(f"- same statistics both ways: {'yes' if same else 'NO'} (" + ", ".join(
        f"{k} {t[k]:.4f} / {c[k]:.4f}" for k in ("mean", "std", "min", "max") if k in t and k in c)
        + f"; {t['facts']} / {c['facts']} facts)")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--gb", type=float, default=2.2, help="file size in GB (default 2.2, i.e. > 2 GiB)")
    parser.add_argument("--reps", type=int, default=2, help="interleaved repetitions (default 2)")
    parser.add_argument("--tmpdir", default=None, help="where to write the file (default: the system temp dir)")
    args = parser.parse_args()
    print(f"<!-- bench/dask_cluster.py {' '.join(sys.argv[1:])}; {os.cpu_count()} CPUs;"
          f" {time.strftime('%Y-%m-%d %H:%M')}; {load()} -->")
    runs: dict[str, list[dict]] = {m: [] for m in MODES}
    with tempfile.TemporaryDirectory(prefix="geollm-bench-", dir=args.tmpdir) as tmp:
        path = Path(tmp) / "big_sst.nc"
        try:
            gen = run_child("generate", str(path), str(args.gb))
            size = path.stat().st_size
            print(f"file: float32 tos{tuple(gen['shape'])}, {size / 1e9:.2f} GB, written in {gen['seconds']:.0f} s;"
                  " page cache warm\n", flush=True)
            for rep in range(args.reps):
                for mode in (MODES if rep % 2 == 0 else MODES[::-1]):
                    r = measure(mode, path)
                    runs[mode].append(r)
                    print(f"  rep {rep + 1} {mode:8s} {r['seconds']:6.1f} s  peak RSS {r['peak_rss_mb']:5.0f} MB"
                          f"  load {r['load_before']:.1f}-{r['load_after']:.1f}", file=sys.stderr, flush=True)
        finally:
            path.unlink(missing_ok=True)
    report(runs, size)
    print(f"- {load()} at the end", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
