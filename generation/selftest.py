"""Set-up self-test: can this machine's llama.cpp build generate at all? Run by `make` after installing.

A child process prints llama.cpp's system-info line (which CPU features the build uses) and makes a
16-token greedy generation with the smallest model. The parent turns a crash (a signal), a hang or an
empty output into one message naming the cause and the fix, so a bad build stops `make` instead of
surfacing as a segfault deep inside pytest or the first click in the app.

    python -m generation.selftest [--model smollm2-135m] [--timeout 180]
"""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys

PROMPT = "Once upon a time"
TOKENS = 16
FIX = ("Fix: rebuild llama.cpp for this machine with `make clean-llama` and then `make` again; if it still fails, "
       "choose the CPU flags yourself, e.g. "
       "CMAKE_ARGS=\"-DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF\" make "
       "(README: 'The llama.cpp build').")


def child(gguf: str) -> int:
    """Inside the child: print the system-info line, then the generated text on its own line."""
    import llama_cpp

    print("llama.cpp system info:", llama_cpp.llama_print_system_info().decode().strip(), flush=True)
    llm = llama_cpp.Llama(model_path=gguf, n_ctx=256, n_threads=1, verbose=False)
    out = llm.create_completion(PROMPT, max_tokens=TOKENS, temperature=0.0)
    print("generated:", repr(out["choices"][0]["text"]), flush=True)
    return 0


def verdict(returncode: int | None, stdout: str, stderr: str, timeout: float) -> str | None:
    """None when the self-test passed, else the message that names the cause and the fix."""
    if returncode is None:
        return (f"The llama.cpp self-test hung: no {TOKENS}-token generation within {timeout:.0f} s. The build or the "
                f"machine is far slower than expected, or a kernel deadlocked. {FIX}")
    if returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else f"signal {-returncode}"
        amx = (" The build reports AMX, whose kernels fault on some virtual machines."
               if "AMX_INT8 = 1" in stdout else "")
        return (f"The llama.cpp self-test crashed ({name}) during a {TOKENS}-token generation: the compiled "
                f"llama.cpp uses CPU instructions this machine cannot run.{amx} {FIX}")
    if returncode != 0:
        last = (stderr.strip().splitlines() or ["(no error output)"])[-1]
        if "ModuleNotFoundError" in last or "ImportError" in last:
            return (f"The llama.cpp self-test could not import llama-cpp-python ({last}). Fix: run make again, "
                    "which installs requirements.txt into .venv.")
        return f"The llama.cpp self-test failed (exit {returncode}): {last}. {FIX}"
    text = next((line for line in stdout.splitlines() if line.startswith("generated:")), "")
    if text in ("", "generated: ''"):
        return f"The llama.cpp self-test generated no text for {PROMPT!r}: the build computes nothing usable. {FIX}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--child", metavar="GGUF", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    from generation import gguf_path, load_models

    gguf = str(gguf_path(load_models().get(args.model)))
    try:
        run = subprocess.run([sys.executable, "-m", "generation.selftest", "--child", gguf],
                             capture_output=True, text=True, timeout=args.timeout)
        returncode, stdout, stderr = run.returncode, run.stdout, run.stderr
    except subprocess.TimeoutExpired as exc:
        returncode, stdout, stderr = None, (exc.stdout or b"").decode(errors="replace"), ""
    info = next((line for line in stdout.splitlines() if line.startswith("llama.cpp system info:")), None)
    print(info or "llama.cpp system info: (not printed: the child failed before it)")
    problem = verdict(returncode, stdout, stderr, args.timeout)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"llama.cpp self-test passed: {args.model} generated {TOKENS} tokens.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
