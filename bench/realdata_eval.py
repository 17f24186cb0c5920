"""Real-data benchmark (issue 12, item 7): questions over the 20 real NetCDF files in ../shared/realdata/.

    python bench/realdata_eval.py --ceiling                      # no model: each case's direct tool call
    python bench/realdata_eval.py --summaries                    # no model: every file opens? encodes? tools?
    python bench/realdata_eval.py --limit 3 --out /tmp/rd.json   # the Tools page's loop with the default 1.5B
    python bench/realdata_eval.py --model qwen2.5-coder-0.5b --files era5_1995-07-14T12.nc,hgt.nc
    python bench/realdata_eval.py --summaries --model qwen2.5-coder-1.5b   # also writes each summary and
                                                                 # counts ✓-marked misattributions
    python bench/realdata_eval.py --report /tmp/rd.json          # tables of a stored run

Cases live in bench/realdata_cases.py; every expected value is computed there with xarray from the file
itself. Each file is opened here the way the app opens an upload (data.open_upload), and the registry is
tools.default_registry(dataset), as on the Tools page.

  --ceiling   runs each case's direct tool call ({"name", "arguments"} in the case) through the registry and
              reads the number from the result: the share within tolerance is the tool ceiling (target 100%).
              Every failing case is listed with why (no call written, the call was refused, wrong number).
  model run   each question goes through toolloop.ToolLoop with the Tools page's defaults (every
              enabled tool of default_registry, step limit 3, 256 new tokens, the first answer mode, no grammar)
              and the answer's numbers are checked as the page checks them (check_numbers against loop.known()).
              correct  = a number in the answer is within tolerance AND is marked ✓;
              ✓-wrong  = the answer is not correct but carries a ✓-marked number that came from a tool result
                         (not from the question or the call's own arguments) and is not the expected value:
                         a wrong answer that looks verified, the worst failure.
              Reports per file, per grid kind and per question kind, with the ceiling, the ✓-wrong count and
              seconds per case. Records are appended to --out after every case (rerun to resume).
  --summaries opens, encodes (as the Summarize page: default strategy, 1,500-token budget) and lists the tools
              offered for each file; with --model it also generates the summary and counts ✓-marked
              misattributions: a ✓ number that equals only facts of variables other than the one(s) its
              sentence names.
The load average is printed at the start; timings are reported, never asserted.
"""
from __future__ import annotations

import argparse
import fnmatch
import math
import os
import re
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import realdata_cases as rc  # noqa: E402
from tool_eval import answer_numbers, load_model, load_records, save  # noqa: E402  (ROOT on sys.path)

from tools.prompt_schema import short_schemas  # noqa: E402

DEFAULT_MODEL = "qwen2.5-coder-1.5b"
# The Tools page's defaults (pages/tool_calls.py): step limit, new tokens per step, answer turn, grammar.
PAGE_MAX_STEPS, PAGE_MAX_NEW_TOKENS, PAGE_CONSTRAINED = 3, 256, False
SUMMARY_BUDGET, SUMMARY_MAX_NEW_TOKENS = 1500, 384  # the Summarize page's defaults
METADATA_TOOLS = {"list_variables", "describe_variable"}  # tools that compute nothing from the values


# -- the app's view of a file -------------------------------------------------------------------------

_APP: dict[str, Any] = {}


def open_app(file: str) -> Any:
    """The file opened as the app opens an upload (cached per file)."""
    if file not in _APP:
        import data

        path = rc.REALDATA / file
        _APP[file] = data.open_upload(file, path.read_bytes())
    return _APP[file]


def registry_for(file: str) -> Any:
    import tools

    return tools.default_registry(open_app(file))


def read_number(value: Any, read: str | Callable[[Any], float] | None) -> float:
    """The number a tool result holds: `read` is a key path ("rows.0.mean") or a function of the value."""
    if callable(read):
        return float(read(value))
    if read:
        first = read.split(".")[0]
        if isinstance(value, dict) and first not in value and len(value.get("values", [])) == 1:
            value = value["values"][0]  # a one-row table (a kept dim of size 1) holds the same number
        for key in read.split("."):
            value = value[int(key)] if isinstance(value, list) else value[key]
        return float(value)
    if isinstance(value, dict) and "value" in value:
        return float(value["value"])
    return float(value)


def within(case: rc.Case, want: float, got: float) -> bool:
    return abs(got - want) <= case.allowed(want) + 1e-12 * max(1.0, abs(want))


# -- cases ---------------------------------------------------------------------------------------------

def select(patterns: str | None, files: str | None, limit: int | None) -> list[rc.Case]:
    """Cases by id/glob/kind/grid (--cases), by file (--files); --limit N takes N spread over the files."""
    cases = list(rc.CASES)
    if patterns:
        pats = [p.strip() for p in patterns.split(",") if p.strip()]
        cases = [c for c in cases if any(fnmatch.fnmatch(c.id, p) or p in (c.kind, c.grid) for p in pats)]
    if files:
        names = {f.strip() for f in files.split(",") if f.strip()}
        cases = [c for c in cases if c.file in names or Path(c.file).stem in names]
    if limit is None or limit >= len(cases):
        return cases
    by_file: dict[str, list[rc.Case]] = {}
    for c in cases:
        by_file.setdefault(c.file, []).append(c)
    chosen: list[rc.Case] = []
    i = 0
    while len(chosen) < limit:
        for group in by_file.values():
            if i < len(group) and len(chosen) < limit:
                chosen.append(group[i])
        i += 1
    files = list(by_file)
    return sorted(chosen, key=lambda c: files.index(c.file))  # a file's cases together: its prompt stays cached


def wants(cases: list[rc.Case]) -> dict[str, float]:
    out = {}
    for c in cases:
        try:
            out[c.id] = c.want()
        except Exception as exc:  # a broken reference is a bench bug: say so, skip the case
            print(f"! {c.id}: cannot compute the expected value: {type(exc).__name__}: {exc}", file=sys.stderr)
    return out


# -- the tool ceiling ------------------------------------------------------------------------------------

def ceiling_record(case: rc.Case, want: float) -> dict:
    rec: dict[str, Any] = {"case": case.id, "file": case.file, "grid": case.grid, "kind": case.kind,
                           "expected": want, "ok": False, "got": None, "why": ""}
    if case.call is None:
        rec["why"] = "no direct tool call written for this case"
        return rec
    try:
        result = registry_for(case.file).call(case.call["name"], case.call.get("arguments", {}))
    except Exception as exc:  # the app could not even open the file, or the registry raised
        rec["why"] = f"{type(exc).__name__}: {exc}"
        return rec
    rec["result"] = result.text[:400]
    if not result.ok:
        rec["why"] = f"refused/failed: {result.error}"
        return rec
    try:
        rec["got"] = read_number(result.value, case.read)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        rec["why"] = f"cannot read the number ({case.read!r}): {type(exc).__name__}: {exc}"
        return rec
    rec["ok"] = within(case, want, rec["got"])
    if not rec["ok"]:
        rec["why"] = f"returned {rec['got']:.6g}, expected {want:.6g} ± {case.allowed(want):.3g}"
    return rec


def run_ceiling(cases: list[rc.Case]) -> list[dict]:
    values = wants(cases)
    return [ceiling_record(c, values[c.id]) for c in cases if c.id in values]


def ceiling_tables(recs: list[dict]) -> str:
    lines = [f"Tool ceiling: {sum(r['ok'] for r in recs)}/{len(recs)} = {_pct(recs, 'ok')}% of the cases are "
             "answered within tolerance by their direct tool call", ""]
    lines += _group_table(recs, "file", [("ceiling %", lambda g: _pct(g, "ok"))])
    lines += [""] + _group_table(recs, "grid", [("ceiling %", lambda g: _pct(g, "ok"))])
    lines += [""] + _group_table(recs, "kind", [("ceiling %", lambda g: _pct(g, "ok"))])
    failed = [r for r in recs if not r["ok"]]
    if failed:
        lines += ["", f"Failing direct calls ({len(failed)}):", "", "| case | file | why |", "|---|---|---|"]
        lines += [f"| {r['case']} | {r['file']} | {_cell(r['why'])} |" for r in failed]
    return "\n".join(lines)


# -- the model run ---------------------------------------------------------------------------------------

def judge(case: rc.Case, want: float, answer: str, known: list) -> dict:
    """correct (a ✓ number within tolerance), any number within tolerance, and ✓-marked wrong numbers."""
    from toolloop.numbers import check_numbers

    checked = check_numbers(answer, known)
    marked, wrong_marked = [], []
    for c in checked:
        value = c.value if c.value is not None else _value(c.text)  # "19.6°S" is -19.6
        if value is None or not c.found:
            continue
        hit = within(case, want, value)
        marked.append({"text": c.text, "source": c.source, "hit": hit, "loose": hit and not _as_written(want, c.text)})
        if not hit and not _from_user(c.source):
            wrong_marked.append(c.text)
    correct = any(m["hit"] for m in marked)
    return {"correct": correct, "loose": correct and not any(m["hit"] and not m["loose"] for m in marked),
            "number_in_tolerance": any(within(case, want, float(n)) for n in answer_numbers(answer))
            or any(c.value is not None and within(case, want, c.value) for c in checked),
            "marked": marked, "checked": [{"text": c.text, "found": c.found} for c in checked],
            "check_wrong": (not correct) and bool(wrong_marked), "wrong_marked": wrong_marked}


def _as_written(want: float, text: str) -> bool:
    """Whether a number as written is the reference to its written digits, or within 0.02 % of it (a hit that is
    not may be another selection's value that falls within the tolerance: 1 January's maximum SST quoted for 3
    January was)."""
    t = _plain(text)
    try:
        value = float(t)
    except ValueError:
        return True  # a date or a position in words: the tolerance is the check
    decimals = len(t.split(".")[1]) if "." in t else 0
    value, want = abs(value), abs(want)  # "19.6°S" is written without its sign
    # 2e-4: float32 sums of thousands of values differ from the float64 reference in the fifth digit
    return abs(value - want) <= 0.5 * 10.0 ** -decimals * (1 + 1e-6) or math.isclose(value, want, rel_tol=2e-4)


def _from_user(source: str) -> bool:
    return source == "your question" or source.startswith("the arguments of")


def _plain(text: str) -> str:
    """A number as written, without thousands commas and percent sign, with an ASCII minus."""
    return text.replace(",", "").replace("−", "-").replace("%", "").strip()


def _value(text: str) -> float | None:
    t = _plain(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return float(t[:4])
    try:
        return float(t)
    except ValueError:
        return None


def run_model_case(model: Any, case: rc.Case, want: float, timeout_s: float, hard_timeout_s: float) -> dict:
    from generation import Sampling
    from toolloop import ANSWER_MODES, ToolLoop
    from toolloop.record import call_records

    rec: dict[str, Any] = {"case": case.id, "file": case.file, "grid": case.grid, "kind": case.kind,
                           "question": case.question, "expected": want, "correct": False, "check_wrong": False,
                           "answer": "", "error": "", "stopped": ""}
    start = time.perf_counter()
    try:
        registry = registry_for(case.file)
        loop = ToolLoop(model, registry, [{"role": "user", "content": case.question}],
                        Sampling(max_new_tokens=PAGE_MAX_NEW_TOKENS), enabled=set(registry.enabled_names),
                        max_steps=PAGE_MAX_STEPS, timeout_s=timeout_s, answer_mode=ANSWER_MODES[0],
                        constrained=PAGE_CONSTRAINED)
        events = loop.run()
        try:
            for _ in events:
                if time.perf_counter() - start > hard_timeout_s:
                    rec["stopped"] = "hard_timeout"
                    break
        finally:
            events.close()
        rec["stopped"] = rec["stopped"] or loop.stopped
        rec["answer"] = loop.answer
        rec["calls"] = call_records(loop.steps, result_chars=300)
        rec["tools_offered"] = len(registry.enabled_names)
        if rec["stopped"] != "hard_timeout":
            rec.update(judge(case, want, loop.answer, loop.known()))
    except Exception as exc:  # counts as wrong; keep going
        rec["error"] = f"{type(exc).__name__}: {exc}"
        rec["traceback"] = traceback.format_exc()[-2000:]
    rec["seconds"] = round(time.perf_counter() - start, 2)
    return rec


def model_tables(records: list[dict], ceiling: list[dict] | None) -> str:
    n = len(records)
    wrong_marked = [r for r in records if r.get("check_wrong")]
    lines = [f"Model answers: {sum(bool(r['correct']) for r in records)}/{n} correct = {_pct(records, 'correct')}% "
             f"(a ✓-marked number within tolerance); a number within tolerance but not ✓: "
             f"{sum(bool(r.get('number_in_tolerance')) and not r['correct'] for r in records)}; "
             f"wrong answers with a ✓-marked number: {len(wrong_marked)}; errors/timeouts: "
             f"{sum(bool(r['error']) or r['stopped'] == 'hard_timeout' for r in records)}; "
             f"mean {sum(r['seconds'] for r in records) / max(n, 1):.1f} s/case"]
    loose = [r["case"] for r in records if r.get("loose")]
    lines.append(f"Correct answers whose ✓ number is within tolerance but not the reference to its written digits "
                 f"(look at each: another selection's value can fall within the tolerance): {len(loose)}"
                 + (f" ({', '.join(loose)})" if loose else ""))
    if ceiling is not None:
        ok = {r["case"]: r["ok"] for r in ceiling}
        sub = [r for r in records if r["case"] in ok]
        lines.append(f"Tool ceiling over the same cases: {sum(ok[r['case']] for r in sub)}/{len(sub)}")
    cols = [("correct %", lambda g: _pct(g, "correct")),
            ("✓-wrong", lambda g: sum(bool(r.get("check_wrong")) for r in g)),
            ("s/case", lambda g: f"{sum(r['seconds'] for r in g) / len(g):.1f}")]
    for key in ("file", "grid", "kind"):
        lines += [""] + _group_table(records, key, cols)
    if wrong_marked:
        lines += ["", "Wrong answers carrying a ✓:", "",
                  "| case | expected | ✓ numbers | answer |", "|---|---|---|---|"]
        lines += [f"| {r['case']} | {r['expected']:.6g} | {', '.join(r['wrong_marked'])} | {_cell(r['answer'][:160])} |"
                  for r in wrong_marked]
    return "\n".join(lines)


# -- summaries -------------------------------------------------------------------------------------------

def summary_record(path: Path, model: Any | None) -> dict:
    import encoders
    import tools

    rec: dict[str, Any] = {"file": path.name, "opens": False, "encodes": False, "tokens": None, "tools": [],
                           "why_no_tools": "", "error": ""}
    try:
        obj = open_app(path.name)
        rec["opens"] = True
    except Exception as exc:
        rec["error"] = f"open: {type(exc).__name__}: {exc}"
        return rec
    try:
        registry = tools.default_registry(obj)
        calculators = {fn.__name__ for fn in tools.CALCULATORS}
        rec["tools"] = [n for n in registry.enabled_names if n not in calculators]
        if not set(rec["tools"]) - METADATA_TOOLS:
            rec["why_no_tools"] = "; ".join(f"{n}: {why}" for n, why in registry.skipped.items()) or "none registered"
    except Exception as exc:
        rec["why_no_tools"] = f"registry failed: {type(exc).__name__}: {exc}"
    count = model.backend.count_tokens if model is not None else encoders.approx_tokens
    try:
        enc = encoders.encode(obj, encoders.DEFAULT_STRATEGY, SUMMARY_BUDGET, count, title=path.name)
        rec.update(encodes=True, tokens=enc.tokens, facts=len(enc.facts), omitted=enc.omitted)
    except Exception as exc:
        rec["error"] = f"encode: {type(exc).__name__}: {exc}"
        return rec
    if model is not None:
        rec.update(summarize(model, enc, obj))
    return rec


def summarize(model: Any, enc: Any, obj: Any) -> dict:
    """Generate the summary as the Summarize page does, check its numbers, count ✓-marked misattributions."""
    from encoders.prompts import dataset_messages
    from generation import Sampling
    from toolloop.numbers import check_numbers

    start = time.perf_counter()
    text = "".join(model.stream_chat(dataset_messages(enc), Sampling(max_new_tokens=SUMMARY_MAX_NEW_TOKENS)))
    known = page_known(enc, obj)
    checked = check_numbers(text, known)
    mis = misattributions(text, checked, known, obj)
    return {"summary": text, "seconds": round(time.perf_counter() - start, 1),
            "checked": len(checked), "marked": sum(c.found for c in checked), "misattributed": mis}


def page_known(enc: Any, obj: Any) -> list:
    """The facts the Summarize page checks an answer against, each with the variable it is about."""
    from toolloop.numbers import known_from_facts, names_of

    return known_from_facts(enc.facts, names_of(obj))


def _subject_names(obj: Any) -> dict[str, list[str]]:
    """Each variable or coordinate -> the words that name it in a sentence (its name, its long name)."""
    names: dict[str, list[str]] = {}
    for name in [*getattr(obj, "data_vars", []), *getattr(obj, "coords", [])]:
        words = [str(name)]
        long = str(obj[name].attrs.get("long_name", "")).strip()
        if long and len(long) > 3:
            words.append(long)
        names[str(name)] = words
    return names


def _fact_subject(key: str) -> str | None:
    m = re.match(r"^(?:var|coord|column):(.+?)(?:\.[A-Za-z_]+)?(?:\[[^\]]*\])?$", key)
    return m.group(1) if m else None


def misattributions(text: str, checked: list, known: list, obj: Any) -> list[dict]:
    """✓ numbers whose sentence names variables, none of which has a fact with that value."""
    from toolloop.numbers import check_numbers

    names = _subject_names(obj)
    out = []
    for c in checked:
        if not c.found:
            continue
        start = max(text.rfind(p, 0, c.start) for p in (". ", "\n", "! ", "? ")) + 1
        ends = [e for e in (text.find(p, c.end) for p in (". ", "\n")) if e >= 0]
        sentence = text[start:min(ends) if ends else len(text)]
        named = {v for v, words in names.items()
                 if any(re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", sentence,
                                  0 if len(w) <= 3 else re.IGNORECASE) for w in words)}
        if not named:
            continue
        subjects = {getattr(k, "variable", "") or _fact_subject(k.source) for k in known
                    if any(x.found for x in check_numbers(c.text, [k]))}
        subjects.discard("")
        subjects.discard(None)
        if subjects and not subjects & named:
            out.append({"number": c.text, "sentence": sentence.strip()[:200], "named": sorted(named),
                        "is_fact_of": sorted(subjects)})
    return out


def summary_table(recs: list[dict], with_model: bool) -> str:
    head = "| file | opens | encodes | tokens | facts | dataset tools offered (or why none) |"
    sep = "|---|---|---|---|---|---|"
    if with_model:
        head += " ✓ / numbers | ✓ misattributed | s |"
        sep += "---|---|---|"
    lines = [head, sep]
    for r in recs:
        tools_cell = ", ".join(r["tools"]) or "none"
        if r["why_no_tools"] or r["error"]:
            tools_cell += f" (no computing tool: {r['why_no_tools'] or r['error']})"
        row = (f"| {r['file']} | {'yes' if r['opens'] else 'NO'} | {'yes' if r['encodes'] else 'NO'} | "
               f"{r['tokens'] if r['tokens'] is not None else '-'} | {r.get('facts', '-')} | {_cell(tools_cell)} |")
        if with_model:
            row += (f" {r.get('marked', '-')}/{r.get('checked', '-')} | {len(r.get('misattributed', []))} | "
                    f"{r.get('seconds', '-')} |")
        lines.append(row)
    problems = [r for r in recs if r["error"]]
    lines.append("")
    lines.append(f"{sum(r['opens'] for r in recs)}/{len(recs)} open, {sum(r['encodes'] for r in recs)}/{len(recs)} "
                 f"encode, {sum(bool(set(r['tools']) - METADATA_TOOLS) for r in recs)}/{len(recs)} "
                 "offer tools that compute "
                 "from the values")
    if with_model:
        lines.append(f"✓-marked misattributions over all summaries: "
                     f"{sum(len(r.get('misattributed', [])) for r in recs)}")
        for r in recs:
            for m in r.get("misattributed", []):
                lines.append(f"- {r['file']}: {m['number']} is a fact of {', '.join(m['is_fact_of'])}, the sentence "
                             f"names {', '.join(m['named'])}: \"{m['sentence']}\"")
    for r in problems:
        lines.append(f"- {r['file']}: {r['error']}")
    return "\n".join(lines)


# -- tables ----------------------------------------------------------------------------------------------

def _pct(recs: list[dict], key: str) -> str:
    return f"{100 * sum(bool(r.get(key)) for r in recs) / len(recs):.0f}" if recs else "-"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _group_table(recs: list[dict], key: str, cols: list[tuple[str, Callable[[list[dict]], Any]]]) -> list[str]:
    groups: dict[str, list[dict]] = {}
    for r in recs:
        groups.setdefault(r[key], []).append(r)
    lines = [f"| {key} | n | " + " | ".join(c for c, _ in cols) + " |", "|---|---|" + "---|" * len(cols)]
    for name in sorted(groups):
        g = groups[name]
        lines.append(f"| {name} | {len(g)} | " + " | ".join(str(fn(g)) for _, fn in cols) + " |")
    return lines


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)"
    except OSError:
        return "unknown"


# -- main ------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ceiling", action="store_true", help="direct tool calls only, no model")
    p.add_argument("--summaries", action="store_true", help="open/encode/tools per file (summaries with --model)")
    p.add_argument("--model", default=None, help=f"model id (default for the question run: {DEFAULT_MODEL})")
    p.add_argument("--limit", type=int, help="at most N cases, spread over the files")
    p.add_argument("--cases", help="comma-separated ids, globs, question kinds or grid kinds")
    p.add_argument("--files", help="comma-separated file names (with or without .nc)")
    p.add_argument("--out", type=Path, default=None, help="JSON of every record (appended per case; resumes)")
    p.add_argument("--fresh", action="store_true", help="ignore records already in --out")
    p.add_argument("--timeout", type=float, default=120.0, help="ToolLoop timeout_s (checked between steps)")
    p.add_argument("--hard-timeout", type=float, default=300.0, help="stop a case mid-generation after this")
    p.add_argument("--prompt-cache", choices=("ram", "off"), default="ram")
    p.add_argument("--report", nargs="+", type=Path, help="print the tables of stored model runs and exit")
    p.add_argument("--show-expected", action="store_true", help="print every case's expected value and exit")
    args = p.parse_args(argv)
    print(f"load average: {load_average()}", flush=True)

    if args.report:
        recs = [r for r in load_records(args.report) if "correct" in r]
        print(model_tables(recs, None))
        return 0
    cases = select(args.cases, args.files, args.limit)
    if args.show_expected:
        values = wants(cases)
        for c in cases:
            print(f"{c.id:28} {c.grid:13} {c.kind:14} {values.get(c.id)!r:>24}  "
                  f"call={c.call['name'] if c.call else '-'}")
        return 0

    if args.summaries:
        model = load_model(args.model, args.prompt_cache) if args.model else None
        paths = sorted(rc.REALDATA.glob("*.nc"))
        if args.files:
            names = {f.strip() for f in args.files.split(",")}
            paths = [q for q in paths if q.name in names or q.stem in names]
        recs = []
        for path in paths:
            recs.append(summary_record(path, model))
            print(f"  {path.name}: opens={recs[-1]['opens']} encodes={recs[-1]['encodes']} "
                  f"tools={len(recs[-1]['tools'])}", file=sys.stderr, flush=True)
        print(summary_table(recs, model is not None))
        if args.out:
            save(args.out, recs, {"mode": "summaries", "model": args.model, "argv": sys.argv[1:]})
        if not args.ceiling:
            return 0

    ceiling = run_ceiling(cases)
    if args.ceiling:
        print(ceiling_tables(ceiling))
        if args.out and not args.summaries:
            save(args.out, ceiling, {"mode": "ceiling", "argv": sys.argv[1:]})
        return 0

    model_id = args.model or DEFAULT_MODEL
    out = args.out or Path("/tmp/realdata_eval.json")
    records = [] if args.fresh else [r for r in load_records([out]) if r.get("model") == model_id]
    done = {r["case"] for r in records}
    values = wants(cases)
    todo = [c for c in cases if c.id not in done and c.id in values]
    meta = {"model": model_id, "argv": sys.argv[1:], "max_steps": PAGE_MAX_STEPS,
            "max_new_tokens": PAGE_MAX_NEW_TOKENS, "load_average_at_start": load_average(),
            "tool_schemas": "short" if short_schemas() else "full"}
    if todo:
        model = load_model(model_id, args.prompt_cache)
        for i, c in enumerate(todo, 1):
            rec = run_model_case(model, c, values[c.id], args.timeout, args.hard_timeout)
            rec["model"] = model_id
            records.append(rec)
            save(out, records, meta)
            flag = "ERR " + rec["error"] if rec["error"] else ("✓" if rec["correct"] else
                                                               "✗ (✓-wrong)" if rec["check_wrong"] else "✗")
            print(f"[{i}/{len(todo)}] {c.id}: {flag} {rec['seconds']:.0f}s want={values[c.id]:.6g} | "
                  f"{rec['answer'][:160]!r}", file=sys.stderr, flush=True)
    selected = {c.id for c in cases}
    print(model_tables([r for r in records if r["case"] in selected], ceiling))
    print(f"\nanswers: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
