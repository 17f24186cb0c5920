"""Issue 13's hostile corpus (bench/hostile_corpus.py: broken, hostile and odd files built by code) at three levels.

Library: every file opens or is refused with a DataLoadError naming the real cause (never another exception), and
what the Summarize page then does with it (look, encode, prompt) raises nothing; no chat-template control token
from the data reaches the encoded text. Bombs run in a child with RLIMIT_AS and must end (no hang) under 2 GB; their
times (target: under 30 s) are measured by bench/hostile_run.py on an idle machine, not asserted here: in a CI run
under full load three bombs that end in 0.2-2 s idle went 60 s without output and were cut by the bench's limit.
CLI: `summarize FILE --prompt-only` never prints a traceback. Page (AppTest, a subset of every class): no
exception, a refused upload keeps the previous dataset and chat, no remote image or frame is rendered.
"""
from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import ROOT

sys.path.append(str(ROOT / "bench"))  # last: bench/encoders.py must not shadow the encoders package
import hostile_run  # noqa: E402
from hostile_corpus import CLASSES, build, cases  # noqa: E402

HANG_SECONDS = 300.0  # no progress for this long is a hang; a bomb not stopped by its budget would run for hours

CORPUS = cases(Path("corpus"))  # names, classes and expectations only: the files are built once per session
SMALL_CASES = [c.name for c in CORPUS if not c.bomb]
BOMBS = [c.name for c in CORPUS if c.bomb]
PAGE_CASES = SMALL_CASES  # every file that is not a bomb goes through the page in AppTest too
PAGE_BOMBS = ["nc_declared_200k_squared.nc", "nc_long_attrs_100k.nc"]  # the page in a capped child
MAX_RSS_MB = 2048


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("hostile")
    return {c.name: c for c in build(folder)}


@pytest.fixture(scope="session")
def bombs(corpus) -> dict:
    """Every bomb through the library (a capped child each: its own peak RSS), through the CLI (one capped child
    for all, restarted after a crash) and two through the page; two children at a time: level -> name -> result."""
    folder = next(iter(corpus.values())).path.parent
    jobs = [("page", [n]) for n in PAGE_BOMBS] + [("cli", BOMBS)] + [("lib", [n]) for n in BOMBS]
    results: dict = {"lib": {}, "cli": {}, "page": {}}
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(lambda job: (job[0], hostile_run.run_child(job[0], folder, job[1], HANG_SECONDS)), jobs)
        for level, done in runs:
            results[level].update(done)
    return results


def test_the_corpus_covers_every_class_with_several_cases():
    assert len(CORPUS) >= 60
    for cls in CLASSES:
        assert sum(c.cls == cls for c in CORPUS) >= 5, cls
    assert len({c.name for c in CORPUS}) == len(CORPUS)


def check_library(case, result: dict) -> None:
    assert result["outcome"] == "opened" or result["outcome"].startswith("refused"), \
        f"{case.name}: {result['outcome']}: {result['message']}"
    assert hostile_run.verdict(case, result) == "ok", f"{case.name}: {result['message']}"
    assert not result.get("tokens"), f"{case.name}: {result['tokens']} control tokens from the data in the prompt"


@pytest.mark.parametrize("name", SMALL_CASES)
def test_library_opens_or_refuses_with_the_real_cause(corpus, name):
    check_library(corpus[name], hostile_run.library_check(corpus[name]))


@pytest.mark.parametrize("name", BOMBS)
def test_library_bombs_end_fast_and_small(corpus, bombs, name):
    result = bombs["lib"][name]
    check_library(corpus[name], result)
    assert result["rss_mb"] < MAX_RSS_MB, result  # times are recorded by bench/hostile_run.py, not asserted


def check_cli(result: dict) -> None:
    assert result["outcome"] in ("ok", "refused"), result
    if result["outcome"] == "refused":
        assert result["message"].startswith("error: ") and "Traceback" not in result["message"], result
    else:  # the prompt has the template's own three turns, no more
        assert result["starts"] == hostile_run.CLEAN_STARTS, result


@pytest.mark.parametrize("name", SMALL_CASES)
def test_cli_prints_a_prompt_or_one_line_never_a_traceback(corpus, name):
    check_cli(hostile_run.cli_check(corpus[name]))


@pytest.mark.parametrize("name", BOMBS)
def test_cli_on_bombs(bombs, name):
    result = bombs["cli"][name]  # under RLIMIT_AS; peak RSS is measured per case at the library level
    check_cli(result)


def check_page(case, result: dict) -> None:
    assert result["outcome"] != "exception" and not result["lost"], f"{case.name}: {result}"
    expected = {"opens": ("opened",), "refused": ("refused, kept",)}.get(case.expect, ("opened", "refused, kept"))
    assert result["outcome"] in expected, f"{case.name}: {result}"
    assert not result["remote"], f"{case.name}: rendered remote content {result['remote']}"
    if result["outcome"] == "opened" and result.get("starts") is not None:
        assert result["starts"] == hostile_run.CLEAN_STARTS, f"{case.name}: control tokens in the preview"


@pytest.mark.parametrize("name", PAGE_CASES)
def test_page_upload_keeps_state_and_renders_nothing_remote(corpus, name, monkeypatch):
    monkeypatch.setenv("GEOLLM_MODEL", hostile_run.SMALL_MODEL)
    check_page(corpus[name], hostile_run.page_check(corpus[name]))


@pytest.mark.parametrize("name", PAGE_BOMBS)
def test_page_with_a_bomb(corpus, bombs, name):
    result = bombs["page"][name]
    check_page(corpus[name], result)
    assert result["rss_mb"] < MAX_RSS_MB, result  # times are recorded by bench/hostile_run.py, not asserted


def test_page_subset_covers_every_class():
    classes = {c.cls for c in CORPUS if c.name in PAGE_CASES + PAGE_BOMBS}
    assert classes == set(CLASSES)
