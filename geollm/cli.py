"""The command line: the same loaders, encoders and generation core as the Summarize page.

    python -m geollm summarize FILE [--strategy stats] [--budget 1500] [--model ID] [--backend NAME]
                                    [--max-new-tokens 384] [--prompt-only]
    python -m geollm samples            # the sample catalog (use sample:ID as FILE)

Bad input (or a file whose values cannot be read) ends with exit code 2, any other failure with exit code 1;
either way one line on stderr (worded by geollm.failures), never a traceback.
"""
from __future__ import annotations

import argparse
import sys

from geollm.failures import cause

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geollm", description="GeoLLM Explorer on the command line")
    commands = parser.add_subparsers(dest="command", required=True)
    summarize = commands.add_parser("summarize", help="summarize a data file (or sample:ID) with a local model")
    summarize.add_argument("file", help="CSV/TSV/Parquet/Excel/NetCDF/Zarr/.npz path, or sample:ID")
    summarize.add_argument("--strategy", default="stats")
    summarize.add_argument("--budget", type=int, default=1500, help="token budget of the dataset text")
    summarize.add_argument("--model", default=None, help="model id (default: the app's default)")
    summarize.add_argument("--backend", default=None, help="llama.cpp, transformers, mlx or openai")
    summarize.add_argument("--max-new-tokens", type=int, default=384)
    summarize.add_argument("--prompt-only", action="store_true", help="print the prompt instead of a summary")
    commands.add_parser("samples", help="list the sample datasets")
    args = parser.parse_args(argv)
    try:
        return samples() if args.command == "samples" else run_summary(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the command's error boundary
        return fail(cause(exc), EXIT_FAILED)


def samples() -> int:
    from data.catalog import SAMPLES

    for sample in SAMPLES.values():
        state = "" if sample.available else f"  (unavailable: {sample.unavailable_reason})"
        print(f"sample:{sample.id:20} {sample.kind:5} {sample.size:35} {sample.title}{state}")
    return 0


def fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"\nerror: {message}", file=sys.stderr)
    return code


def run_summary(args: argparse.Namespace) -> int:
    import encoders
    from data import DataLoadError, open_path, open_sample
    from encoders.prompts import dataset_messages
    from generation import POOL, BackendUnavailable, ModelFileError, Sampling, load_models
    from generation.registry import DEFAULT_MODEL_ID

    if args.strategy not in encoders.STRATEGIES:
        return fail(f"unknown strategy {args.strategy!r}; choose one of {', '.join(encoders.STRATEGIES)}")
    if args.budget < encoders.MIN_BUDGET:
        return fail(f"--budget must be at least {encoders.MIN_BUDGET} tokens")
    try:
        sampling = Sampling(max_new_tokens=args.max_new_tokens)
        obj = open_sample(args.file[7:]) if args.file.startswith("sample:") else open_path(args.file)
        spec = load_models().get(args.model or DEFAULT_MODEL_ID)
        model = POOL.get(spec, args.backend or spec.default_backend, _progress)
        print(" " * 100, end="\r", file=sys.stderr)
        encoding = encoders.encode(obj, args.strategy, args.budget, model.backend.count_tokens,
                                   title=args.file.removeprefix("sample:").rsplit("/", 1)[-1])
    except Exception as exc:  # noqa: BLE001 - a file that cannot be opened or read, a model that cannot load
        name = args.file.rsplit("/", 1)[-1]
        known = isinstance(exc, (DataLoadError, KeyError, BackendUnavailable, ModelFileError))
        return fail(cause(exc) if known or name in str(exc) else f"{name}: {cause(exc)}")
    messages = dataset_messages(encoding)
    if args.prompt_only:
        print(model.backend.apply_chat_template(messages))
        print(f"[{encoding.tokens} dataset tokens, {len(encoding.facts)} facts]", file=sys.stderr)
        return 0
    try:
        for piece in model.stream_chat(messages, sampling):
            print(piece, end="", flush=True)
    except Exception as exc:  # noqa: BLE001
        return fail(f"generation failed: {cause(exc)}", EXIT_FAILED)
    print()
    return 0


def _progress(fraction: float, message: str) -> None:
    print(f"\r{message[:90]:90} {fraction:4.0%}", end="", file=sys.stderr, flush=True)
