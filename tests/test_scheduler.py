"""The scheduler's rule on its own: shortest estimated work first, aging, the wait it tells, the rates it learns.

A fake clock isolates the one seam that is time: every request here arrives at a moment the test chooses. The
model is not needed (the real threaded case is in test_shared.py).
"""
from __future__ import annotations

import threading
import time

import pytest

from generation import Cost, Scheduler, Stats
from generation.scheduler import (
    DEFAULT_DECODE_TOK_S,
    DEFAULT_PREFILL_TOK_S,
    MIN_TURN_S,
    PAUSED_PATIENCE_S,
    Rates,
    estimate_tokens,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def settle(done, what: str) -> None:
    deadline = time.monotonic() + 30
    while not done():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.005)


class Queue:
    """A scheduler held by a running generation, and requests that join it at chosen times."""

    def __init__(self, running: Cost = Cost(0, 50), paused_since: float | None = None, pausable: bool = False) -> None:
        self.clock = Clock()
        self.scheduler = Scheduler(self.clock)
        self.scheduler.acquire(running, paused_since=paused_since, pausable=pausable)
        self.order: list[str] = []
        self.told: dict[str, list[tuple[int, float]]] = {}
        self.threads: list[threading.Thread] = []

    def join(self, name: str, cost: Cost, at: float, background: bool = False,
             paused_since: float | None = None, pausable: bool = False) -> None:
        self.clock.now = at
        self.told[name] = []

        def request():
            self.scheduler.acquire(cost, lambda ahead, seconds: self.told[name].append((ahead, seconds)), background,
                                   paused_since, pausable)
            self.order.append(name)
            self.scheduler.release()

        thread = threading.Thread(target=request)
        self.threads.append(thread)
        queued = self.scheduler.waiting + 1
        thread.start()
        settle(lambda: self.scheduler.waiting == queued and self.told[name], f"{name} queued and told")

    def run(self) -> list[str]:
        self.scheduler.release()
        for thread in self.threads:
            thread.join(timeout=30)
        assert self.scheduler.waiting == 0 and not self.scheduler.busy
        return self.order


def new_tokens(seconds: float) -> Cost:
    """A request whose estimated work is `seconds` at the default decode rate (no prompt)."""
    return Cost(0, round(seconds * DEFAULT_DECODE_TOK_S))


def test_the_shortest_estimated_work_goes_first():
    queue = Queue()
    queue.join("long", new_tokens(60), at=1)
    queue.join("medium", new_tokens(20), at=1)
    queue.join("short", new_tokens(2), at=1)
    assert queue.run() == ["short", "medium", "long"]


def test_equal_work_goes_in_order_of_arrival():
    queue = Queue()
    for name in ("first", "second", "third"):
        queue.join(name, new_tokens(5), at=1)
    assert queue.run() == ["first", "second", "third"]


def test_a_long_request_that_has_waited_its_estimate_is_not_overtaken():
    """Priority = estimated seconds - seconds waited: the long one (10 s, queued at 0) against a short one (1 s)."""
    early = Queue()
    early.join("long", new_tokens(10), at=0)
    early.join("short", new_tokens(1), at=5)  # 1 s against 10 - 5 = 5 s: the short one goes first
    assert early.run() == ["short", "long"]
    late = Queue()
    late.join("long", new_tokens(10), at=0)
    late.join("short", new_tokens(1), at=11)  # 1 s against 10 - 11 = -1 s: the long one has waited enough
    assert late.run() == ["long", "short"]


def test_a_long_request_is_never_starved():
    """A stream of short requests, one a second: the long one goes once it has waited its estimate."""
    queue = Queue()
    queue.join("long", new_tokens(10), at=0)
    for second in range(1, 16):
        queue.join(f"short {second}", new_tokens(1), at=second)
    order = queue.run()
    # key = arrival + estimate: shorts 1-8 (keys 2-9) before it (10); short 9 ties and arrived later; then the rest
    assert order.index("long") == 8 and order[9:] == [f"short {second}" for second in range(9, 16)]


def test_the_wait_told_counts_those_ahead_and_their_estimated_seconds():
    queue = Queue(running=new_tokens(5))  # started at 0: about 5 s of work
    queue.join("long", new_tokens(30), at=2)
    assert queue.told["long"] == [(1, 3)]  # the running one, with 3 of its 5 s left
    queue.join("short", new_tokens(4), at=2)
    assert queue.told["short"] == [(1, 3)]  # it goes before the long one: only the running one is ahead
    settle(lambda: len(queue.told["long"]) == 2, "the long one was told its new place")
    assert queue.told["long"][1] == (2, 7)  # overtaken: two ahead now, 3 + 4 s
    queue.run()


def test_background_work_goes_only_when_no_request_waits_and_is_never_counted_ahead():
    """A prefill (background) queued first, even one that has waited long and is short, goes after every
    request; a request is not told about it."""
    queue = Queue(running=new_tokens(5))
    queue.join("prefill", new_tokens(1), at=0, background=True)
    queue.join("long question", new_tokens(60), at=100)
    assert queue.told["long question"] == [(1, 0)]  # only the running one is ahead, not the waiting prefill
    queue.join("second prefill", new_tokens(1), at=100, background=True)
    assert queue.told["second prefill"][-1][0] == 3  # the running one, the question and the first prefill
    assert queue.run() == ["long question", "prefill", "second prefill"]


def test_a_first_turn_is_asked_to_pause_at_its_first_token_and_a_later_turn_after_its_minimum():
    """First tokens first: a new request pauses a generation's first turn as soon as that has its own first token,
    and a resumed turn once it has generated MIN_TURN_S, so that it moves on too. Only a new request pauses."""
    first = Queue(running=new_tokens(60))  # started at 0, its first turn
    assert not first.scheduler.should_pause(0.0)  # nobody waits
    first.join("prefill", new_tokens(1), at=MIN_TURN_S * 5, background=True)
    first.join("paused one", new_tokens(1), at=MIN_TURN_S * 5, paused_since=0.0)
    assert not first.scheduler.should_pause(0.0)  # background work and a paused generation do not pause it
    assert not first.scheduler.new_request_waits()  # nor stop its prompt
    first.join("question", new_tokens(30), at=MIN_TURN_S * 5)  # a new request, even a long one
    assert first.scheduler.new_request_waits()  # a prompt being evaluated stops at its next batch
    assert first.scheduler.should_pause(MIN_TURN_S * 5)  # right after the first token
    assert first.run() == ["question", "paused one", "prefill"]

    later = Queue(running=new_tokens(60), paused_since=0.0)  # a paused generation's next turn, from 0
    later.join("question", new_tokens(30), at=MIN_TURN_S / 2)
    assert not later.scheduler.should_pause(0.0)  # it has not generated its minimum turn
    later.clock.now = MIN_TURN_S
    assert later.scheduler.should_pause(0.0) and not later.scheduler.should_pause(MIN_TURN_S / 2)
    later.run()


def test_a_new_request_is_told_the_turns_of_pausable_generations_ahead_not_their_whole_work():
    """Ahead of a new request, a pausable generation holds the model for its prompt and first token (first turn)
    or MIN_TURN_S (later turn); other work for all its estimate. A paused request is not paused for: it is told
    the whole estimates."""
    prompt = Cost(round(2 * DEFAULT_PREFILL_TOK_S), round(30 * DEFAULT_DECODE_TOK_S))  # 2 s to its first token
    queue = Queue(running=new_tokens(20), pausable=True)  # its first turn, from 0
    queue.join("resumed", new_tokens(4), at=0, paused_since=-50, pausable=True)
    now = PAUSED_PATIENCE_S + 1  # the running one is past its estimates; "resumed" has waited its patience
    queue.join("pausable", prompt, at=now, pausable=True)
    assert queue.told["pausable"] == [(2, round(MIN_TURN_S))]  # "resumed" goes first, for MIN_TURN_S
    queue.join("whole", new_tokens(60), at=now)
    assert queue.told["whole"] == [(3, round(MIN_TURN_S + 2.1))]  # and "pausable" to its first token
    queue.join("paused", new_tokens(3), at=now, paused_since=now)  # held back behind the new ones
    assert queue.told["paused"] == [(4, round(4 + 32.1 + 60))]  # the whole estimates
    assert queue.run() == ["resumed", "pausable", "whole", "paused"]


def test_a_paused_generation_waits_behind_new_requests_and_by_its_first_arrival_among_the_paused():
    queue = Queue()
    queue.join("paused late", new_tokens(5), at=10, paused_since=8.0)  # key 8 + 5
    queue.join("paused early", new_tokens(20), at=10, paused_since=0.0)  # key 0 + 20: waited longer
    queue.join("new and long", new_tokens(60), at=10)
    settle(lambda: queue.told["paused late"][-1] == (2, 60), "the paused one told that the new one is ahead")
    assert queue.run() == ["new and long", "paused late", "paused early"]


def test_a_paused_generation_that_has_waited_its_patience_goes_with_the_new_ones_and_first():
    early = Queue()
    early.join("paused", new_tokens(2), at=10, paused_since=0.0)  # 2 s left, paused at 10
    early.join("new", new_tokens(30), at=10 + PAUSED_PATIENCE_S / 2)
    assert early.run() == ["new", "paused"]  # it has not waited long: the new one, even a long one, goes first
    late = Queue()
    late.join("paused", new_tokens(2), at=10, paused_since=0.0)
    late.join("new", new_tokens(1), at=10 + PAUSED_PATIENCE_S + 1)
    assert late.run() == ["paused", "new"]  # ordered with the new ones, its first arrival puts it first


def test_a_waiting_request_that_is_stopped_leaves_the_queue():
    scheduler = Scheduler(Clock())
    scheduler.acquire()

    def stopped(ahead, seconds):
        raise KeyboardInterrupt  # what a rerun does to a session waiting in Streamlit (a BaseException)

    with pytest.raises(KeyboardInterrupt):
        scheduler.acquire(Cost(10, 10), stopped)
    assert scheduler.waiting == 0
    scheduler.release()
    scheduler.acquire()  # the model is free for the next one
    assert scheduler.busy


def test_rates_come_from_recent_generations():
    rates = Rates()
    cost = Cost(prompt_tokens=1000, max_new_tokens=100)
    assert rates.seconds(cost) == pytest.approx(1000 / DEFAULT_PREFILL_TOK_S + 100 / DEFAULT_DECODE_TOK_S)
    rates.measure(Stats(prompt_tokens=500, prompt_tokens_evaluated=500, generated_tokens=51,
                        time_to_first_token_s=1.0, total_s=2.0))  # 500 tok/s prefill, 50 tok/s decode
    assert rates.seconds(cost) == pytest.approx(1000 / 500 + 100 / 50)
    rates.measure(Stats(prompt_tokens=500, prompt_tokens_evaluated=2, generated_tokens=1,
                        time_to_first_token_s=0.01, total_s=0.01))  # a cache hit, one token: too little to time
    assert rates.seconds(cost) == pytest.approx(4.0)


def test_costs_are_estimated_without_the_model():
    assert estimate_tokens("x" * 400) == 101
    chat = [{"role": "system", "content": "x" * 400}, {"role": "user", "content": "Hi?"}]
    tools = [{"type": "function", "function": {"name": "f"}}]
    assert Cost.of_chat(chat, None, 64) == Cost(estimate_tokens("x" * 400 + "Hi?") + 16, 64)
    assert Cost.of_chat(chat, tools, 64).prompt_tokens > Cost.of_chat(chat, None, 64).prompt_tokens


def test_a_waiting_page_says_how_many_are_ahead_and_about_how_long():
    from pages import _ui

    shown = []
    notice = _ui.queue_notice(type("Slot", (), {"info": lambda self, text: shown.append(text)})())
    notice(2, 40.4)
    notice(1, 0.2)
    assert "2 ahead of you, about 40 s to wait" in shown[0]
    assert "1 ahead of you, less than a second to wait" in shown[1]
    assert "waited 3.2 s for the model · first token" in _ui.stats_line(Stats(queued_s=3.2))
    assert "waited" not in _ui.stats_line(Stats())
    assert "waited 4.0 s for the model (paused 2× so others' requests could start)" in \
        _ui.stats_line(Stats(queued_s=4.0, extra={"pauses": 2, "evaluated_again": 2}))
