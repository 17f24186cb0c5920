"""bench/classroom.py in its smallest form (SmolLM2, two students, in-process): it ends by itself with every
request answered and no leak; and its leak check does fail on a call that got another request's stats or text."""
from __future__ import annotations

import sys

from helpers import ROOT, SMALL

sys.path.append(str(ROOT / "bench"))  # last: bench/encoders.py must not shadow the encoders package
import classroom  # noqa: E402


def test_two_students_get_their_own_answers_and_stats(tmp_path):
    out = tmp_path / "cells.jsonl"
    cells = classroom.main(["--config", "inprocess", "--model", SMALL, "--students", "1,2", "--requests", "2",
                            "--max-new-tokens", "8", "--cell-seconds", "120", "--out", str(out)])
    assert [c["students"] for c in cells] == [1, 2]
    for cell in cells:
        assert cell["errors"] == 0, cell["error_lines"]
        assert cell["done"] == cell["planned"] == 2 * cell["students"]
        assert cell["leaks"] == 0, cell["leak_lines"]
        assert cell["checked_calls"] >= cell["done"]  # every request's calls were checked, tool steps included
        assert cell["generated"] > 0
    assert len(out.read_text().splitlines()) == 2
    assert "| inprocess | 2 |" in classroom.table(cells)


def own(student: int, nonce: str, prompt_tokens: int, text: str) -> classroom.Record:
    call = classroom.Call(expected_prompt_tokens=prompt_tokens, prompt_tokens=prompt_tokens, text=text)
    return classroom.Record(student, 0, "generate", nonce, calls=[call])


def test_the_leak_check_catches_another_requests_stats_or_text():
    a, b = own(0, "ref-AAAA", 40, "an answer"), own(1, "ref-BBBBBB", 57, "another answer")
    assert classroom.leaks([a, b]) == []
    a.calls[0].prompt_tokens = 57  # a got b's stats
    assert classroom.leaks([a, b]) == ["student 0 request 0 (generate): stats say 57 prompt tokens, its own prompt "
                                       "has 40"]
    a.calls[0].prompt_tokens = 40
    b.calls[0].text = "ref-AAAA says hello"  # b's answer holds a's nonce
    assert classroom.leaks([a, b]) == ["student 1 request 0 (generate): answer holds nonce(s) ['ref-AAAA']"]


def test_the_mix_is_seeded_and_a_follow_up_never_comes_first():
    work = classroom.Workload.__new__(classroom.Workload)  # plan() reads no prompt
    plans = [work.plan(15, s, 3) for s in range(12)]
    assert plans == [work.plan(15, s, 3) for s in range(12)]
    assert all(p[0][0] != "followup" for p in plans)
    assert {k for p in plans for k, _, _ in p} == {"generate", "summarize", "tools", "followup"}


def test_a_request_that_gave_up_in_the_queue_is_no_leak():
    waited = classroom.Record(2, 1, "tools", "ref-CCCCC", gave_up=True,
                              calls=[classroom.Call(expected_prompt_tokens=1610)])  # never ran: stats are all 0
    assert classroom.leaks([own(0, "ref-AAAA", 40, ""), waited]) == []
