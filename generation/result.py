"""What one generation call returns: its text pieces and its own Stats, nothing shared with another call.

    gen = model.stream("Once upon a time", Sampling(max_new_tokens=32))
    for piece in gen:            # the text, about one token a piece
        print(piece, end="")
    print(gen.text, gen.stats)   # all the text; this call's token counts and timings

A Generation is an iterator. Its `stats` is a fresh Stats that only this call writes; it is complete once the
iteration ends, or once `close()` stops it early (finish_reason "cancelled"). Two sessions on one model each hold
their own Generation, so neither can read the other's counts.
"""
from __future__ import annotations

import time
from collections.abc import Generator, Iterator

from .types import Stats


class Generation(Iterator[str]):
    def __init__(self, pieces: Iterator[str], stats: Stats | None = None) -> None:
        self._pieces = pieces
        self.stats = stats if stats is not None else Stats()
        self._parts: list[str] = []

    def __iter__(self) -> "Generation":
        return self

    def __next__(self) -> str:
        piece = next(self._pieces)
        self._parts.append(piece)
        return piece

    @property
    def text(self) -> str:
        """Everything yielded so far."""
        return "".join(self._parts)

    def close(self) -> None:
        """Stop early (what a Streamlit rerun does): the engine stops and the model is freed for the next call."""
        close = getattr(self._pieces, "close", None)
        if close:
            close()


def timed(pieces: Iterator[str], stats: Stats) -> Generator[str, None, None]:
    """`pieces`, writing the time to the first piece, the total time and a cancellation into `stats`."""
    start = time.perf_counter()
    first = None
    finished = False
    try:
        for piece in pieces:
            if first is None:
                first = time.perf_counter()
                stats.time_to_first_token_s = first - start
            yield piece
        finished = True
    finally:
        stats.total_s = time.perf_counter() - start
        if first is None:
            stats.time_to_first_token_s = stats.total_s
        if not finished:
            stats.finish_reason = "cancelled"
        close = getattr(pieces, "close", None)
        if close:
            close()
