"""One instance, many sessions: generations on a shared model are serialized and all complete."""
from __future__ import annotations

import threading
import time

from helpers import SMALL, local_backend

from generation import ModelPool, Sampling, load_models
from generation.shared import SharedModel


def test_two_concurrent_generations_are_serialized_and_both_complete():
    shared = SharedModel(load_models().get(SMALL), local_backend("llama.cpp"))
    spans, texts, waits = {}, {}, []

    def session(name):
        start_wait = time.perf_counter()
        pieces = shared.stream(f"Story {name}: once upon a time", Sampling(max_new_tokens=24),
                               on_wait=lambda ahead: waits.append((name, ahead)))
        text, first = "", None
        for piece in pieces:
            first = first or time.perf_counter()
            text += piece
            time.sleep(0.01)  # a slow reader (a browser) holds the model longer
        spans[name] = (first, time.perf_counter(), start_wait)
        texts[name] = text

    threads = [threading.Thread(target=session, args=(n,)) for n in ("A", "B")]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join(timeout=120)
    assert set(texts) == {"A", "B"} and all(texts.values())
    (a0, a1, _), (b0, b1, _) = spans["A"], spans["B"]
    assert a1 <= b0 or b1 <= a0, "the two generations overlapped on one instance"
    assert waits == [("B", 1)]  # the second session was told it is queued
    assert not shared.busy and shared.waiting == 0


def test_an_abandoned_stream_releases_the_model():
    shared = SharedModel(load_models().get(SMALL), local_backend("llama.cpp"))
    pieces = shared.stream("Once upon a time", Sampling(max_new_tokens=50))
    next(pieces)
    assert shared.busy
    pieces.close()  # what a Streamlit rerun does to a running generator
    assert not shared.busy
    assert "".join(shared.stream("Hello", Sampling(max_new_tokens=3)))


def test_pool_keeps_one_instance_and_frees_on_switch():
    pool = ModelPool(capacity=1)
    catalog = load_models()
    first = pool.get(catalog.get(SMALL), "llama.cpp")
    assert pool.get(catalog.get(SMALL), "llama.cpp") is first
    second = pool.get(catalog.get(SMALL), "transformers")
    assert pool.loaded() == [(SMALL, "transformers")] and second is not first
    pool.clear()
    assert pool.loaded() == []
