"""generation.introspect on the real SmolLM2-135M (transformers backend): attention, parameter counts,
positional encodings, the next-token distribution and step-by-step generation."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from helpers import SMALL, greedy, local_backend

from data.catalog import SAMPLES, open_sample
from encoders.costs import strategy_token_counts
from generation import Sampling, introspect, load_models
from generation.backends.hf import next_token_probs, pick_token


@pytest.fixture(scope="module")
def backend():
    return local_backend("transformers")


def test_attention_rows_sum_to_one_and_never_look_ahead(backend):
    seen = introspect.inspect(backend, "The cat sat on the mat")
    config = backend.model.config
    n = len(seen.ids)
    assert seen.attentions.shape == (config.num_hidden_layers, config.num_attention_heads, n, n)
    assert np.allclose(seen.attentions.sum(axis=-1), 1.0, atol=1e-4)  # float32 compute (GEOLLM_TORCH_DTYPE)
    assert np.all(np.triu(seen.attentions, k=1) == 0)  # causal: nothing after the looking token
    rows = introspect.attended_by(seen.attentions, 3, n - 1)
    assert rows.shape == (config.num_attention_heads, n) and np.allclose(rows.sum(axis=1), 1.0, atol=1e-2)
    assert "".join(seen.pieces).replace("␣", " ") == "The cat sat on the mat"
    assert seen.next_logits.shape == (config.vocab_size,)


def test_inspect_refuses_empty_and_long_text(backend):
    with pytest.raises(ValueError, match="type some text"):
        introspect.inspect(backend, "   ")
    with pytest.raises(ValueError, match="at most 8"):
        introspect.inspect(backend, "one two three four five six seven eight nine ten", max_tokens=8)


def test_parameter_counts_add_up_and_match_the_config(backend):
    model, c = backend.model, backend.model.config
    counts = introspect.parameter_counts(model)
    assert sum(counts.values()) == sum(p.numel() for p in model.parameters())
    d, heads, kv, head_dim = c.hidden_size, c.num_attention_heads, c.num_key_value_heads, c.head_dim
    assert counts["attention"] == c.num_hidden_layers * (2 * d * heads * head_dim + 2 * d * kv * head_dim)
    assert counts["MLP"] == c.num_hidden_layers * 3 * d * c.intermediate_size  # gate, up, down; no biases
    assert counts["norms"] == (2 * c.num_hidden_layers + 1) * d
    assert counts["embeddings"] == c.vocab_size * d and counts["output head"] == 0  # tied to the embeddings
    facts = introspect.anatomy(model)
    assert facts["parameters"] == sum(counts.values()) and facts["layers"] == c.num_hidden_layers


def test_sinusoidal_encoding_matches_the_formula():
    pe = introspect.sinusoidal_encoding(50, 16)
    for pos, i in [(0, 0), (1, 0), (7, 3), (49, 7)]:
        angle = pos / 10_000 ** (2 * i / 16)
        assert pe[pos, 2 * i] == pytest.approx(math.sin(angle))
        assert pe[pos, 2 * i + 1] == pytest.approx(math.cos(angle))
    assert introspect.sinusoidal_encoding(4, 7).shape == (4, 7)  # odd widths end on a sine column
    dots = introspect.dot_by_distance(pe)
    assert dots[0] == pytest.approx(8.0)  # |PE(p)|² = d/2 (sin² + cos² per pair)
    assert np.allclose([pe[5] @ pe[5 + k] for k in range(20)], dots[:20])  # depends on distance only


def test_rope_frequencies_match_the_models_rotary_module(backend):
    rope = introspect.rope_frequencies(backend.model.config)
    assert rope.rotary_dims == backend.model.config.head_dim and rope.rope_type == "default"
    assert np.allclose(rope.inv_freq, backend.model.model.rotary_emb.inv_freq.float().numpy(), rtol=1e-5)
    assert rope.wavelengths[0] == pytest.approx(2 * math.pi)
    linear = SimpleNamespace(hidden_size=64, num_attention_heads=4,
                             rope_parameters={"rope_theta": 10_000.0, "rope_type": "linear", "factor": 4.0})
    scaled = introspect.rope_frequencies(linear)
    assert scaled.head_dim == 16 and np.allclose(scaled.inv_freq * 4, 1 / 10_000 ** (np.arange(0, 16, 2) / 16))


def test_temperature_zero_picks_the_argmax():
    logits = torch.randn(1000, generator=torch.Generator().manual_seed(3))
    probs = next_token_probs(logits, Sampling(temperature=0.0))
    best = int(torch.argmax(logits))
    assert probs[best] == 1.0 and probs.sum() == 1.0
    assert pick_token(logits, Sampling(temperature=0.0)) == best


def test_sampling_settings_reshape_the_distribution():
    logits = torch.log(torch.tensor([0.5, 0.3, 0.15, 0.05]))
    assert torch.allclose(next_token_probs(logits, Sampling(temperature=1.0)), torch.tensor([0.5, 0.3, 0.15, 0.05]))
    top_k = next_token_probs(logits, Sampling(temperature=1.0, top_k=2))
    assert torch.allclose(top_k, torch.tensor([0.625, 0.375, 0.0, 0.0]))
    top_p = next_token_probs(logits, Sampling(temperature=1.0, top_p=0.7))  # 0.5 + 0.3 reaches 0.7
    assert (top_p > 0).tolist() == [True, True, False, False]
    hot, cold = (next_token_probs(logits, Sampling(temperature=t)) for t in (2.0, 0.5))
    assert hot[0] < 0.5 < cold[0] and hot[3] > 0.05 > cold[3]


def test_step_by_step_greedy_matches_the_backends_own_generation(backend):
    prompt = "The cat sat on the"
    steps = introspect.generate_steps(backend, prompt, Sampling(temperature=0.0), 6)
    assert "".join(backend.stream(prompt, greedy(6))) == "".join(s.piece for s in steps).replace("␣", " ")
    for step in steps:
        assert step.probability == 1.0 and step.alternatives[0][0] == step.piece
        assert 0 < step.plain_probability <= 1


def test_next_token_table_and_kept_tokens(backend):
    logits = introspect.inspect(backend, "The cat sat on the").next_logits
    table = introspect.next_token_table(backend.tokenizer, logits, Sampling(temperature=1.0, top_k=3), k=5)
    plain = [row["probability"] for row in table]
    assert plain == sorted(plain, reverse=True) and len(table) == 5
    assert [row["after settings"] > 0 for row in table] == [True, True, True, False, False]
    assert introspect.kept_tokens(logits, Sampling(temperature=1.0, top_k=3)) == 3
    assert introspect.kept_tokens(logits, Sampling(temperature=1.0)) == logits.shape[0]


def test_embedding_neighbours_and_similarities(backend):
    cat = backend.tokenizer.encode(" cat", add_special_tokens=False)[0]
    near = introspect.nearest_tokens(backend, cat, k=10)
    sims = [s for _, _, s in near]
    assert cat not in [i for i, _, _ in near] and sims == sorted(sims, reverse=True)
    assert {"␣cats", "␣Cat"} & {piece for _, piece, _ in near}
    matrix = introspect.similarity_matrix(backend, ["cat", "dog", "basalt"])
    assert np.allclose(matrix, matrix.T) and np.allclose(np.diag(matrix), 1.0, atol=1e-5)
    assert matrix[0, 1] > matrix[0, 2]  # cat is nearer dog than basalt


def test_tokenize_and_a_tokenizer_read_without_weights(backend):
    text = "Sea level rose 3.3 mm/yr.\nNext line"
    tokens = introspect.tokenize(backend.tokenizer, text)
    assert "".join(p for _, p in tokens).replace("␣", " ").replace("↵", "\n") == text
    standalone = introspect.load_tokenizer(load_models().get(SMALL))
    assert [i for i, _ in introspect.tokenize(standalone, text)] == [i for i, _ in tokens]


def test_a_csv_dump_costs_more_than_every_strategy(backend):
    if not SAMPLES["seattle-weather"].available:
        pytest.skip("the seattle-weather sample is not installed")
    rows = strategy_token_counts(open_sample("seattle-weather"), 1000, backend.count_tokens)
    dump = rows[-1]
    assert dump["strategy"].startswith("whole file") and len(rows) == 6
    assert all(0 < r["tokens"] <= 1000 for r in rows[:-1]) and dump["tokens"] > 10 * max(r["tokens"] for r in rows[:-1])
