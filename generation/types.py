"""Plain value types shared by every backend: sampling settings, chat messages, statistics, capabilities."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

Message = dict[str, Any]  # {"role": "user" | "assistant" | "system" | "tool", "content": str, ...}
Tool = dict[str, Any]  # an OpenAI-style {"type": "function", "function": {...}} schema

MAX_NEW_TOKENS_LIMIT = 8192
MAX_SEQUENCES = 8


@dataclass(frozen=True)
class Sampling:
    """How to pick tokens. temperature 0 means greedy; top_k 0 and top_p 1 switch those filters off."""

    max_new_tokens: int = 128
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 0
    seed: int | None = None
    stop: tuple[str, ...] = ()
    n: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.stop, (list, str)):
            object.__setattr__(self, "stop", (self.stop,) if isinstance(self.stop, str) else tuple(self.stop))
        checks = [
            (_is_int(self.max_new_tokens) and 1 <= self.max_new_tokens <= MAX_NEW_TOKENS_LIMIT,
             f"max_new_tokens must be a whole number from 1 to {MAX_NEW_TOKENS_LIMIT}, got {self.max_new_tokens!r}"),
            (_is_number(self.temperature) and 0.0 <= self.temperature <= 5.0,
             f"temperature must be between 0 and 5, got {self.temperature!r}"),
            (_is_number(self.top_p) and 0.0 < self.top_p <= 1.0,
             f"top_p must be in (0, 1], got {self.top_p!r}"),
            (_is_int(self.top_k) and self.top_k >= 0,
             f"top_k must be a whole number ≥ 0 (0 = off), got {self.top_k!r}"),
            (self.seed is None or (_is_int(self.seed) and 0 <= self.seed < 2**31),
             f"seed must be empty or a whole number from 0 to 2^31-1, got {self.seed!r}"),
            (all(isinstance(s, str) and s for s in self.stop),
             "stop sequences must be non-empty strings"),
            (_is_int(self.n) and 1 <= self.n <= MAX_SEQUENCES,
             f"number of sequences must be from 1 to {MAX_SEQUENCES}, got {self.n!r}"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0

    def for_sequence(self, index: int) -> "Sampling":
        """The settings of sequence `index` of n: one sequence each, seeds spaced so they differ."""
        seed = None if self.seed is None else (self.seed + index) % 2**31
        return replace(self, n=1, seed=seed)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


@dataclass
class Stats:
    """What one generation cost, owned by that generation alone (generation.result.Generation). Backends fill the
    token counts; the core fills the clock times."""

    prompt_tokens: int = 0
    prompt_tokens_evaluated: int = 0  # prompt tokens actually computed (the rest came from the prompt cache)
    generated_tokens: int = 0
    time_to_first_token_s: float = 0.0
    total_s: float = 0.0
    finish_reason: str = ""  # "stop" (EOS or stop sequence), "length", or "cancelled"
    queued_s: float = 0.0  # time spent waiting for a shared model's turns (before it began, and while paused)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cached_tokens(self) -> int:
        return max(self.prompt_tokens - self.prompt_tokens_evaluated, 0)

    @property
    def prefill_tokens_per_s(self) -> float:
        t = self.time_to_first_token_s
        return self.prompt_tokens_evaluated / t if t > 0 else 0.0

    @property
    def decode_tokens_per_s(self) -> float:
        t = self.total_s - self.time_to_first_token_s
        return (self.generated_tokens - 1) / t if t > 0 and self.generated_tokens > 1 else 0.0


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do beyond the Backend contract; callers read these flags, never assume."""

    grammar: bool = False  # constrained decoding: stream(..., json_schema=...) only emits matching JSON
    native_tool_calls: bool = False  # backend.native_tool_calls(text, tools) reads calls with the model's parser
    exact_tokens: bool = False  # count_tokens uses the model's own tokenizer (else an estimate)
    prompt_cache: bool = False  # a later prompt that starts like an earlier one computes only the rest
