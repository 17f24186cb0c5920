"""The real-data benchmark's judge (bench/realdata_eval.py), without a model: what counts as correct, and which
correct answers it lists for a look because their number is only within the tolerance."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import realdata_cases as rc  # noqa: E402
import realdata_eval  # noqa: E402

from toolloop.numbers import Known  # noqa: E402


def test_a_hit_that_is_not_the_reference_to_its_written_digits_is_listed():
    """1 January's maximum SST (30.3458) passed for 3 January's (30.3939) in six whole runs: within the 0.05 K
    tolerance, so counted correct, and no one looked. Such answers are now listed."""
    case = next(c for c in rc.CASES if c.id == "orca-max-day3")
    want = 30.393875

    def judged(value: float) -> dict:
        known = [Known("statistic(...)", value, "C", "sosstsst", "max")]
        return realdata_eval.judge(case, want, f"The maximum SST is {value} °C.", known)

    other_day, right, rounded, wrong = judged(30.3458), judged(30.3939), judged(30.39), judged(30.2)
    assert other_day["correct"] and other_day["loose"]
    assert right["correct"] and not right["loose"] and rounded["correct"] and not rounded["loose"]
    assert not wrong["correct"] and wrong["check_wrong"] and not wrong["loose"]
    table = realdata_eval.model_tables([{**judged(30.3458), "case": case.id, "file": case.file, "grid": case.grid,
                                         "kind": case.kind, "seconds": 1.0, "error": "", "stopped": "answer"}], None)
    assert "not the reference to its written digits (look at each: another selection's value can fall within " \
           "the tolerance): 1 (orca-max-day3)" in table
