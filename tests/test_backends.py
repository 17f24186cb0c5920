"""Each local backend on a real model (SmolLM2-135M): determinism, stops, token counts, prompt cache."""
from __future__ import annotations

from helpers import greedy

from generation import Sampling

PROMPT = "Once upon a time in a galaxy far, far away"
# A long shared prefix, as a dataset prompt would be, then a short follow-up question.
PREFIX = ("Station report. " + " ".join(f"Day {d}: max {10 + d % 7} C, rain {d % 3} mm." for d in range(40)) + "\n")


def run(backend, prompt, sampling=None):
    """The whole generation (its .text and its own .stats)."""
    generation = backend.stream(prompt, sampling or greedy())
    for _ in generation:
        pass
    return generation


def test_greedy_is_deterministic_and_not_empty(backend):
    first = run(backend, PROMPT)
    assert first.text.strip()
    assert run(backend, PROMPT).text == first.text
    assert first.stats.generated_tokens >= 1
    assert first.stats.finish_reason in {"length", "stop"}
    assert not hasattr(backend, "stats")  # nothing about one generation lives on the shared backend


def test_seeded_sampling_repeats_and_differs_by_seed(backend):
    settings = dict(max_new_tokens=24, temperature=1.2, top_k=0, top_p=1.0)
    a = run(backend, PROMPT, Sampling(seed=1, **settings)).text
    b = run(backend, PROMPT, Sampling(seed=1, **settings)).text
    c = run(backend, PROMPT, Sampling(seed=2, **settings)).text
    assert a == b
    assert a != c


def test_stop_sequence_ends_the_text_before_it(backend):
    generation = run(backend, "Count: 1, 2, 3, 4,", Sampling(max_new_tokens=40, stop=(" 7",)))
    assert " 7" not in generation.text
    assert "6" in generation.text  # it counted up to the stop
    assert generation.stats.finish_reason == "stop"


def test_max_new_tokens_is_respected(backend):
    stats = run(backend, PROMPT, Sampling(max_new_tokens=5)).stats
    assert stats.generated_tokens == 5
    assert stats.finish_reason == "length"


def test_prompt_token_count_matches_the_tokenizer(backend):
    stats = run(backend, PROMPT).stats
    counted = backend.count_tokens(PROMPT)
    assert counted == len(backend.tokenize(PROMPT)) > 5
    assert stats.prompt_tokens in {counted, counted + 1}  # +1 where the model adds a BOS token


def test_prompt_cache_evaluates_only_the_new_tokens(backend):
    question = "Question: which day was the warmest?"
    run(backend, "Unrelated warm-up text.")  # make sure the cache holds something else first
    cold = run(backend, PREFIX + "Question: how much rain fell in all?").stats
    assert cold.prompt_tokens_evaluated == cold.prompt_tokens > 300
    warm = run(backend, PREFIX + question).stats
    new_tokens = backend.count_tokens(question)
    assert warm.prompt_tokens_evaluated <= new_tokens + 2
    assert warm.cached_tokens >= warm.prompt_tokens - new_tokens - 2


def test_chat_template_wraps_roles_and_chat_answers(backend):
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    prompt = backend.apply_chat_template(messages)
    assert "What is the capital of France?" in prompt and "assistant" in prompt
    assert prompt.rstrip().endswith("assistant")  # the generation prompt opens the assistant's turn
    answer = "".join(backend.stream_chat(messages, Sampling(max_new_tokens=64)))
    assert answer.strip()
    assert "<|im_" not in answer and "user" not in answer.lower()[:10]  # a reply, not template text


def test_llama_cpp_ram_cache_keeps_an_older_prefix():
    """Dataset A, then dataset B, then a follow-up on A: A's prefix comes back from the RAM cache (a state that keeps
    a single row of logits restores, and writes an answer). Its text is not compared with a fresh evaluation's: the
    prefix and the rest are then evaluated in other batches, and near-ties can flip (upstream's states do it too)."""
    from helpers import local_backend

    backend = local_backend("llama.cpp")
    other = PREFIX.replace("Station report.", "Buoy report.").replace("rain", "wave")
    run(backend, PREFIX + "Question: how much rain fell in all?")
    assert run(backend, other + "Question: how high were the waves?").stats.prompt_tokens_evaluated > 300  # B: new
    restored = run(backend, PREFIX + "Question: which day was the warmest?")
    assert restored.stats.prompt_tokens_evaluated < 30 and restored.text.strip()


def test_llama_cpp_computes_on_one_thread_whichever_thread_streams():
    """Sessions stream from threads of their own; llama.cpp's OpenMP keeps a team of workers per calling thread,
    and with more teams than cores decoding slowed by a quarter (bench/threads.py). Every batch is computed on
    the backend's one compute thread, none on a streaming thread, and the greedy text is the same from any."""
    import threading

    from helpers import local_backend

    backend = local_backend("llama.cpp")
    context = backend.llm._ctx
    computing, streaming, texts = set(), set(), []
    decode = context.decode

    def recorded_decode(batch):
        computing.add(threading.current_thread().name)
        return decode(batch)

    def stream():
        streaming.add(threading.current_thread().name)
        texts.append(run(backend, PROMPT + " (thread)", greedy(6)).text)

    context.decode = recorded_decode
    try:
        threads = [threading.Thread(target=stream) for _ in range(3)]
        for t in threads:
            t.start()
            t.join()
    finally:
        del context.decode
    assert len(computing) == 1 and not computing & streaming and len(streaming) == 3
    assert len(set(texts)) == 1 and texts[0].strip()


def test_llama_cpp_saved_states_hold_no_logits_and_the_cache_counts_all_a_state_holds():
    """Upstream, each saved state copies up to n_batch rows of vocabulary logits (100 MB for SmolLM2) that nothing
    reads: a state holds none (the greedy text after a restored state is checked in test_shared), and the
    capacity bounds the KV bytes and the token ids together."""
    from helpers import local_backend

    from generation.backends._llamacpp_cache import StateCache

    backend = local_backend("llama.cpp")
    previous = backend.llm.cache
    backend.llm.set_cache(StateCache(capacity_bytes=2**40))
    try:
        run(backend, "Report number 0. " + PREFIX + "Question?", greedy(2))
        (state,) = backend.llm.cache.cache_state.values()
        assert state.scores.nbytes == 0 and len(state.llama_state) == state.llama_state_size > 0
        one = backend.llm.cache.cache_size
        assert one < state.llama_state_size + 2**20  # the KV bytes and the token ids, not 100 MB of logits
        capacity = int(2.5 * one)
        backend.llm.set_cache(StateCache(capacity_bytes=capacity))
        for n in range(1, 6):
            run(backend, f"Report number {n}. " + PREFIX + "Question?", greedy(2))
        states = list(backend.llm.cache.cache_state.values())
        assert 1 < len(states) < 5  # more than one fits; the oldest were evicted
        assert backend.llm.cache.cache_size == sum(s.llama_state_size + s.scores.nbytes + s.input_ids.nbytes
                                                   for s in states) <= capacity
    finally:
        backend.llm.set_cache(previous)


def test_llama_cpp_keeps_a_prefilled_prefix_while_other_states_come_and_go():
    """A dataset prefix prefilled for every session is pinned: other requests' states, which fill the cache many
    times over, evict each other and not it, and a question on the prefix then evaluates only its own tokens."""
    from helpers import local_backend

    from generation.backends._llamacpp_cache import StateCache

    backend = local_backend("llama.cpp")
    previous = backend.llm.cache
    try:
        backend.llm.set_cache(StateCache(capacity_bytes=2**40))
        run(backend, "Report number 0. " + PREFIX + "Question?", greedy(2))
        one = backend.llm.cache.cache_size  # one state of about this prompt's length
        backend.llm.set_cache(StateCache(capacity_bytes=int(3.5 * one)))
        assert backend.prefill(PREFIX, stop=lambda: False).finish_reason != "stopped"
        (pinned,) = backend.llm.cache.pinned
        for n in range(1, 5):  # each state as large as the prefix's: three fit, four come
            run(backend, f"Report number {n}. " + PREFIX + "Question?", greedy(2))
        states = backend.llm.cache.cache_state
        assert pinned in states and 1 < len(states) <= 3 and backend.llm.cache.cache_size <= 3.5 * one
        asked = run(backend, PREFIX + "Question: which day was the warmest?", greedy(2))
        assert asked.stats.prompt_tokens_evaluated < 20  # the question's own tokens, not the prefix's ~500

        backend.llm.set_cache(StateCache(capacity_bytes=int(3.5 * one)))  # without the pin: the same requests
        run(backend, PREFIX, greedy(1))
        for n in range(1, 5):
            run(backend, f"Report number {n}. " + PREFIX + "Question?", greedy(2))
        again = run(backend, PREFIX + "Question: which day was the warmest?", greedy(2))
        assert again.stats.prompt_tokens_evaluated > 10 * asked.stats.prompt_tokens_evaluated  # evicted: all again
    finally:
        backend.llm.set_cache(previous)


def test_the_state_cache_pins_at_most_a_few_prefixes_and_evicts_the_pinned_last():
    """StateCache's eviction order on its own (fake states of known sizes): unpinned least recently used first,
    a pinned one only when nothing else is left, and pinning one more than MAX_PINNED unpins the oldest."""
    import numpy as np
    import pytest

    llama_cpp = pytest.importorskip("llama_cpp")
    from generation.backends._llamacpp_cache import MAX_PINNED, StateCache

    def state(n):
        return llama_cpp.LlamaState(input_ids=np.arange(n, dtype=np.intc), scores=np.zeros((1, 4), np.single),
                                    n_tokens=n, llama_state=b"", llama_state_size=1000, seed=0)

    cache = StateCache(capacity_bytes=10 * 1030)  # ten states of 1,020-1,028 bytes
    cache[(1, 2, 3)] = state(3)
    assert cache.pin([1, 2]) == (1, 2, 3) and cache.pin([1, 2, 3, 4]) is None  # a state holding all the tokens
    for k in range(10, 20):
        cache[(k,)] = state(1)
    assert list(cache.cache_state) == [(1, 2, 3), *((k,) for k in range(11, 20))]  # the oldest unpinned went
    for k in range(MAX_PINNED):
        cache[(20 + k,)] = state(1)
        assert cache.pin([20 + k]) == (20 + k,)
    assert cache.pinned == {(20 + k,) for k in range(MAX_PINNED)}  # one more than MAX_PINNED: the oldest let go
    cache[(30,)] = state(1)
    assert (1, 2, 3) not in cache.cache_state and (19,) in cache.cache_state  # unpinned: evicted as any other

    small = StateCache(capacity_bytes=4 * 1030)
    small[(5, 6, 7, 8)] = state(4)
    small[(5, 6)] = state(2)
    assert small.pin([5]) == (5, 6)  # the smallest state holding the prefix: the prefill's own
    for k in (1, 2):
        small[(k,)] = state(1)
        small.pin([k])
    assert small.pinned == {(1,), (2,)}  # at most half the capacity pinned: other states keep room
    small[(3,)] = state(1)
    assert (3,) in small.cache_state and set(small.pinned) <= set(small.cache_state)
