"""llama.cpp backend (llama-cpp-python): the default on CPU.

Prompt cache: llama-cpp-python keeps the KV state of the last sequence and, when a new prompt shares
a prefix with it, evaluates only the rest. A RAM cache of saved states (GEOLLM_PROMPT_CACHE_MB,
default 1024; 0 switches it off) keeps older prefixes too, so a dataset prompt survives a detour to
another page or session. We count what `eval` really computes, so the cache is measurable
(Stats.prompt_tokens_evaluated). A background prefill stops between two batches of n_batch tokens when a
question waits, keeping the batches done; so does a generation's prompt when its caller asks (`stop_prompt`:
generation.shared pauses it for a request that has not started). Grammar: a JSON schema becomes a GBNF grammar.
Flash attention is on (GEOLLM_FLASH_ATTN=0 switches it off): llama-cpp-python leaves it off while
llama.cpp's own tools choose it automatically, and on CPU it prefills about 1.3x faster with the same
greedy output (bench/generation.py, bench/RESULTS.md).
One compute thread: every batch llama.cpp computes runs on the backend's own thread, whichever thread streams.
llama.cpp is built with OpenMP, which keeps a team of worker threads for each thread that calls it; with more
teams alive than cores (a class's sessions each stream from their own thread) OpenMP stops its workers spinning
between operations, and decoding got about 25% slower for everyone (`python bench/threads.py`).
"""
from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ..backend import Backend, Progress
from ..errors import PromptStopped
from ..provision import gguf_path
from ..registry import ModelSpec
from ..types import Capabilities, Message, Sampling, Stats, Tool
from .threads import cpu_threads

if TYPE_CHECKING:  # llama_cpp is imported when a model loads, not when this module does
    import llama_cpp


class LlamaCppBackend(Backend):
    name = "llama.cpp"
    needs = ("llama_cpp",)
    install_hint = "pip install -r requirements.txt  (llama-cpp-python)"
    formats = ("gguf",)
    order = 0
    capabilities = Capabilities(grammar=True, exact_tokens=True, prompt_cache=True)

    def __init__(self, llm: llama_cpp.Llama, model_id: str = "") -> None:
        super().__init__()
        self.llm = llm
        self.model_id = model_id
        self.context_length = llm.n_ctx()
        self._evaluated: list[int] = []
        self._stop: Callable[[], bool] | None = None  # a stream's stop_prompt, asked between its prompt's batches
        self._compute = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geollm-llama-compute")
        original_eval = llm.eval

        def counting_eval(tokens):  # every batch llama.cpp computes passes through here
            self._evaluated.append(0)
            for start in range(0, len(tokens), llm.n_batch):  # as llama.cpp's eval steps, keeping each step
                if start and self._stop is not None and self._stop():
                    raise PromptStopped("the prompt's evaluation stopped between two batches")
                batch = tokens[start:start + llm.n_batch]
                self._compute.submit(original_eval, batch).result()
                self._evaluated[-1] += len(batch)

        llm.eval = counting_eval
        meta = llm.metadata
        self._template = meta.get("tokenizer.chat_template", "")
        self._bos = _token_text(llm, llm.token_bos())
        self._eos = _token_text(llm, llm.token_eos())

    @classmethod
    def load(cls, spec: ModelSpec, progress: Progress | None = None) -> "LlamaCppBackend":
        from ._llamacpp_cache import LeanStateLlama, StateCache

        path = gguf_path(spec, progress)
        if progress:
            progress(1.0, f"Loading {spec.id} into llama.cpp")
        threads = cpu_threads()
        llm = LeanStateLlama(model_path=str(path), n_ctx=context_size(spec), n_threads=threads,
                             n_threads_batch=threads, n_batch=512, flash_attn=flash_attention(), verbose=False)
        cache_mb = prompt_cache_mb()
        if cache_mb > 0:
            llm.set_cache(StateCache(capacity_bytes=cache_mb * 2**20))
        return cls(llm, spec.id)

    def tokenize(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def vocab_control_tokens(self) -> list[str]:
        """Tokens llama.cpp matches as one piece in a prompt: control and user-defined ones (Qwen's <tool_call>)."""
        import llama_cpp

        model = self.llm._model
        kinds = llama_cpp.LLAMA_TOKEN_ATTR_CONTROL | llama_cpp.LLAMA_TOKEN_ATTR_USER_DEFINED
        return [model.token_get_text(i) for i in range(model.n_vocab()) if model.token_get_attr(i) & kinds]

    def _render_chat(self, messages: list[Message], tools: list[Tool] | None,
                     add_generation_prompt: bool) -> str:
        from .. import chat_template  # imports jinja2: only once a chat is rendered

        return chat_template.render(self._template, messages, tools, add_generation_prompt, self._bos, self._eos)

    def _stream(self, prompt: str, sampling: Sampling, stats: Stats, json_schema: dict | None = None,
                stop_prompt: Callable[[], bool] | None = None, **options: Any) -> Iterator[str]:
        import llama_cpp

        tokens = self.llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
        if len(tokens) + sampling.max_new_tokens > self.context_length:
            raise ValueError(f"the prompt has {len(tokens):,} tokens; with {sampling.max_new_tokens} new tokens it "
                             f"exceeds the context of {self.context_length:,}. Shorten it or ask for fewer tokens.")
        grammar = (llama_cpp.LlamaGrammar.from_json_schema(json.dumps(json_schema), verbose=False)
                   if json_schema else None)
        stats.prompt_tokens = len(tokens)
        self._evaluated = []
        pieces = self.llm.create_completion(
            tokens, max_tokens=sampling.max_new_tokens, temperature=sampling.temperature,
            top_p=sampling.top_p, top_k=sampling.top_k, min_p=0.0, repeat_penalty=1.0,
            seed=sampling.seed if sampling.seed is not None else random.randrange(2**31),
            stop=list(sampling.stop) or None, grammar=grammar, stream=True,
        )
        if stop_prompt is not None:
            self._stop = stop_prompt
        stopped = False
        try:
            for chunk in pieces:
                choice = chunk["choices"][0]
                if choice["text"]:
                    yield choice["text"]
                if choice.get("finish_reason"):
                    stats.finish_reason = choice["finish_reason"]
        except PromptStopped:  # no token: the caller (Backend.prefill, generation.shared) goes on from the batches
            stopped = True
            raise
        finally:
            if stop_prompt is not None:
                self._stop = None
            pieces.close()
            if self._evaluated:  # first batch = the prompt's uncached rest; each later one = one new token
                stats.prompt_tokens_evaluated = self._evaluated[0]
                stats.generated_tokens = 0 if stopped else len(self._evaluated)

    def prefill(self, prompt: str, stop: Callable[[], bool]) -> Stats:
        """The prompt evaluated n_batch tokens at a time, asking `stop()` between batches: the batches done stay
        in llama.cpp's context, so the next prompt sharing the prefix starts after them. A prefix prefilled whole
        is pinned in the prompt cache (StateCache.pin): other sessions' states do not push it out."""
        stats = super().prefill(prompt, stop)
        # a prefix shared by every session, prefilled whole: kept ahead of other states
        if stats.finish_reason != "stopped" and self.llm.cache is not None:
            self.llm.cache.pin(self.llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True))
        return stats

    @property
    def stops_prompts(self) -> bool:
        return True

    @property
    def resumable(self) -> bool:
        """With the prompt cache on (GEOLLM_PROMPT_CACHE_MB > 0), a stopped sequence's state is kept there."""
        return self.llm.cache is not None

    def keep_state(self) -> tuple[int, ...] | None:
        """The context's state into the prompt cache, keyed by its tokens: llama-cpp-python saves one only when a
        completion ends, not when it is stopped."""
        if self.llm.cache is None or not self.llm.n_tokens:
            return None
        key = tuple(self.llm._input_ids.tolist())
        self.llm.cache[key] = self.llm.save_state()
        return key

    def forget_state(self, key: tuple[int, ...] | None) -> None:
        """Drop a kept state from the prompt cache (an evicted one is already gone), so paused generations do not
        push the datasets' shared prefixes out of it."""
        if key is not None and self.llm.cache is not None:
            self.llm.cache.forget(key)

    def close(self) -> None:
        self._compute.shutdown(wait=True)
        self.llm.close()



def context_size(spec: ModelSpec) -> int:
    """The context llama.cpp gives one sequence: the model's, capped by GEOLLM_N_CTX (default 8192)."""
    return min(spec.context_length, int(os.environ.get("GEOLLM_N_CTX", "8192")))


def flash_attention() -> bool:
    return os.environ.get("GEOLLM_FLASH_ATTN", "1") != "0"


def prompt_cache_mb() -> int:
    """The RAM cache of prompt states in MiB (GEOLLM_PROMPT_CACHE_MB, default 1024; 0 = off)."""
    return int(os.environ.get("GEOLLM_PROMPT_CACHE_MB", "1024") or 0)


def _token_text(llm: llama_cpp.Llama, token: int) -> str:
    if token < 0:
        return ""
    return llm.detokenize([token], special=True).decode("utf-8", errors="ignore")
