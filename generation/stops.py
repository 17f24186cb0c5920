"""Turn a growing decoded text into safe-to-show pieces: honour stop strings, never split a character.

Backends that decode token by token themselves (transformers, mlx) feed the full text decoded so far;
`StopScanner.feed` returns the new piece to show and whether a stop string ended the sequence. Text
that could be the start of a stop string, or ends in a half-decoded character, is held back.
"""
from __future__ import annotations


class StopScanner:
    def __init__(self, stops: tuple[str, ...] = ()) -> None:
        self.stops = tuple(s for s in stops if s)
        self.emitted = 0  # characters of the text already handed out
        self.stopped = False

    def feed(self, text: str) -> str:
        if self.stopped:
            return ""
        cut = min((i for i in (text.find(s, max(self.emitted - len(s), 0)) for s in self.stops) if i >= 0),
                  default=-1)
        if cut >= 0:
            self.stopped = True
            piece, self.emitted = text[self.emitted:cut], cut
            return piece
        end = len(text) - self._held_back(text)
        piece = text[self.emitted:end] if end > self.emitted else ""
        self.emitted = max(self.emitted, end)
        return piece

    def finish(self, text: str) -> str:
        """The rest of the text at the end of the sequence (nothing is held back any more)."""
        if self.stopped:
            return ""
        piece = self.feed(text)
        rest = text[self.emitted:].rstrip("\ufffd")
        self.emitted = len(text)
        return piece + rest

    def _held_back(self, text: str) -> int:
        if text.endswith("\ufffd"):  # a multi-byte character is not complete yet
            return len(text) - len(text.rstrip("\ufffd"))
        return max((k for s in self.stops for k in range(min(len(s) - 1, len(text)), 0, -1)
                    if text.endswith(s[:k])), default=0)
