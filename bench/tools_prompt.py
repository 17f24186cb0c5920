"""How many tokens the Tools prompt costs on every real file (issue 15, item 4: at most 1,500 with all tools on).

    python bench/tools_prompt.py [--model qwen2.5-coder-1.5b] [--states]

Each file of ../shared/realdata is opened as an upload, its registry offers every tool the data allows, and the
prompt of a one-line question is rendered with the model's own chat template twice: with the full schemas (the
default) and with the short ones (GEOLLM_TOOL_SCHEMAS=short, tools.prompt_schema). Counts are the model's own
tokens. No timing: the prefill cost follows from llama-bench's rate (bench/RESULTS.md).

--states also prefills the smallest and the largest full-schema prompt into the backend's RAM prompt cache and
prints what one saved state holds (KV bytes, logits, token ids), what upstream's state of the same prompt would hold
(n_batch rows of logits), and how many such states the default cache (GEOLLM_PROMPT_CACHE_MB) holds either way.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import data  # noqa: E402
from generation import POOL, load_models  # noqa: E402
from generation.backends._llamacpp_cache import StateCache  # noqa: E402
from generation.backends.llamacpp import prompt_cache_mb  # noqa: E402
from tools import default_registry  # noqa: E402

REAL = ROOT.parent / "shared" / "realdata"
TARGET = 1500
QUESTION = {"role": "user", "content": "What is the mean of the first variable over the whole file?"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--states", action="store_true", help="also measure a saved prompt state's bytes")
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
    if args.states:
        ranked = sorted(prompts.items(), key=lambda item: item[1][0])
        saved_states(backend, dict([ranked[0], ranked[-1]]))


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


def mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"


if __name__ == "__main__":
    main()
