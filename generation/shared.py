"""One model instance per process, shared by every browser session, used by one generation at a time.

`POOL.get(model_id, backend)` loads a model once (with progress) and hands out a SharedModel.
A SharedModel streams under a lock: a second session blocks until the first finishes, and is told
its place in the queue meanwhile. The pool keeps at most GEOLLM_MAX_MODELS (default 1) models in
memory: switching model frees the least recently used one once nobody is generating on it.
"""
from __future__ import annotations

import gc
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .backend import Backend, Progress, backend_class
from .registry import ModelSpec
from .types import Message, Sampling, Tool

OnWait = Callable[[int], None]  # called with how many generations are ahead
T = TypeVar("T")


class SharedModel:
    def __init__(self, spec: ModelSpec, backend: Backend) -> None:
        self.spec = spec
        self.backend = backend
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._waiting = 0
        self.busy = False

    @property
    def waiting(self) -> int:
        return self._waiting

    def acquire(self, on_wait: OnWait | None = None) -> None:
        if self._lock.acquire(blocking=False):
            self.busy = True
            return
        with self._count_lock:
            self._waiting += 1
            ahead = self._waiting
        try:
            if on_wait:
                on_wait(ahead)
            self._lock.acquire()
            self.busy = True
        finally:
            with self._count_lock:
                self._waiting -= 1

    def release(self) -> None:
        self.busy = False
        self._lock.release()

    def locked(self, compute: Callable[..., T], *args: Any) -> T:
        """compute(backend, *args) holding the model's lock: work other than streaming (the transformer
        page's tokenizer, embeddings and attention) must not run while another session generates."""
        self.acquire()
        try:
            return compute(self.backend, *args)
        finally:
            self.release()

    def stream(self, prompt: str, sampling: Sampling = Sampling(), on_wait: OnWait | None = None,
               **options: Any) -> Iterator[str]:
        return self._locked(lambda: self.backend.stream(prompt, sampling, **options), on_wait)

    def stream_chat(self, messages: list[Message], sampling: Sampling = Sampling(),
                    tools: list[Tool] | None = None, on_wait: OnWait | None = None,
                    **options: Any) -> Iterator[str]:
        return self._locked(lambda: self.backend.stream_chat(messages, sampling, tools, **options), on_wait)

    def _locked(self, start: Callable[[], Iterator[str]], on_wait: OnWait | None) -> Iterator[str]:
        self.acquire(on_wait)
        try:
            yield from start()
        finally:  # also runs when the consumer stops early (a Streamlit rerun closes the generator)
            self.release()


def load_backend(spec: ModelSpec, backend_name: str, progress: Progress | None = None) -> Backend:
    if backend_name not in spec.backends:
        raise ValueError(f"{spec.id} cannot run on {backend_name}; it runs on {', '.join(spec.backends)}")
    return backend_class(backend_name).load(spec, progress)


class ModelPool:
    def __init__(self, capacity: int | None = None) -> None:
        self.capacity = capacity or max(int(os.environ.get("GEOLLM_MAX_MODELS", "1")), 1)
        self._models: OrderedDict[tuple[str, str], SharedModel] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, spec: ModelSpec, backend_name: str, progress: Progress | None = None) -> SharedModel:
        key = (spec.id, backend_name)
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
            while len(self._models) >= self.capacity:
                self._free_oldest()
            shared = SharedModel(spec, load_backend(spec, backend_name, progress))
            self._models[key] = shared
            return shared

    def loaded(self) -> list[tuple[str, str]]:
        return list(self._models)

    def _free_oldest(self) -> None:
        _, old = self._models.popitem(last=False)
        old.acquire()  # let a running generation finish first
        try:
            old.backend.close()
        finally:
            old.release()
        gc.collect()

    def clear(self) -> None:
        with self._lock:
            while self._models:
                self._free_oldest()


POOL = ModelPool()
