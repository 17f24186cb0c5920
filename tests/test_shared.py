"""One instance, many sessions: generations on a shared model take turns, all complete, each keeps its own stats,
and a short request queued after a long one goes first."""
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
                               on_wait=lambda ahead, seconds: waits.append((name, ahead)))
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


def settle(done, what: str, limit: float = 120.0) -> None:
    """Wait (polling) until done() is true; fail naming `what` if it never is. A bound against hanging only."""
    deadline = time.monotonic() + limit
    while not done():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.01)


def test_two_sessions_at_once_each_see_only_their_own_stats():
    """A and B generate at once on one model, different prompts and lengths. A reads its stats only after B has
    started generating: the moment a stats object shared on the backend would already hold B's counts."""
    backend = local_backend("llama.cpp")
    shared = SharedModel(load_models().get(SMALL), backend)
    asks = {"A": ("Once upon a time", Sampling(max_new_tokens=7)),
            "B": ("The weather report for Bergen, Norway, on a cold and windy day in late November: the",
                  Sampling(max_new_tokens=13))}
    alone = {}
    for name, (prompt, sampling) in asks.items():  # each generation by itself, for reference
        generation = backend.stream(prompt, sampling)
        alone[name] = ("".join(generation), generation.stats)
    b_generating, seen, waits = threading.Event(), {}, []

    def session(name):
        prompt, sampling = asks[name]
        generation = shared.stream(prompt, sampling, on_wait=lambda ahead, seconds: waits.append((name, ahead)))
        for _ in generation:
            if name == "B":
                b_generating.set()
        if name == "A":
            assert b_generating.wait(120)  # B now holds the model and has begun its own generation
        seen[name] = (generation.text, generation.stats)

    a = threading.Thread(target=session, args=("A",))
    a.start()
    settle(lambda: shared.busy, "A took the model")
    b = threading.Thread(target=session, args=("B",))
    b.start()
    for t in (a, b):
        t.join(timeout=180)
    assert waits == [("B", 1)]  # B waited for A and was told so
    for name, (text, stats) in seen.items():
        text_alone, stats_alone = alone[name]
        assert text == text_alone  # greedy: the same text as alone
        counted = backend.count_tokens(asks[name][0])
        assert stats.prompt_tokens == stats_alone.prompt_tokens in {counted, counted + 1}  # +1 with a BOS token
        assert stats.generated_tokens == stats_alone.generated_tokens <= asks[name][1].max_new_tokens
        assert stats.finish_reason == stats_alone.finish_reason and stats.total_s > 0
    assert seen["A"][1].prompt_tokens < seen["B"][1].prompt_tokens  # the two really differ, so a leak would show
    assert seen["A"][1].queued_s < seen["B"][1].queued_s  # B waited through all of A; A waited for no one
    assert not hasattr(backend, "stats")


def test_a_short_request_queued_after_a_long_one_goes_first():
    shared = SharedModel(load_models().get(SMALL), local_backend("llama.cpp"))
    holder = shared.stream("Hello", Sampling(max_new_tokens=50))
    next(holder)  # another session is generating: whoever comes now waits
    order, waits = [], {"long": [], "short": []}
    asks = {"long": ("A long report. " * 40 + "Summarize it:", Sampling(max_new_tokens=1000)),
            "short": ("Hi", Sampling(max_new_tokens=4))}

    def session(name):
        prompt, sampling = asks[name]
        generation = shared.stream(prompt, sampling, on_wait=lambda ahead, seconds: waits[name].append(ahead))
        next(generation)
        order.append(name)
        generation.close()  # the long one need not write its 1000 tokens to show it came second

    threads = {name: threading.Thread(target=session, args=(name,)) for name in asks}
    threads["long"].start()
    settle(lambda: shared.waiting == 1, "the long request queued")
    threads["short"].start()
    settle(lambda: shared.waiting == 2, "the short request queued")
    settle(lambda: 2 in waits["long"], "the long request was told the short one went ahead of it")
    holder.close()
    for t in threads.values():
        t.join(timeout=180)
    assert order == ["short", "long"]
    assert waits["short"] == [1] and waits["long"][:2] == [1, 2]
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
