"""Tool-call evaluation (issue 4): does a model pick the right tool, fill valid arguments, and answer right?

    python bench/tool_eval.py --limit 3                                 # smoke run, default model
    python bench/tool_eval.py --models qwen2.5-coder-1.5b --constrained both --out /tmp/tool_eval_1.5b.json
    python bench/tool_eval.py --models qwen2.5-coder-0.5b --constrained none --cases 'calc-*' \
        --answer-modes plain_result,no_tools,repeat_guard --out /tmp/tool_eval_modes.json
    python bench/tool_eval.py --report /tmp/tool_eval_*.json            # tables only, no model
    GEOLLM_THREADS=1 python bench/tool_eval.py ...     # much faster when other jobs share the 2 cores
    python bench/tool_eval.py --show-expected                           # the expected values, no model

Cases live in bench/tool_cases.json: calculator questions with their exact expected number, and questions
over the sample datasets whose expected value this script computes with pandas/xarray at run time from a
small declarative spec ({"op": "max", "column": "precipitation", "period": [...]}, see `expected()`);
nothing is eval'ed. Each case runs through toolloop.ToolLoop exactly as the app does, with the
registry built on that case's sample (`default_registry(open_sample(id))`, calculators only for
calculator cases) and only the case's *tool set* enabled (tool_sets in the case file: all 8 calculators
for calculator cases; for a dataset the 3-5 dataset tools its questions need plus `calculate` as a
distractor) - the full schema set is ~4,000 tokens, which makes small models slow and worse.
`--page-tools` measures the Tools page's default instead: every dataset tool the data supports plus
`calculate` and `convert_units` (all 8 calculators for calculator cases).

Scores per case:
  right tool   the first call of the first step names one of the case's accepted tools
  valid args   that first call validated and ran (ToolResult.ok)
  correct      ANY number in the final answer is within tolerance of the expected value (thousands
               separators allowed); date cases compare dates at the expected precision (day / month;
               "March 5th" takes the year of the question when it names exactly one)
  app-composed (reported, not a score) the model wrote no answer after its calls, so the app stated
               the tool results itself (ToolLoop's fallback); such an answer can still be correct
A case that raises, or runs past --hard-timeout (the loop is closed mid-generation), counts as wrong.

Records are appended to --out after every case; rerunning with the same --out skips what is done
(--fresh to start over), so a long run can be interrupted. Cases of one tool set run together, and with
--prompt-cache ram (default) the app's llama.cpp RAM state cache lets each case reuse the tool-schema prefill of
the previous one - the app's single-sequence cache loses it to the answer step - so s/case is lower
than a cold question in the app.
"""
from __future__ import annotations

import argparse
import calendar
import fnmatch
import json
import re
import sys
import tempfile
import time
import traceback
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES_FILE = Path(__file__).with_name("tool_cases.json")
MODELS = ("smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b")
ANSWER_MODES = ("plain_result", "no_tools", "repeat_guard")


# -- cases and expected values -------------------------------------------------------------------

def load_cases(path: Path = CASES_FILE) -> tuple[dict[str, list[str]], list[dict]]:
    spec = json.loads(path.read_text(encoding="utf-8"))
    cases = spec["cases"]
    ids = [c["id"] for c in cases]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate case ids")
    for c in cases:
        c.setdefault("kind", "number")
        c.setdefault("tool_set", c.get("sample", "calculators"))
        if ("expected" in c) == ("compute" in c):
            raise ValueError(f"{c['id']}: give exactly one of expected / compute")
        if "sample" in c and "expected" in c:
            raise ValueError(f"{c['id']}: dataset cases must compute their expected value")
        if c["tool_set"] not in spec["tool_sets"]:
            raise ValueError(f"{c['id']}: unknown tool_set {c['tool_set']!r}")
    return spec["tool_sets"], cases


_SAMPLES: dict[str, Any] = {}


def sample(sample_id: str) -> Any:
    if sample_id not in _SAMPLES:
        import data

        _SAMPLES[sample_id] = data.open_sample(sample_id)
    return _SAMPLES[sample_id]


def _bounds(period: list[str] | None, tz: Any) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """[first day 00:00, day after the last day 00:00) in the data's time zone."""
    if not period:
        return None
    lo, hi = pd.Timestamp(period[0]), pd.Timestamp(period[1]) + pd.Timedelta(days=1)
    if tz is not None:
        lo, hi = lo.tz_localize(tz), hi.tz_localize(tz)
    return lo, hi


def _table_series(df: pd.DataFrame, column: str, period: list[str] | None) -> tuple[pd.Series, pd.Series]:
    time_col = next(c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c].dtype))
    times = df[time_col]
    keep = np.ones(len(df), dtype=bool)
    b = _bounds(period, times.dt.tz)
    if b:
        keep = ((times >= b[0]) & (times < b[1])).to_numpy()
    values, times = df[column][keep], times[keep]
    valid = values.notna().to_numpy()
    return values[valid], times[valid]


def _decade_slope(times: pd.Series | pd.DatetimeIndex, values: np.ndarray) -> float:
    t = pd.DatetimeIndex(times)
    if t.tz is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    years = (t - pd.Timestamp("2000-01-01")) / pd.Timedelta(days=365.2425)
    return float(np.polyfit(np.asarray(years, dtype=float), np.asarray(values, dtype=float), 1)[0] * 10)


def _fmt_date(ts: pd.Timestamp, precision: str) -> str:
    return ts.strftime("%Y-%m-%d" if precision == "day" else "%Y-%m")


def _table_expected(df: pd.DataFrame, s: dict) -> float | str:
    op = s["op"]
    if op == "anomaly":
        v, t = _table_series(df, s["column"], None)
        monthly = pd.Series(v.to_numpy(), index=pd.DatetimeIndex(t)).resample("MS").mean().dropna()
        target = pd.Timestamp(s["month"] + "-01")
        same = monthly[monthly.index.month == target.month]
        return float(monthly[target] - same.mean())
    v, t = _table_series(df, s["column"], s.get("period"))
    if op in ("max", "min", "mean", "sum", "median"):
        return float(getattr(v, op)())
    if op == "std":
        return float(v.std(ddof=1))
    if op == "quantile":
        return float(v.quantile(s["q"]))
    if op == "count_above":
        return int((v > s["threshold"]).sum())
    if op == "count_below":
        return int((v < s["threshold"]).sum())
    if op in ("argmax_date", "argmin_date"):
        pos = int(np.argmax(v.to_numpy()) if op == "argmax_date" else np.argmin(v.to_numpy()))
        return _fmt_date(pd.Timestamp(t.iloc[pos]), s.get("precision", "day"))
    if op == "corr":
        both = df[[s["column"], s["column_b"]]].dropna()
        return float(np.corrcoef(both[s["column"]], both[s["column_b"]])[0, 1])
    if op == "trend_per_decade":
        return _decade_slope(t, v.to_numpy())
    raise ValueError(f"unknown table op {op!r}")


def _coord(da: Any, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in da.coords), None)


def _grid_select(ds: Any, s: dict) -> Any:
    da = ds[s["variable"]]
    lat, lon = _coord(da, ("lat", "latitude")), _coord(da, ("lon", "longitude"))
    if s.get("lat"):
        lo, hi = s["lat"]
        da = da.where((da[lat] >= lo) & (da[lat] <= hi), drop=True)
    if s.get("lon"):  # eastward from lon[0] to lon[1], either longitude convention
        west, east = s["lon"]
        da = da.where(((da[lon] - west) % 360) <= (east - west) % 360, drop=True)
    if s.get("period"):
        lo, hi = _bounds(s["period"], None)
        da = da.sel(time=slice(lo, hi - pd.Timedelta(microseconds=1)))
    return da


def _grid_expected(ds: Any, s: dict) -> float | str:
    op = s["op"]
    da = _grid_select(ds, s).load()
    lat = _coord(da, ("lat", "latitude"))
    if op in ("max", "min", "mean"):
        return float(getattr(da, op)(skipna=True))
    if op == "count_above":
        return int((da > s["threshold"]).sum())
    if op == "count_below":
        return int((da < s["threshold"]).sum())
    weights = np.cos(np.deg2rad(da[lat].astype(float)))
    if op == "weighted_mean":  # sum(w x) / sum(w) over the valid points only
        w = weights.broadcast_like(da).where(da.notnull())
        return float((da * w).sum() / w.sum())
    if op == "trend_per_decade":
        space = [d for d in da.dims if d != "time"]
        w = weights.broadcast_like(da).where(da.notnull())
        series = ((da * w).sum(space) / w.sum(space)).dropna("time")
        return _decade_slope(pd.DatetimeIndex(series["time"].values), series.values)
    raise ValueError(f"unknown grid op {op!r}")


def expected(case: dict) -> float | int | str:
    if "expected" in case:
        return case["expected"]
    obj = sample(case["sample"])
    return (_table_expected if isinstance(obj, pd.DataFrame) else _grid_expected)(obj, case["compute"])


# -- reading answers -----------------------------------------------------------------------------

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO = re.compile(r"(?<!\d)(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?(?!\d)")
_US = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")
_MDY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)
_MY = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(?:of\s+)?(\d{{4}})\b", re.I)
_MD = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s+\d{{4}})", re.I)  # no year
_DM = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b(?!\.?,?\s+\d{{4}})", re.I)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_SCI = re.compile(r"(?<![\w.])([-−]?\d+(?:\.\d+)?)\s*(?:×|x|\*)\s*10\s*(?:\^|\*\*)\s*\(?([-−+]?\d+)\)?")
_NUM = re.compile(r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")


def answer_dates(text: str, question: str = "") -> set[str]:
    """Every date the answer states, as YYYY-MM-DD (and YYYY-MM for month-only mentions).

    A date without a year ("March 5th") takes the year of the question when it names exactly one.
    """
    out: set[str] = set()

    def add(y: str, m: int, d: int | None) -> None:
        if 1 <= m <= 12:
            out.add(f"{int(y):04d}-{m:02d}")
            if d and 1 <= d <= 31:
                out.add(f"{int(y):04d}-{m:02d}-{d:02d}")

    for y, m, d in _ISO.findall(text):
        add(y, int(m), int(d) if d else None)
    for m, d, y in _US.findall(text):
        add(y, int(m), int(d))
    for mon, d, y in _MDY.findall(text):
        add(y, _MONTHS[mon.lower()], int(d))
    for d, mon, y in _DMY.findall(text):
        add(y, _MONTHS[mon.lower()], int(d))
    for mon, y in _MY.findall(text):
        add(y, _MONTHS[mon.lower()], None)
    years = set(_YEAR.findall(question))
    if len(years) == 1:
        (y,) = years
        for mon, d in _MD.findall(text):
            add(y, _MONTHS[mon.lower()], int(d))
        for d, mon in _DM.findall(text):
            add(y, _MONTHS[mon.lower()], int(d))
    return out


def answer_numbers(text: str) -> list[Decimal]:
    """Every number in the answer (1,234.5 · -3 · 2.1e-05 · 2.1 × 10^-5), dates removed first."""
    text = text.replace("**", " ") if "10**" not in text else text
    text = _ISO.sub(" ", text)
    text = _US.sub(" ", text)
    numbers = []
    for mant, exp in _SCI.findall(text):
        try:
            numbers.append(Decimal(mant.replace("−", "-")) * Decimal(10) ** int(exp.replace("−", "-")))
        except (InvalidOperation, ValueError):
            pass
    for m in _NUM.finditer(text):
        try:
            numbers.append(Decimal(m.group(0).replace(",", "").replace("−", "-")))
        except InvalidOperation:
            pass
    return numbers


def is_correct(case: dict, want: Any, answer: str) -> bool:
    if case["kind"] == "date":
        return str(want) in answer_dates(answer, case["question"])
    tol = case.get("tolerance", {"rel": 0.005})
    target = Decimal(str(want))
    allowed = max(Decimal(str(tol.get("abs", 0))), Decimal(str(tol.get("rel", 0))) * abs(target))
    return any(abs(n - target) <= allowed for n in answer_numbers(answer))


# -- running -------------------------------------------------------------------------------------

def select_cases(cases: list[dict], patterns: list[str] | None, limit: int | None) -> list[dict]:
    """Cases matching --cases (ids, globs or category names); --limit N keeps N, round-robin over categories."""
    if patterns:
        cases = [c for c in cases if any(fnmatch.fnmatch(c["id"], p) or c["category"] == p for p in patterns)]
    if limit is None or limit >= len(cases):
        return cases
    by_cat: dict[str, list[dict]] = {}
    for c in cases:
        by_cat.setdefault(c["category"], []).append(c)
    chosen, i = [], 0
    while len(chosen) < limit:
        for group in by_cat.values():
            if i < len(group) and len(chosen) < limit:
                chosen.append(group[i])
        i += 1
    order = {c["id"]: n for n, c in enumerate(cases)}
    return sorted(chosen, key=lambda c: order[c["id"]])


def _key(rec: dict) -> tuple:
    return rec["model"], rec["constrained"], rec["answer_mode"], rec["case"]


def load_records(paths: list[Path]) -> list[dict]:
    records = []
    for p in paths:
        if p.exists():
            records += json.loads(p.read_text(encoding="utf-8")).get("records", [])
    return records


def save(out: Path, records: list[dict], meta: dict) -> None:
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(json.dumps({"meta": meta, "records": records}, indent=1, default=str), encoding="utf-8")
    tmp.replace(out)


def run_case(model: Any, case: dict, want: Any, tool_sets: dict | None, constrained: bool, answer_mode: str,
             timeout_s: float, hard_timeout_s: float, max_new_tokens: int) -> dict:
    """One case through the ToolLoop; tool_sets None keeps the registry's default tools (the page's default)."""
    import tools
    from generation import Sampling
    from toolloop import ToolLoop
    from toolloop.record import steps_records

    rec: dict[str, Any] = {"case": case["id"], "category": case["category"], "expected": want,
                           "accepted_tools": case["tools"], "right_tool": False, "valid_args": False,
                           "correct": False, "error": "", "first_call": None, "answer": "", "stopped": ""}
    start = time.perf_counter()
    try:
        registry = tools.default_registry(sample(case["sample"]) if "sample" in case else None)
        enabled = set(registry.enabled) if tool_sets is None else {n for n in tool_sets[case["tool_set"]]
                                                                 if n in registry}
        loop = ToolLoop(model, registry, [{"role": "user", "content": case["question"]}],
                        Sampling(max_new_tokens=max_new_tokens), enabled=enabled, max_steps=4,
                        timeout_s=timeout_s, answer_mode=answer_mode, constrained=constrained)
        events = loop.run()
        try:
            for _kind, _x in events:
                if time.perf_counter() - start > hard_timeout_s:
                    rec["stopped"] = "hard_timeout"
                    break
        finally:
            events.close()  # stops generation and releases the model if we broke out
        rec["stopped"] = rec["stopped"] or loop.stopped
        rec["answer"] = loop.answer
        rec["steps"] = steps_records(loop.steps, text_chars=600, result_chars=300)
        first = loop.steps[0] if loop.steps else None
        if first and first.calls:
            call, result = first.calls[0], first.results[0]
            rec["first_call"] = {"name": call.name, "arguments": call.arguments, "parse_error": call.error,
                                 "ok": result.ok, "error": result.error}
            rec["right_tool"] = call.name in case["tools"]
            rec["valid_args"] = bool(result.ok)
        rec["n_calls"] = sum(len(s.calls) for s in loop.steps)
        rec["composed"] = loop.answer.startswith("The model did not write an answer")
        rec["correct"] = rec["stopped"] != "hard_timeout" and is_correct(case, want, loop.answer)
    except Exception as exc:  # count as wrong, keep going
        rec["error"] = f"{type(exc).__name__}: {exc}"
        rec["traceback"] = traceback.format_exc()[-2000:]
    rec["seconds"] = round(time.perf_counter() - start, 2)
    return rec


def load_model(model_id: str, prompt_cache: str) -> Any:
    from generation import POOL, load_models

    model = POOL.get(load_models().get(model_id), "llama.cpp")
    llm = getattr(model.backend, "llm", None)
    if llm is not None and prompt_cache == "off":
        llm.set_cache(None)  # "ram" keeps the app's own cache (GEOLLM_PROMPT_CACHE_MB)
    return model


# -- reporting -----------------------------------------------------------------------------------

def _pct(recs: list[dict], key: str) -> str:
    return f"{100 * sum(bool(r.get(key)) for r in recs) / len(recs):.0f}" if recs else "-"


def rescore(records: list[dict]) -> list[dict]:
    """Score every stored answer with this version's scorer (records of earlier runs included)."""
    try:
        by_id = {c["id"]: c for c in load_cases()[1]}
    except (OSError, ValueError, KeyError):
        return records
    for r in records:
        case = by_id.get(r["case"])
        if case is not None and not r["error"] and r["stopped"] != "hard_timeout":
            r["correct"] = is_correct(case, r["expected"], r["answer"])
    return records


def tables(records: list[dict]) -> str:
    records = rescore(records)
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault((r["model"], r["constrained"], r["answer_mode"]), []).append(r)
    order = {m: i for i, m in enumerate(MODELS)}
    keys = sorted(groups, key=lambda k: (order.get(k[0], 9), k[2] != "plain_result", k[2], k[1]))
    lines = ["| model | constrained | answer mode | cases | right tool % | valid args % | correct answer % "
             "| app-composed % | errors/timeouts | mean s/case |", "|---|---|---|---|---|---|---|---|---|---|"]
    for k in keys:
        g = groups[k]
        bad = sum(bool(r["error"]) or r["stopped"] == "hard_timeout" for r in g)
        lines.append(f"| {k[0]} | {'on' if k[1] else 'off'} | {k[2]} | {len(g)} | {_pct(g, 'right_tool')} | "
                     f"{_pct(g, 'valid_args')} | {_pct(g, 'correct')} | {_pct(g, 'composed')} | {bad} | "
                     f"{sum(r['seconds'] for r in g) / len(g):.1f} |")
    lines += ["", "Per category (right tool % / valid args % / correct %, n):", ""]
    cats = sorted({r["category"] for r in records})
    lines.append("| model | constrained | answer mode | " + " | ".join(cats) + " |")
    lines.append("|---|---|---|" + "---|" * len(cats))
    for k in keys:
        cells = []
        for cat in cats:
            g = [r for r in groups[k] if r["category"] == cat]
            cells.append(f"{_pct(g, 'right_tool')}/{_pct(g, 'valid_args')}/{_pct(g, 'correct')} ({len(g)})"
                         if g else "-")
        lines.append(f"| {k[0]} | {'on' if k[1] else 'off'} | {k[2]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- main ----------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", default="qwen2.5-coder-1.5b", help=f"comma-separated, from {', '.join(MODELS)}")
    p.add_argument("--limit", type=int, help="at most N cases, chosen round-robin over categories")
    p.add_argument("--cases", help="comma-separated case ids, globs (calc-*) or category names")
    p.add_argument("--constrained", choices=("off", "on", "both", "none"), default="both",
                   help="grammar-constrained first call, with answer mode plain_result ('none': skip these runs)")
    p.add_argument("--answer-modes", default="",
                   help="also compare these answer modes (comma list or 'all'), constrained off, on the "
                        "calculator cases (calc-*) among the selected ones")
    p.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "tool_eval_results.json")
    p.add_argument("--fresh", action="store_true", help="ignore records already in --out")
    p.add_argument("--timeout", type=float, default=120.0, help="ToolLoop timeout_s (checked between steps)")
    p.add_argument("--hard-timeout", type=float, default=300.0, help="close the loop mid-generation after this")
    p.add_argument("--max-new-tokens", type=int, default=256)
    p.add_argument("--prompt-cache", choices=("ram", "off"), default="ram")
    p.add_argument("--page-tools", action="store_true",
                   help="enable the tools the Tools page enables by default, not the case's tool set")
    p.add_argument("--report", nargs="*", type=Path, help="print the tables of these result files and exit")
    p.add_argument("--show-expected", action="store_true", help="print every case's expected value and exit")
    args = p.parse_args(argv)

    if args.report is not None:
        print(tables(load_records(args.report or [args.out])))
        return 0
    tool_sets, cases = load_cases()
    cases = select_cases(cases, args.cases.split(",") if args.cases else None, args.limit)
    if args.show_expected:
        for c in cases:
            print(f"{c['id']:28} {c['category']:11} {expected(c)!r:>28}  tools={','.join(c['tools'])}")
        return 0

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    constrained = {"off": [False], "on": [True], "both": [False, True], "none": []}[args.constrained]
    modes = list(ANSWER_MODES) if args.answer_modes == "all" else [m for m in args.answer_modes.split(",") if m]
    for m in modes:
        if m not in ANSWER_MODES:
            p.error(f"unknown answer mode {m!r}")
    calc = [c for c in cases if c["id"].startswith("calc-")]
    ordered = sorted(cases, key=lambda c: (c["tool_set"] != "calculators", c["tool_set"]))  # share prefills
    plan = [(m, con, "plain_result", ordered) for m in models for con in constrained]
    plan += [(m, False, mode, calc) for m in models for mode in modes
             if not (mode == "plain_result" and False in constrained)]

    records = [] if args.fresh else load_records([args.out])
    done = {_key(r) for r in records}
    meta = {"cases_file": str(CASES_FILE.relative_to(ROOT)), "argv": sys.argv[1:], "timeout_s": args.timeout,
            "hard_timeout_s": args.hard_timeout, "max_new_tokens": args.max_new_tokens,
            "prompt_cache": args.prompt_cache, "tool_sets": "page default" if args.page_tools else tool_sets}
    wants: dict[str, Any] = {}
    for c in cases:
        try:
            wants[c["id"]] = expected(c)
        except Exception as exc:
            print(f"! {c['id']}: cannot compute the expected value: {exc}", file=sys.stderr)
    total = sum(len(cs) for *_, cs in plan)
    n = 0
    for model_id, con, mode, cs in plan:
        todo = [c for c in cs if (model_id, con, mode, c["id"]) not in done and c["id"] in wants]
        n += len(cs) - len(todo)
        if not todo:
            continue
        model = load_model(model_id, args.prompt_cache)
        for c in todo:
            n += 1
            rec = run_case(model, c, wants[c["id"]], None if args.page_tools else tool_sets, con, mode,
                           args.timeout, args.hard_timeout, args.max_new_tokens)
            rec.update(model=model_id, constrained=con, answer_mode=mode)
            records.append(rec)
            save(args.out, records, meta)
            call = rec["first_call"] or {}
            flag = "ERR " + rec["error"] if rec["error"] else ("✓" if rec["correct"] else "✗")
            print(f"[{n}/{total}] {model_id} c={'on' if con else 'off'} {mode} {c['id']}: "
                  f"call={call.get('name')} ok={call.get('ok')} {flag} {rec['seconds']:.0f}s "
                  f"want={wants[c['id']]!r} | {rec['answer'][:140]!r}", file=sys.stderr, flush=True)
    print(tables(records))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
