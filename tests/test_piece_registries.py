"""Tools and encoder strategies register themselves: a new one is one new module, found by discovery, that shows up
in default_registry() / encoders.STRATEGIES; the built-in order (what the prompt and the Compare table show) is
the contract below."""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import encoders
import tools
from encoders import catalog as strategy_catalog
from tools import catalog as tool_catalog

CALCULATOR_ORDER = ["add", "subtract", "multiply", "divide", "power", "calculate", "dense_network_parameters",
                    "convert_units"]
DATASET_TOOL_ORDER = ["list_variables", "describe_variable", "statistic", "area_weighted_mean",
                      "time_series_at_point", "linear_trend", "anomaly", "climatology", "difference", "where_extreme",
                      "correlation", "count_threshold"]
STRATEGY_ORDER = ["head", "stats", "markdown", "json", "grid"]

TOOL_MODULE = '''
"""A tool written as one module."""
from typing import Annotated

from tools import Range, ToolError, tool


@tool()
def triple(x: Annotated[int, Range(0, 1000)]) -> int:
    """Three times a whole number.

    Args:
        x: The number, from 0 to 1000.
    """
    if x == 13:
        raise ToolError("13 is unlucky")
    return 3 * x
'''

STRATEGY_MODULE = '''
"""A strategy written as one module: the column names only."""
from encoders.budget import fit
from encoders.catalog import strategy
from encoders.text import Writer, assemble, quote


@strategy("names")
def names(obj, budget, count_tokens, title=""):
    """The names of the columns (tables) or variables (arrays)."""
    found = [str(c) for c in obj.columns] if hasattr(obj, "columns") else [str(v) for v in obj.data_vars]

    def render(plan):
        w = Writer()
        header = [f"{w.num('shape.cols', len(found))} names:"]
        omitted = ["later names"] if plan["names"] < len(found) else []
        body = [", ".join(quote(n, 40) for n in found[:plan["names"]])]
        return assemble("names", header, omitted, body), list(w.facts.values()), omitted

    return fit("names", render, [("names", list(range(len(found), 0, -1)))], budget, count_tokens)
'''


def write_package(root: Path, package: str, modules: dict[str, str]) -> None:
    folder = root / package
    folder.mkdir()
    (folder / "__init__.py").write_text('"""Pieces found by discovery."""\n')
    for name, text in modules.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(text))


@pytest.fixture
def importable(tmp_path, monkeypatch):
    """tmp_path on sys.path; the modules imported from it are forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if getattr(sys.modules[name], "__file__", "") and str(tmp_path) in sys.modules[name].__file__:
            del sys.modules[name]


@pytest.fixture
def new_tool(importable):
    write_package(importable, "extra_tools", {"triple": TOOL_MODULE})
    tool_catalog.discover("extra_tools")
    yield "triple"
    tool_catalog.unregister("triple")


@pytest.fixture
def new_strategy(importable):
    write_package(importable, "extra_strategies", {"names": STRATEGY_MODULE})
    strategy_catalog.discover("extra_strategies")
    yield "names"
    strategy_catalog.unregister("names")


@pytest.fixture(scope="module")
def tiny_grid():
    from data.synthetic import make_climate_dataset

    return make_climate_dataset(years=1, nlat=4, nlon=8)


def test_builtin_tool_order_is_the_contract():
    assert [f.__name__ for f in tools.CALCULATORS] == CALCULATOR_ORDER
    assert [f.__name__ for f in tools.DATASET_TOOLS] == DATASET_TOOL_ORDER
    assert list(tools.CALCULATORS_WITH_DATA) == ["calculate", "convert_units"]
    names = [s["function"]["name"] for s in tools.default_registry().schemas()]
    assert names == CALCULATOR_ORDER


def test_builtin_tool_order_with_a_dataset(tiny_grid):
    registry = tools.default_registry(tiny_grid)
    assert registry.names == [n for n in CALCULATOR_ORDER + DATASET_TOOL_ORDER if n not in registry.skipped]
    assert registry.enabled_names == [n for n in registry.names
                                      if n not in CALCULATOR_ORDER or n in ("calculate", "convert_units")]


def test_a_tool_module_registers_itself(new_tool):
    assert tools.CALCULATORS[-1].__name__ == new_tool  # no order: after every built-in
    registry = tools.default_registry()
    assert [s["function"]["name"] for s in registry.schemas()] == [*CALCULATOR_ORDER, new_tool]
    schema = registry.schema(new_tool)["function"]
    assert schema["parameters"]["properties"]["x"] == {"type": "integer", "description": "The number, from 0 to 1000.",
                                                       "minimum": 0, "maximum": 1000}
    ok = registry.call(new_tool, '{"x": "14"}')  # a quoted number is validated into an int
    assert ok.ok and ok.value == 42 and ok.arguments == {"x": 14}
    assert not registry.call(new_tool, {"x": 1001}).ok  # out of range: refused before the call
    refused = registry.call(new_tool, {"x": 13})
    assert not refused.ok and refused.error == "triple: 13 is unlucky"


def test_a_tool_module_is_a_calculator_kept_off_with_a_dataset(new_tool, tiny_grid):
    registry = tools.default_registry(tiny_grid)
    assert new_tool in registry.names and new_tool not in registry.enabled


def test_the_tool_is_gone_after_the_test():
    assert [f.__name__ for f in tools.CALCULATORS] == CALCULATOR_ORDER
    assert "triple" not in tools.default_registry().names


def test_two_tools_with_one_name_are_refused():
    def add(a: float) -> float:
        """Not the calculator.

        Args:
            a: A number.
        """
        return a

    with pytest.raises(ValueError, match="two tools are named 'add'"):
        tool_catalog.tool()(add)
    assert tools.CALCULATORS[0].__module__ == "tools.calculators"


def test_errors_of_the_tools_layer_are_tool_errors():
    assert issubclass(tools.ArgumentError, tools.ToolError) and issubclass(tools.ToolError, ValueError)
    from tools.units import convert

    with pytest.raises(tools.ToolError, match="unknown unit"):
        convert(1, "K", "furlongs")


def test_builtin_strategy_order_is_the_contract():
    assert list(encoders.STRATEGIES) == STRATEGY_ORDER
    assert encoders.DEFAULT_STRATEGY == "stats"


def test_a_strategy_module_registers_itself(new_strategy):
    assert list(encoders.STRATEGIES) == [*STRATEGY_ORDER, new_strategy]
    df = pd.DataFrame({"t": [1.5, 2.5], "p": [3.0, 4.0]})
    encs = encoders.compare(df, 300)
    assert [e.strategy for e in encs] == [*STRATEGY_ORDER, new_strategy]
    assert '"t", "p"' in encs[-1].text and encs[-1].tokens <= 300 and not encoders.unbacked_numbers(encs[-1])
    assert encoders.encode(df, new_strategy, 300).text == encs[-1].text


def test_the_strategy_is_gone_after_the_test():
    assert list(encoders.STRATEGIES) == STRATEGY_ORDER
    with pytest.raises(encoders.EncoderError, match="unknown strategy 'names'; choose one of head, stats"):
        encoders.encode(pd.DataFrame({"t": [1]}), "names", 300)


def test_a_second_default_strategy_is_refused():
    with pytest.raises(encoders.EncoderError, match="'stats' and 'other' both say default=True"):
        strategy_catalog.strategy("other", default=True)(lambda obj, budget, count_tokens, title="": None)
    assert "other" not in encoders.STRATEGIES
