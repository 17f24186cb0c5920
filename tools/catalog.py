"""The catalog of tools: every tool registers itself here with ``@tool``, and the tool lists derive from it.

A new tool is one new module in ``tools/`` (``discover`` imports every module of the package)::

    @tool(order=25)                 # optional: its place in the schemas (the built-ins use 10, 20, ...)
    def my_tool(x: float) -> float:
        \"\"\"What it does (the model reads this).

        Args:
            x: What x is.
        \"\"\"

A function whose first parameter is annotated ``DatasetArg`` is a dataset tool (offered with a dataset),
any other a calculator. ``CALCULATORS`` and ``DATASET_TOOLS`` list them by ``order`` (then name; no order
comes after every ordered tool), and ``CALCULATORS_WITH_DATA`` names the calculators registered
``with_data=True``: the ones kept enabled beside a dataset's tools (each schema costs prompt tokens, and a
small model given fewer tools picks better, bench/RESULTS.md). The lists are updated in place on every
registration, so ``tools.CALCULATORS`` is always current. The order of the built-ins is the order of the
schemas in the prompt: changing it changes what the model sees.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from .schema import dataset_parameter


@dataclass(frozen=True)
class Entry:
    """One registered tool: the function, whether it takes the dataset, its place, and whether a calculator
    stays enabled with a dataset."""

    fn: Callable
    dataset: bool
    order: float
    with_data: bool


TOOLS: dict[str, Entry] = {}  # name -> entry: the one table every list below derives from
CALCULATORS: list[Callable] = []
DATASET_TOOLS: list[Callable] = []
CALCULATORS_WITH_DATA: list[str] = []


def tool(order: float | None = None, with_data: bool = False) -> Callable[[Callable], Callable]:
    """Decorator: register the function as a tool (put it above ``@requires``/``@with_docs``).

    order: its place among the calculators or the dataset tools (lower first; None: after the ordered ones).
    with_data: a calculator kept enabled when a dataset is loaded.
    """

    def register(fn: Callable) -> Callable:
        name = fn.__name__
        old = TOOLS.get(name)
        if old is not None and (old.fn.__module__, old.fn.__qualname__) != (fn.__module__, fn.__qualname__):
            raise ValueError(f"two tools are named {name!r} ({old.fn.__module__} and {fn.__module__})")
        dataset = dataset_parameter(fn) is not None
        if dataset and with_data:
            raise ValueError(f"{name}: with_data applies to calculators; a dataset tool is always on with a dataset")
        TOOLS[name] = Entry(fn, dataset, math.inf if order is None else order, with_data)
        _derive()
        return fn

    return register


def unregister(name: str) -> None:
    """Remove a tool from the catalog (tests clean up with it)."""
    TOOLS.pop(name, None)
    _derive()


def _derive() -> None:
    ordered = sorted(TOOLS.items(), key=lambda item: (item[1].order, item[0]))
    CALCULATORS[:] = [e.fn for _, e in ordered if not e.dataset]
    DATASET_TOOLS[:] = [e.fn for _, e in ordered if e.dataset]
    CALCULATORS_WITH_DATA[:] = [name for name, e in ordered if not e.dataset and e.with_data]


def discover(package: str = __name__.rpartition(".")[0]) -> None:
    """Import every module of ``package`` (``tools`` by default; names starting with _ are skipped), so each
    tool module registers its tools."""
    path = importlib.import_module(package).__path__
    for module in pkgutil.iter_modules(path):
        if not module.name.startswith("_"):
            importlib.import_module(f"{package}.{module.name}")
