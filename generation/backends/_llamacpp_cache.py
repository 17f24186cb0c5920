"""The llama.cpp backend's saved prompt states: how a state is saved and loaded, and the RAM cache that keeps them.
Private (a leading underscore: not scanned as a backend), because it subclasses llama_cpp classes and so imports
llama_cpp, which only a model load may do."""
from __future__ import annotations

import ctypes
from collections.abc import Sequence

import llama_cpp
import numpy as np

MAX_PINNED = 4  # shared prefixes (datasets' system messages and tool schemas) kept ahead of other states


class LeanStateLlama(llama_cpp.Llama):
    """llama_cpp.Llama whose saved states hold only what a restore needs: the context's state and the token ids.

    Upstream's `save_state` copies the logits buffer, n_batch rows over the vocabulary (512 x 151,936 floats =
    311 MB for Qwen), and the context's state three times (into a zeroed buffer, a compact one, then bytes); its
    `load_state` writes those rows back. Those rows are never written when the model is loaded without
    ``logits_all`` (as the backend loads it): sampling reads the context's own logits, and a restored state is
    evaluated again from its last token before anything is sampled (``_requires_eval``). So a state is the
    context's bytes copied once and the token ids, and a load hands llama.cpp those bytes without a copy. Every
    finished completion and every paused generation saves a state and its next turn loads it: this is the price of
    a pause (`python bench/tools_prompt.py --turns` measures it against upstream's)."""

    def save_state(self) -> llama_cpp.LlamaState:
        if self._logits_all or self.draft_model is not None:  # then the logits rows are read: upstream's state
            return super().save_state()
        size = llama_cpp.llama_state_get_size(self._ctx.ctx)
        buffer = np.empty(size, dtype=np.uint8)
        written = llama_cpp.llama_state_get_data(self._ctx.ctx, _bytes_pointer(buffer), size)
        if written > size:
            raise RuntimeError("llama.cpp wrote more state than it said it would")
        return llama_cpp.LlamaState(input_ids=self.input_ids.copy(), scores=np.empty((0, self.n_vocab()), np.single),
                                    n_tokens=self.n_tokens,
                                    llama_state=buffer if written == size else buffer[:written].copy(),
                                    llama_state_size=written, seed=self._seed)

    def load_state(self, state: llama_cpp.LlamaState) -> None:
        if self._logits_all or self.draft_model is not None:
            return super().load_state(state)
        self.input_ids = state.input_ids.copy()
        self.n_tokens = state.n_tokens
        self._requires_eval = True
        self._seed = state.seed
        data = np.frombuffer(state.llama_state, dtype=np.uint8)
        if llama_cpp.llama_state_set_data(self._ctx.ctx, _bytes_pointer(data), state.llama_state_size) \
                != state.llama_state_size:
            raise RuntimeError("llama.cpp did not take the saved state")


def _bytes_pointer(array: np.ndarray) -> ctypes._Pointer:
    return array.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8))


class StateCache(llama_cpp.LlamaRAMCache):
    """llama-cpp-python's RAM cache of saved prompt states, sized by everything a state holds, and keeping the
    shared prefixes.

    Upstream counts a state's KV bytes and not its rows of logits (above): a "1 GB" cache grew past 15 GB in an
    hour of tool calls. This one counts the KV bytes, any logits and the token ids: a 1.5B Tools prompt of 2,320
    tokens is 64 MB (360 MB upstream; bench/RESULTS.md).

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
