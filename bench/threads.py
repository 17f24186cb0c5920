"""Decoding speed while other sessions' threads are alive: the cost of llama.cpp's OpenMP teams.

A class's sessions each stream from a thread of their own. llama.cpp is built with OpenMP, which keeps a team of
worker threads for every thread that has called it; with more teams alive than cores, OpenMP stops its workers
spinning between the graph's operations, and each token waits for them to wake. The llama.cpp backend computes
on one thread of its own (generation/backends/llamacpp.py), so this ratio should stay near 1.0.

    python bench/threads.py [--model qwen2.5-coder-1.5b] [--others 7] [--tokens 64]

Baseline: the same prompt decoded on a fresh thread while no other thread has used the model, in the same run;
then with `--others` threads alive that have each generated two tokens; then again after they ended. Prints the
decode tokens/s of each (median of --repeats) and the ratio to the baseline, with the load average.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generation import Sampling, load_models  # noqa: E402
from generation.shared import load_backend  # noqa: E402

PROMPT = "Write a long story about glaciers, the sea and the people who measure them."


def decode_rate(backend, tokens: int, tag: str) -> float:
    """Decode tokens/s of one greedy generation, streamed on a thread of its own (as a session's script runs)."""
    rates = []

    def stream() -> None:
        generation = backend.stream(f"{PROMPT} ({tag})", Sampling(max_new_tokens=tokens))
        "".join(generation)
        rates.append(generation.stats.decode_tokens_per_s)

    thread = threading.Thread(target=stream)
    thread.start()
    thread.join()
    return rates[0]


def median_rate(backend, tokens: int, repeats: int, tag: str) -> float:
    return statistics.median(decode_rate(backend, tokens, f"{tag} {i}") for i in range(repeats))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="qwen2.5-coder-1.5b")
    p.add_argument("--others", type=int, default=7, help="other sessions' threads alive meanwhile")
    p.add_argument("--tokens", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    backend = load_backend(load_models().get(args.model), "llama.cpp")
    decode_rate(backend, 4, "warm-up")
    alone = median_rate(backend, args.tokens, args.repeats, "alone")
    release, started = threading.Event(), []

    def session(i: int, generated: threading.Event) -> None:  # generates, then stays alive as an idle session's
        "".join(backend.stream(f"hello {i}", Sampling(max_new_tokens=2)))
        generated.set()
        release.wait()

    for i in range(args.others):  # one at a time: a backend streams one generation at a time
        generated = threading.Event()
        started.append(threading.Thread(target=session, args=(i, generated)))
        started[-1].start()
        generated.wait()
    with_others = median_rate(backend, args.tokens, args.repeats, "others alive")
    release.set()
    for t in started:
        t.join()
    after = median_rate(backend, args.tokens, args.repeats, "after")
    print(f"{args.model}, {args.tokens} tokens, median of {args.repeats}")
    print("| threads alive | decode tok/s | × alone |\n|---|---|---|")
    for name, rate in (("one", alone), (f"{args.others} others", with_others), ("one, after", after)):
        print(f"| {name} | {rate:.2f} | {rate / alone:.2f} |")
    print(f"load average at end: {os.getloadavg()}", flush=True)
    backend.close()


if __name__ == "__main__":
    main()
