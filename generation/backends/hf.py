"""transformers backend (torch): the lecture's `pipeline('text-generation')` path, opened up.

A GGUF is dequantized once into a cached bf16 safetensors folder (later loads take about a second
instead of 12-40 s). Decoding is an explicit loop over the model so that the page can stream, the
prompt cache can reuse `past_key_values` for a shared prefix, and logits/attentions are at hand.
"""
from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import control_tokens
from ..backend import Backend, Progress
from ..provision import cache_dir, gguf_path
from ..registry import ModelSpec
from ..stops import StopScanner
from ..types import Capabilities, Message, Sampling, Stats, Tool

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub: everything is local
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")

if TYPE_CHECKING:  # torch and transformers are imported when a model loads, not when this module does
    import torch
    from transformers import DynamicCache


def torch_threads() -> int:
    """Threads for torch: GEOLLM_TORCH_THREADS, else 1. On the 2-core machines here torch decoded
    4.4 tok/s with 1 thread against 0.8 with 2 (bench/RESULTS.md): one spare core keeps the app,
    the browser and other sessions from stalling torch's thread pool."""
    value = os.environ.get("GEOLLM_TORCH_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def torch_dtype() -> torch.dtype:
    """Compute dtype: GEOLLM_TORCH_DTYPE (float32 or bfloat16), else float32. Most CPUs have no native
    bf16: on these a 64-token forward pass of SmolLM2 took 0.80 s in bf16 against 0.24 s in float32
    (bench/RESULTS.md), for twice the memory (3 GB more for the 1.5B model)."""
    import torch

    name = os.environ.get("GEOLLM_TORCH_DTYPE", "float32")
    if name not in ("float32", "bfloat16"):
        raise ValueError(f"GEOLLM_TORCH_DTYPE must be float32 or bfloat16, not {name!r}")
    return getattr(torch, name)


def _inference_mode(method: Callable) -> Callable:
    """`method` run under torch.inference_mode() (the decorator, with torch imported on the first call)."""
    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        import torch

        with torch.inference_mode():
            return method(*args, **kwargs)
    return run


class TransformersBackend(Backend):
    """Also hands out logits and attention weights (`inspect`), which the transformer page reads."""

    name = "transformers"
    needs = ("torch", "transformers")
    install_hint = "pip install -r requirements.txt  (torch, transformers, gguf)"
    formats = ("gguf", "hf")  # a GGUF runs from the bf16 folder converted once
    order = 1
    capabilities = Capabilities(exact_tokens=True, prompt_cache=True)

    def __init__(self, model, tokenizer, model_id: str = "") -> None:
        super().__init__()
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.model_id = model_id
        self.context_length = int(getattr(model.config, "max_position_embeddings", 0) or 4096)
        eos = model.generation_config.eos_token_id if model.generation_config else None
        eos = eos if isinstance(eos, list) else [eos]
        self.eos_ids = {i for i in [*eos, tokenizer.eos_token_id] if i is not None}
        self._cache: DynamicCache | None = None
        self._cached_ids: list[int] = []  # tokens whose keys/values are in self._cache

    @classmethod
    def load(cls, spec: ModelSpec, progress: Progress | None = None) -> "TransformersBackend":
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch.set_num_threads(torch_threads())
        folder = hf_folder(spec, progress)
        if progress:
            progress(1.0, f"Loading {spec.id} into transformers")
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch_dtype(), local_files_only=True)
        return cls(model, tokenizer, spec.id)

    # --- tokens and templates ------------------------------------------------------------------
    def tokenize(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False)

    def vocab_control_tokens(self) -> list[str]:
        """The tokenizer's special and added tokens (a Hugging Face tokenizer matches each as one piece)."""
        return control_tokens.hf_added_tokens(self.tokenizer)

    def _render_chat(self, messages: list[Message], tools: list[Tool] | None,
                     add_generation_prompt: bool) -> str:
        return self.tokenizer.apply_chat_template(messages, tools=tools, tokenize=False,
                                                  add_generation_prompt=add_generation_prompt)

    # --- generation ----------------------------------------------------------------------------
    def _stream(self, prompt: str, sampling: Sampling, stats: Stats, **options: Any) -> Iterator[str]:
        import torch

        ids = self.tokenizer.encode(prompt, add_special_tokens=True)
        if len(ids) + sampling.max_new_tokens > self.context_length:
            raise ValueError(f"the prompt has {len(ids):,} tokens; with {sampling.max_new_tokens} new tokens it "
                             f"exceeds the context of {self.context_length:,}. Shorten it or ask for fewer tokens.")
        stats.prompt_tokens = len(ids)
        generator = torch.Generator().manual_seed(sampling.seed) if sampling.seed is not None else None
        stats.prompt_tokens_evaluated, logits = self._prefill(ids)
        generated: list[int] = []
        scanner = StopScanner(sampling.stop)
        stats.finish_reason = "length"
        while len(generated) < sampling.max_new_tokens:
            token = pick_token(logits, sampling, generator)
            generated.append(token)
            stats.generated_tokens = len(generated)
            if token in self.eos_ids:
                stats.finish_reason = "stop"
                break
            piece = scanner.feed(self.tokenizer.decode(generated, skip_special_tokens=True))
            if piece:
                yield piece
            if scanner.stopped:
                stats.finish_reason = "stop"
                return
            if len(generated) < sampling.max_new_tokens:
                logits = self._forward([token])
        rest = scanner.finish(self.tokenizer.decode(generated, skip_special_tokens=True))
        if rest:
            yield rest

    @_inference_mode
    def _prefill(self, ids: list[int]) -> tuple[int, torch.Tensor]:
        """How many tokens of `ids` were computed (those the cache did not already hold), and the logits after them."""
        from transformers import DynamicCache

        shared = _common_prefix(self._cached_ids, ids)
        shared = min(shared, len(ids) - 1)  # at least one token must run to give fresh logits
        if self._cache is None or shared == 0:
            self._cache, self._cached_ids = DynamicCache(), []
        else:
            self._cache.crop(-(len(self._cached_ids) - shared))  # transformers 5: a negative count to drop
            self._cached_ids = self._cached_ids[:shared]
        rest = ids[len(self._cached_ids):]
        return len(rest), self._forward(rest)

    @_inference_mode
    def _forward(self, new_ids: list[int]) -> torch.Tensor:
        import torch

        out = self.model(input_ids=torch.tensor([new_ids]), past_key_values=self._cache, use_cache=True)
        self._cache = out.past_key_values
        self._cached_ids.extend(new_ids)
        return out.logits[0, -1].float()

    @_inference_mode
    def inspect(self, text: str) -> dict[str, Any]:
        """Tokens, next-token logits and every layer's attention weights for `text` (no cache)."""
        import torch

        ids = self.tokenizer.encode(text, add_special_tokens=True)
        previous = self.model.config._attn_implementation
        self.model.set_attn_implementation("eager")  # only eager attention returns its weights
        try:
            out = self.model(input_ids=torch.tensor([ids]), output_attentions=True, use_cache=False)
        finally:
            self.model.set_attn_implementation(previous)
        return {"ids": ids, "tokens": self.tokenizer.convert_ids_to_tokens(ids),
                "logits": out.logits[0].float(), "attentions": [a[0].float() for a in out.attentions]}

    def close(self) -> None:
        self._cache, self._cached_ids = None, []
        del self.model


def next_token_probs(logits: torch.Tensor, sampling: Sampling) -> torch.Tensor:
    """The distribution the next token is drawn from: all mass on the argmax at temperature 0;
    otherwise the softmax of logits / temperature, cut to the top-k, then to the smallest top-p set."""
    import torch

    if sampling.greedy:
        probs = torch.zeros(logits.shape, dtype=torch.float32)
        probs[int(torch.argmax(logits))] = 1.0
        return probs
    scores = logits.float() / sampling.temperature
    if 0 < sampling.top_k < scores.numel():
        kth = torch.topk(scores, sampling.top_k).values[-1]
        scores = scores.masked_fill(scores < kth, float("-inf"))
    if sampling.top_p < 1.0:
        ordered, order = torch.sort(scores, descending=True)
        probs = torch.softmax(ordered, dim=-1)
        drop = torch.cumsum(probs, dim=-1) - probs >= sampling.top_p  # keep the smallest set reaching top_p
        scores = scores.clone()
        scores[order[drop]] = float("-inf")
    return torch.softmax(scores, dim=-1)


def pick_token(logits: torch.Tensor, sampling: Sampling, generator: torch.Generator | None = None) -> int:
    """Greedy at temperature 0; otherwise a draw from next_token_probs."""
    import torch

    if sampling.greedy:
        return int(torch.argmax(logits))
    return int(torch.multinomial(next_token_probs(logits, sampling), 1, generator=generator))


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def converted_folder(spec: ModelSpec) -> Path:
    """Where a GGUF model's bf16 Hugging Face folder is cached once converted."""
    return cache_dir() / "hf" / f"{spec.id}-bf16"


def hf_folder(spec: ModelSpec, progress: Progress | None = None) -> Path:
    """A local Hugging Face folder for the model: as given, or converted once from its GGUF."""
    if spec.format in ("hf", "mlx"):
        return Path(spec.path)
    target = converted_folder(spec)
    if (target / "config.json").exists():
        return target
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = gguf_path(spec, progress)
    if progress:
        progress(1.0, f"Converting {spec.id} from GGUF to a bf16 folder (once; about a minute)")
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.bfloat16,
                                                 local_files_only=True)
    _drop_quantizer_marks(model)
    tmp = target.with_name(target.name + f".{os.getpid()}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return target


def _drop_quantizer_marks(model) -> None:
    """A GGUF-loaded model remembers it was quantized, and refuses to be saved; it is plain bf16 now."""
    for holder in (model, model.config):
        for attr in ("hf_quantizer", "quantization_config", "is_quantized", "quantization_method"):
            if hasattr(holder, attr):
                try:
                    delattr(holder, attr)
                except AttributeError:
                    setattr(holder, attr, None)
