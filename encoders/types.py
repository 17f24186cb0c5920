"""Value types every encoder returns: a `Fact` (one number or string the prompt states) and an `Encoding`;
and `EncoderError`, what the encoders raise for a bad request (an unknown strategy, a budget too small)."""
from __future__ import annotations

from dataclasses import dataclass, field


class EncoderError(ValueError):
    """The encoders' error family: a request they cannot serve (the message says what to choose instead)."""


@dataclass(frozen=True)
class Fact:
    """One value the prompt states, computed from the data.

    key   where it comes from, e.g. "column:temp_max.mean", "var:sst.max", "shape.rows"
    value the computed value (full precision; dates as ISO strings)
    unit  its unit when known
    text  exactly how the prompt writes it, e.g. "14.2"
    """

    key: str
    value: float | int | str
    unit: str = ""
    text: str = ""


@dataclass
class Encoding:
    """A prompt-ready text for one strategy, the facts behind every number in it, and its token count."""

    strategy: str
    text: str
    facts: list[Fact] = field(default_factory=list)
    tokens: int = 0
    budget: int = 0
    omitted: list[str] = field(default_factory=list)

    def fact(self, key: str) -> Fact | None:
        """The fact stored under `key`, or None."""
        return next((f for f in self.facts if f.key == key), None)
