"""The Backend contract every engine implements; a subclass declaring a `name` registers itself.

A backend streams text for a raw prompt, renders chats with the model's own template and counts tokens.
Each call returns its own Generation (generation.result): the text pieces and a fresh Stats that only that
call fills, so nothing about one generation lives on the shared backend. Each backend class declares what
the rest of the app needs to know without loading it: its name, the modules it imports (`needs`), how to
install them, the weight formats it runs, its place in lists (`order`), and its optional abilities as typed
`Capabilities` flags that callers read, never assume. The tables derived from these are in generation.backend_registry.
"""
from __future__ import annotations

import importlib
import importlib.util
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from . import control_tokens
from .backend_registry import BACKENDS, INSTALL_HINTS, NEEDS, register
from .errors import BackendUnavailable, PromptStopped
from .result import Generation, timed
from .types import Capabilities, Message, Sampling, Stats, Tool

if TYPE_CHECKING:
    from .registry import ModelSpec

Progress = Callable[[float, str], None]  # fraction done in [0, 1], what is happening

__all__ = ["BACKENDS", "INSTALL_HINTS", "Backend", "BackendUnavailable", "Progress", "backend_available",
           "backend_class"]


class Backend(ABC):
    name: ClassVar[str]  # declaring it registers the class
    needs: ClassVar[tuple[str, ...]] = ()  # modules it imports, only inside load() and the methods
    install_hint: ClassVar[str] = ""  # the command that installs them
    formats: ClassVar[tuple[str, ...]] = ()  # the ModelSpec formats it runs
    order: ClassVar[int] = 100  # place in lists: the lowest that runs a format is that format's default
    capabilities: Capabilities = Capabilities()  # an instance may narrow it (a server without /tokenize)
    context_length: int = 0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            register(cls)

    # --- what each backend implements -------------------------------------------------------
    @classmethod
    @abstractmethod
    def load(cls, spec: "ModelSpec", progress: Progress | None = None) -> "Backend":
        """Load (provisioning weights first if needed), reporting progress."""

    @abstractmethod
    def _stream(self, prompt: str, sampling: Sampling, stats: Stats, **options: Any) -> Iterator[str]:
        """Yield text pieces (about one token each) for one sequence; write its token counts and finish reason
        into `stats`, this call's own (never into the backend)."""

    @abstractmethod
    def tokenize(self, text: str) -> list[int]:
        """Token ids of `text` as the model sees it inside a prompt (no BOS added)."""

    @abstractmethod
    def _render_chat(self, messages: list[Message], tools: list[Tool] | None, add_generation_prompt: bool) -> str:
        """The prompt text the model's chat template makes of `messages` (and `tools`), already neutralised."""

    def vocab_control_tokens(self) -> Iterable[str]:
        """The strings this model's tokenizer reads as control tokens (control_tokens.COMMON is added)."""
        return ()

    def native_tool_calls(self, text: str, tools: list[Tool] | None) -> list[dict] | None:
        """Tool calls in `text` read with the model's own parser, None when it finds none. Only backends
        whose capabilities say native_tool_calls have one; the generic parser serves the rest."""
        return None

    @property
    def resumable(self) -> bool:
        """Whether a generation stopped after some tokens can go on later as `stream(prompt + text so far)` from
        a state `keep_state()` kept, evaluating only a token or two again (generation.shared pauses such
        generations for requests that have not started). Such a backend's chat is its prompt streamed."""
        return False

    @property
    def stops_prompts(self) -> bool:
        """Whether `stream` takes `stop_prompt`, asked between the batches of the prompt's evaluation: when it
        says so, the stream raises PromptStopped and the batches done stay in the context for `keep_state`."""
        return False

    def keep_state(self) -> Any:
        """Keep the state of the sequence just stopped, so its continuation starts from it; a key for
        `forget_state`, or None when nothing was kept."""
        return None

    def forget_state(self, key: Any) -> None:  # noqa: B027 - only a resumable backend keeps anything
        """Drop a state `keep_state` kept (None: nothing to drop), once the continuation has loaded it."""

    def close(self) -> None:  # noqa: B027 - an optional hook; most backends free nothing
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

    def stream(self, prompt: str, sampling: Sampling = Sampling(), **options: Any) -> Generation:
        """Stream one sequence for a raw prompt: a Generation with this call's own, timed Stats."""
        if sampling.n != 1:
            raise ValueError("stream() makes one sequence; use generation.generate_sequences for n > 1")
        stats = Stats()
        return self._generation(self._stream(prompt, sampling, stats, **options), stats)

    def prefill(self, prompt: str, stop: Callable[[], bool]) -> Stats:
        """Compute the prompt state of `prompt` for the prompt cache, generating nothing worth keeping. A backend
        that evaluates a prompt in steps (stops_prompts) asks `stop()` between them and ends early when it says so
        (finish_reason "stopped"; the steps done stay in the cache); others run the prompt whole."""
        options = {"stop_prompt": stop} if self.stops_prompts else {}
        generation = self.stream(prompt, Sampling(max_new_tokens=1, temperature=0.0), **options)
        try:
            for _ in generation:
                pass
        except PromptStopped:
            return Stats(finish_reason="stopped")
        finally:
            generation.close()
        return generation.stats

    def stream_chat(self, messages: list[Message], sampling: Sampling = Sampling(),
                    tools: list[Tool] | None = None, **options: Any) -> Generation:
        """Stream the assistant's reply to a chat (rendered with the model's template)."""
        return self.stream(self.apply_chat_template(messages, tools), sampling, **options)

    @staticmethod
    def _generation(pieces: Iterator[str], stats: Stats) -> Generation:
        """The Generation of `pieces`, timed into `stats` (the Stats the engine fills for this call)."""
        return Generation(timed(pieces, stats), stats)


def backend_class(name: str) -> type[Backend]:
    """The class of a registered backend, its engine modules imported: BackendUnavailable if they are missing."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    module_name, class_name = BACKENDS[name].split(":")
    try:
        for needed in NEEDS.get(name, ()):
            importlib.import_module(needed)
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise BackendUnavailable(f"The {name} backend is not installed ({exc.name or exc}). "
                                 f"Install it with: {INSTALL_HINTS[name]}") from exc
    return getattr(module, class_name)


def backend_available(name: str) -> bool:
    """Whether the packages of a backend import here (cheap: looks for the modules, imports nothing)."""
    return all(importlib.util.find_spec(module) is not None for module in NEEDS[name])
