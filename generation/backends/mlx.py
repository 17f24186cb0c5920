"""mlx-lm backend: the lecture's Apple Silicon path (`mlx_lm.load`, `stream_generate`, prompt cache).

On Linux it runs on the CPU through mlx[cpu] (slowly, but the same code). A GGUF model is run from
the bf16 folder the transformers backend converts once. The prompt cache is mlx-lm's own
(`make_prompt_cache`), trimmed back to the prefix a new prompt shares with what it holds.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import control_tokens
from ..backend import Backend, Progress
from ..registry import ModelSpec
from ..stops import StopScanner
from ..types import Capabilities, Message, Sampling, Stats, Tool

# mlx and mlx_lm are imported inside the methods: only a model load may import an engine.


class MlxBackend(Backend):
    name = "mlx"
    needs = ("mlx", "mlx_lm")
    install_hint = "pip install -r requirements-mlx.txt  (mlx, mlx-lm)"
    formats = ("gguf", "hf", "mlx")  # a GGUF runs from the bf16 folder the transformers backend converts
    order = 2
    capabilities = Capabilities(native_tool_calls=True, exact_tokens=True, prompt_cache=True)

    def __init__(self, model, tokenizer, model_id: str = "", context_length: int = 4096) -> None:
        super().__init__()
        self.model = model
        self.tokenizer = tokenizer
        self.model_id = model_id
        self.context_length = context_length
        self._cache: list | None = None
        self._cached_ids: list[int] = []

    @classmethod
    def load(cls, spec: ModelSpec, progress: Progress | None = None) -> "MlxBackend":
        from mlx_lm import load as mlx_load

        if spec.format == "gguf":
            from .hf import hf_folder  # the one GGUF -> bf16 conversion, shared with transformers

            folder = hf_folder(spec, progress)
        else:
            folder = Path(spec.path)
        if progress:
            progress(1.0, f"Loading {spec.id} into mlx")
        model, tokenizer = mlx_load(str(folder))
        return cls(model, tokenizer, spec.id, spec.context_length)

    def tokenize(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    def vocab_control_tokens(self) -> list[str]:
        """The wrapped Hugging Face tokenizer's special and added tokens (the wrapper forwards to it)."""
        return control_tokens.hf_added_tokens(self.tokenizer)

    def _render_chat(self, messages: list[Message], tools: list[Tool] | None,
                     add_generation_prompt: bool) -> str:
        return self.tokenizer.apply_chat_template(messages, tools=tools, tokenize=False,
                                                  add_generation_prompt=add_generation_prompt)

    def native_tool_calls(self, text: str, tools: list[Tool] | None) -> list[dict] | None:
        """Calls read with the tokenizer's own tool parser (mlx-lm knows each model family's format);
        None when the tokenizer has none or it cannot read the text (the generic parser takes over)."""
        tok = self.tokenizer
        parser = getattr(tok, "tool_parser", None)
        if not getattr(tok, "has_tool_calling", False) or parser is None:
            return None
        calls = []
        for segment in text.split(tok.tool_call_start)[1:]:
            try:
                calls.append(parser(segment.split(tok.tool_call_end)[0], tools))
            except Exception:  # noqa: BLE001 - any parser failure means: use the generic parser
                return None
        return calls or None

    def _reuse_cache(self, ids: list[int]) -> list[int]:
        """Trim the prompt cache to the prefix shared with `ids`; return the tokens still to compute."""
        from mlx_lm.models.cache import can_trim_prompt_cache, make_prompt_cache, trim_prompt_cache

        shared = 0
        for a, b in zip(self._cached_ids, ids):
            if a != b:
                break
            shared += 1
        shared = min(shared, len(ids) - 1)
        if self._cache is None or shared == 0 or not can_trim_prompt_cache(self._cache):
            self._cache, self._cached_ids = make_prompt_cache(self.model), []
            return ids
        trim_prompt_cache(self._cache, len(self._cached_ids) - shared)
        self._cached_ids = self._cached_ids[:shared]
        return ids[shared:]

    def _stream(self, prompt: str, sampling: Sampling, stats: Stats, **options: Any) -> Iterator[str]:
        import mlx.core as mx
        from mlx_lm import stream_generate
        from mlx_lm.sample_utils import make_sampler

        ids = list(self.tokenizer.encode(prompt, add_special_tokens=True))
        if len(ids) + sampling.max_new_tokens > self.context_length:
            raise ValueError(f"the prompt has {len(ids):,} tokens; with {sampling.max_new_tokens} new tokens it "
                             f"exceeds the context of {self.context_length:,}. Shorten it or ask for fewer tokens.")
        rest = self._reuse_cache(ids)
        stats.prompt_tokens, stats.prompt_tokens_evaluated = len(ids), len(rest)
        if sampling.seed is not None:
            mx.random.seed(sampling.seed)
        sampler = make_sampler(temp=sampling.temperature, top_p=sampling.top_p, top_k=sampling.top_k)
        scanner, text, generated = StopScanner(sampling.stop), "", []  # text: decoded by us, keeping spaces
        responses = stream_generate(self.model, self.tokenizer, mx.array(rest), max_tokens=sampling.max_new_tokens,
                                    sampler=sampler, prompt_cache=self._cache)
        try:
            for response in responses:
                generated.append(int(response.token))
                stats.generated_tokens = len(generated)
                stats.finish_reason = response.finish_reason or ""
                text = self.tokenizer.decode(generated, skip_special_tokens=True)
                piece = scanner.feed(text)
                if piece:
                    yield piece
                if scanner.stopped:
                    stats.finish_reason = "stop"
                    return
            rest_text = scanner.finish(text)
            if rest_text:
                yield rest_text
        finally:
            responses.close()
            self._settle_cache(ids + generated)

    def _settle_cache(self, seen: list[int]) -> None:
        """Record which tokens the cache now holds (mlx-lm computes one token ahead of what it yields)."""
        from mlx_lm.models.cache import trim_prompt_cache

        held = self._cache[0].offset if self._cache else 0
        if held > len(seen):
            trim_prompt_cache(self._cache, held - len(seen))
            held = len(seen)
        self._cached_ids = seen[:held]

    def close(self) -> None:
        self._cache, self._cached_ids = None, []
        del self.model
