"""The catalog of encoder strategies: each registers itself with ``@strategy``, and ``STRATEGIES`` derives from it.

A new strategy is one new module in ``encoders/strategies/`` (``discover`` imports every module there)::

    @strategy("columns", order=60)   # its place in the Compare table and the selectbox (built-ins: 10..50)
    def columns(obj, budget, count_tokens, title=""):   # -> Encoding within `budget` tokens
        ...

``STRATEGIES`` (name -> function) lists them by ``order`` (then name; no order comes after every ordered one)
and is updated in place on every registration, so ``encoders.STRATEGIES`` is always current. One strategy
says ``default=True``: ``default_strategy()``. An unknown name raises ``EncoderError``.
"""
from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from .types import EncoderError, Encoding

Strategy = Callable[..., Encoding]  # (obj, budget, count_tokens, title="") -> Encoding


@dataclass(frozen=True)
class Entry:
    """One registered strategy: its function, its place and whether it is the default."""

    fn: Strategy
    order: float
    default: bool


_ENTRIES: dict[str, Entry] = {}  # the one table STRATEGIES derives from
STRATEGIES: dict[str, Strategy] = {}


def strategy(name: str, order: float | None = None, default: bool = False) -> Callable[[Strategy], Strategy]:
    """Decorator: register the function as the strategy ``name``.

    order: its place in STRATEGIES (lower first; None: after the ordered ones).
    default: the strategy used when none is named (exactly one built-in says so).
    """

    def register(fn: Strategy) -> Strategy:
        old = _ENTRIES.get(name)
        if old is not None and (old.fn.__module__, old.fn.__qualname__) != (fn.__module__, fn.__qualname__):
            raise EncoderError(f"two strategies are named {name!r} ({old.fn.__module__} and {fn.__module__})")
        other = next((n for n, e in _ENTRIES.items() if e.default and n != name), None)
        if default and other is not None:
            raise EncoderError(f"strategies {other!r} and {name!r} both say default=True")
        _ENTRIES[name] = Entry(fn, math.inf if order is None else order, default)
        _derive()
        return fn

    return register


def unregister(name: str) -> None:
    """Remove a strategy from the catalog (tests clean up with it)."""
    _ENTRIES.pop(name, None)
    _derive()


def _derive() -> None:
    ordered = sorted(_ENTRIES.items(), key=lambda item: (item[1].order, item[0]))
    STRATEGIES.clear()
    STRATEGIES.update((name, e.fn) for name, e in ordered)


def default_strategy() -> str:
    """The name of the strategy registered with default=True."""
    found = [name for name, e in _ENTRIES.items() if e.default]
    if not found:
        raise EncoderError("no encoder strategy says default=True")
    return found[0]


def lookup(name: str) -> Strategy:
    """The strategy called ``name`` (EncoderError naming the choices when there is none)."""
    if name not in STRATEGIES:
        raise EncoderError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    return STRATEGIES[name]


def discover(package: str = f"{__name__.rpartition('.')[0]}.strategies") -> None:
    """Import every module of ``package`` (``encoders.strategies`` by default; names starting with _ are
    skipped), so each strategy module registers its strategies."""
    path = importlib.import_module(package).__path__
    for module in pkgutil.iter_modules(path):
        if not module.name.startswith("_"):
            importlib.import_module(f"{package}.{module.name}")
