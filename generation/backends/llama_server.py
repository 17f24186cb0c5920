"""llama-server backend: the model runs in llama.cpp's own server, a child process on 127.0.0.1.

A native crash then kills the child, not the app: the request that was running fails with one line
(ServerRestarted: "The model server stopped (signal 9) and was restarted; ask again."), the child is started
again, and the next request works; one that died between requests is restarted before the next one.
The child itself (command line, log, restart, never outliving the app) is generation/backends/_llama_process.py.

Requests go through the OpenAI-compatible backend (its /completions stream). What this backend adds: the
model's vocabulary and chat template are read here from the GGUF (llama.cpp with vocab_only, no weights), so
chats are rendered with the model's own template and neutralised with its real control tokens (not only
control_tokens.COMMON), tokens are counted exactly without a round trip, JSON schemas constrain the output
(the server's `json_schema`), the server's prompt cache is used (`cache_prompt`) and the stats come from
its `timings` (prompt_n computed, cache_n from the cache, predicted_n generated).
"""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

from ..backend import Backend, Progress
from ..errors import ServerError, ServerRestarted
from ..provision import gguf_path
from ..registry import ModelSpec
from ..types import Capabilities, Message, Sampling, Stats, Tool
from ._llama_process import LlamaServerProcess, binary
from .llamacpp import LlamaCppBackend, context_size
from .openai_http import OpenAIBackend


class LlamaServerBackend(OpenAIBackend):
    name = "llama-server"
    needs = ("httpx", "llama_cpp")
    install_hint = "pip install -r requirements.txt  (httpx, llama-cpp-python); llama-server itself: make llama"
    formats = ("gguf",)
    order = 4
    capabilities = Capabilities(grammar=True, exact_tokens=True, prompt_cache=True)

    def __init__(self, process: LlamaServerProcess, vocabulary: LlamaCppBackend) -> None:
        super().__init__(process.url, process.alias, context_length=process.context)
        self.capabilities = type(self).capabilities  # the parent narrows it by probing the server's tokenizer
        self.process = process
        self.vocabulary = vocabulary  # only its tokenizer and template are used: it holds no weights
        self._starts = process.starts

    @classmethod
    def load(cls, spec: ModelSpec, progress: Progress | None = None) -> "LlamaServerBackend":
        import llama_cpp

        binary()  # say how to build it before anything else
        path = gguf_path(spec, progress)
        vocabulary = LlamaCppBackend(llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False), spec.id)
        process = LlamaServerProcess(path, spec.id, context_size(spec))
        try:
            process.start(progress)
            return cls(process, vocabulary)
        except BaseException:
            process.stop()
            vocabulary.close()
            raise

    # --- the model's own tokenizer, template and control tokens, read from the GGUF -------------
    def tokenize(self, text: str) -> list[int]:
        return self.vocabulary.tokenize(text)

    count_tokens = Backend.count_tokens  # exact, local (the parent estimates when a server cannot tokenize)

    def vocab_control_tokens(self) -> list[str]:
        return self.vocabulary.vocab_control_tokens()

    def _render_chat(self, messages: list[Message], tools: list[Tool] | None, add_generation_prompt: bool) -> str:
        return self.vocabulary._render_chat(messages, tools, add_generation_prompt)

    stream_chat = Backend.stream_chat  # rendered and neutralised here, then streamed as a raw prompt

    # --- requests -----------------------------------------------------------------------------------
    def _body(self, sampling: Sampling, json_schema: dict | None = None, **options: Any) -> dict[str, Any]:
        body = {**super()._body(sampling), "cache_prompt": True, "top_k": sampling.top_k, "min_p": 0.0,
                "repeat_penalty": 1.0}  # the in-process backend's sampler (the server's defaults differ)
        if json_schema:
            body["json_schema"] = json_schema
        return body

    def _stream(self, prompt: str, sampling: Sampling, stats: Stats, **options: Any) -> Iterator[str]:
        for attempt in (1, 2):
            proc, pieces = self._running(), 0
            try:
                for piece in super()._stream(prompt, sampling, stats, **options):
                    pieces += 1
                    yield piece
            except ServerError as exc:
                how = self.process.restarted_after(proc) if exc.__cause__ is not None else ""  # a lost connection
                if not how:
                    raise
                if attempt == 1 and not pieces:
                    continue  # it died before it answered (e.g. killed between requests): the new one answers
                raise ServerRestarted(f"The model server stopped ({how}) and was restarted; ask again.") from exc
            if not stats.finish_reason and (how := self.process.restarted_after(proc)):  # ended without a word
                raise ServerRestarted(f"The model server stopped ({how}) and was restarted; ask again.")
            return

    def _running(self) -> subprocess.Popen:
        """The running child (started again if it died); after a restart, a client without the dead connections."""
        import httpx

        proc = self.process.ensure_running()
        if self.process.starts != self._starts:
            self._starts, old = self.process.starts, self.client
            self.client = httpx.Client(base_url=old.base_url, headers=old.headers, timeout=old.timeout)
            old.close()
        return proc

    def _read_timings(self, timings: dict | None, stats: Stats) -> None:
        if not timings:
            return
        computed, cached = timings.get("prompt_n", 0), timings.get("cache_n", 0)
        stats.prompt_tokens = computed + cached
        stats.prompt_tokens_evaluated = computed
        stats.generated_tokens = timings.get("predicted_n", stats.generated_tokens)
        stats.extra["timings"] = timings

    def close(self) -> None:
        super().close()
        self.process.stop()
        self.vocabulary.close()
