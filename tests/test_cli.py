"""The command line: prompt-only and summary on real files, and one-line errors with exit code 2."""
from __future__ import annotations

import subprocess
import sys

from helpers import ROOT, SMALL


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geollm", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_prompt_only_prints_the_budgeted_prompt(tmp_path):
    path = tmp_path / "obs.csv"
    path.write_text("date,temp_c\n2020-01-01,1.5\n2020-01-02,2.5\n2020-01-03,-0.5\n")
    result = cli("summarize", str(path), "--model", SMALL, "--budget", "300", "--prompt-only")
    assert result.returncode == 0, result.stderr
    assert "3 rows" in result.stdout and "2.5" in result.stdout and "<|im_start|>assistant" in result.stdout
    tokens = int(result.stderr.rsplit("[", 1)[1].split()[0])
    assert 0 < tokens <= 300


def test_summary_streams_text_for_a_sample():
    result = cli("summarize", "sample:seattle-weather", "--model", SMALL, "--max-new-tokens", "24")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip()) > 20


def test_bad_inputs_give_one_line_and_exit_2(tmp_path):
    garbage = tmp_path / "x.nc"
    garbage.write_bytes(b"\0\1\2garbage" * 100)
    for args, words in [(("summarize", str(tmp_path / "missing.csv")), "No such file"),
                        (("summarize", str(garbage), "--model", SMALL), "x.nc"),
                        (("summarize", "sample:nope", "--model", SMALL), "nope"),
                        (("summarize", "sample:elnino-sst", "--budget", "50"), "at least 200"),
                        (("summarize", "sample:elnino-sst", "--strategy", "poetry"), "unknown strategy"),
                        (("summarize", "sample:elnino-sst", "--model", "gpt-99"), "unknown model")]:
        result = cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert lines[-1].startswith("error: ") and words in lines[-1], (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_samples_lists_the_catalog():
    result = cli("samples")
    assert result.returncode == 0 and "sample:hadisst-sst" in result.stdout
