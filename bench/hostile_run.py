"""Run the hostile corpus (bench/hostile_corpus.py) through the library, the CLI and the Summarize page.

    .venv/bin/python bench/hostile_run.py [--folder DIR] [--no-page] [--only NAME ...] [--out FILE]

Each case runs in a child process with a memory cap (RLIMIT_AS) and a wall timeout; the parent records the
outcome (opened / refused with its message / uncaught exception / killed / timeout), the wall time and the child's
peak RSS. Levels:
  lib   data.open_upload, then what the Summarize page does with it: the look (map or Arrow table), the encoding
        and the prompt; also counts chat-template control tokens left after the generation core neutralises it;
  cli   `python -m geollm summarize FILE --prompt-only` (the small model): no traceback, exit 0 or 2;
  page  AppTest: the Summarize page with a sample and a chat, then the upload: no exception, a refused file keeps
        the sample and the chat, and no remote image or frame is rendered from file content.
Cases that are not bombs run the cli and page levels BATCH at a time in one child (restarted after a crash); bombs get a
child of their own at every level. Prints a markdown table and the totals.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
# bench/ goes last: its encoders.py and generation.py must not shadow the packages of the same names
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, BENCH)] + [str(BENCH)]

from hostile_corpus import SPECIAL_TOKENS, Case, build  # noqa: E402

MEMORY_CAP = 3 * 2**30  # RLIMIT_AS of every child
TIMEOUT = 60.0  # wall seconds a case may take at one level
BATCH = 5  # cases per cli/page child: after ~14 AppTests a child could not start a thread under the 3 GB cap
MAX_UPLOAD_BYTES = 200 * 2**20  # as pages/summarize.py
SMALL_MODEL = "smollm2-135m"
CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
CLEAN_STARTS = 3  # <|im_start|> in a clean summary prompt: system, user, assistant
REMOTE = [re.compile(r"!\[[^\]]*\]\(\s*(https?:)?//", re.I)]  # a markdown image from another host
REMOTE_HTML = REMOTE + [re.compile(r"<\s*(img|iframe|video|audio|source|object|embed)\b", re.I)]


def special_tokens(text: str) -> int:
    return sum(text.count(token) for token in SPECIAL_TOKENS)


def first_line(text: str, width: int = 80) -> str:
    return " ".join(str(text).split())[:width]


# --- the three levels, each run inside a child ---------------------------------------------------------------
def library_check(case: Case) -> dict[str, Any]:
    """open_upload, then the page's look, encoding and prompt; the outcome and the step it ended at."""
    from data import DataLoadError, open_upload

    step, drawn = "open", ""
    try:
        obj = open_upload(case.filename, case.path.read_bytes(), MAX_UPLOAD_BYTES)
        drawn = look(obj)  # page code behind the page's own error boundary: recorded, not the library's outcome
        step = "encode"
        import encoders
        from encoders.prompts import dataset_messages
        from generation.chat_template import render

        encoding = encoders.encode(obj, encoders.DEFAULT_STRATEGY, 1500, title=case.filename)
        step = "prompt"
        prompt = render(CHATML, dataset_messages(encoding))
        notes = [str(n) for n in obj.attrs.get("load_notes", []) or []]
        from generation.control_tokens import neutralise_text

        # what the generation core passes to any template or server: control tokens there are the ones that count
        return {"outcome": "opened", "message": "; ".join(notes),
                "tokens": special_tokens(neutralise_text(encoding.text)),
                "raw_tokens": special_tokens(encoding.text),
                "starts": prompt.count("<|im_start|>"), "step": step, "look": drawn}
    except DataLoadError as exc:
        return {"outcome": "refused" if step == "open" else f"refused at {step}", "message": str(exc), "step": step,
                "look": drawn}
    except MemoryError:
        return {"outcome": "MemoryError", "message": f"MemoryError at {step}", "step": step}
    except Exception as exc:  # what the issue is about: report it, never hide it
        return {"outcome": f"uncaught {type(exc).__name__}", "message": f"at {step}: {exc}", "step": step}


def look(obj: Any) -> str:
    """What the page shows before encoding: the map of the first variable (saved at dpi 200 as st.pyplot does),
    or the first 500 rows converted to Arrow (as st.dataframe does). "" when it worked, else the error's class."""
    try:
        _look(obj)
    except MemoryError:
        raise
    except Exception as exc:
        return f"{type(exc).__name__}: {first_line(str(exc), 60)}"
    return ""


def _look(obj: Any) -> None:
    if hasattr(obj, "data_vars"):
        variables = [str(v) for v in obj.data_vars]
        if variables:
            import matplotlib.pyplot as plt

            from geollm import plots

            fig = plots.grid_figure(obj, variables[0], 0)
            fig.savefig(io.BytesIO(), format="png", dpi=200, bbox_inches="tight")
            plt.close(fig)
    else:
        import pyarrow as pa

        pa.Table.from_pandas(obj.head(500))


def cli_check(case: Case) -> dict[str, Any]:
    """The CLI's main() on the file, as `python -m geollm summarize FILE --prompt-only` would run it."""
    from geollm import cli

    out, err = io.StringIO(), io.StringIO()
    code: Any
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(["summarize", str(case.path), "--model", SMALL_MODEL, "--prompt-only"])
        except SystemExit as exc:
            code = exc.code
        except BaseException as exc:  # escaped main(): Python would print a traceback
            return {"outcome": f"traceback {type(exc).__name__}", "message": first_line(f"{exc}", 200)}
    lines = [line for line in err.getvalue().splitlines() if line.strip() and not line.startswith("\r")]
    message = lines[-1] if lines else ""
    if "Traceback" in err.getvalue():
        return {"outcome": "traceback", "message": message}
    outcome = {0: "ok", 2: "refused"}.get(code, f"exit {code}")
    starts = out.getvalue().count("<|im_start|>")
    return {"outcome": outcome, "message": message, "starts": starts if code == 0 else None}


def page_check(case: Case) -> dict[str, Any]:
    """The Summarize page: a sample and a chat, then this upload. No exception; a refusal keeps both."""
    from streamlit.testing.v1 import AppTest

    os.environ.setdefault("GEOLLM_MODEL", SMALL_MODEL)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/summarize.py").run()
    at.selectbox(key="sum_sample").set_value("elnino-sst").run()
    at.session_state["sum_chat"] = [{"role": "assistant", "content": "kept summary", "stats": ""}]
    at.run()
    at.radio(key="sum_source").set_value("Upload a file").run()
    at.file_uploader(key="sum_upload").upload(case.filename, case.path.read_bytes()).run()
    remote = remote_markup(at)
    if at.exception:
        return {"outcome": "exception", "message": first_line(at.exception[0].value, 200), "remote": remote,
                "lost": True}
    state = at.session_state
    key = state["dataset"].key if "dataset" in state else ""  # a geollm.session.CurrentDataset
    chat = state["sum_chat"] if "sum_chat" in state else []
    errors = [e.value for e in at.error]
    kept = key == "sample:elnino-sst" and bool(chat) and chat[0].get("content") == "kept summary"
    starts = None
    if key.startswith("upload:") and not errors:
        outcome = "opened"
        codes = [c.value for e in at.expander if "Preview" in e.label for c in e.code]
        starts = codes[0].count("<|im_start|>") if codes else None
    elif kept:
        outcome = "refused, kept" if errors else "no message, kept"
    else:
        outcome = "LOST" + (" (error shown)" if errors else "")
    return {"outcome": outcome, "message": first_line(errors[0] if errors else "", 200), "remote": remote,
            "lost": outcome.startswith("LOST"), "starts": starts}


def remote_markup(at) -> list[str]:
    """Rendered strings that would make the browser fetch from another host: markdown images anywhere markdown
    is rendered (labels too), and HTML images or frames where HTML is allowed."""
    found = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success"):
        for element in at.get(kind):
            value = str(getattr(element, "value", "") or "")
            html = bool(getattr(getattr(element, "proto", None), "allow_html", False))
            if any(p.search(value) for p in (REMOTE_HTML if html else REMOTE)):
                found.append(f"{kind}: {first_line(value, 60)}")
    for expander in at.expander:
        if any(p.search(expander.label) for p in REMOTE):
            found.append(f"expander label: {first_line(expander.label, 60)}")
    return found


LEVELS = {"lib": library_check, "cli": cli_check, "page": page_check}


# --- children ------------------------------------------------------------------------------------------------
def child_main(level: str, folder: Path, names: list[str]) -> None:
    """In the child: run `level` on each named case, a START line before and a JSON line after each."""
    cases = {c.name: c for c in build(folder)}
    for name in names:
        print(f"START {name}", flush=True)
        start = time.perf_counter()
        result = LEVELS[level](cases[name])
        result["seconds"] = round(time.perf_counter() - start, 2)
        print("RESULT " + json.dumps(result), flush=True)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_child(level: str, folder: Path, names: list[str], timeout: float = TIMEOUT) -> dict[str, dict]:
    """Run `level` on `names` in capped children; a case that kills its child or overruns `timeout` is recorded,
    and the rest go on in a new child. Returns name -> result (outcome, message, seconds, rss_mb, ...)."""
    results: dict[str, dict] = {}
    todo = list(names)
    env = {**os.environ, "GEOLLM_MODEL": SMALL_MODEL, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore"}
    while todo:
        with tempfile.NamedTemporaryFile("w+", suffix=".log") as out:
            proc = subprocess.Popen([sys.executable, __file__, "--child", level, "--folder", str(folder), *todo],
                                    cwd=ROOT, stdout=out, stderr=subprocess.DEVNULL, env=env,
                                    preexec_fn=_limit_memory)
            status, usage, overran, since = _watch(proc, Path(out.name), timeout)
            markers = [line for line in Path(out.name).read_text(errors="replace").splitlines()
                       if line.startswith(("START ", "RESULT "))]
        rss = round(usage.ru_maxrss / 1024)
        current = None
        for line in markers:
            if line.startswith("START "):
                current = line[6:]
            elif current:
                results[current] = {**json.loads(line[7:]), "rss_mb": rss if len(names) == 1 else None}
                todo.remove(current)
                current = None
        if current is None and todo:  # died before its first case (an import failed, ...)
            current = todo[0]
        if current is not None:
            seconds = round(time.perf_counter() - since, 1)
            results[current] = {"outcome": "timeout" if overran else _death(status), "message": "",
                                "seconds": seconds, "rss_mb": rss}
            todo.remove(current)
    return results


def _watch(proc: subprocess.Popen, log: Path, timeout: float) -> tuple[int, Any, bool, float]:
    """Wait for the child; kill it when one case runs longer than `timeout`. (status, rusage, overran, since)."""
    seen, since = -1, time.perf_counter()
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = status
            return status, usage, False, since
        markers = sum(line.startswith(("START ", "RESULT ")) for line in log.read_text(errors="replace").splitlines())
        if markers != seen:
            seen, since = markers, time.perf_counter()
        if time.perf_counter() - since > timeout:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = status
            return status, usage, True, since
        time.sleep(0.2)


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return "killed (out of memory)" if sig == 9 else f"killed (signal {sig})"
    return f"child exit {os.WEXITSTATUS(status)}"


# --- the table -----------------------------------------------------------------------------------------------
def run_all(folder: Path, levels: list[str], only: list[str] | None = None) -> tuple[list[Case], dict]:
    cases = [c for c in build(folder) if not only or c.name in only]
    results: dict[str, dict[str, dict]] = {level: {} for level in levels}
    for level in levels:
        batch = [c.name for c in cases if not c.bomb]
        if level == "lib":  # one child per case: its own peak RSS
            for name in batch:
                results[level].update(run_child(level, folder, [name]))
        else:  # AppTest sessions add up in one process: a fresh child every BATCH cases keeps the cap per batch
            for start in range(0, len(batch), BATCH):
                results[level].update(run_child(level, folder, batch[start:start + BATCH]))
        for case in cases:
            if case.bomb:
                results[level].update(run_child(level, folder, [case.name]))
        print(f"{level}: done", file=sys.stderr, flush=True)
    return cases, results


def verdict(case: Case, lib: dict) -> str:
    """'ok' or why the library outcome is not what the case expects."""
    outcome, message = lib.get("outcome", "?"), lib.get("message", "")
    if outcome == "opened":
        return "ok" if case.expect in ("opens", "any") else "opened, expected refused"
    if outcome.startswith("refused"):  # at open, or a DataLoadError met later (a corrupt chunk while encoding)
        if case.expect == "opens":
            return "refused, expected opens"
        if case.words and not any(w.lower() in message.lower() for w in case.words):
            return f"message lacks {'/'.join(case.words)}"
        if any(w.lower() in message.lower() for w in case.forbid):
            return "message has " + "/".join(w for w in case.forbid if w.lower() in message.lower())
        return "ok"
    return outcome


def table(cases: list[Case], results: dict) -> str:
    levels = list(results)
    rows = ["| case | class | expect | lib | verdict | CLI | page | s | peak RSS MB | ctl tokens | message |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    totals = {"uncaught": 0, "lost": 0, "over 30 s": 0, "over 2 GB": 0, "not as expected": 0, "remote": 0,
              "control tokens": 0, "cli tracebacks": 0,
              "look failed": 0}
    for case in cases:
        lib = results.get("lib", {}).get(case.name, {})
        cli = results.get("cli", {}).get(case.name, {})
        page = results.get("page", {}).get(case.name, {})
        ok = verdict(case, lib) if lib else "—"
        seconds = max([r.get("seconds") or 0 for r in (lib, cli, page)] or [0])
        rss = max([r.get("rss_mb") or 0 for r in (lib, cli, page)] or [0])
        bad = [r for r in (lib, page) if r and not r["outcome"].startswith(("opened", "refused", "ok", "no message"))]
        totals["uncaught"] += bool(bad) or (cli.get("outcome", "").startswith(("traceback", "killed", "timeout")))
        totals["cli tracebacks"] += cli.get("outcome", "").startswith("traceback")
        totals["lost"] += bool(page.get("lost"))
        totals["over 30 s"] += seconds > 30 or any("timeout" in r.get("outcome", "") for r in (lib, cli, page))
        totals["over 2 GB"] += rss > 2048 or any("memory" in r.get("outcome", "").lower() for r in (lib, cli, page))
        totals["not as expected"] += ok not in ("ok", "—")
        totals["remote"] += bool(page.get("remote"))
        tokens = lib.get("tokens")
        totals["control tokens"] += bool(tokens)
        page_text = page.get("outcome", "—") + (f" ⚠ remote: {len(page['remote'])}" if page.get("remote") else "")
        message = first_line(lib.get("message", ""), 80).replace("|", "\\|")
        if lib.get("look"):
            totals["look failed"] += 1
            message = f"look ✗ {lib['look']} · {message}"
        rows.append(f"| {case.name} | {case.cls} | {case.expect} | {lib.get('outcome', '—')} | {ok} | "
                    f"{cli.get('outcome', '—')} | {page_text} | {seconds:.1f} | {rss or '—'} | "
                    f"{'' if tokens is None else tokens} | {message} |")
    summary = ["", f"**Totals** over {len(cases)} cases (levels: {', '.join(levels)}):", ""]
    summary += [f"- {name}: {count}" for name, count in totals.items()]
    return "\n".join(rows + summary) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, default=None, help="where the corpus is built (default: a temp dir)")
    parser.add_argument("--no-page", action="store_true", help="skip the AppTest level (the slow one)")
    parser.add_argument("--no-cli", action="store_true")
    parser.add_argument("--only", nargs="*", default=None, help="case names to run")
    parser.add_argument("--out", type=Path, default=None, help="also write the table to this file")
    parser.add_argument("--child", choices=list(LEVELS), help=argparse.SUPPRESS)
    parser.add_argument("names", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    folder = args.folder or Path(tempfile.mkdtemp(prefix="hostile-corpus-"))
    if args.child:
        child_main(args.child, folder, args.names)
        return 0
    levels = ["lib"] + ([] if args.no_cli else ["cli"]) + ([] if args.no_page else ["page"])
    cases, results = run_all(folder, levels, args.only)
    (folder / "results.json").write_text(json.dumps(results, indent=1))
    text = table(cases, results)
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
