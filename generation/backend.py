"""The Backend contract every engine implements, and the registry that names them.

A backend streams text for a raw prompt, renders chats with the model's own template, counts tokens
and fills `stats` for the last run. Optional abilities are declared in `capabilities`, never assumed:
  "prompt_cache"  reuses the computed state of a shared prompt prefix
  "grammar"       constrained decoding from a JSON schema
  "logits"        next-token scores;  "attentions"  attention weights
  "exact_tokens"  count_tokens uses the model's own tokenizer
"""
from __future__ import annotations

import importlib
import importlib.util
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from . import control_tokens
from .types import Message, Sampling, Stats, Tool

if TYPE_CHECKING:
    from .registry import ModelSpec

Progress = Callable[[float, str], None]  # fraction done in [0, 1], what is happening


class Backend(ABC):
    name: ClassVar[str]
    capabilities: frozenset[str] = frozenset()
    context_length: int = 0

    def __init__(self) -> None:
        self.stats = Stats()

    # --- what each backend implements -------------------------------------------------------
    @classmethod
    @abstractmethod
    def load(cls, spec: "ModelSpec", progress: Progress | None = None) -> "Backend":
        """Load (provisioning weights first if needed), reporting progress."""

    @abstractmethod
    def _stream(self, prompt: str, sampling: Sampling, **options: Any) -> Iterator[str]:
        """Yield text pieces (about one token each) for one sequence; set self.stats token counts."""

    @abstractmethod
    def tokenize(self, text: str) -> list[int]:
        """Token ids of `text` as the model sees it inside a prompt (no BOS added)."""

    @abstractmethod
    def _render_chat(self, messages: list[Message], tools: list[Tool] | None, add_generation_prompt: bool) -> str:
        """The prompt text the model's chat template makes of `messages` (and `tools`), already neutralised."""

    def vocab_control_tokens(self) -> Iterable[str]:
        """The strings this model's tokenizer reads as control tokens (control_tokens.COMMON is added)."""
        return ()

    def close(self) -> None:
        """Free the model's memory. The instance is not used afterwards."""

    # --- shared behaviour --------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    @cached_property
    def control_tokens(self) -> frozenset[str]:
        return control_tokens.token_set(self.vocab_control_tokens())

    def safe_chat(self, messages: list[Message], tools: list[Tool] | None = None
                  ) -> tuple[list[Message], list[Tool] | None]:
        """`messages` and `tools` with every control-token string in their text neutralised: the one place
        every backend's chat passes through, so data cannot speak as the template."""
        return control_tokens.neutralise_chat(messages, tools, self.control_tokens)

    def apply_chat_template(self, messages: list[Message], tools: list[Tool] | None = None,
                            add_generation_prompt: bool = True) -> str:
        """The prompt text the model's chat template makes of `messages` (and `tools`), data neutralised."""
        return self._render_chat(*self.safe_chat(messages, tools), add_generation_prompt)

    def stream(self, prompt: str, sampling: Sampling = Sampling(), **options: Any) -> Iterator[str]:
        """Stream one sequence for a raw prompt, timing it into self.stats."""
        if sampling.n != 1:
            raise ValueError("stream() makes one sequence; use generation.generate_sequences for n > 1")
        self.stats = Stats()
        return self._timed(self._stream(prompt, sampling, **options))

    def stream_chat(self, messages: list[Message], sampling: Sampling = Sampling(),
                    tools: list[Tool] | None = None, **options: Any) -> Iterator[str]:
        """Stream the assistant's reply to a chat (rendered with the model's template)."""
        return self.stream(self.apply_chat_template(messages, tools), sampling, **options)

    def _timed(self, pieces: Iterator[str]) -> Iterator[str]:
        start = time.perf_counter()
        first = None
        finished = False
        try:
            for piece in pieces:
                if first is None:
                    first = time.perf_counter()
                    self.stats.time_to_first_token_s = first - start
                yield piece
            finished = True
        finally:
            self.stats.total_s = time.perf_counter() - start
            if first is None:
                self.stats.time_to_first_token_s = self.stats.total_s
            if not finished:
                self.stats.finish_reason = "cancelled"
            pieces.close()


# --- registry: backend name -> "module:Class", imported only when used -------------------------
BACKENDS: dict[str, str] = {
    "llama.cpp": "generation.backends.llamacpp:LlamaCppBackend",
    "transformers": "generation.backends.hf:TransformersBackend",
    "mlx": "generation.backends.mlx:MlxBackend",
    "openai": "generation.backends.openai_http:OpenAIBackend",
}

INSTALL_HINTS: dict[str, str] = {
    "llama.cpp": "pip install -r requirements.txt  (llama-cpp-python)",
    "transformers": "pip install -r requirements.txt  (torch, transformers, gguf)",
    "mlx": "pip install -r requirements-mlx.txt  (mlx, mlx-lm)",
    "openai": "pip install -r requirements.txt  (httpx)",
}


class BackendUnavailable(RuntimeError):
    """The backend's packages are not installed here."""


def backend_class(name: str) -> type[Backend]:
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    module_name, class_name = BACKENDS[name].split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise BackendUnavailable(f"The {name} backend is not installed ({exc.name or exc}). "
                                 f"Install it with: {INSTALL_HINTS[name]}") from exc
    return getattr(module, class_name)


def backend_available(name: str) -> bool:
    """Whether the packages of a backend import here (cheap: looks for the modules, imports nothing)."""
    needs = {"llama.cpp": ["llama_cpp"], "transformers": ["torch", "transformers"],
             "mlx": ["mlx", "mlx_lm"], "openai": ["httpx"]}[name]
    return all(importlib.util.find_spec(module) is not None for module in needs)
