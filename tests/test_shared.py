"""One instance, many sessions: generations on a shared model take turns, all complete, each keeps its own stats,
and a short request queued after a long one goes first."""
from __future__ import annotations

import threading
import time

from helpers import SMALL, local_backend

from generation import ModelPool, Sampling, load_models, scheduler
from generation.shared import SharedModel


def test_two_concurrent_generations_are_serialized_and_both_complete(monkeypatch):
    monkeypatch.setattr(scheduler, "FIRST_TURN_S", 1e9)  # whole turns here; a paused one is the test further down
    monkeypatch.setattr(scheduler, "MIN_TURN_S", 1e9)
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


def test_two_sessions_at_once_each_see_only_their_own_stats(monkeypatch):
    """A and B generate at once on one model, different prompts and lengths. A reads its stats only after B has
    started generating: the moment a stats object shared on the backend would already hold B's counts."""
    monkeypatch.setattr(scheduler, "FIRST_TURN_S", 1e9)  # whole turns: B waits through all of A
    monkeypatch.setattr(scheduler, "MIN_TURN_S", 1e9)
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


def test_a_long_generation_pauses_for_a_new_question_and_goes_on_as_if_alone(monkeypatch):
    """First tokens first: a question that comes while a long generation runs starts before that one ends; the
    long one stops after a token, keeps its state, and goes on to the same text (greedy) as alone, evaluating
    only a token or two again."""
    monkeypatch.setattr(scheduler, "MIN_TURN_S", 0.0)  # any turn may be paused: the test says when
    backend = local_backend("llama.cpp")
    shared = SharedModel(load_models().get(SMALL), backend)
    prompt, sampling = "A long story about a lighthouse keeper and the storm of 1953:", Sampling(max_new_tokens=60)
    running, most = [0], [0]  # llama.cpp evaluations under way at once: never more than one
    evaluate = backend.llm.eval

    def counted(tokens):
        running[0] += 1
        most[0] = max(most[0], running[0])
        try:
            evaluate(tokens)
        finally:
            running[0] -= 1

    monkeypatch.setattr(backend.llm, "eval", counted)
    alone = backend.stream(prompt, sampling)
    alone_text = "".join(alone)
    seen: dict[str, float] = {}

    def question():
        generation = shared.stream("Hi", Sampling(max_new_tokens=4))
        next(generation)
        seen["question's first token"] = time.perf_counter()
        generation.close()

    long = shared.stream(prompt, sampling)
    text = "".join(next(long) for _ in range(10))
    asker = threading.Thread(target=question)
    asker.start()
    settle(lambda: shared.waiting == 1, "the question queued")
    text += "".join(long)
    seen["long one's end"] = time.perf_counter()
    asker.join(timeout=60)
    assert seen["question's first token"] < seen["long one's end"]
    assert text == long.text == alone_text
    assert long.stats.generated_tokens == alone.stats.generated_tokens and long.stats.finish_reason == \
        alone.stats.finish_reason
    assert long.stats.prompt_tokens == alone.stats.prompt_tokens and long.stats.extra["pauses"] >= 1
    assert long.stats.extra["evaluated_again"] <= 2 * long.stats.extra["pauses"]  # its state was kept
    assert most == [1]
    assert not shared._pausable(Sampling(temperature=0.8, seed=7), {})  # a seeded sample would not reproduce
    assert not shared._pausable(sampling, {"json_schema": {"type": "object"}})  # nor would a grammar's state
    assert not shared.busy and shared.waiting == 0


def test_a_session_that_leaves_while_paused_frees_its_kept_state(monkeypatch):
    """A rerun stops a paused generation while it waits for its next turn (its page's on_wait raises): the state
    it kept is dropped from the prompt cache in a later turn, not left there until evicted."""
    monkeypatch.setattr(scheduler, "MIN_TURN_S", 0.0)
    monkeypatch.setattr(scheduler, "FIRST_TURN_S", 0.0)
    backend = local_backend("llama.cpp")
    shared = SharedModel(load_models().get(SMALL), backend)
    kept, keep = [], backend.keep_state
    monkeypatch.setattr(backend, "keep_state", lambda: kept.append(keep()) or kept[-1])
    told = threading.Event()

    class Rerun(Exception):
        pass

    def on_wait(ahead, seconds):  # the paused generation, told to wait behind the new request: its page reruns
        told.set()
        raise Rerun

    def new_request():  # takes the model while the long one is paused, until that one has been told to wait
        shared.acquire()
        try:
            told.wait(timeout=60)
        finally:
            shared.release()

    long = shared.stream("A long story about a lighthouse keeper:", Sampling(max_new_tokens=60), on_wait=on_wait)
    next(long)
    other = threading.Thread(target=new_request)
    other.start()
    settle(lambda: shared.waiting == 1, "the new request waits")
    try:
        "".join(long)
    except Rerun:
        pass
    other.join(timeout=60)
    assert told.is_set() and len(kept) == 1 and kept[0] is not None  # it paused once, kept its state, left
    settle(lambda: kept[0] not in backend.llm.cache.cache_state, "the kept state dropped")
    settle(lambda: not shared.busy and shared.waiting == 0, "the model free again")


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


def test_a_prefill_waits_for_every_question_and_a_newer_prefix_replaces_a_waiting_one():
    """Background prefills (the Tools page's dataset prefix) never delay a question, and switching tools on and
    off queues one prefill, not a pile: of the prefixes asked for while the model was busy, only the newest runs."""
    shared = SharedModel(load_models().get(SMALL), local_backend("llama.cpp"))
    started = []  # the prompts the engine was given, in order
    stream = shared.backend.stream
    shared.backend.stream = lambda prompt, *args, **kw: (started.append(prompt), stream(prompt, *args, **kw))[1]
    try:
        holder = shared.stream("Hello", Sampling(max_new_tokens=50))
        next(holder)  # another session is generating
        started.clear()
        prefixes = [[{"role": "system", "content": f"You answer about dataset {name}."}] for name in "ABC"]
        threads = {shared.prefill_chat(prefix) for prefix in prefixes}
        assert len(threads) == 1 and None not in threads  # one prefill thread serves them in turn
        assert shared.prefill_chat(prefixes[2]) is None and len(shared.prefilled) == 1  # C only: A, B replaced
        question = threading.Thread(target=lambda: "".join(shared.stream("Hi", Sampling(max_new_tokens=3))))
        question.start()
        settle(lambda: shared.waiting == 2, "the prefill and the question queued")
        holder.close()
        question.join(timeout=120)
        threads.pop().join(timeout=120)
        assert started[0] == "Hi" and len(started) == 2 and "dataset C" in started[1]
        assert not shared.busy and shared.waiting == 0
    finally:
        shared.backend.stream = stream


def long_prefix(quantity: str, columns: int = 200) -> list[dict]:
    """A dataset-like system message, new to the prompt cache for each `quantity`; 200 columns are more than two
    of llama.cpp's 512-token batches."""
    return [{"role": "system", "content": f"{quantity} at stations: " +
             ", ".join(f"station_{i} {quantity}" for i in range(columns))}]


def test_a_llama_prefill_stops_between_batches_and_keeps_the_batches_done():
    backend = local_backend("llama.cpp")
    prompt = backend.apply_chat_template(long_prefix("temperature"), None, False)
    asked = []
    stopped = backend.prefill(prompt, stop=lambda: asked.append(1) or True)
    assert stopped.finish_reason == "stopped" and asked == [1]  # asked once, after the first batch
    whole = backend.stream(prompt, Sampling(max_new_tokens=1, temperature=0.0))
    "".join(whole)
    n_batch = backend.llm.n_batch
    assert whole.stats.prompt_tokens > 2 * n_batch
    kept = whole.stats.prompt_tokens - whole.stats.prompt_tokens_evaluated
    assert n_batch <= kept <= n_batch + 8  # the first batch was kept (after the template's head, if held)
    assert backend.prefill(prompt + " More.", stop=lambda: False).finish_reason != "stopped"


def test_a_long_prompt_stops_between_batches_for_a_new_question_and_goes_on_as_if_alone():
    """A question that comes while another request's long prompt is being evaluated waits one batch, not the
    whole prompt: the prompt stops between two batches, keeps them, and after the question's first token its
    next turn evaluates only the rest; its text is the same (greedy) as alone, and its stats count the prompt
    once, with the pause."""
    backend = local_backend("llama.cpp")
    shared = SharedModel(load_models().get(SMALL), backend)
    prompt = backend.apply_chat_template(long_prefix("dew point") + [{"role": "user", "content": "Summarise."}], None)
    sampling = Sampling(max_new_tokens=8)
    alone = backend.stream(prompt, sampling)
    alone_text = "".join(alone)
    backend.llm.reset()  # the long prompt new again: not in the context, nor in the RAM cache
    head = tuple(backend.llm.tokenize(prompt.encode(), add_bos=True, special=True)[:64])
    for key in [k for k in backend.llm.cache.cache_state if k[:64] == head]:
        backend.llm.cache.forget(key)
    order, answers = [], []
    question = threading.Thread(target=lambda: answers.append("".join(shared.stream("Hi", Sampling(max_new_tokens=3)))))
    decode, batches = backend.llm._ctx.decode, []

    def first_batch_then_a_question(batch):  # the question comes while the first batch is computed
        result = decode(batch)
        batches.append(batch.n_tokens())
        if len(batches) == 1:
            question.start()
            settle(lambda: shared.waiting == 1, "the question queued")
        return result

    def watched_stream(text, *args, **kw):
        order.append("question" if text == "Hi" else "long prompt")
        return type(backend).stream(backend, text, *args, **kw)

    backend.llm._ctx.decode, backend.stream = first_batch_then_a_question, watched_stream
    try:
        long = shared.stream(prompt, sampling)
        text = "".join(long)
        question.join(timeout=60)
    finally:
        del backend.llm._ctx.decode, backend.stream
    assert order == ["long prompt", "question", "long prompt"] and answers[0]
    assert batches[0] == backend.llm.n_batch < long.stats.prompt_tokens
    assert text == alone_text and long.stats.generated_tokens == alone.stats.generated_tokens
    assert long.stats.prompt_tokens == alone.stats.prompt_tokens  # evaluated once (less the template's head):
    assert long.stats.prompt_tokens - 8 <= long.stats.prompt_tokens_evaluated <= long.stats.prompt_tokens
    assert long.stats.extra["pauses"] == 1 and long.stats.extra["evaluated_again"] == 0
    assert 0 < long.stats.time_to_first_token_s < long.stats.total_s
    assert not shared.busy and shared.waiting == 0


def test_a_question_stops_a_running_prefill_which_resumes_after_it():
    """A question that comes while a long prefix is being prefilled waits one batch, not the whole prefix; the
    prefill then resumes and the prefix ends up prefilled."""
    shared = SharedModel(load_models().get(SMALL), local_backend("llama.cpp"))
    backend = shared.backend
    started, reasons, answers = [], [], []  # the prompts the engine was given; how each prefill ended
    question = threading.Thread(target=lambda: answers.append("".join(shared.stream("Hi", Sampling(max_new_tokens=3)))))

    def question_comes_after_the_first_batch(stop):
        def asked():
            if not question.is_alive() and not answers:
                question.start()
                settle(lambda: shared.waiting == 1, "the question queued")
            return stop()
        return asked

    def watched_prefill(prompt, stop):
        stats = type(backend).prefill(backend, prompt, question_comes_after_the_first_batch(stop))
        reasons.append(stats.finish_reason)
        return stats

    def watched_stream(prompt, *args, **kw):
        started.append("question" if prompt == "Hi" else "prefix")
        return type(backend).stream(backend, prompt, *args, **kw)

    backend.prefill, backend.stream = watched_prefill, watched_stream
    try:
        shared.prefill_chat(long_prefix("salinity")).join(timeout=120)
        assert started == ["prefix", "question", "prefix"] and answers[0]  # stopped, answered, then resumed
        assert reasons[0] == "stopped" and reasons[1:] and reasons[1] != "stopped"
        assert len(shared.prefilled) == 1 and not shared.busy and shared.waiting == 0
    finally:
        del backend.prefill, backend.stream


def test_switching_model_stops_a_running_prefill_for_good():
    """Freeing a model (another session picked another) waits one batch of a running prefill, not all of it, and
    the prefill does not resume on the freed model."""
    pool = ModelPool(capacity=1)
    spec = load_models().get(SMALL)
    shared = pool.get(spec, "llama.cpp")
    backend = shared.backend
    reasons, switched = [], []
    switch = threading.Thread(target=lambda: switched.append(pool.get(spec, "transformers")))

    def watched_prefill(prompt, stop):
        def asked():
            if not switch.is_alive() and not switched:
                switch.start()
                settle(lambda: shared.waiting == 1, "the switch waits for the model")
            return stop()
        stats = type(backend).prefill(backend, prompt, asked)
        reasons.append(stats.finish_reason)
        return stats

    backend.prefill = watched_prefill
    try:
        shared.prefill_chat(long_prefix("pressure")).join(timeout=120)
        switch.join(timeout=120)
        assert reasons == ["stopped"] and pool.loaded() == [(SMALL, "transformers")]
        assert shared.prefill_chat(long_prefix("wind", 3)) is None and not shared.prefilled  # nothing more on it
    finally:
        pool.clear()


def test_a_question_on_a_prefilled_dataset_prefix_is_short_work_and_goes_first():
    """Two Tools-like questions of the same length queue behind a running generation; the one whose dataset
    prefix (system message) every session shares, prefilled, goes first: the scheduler counts only its own tokens."""
    shared = SharedModel(load_models().get(SMALL), local_backend("llama.cpp"))
    shared_prefix, other_prefix = long_prefix("rainfall", 60), long_prefix("snowfall", 60)
    shared.prefill_chat(shared_prefix).join(timeout=300)
    holder = shared.stream("Hello", Sampling(max_new_tokens=50))
    next(holder)
    order = []

    def session(name, prefix):
        generation = shared.stream_chat([*prefix, {"role": "user", "content": "Wettest station?"}],
                                        Sampling(max_new_tokens=2))
        next(generation)
        order.append(name)
        generation.close()

    first = threading.Thread(target=session, args=("not prefilled", other_prefix))
    first.start()
    settle(lambda: shared.waiting == 1, "the question on another dataset queued")
    second = threading.Thread(target=session, args=("prefilled", shared_prefix))
    second.start()
    settle(lambda: shared.waiting == 2, "the question on the shared dataset queued")
    holder.close()
    for t in (first, second):
        t.join(timeout=180)
    assert order == ["prefilled", "not prefilled"]
