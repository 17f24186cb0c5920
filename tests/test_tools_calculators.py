"""tools.calculators: exact arithmetic, the ast-based expression evaluator, network sizes, unit conversion."""
from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools import default_registry
from tools.units import UNITS, convert


@pytest.fixture(scope="module")
def reg():
    return default_registry()


def value(reg, name, **arguments):
    res = reg.call(name, arguments)
    assert res.ok, res.error
    return res.value


def test_multiply_is_exact(reg):
    result = value(reg, "multiply", a=12234585, b=48838483920)
    assert result == 597518582790373200 and type(result) is int
    assert reg.call("multiply", {"a": 12234585, "b": 48838483920}).text == '{"result": 597518582790373200}'
    assert reg.call("multiply", '{"a": 12234585, "b": 48838483920}').facts == [597518582790373200]
    assert value(reg, "multiply", a=12234585, b=48838483920.0) == 597518582790373200  # a whole float too
    assert float(12234585 * 48838483920.0) != 597518582790373200  # what float arithmetic would have said


def test_add_subtract_divide_power(reg):
    assert value(reg, "add", a=0.1, b=0.2) == 0.3
    assert value(reg, "subtract", a=10**20 + 1, b=10**20) == 1
    assert value(reg, "divide", a=6, b=3) == 2 and type(value(reg, "divide", a=6, b=3)) is int
    assert value(reg, "divide", a=7, b=2) == 3.5
    assert value(reg, "divide", a=1, b=3) == 1 / 3
    assert value(reg, "divide", a=5.0, b=2.5) == 2.0 and type(value(reg, "divide", a=5.0, b=2.5)) is float
    assert value(reg, "power", base=2, exponent=100) == 2**100
    assert value(reg, "power", base=2, exponent=-2) == 0.25
    assert value(reg, "power", base=2, exponent=0.5) == pytest.approx(2**0.5)
    res = reg.call("divide", {"a": 1, "b": 0})
    assert not res.ok and "division by zero" in res.error
    res = reg.call("power", {"base": -8, "exponent": 0.5})
    assert not res.ok and "no real result" in res.error
    res = reg.call("power", {"base": 0, "exponent": -1})
    assert not res.ok and "negative power" in res.error


def test_huge_powers_are_refused_quickly(reg):
    start = time.perf_counter()
    for args in ({"base": 10, "exponent": 10**9}, {"base": 7, "exponent": 5000}, {"base": 1.5, "exponent": 1e6}):
        res = reg.call("power", args)
        assert not res.ok and "too large" in res.error, args
    assert time.perf_counter() - start < 1.0
    assert value(reg, "power", base=1, exponent=10**12) == 1


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("2**10 + (3*4)", 1036),
        ("7/2", 3.5),
        ("6/3", 2),
        ("10 // 3", 3),
        ("10 % 3", 1),
        ("-(3) + +2", -1),
        ("0.1 + 0.2", 0.3),
        ("2 ** -1", 0.5),
        ("12234585 * 48838483920", 597518582790373200),
        ("50*128+128 + 4*(128*128+128) + 128*2+2", 72834),
        ("3 × 4 − 2 ÷ 2", 11),
        ("1e3 * 2", 2000),  # whole-valued operands give a whole result
        ("2.5 * 4", 10.0),  # a fractional operand gives a float
    ],
)
def test_calculate(reg, expression, expected):
    result = value(reg, "calculate", expression=expression)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("expression", "needle"),
    [
        ("__import__('os')", "function calls"),
        ("__import__('os').system('echo hi')", "function calls"),
        ("x + 1", "names"),
        ("abs(-1)", "function calls"),
        ("(1).real", "attributes"),
        ("2^10", "write ** for powers"),
        ("'a' * 3", "that constant"),
        ("[1, 2][0]", "indexing"),
        ("1 if 1 else 2", "IfExp"),
        ("lambda: 1", "Lambda"),
        ("True + 1", "that constant"),
        ("1e999 - 1", "finite"),
        ("1,000 + 1", "Tuple"),
        ("9**9**9", "too large"),
        ("10**100000", "too large"),
        ("(10**300)*(10**300)", "too large"),
        ("1/0", "division by zero"),
        ("5 % 0", "division by zero"),
        ("2 +", "could not parse"),
        ("(" * 250 + "1" + ")" * 250, "too long"),
    ],
)
def test_calculate_rejects(reg, expression, needle):
    start = time.perf_counter()
    res = reg.call("calculate", {"expression": expression})
    assert not res.ok
    assert needle in res.error, res.error
    assert time.perf_counter() - start < 1.0


@settings(max_examples=200, deadline=None)
@given(a=st.integers(-10**12, 10**12), b=st.integers(-10**12, 10**12), c=st.integers(1, 10**6))
def test_calculate_matches_integer_arithmetic(a, b, c):
    reg = default_registry()
    assert reg.call("calculate", {"expression": f"{a} * ({b}) - {c} ** 2"}).value == a * b - c**2
    assert reg.call("calculate", {"expression": f"({a}) // {c} + ({a}) % {c}"}).value == a // c + a % c
    exact = reg.call("calculate", {"expression": f"({a}) * {c} * {c} / {c}"}).value
    assert exact == a * c and type(exact) is int


def test_dense_network_parameters(reg):
    res = reg.call("dense_network_parameters", {"inputs": 50, "hidden": [128] * 5, "outputs": 2})
    assert res.ok
    assert res.value["parameters"] == 72834 == 50 * 128 + 128 + 4 * (128 * 128 + 128) + 128 * 2 + 2
    assert [layer["parameters"] for layer in res.value["layers"]] == [6528, 16512, 16512, 16512, 16512, 258]
    assert 72834 in res.facts
    no_bias = value(reg, "dense_network_parameters", inputs=50, hidden=[128] * 5, outputs=2, biases=False)
    assert no_bias["parameters"] == 50 * 128 + 4 * 128 * 128 + 128 * 2 == 72192
    assert value(reg, "dense_network_parameters", inputs=3, hidden=[], outputs=1)["parameters"] == 4
    # models sometimes send the list as a JSON string
    assert value(reg, "dense_network_parameters", inputs=50, hidden="[128, 128]", outputs=2)["parameters"] == (
        50 * 128 + 128 + 128 * 128 + 128 + 128 * 2 + 2)
    res = reg.call("dense_network_parameters", {"inputs": 50, "hidden": [128, 0], "outputs": 2})
    assert not res.ok and "hidden'[1]" in res.error and "out of range" in res.error
    res = reg.call("dense_network_parameters", {"inputs": 50.5, "hidden": [1], "outputs": 2})
    assert not res.ok and "whole number" in res.error


@pytest.mark.parametrize(
    ("v", "src", "dst", "expected"),
    [
        (273.15, "K", "degC", 0.0),
        (0, "degC", "K", 273.15),
        (32, "degF", "degC", 0.0),
        (98.6, "°F", "C", 37.0),
        (100, "C", "F", 212.0),
        (0, "K", "°C", -273.15),
        (1, "kg m-2 s-1", "mm/day", 86400.0),
        (86400, "mm day-1", "kg m-2 s-1", 1.0),
        (24, "mm/day", "mm/hour", 1.0),
        (1013.25, "hPa", "Pa", 101325.0),
        (1013.25, "mbar", "kPa", 101.325),
        (1, "atm", "hPa", 1013.25),
        (10, "m/s", "knots", 19.438444924406046),
        (36, "km/h", "m s-1", 10.0),
        (1, "kt", "km/h", 1.852),
    ],
)
def test_convert_units(reg, v, src, dst, expected):
    res = reg.call("convert_units", {"value": v, "from_unit": src, "to_unit": dst})
    assert res.ok, res.error
    assert res.value["value"] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert res.value["unit"] == dst


def test_convert_units_errors_and_differences(reg):
    assert value(reg, "convert_units", value=10, from_unit="m/s", to_unit="knots")["value"] == pytest.approx(
        19.438, abs=1e-3)
    diff = value(reg, "convert_units", value=1, from_unit="K", to_unit="degF", difference=True)
    assert diff["value"] == pytest.approx(1.8)
    assert value(reg, "convert_units", value=300, from_unit="k", to_unit="DEGC")["unit"] == "degC"  # case
    res = reg.call("convert_units", {"value": 1, "from_unit": "K", "to_unit": "Pa"})
    assert not res.ok and "temperature" in res.error and "pressure" in res.error
    res = reg.call("convert_units", {"value": -1, "from_unit": "K", "to_unit": "degC"})
    assert not res.ok and "absolute zero" in res.error
    res = reg.call("convert_units", {"value": 1, "from_unit": "furlongs", "to_unit": "m/s"})
    assert not res.ok and "'from_unit'" in res.error and '"knots"' in res.error
    enum = reg.schema("convert_units")["function"]["parameters"]["properties"]["to_unit"]["enum"]
    assert {"K", "degC", "C", "degF", "F", "mm/day", "kg m-2 s-1", "hPa", "Pa", "kPa", "mbar", "m/s", "knots",
            "km/h"} <= set(enum)


@settings(max_examples=200, deadline=None)
@given(v=st.floats(-1e6, 1e6, allow_nan=False), pair=st.sampled_from(
    [(a, b) for a in UNITS for b in UNITS if UNITS[a][0] == UNITS[b][0]]))
def test_conversion_round_trip(v, pair):
    a, b = pair
    if UNITS[a][0] == "temperature":
        v = abs(v) + 500.0  # above absolute zero in every temperature unit
    there = convert(v, a, b)
    assert float(convert(float(there), b, a)) == pytest.approx(v, rel=1e-12, abs=1e-9)
