"""One model instance per process, shared by every browser session, used by one generation at a time.

`POOL.get(model_id, backend)` loads a model once (with progress) and hands out a SharedModel.
A SharedModel's `stream`/`stream_chat` return a Generation (generation.result) like a Backend's: iterate it for
the text; its `stats` are this call's alone, copied from the engine's before the model passes to the next
request, plus `queued_s`, the time it waited for its turn. Turns are given by a Scheduler (generation.scheduler):
the shortest estimated work first, with aging; a waiting session is told how many are ahead and about how long.
The pool keeps at most GEOLLM_MAX_MODELS (default 1) models in memory: switching model frees the least recently
used one once nobody is generating on it.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, TypeVar

from .backend import Backend, Progress, backend_class
from .errors import GenerationError, PromptStopped
from .registry import ModelSpec
from .result import Generation
from .scheduler import Cost, OnWait, Scheduler
from .types import Message, Sampling, Stats, Tool

T = TypeVar("T")


class SharedModel:
    def __init__(self, spec: ModelSpec, backend: Backend, scheduler: Scheduler | None = None) -> None:
        self.spec = spec
        self.backend = backend
        self.scheduler = scheduler or Scheduler()
        self.prefilled: set[str] = set()  # keys of the chat prefixes prefilled or being prefilled
        self._prefill_lock = threading.Lock()
        self._waiting_prefix: tuple[str, list[Message], list[Tool] | None] | None = None
        self._prefill_thread: threading.Thread | None = None
        self._prefills_stopped = False
        self.closed = False  # set once the pool has freed the backend

    @property
    def busy(self) -> bool:
        return self.scheduler.busy

    @property
    def waiting(self) -> int:
        return self.scheduler.waiting

    def acquire(self, on_wait: OnWait | None = None, cost: Cost = Cost(), background: bool = False) -> None:
        self.scheduler.acquire(cost, on_wait, background)

    def release(self, stats: Stats | None = None) -> None:
        self.scheduler.release(stats)

    def locked(self, compute: Callable[..., T], *args: Any) -> T:
        """compute(backend, *args) in the model's turn: work other than streaming (the transformer page's
        tokenizer, embeddings and attention) must not run while another session generates."""
        self.acquire()
        try:
            return compute(self.backend, *args)
        finally:
            self.release()

    def stream(self, prompt: str, sampling: Sampling = Sampling(), on_wait: OnWait | None = None,
               **options: Any) -> Generation:
        cost = Cost.of_prompt(prompt, sampling.max_new_tokens)
        if self._pausable(sampling, options):
            return self._in_turns(prompt, sampling, options, cost, on_wait)
        return self._in_turn(lambda: self.backend.stream(prompt, sampling, **options), cost, on_wait)

    def stream_chat(self, messages: list[Message], sampling: Sampling = Sampling(),
                    tools: list[Tool] | None = None, on_wait: OnWait | None = None,
                    **options: Any) -> Generation:
        cost = self._chat_cost(messages, tools, sampling.max_new_tokens)
        if self._pausable(sampling, options):  # such a backend's chat is its prompt streamed (Backend.resumable)
            return self._in_turns(self.backend.apply_chat_template(messages, tools), sampling, options, cost, on_wait)
        return self._in_turn(lambda: self.backend.stream_chat(messages, sampling, tools, **options), cost, on_wait)

    def _pausable(self, sampling: Sampling, options: dict[str, Any]) -> bool:
        """Whether a generation can give up the model between tokens and continue later: the backend keeps its
        state, no grammar constrains it (a grammar would start again from its beginning), and no seed fixes its
        sample (the sampler's random sequence would start again at each turn)."""
        return (self.backend.resumable and not options.get("json_schema")
                and (sampling.temperature == 0 or sampling.seed is None))

    def _chat_cost(self, messages: list[Message], tools: list[Tool] | None, max_new_tokens: int) -> Cost:
        """A chat's estimated work, less its leading system messages and tools when that prefix was prefilled for
        every session: only the question's own tokens are then evaluated, so a Tools question on a shared dataset
        is short work, not a ~1,500-token prompt queued behind other students' summaries."""
        cost = Cost.of_chat(messages, tools, max_new_tokens)
        n = next((i for i, m in enumerate(messages) if m.get("role") != "system"), len(messages))
        if n and _prefix_key(messages[:n], tools) in self.prefilled:
            cached = Cost.of_chat(messages[:n], tools, 0).prompt_tokens
            return Cost(max(cost.prompt_tokens - cached, 1), max_new_tokens)
        return cost

    def prefill_chat(self, messages: list[Message], tools: list[Tool] | None = None) -> threading.Thread | None:
        """Compute the prompt state of a chat prefix (a dataset's system message and tool schemas) in the
        background, once per prefix for every session: the first question that starts with it then evaluates
        only its own tokens (the engine's prompt cache keeps the state).

        A prefill is background work: it takes the model only when no request waits, and a request that comes
        meanwhile stops it at its next step (Backend.prefill; it resumes afterwards from the steps done). One
        prefix waits at a time: a newer one replaces it (a user switching tools on and off queues no pile of
        prefills). The thread that prefills, when this prefix was not already prefilled or waiting."""
        if not self.backend.capabilities.prompt_cache:
            return None
        key = _prefix_key(messages, tools)
        with self._prefill_lock:
            if key in self.prefilled or self._prefills_stopped:
                return None
            self.prefilled.add(key)
            self._wait_to_prefill((key, messages, tools))
            if self._prefill_thread is None:
                self._prefill_thread = threading.Thread(target=self._prefill_waiting, name="geollm-prefill",
                                                        daemon=True)
                self._prefill_thread.start()
            return self._prefill_thread

    def stop_prefills(self) -> None:
        """No more prefills (the model is being freed): the waiting one is forgotten, a running one stops at its
        next step once the caller asks for the model's turn."""
        with self._prefill_lock:
            self._prefills_stopped = True
            self._wait_to_prefill(None)

    def _wait_to_prefill(self, prefix: tuple[str, list[Message], list[Tool] | None] | None) -> None:
        """Make `prefix` the one waiting prefix (under the prefill lock); one replaced was never computed."""
        if self._waiting_prefix is not None:
            self.prefilled.discard(self._waiting_prefix[0])
        self._waiting_prefix = prefix

    def _prefill_waiting(self) -> None:
        """The prefill thread: in a background turn, compute the newest waiting prefix; stop when none waits."""
        while True:
            with self._prefill_lock:
                if self._waiting_prefix is None:
                    self._prefill_thread = None
                    return
                cost = Cost.of_chat(*self._waiting_prefix[1:], 1)
            self.acquire(cost=cost, background=True)
            key, stats = None, None
            try:
                with self._prefill_lock:  # the newest prefix, taken only now that it starts
                    key, messages, tools = self._waiting_prefix or (None, None, None)
                    self._waiting_prefix = None
                if key is None:
                    continue
                prefix = self.backend.apply_chat_template(messages, tools, False)
                stats = self.backend.prefill(  # a request came, or the model is being freed
                    prefix, stop=lambda: self.scheduler.waiting_in_foreground or self._prefills_stopped)
                if stats.finish_reason == "stopped":  # a request came: resume after it, unless replaced
                    stats = None  # a part of a prompt says little about the model's speed
                    with self._prefill_lock:
                        if self._waiting_prefix is None and not self._prefills_stopped:
                            self._waiting_prefix = (key, messages, tools)
                        else:
                            self.prefilled.discard(key)
            except Exception:  # noqa: BLE001 - a prefill only saves time: the question computes it if this failed
                self.prefilled.discard(key)
            finally:
                self.release(stats)

    def _in_turn(self, start: Callable[[], Generation], cost: Cost, on_wait: OnWait | None) -> Generation:
        stats = Stats()
        return Generation(self._pieces(start, cost, on_wait, stats), stats)

    def _pieces(self, start: Callable[[], Generation], cost: Cost, on_wait: OnWait | None,
                stats: Stats) -> Iterator[str]:
        """The pieces of start() once it is this request's turn; its stats land in `stats` before the turn ends."""
        queued = time.perf_counter()
        self.acquire(on_wait, cost)
        stats.queued_s = time.perf_counter() - queued
        generation = None
        try:
            generation = start()
            yield from generation
        finally:  # also runs when the consumer stops early (a Streamlit rerun closes the generator)
            if generation is not None:
                generation.close()
                vars(stats).update(vars(generation.stats), queued_s=stats.queued_s)
            self.release(generation.stats if generation is not None else None)

    def _in_turns(self, prompt: str, sampling: Sampling, options: dict[str, Any], cost: Cost,
                  on_wait: OnWait | None) -> Generation:
        stats = Stats()
        return Generation(self._turns(prompt, sampling, options, cost, on_wait, stats), stats)

    def _turns(self, prompt: str, sampling: Sampling, options: dict[str, Any], cost: Cost,
               on_wait: OnWait | None, stats: Stats) -> Iterator[str]:
        """The pieces of `prompt`'s generation in one or more turns (generation.scheduler, "First tokens first").
        When a request that has not started waits, the generation stops after a token, the backend keeps its
        state, and it waits again (telling `on_wait`, which also lets a page stop it); its next turn streams the
        prompt and the text so far for the tokens left, so only the last token or two are evaluated again, and
        the kept state is dropped once it is loaded. Before its first token, a backend that can (stops_prompts)
        stops the prompt between two batches instead, and the next turn evaluates the rest. `stats` add up the
        turns: the prompt and time to first token (the turns' times until it), every turn's evaluated and generated
        tokens and time, the waits in queued_s, and in extra the pauses and the tokens evaluated again."""
        text, parts, paused_since, kept, left = "", [], None, None, sampling.max_new_tokens
        if self.backend.stops_prompts:
            options = {**options, "stop_prompt": self.scheduler.new_request_waits}
        try:
            while True:
                queued = time.perf_counter()
                arrival = self.scheduler.acquire(cost, on_wait, paused_since=paused_since, pausable=True)
                stats.queued_s += time.perf_counter() - queued
                generation, paused, since = None, False, None
                try:
                    if self.closed:
                        raise GenerationError("this model was unloaded while the generation waited; ask again")
                    generation = self.backend.stream(prompt + text, replace(sampling, max_new_tokens=left), **options)
                    try:
                        for piece in generation:
                            if since is None:
                                since = self.scheduler.now()
                                self.backend.forget_state(kept)  # loaded now, or never to be used
                                kept = None
                            text += piece
                            yield piece
                            if self.scheduler.should_pause(since):
                                paused = True
                                break
                    except PromptStopped:  # between two batches of its prompt: the batches done are kept
                        paused = True
                finally:  # also runs when the consumer stops early (a Streamlit rerun closes the generator)
                    try:
                        if generation is not None:
                            generation.close()
                            parts.append(generation.stats)
                            _add_up(stats, parts)
                            if paused:
                                kept = self.backend.keep_state()
                    finally:
                        self.release(generation.stats if generation is not None else None)
                left -= parts[-1].generated_tokens
                if paused and left <= 0:  # paused on its last allowed token
                    stats.finish_reason = "length"
                if not paused or left <= 0:
                    return
                paused_since = arrival
                # its state is kept: about one token to evaluate again, or the rest of its prompt
                cost = Cost(1 if text else max(cost.prompt_tokens - parts[-1].prompt_tokens_evaluated, 1), left)
        finally:
            if kept is not None:  # it left while paused (a rerun), or paused on its last token: free its state
                self._forget_later(kept)

    def _forget_later(self, kept: Any) -> None:
        """Drop a kept state in a background turn of its own (the prompt cache is the model's to change only in
        a turn), without making the session that left wait for it."""
        def forget() -> None:
            self.acquire(background=True)
            try:
                if not self.closed:
                    self.backend.forget_state(kept)
            finally:
                self.release()

        threading.Thread(target=forget, name="geollm-forget", daemon=True).start()


def _add_up(stats: Stats, parts: list[Stats]) -> None:
    """The Stats of a generation made in turns (SharedModel._turns): see there. The turns whose prompt stopped
    before the first token count toward its time to first token; only the turns after it evaluate again."""
    prompt_turns = next((i for i, p in enumerate(parts) if p.generated_tokens), len(parts) - 1) + 1
    first, last = parts[prompt_turns - 1], parts[-1]
    stats.prompt_tokens = parts[0].prompt_tokens
    stats.time_to_first_token_s = sum(p.total_s for p in parts[:prompt_turns - 1]) + first.time_to_first_token_s
    stats.prompt_tokens_evaluated = sum(p.prompt_tokens_evaluated for p in parts)
    stats.generated_tokens = sum(p.generated_tokens for p in parts)
    stats.total_s = sum(p.total_s for p in parts)
    stats.finish_reason = last.finish_reason
    stats.extra = dict(first.extra)
    if len(parts) > 1:
        stats.extra.update(pauses=len(parts) - 1,
                           evaluated_again=sum(p.prompt_tokens_evaluated for p in parts[prompt_turns:]))


def _prefix_key(messages: list[Message], tools: list[Tool] | None) -> str:
    return hashlib.sha256(json.dumps([messages, tools], sort_keys=True, default=str).encode()).hexdigest()


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
        old.stop_prefills()
        # in the background: after every other request, paused generations too (a running prefill stops at its
        # next step), so nothing runs on the backend once it is closed
        old.acquire(background=True)
        try:
            old.closed = True
            old.backend.close()
        finally:
            old.release()
        gc.collect()

    def clear(self) -> None:
        with self._lock:
            while self._models:
                self._free_oldest()


POOL = ModelPool()
