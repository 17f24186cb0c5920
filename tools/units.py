"""Geoscience unit conversions with exact rational factors.

Each unit maps to (quantity, scale, offset) with ``base = value * scale + offset``: temperature in
K, precipitation rate in mm/day (1 kg m-2 s-1 of water = 1 mm/s = 86400 mm/day), pressure in Pa,
speed in m/s (1 knot = 1852 m per hour), length (precipitation totals, heights) in m.  ``known_unit``
reads the spellings files use ("m s**-1", "degC", "farenheit").  Arithmetic is done with ``fractions.Fraction`` on the
decimal value as written, so 32 °F -> 0 °C and 1013.25 hPa -> 101325 Pa come out exact.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from .validation import ToolError

_F = Fraction
_KELVIN_0C = _F("273.15")

UNITS: dict[str, tuple[str, Fraction, Fraction]] = {
    "K": ("temperature", _F(1), _F(0)),
    "degC": ("temperature", _F(1), _KELVIN_0C),
    "C": ("temperature", _F(1), _KELVIN_0C),
    "°C": ("temperature", _F(1), _KELVIN_0C),
    "degF": ("temperature", _F(5, 9), _KELVIN_0C - _F(160, 9)),
    "F": ("temperature", _F(5, 9), _KELVIN_0C - _F(160, 9)),
    "°F": ("temperature", _F(5, 9), _KELVIN_0C - _F(160, 9)),
    "mm/day": ("precipitation rate", _F(1), _F(0)),
    "mm day-1": ("precipitation rate", _F(1), _F(0)),
    "mm/hour": ("precipitation rate", _F(24), _F(0)),
    "kg m-2 s-1": ("precipitation rate", _F(86400), _F(0)),
    "Pa": ("pressure", _F(1), _F(0)),
    "hPa": ("pressure", _F(100), _F(0)),
    "mbar": ("pressure", _F(100), _F(0)),
    "kPa": ("pressure", _F(1000), _F(0)),
    "bar": ("pressure", _F(100000), _F(0)),
    "atm": ("pressure", _F(101325), _F(0)),
    "m/s": ("speed", _F(1), _F(0)),
    "m s-1": ("speed", _F(1), _F(0)),
    "knots": ("speed", _F(1852, 3600), _F(0)),
    "kt": ("speed", _F(1852, 3600), _F(0)),
    "km/h": ("speed", _F(1000, 3600), _F(0)),
    "cm/s": ("speed", _F(1, 100), _F(0)),
    "mph": ("speed", _F(1609344, 3600000), _F(0)),
    "mm": ("length", _F(1, 1000), _F(0)),
    "cm": ("length", _F(1, 100), _F(0)),
    "m": ("length", _F(1), _F(0)),
    "km": ("length", _F(1000), _F(0)),
    "inches": ("length", _F(254, 10000), _F(0)),
    "ft": ("length", _F(3048, 10000), _F(0)),
}

# how files spell the units above (lower case, spaces squeezed): "m s**-1" is m/s, "farenheit" is °F ...
ALIASES = {
    "kelvin": "K", "degk": "K", "deg_k": "K", "degrees_k": "K", "k": "K", "degc": "degC", "deg_c": "degC",
    "degrees_c": "degC", "degree_c": "degC", "celsius": "degC", "c": "degC", "°c": "degC", "degrees celsius": "degC",
    "degf": "degF", "deg_f": "degF", "degrees_f": "degF", "fahrenheit": "degF", "farenheit": "degF", "f": "degF",
    "°f": "degF", "m s**-1": "m/s", "m s^-1": "m/s", "m s-1": "m/s", "m/s": "m/s", "meters/second": "m/s",
    "knot": "knots", "kg m**-2 s**-1": "kg m-2 s-1", "kg/m2/s": "kg m-2 s-1", "kg m^-2 s^-1": "kg m-2 s-1",
    "mm/d": "mm/day", "mm d-1": "mm/day", "mm day**-1": "mm/day", "mm/hr": "mm/hour", "cm s-1": "cm/s",
    "cm s**-1": "cm/s", "mb": "mbar",
    "millibar": "mbar", "millibars": "mbar", "in": "inches", "inch": "inches", "meters": "m", "metre": "m",
    "meter": "m", "metres": "m", "millimeters": "mm", "feet": "ft",
}

UnitName = Literal[tuple(UNITS)]  # the enum the model chooses from


# the units offered for converting results, per quantity (the aliases above are accepted, not offered)
OFFERED = {"temperature": ("K", "degC", "degF"), "precipitation rate": ("mm/day", "mm/hour", "kg m-2 s-1"),
           "pressure": ("Pa", "hPa", "kPa"), "speed": ("m/s", "cm/s", "knots", "km/h", "mph"),
           "length": ("mm", "cm", "m", "km", "inches", "ft")}


def offered_for(units: list[str | None]) -> list[str]:
    """The units results in any of ``units`` (as files write them) can be converted to."""
    quantities = {UNITS[k][0] for k in map(known_unit, units) if k}
    return [u for q, names in OFFERED.items() if q in quantities for u in names]


def known_unit(text: str | None) -> str | None:
    """The name in UNITS of a unit as a file writes it ("m s**-1" -> "m/s"), or None."""
    if not text:
        return None
    if text in UNITS:
        return text
    key = " ".join(str(text).strip().lower().split())
    return ALIASES.get(key) or next((u for u in UNITS if u.lower() == key), None)


def exact(value: int | float) -> Fraction:
    """The decimal number as written (0.1 -> 1/10, not the nearest binary float)."""
    return Fraction(value) if isinstance(value, int) else Fraction(repr(float(value)))


def convert(value: int | float, from_unit: str, to_unit: str, difference: bool = False) -> Fraction:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (ToolError for unknown or mismatched units).

    With ``difference`` the value is an interval (an anomaly, a trend): offsets are not applied.
    """
    for unit in (from_unit, to_unit):
        if unit not in UNITS:
            raise ToolError(f"unknown unit {unit!r}; known: {', '.join(UNITS)}")
    (q_from, s_from, o_from), (q_to, s_to, o_to) = UNITS[from_unit], UNITS[to_unit]
    if q_from != q_to:
        raise ToolError(f"cannot convert {from_unit} ({q_from}) to {to_unit} ({q_to})")
    base = exact(value) * s_from + (0 if difference else o_from)
    if q_from == "temperature" and not difference and base < 0:
        raise ToolError(f"{value} {from_unit} is below absolute zero")
    return (base - (0 if difference else o_to)) / s_to


# Temperatures of Earth's air, sea and land, in kelvin; in °C or °F none is above these
_EARTH_K = (150.0, 400.0)
_HOTTEST = {"degC": 100.0, "degF": 212.0}


def units_doubt(units: str | None, low: float, high: float) -> str:
    """Why values from ``low`` to ``high`` cannot be in the Celsius or Fahrenheit ``units`` a file gives them,
    when they are Earth temperatures in kelvin ("cannot be in C: they look like kelvin"; "" otherwise): mxclim's
    T says "C" for 184 to 302, and converting them as Celsius would add 273.15 to kelvin. Kelvin values that
    look like Celsius are not doubted: a difference or an anomaly in K is small too."""
    unit = known_unit(units)
    base = next((name for name in _HOTTEST if unit and UNITS[unit] == UNITS[name]), None)
    if base is None or not low > _HOTTEST[base] or not _EARTH_K[0] <= low <= high <= _EARTH_K[1]:
        return ""
    return f"cannot be in {units}: they look like kelvin"
