"""Tool-loop steps as plain records: the one conversion the pages and the benchmarks share."""
from __future__ import annotations

import json

from generation.types import Stats
from toolloop import ParsedCall, Step
from toolloop.record import call_records, step_record, steps_records
from tools.registry import ToolResult


def step(index: int = 0, stats: Stats | None = None) -> Step:
    call = ParsedCall("multiply", {"a": 2, "b": 3}, raw="multiply(2, 3)")
    bad = ParsedCall("", {}, raw="{oops", error="unreadable JSON")
    results = [ToolResult("multiply", {"a": 2, "b": 3}, True, 6, "6" * 50, duration_s=0.0012),
               ToolResult("", {}, False, None, "", error="no such tool")]
    return Step(index, "x" * 40, [call, bad], results, duration_s=1.23456, stats=stats, constrained=True)


def test_a_step_record_is_plain_json_with_calls_results_and_counts():
    record = step_record(step(2, Stats(prompt_tokens=100, prompt_tokens_evaluated=40, generated_tokens=7)))
    assert json.loads(json.dumps(record)) == record
    assert record == {
        "index": 2, "text": "x" * 40, "constrained": True, "tools_offered": True,
        "calls": [{"name": "multiply", "arguments": {"a": 2, "b": 3}, "error": ""},
                  {"name": "", "arguments": {}, "error": "unreadable JSON"}],
        "results": [{"ok": True, "text": "6" * 50, "error": "", "duration_s": 0.0012},
                    {"ok": False, "text": "", "error": "no such tool", "duration_s": 0.0}],
        "duration_s": 1.23, "prompt_tokens": 100, "prompt_tokens_evaluated": 40, "generated_tokens": 7}


def test_texts_are_cut_when_asked_and_missing_stats_are_none():
    record, = steps_records([step()], text_chars=10, result_chars=5)
    assert record["text"] == "x" * 10 and record["results"][0]["text"] == "66666"
    assert record["prompt_tokens"] is record["generated_tokens"] is None


def test_call_records_pair_each_call_with_its_result():
    assert call_records([step(0), step(1)], result_chars=3) == 2 * [
        {"name": "multiply", "arguments": {"a": 2, "b": 3}, "ok": True, "error": "", "result": "666"},
        {"name": "", "arguments": {}, "ok": False, "error": "no such tool", "result": ""}]
