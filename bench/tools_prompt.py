"""How many tokens the Tools prompt costs on every real file (issue 15, item 4: at most 1,500 with all tools on).

    python bench/tools_prompt.py [--model qwen2.5-coder-1.5b]

Each file of ../shared/realdata is opened as an upload, its registry offers every tool the data allows, and the
prompt of a one-line question is rendered with the model's own chat template twice: with the full schemas (the
default) and with the short ones (GEOLLM_TOOL_SCHEMAS=short, tools.prompt_schema). Counts are the model's own
tokens. No timing: the prefill cost follows from llama-bench's rate (bench/RESULTS.md).
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
from tools import default_registry  # noqa: E402

REAL = ROOT.parent / "shared" / "realdata"
TARGET = 1500
QUESTION = {"role": "user", "content": "What is the mean of the first variable over the whole file?"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    args = parser.parse_args()
    backend = POOL.get(load_models().get(args.model), "llama.cpp").backend
    print("| file | tools | full schemas | short schemas | short's system message | ratio |\n|---|---|---|---|---|---|")
    worst = (0, "")
    for path in sorted(REAL.glob("*.nc")):
        obj = data.open_upload(path.name, path.read_bytes())
        counts = {}
        for mode in ("full", "short"):  # GEOLLM_TOOL_SCHEMAS: the system message changes with it
            os.environ["GEOLLM_TOOL_SCHEMAS"] = mode
            registry = default_registry(obj)
            messages = [registry.system_message(), QUESTION]
            counts[mode] = backend.count_tokens(backend.apply_chat_template(messages, registry.prompt_schemas()))
            system = backend.count_tokens(messages[0]["content"])
        full, short = counts["full"], counts["short"]
        worst = max(worst, (short, path.name))
        print(f"| {path.name} | {len(registry.enabled_names)} | {full:,} | {short:,} | {system:,} | "
              f"{full / short:.1f}× |", flush=True)
    print(f"\nlargest short prompt: {worst[0]:,} tokens ({worst[1]}); target {TARGET:,}: "
          f"{'met' if worst[0] <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
