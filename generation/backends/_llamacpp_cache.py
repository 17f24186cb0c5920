"""The llama.cpp backend's prompt-state cache. Private (a leading underscore: not scanned as a backend),
because it subclasses a llama_cpp class and so imports llama_cpp, which only a model load may do."""
from __future__ import annotations

from collections.abc import Sequence

import llama_cpp

MAX_PINNED = 4  # shared prefixes (datasets' system messages and tool schemas) kept ahead of other states


class StateCache(llama_cpp.LlamaRAMCache):
    """llama-cpp-python's RAM cache of saved prompt states, sized by everything a state holds, holding no logits
    it does not need, and keeping the shared prefixes.

    Upstream, each saved state copies up to n_batch rows of logits over the vocabulary (512 x 151,936 floats =
    311 MB for Qwen), and the cache counts only the KV bytes: a "1 GB" cache grew past 15 GB in an hour of tool
    calls. Those rows are never written when the model is loaded without ``logits_all`` (as the backend loads it):
    sampling reads the context's own logits, and a restored state is evaluated again from its last token. So a
    state keeps one row (``load_state`` broadcasts it) and the cache counts the KV bytes, that row and the token ids:
    a 1.5B Tools prompt of 2,320 tokens is then 64 MB instead of 360 MB (bench/RESULTS.md).

    Upstream evicts the least recently used state. Every finished completion and every paused generation saves
    one, so in a class a dataset's prefix, prefilled once for every student (generation.shared), was pushed out
    by other students' summaries within minutes, and each Tools question paid its ~1,500 tokens again. A state
    `pin`ned as a shared prefix is evicted only when no other state is left to evict; at most MAX_PINNED, and at
    most half the capacity, are pinned (pinning one more unpins the least recently used).
    """

    def __init__(self, capacity_bytes: int) -> None:
        super().__init__(capacity_bytes)
        self.pinned: set[tuple[int, ...]] = set()

    def __setitem__(self, key: Sequence[int], value: llama_cpp.LlamaState) -> None:
        value.scores = value.scores[-1:].copy()
        key = tuple(key)
        self.cache_state.pop(key, None)
        self.cache_state[key] = value
        while self.cache_size > self.capacity_bytes and self.cache_state:
            oldest = next((k for k in self.cache_state if k not in self.pinned), next(iter(self.cache_state)))
            self.forget(oldest)

    def forget(self, key: tuple[int, ...]) -> None:
        self.cache_state.pop(key, None)
        self.pinned.discard(key)

    def pin(self, tokens: Sequence[int]) -> tuple[int, ...] | None:
        """Pin the smallest saved state that holds all of `tokens` (a shared prefix: the prefill's own, not a longer
        question's that started with it); its key, or None when none does. Pinned states keep to MAX_PINNED and
        half the capacity, so other states always have room: the least recently used pins are let go first."""
        tokens = tuple(tokens)
        holding = [k for k in self.cache_state if k[:len(tokens)] == tokens]
        if not holding:
            return None
        key = min(holding, key=len)
        self.pinned.add(key)
        while len(self.pinned) > 1 and (len(self.pinned) > MAX_PINNED
                                        or self._pinned_bytes() > self.capacity_bytes / 2):
            self.pinned.discard(next(k for k in self.cache_state if k in self.pinned and k != key))
        return key

    def _pinned_bytes(self) -> int:
        return sum(_size(self.cache_state[k]) for k in self.pinned)

    @property
    def cache_size(self) -> int:
        return sum(_size(s) for s in self.cache_state.values())


def _size(state: llama_cpp.LlamaState) -> int:
    return state.llama_state_size + state.scores.nbytes + state.input_ids.nbytes
