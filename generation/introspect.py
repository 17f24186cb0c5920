"""Looking inside a transformers model for the classroom page: tokens, embeddings, position, attention,
the next-token distribution and the parameter count by component.

Pure functions over a loaded TransformersBackend (its `.model` and `.tokenizer`), a model config or plain
arrays; they return numbers and numpy arrays, never figures. The page caches and draws them. Nothing
here downloads anything: a tokenizer is read from the local model files only.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from transformers import AutoTokenizer, DynamicCache

from .backends.hf import TransformersBackend, converted_folder, next_token_probs, pick_token
from .provision import ModelFileError, cache_dir, expected_gguf, gguf_path
from .registry import ModelSpec
from .types import Sampling

COMPONENTS = ("embeddings", "attention", "MLP", "norms", "output head", "other")
_CHUNK = 16_384  # embedding rows compared at a time (a 150k x 1536 vocabulary never goes float32 at once)


# --- tokens ------------------------------------------------------------------------------------
def visible(piece: str) -> str:
    """A token's text with its invisible characters shown (␣ space, ↵ newline, ⇥ tab)."""
    return piece.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥")


def token_pieces(tokenizer, ids: list[int]) -> list[str]:
    """What each token id stands for, decoded one at a time (a byte of a split character shows as �)."""
    return [visible(tokenizer.decode([i])) for i in ids]


def tokenize(tokenizer, text: str) -> list[tuple[int, str]]:
    """(id, visible text) of each token of `text`, without special tokens."""
    ids = tokenizer.encode(text, add_special_tokens=False)
    return list(zip(ids, token_pieces(tokenizer, ids)))


def load_tokenizer(spec: ModelSpec):
    """A model's tokenizer without its weights: from its converted folder, a saved copy, or (once, ~15 s
    for a Qwen GGUF) read out of the GGUF and saved for next time. ModelFileError if the model's files
    are not on disk yet (a model whose parts are not joined is not joined here)."""
    if spec.format in ("hf", "mlx"):
        return AutoTokenizer.from_pretrained(spec.path, local_files_only=True)
    if spec.format != "gguf":
        raise ModelFileError(f"{spec.id} runs on a server; its tokenizer is not on this machine")
    saved = cache_dir() / "tokenizers" / spec.id
    for folder in (converted_folder(spec), saved):
        if (folder / "tokenizer_config.json").exists():
            return AutoTokenizer.from_pretrained(folder, local_files_only=True)
    if not expected_gguf(spec).exists():
        raise ModelFileError(f"{spec.id}: its weights are not joined yet (they are on its first use, or run "
                             f"`python -m generation {spec.id}`)")
    gguf = gguf_path(spec)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
    partial = saved.with_name(f"{saved.name}.{os.getpid()}.partial")
    tokenizer.save_pretrained(partial)
    if saved.exists():  # another session saved it meanwhile
        shutil.rmtree(partial, ignore_errors=True)
    else:
        os.replace(partial, saved)
    return tokenizer


# --- embeddings ---------------------------------------------------------------------------------
def _embeddings(backend: TransformersBackend) -> torch.Tensor:
    return backend.model.get_input_embeddings().weight


@torch.inference_mode()
def nearest_tokens(backend: TransformersBackend, token_id: int, k: int = 10) -> list[tuple[int, str, float]]:
    """The k tokens whose input embeddings have the highest cosine similarity with `token_id`'s."""
    weights = _embeddings(backend)
    query = weights[token_id].float()
    query = query / query.norm().clamp_min(1e-12)
    sims = torch.cat([_cosines(weights[start:start + _CHUNK].float(), query)
                      for start in range(0, weights.shape[0], _CHUNK)])
    sims[token_id] = -2.0  # not itself
    top = torch.topk(sims, k)
    ids = top.indices.tolist()
    return list(zip(ids, token_pieces(backend.tokenizer, ids), top.values.tolist()))


def _cosines(block: torch.Tensor, unit_query: torch.Tensor) -> torch.Tensor:
    return block @ unit_query / block.norm(dim=1).clamp_min(1e-12)


@torch.inference_mode()
def word_vector(backend: TransformersBackend, word: str) -> tuple[torch.Tensor, list[str]]:
    """A word's input embedding as it appears mid-sentence (with a leading space): the mean of its
    tokens' vectors when it is split into several. Also returns the tokens it became."""
    ids = backend.tokenizer.encode(" " + word.strip(), add_special_tokens=False)
    if not ids:
        raise ValueError("type a word (an empty one has no tokens)")
    return _embeddings(backend)[ids].float().mean(dim=0), token_pieces(backend.tokenizer, ids)


def similarity_matrix(backend: TransformersBackend, words: list[str]) -> np.ndarray:
    """Cosine similarity between the input embeddings of each pair of words."""
    vectors = torch.stack([word_vector(backend, w)[0] for w in words])
    unit = vectors / vectors.norm(dim=1, keepdim=True).clamp_min(1e-12)
    return (unit @ unit.T).numpy()


# --- position -----------------------------------------------------------------------------------
def sinusoidal_encoding(positions: int, d_model: int, base: float = 10_000.0) -> np.ndarray:
    """The original Transformer's positional encoding, shape (positions, d_model):
    PE[pos, 2i] = sin(pos / base^(2i/d_model)), PE[pos, 2i+1] = cos(pos / base^(2i/d_model))."""
    pos = np.arange(positions, dtype=np.float64)[:, None]
    two_i = np.arange(0, d_model, 2, dtype=np.float64)[None, :]
    angles = pos / base ** (two_i / d_model)
    pe = np.zeros((positions, d_model))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles[:, : d_model // 2])
    return pe


def dot_by_distance(pe: np.ndarray) -> np.ndarray:
    """PE[0] · PE[k] for each distance k. It is the same for every start p (PE[p] · PE[p+k] = Σ cos(k ω_i)):
    the encoding lets attention see how far apart two tokens are, whatever their absolute place."""
    return pe @ pe[0]


@dataclass
class Rope:
    """Rotary position embedding of a model, from its config: each pair of dimensions of a head's queries
    and keys is rotated by position × inv_freq[i] radians."""

    theta: float
    head_dim: int
    rotary_dims: int
    rope_type: str
    scaling: dict = field(default_factory=dict)
    inv_freq: np.ndarray = field(default_factory=lambda: np.zeros(0))
    note: str = ""

    @property
    def wavelengths(self) -> np.ndarray:
        """Tokens per full turn of each pair: 2π / inv_freq."""
        return 2 * np.pi / self.inv_freq


def rope_frequencies(config) -> Rope:
    """RoPE's inverse frequencies 1 / theta^(2i/d) from a transformers config (rope_theta, head_dim,
    partial_rotary_factor, rope scaling: 'linear' divides by its factor; other kinds are named, not applied)."""
    params = dict(getattr(config, "rope_parameters", None) or {})
    legacy = dict(getattr(config, "rope_scaling", None) or {})
    settings = {**legacy, **params}
    theta = float(settings.get("rope_theta", getattr(config, "rope_theta", 10_000.0)))
    head_dim = int(getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads)
    partial = float(settings.get("partial_rotary_factor", getattr(config, "partial_rotary_factor", 1.0) or 1.0))
    dims = int(head_dim * partial)
    inv_freq = 1.0 / theta ** (np.arange(0, dims, 2, dtype=np.float64) / dims)
    rope_type = str(settings.get("rope_type", settings.get("type", "default")))
    scaling = {k: v for k, v in settings.items() if k not in ("rope_theta", "rope_type", "type")}
    note = ""
    if rope_type == "linear":
        inv_freq = inv_freq / float(settings["factor"])
    elif rope_type != "default":
        note = f"rope scaling {rope_type!r} {scaling} also reshapes these frequencies; shown unscaled"
    return Rope(theta, head_dim, dims, rope_type, scaling, inv_freq, note)


# --- attention and the next token --------------------------------------------------------------
@dataclass
class Inspection:
    """One forward pass over a text: its tokens, every attention map and the next-token logits."""

    ids: list[int]
    pieces: list[str]
    attentions: np.ndarray  # (layers, heads, tokens, tokens); row q = how token q spreads its attention
    next_logits: np.ndarray  # (vocabulary,) after the last token


def inspect(backend: TransformersBackend, text: str, max_tokens: int = 256) -> Inspection:
    """Run `text` once with attention weights kept (eager attention). ValueError past max_tokens."""
    count = len(backend.tokenizer.encode(text, add_special_tokens=True))
    if not text.strip():
        raise ValueError("type some text first")
    if count > max_tokens:
        raise ValueError(f"the text has {count} tokens; this view takes at most {max_tokens}. Shorten it.")
    out = backend.inspect(text)
    attentions = torch.stack(out["attentions"]).numpy()
    return Inspection(out["ids"], token_pieces(backend.tokenizer, out["ids"]), attentions,
                      out["logits"][-1].numpy())


def attended_by(attentions: np.ndarray, layer: int, token: int) -> np.ndarray:
    """(heads, tokens): where token `token` looks in `layer`, per head (each row sums to 1; causal, so
    tokens after it get nothing)."""
    return attentions[layer, :, token, :]


def next_token_table(tokenizer, logits: np.ndarray, sampling: Sampling, k: int = 10) -> list[dict]:
    """The k most likely next tokens: plain softmax probability and the probability after the sampling
    settings (temperature, top-k, top-p) reshape the distribution."""
    scores = torch.from_numpy(np.asarray(logits, dtype=np.float32))
    plain = torch.softmax(scores, dim=-1)
    shaped = next_token_probs(scores, sampling)
    top = torch.topk(plain, k).indices.tolist()
    return [{"token": piece, "id": i, "probability": float(plain[i]), "after settings": float(shaped[i])}
            for i, piece in zip(top, token_pieces(tokenizer, top))]


def kept_tokens(logits: np.ndarray, sampling: Sampling) -> int:
    """How many tokens keep a non-zero chance under the settings (the candidates of one draw)."""
    return int((next_token_probs(torch.from_numpy(np.asarray(logits, dtype=np.float32)), sampling) > 0).sum())


@dataclass
class Step:
    """One generated token: what was chosen, with which chance, and what it was chosen from."""

    token_id: int
    piece: str
    probability: float  # under the sampling settings (what the draw used)
    plain_probability: float  # plain softmax at temperature 1
    alternatives: list[tuple[str, float]]  # the most likely tokens under the settings


@torch.inference_mode()
def generate_steps(backend: TransformersBackend, prompt: str, sampling: Sampling, steps: int,
                   alternatives: int = 5) -> list[Step]:
    """Generate up to `steps` tokens after a raw prompt one at a time, with pick_token (the backend's own
    sampler) and the distribution it drew from. Uses its own cache: the backend's prompt cache is untouched."""
    tokenizer, model = backend.tokenizer, backend.model
    ids = tokenizer.encode(prompt, add_special_tokens=True)
    if not ids:
        raise ValueError("type a prompt first")
    generator = torch.Generator().manual_seed(sampling.seed) if sampling.seed is not None else None
    cache = DynamicCache()
    logits = model(input_ids=torch.tensor([ids]), past_key_values=cache, use_cache=True).logits[0, -1].float()
    result: list[Step] = []
    for _ in range(steps):
        probs = next_token_probs(logits, sampling)
        token = pick_token(logits, sampling, generator)
        top = torch.topk(probs, alternatives)
        result.append(Step(token, token_pieces(tokenizer, [token])[0], float(probs[token]),
                           float(torch.softmax(logits, dim=-1)[token]),
                           list(zip(token_pieces(tokenizer, top.indices.tolist()), top.values.tolist()))))
        if token in backend.eos_ids:
            break
        logits = model(input_ids=torch.tensor([[token]]), past_key_values=cache, use_cache=True).logits[0, -1].float()
    return result


# --- anatomy ------------------------------------------------------------------------------------
def component_of(parameter_name: str) -> str:
    """Which part of a decoder-only transformer a parameter belongs to, from its name."""
    name = parameter_name.lower()
    if "embed" in name or name.endswith("wte.weight") or name.endswith("wpe.weight"):
        return "embeddings"
    if "lm_head" in name:
        return "output head"
    if "norm" in name or ".ln_" in name:
        return "norms"
    if "attn" in name or "attention" in name:
        return "attention"
    if "mlp" in name or "feed_forward" in name:
        return "MLP"
    return "other"


def parameter_counts(model) -> dict[str, int]:
    """Parameters per component, counted from the loaded model (a weight shared by the input embedding
    and the output head, as in SmolLM2 and Qwen2.5-0.5B, is counted once, under embeddings)."""
    counts = dict.fromkeys(COMPONENTS, 0)
    for name, parameter in model.named_parameters():  # yields each shared tensor once
        counts[component_of(name)] += parameter.numel()
    return counts


def anatomy(model) -> dict[str, Any]:
    """The shape of the network, from its config."""
    c = model.config
    heads = c.num_attention_heads
    return {
        "architecture": type(model).__name__,
        "layers": c.num_hidden_layers,
        "attention heads per layer": heads,
        "key/value heads (grouped-query attention)": getattr(c, "num_key_value_heads", None) or heads,
        "hidden size (embedding width)": c.hidden_size,
        "head size": getattr(c, "head_dim", None) or c.hidden_size // heads,
        "MLP width": getattr(c, "intermediate_size", None),
        "vocabulary": c.vocab_size,
        "context length": getattr(c, "max_position_embeddings", None),
        "input and output embeddings shared": bool(getattr(c, "tie_word_embeddings", False)),
        "parameters": sum(p.numel() for p in model.parameters()),
    }
