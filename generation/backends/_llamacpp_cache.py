"""The llama.cpp backend's prompt-state cache. Private (a leading underscore: not scanned as a backend),
because it subclasses a llama_cpp class and so imports llama_cpp, which only a model load may do."""
from __future__ import annotations

import llama_cpp


class StateCache(llama_cpp.LlamaRAMCache):
    """llama-cpp-python's RAM cache of saved prompt states, sized by everything a state holds, and holding no
    logits it does not need.

    Upstream, each saved state copies up to n_batch rows of logits over the vocabulary (512 x 151,936 floats =
    311 MB for Qwen), and the cache counts only the KV bytes: a "1 GB" cache grew past 15 GB in an hour of tool
    calls. Those rows are never written when the model is loaded without ``logits_all`` (as the backend loads it):
    sampling reads the context's own logits, and a restored state is evaluated again from its last token. So a
    state keeps one row (``load_state`` broadcasts it) and the cache counts the KV bytes, that row and the token ids:
    a 1.5B Tools prompt of 2,320 tokens is then 64 MB instead of 360 MB (bench/RESULTS.md).
    """

    def __setitem__(self, key, value: llama_cpp.LlamaState) -> None:
        value.scores = value.scores[-1:].copy()
        super().__setitem__(key, value)

    @property
    def cache_size(self) -> int:
        return sum(s.llama_state_size + s.scores.nbytes + s.input_ids.nbytes for s in self.cache_state.values())
