"""Classroom load test (issue 15, item 5): N simulated students on this machine, through the app's own core.

    python bench/classroom.py --config inprocess --students 1,8,30 --out /tmp/classroom.jsonl
    python bench/classroom.py --config server --slots 2 --path direct --students 1,8 --out /tmp/classroom.jsonl
    python bench/classroom.py --url http://10.0.0.5:8080/v1 --api-model qwen --students 1,8   # any OpenAI server
    python bench/classroom.py --config inprocess --students 8 --browsers 5 --out /tmp/classroom.jsonl
    python bench/classroom.py --report /tmp/classroom.jsonl          # the markdown table, no model

Loopback only, bounded: each student (a thread) sends --requests requests, chosen by a seeded RNG from the app's
mix: a Generate prompt (model.stream), a Summarize of one of three samples (the encoders' prompt, as the
Summarize page builds it), a Tools question on one of two datasets (toolloop.ToolLoop over
tools.default_registry, the page's default tools) and a follow-up of the student's previous request. No request
starts after --cell-seconds, a request still queued in the app's scheduler then gives up (counted as "gave up"),
and the tool loop's timeout ends with the cell; then the script stops by itself.

Paths (the table says which one was measured):
  inprocess     POOL.get(model, "llama.cpp"): the app's SharedModel, one generation at a time (its scheduler).
  server/app    the llama-server backend behind a SharedModel, as the app runs it: the app's scheduler still
                passes one call at a time, so the server's slots cannot run two students at once.
  server/direct the same llama-server backend called by every student at once, without the app's scheduler:
                concurrent HTTP requests to the child, which is what its --parallel slots are for.
  url           --url: an OpenAI-compatible server elsewhere (direct, or --path app).

Leak check (`leaks`): every request carries a unique nonce of random length in its prompt. Each model call is
recorded with its own prompt's exact token count (the backend's tokenizer on that call's rendered prompt) and
must get a Stats whose prompt_tokens equal it (another request's Stats would differ: other text, other nonce
length); no answer may contain another request's nonce. With --url the server renders chats itself, so only
the nonce check applies.

Reported per cell: p50/p95 time to first token as the student sees it (queue included), the same for Tools
questions (their dataset prefix is prefilled once before the cell, as the app does when a dataset is loaded),
p95 total time, aggregate generated tokens/s over the cell's wall time and its ratio to the same
configuration's N=1 cell of the same run, errors, leaks, server restarts, peak RSS of this process and of the
server child. --browsers B adds B headless chromium sessions (Debian's /usr/bin/chromium) on a live app that
this script starts on 127.0.0.1, each asking one Generate question while the simulated load runs.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generation import POOL, Sampling, SharedModel, load_backend, load_models  # noqa: E402
from generation.registry import ModelSpec  # noqa: E402

SUMMARY_SAMPLES = ("seattle-weather", "mauna-loa-co2", "elnino-sst")
TOOL_QUESTIONS = {
    "seattle-weather": ("What was the largest daily precipitation in 2014, in mm?",
                        "What is the mean daily minimum temperature (temp_min) over the whole record?",
                        "How many days had a maximum temperature (temp_max) above 30 °C?"),
    "elnino-sst": ("What is the mean sea surface temperature over the whole record?",
                   "In which month was the sea surface temperature highest?"),
}
GENERATE_PROMPTS = ("The ocean floor near the volcano", "Glaciers retreat when", "A cold front brings",
                    "Explain in one sentence why the sea is salty.", "The monsoon season in India")
FOLLOW_UPS = ("Say that again in one short sentence.", "What should I look at next?", "Why is that?")
KINDS = ("generate", "summarize", "tools")
SUMMARY_BUDGET = 1500  # the Summarize page's default


class GaveUp(Exception):
    """A request still queued at the cell's deadline leaves the queue (counted apart from errors)."""


@dataclass
class Call:
    """One model call of a request: the prompt tokens it should report, and what it got."""

    expected_prompt_tokens: int | None
    prompt_tokens: int = 0
    generated_tokens: int = 0
    text: str = ""
    evaluated: int = 0  # prompt tokens the engine computed (the rest came from its cache)
    queued_s: float = 0.0
    pauses: int = 0


@dataclass
class Record:
    student: int
    index: int
    kind: str
    nonce: str
    ttft_s: float | None = None
    total_s: float | None = None
    error: str = ""
    gave_up: bool = False
    text: str = ""
    calls: list[Call] = field(default_factory=list)


class Recorded:
    """The model a student uses: the shared model (or a backend, for the direct path), each call recorded."""

    def __init__(self, target: Any, exact: bool, deadline: float = float("inf")) -> None:
        self.target, self.exact, self.deadline = target, exact, deadline
        self.backend = target.backend if isinstance(target, SharedModel) else target
        self.pending: list[tuple[Call, Any]] = []

    def _waiting(self, ahead: int, seconds: float) -> None:
        """The scheduler's on_wait (told whenever this request's place changes): past the deadline, give up."""
        if time.monotonic() > self.deadline:
            raise GaveUp(f"still {ahead} ahead at the cell's deadline")

    def _options(self, options: dict[str, Any]) -> dict[str, Any]:
        options.pop("on_wait", None)
        return {**options, "on_wait": self._waiting} if isinstance(self.target, SharedModel) else options

    def _call(self, expected: Callable[[], int], start: Callable[[], Any]) -> Any:
        generation = start()
        self.pending.append((Call(expected() if self.exact else None), generation))
        return generation

    def stream(self, prompt: str, sampling: Sampling, **options: Any) -> Any:
        options = self._options(options)
        return self._call(lambda: self.backend.count_tokens(prompt),
                          lambda: self.target.stream(prompt, sampling, **options))

    def stream_chat(self, messages: list, sampling: Sampling, tools: list | None = None, **options: Any) -> Any:
        options = self._options(options)
        return self._call(lambda: self.backend.count_tokens(self.backend.apply_chat_template(messages, tools)),
                          lambda: self.target.stream_chat(messages, sampling, tools=tools, **options))

    def take(self) -> list[Call]:
        """This request's calls, with the stats each generation reported."""
        calls = []
        for call, generation in self.pending:
            stats = generation.stats
            call.prompt_tokens, call.generated_tokens = stats.prompt_tokens, stats.generated_tokens
            call.text = generation.text
            call.evaluated, call.queued_s = stats.prompt_tokens_evaluated, stats.queued_s
            call.pauses = stats.extra.get("pauses", 0)
            calls.append(call)
        self.pending = []
        return calls


def leaks(records: list[Record]) -> list[str]:
    """Every call whose Stats or answer is not its own request's, one line each."""
    nonces = {r.nonce for r in records}
    found = []
    for r in records:
        for c in r.calls if not r.gave_up else ():  # a request that gave up in the queue never ran: no stats
            if c.expected_prompt_tokens is not None and c.prompt_tokens != c.expected_prompt_tokens:
                found.append(f"student {r.student} request {r.index} ({r.kind}): stats say {c.prompt_tokens} "
                             f"prompt tokens, its own prompt has {c.expected_prompt_tokens}")
            if others := sorted(set(re.findall(r"ref-[A-Z0-9]+", c.text)) & (nonces - {r.nonce})):
                found.append(f"student {r.student} request {r.index} ({r.kind}): answer holds nonce(s) {others}")
    return found


# -- the workload ----------------------------------------------------------------------------------------------

class Workload:
    """The prompts of the mix, built once as the pages build them."""

    def __init__(self, backend: Any) -> None:
        import encoders
        from data import open_sample
        from tools import default_registry

        count = backend.count_tokens if hasattr(backend, "tokenize") else encoders.approx_tokens
        self.encodings = {s: encoders.encode(open_sample(s), encoders.DEFAULT_STRATEGY, SUMMARY_BUDGET, count,
                                             title=s) for s in SUMMARY_SAMPLES}
        self.registries = {s: default_registry(open_sample(s)) for s in TOOL_QUESTIONS}

    def plan(self, seed: int, student: int, requests: int) -> list[tuple[str, str, str]]:
        """(kind, subject, text) per request: the seeded mix; a follow-up only after a first request."""
        rng = random.Random(seed * 100_003 + student)
        plan = []
        for i in range(requests):
            kind = rng.choice(KINDS + (("followup",) if i else ()))
            if kind == "generate":
                plan.append((kind, "", rng.choice(GENERATE_PROMPTS)))
            elif kind == "summarize":
                plan.append((kind, rng.choice(SUMMARY_SAMPLES), ""))
            elif kind == "tools":
                dataset = rng.choice(sorted(TOOL_QUESTIONS))
                plan.append((kind, dataset, rng.choice(TOOL_QUESTIONS[dataset])))
            else:
                plan.append((kind, "", rng.choice(FOLLOW_UPS)))
        return plan


def nonce(rng: random.Random) -> str:
    return "ref-" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(rng.randint(4, 14)))


def pieces(model: Recorded, work: Workload, kind: str, subject: str, text: str, tag: str,
           previous: tuple[list, str] | None, sampling: Sampling, timeout_s: float) -> tuple[Iterator[str], list]:
    """The request's text pieces, and the chat it continues (for a follow-up)."""
    from encoders.prompts import dataset_messages
    from toolloop import ToolLoop

    if kind == "generate":
        prompt = f"{text} ({tag})"
        return model.stream(prompt, sampling), [{"role": "user", "content": prompt}]
    if kind == "summarize":
        messages = dataset_messages(work.encodings[subject])
        messages[-1] = {**messages[-1], "content": f"{messages[-1]['content']} ({tag})"}
        return model.stream_chat(messages, sampling), messages
    if kind == "tools":
        registry = work.registries[subject]
        messages = [{"role": "user", "content": f"{text} ({tag})"}]
        loop = ToolLoop(model, registry, messages, sampling, enabled=set(registry.enabled_names), max_steps=2,
                        timeout_s=max(timeout_s, 1.0))
        return (item for kind_, item in loop.run() if kind_ == "text"), messages
    chat, answer = previous or ([], "")
    messages = [*chat, {"role": "assistant", "content": answer}, {"role": "user", "content": f"{text} ({tag})"}]
    return model.stream_chat(messages, sampling), messages


def student(model: Recorded, work: Workload, sid: int, seed: int, requests: int, sampling: Sampling,
            deadline: float, out: list[Record]) -> None:
    rng = random.Random(seed * 7919 + sid)
    previous = None
    for index, (kind, subject, text) in enumerate(work.plan(seed, sid, requests)):
        if time.monotonic() >= deadline:
            return
        record = Record(sid, index, kind, nonce(rng))
        start = time.monotonic()
        try:
            stream, chat = pieces(model, work, kind, subject, text, record.nonce, previous, sampling,
                                  deadline - start)
            parts = []
            for piece in stream:
                if record.ttft_s is None:
                    record.ttft_s = time.monotonic() - start
                parts.append(piece)
            record.text = "".join(parts)
            previous = (chat, record.text)
        except GaveUp:
            record.gave_up = True
        except Exception as exc:  # noqa: BLE001 - a failed request is counted, the student goes on
            record.error = f"{type(exc).__name__}: {exc}"[:300]
        record.total_s = time.monotonic() - start
        if record.ttft_s is None and not record.error and not record.gave_up:  # empty: its first token is its end
            record.ttft_s = record.total_s
        record.calls = model.take()
        out.append(record)


# -- measuring a cell ------------------------------------------------------------------------------------------

def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class PeakRss:
    """The highest RSS of each watched process while the cell runs (sampled every 0.2 s)."""

    def __init__(self, pids: dict[str, Callable[[], int | None]]) -> None:
        self.pids, self.peak = pids, dict.fromkeys(pids, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            for name, pid in self.pids.items():
                if (p := pid()) is not None:
                    self.peak[name] = max(self.peak[name], rss_mb(p))

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()


def request_line(r: Record, students: int) -> dict[str, Any]:
    """One request of a cell, for --records: where its time went (its first call's queue and cache use)."""
    first = r.calls[0] if r.calls else Call(None)
    return {"students": students, "student": r.student, "index": r.index, "kind": r.kind,
            "ttft_s": r.ttft_s and round(r.ttft_s, 2), "total_s": r.total_s and round(r.total_s, 2),
            "calls": len(r.calls), "first_prompt_tokens": first.prompt_tokens, "first_evaluated": first.evaluated,
            "first_queued_s": round(first.queued_s, 2), "pauses": sum(c.pauses for c in r.calls),
            "generated": sum(c.generated_tokens for c in r.calls), "error": r.error, "gave_up": r.gave_up}


def pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values else None


def summarise(records: list[Record], wall_s: float, students: int, planned: int) -> dict[str, Any]:
    done = [r for r in records if not r.error and not r.gave_up]
    tools = [r.ttft_s for r in done if r.kind == "tools"]
    generated = sum(c.generated_tokens for r in records for c in r.calls)
    found = leaks(records)
    return {"students": students, "planned": planned, "done": len(done), "errors": sum(bool(r.error) for r in records),
            "gave_up": sum(r.gave_up for r in records),
            "error_lines": sorted({r.error for r in records if r.error})[:5],
            "ttft_p50": pct([r.ttft_s for r in done], 50), "ttft_p95": pct([r.ttft_s for r in done], 95),
            "tools_n": len(tools), "tools_ttft_p50": pct(tools, 50), "tools_ttft_p95": pct(tools, 95),
            "total_p95": pct([r.total_s for r in done], 95), "generated": generated, "wall_s": round(wall_s, 1),
            "tok_s": round(generated / wall_s, 2) if wall_s else 0.0,
            "checked_calls": sum(c.expected_prompt_tokens is not None for r in records if not r.gave_up
                                 for c in r.calls),
            "leaks": len(found), "leak_lines": found[:5]}


def warm(model: Recorded, work: Workload) -> None:
    """Share each Tools dataset's prefix (system message and tool schemas) before the cell, not counted. On the
    app's SharedModel, as the Tools page does on loading a dataset: prefill_chat, which the scheduler then knows
    (a question on it is short work) and which the llama.cpp prompt cache pins. Elsewhere (the direct and URL
    paths), by one question on each, whose prompt state the engine's cache keeps. The Summarize prompts are not
    warmed: students ask those first."""
    from toolloop import tools_prefix

    if isinstance(model.target, SharedModel):
        for dataset, registry in work.registries.items():
            prefix = tools_prefix(registry, set(registry.enabled_names))
            if thread := model.target.prefill_chat(*prefix):
                thread.join(timeout=300)
            if thread and thread.is_alive() or not model.target.prefilled:
                print(f"note: {dataset}'s Tools prefix was not prefilled before the cell", flush=True)
        return
    one = Sampling(max_new_tokens=1)
    for dataset in TOOL_QUESTIONS:
        list(pieces(model, work, "tools", dataset, "Which variables does this dataset have?", "warm-up", None,
                    one, 120.0)[0])
    model.take()


def run_cell(target: Any, work: Workload, students: int, args: argparse.Namespace, child: Callable[[], int | None],
             restarts: Callable[[], int]) -> dict[str, Any]:
    sampling = Sampling(max_new_tokens=args.max_new_tokens)  # greedy: the nonces make every prompt differ
    exact = args.url is None
    warm(Recorded(target, exact), work)
    records: list[Record] = []
    before = restarts()
    deadline = time.monotonic() + args.cell_seconds
    models = [Recorded(target, exact, deadline) for _ in range(students)]
    threads = [threading.Thread(target=student, args=(models[i], work, i, args.seed, args.requests, sampling,
                                                       deadline, records)) for i in range(students)]
    if args.serial:  # the same students' requests, one at a time: the serial baseline of the cell's own work
        students_in_turn = list(threads)

        def in_turn() -> None:
            for each in students_in_turn:
                each.run()  # the student's requests, in this one thread

        threads = [threading.Thread(target=in_turn)]
    with PeakRss({"app": os.getpid, "server": child}) as peak:
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - start
    cell = summarise(records, wall, students, students * args.requests)
    if args.records:
        with args.records.open("a") as f:
            for r in sorted(records, key=lambda r: (r.student, r.index)):
                f.write(json.dumps(request_line(r, students)) + "\n")
    cell.update(app_rss_mb=round(peak.peak["app"]), server_rss_mb=round(peak.peak["server"]),
                server_restarts=restarts() - before)
    return cell


# -- the model under test --------------------------------------------------------------------------------------

def open_target(args: argparse.Namespace) -> tuple[Any, Callable[[], int | None], Callable[[], int], str]:
    """(what students call, the server child's pid, its restart count, the path's name)."""
    if args.url:
        spec = ModelSpec(id="url", title=args.url, format="openai", base_url=args.url, api_model=args.api_model)
        backend = load_backend(spec, "openai")
        return (SharedModel(spec, backend) if args.path == "app" else backend), lambda: None, lambda: 0, \
            f"url/{args.path}"
    spec = load_models().get(args.model)
    if args.config == "inprocess":
        return POOL.get(spec, "llama.cpp"), lambda: None, lambda: 0, "inprocess"
    os.environ["GEOLLM_SERVER_SLOTS"] = str(args.slots)
    backend = load_backend(spec, "llama-server")
    process = backend.process
    target = SharedModel(spec, backend) if args.path == "app" else backend
    return (target, lambda: process.proc.pid if process.proc else None, lambda: process.starts,
            f"server slots={args.slots} /{args.path}")


# -- live app with browsers ------------------------------------------------------------------------------------

def start_app(model: str) -> tuple[subprocess.Popen, str]:
    import socket

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env={**os.environ, "GEOLLM_MODEL": model}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).text == "ok":
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"the app did not come up at {url}")


def browsers(url: str, count: int, max_new_tokens: int, timeout_s: float, results: list[dict]) -> None:
    """`count` chromium sessions, each asking one Generate question; when each got its stats line, or not."""
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        pages, started = [], []
        for i in range(count):
            page = browser.new_context().new_page()
            page.set_default_timeout(timeout_s * 1000)
            page.goto(f"{url}/generate")
            page.get_by_label("Prompt").fill(f"The river delta, session {i}")
            page.get_by_label("Max new tokens").fill(str(max_new_tokens))
            page.get_by_label("Max new tokens").press("Enter")
            page.wait_for_timeout(1500)
            page.get_by_role("button", name="Generate").click()
            pages.append(page)
            started.append(time.monotonic())
        answered: dict[int, float] = {}
        deadline = time.monotonic() + timeout_s
        while len(answered) < count and time.monotonic() < deadline:
            for i, page in enumerate(pages):
                if i not in answered and page.get_by_text("new tokens at").count():
                    answered[i] = time.monotonic() - started[i]
            time.sleep(1.0)
        for i in range(count):
            results.append({"session": i, "answered": i in answered, "seconds": round(answered.get(i, 0.0), 1)})
        browser.close()


# -- report ----------------------------------------------------------------------------------------------------

def table(cells: list[dict]) -> str:
    head = ("| path | N | done/planned | errors | gave up | leaks (calls checked) | TTFT p50 / p95 s "
            "| Tools TTFT p50 / p95 s (n) | total p95 s | gen tok/s | × N=1 | peak RSS app / server MB | restarts "
            "| load avg start→end |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    one = {c["path"]: c["tok_s"] for c in cells if c["students"] == 1}  # the same path's N=1 of this run
    for c in cells:
        c["ratio"] = c.get("ratio") or (round(c["tok_s"] / one[c["path"]], 2) if one.get(c["path"]) else "")
        lines.append(
            f"| {c['path']} | {c['students']} | {c['done']}/{c['planned']} | {c['errors']} | {c.get('gave_up', 0)} "
            f"| {c['leaks']} "
            f"({c['checked_calls']}) | {c['ttft_p50']} / {c['ttft_p95']} | {c['tools_ttft_p50']} / "
            f"{c['tools_ttft_p95']} ({c['tools_n']}) | {c['total_p95']} | {c['tok_s']} | {c.get('ratio', '')} | "
            f"{c['app_rss_mb']} / {c['server_rss_mb'] or '-'} | {c['server_restarts']} | "
            f"{c['load_start']}→{c['load_end']} |")
    for c in cells:
        if c.get("browsers"):
            got = [b for b in c["browsers"] if b["answered"]]
            lines.append(f"\nBrowsers with {c['path']} N={c['students']}: {len(got)}/{len(c['browsers'])} answered, "
                         f"seconds {[b['seconds'] for b in c['browsers']]}; "
                         f"live app peak RSS {c.get('live_app_rss_mb')} MB.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", choices=("inprocess", "server"), default="inprocess")
    p.add_argument("--slots", type=int, default=1)
    p.add_argument("--path", choices=("app", "direct"), default="app")
    p.add_argument("--url", help="an OpenAI-compatible server (…/v1) instead of a local model")
    p.add_argument("--api-model", default="default", help="with --url: the model name the server expects")
    p.add_argument("--model", default="qwen2.5-coder-1.5b")
    p.add_argument("--students", default="1,4,8,16,30")
    p.add_argument("--requests", type=int, default=2, help="requests per student")
    p.add_argument("--max-new-tokens", type=int, default=48)
    p.add_argument("--cell-seconds", type=float, default=600.0, help="no request starts after this")
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--serial", action="store_true",
                   help="send each cell's requests one at a time (the same work: a baseline for its throughput)")
    p.add_argument("--browsers", type=int, default=0)
    p.add_argument("--out", type=Path, help="append one JSON line per cell")
    p.add_argument("--records", type=Path, help="append one JSON line per request (where its time went)")
    p.add_argument("--report", type=Path, help="print the table of a --out file and stop")
    args = p.parse_args(argv)
    if args.report:
        print(table([json.loads(line) for line in args.report.read_text().splitlines() if line.strip()]))
        return []
    if not 1 <= args.requests <= 10 or not 1 <= args.max_new_tokens <= 256:
        p.error("--requests must be 1-10 and --max-new-tokens 1-256")
    if args.url and not args.url.startswith(("http://127.0.0.1", "http://localhost")):
        print(f"note: sending the load to {args.url}", flush=True)
    print(f"load average at start: {os.getloadavg()}", flush=True)
    target, child, restarts, path = open_target(args)
    path += " serial" if args.serial else ""
    work = Workload(target.backend if isinstance(target, SharedModel) else target)
    cells, baseline = [], None
    for n in [int(s) for s in args.students.split(",")]:
        app, live = (start_app(args.model) if args.browsers else (None, None))
        seen: list[dict] = []
        load_start = os.getloadavg()[0]
        try:
            watcher = None
            if live:
                watcher = threading.Thread(target=browsers, args=(live, args.browsers, 24, args.cell_seconds, seen))
                watcher.start()
            cell = run_cell(target, work, n, args, child, restarts)
            if watcher:
                watcher.join()
        finally:
            live_rss = rss_mb(app.pid, "VmHWM") if app else None
            if app:
                app.terminate()
                app.wait(timeout=30)
        baseline = cell["tok_s"] if n == 1 else baseline
        cell.update(path=path, model=args.model if not args.url else args.url, requests=args.requests,
                    max_new_tokens=args.max_new_tokens, load_start=round(load_start, 2),
                    load_end=round(os.getloadavg()[0], 2), ratio=round(cell["tok_s"] / baseline, 2) if baseline else "",
                    browsers=seen, live_app_rss_mb=round(live_rss) if live_rss else None,
                    time=time.strftime("%Y-%m-%d %H:%M"))
        cells.append(cell)
        print(json.dumps(cell), flush=True)
        if args.out:
            with args.out.open("a") as f:
                f.write(json.dumps(cell) + "\n")
    if path != "inprocess":  # the server child (or the connection); the in-process model stays in POOL
        (target.backend if isinstance(target, SharedModel) else target).close()
    print(table(cells))
    print(f"load average at end: {os.getloadavg()}", flush=True)
    return cells


if __name__ == "__main__":
    main()
