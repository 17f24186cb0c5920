"""`python -m generation serve` (`make serve`): llama.cpp's own llama-server alone, for other machines to point at.

Serves a model's GGUF (the default model unless --model) on --address (default 127.0.0.1) and --port (default
8080), with the settings of the app's llama-server backend (generation/backends/_llama_process.py), and
prints the base URL and the models.toml entry that points the app at it. Ctrl+C stops it.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys

from .backends._llama_process import LlamaServerProcess, binary
from .backends.llamacpp import context_size
from .errors import GenerationError
from .provision import gguf_path
from .registry import DEFAULT_MODEL_ID, load_models


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generation serve", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=os.environ.get("GEOLLM_MODEL", DEFAULT_MODEL_ID))
    parser.add_argument("--address", default="127.0.0.1", help="0.0.0.0 serves the whole network")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    try:
        binary()
        spec = load_models().get(args.model)
        process = LlamaServerProcess(gguf_path(spec), spec.id, context_size(spec), args.address, args.port)
    except (KeyError, ValueError, GenerationError) as exc:
        print(f"error: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the child on a plain kill too
    try:
        return _serve(process, args.address, args.port)
    except KeyboardInterrupt:
        return 0
    except GenerationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        process.stop()


def _serve(process: LlamaServerProcess, address: str, port: int) -> int:
    print(f"Starting llama-server for {process.alias} on {address}:{port} ({process.slots} slot(s); "
          f"log: {process.log_path})…", flush=True)
    process.start()
    host = "<this machine's address>" if address in ("0.0.0.0", "::") else address
    url = f"http://{host}:{port}/v1"
    print(f"llama-server is ready: {url}\nPoint the app at it with this entry in models.toml (README: "
          f"'Point the app at a server'):\n\n[[model]]\nid = \"{process.alias}-server\"\nopenai_base_url = \"{url}\"\n"
          f"openai_model = \"{process.alias}\"\ncontext_length = {process.context}\n\nCtrl+C stops it.", flush=True)
    return process.wait()
