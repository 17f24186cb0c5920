"""Benchmark of the Images & text lesson: tower throughput (1 vs 2 torch threads), LiT training time,
held-out top-1 trained versus random projections, and the left-out-subject result.

    .venv/bin/python bench/multimodal.py [--steps 300] [--repeats 2]

Embeddings are computed directly here (the disk cache is bypassed), so the figures are compute speed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from multimodal.image_pairs import SUBJECTS, build_pairs  # noqa: E402
from multimodal.lit import heldout_scores, new_lit, prepare, train_on  # noqa: E402
from multimodal.towers import load_towers  # noqa: E402

LEFT_OUT = ("hurricane", "coffee", "sst")


def rate(work, count: int, threads: int, repeats: int) -> float:
    """Items per second of `work()` (best of `repeats`) with torch on `threads` threads."""
    os.environ["GEOLLM_TORCH_THREADS"] = str(threads)
    work()  # warm-up
    best = min(timed(work) for _ in range(repeats))
    return count / best


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    os.environ["GEOLLM_TORCH_THREADS"] = "1"

    started = time.perf_counter()
    towers = load_towers()
    print(f"towers loaded in {time.perf_counter() - started:.1f} s (EfficientNet-Lite0 + all-MiniLM-L6-v2, offline)")
    pairs = build_pairs()
    images = pairs.images[:32]
    captions = [c for s in SUBJECTS for c in s.captions][:32]
    speeds = {}
    for threads in (1, 2):
        speeds[threads] = (rate(lambda: towers._pooled_features(images), len(images), threads, args.repeats),
                           rate(lambda: towers._sentences(captions), len(captions), threads, args.repeats))
        print(f"{threads} thread(s): {speeds[threads][0]:.1f} image embeddings/s (224×224), "
              f"{speeds[threads][1]:.0f} captions/s")
    print(f"1 thread vs 2: images ×{speeds[1][0] / speeds[2][0]:.2f}, captions ×{speeds[1][1] / speeds[2][1]:.2f} "
          "(>1 means one thread is faster)")
    os.environ["GEOLLM_TORCH_THREADS"] = "1"

    started = time.perf_counter()
    data = prepare(towers, pairs)
    print(f"{len(pairs.images)} crops ({len(pairs.indices('train'))} train, {len(pairs.indices('heldout'))} held-out) "
          f"of {len(SUBJECTS)} subjects embedded or read from cache in {time.perf_counter() - started:.1f} s")
    model = train_on(data, steps=args.steps)
    trained, random = heldout_scores(model, data), heldout_scores(new_lit(towers), data)
    print(f"training {args.steps} steps: {model.train_seconds:.2f} s; loss {model.losses[0]:.3f} → "
          f"{sum(model.losses[-20:]) / 20:.4f}; temperature {model.temperature:.3f}")
    print(f"held-out top-1 (13-way, paraphrased captions): trained {trained['all']:.1%}, random projections "
          f"{random['all']:.1%}, chance {1 / len(SUBJECTS):.1%}")
    for key in LEFT_OUT:
        index = [s.key for s in SUBJECTS].index(key)
        without = heldout_scores(train_on(data, leave_out=index, steps=args.steps), data)
        others = sum(v for k, v in without.items() if k not in ("all", key)) / (len(SUBJECTS) - 1)
        print(f"left out '{key}': held-out top-1 on it {without[key]:.0%} (trained with it: {trained[key]:.0%}); "
              f"other subjects {others:.0%}")


if __name__ == "__main__":
    main()
