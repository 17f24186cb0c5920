"""The llama.cpp backend's prompt-state cache. Private (a leading underscore: not scanned as a backend),
because it subclasses a llama_cpp class and so imports llama_cpp, which only a model load may do."""
from __future__ import annotations

import llama_cpp


class StateCache(llama_cpp.LlamaRAMCache):
    """llama-cpp-python's RAM cache of saved prompt states, sized by everything a state holds.

    The upstream cache counts only a state's KV bytes, but each saved state also copies up to n_batch
    rows of logits over the vocabulary (512 x 151,936 floats = 311 MB for Qwen): a "1 GB" cache grew
    past 15 GB in an hour of tool calls. Counting the logits and token ids makes the capacity real.
    """

    @property
    def cache_size(self) -> int:
        return sum(s.llama_state_size + s.scores.nbytes + s.input_ids.nbytes for s in self.cache_state.values())
