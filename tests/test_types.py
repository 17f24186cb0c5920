"""Sampling settings are validated with messages a user can act on; Stats derive rates correctly."""
import pytest

from generation import Sampling, Stats


@pytest.mark.parametrize("kwargs, words", [
    (dict(max_new_tokens=0), "max_new_tokens"),
    (dict(max_new_tokens=1.5), "max_new_tokens"),
    (dict(temperature=-0.1), "temperature"),
    (dict(temperature=float("nan")), "temperature"),
    (dict(top_p=0.0), "top_p"),
    (dict(top_k=-1), "top_k"),
    (dict(seed=-3), "seed"),
    (dict(seed="7"), "seed"),
    (dict(stop=("",)), "stop"),
    (dict(n=0), "sequences"),
    (dict(n=99), "sequences"),
])
def test_bad_settings_are_refused_with_a_named_reason(kwargs, words):
    with pytest.raises(ValueError, match=words):
        Sampling(**kwargs)


def test_stop_accepts_a_string_or_list():
    assert Sampling(stop="\n").stop == ("\n",)
    assert Sampling(stop=["a", "b"]).stop == ("a", "b")


def test_sequences_get_distinct_seeds():
    s = Sampling(seed=10, n=3, temperature=1.0)
    assert [s.for_sequence(i).seed for i in range(3)] == [10, 11, 12]
    assert all(s.for_sequence(i).n == 1 for i in range(3))
    assert Sampling(n=2).for_sequence(1).seed is None


def test_stats_rates():
    stats = Stats(prompt_tokens=100, prompt_tokens_evaluated=40, generated_tokens=11,
                  time_to_first_token_s=0.5, total_s=1.5)
    assert stats.cached_tokens == 60
    assert stats.prefill_tokens_per_s == pytest.approx(80)
    assert stats.decode_tokens_per_s == pytest.approx(10)
