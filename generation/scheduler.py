"""Who uses a shared model next: the shortest estimated work first, with aging, and an honest wait estimate.

Every request declares its Cost: its prompt's tokens and its max_new_tokens. The prompt is counted by a cheap
estimate (4 characters a token), so that waiting needs neither the model nor its tokenizer, which another
session is using. Its estimated work in seconds is

    prompt tokens / prefill rate + max_new_tokens / decode rate

with the mean rates of this model's last RATE_WINDOW generations (DEFAULT_*_TOK_S before its first). It is an
upper bound: a prompt cache hit or an early stop makes the real work shorter.

The rule. A waiting request's priority is its estimated seconds minus the seconds it has waited; the lowest goes
next (ties: the earlier arrival). All waiting requests age at the same pace, so the order is that of a fixed key,
arrival time + estimated seconds. A short request overtakes a long one that arrived less than (long - short)
seconds before it; nothing overtakes a request that has waited its own estimated seconds, so a long request is
never starved.

First tokens first. A generation that can be paused (a backend that keeps its state: generation.shared) gives
up the model when a request that has not started yet waits: before its first token, between two batches of its
prompt (`new_request_waits`, where the backend can: a 1,500-token Summarize prompt is three batches, about 15 s
on 2 cores); then at its next token (`should_pause`): in its first turn as soon as it has its own first token
(FIRST_TURN_S), in a later turn once it has generated for MIN_TURN_S
seconds in that turn, so that it moves on too. It then waits again, keyed by its first arrival + its estimated
rest, behind the requests that have not started until it has waited PAUSED_PATIENCE_S; from then on it is
ordered with them, where its early arrival puts it first, so a paused generation is never starved either. A
student's question thus starts after the first tokens of the requests ahead of it (their prompts, about a second
each on a shared prefix) instead of after another student's whole summary; a pause costs a saved state and a
token evaluated again (a few tenths of a second: bench/tools_prompt.py --turns). Other generations (a
grammar-constrained call, a seeded sample, a server's) are never interrupted.

Background work (a prefill that only saves a later request time) goes only when no other request waits, and is
never counted ahead of one: a student's question never waits for a queued prefill, and a running one stops at
its next step when the backend can (generation.shared, Backend.prefill).

The `on_wait` callback hears how many generations are ahead (the running one and those queued before it) and
about how many seconds until this one starts (the running one's estimated rest plus the estimates of those
queued ahead; for a request that has not started, a pausable generation ahead counts only its turn: its prompt
and first token, or MIN_TURN_S). It is called when the request joins the queue and again whenever that place changes.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from statistics import fmean

from .types import Message, Stats, Tool

OnWait = Callable[[int, float], None]  # (generations ahead, about how many seconds until this one starts)
CHARS_PER_TOKEN = 4
DEFAULT_PREFILL_TOK_S, DEFAULT_DECODE_TOK_S = 100.0, 10.0  # about a 1.5B model on 2 CPU cores
RATE_WINDOW = 8  # generations whose measured rates make the estimate
MIN_MEASURED_TOKENS = 8  # fewer prompt or new tokens time too little to measure a rate
FIRST_TURN_S = 0.0  # a generation's first turn may be paused this long after its first token (at once)
MIN_TURN_S = 1.0  # a paused generation's later turns generate at least this long before a new request may pause it
# a paused generation waits behind new requests at most this long, then is ordered with them. Its estimated rest
# instead (a few seconds) put every paused one back ahead of the new ones: at 8 students the first token's p95
# went from 15 s to 62 s (bench/RESULTS.md)
PAUSED_PATIENCE_S = 30.0


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + 1


@dataclass(frozen=True)
class Cost:
    """What a request asks of the model: prompt tokens (estimated) and at most how many new tokens."""

    prompt_tokens: int = 0
    max_new_tokens: int = 0

    @classmethod
    def of_prompt(cls, prompt: str, max_new_tokens: int) -> "Cost":
        return cls(estimate_tokens(prompt), max_new_tokens)

    @classmethod
    def of_chat(cls, messages: list[Message], tools: list[Tool] | None, max_new_tokens: int) -> "Cost":
        text = "".join(str(m.get("content") or "") for m in messages) + (json.dumps(tools) if tools else "")
        return cls(estimate_tokens(text) + 8 * len(messages), max_new_tokens)  # + each message's template tokens


@dataclass
class Request:
    cost: Cost
    seconds: float  # estimated work (a paused generation's: its rest)
    arrival: float  # when it first asked (a paused generation keeps its first arrival)
    background: bool
    paused: bool  # a generation that gave up the model and waits to go on
    order: int
    queued: float = 0.0  # when it joined the queue this time
    started: float = 0.0
    pausable: bool = False  # it gives up the model for a new request (First tokens first)
    first_token_seconds: float = 0.0  # its estimated prompt and first token

    def key(self, now: float) -> tuple[bool, bool, float, int]:
        """The lowest goes next: foreground first, then new requests and paused ones that have waited
        PAUSED_PATIENCE_S, then by arrival + estimated seconds, then by arrival order."""
        held_back = self.paused and now - self.queued < PAUSED_PATIENCE_S
        return (self.background, held_back, self.arrival + self.seconds, self.order)

    @property
    def new(self) -> bool:
        """A foreground request that has not started yet."""
        return not self.background and not self.paused

    def turn_seconds(self) -> float:
        """About how long it holds the model once it goes, when a new request waits behind it."""
        if not self.pausable:
            return self.seconds
        return min(MIN_TURN_S, self.seconds) if self.paused else self.first_token_seconds


@dataclass
class Rates:
    """This model's recent prefill and decode speeds, measured from the Stats of its finished generations."""

    prefill: deque[float] = field(default_factory=lambda: deque(maxlen=RATE_WINDOW))
    decode: deque[float] = field(default_factory=lambda: deque(maxlen=RATE_WINDOW))

    def measure(self, stats: Stats) -> None:
        if stats.prompt_tokens_evaluated >= MIN_MEASURED_TOKENS and stats.prefill_tokens_per_s > 0:
            self.prefill.append(stats.prefill_tokens_per_s)
        if stats.generated_tokens >= MIN_MEASURED_TOKENS and stats.decode_tokens_per_s > 0:
            self.decode.append(stats.decode_tokens_per_s)

    def seconds(self, cost: Cost) -> float:
        prefill = fmean(self.prefill) if self.prefill else DEFAULT_PREFILL_TOK_S
        decode = fmean(self.decode) if self.decode else DEFAULT_DECODE_TOK_S
        return cost.prompt_tokens / prefill + cost.max_new_tokens / decode

    def first_token_seconds(self, cost: Cost) -> float:
        return self.seconds(Cost(cost.prompt_tokens, min(cost.max_new_tokens, 1)))


class Scheduler:
    """One generation at a time; the next is chosen by the rule above. `clock` is seconds (a test may pass its own)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.rates = Rates()
        self._clock = clock
        self._cond = threading.Condition()
        self._queue: list[Request] = []
        self._running: Request | None = None
        self._arrivals = count()

    @property
    def busy(self) -> bool:
        return self._running is not None

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @property
    def waiting_in_foreground(self) -> bool:
        """Whether a request other than background work waits (a running prefill then stops at its next step)."""
        with self._cond:
            return any(not r.background for r in self._queue)

    def acquire(self, cost: Cost = Cost(), on_wait: OnWait | None = None, background: bool = False,
                paused_since: float | None = None, pausable: bool = False) -> float:
        """Block until it is this request's turn, telling `on_wait` its place meanwhile; return its arrival time.
        A `background` request goes only when no other request waits. A generation that paused passes the
        arrival it was given first as `paused_since` and the cost of its rest; one that will pause for a new
        request (`should_pause`) says it is `pausable`."""
        with self._cond:
            seconds = self.rates.seconds(cost)
            now = self._clock()
            arrival = now if paused_since is None else paused_since
            request = Request(cost, seconds, arrival, background, paused_since is not None, next(self._arrivals),
                              queued=now, pausable=pausable, first_token_seconds=self.rates.first_token_seconds(cost))
            self._queue.append(request)
            self._cond.notify_all()  # those waiting may now have one more ahead of them
        told = None
        try:
            while True:
                with self._cond:
                    now = self._clock()
                    if self._running is None and min(self._queue, key=lambda r: r.key(now)) is request:
                        self._queue.remove(request)
                        request.started = now
                        self._running = request
                        return arrival
                    place = self.place(request)
                    if place == told:
                        self._cond.wait()
                        continue
                told = place
                if on_wait:  # outside the lock: it may draw on a page, which takes its time
                    on_wait(*place)
        except BaseException:  # a rerun stops the waiting session: leave the queue, let the others move up
            with self._cond:
                if request in self._queue:
                    self._queue.remove(request)
                self._cond.notify_all()
            raise

    def now(self) -> float:
        """The scheduler's clock, in seconds."""
        return self._clock()

    def _waited_for(self) -> Request | None:
        """The running generation when it is foreground work and a request that has not started waits (under
        the lock)."""
        running = self._running
        if running is None or running.background or not any(r.new for r in self._queue):
            return None
        return running

    def new_request_waits(self) -> bool:
        """Whether the running generation is foreground work and a request that has not started waits: then a
        pausable one stops its prompt at the next batch (it has no first token yet, so no turn to finish)."""
        with self._cond:
            return self._waited_for() is not None

    def should_pause(self, since: float) -> bool:
        """Whether the running generation, if it can pause, should give up the model now: a new request waits
        (`new_request_waits`), and this is its first turn (it has its first token) or a later turn that has
        generated for MIN_TURN_S seconds since `since` (that turn's first token, on this clock)."""
        with self._cond:
            running = self._waited_for()
            return running is not None and self._clock() - since >= (MIN_TURN_S if running.paused else FIRST_TURN_S)

    def place(self, request: Request) -> tuple[int, float]:
        """How many generations are ahead of a waiting `request`, and about how many seconds until it starts: a
        new request waits only for the turns of the pausable generations ahead of it."""
        now = self._clock()
        ahead = [r for r in self._queue if r.key(now) < request.key(now)]
        wait = sum(r.turn_seconds() if request.new else r.seconds for r in ahead)
        running = self._running
        if running is not None:
            holds = running.turn_seconds() if request.new else running.seconds
            wait += max(holds - (now - running.started), 0.0)
        return len(ahead) + (running is not None), round(wait)

    def release(self, stats: Stats | None = None) -> None:
        """The running generation is done; its `stats` (when it generated) refine the rates."""
        with self._cond:
            if stats is not None:
                self.rates.measure(stats)
            self._running = None
            self._cond.notify_all()
