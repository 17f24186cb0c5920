"""How many tokens the Tools prompt costs on every real file (issue 15, item 4: at most 1,500 with all tools on).

    python bench/tools_prompt.py [--model qwen2.5-coder-1.5b] [--states] [--turns]

Each file of ../shared/realdata is opened as an upload, its registry offers every tool the data allows, and the
prompt of a one-line question is rendered with the model's own chat template twice: with the full schemas
(GEOLLM_TOOL_SCHEMAS=full) and with the short ones (the default, tools.prompt_schema). Counts are the model's own
tokens. No timing: the prefill cost follows from llama-bench's rate (bench/RESULTS.md).

--states also prefills the smallest and the largest full-schema prompt into the backend's RAM prompt cache and
prints what one saved state holds (KV bytes, logits, token ids), what upstream's state of the same prompt would hold
(n_batch rows of logits), and how many such states the default cache (GEOLLM_PROMPT_CACHE_MB) holds either way.

--turns times what a paused generation costs on the same two prompts (generation.shared, "First tokens first"),
with the backend's saved states and then with upstream llama-cpp-python's save_state/load_state, in the same run:
a question's first token from the pinned prefix, the pause's saved state, and the next turn's first token from it.
Each is the median of REPEATS, with another sequence in the context in between (as when another student went).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import data  # noqa: E402
from generation import POOL, load_models  # noqa: E402
from generation.backends._llamacpp_cache import StateCache  # noqa: E402
from generation.backends.llamacpp import prompt_cache_mb  # noqa: E402
from generation.types import Sampling  # noqa: E402
from tools import default_registry  # noqa: E402

REAL = ROOT.parent / "shared" / "realdata"
TARGET = 1500
QUESTION = {"role": "user", "content": "What is the mean of the first variable over the whole file?"}
REPEATS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--states", action="store_true", help="also measure a saved prompt state's bytes")
    parser.add_argument("--turns", action="store_true", help="also time a pause: save a state, load it again")
    args = parser.parse_args()
    backend = POOL.get(load_models().get(args.model), "llama.cpp").backend
    prompts = {}
    print("| file | tools | full schemas | short schemas | short's system message | ratio |\n|---|---|---|---|---|---|")
    worst = (0, "")
    for path in sorted(REAL.glob("*.nc")):
        obj = data.open_upload(path.name, path.read_bytes())
        counts, rendered = {}, {}
        for mode in ("full", "short"):  # GEOLLM_TOOL_SCHEMAS: the system message changes with it
            os.environ["GEOLLM_TOOL_SCHEMAS"] = mode
            registry = default_registry(obj)
            messages = [registry.system_message(), QUESTION]
            rendered[mode] = backend.apply_chat_template(messages, registry.prompt_schemas())
            counts[mode] = backend.count_tokens(rendered[mode])
            system = backend.count_tokens(messages[0]["content"])
        full, short = counts["full"], counts["short"]
        prompts[path.name] = (full, rendered["full"])
        worst = max(worst, (short, path.name))
        print(f"| {path.name} | {len(registry.enabled_names)} | {full:,} | {short:,} | {system:,} | "
              f"{full / short:.1f}× |", flush=True)
    print(f"\nlargest short prompt: {worst[0]:,} tokens ({worst[1]}); target {TARGET:,}: "
          f"{'met' if worst[0] <= TARGET else 'NOT met'}")
    ranked = sorted(prompts.items(), key=lambda item: item[1][0])
    if args.states:
        saved_states(backend, dict([ranked[0], ranked[-1]]))
    if args.turns:
        pause_costs(backend, [ranked[0][0], ranked[-1][0]])


def saved_states(backend, prompts: dict[str, tuple[int, str]]) -> None:
    """One prefill per prompt into an emptied RAM cache, and the bytes of the state it saved."""
    llm = backend.llm
    capacity = prompt_cache_mb() * 2**20
    row = llm.n_vocab() * 4  # one row of float32 logits
    print(f"\n| file | prompt tokens | KV state | logits kept | token ids | held now | upstream's state | "
          f"states in {prompt_cache_mb():,} MiB now | upstream |\n|---|---|---|---|---|---|---|---|---|")
    for name, (tokens, prompt) in prompts.items():
        llm.set_cache(StateCache(capacity_bytes=2**40))
        llm.reset()
        backend.prefill(prompt, lambda: False)
        (state,) = llm.cache.cache_state.values()
        held = llm.cache.cache_size
        upstream = state.llama_state_size + min(state.n_tokens, llm.n_batch) * row + state.input_ids.nbytes
        print(f"| {name} | {tokens:,} | {mb(state.llama_state_size)} | {mb(state.scores.nbytes)} | "
              f"{mb(state.input_ids.nbytes)} | {mb(held)} | {mb(upstream)} | {capacity // held} | "
              f"{capacity // upstream} |", flush=True)


def pause_costs(backend, names: list[str]) -> None:
    """The seconds of a pause's parts, with this backend's saved states and with upstream's, on each file's
    full-schema Tools prompt (prefilled and pinned first, as the Tools page does)."""
    import llama_cpp

    llm = backend.llm
    print(f"\nload average {os.getloadavg()[0]:.2f}\n\n| file | prompt tokens | states | question's first token s | "
          "save a paused state s | next turn's first token s |\n|---|---|---|---|---|---|")
    os.environ["GEOLLM_TOOL_SCHEMAS"] = "full"
    for name in names:
        path = REAL / name
        registry = default_registry(data.open_upload(name, path.read_bytes()))
        system, schemas = [registry.system_message()], registry.prompt_schemas()
        prompt = backend.apply_chat_template([*system, QUESTION], schemas)
        tokens = backend.count_tokens(prompt)
        for kind, cls in (("lean (ours)", type(llm)), ("upstream", llama_cpp.Llama)):
            llm.save_state = types.MethodType(cls.save_state, llm)  # what the cache and keep_state call
            llm.load_state = types.MethodType(cls.load_state, llm)
            llm.set_cache(StateCache(capacity_bytes=2**40))
            llm.reset()
            backend.prefill(backend.apply_chat_template(system, schemas, False), lambda: False)
            first, save, resume = [], [], []
            for _ in range(REPEATS):
                for key in [k for k in llm.cache.cache_state if k not in llm.cache.pinned]:
                    llm.cache.forget(key)  # only the pinned prefix serves the question
                another_sequence(backend)
                started = time.perf_counter()
                generation, text = backend.stream(prompt, Sampling(max_new_tokens=64, temperature=0.0)), ""
                for piece in generation:
                    if not text:
                        first.append(time.perf_counter() - started)
                    text += piece
                    if len(text) >= 16:  # paused here, as SharedModel._turns stops a generation
                        break
                generation.close()
                started = time.perf_counter()
                kept = backend.keep_state()
                save.append(time.perf_counter() - started)
                another_sequence(backend)
                started = time.perf_counter()
                for _ in backend.stream(prompt + text, Sampling(max_new_tokens=1, temperature=0.0)):
                    resume.append(time.perf_counter() - started)
                backend.forget_state(kept)
            print(f"| {name} | {tokens:,} | {kind} | {statistics.median(first):.3f} | {statistics.median(save):.3f} "
                  f"| {statistics.median(resume):.3f} |", flush=True)
        del llm.save_state, llm.load_state


def another_sequence(backend) -> None:
    """A short unrelated completion, so the context no longer holds the Tools prompt (another student's turn)."""
    for _ in backend.stream("A cold front brings", Sampling(max_new_tokens=2, temperature=0.0)):
        pass


def mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"


if __name__ == "__main__":
    main()
