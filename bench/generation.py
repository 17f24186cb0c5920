"""Generation benchmark: the app's core against llama.cpp's own llama-bench, plus transformers and mlx.

    python bench/generation.py [--model qwen2.5-coder-1.5b] [--small qwen2.5-coder-0.5b] [--reps 3]

Same GGUF, the app's thread count, one run:
  llama-bench: upstream's benchmark built from the same vendored source with the same flags
               (generation/llama_build.py), `-p 512 -n 128`: pp512 and tg128 tokens/s, the raw anchor;
  raw:  llama_cpp.Llama.create_completion, timed by llama.cpp's own perf counters (no Python counted);
  core: generation's Backend.stream with streaming and stats, wall clock, a 512-token prompt and 128
        new tokens, greedy, no prompt cache.
Prints prefill and decode tokens/s and the ratios core/llama-bench (targets: decode >= 0.95, prefill
>= 0.90), the decode bound from measured memory read bandwidth / bytes of weights read per token, then
transformers (bf16, torch with 1 and 2 threads) and mlx on the small model. The load average is
printed first; timings are noisy here, only ratios within one run mean much. Copy the printed tables
into bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import llama_cpp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generation import Sampling, backend_available, gguf_path, load_backend, load_models  # noqa: E402
from generation.backends.threads import cpu_threads  # noqa: E402
from generation.llama_build import tool_paths  # noqa: E402

NEW_TOKENS = 128
PROMPT = ("Below are daily observations from a coastal weather station. Continue the log in the same format.\n"
          + "".join(f"2014-03-{d % 28 + 1:02d}: max {8 + (d * 7) % 13} C, min {1 + (d * 5) % 7} C, "
                    f"precipitation {(d * 3) % 11 / 2:.1f} mm, wind {(d * 11) % 29} km/h "
                    f"{['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'][d % 8]}\n"
                    for d in range(26)))


def load_report() -> str:
    """The load average, and whether the machine looks idle enough for timings to mean much."""
    one, five, _ = os.getloadavg()
    busy = one > 0.5
    verdict = "NOT idle: other work shares the cores, so absolute figures are pessimistic" if busy else "idle"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min): {verdict}"


def llama_bench(path: Path, threads: int, reps: int) -> tuple[float, float]:
    """pp512 and tg128 tokens/s from llama.cpp's own llama-bench on the same GGUF and thread count."""
    binary = tool_paths()["llama-bench"]
    if not binary.is_file():
        raise SystemExit(f"llama-bench is not built ({binary}); run make first")
    out = subprocess.run([str(binary), "-m", str(path), "-p", "512", "-n", "128", "-t", str(threads),
                          "-r", str(reps), "-o", "json"], capture_output=True, text=True, check=True).stdout
    rows = json.loads(out)
    pp = next(r["avg_ts"] for r in rows if r["n_prompt"] == 512 and r["n_gen"] == 0)
    tg = next(r["avg_ts"] for r in rows if r["n_gen"] == 128 and r["n_prompt"] == 0)
    return pp, tg


def prompt_of(backend, n_tokens: int) -> str:
    """Text that the model's tokenizer makes exactly `n_tokens` tokens of (with BOS, where it adds one)."""
    ids = backend.llm.tokenize((PROMPT * 4).encode(), add_bos=False, special=False)
    bos = len(backend.llm.tokenize(b"", add_bos=True, special=False))
    text = backend.llm.detokenize(ids[: n_tokens - bos]).decode("utf-8", errors="ignore")
    return text


def read_bandwidth_gbs(threads: int, size_mb: int = 512, reps: int = 5) -> float:
    """Memory read bandwidth: sum a large array (bigger than the caches) on `threads` threads."""
    chunks = [np.ones(size_mb * 2**20 // 8 // threads) for _ in range(threads)]
    best = 0.0
    for _ in range(reps):
        workers = [threading.Thread(target=np.sum, args=(c,)) for c in chunks]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        best = max(best, size_mb * 2**20 / (time.perf_counter() - start) / 1e9)
    return best


def raw_llama(llm, tokens: list[int]) -> tuple[float, float]:
    """Prefill and decode tokens/s of plain llama-cpp-python (non-streaming create_completion),
    as llama.cpp's own performance counters measure them (no Python overhead counted at all)."""
    llm.reset()
    llama_cpp.llama_perf_context_reset(llm._ctx.ctx)
    llm.create_completion(tokens, max_tokens=NEW_TOKENS, temperature=0.0)
    perf = llama_cpp.llama_perf_context(llm._ctx.ctx)
    return perf.n_p_eval / perf.t_p_eval_ms * 1e3, perf.n_eval / perf.t_eval_ms * 1e3


def core(backend, prompt: str = PROMPT) -> tuple[float, float, int]:
    """Prefill and decode tokens/s through the app's Backend API, streaming."""
    if hasattr(backend, "llm"):
        backend.llm.reset()  # no prompt cache between repetitions: both sides compute the whole prompt
    generation = backend.stream(prompt, Sampling(max_new_tokens=NEW_TOKENS))
    for _ in generation:
        pass
    s = generation.stats
    assert s.prompt_tokens_evaluated == s.prompt_tokens, "the prompt cache was used; the comparison is unfair"
    return s.prefill_tokens_per_s, s.decode_tokens_per_s, s.generated_tokens


def other_backend(spec, name: str, reps: int) -> list[tuple[float, float, int]]:
    backend = load_backend(spec, name)
    if hasattr(backend, "llm"):
        backend.llm.set_cache(None)
    results = []
    for _ in range(reps):
        if hasattr(backend, "_cache"):
            backend._cache, backend._cached_ids = None, []  # cold prompt each time
        results.append(core(backend))
    backend.close()
    return results


def median(rows, i):
    return statistics.median(r[i] for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--small", default="qwen2.5-coder-0.5b")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--skip-others", action="store_true", help="only llama-bench, raw and core on llama.cpp")
    parser.add_argument("--only-others", action="store_true", help="only the small-model table")
    args = parser.parse_args()
    catalog = load_models()
    if args.only_others:
        return others(catalog.get(args.small), args.reps)
    spec = catalog.get(args.model)
    path = gguf_path(spec)
    threads = cpu_threads()
    print(load_report())

    bandwidth = max(read_bandwidth_gbs(1), read_bandwidth_gbs(2))
    weights_gb = path.stat().st_size / 1e9
    print(f"memory read bandwidth {bandwidth:.1f} GB/s; {spec.id} weights {weights_gb:.2f} GB read per token "
          f"-> decode bound {bandwidth / weights_gb:.1f} tok/s")

    backend = load_backend(spec, "llama.cpp")
    backend.llm.set_cache(None)  # no saved prompt states: every side computes the whole prompt every time
    prompt = prompt_of(backend, 512)
    tokens = backend.llm.tokenize(prompt.encode(), add_bos=True, special=True)
    print(f"{threads} threads; prompt {len(tokens)} tokens, {NEW_TOKENS} new tokens, greedy, "
          f"{args.reps} interleaved repetitions")
    raw_rows, core_rows = [], []
    core(backend, prompt)  # warm-up: page the weights in
    bench_pp, bench_tg = llama_bench(path, threads, args.reps)
    for _ in range(args.reps):
        raw_rows.append(raw_llama(backend.llm, tokens))
        core_rows.append(core(backend, prompt))
    raw_pf, raw_dec = median(raw_rows, 0), median(raw_rows, 1)
    core_pf, core_dec = median(core_rows, 0), median(core_rows, 1)
    print(load_report())
    print("\n| engine | model | prefill tok/s | decode tok/s |\n|---|---|---|---|")
    print(f"| llama-bench pp512 / tg128 (llama.cpp's own) | {spec.id} Q4_K_M | {bench_pp:.1f} | {bench_tg:.1f} |")
    print(f"| llama-cpp-python create_completion (engine counters) | {spec.id} Q4_K_M | {raw_pf:.1f} | {raw_dec:.1f} |")
    print(f"| app core, llama.cpp, streaming (wall clock) | {spec.id} Q4_K_M | {core_pf:.1f} | {core_dec:.1f} |")
    print(f"\ncore/llama-bench: prefill {core_pf / bench_pp:.3f}x (target >= 0.90x), decode {core_dec / bench_tg:.3f}x "
          f"(target >= 0.95x); core/raw: prefill {core_pf / raw_pf:.3f}x, decode {core_dec / raw_dec:.3f}x; "
          f"decode at {core_dec / (bandwidth / weights_gb):.0%} of the bandwidth bound")
    backend.close()
    return 0 if args.skip_others else others(catalog.get(args.small), args.reps)


def others(small, reps: int) -> int:
    """llama.cpp, transformers (torch 1 and 2 threads) and mlx on the small model."""
    print("\n| engine | model | prefill tok/s | decode tok/s |\n|---|---|---|---|")
    llama_small = other_backend(small, "llama.cpp", reps)
    print(f"| llama.cpp | {small.id} GGUF | {median(llama_small, 0):.1f} | {median(llama_small, 1):.1f} |")
    if backend_available("transformers"):
        for threads in (1, 2):
            os.environ["GEOLLM_TORCH_THREADS"] = str(threads)  # read by the backend when it loads
            rows = other_backend(small, "transformers", reps)
            print(f"| transformers bf16, torch {threads} thread(s) | {small.id} | {median(rows, 0):.1f} | "
                  f"{median(rows, 1):.1f} |")
    if backend_available("mlx"):
        rows = other_backend(small, "mlx", 1)
        print(f"| mlx (CPU) | {small.id} bf16 | {median(rows, 0):.1f} | {median(rows, 1):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
