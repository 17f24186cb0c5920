"""The numbers check: is each number in a model's answer one the data (or a tool) produced, said of the right thing?

`check_numbers(answer, known)` finds every number in the answer (1,461 · -3.5 · 2.1e-05 · 27% ·
2014-03-01) and looks it up among the known values (encoder facts or tool results). A number equals a
known value as written at the answer's precision (14.2 for 14.23), or within a relative 0.1%; a year,
month or day matches the parts of a known date.

Equal is not enough for a ✓ when the fact has a subject (`Known.variable`: whose value it is, `kind`:
which statistic, `selection`: which part of the data). The sentence around the number must attribute it
to that subject: it names the variable (or words of its long name), or it names no other variable and
the matching facts are all of one subject (or one kind). A number that equals only facts of a variable
the sentence does not name gets ⚠ saying what it really is ("this is v's minimum, not z's"); so does a
number said to be one statistic ("the maximum ... 7.06") that is another (U's mean), a number said to
count a dimension ("7 months") that is not its size, and a number that matches facts of several subjects
when the sentence names none of them. Facts without a subject (arithmetic, the user's own numbers) need
no attribution. Everything not found at all is flagged: the model may have invented it.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from data.places import place_name
from tools.units import known_unit

# a number, not an exponent of a unit ("m s**-1", "m^-2", "kg m-2 s-1") nor part of a name ("ERA-40")
_NUMBER = re.compile(
    r"(?<![\w.])(?P<date>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?)(?![\w:])"
    r"|(?<![\w.*^])(?<!\*\*-)(?<!\^-)(?<![A-Za-z][-−])(?P<num>[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?)(?P<pct>\s?%)?(?![\w])")
_DATE_IN_TEXT = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|\n")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# what follows a coordinate value: "500 hPa", "33°N", "45 degrees north", "120 m depth"
_AXIS_MARK = re.compile(r"\s?(?:°|º|deg\b|degrees?\b|[NSEW]\b|hPa\b|mb\b|mbar\b|Pa\b|m\b|km\b|met(?:re|er)s?\b)")

# a hemisphere or side written after a coordinate: "19.6°S", "19.6 S", "19.6 degrees south", "120 W" (not watts)
_COMPASS_AFTER = re.compile(r"\s?(?:°|º|deg\b\.?|degrees?\b)?\s?"
                            r"(?:(?P<negative>(?:S|W(?!\s?(?:/|\*|per\b|m\b|m\W?[-−⁻\d])))\b|(?i:south|west)\b)"
                            r"|(?P<positive>[NE]\b|(?i:north|east)\b))")

# The words that claim a statistic, by the fact kind they claim; "range" words fit a minimum and a maximum.
STAT_WORDS = {
    "max": ("max", "maximum", "maxima", "highest", "largest", "greatest", "strongest", "peak", "peaks", "warmest",
            "hottest", "wettest", "top"),
    "min": ("min", "minimum", "minima", "lowest", "smallest", "least", "weakest", "coldest", "coolest", "driest"),
    "mean": ("mean", "average", "averages", "averaged", "avg"),
    "std": ("std", "deviation", "variability"),
    "sum": ("sum", "total"),
    "median": ("median",),
}
# words that claim a number is a change between two states, which no plain statistic (a mean, a maximum) is
_CHANGE_WORDS = frozenset({"change", "changes", "changed", "difference", "differences", "differs", "differ"})
# "the strongest zonal mean zonal wind", "the highest annual mean temperature": a mean that names the field, not the
# statistic the number is
FIELD_MEAN = re.compile(r"\b(?:zonal(?:ly)?|meridional(?:ly)?|time|annual|monthly|daily|seasonal|yearly|decadal|"
                         r"climatological)[ -](?:mean|average|averaged)\b", re.I)
_CLAUSE = re.compile(r"[,;:()]|\b(?:with|which|while|whereas|but)\b")  # where the words next to a number end
# a claim about single grid points, which a spatial mean's facts never are
POINTWISE = re.compile(r"\b(?:any(?:\s+single)?\s+(?:grid[ -]?)?(?:points?|cells?|locations?|places?|gridpoints?)"
                        r"|anywhere|(?:a|one|each|every)\s+(?:single\s+)?grid[ -]?(?:points?|cells?))\b", re.I)
_RANGE_WORDS = ("between", "range", "ranges", "ranging", "from", "span", "spans")
_KIND_WORDS = {"max": "maximum", "min": "minimum", "mean": "mean", "std": "standard deviation", "sum": "sum",
               "median": "median", "area_mean": "area-weighted mean", "missing_pct": "share of missing values",
               "n": "count of values", "first": "first value", "last": "last value", "start": "start",
               "end": "end", "size": "number of values", "steps": "number of steps", "selected": "selected value",
               "range": "range", "coord": "coordinate value", "step": "step", "median_step": "median step"}
# kinds that describe an axis (a coordinate or dimension), not a value of a data variable
AXIS_KINDS = frozenset({"size", "steps", "first", "last", "start", "end", "step", "median_step", "range",
                        "selected", "coord"})
_SIZE_KINDS = frozenset({"size", "steps", "n"})
# beyond this many data variables, a number is attributed only to a variable its sentence names
MANY_VARIABLES = 12
# short English words that are also variable names: only the exact spelling names the variable
_COMMON = frozenset({"a", "i", "an", "as", "at", "be", "by", "do", "in", "is", "it", "of", "on", "or", "to", "we",
                     "us", "no", "so", "up"})
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")
MONTH_WORD = "(?:" + "|".join(m[:3] for m in MONTH_NAMES) + ")[a-z]*"  # "Jan", "January", "july"


def month_number(word: str) -> int:
    """1-12 for a month's name or its three-letter abbreviation, 0 otherwise."""
    return next((i + 1 for i, m in enumerate(MONTH_NAMES) if word.lower()[:3] == m[:3]), 0)
# "between 45N and 55N", "from 500 hPa", "from January to July": a selection of the data, not a range of values
_SELECTED_RANGE = re.compile(r"\b(?:between|from)\s+(?=[-−]?\d+(?:\.\d+)?\s?(?:°|º|degrees?\b|[NSEW]\b|hPa\b|mb\b)"
                             rf"|{MONTH_WORD}\b)", re.I)

# Units an answer may write after a number, by what they are; a written unit that is not the fact's is a ⚠.
_UNIT_ALIASES = {
    "K": ("k", "kelvin", "kelvins", "degk", "deg k", "°k", "degrees kelvin"),
    "degC": ("°c", "ºc", "degc", "deg c", "c", "celsius", "degrees c", "degree c", "degrees celsius",
             "degree celsius", "deg celsius", "°celsius"),
    "degF": ("°f", "ºf", "degf", "deg f", "f", "fahrenheit", "degrees f", "degree f", "degrees fahrenheit",
             "degree fahrenheit", "°fahrenheit"),
    "Pa": ("pa", "pascal", "pascals"),
    "hPa": ("hpa", "mb", "mbar", "millibar", "millibars", "hectopascal", "hectopascals"),
    "m/s": ("m/s", "m s-1", "m s**-1", "m s^-1", "m s⁻¹", "ms-1", "meters per second", "metres per second"),
    "km/h": ("km/h", "km h-1", "kph", "kilometers per hour", "kilometres per hour"),
    "m": ("m", "meter", "meters", "metre", "metres"),
    "km": ("km", "kilometer", "kilometers", "kilometre", "kilometres"),
    "mm": ("mm", "millimeter", "millimeters", "millimetre", "millimetres"),
    "mm/day": ("mm/day", "mm/d", "mm day-1", "mm d-1", "millimeters per day", "millimetres per day"),
}
_UNIT_NAMES = {kind: aliases[0] for kind, aliases in _UNIT_ALIASES.items()} | {"K": "K", "degC": "°C", "degF": "°F"}
_UNIT_OF = {alias: kind for kind, aliases in _UNIT_ALIASES.items() for alias in aliases}
_UNIT_WRITTEN = re.compile("|".join(sorted((re.escape(a) for a in _UNIT_OF), key=len, reverse=True)), re.IGNORECASE)


def unit_kind(unit: str) -> str:
    """A unit string as one of the kinds above ("degrees_Celsius" -> "degC"), or "" when it is none of them."""
    text = re.sub(r"[_\s]+", " ", unit.strip()).lower()
    # else the conversions' own name for what a file writes ("farenheit", "deg_C")
    return _UNIT_OF.get(text) or _UNIT_OF.get((known_unit(unit) or "").lower(), "")


def written_unit(after: str) -> str:
    """The unit written right after a number ("289.4 °C." -> "degC"), or "" when none of the known ones is."""
    text = after.lstrip()
    if text != after.lstrip(" ") or not text:  # a unit follows on the same line, after at most spaces
        return ""
    match = _UNIT_WRITTEN.match(text)
    if not match or re.match(r"[\w°º/*^⁻¹-]", text[match.end():match.end() + 1]):
        return ""  # "mean" is not "m" followed by "ean"
    return _UNIT_OF[match.group(0).lower()]
# words between a number and the dimension it counts: "3 pressure levels", "2 time steps"
_MODIFIERS = frozenset({"pressure", "vertical", "time", "model", "grid", "distinct", "different", "unique",
                        "separate", "calendar", "monthly", "daily", "yearly", "annual", "height", "depth", "sigma"})
# words of a long name that name nothing in particular
_VAGUE = frozenset({"average", "mean", "ensemble", "component", "total", "monthly", "daily", "annual", "surface",
                    "level", "value", "values", "data", "field", "variable", "from", "with", "near", "over", "the",
                    "and", "for", "height", "area", "grid", "model", "index", "time"})


@dataclass(frozen=True)
class Known:
    """A value the answer may quote: where it comes from, the value, its unit, and what it is about.

    variable  whose value it is: a variable, coordinate or dimension ("" = no subject: arithmetic, your question)
    kind      which of its values: "max", "mean", "size", "max_at.lat" (the latitude of its maximum), ...
    selection the part of the data it was computed on, e.g. (("level", "500"), ("month", "7"))
    names     other words that name the variable (its long_name, standard_name)
    """

    source: str  # e.g. "column:temp_max.mean" or "multiply(...)"
    value: float | int | str
    unit: str = ""
    variable: str = ""
    kind: str = ""
    selection: tuple[tuple[str, str], ...] = ()
    names: str = ""


@dataclass(frozen=True)
class CheckedNumber:
    text: str  # as written in the answer
    start: int
    end: int
    source: str  # the known value's source when the number is right and attributed (✓), else ""
    note: str = ""  # for a ⚠ on a number that equals a fact: what it really is
    value: float | None = None  # what the answer means by it: "19.6°S" is -19.6 (None for a date)

    @property
    def found(self) -> bool:
        return bool(self.source)


def describe(k: Known) -> str:
    """What a fact is, in words: "v's minimum", "the lat of U's maximum", "the number of month values"."""
    kind, _, at = k.kind.partition("_at.")
    if at:
        what = f"the {at} of {k.variable}'s {_KIND_WORDS.get(kind, kind)}"
    elif kind in ("size", "steps", "selected", "range", "coord"):
        what = f"the {_KIND_WORDS[kind]} of {k.variable}" if kind != "size" else f"the number of {k.variable} values"
    else:
        what = f"{k.variable}'s {_KIND_WORDS.get(kind, kind or 'value')}"
    if k.selection:
        what += " for " + ", ".join(f"{a}={b}" for a, b in k.selection)
    return what


def known_from_facts(facts: Iterable[Any], names: dict[str, str] | None = None) -> list[Known]:
    """Known values from encoder facts (`encoders.Fact`), with the subject their key names.

    Keys name it as "var:<v>.<kind>", "column:<v>.<kind>", "coord:<c>.<kind>", "dim:<d>.size", with an
    optional "[index]" (a selection) and "#n" (a repeat); other keys ("shape.rows") have no subject.
    ``names`` maps variable names to their long names, so a sentence may name a variable in words.
    """
    names = names or {}
    out = []
    for f in facts:
        variable, kind, selection = _subject_of_key(f.key)
        out.append(Known(f.key, f.value, f.unit, variable, kind, selection, names.get(variable, "")))
    return out


def _subject_of_key(key: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    prefix, colon, rest = key.partition(":")
    row = re.fullmatch(r"row\[(\d+)\]\.(.+)", key)
    if row:
        return row.group(2), "value", (("row", row.group(1)),)
    if not colon or prefix not in ("var", "column", "coord", "dim"):
        return "", "", ()
    rest = rest.split("#")[0]
    index = re.search(r"\[([^\]]*)\]$", rest)
    selection = (("index", index.group(1)),) if index else ()
    rest = rest[:index.start()] if index else rest
    at = re.search(r"\.((?:max|min)_at\.[^.]+)$", rest)
    if at:
        return rest[:at.start()], at.group(1), selection
    if prefix == "coord" and "." not in rest:
        return rest, "coord", selection
    variable, _, kind = rest.rpartition(".")
    return (variable, kind, selection) if variable else (rest, "", selection)


def _long_names(obj: Any) -> dict[str, str]:
    variables = getattr(obj, "variables", None)
    if not hasattr(variables, "items"):
        return {}
    return {str(name): " ".join(str(v.attrs.get(a, "")) for a in ("long_name", "standard_name")).strip()
            for name, v in variables.items() if hasattr(v, "attrs")}


def names_of(obj: Any) -> dict[str, str]:
    """Each variable's long_name and standard_name, and the words that tell it from the variables of the same
    long name (an xarray Dataset; {} for anything else)."""
    names = _long_names(obj)
    if not names:
        return {}
    variables = obj.variables
    for name, words in names.items():  # "d2m_C" (no long name) is d2m in other units: it is named as d2m is
        base = name.rsplit("_", 1)[0]
        if not words and base != name and names.get(base):
            names[name] = names[base]
    for name, words in _telling_attributes(variables, names).items():
        names[name] = f"{names[name]} {words}".strip()
    return names


# attributes that describe how a variable is stored or computed, never which place or series it is
_BOOKKEEPING = frozenset({"long_name", "standard_name", "units", "cell_methods", "coordinates", "grid_mapping",
                          "comment", "history", "_FillValue", "missing_value", "positive", "axis", "calendar",
                          "bounds", "cell_measures", "ancillary_variables", "valid_range", "valid_min",
                          "valid_max", "scale_factor", "add_offset", "source", "references", "institution"})


def _telling_attributes(variables: Any, names: dict[str, str]) -> dict[str, str]:
    """Words that tell apart variables sharing one long name, from a short text attribute whose value differs
    between them (``state_name = "AZ"`` on PRECT_AZ_CD7), with the place a code abbreviates ("Arizona"):
    "Arizona climate division 7" then names PRECT_AZ_CD7 among the 345 "monthly precipitation total" series."""
    values: dict[tuple[str, str], dict[str, str]] = {}  # (long name, attribute) -> variable -> value
    for name, v in variables.items():
        for key, value in getattr(v, "attrs", {}).items():
            if (key not in _BOOKKEEPING and isinstance(value, str) and 0 < len(value.strip()) <= 30
                    and ":" not in value and names.get(str(name))):
                values.setdefault((names[str(name)], key), {})[str(name)] = value.strip()
    words: dict[str, str] = {}
    for by_variable in values.values():
        if len(by_variable) > 1 and len(set(by_variable.values())) > 1:
            for name, value in by_variable.items():
                words[name] = " ".join(w for w in (words.get(name, ""), value, place_name(value)) if w)
    return words


def question_known(question: str) -> Known:
    """The user's question as a subject, not a value: among hundreds of like variables a bare answer ("125") is
    about the one variable the question names ("Arizona climate division 7")."""
    return Known("your question", question, kind="question")


def subjects_of(obj: Any) -> list[Known]:
    """One entry per data variable (or column) of ``obj``, its name as the value: a subject a sentence can name
    even when no computed fact is about it, so "the temperature reaches 42.8" (U's maximum) is caught."""
    variables = getattr(obj, "data_vars", None)
    variables = variables if variables is not None else getattr(obj, "columns", ())
    names = names_of(obj)
    units = {str(v): units_of(obj, v) for v in variables}
    return [Known(f"the variable {v}", str(v), units[str(v)], str(v), "name", (), names.get(str(v), ""))
            for v in variables]


def sibling_named(obj: Any, variable: Any, question: str) -> str | None:
    """The one variable of ``variable``'s long name that the question names, when it does not name ``variable``:
    asked about "Arizona climate division 7", the 1.5B called Arkansas's PRECT_AR_CD7 (PRECT_AZ_CD7); else None."""
    long_names = _long_names(obj)
    if not isinstance(variable, str) or not long_names.get(variable):
        return None
    siblings = [v for v in getattr(obj, "data_vars", ()) if long_names.get(str(v)) == long_names[variable]]
    named = _Subjects(subjects_of(obj)).named(question, map(str, siblings)) if len(siblings) > 1 else set()
    return named.pop() if len(named) == 1 and variable not in named else None


def plainer_sibling(obj: Any, variable: Any, question: str) -> str | None:
    """The one variable of ``variable``'s long name and dims whose name is ``variable``'s without a part the
    question does not name: asked for "the 2060 annual mean precipitation", the 1.5B called anvar2060 (its
    variance, of the same long name as an2060); a question with a word starting "var" keeps it. Else None."""
    long_names = _long_names(obj)
    variables = getattr(obj, "data_vars", {})
    if not isinstance(variable, str) or not long_names.get(variable) or variable not in variables \
            or re.search(rf"(?<![\w.]){re.escape(variable)}(?![\w.])", question, re.I):
        return None
    words = re.findall(r"[a-z]+", question.lower())
    plainer = []
    for other in map(str, variables):
        if (other == variable or long_names.get(other) != long_names[variable]
                or variables[other].dims != variables[variable].dims or len(other) >= len(variable)):
            continue
        cut = next((i for i, (a, b) in enumerate(zip(other, variable)) if a != b), len(other))
        part = variable[cut:cut + len(variable) - len(other)]
        if (variable[:cut] + variable[cut + len(part):] == other and re.fullmatch(r"[A-Za-z]{2,}", part)
                and not any(w.startswith(part.lower()) for w in words)):
            plainer.append(other)
    return plainer[0] if len(plainer) == 1 else None


def sibling_in_units(obj: Any, variable: Any, unit: str) -> str | None:
    """The one variable of ``variable``'s long name and dims in the kind of units ``unit`` is, when ``variable``
    is in another: Boulder's TEMP_ANNUAL (degC) beside temp_annual (farenheit), for a threshold written in °C.
    Else None."""
    long_names, variables, kind = _long_names(obj), getattr(obj, "data_vars", {}), unit_kind(unit)
    if not isinstance(variable, str) or variable not in variables or not long_names.get(variable) or not kind \
            or unit_kind(units_of(obj, variable)) == kind:
        return None
    found = [other for other in map(str, variables) if other != variable
             and long_names.get(other) == long_names[variable] and variables[other].dims == variables[variable].dims
             and unit_kind(units_of(obj, other)) == kind]
    return found[0] if len(found) == 1 else None


def suffix_named(obj: Any, variable: Any) -> str | None:
    """The one data variable whose name ends with "_" + ``variable``, when ``variable`` is not one: for
    climdiv's PRECT_CO_CD1 the 1.5B wrote "CO_CD{1..5}" (read as CO_CD1); else None."""
    names = [str(v) for v in getattr(obj, "data_vars", ())]
    if not isinstance(variable, str) or not variable or variable in names:
        return None
    ending = [n for n in names if n.endswith(f"_{variable}")]
    return ending[0] if len(ending) == 1 else None


def units_of(obj: Any, variable: Any) -> str:
    """A Dataset variable's units attribute ("" for a table's column or no units)."""
    variables = getattr(obj, "variables", None)
    units = variables[variable].attrs.get("units", "") if hasattr(variables, "get") and variable in variables else ""
    return units if isinstance(units, str) else ""


_STEP_WORDS = {"hourly": "hour", "daily": "day", "monthly": "month", "seasonal": "season", "annual": "year",
               "decadal": "decade"}


def calendar_counts(times: Iterable[Any]) -> list[Known]:
    """For each regular datetime axis, its size as a count of its steps' unit: an annual axis of 110 steps is
    "110 years" (a monthly one of 110 steps is not)."""
    from data.times import frequency

    out = []
    for t in times:
        word = _STEP_WORDS.get(frequency(t.values) or "") if t.kind == "datetime" else None
        if word:
            out.append(Known(f"the {t.name} axis ({len(t.values)} {word}s)", len(t.values), "", str(t.name), "size",
                             names=word))
    return out


def check_numbers(answer: str, known: Iterable[Known]) -> list[CheckedNumber]:
    known = list(known)
    numbers = [(k, float(k.value)) for k in known if _is_number(k.value)]
    date_parts = [(k, int(p)) for k in known if isinstance(k.value, str) and k.kind != "question"
                  for m in _DATE_IN_TEXT.finditer(k.value) for p in m.groups()]
    subjects = _Subjects(known)
    matches = list(_NUMBER.finditer(answer))
    checked = []
    for i, match in enumerate(matches):
        both_signs = False
        if match.group("date"):  # a date, with its time of day if written (ISO 'T' or a space)
            date = match.group("date").replace(" ", "T")
            candidates = [k for k in known if isinstance(k.value, str) and k.kind != "question"
                          and date in k.value.replace(" ", "T")]
        else:
            written = match.group("num").replace(",", "").replace("−", "-")
            compass = _COMPASS_AFTER.match(answer, match.end())
            both_signs = bool(compass) and written.startswith("-")  # "-19.6°S": 19.6°S, or south of south?
            if compass and not both_signs:  # "19.62 degrees south" is latitude -19.62, never +19.62
                written = ("-" if compass.group("negative") else "") + written
            value = float(written)
            candidates = _lookup(written, numbers, date_parts, signed=bool(compass))
            if match.group("pct"):  # "27%": a share, when a share is among the equal facts
                candidates = [k for k in candidates if k.unit == "%"] or candidates
        before_at = matches[i - 1].end() if i else 0
        after_at = matches[i + 1].start() if i + 1 < len(matches) else len(answer)
        source, note = _attribute(candidates, _Place(answer, match, before_at, after_at), subjects)
        if source and both_signs:  # a ✓ promises one reading; this has two
            side = (compass.group("negative") or compass.group("positive")).strip()
            computed = next((k.value for k in candidates if k.source == source), value)
            source, note = "", f"written with both a minus sign and {side}, which a reader can take either way:" \
                               f" the computed value is {computed:g}"
        checked.append(CheckedNumber(match.group(0), match.start(), match.end(), source, note,
                                     None if match.group("date") else value))
    return checked


def _lookup(written: str, numbers: list[tuple[Known, float]], date_parts: list[tuple[Known, int]],
            signed: bool = False) -> list[Known]:
    """Every known value the written number equals (a positive one also a negative fact's size, unless the answer
    gave its sign in words: ``signed``)."""
    value = float(written)
    decimals = len(written.split(".")[1].split("e")[0].split("E")[0]) if "." in written else 0
    def equal(close: bool) -> list[Known]:
        return [k for k, v in numbers if any(_same(value, c, decimals, written, close)
                                             for c in ((v, abs(v)) if value >= 0 and not signed else (v,)))]

    found = equal(False) or equal(True)  # values the written digits round from first: 24.848 is not 24.835
    if not found and value.is_integer():
        found = [k for k, part in date_parts if part == int(value)]
    return found


def _same(value: float, candidate: float, decimals: int, written: str, close: bool = True) -> bool:
    """Whether the written ``value`` is ``candidate``: equal, or rounded from it to the written decimals, or
    (``close``) within 0.1 % and off by at most one unit of its last written digit (a rounding slip: 79.23 for
    79.2201; written in exponent notation, within 0.1 %). 79.2568 for 79.2201 is another number: the mean of
    five days, quoted for the first day's 79.2201, passed as within 0.1 % and got a ✓."""
    if value == candidate:
        return True
    if "e" in written.lower():
        return close and math.isclose(value, candidate, rel_tol=1e-3, abs_tol=1e-12)
    if close and abs(value - candidate) <= 10.0 ** -decimals * (1 + 1e-9) and math.isclose(value, candidate,
                                                                                           rel_tol=1e-3):
        return True
    return round(candidate, decimals) == value  # the answer rounded the known value


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class _Place:
    """Where a number sits: its sentence, the words just before it (back to the previous number), the word after."""

    def __init__(self, answer: str, match: re.Match, before_at: int, after_at: int) -> None:
        ends = [m.end() for m in _SENTENCE_END.finditer(answer, 0, match.start())]
        start = ends[-1] if ends else 0
        nxt = _SENTENCE_END.search(answer, match.end())
        end = nxt.start() if nxt else len(answer)
        self.sentence = answer[start:end]
        self.before = answer[max(start, before_at):match.start()]
        self.after = answer[match.end():min(end, after_at)]
        # "78.6 (its maximum)"
        self.attached = re.split(r"[,;:]|\b(?:and|but|when|while|which|whereas)\b", self.after)[0]
        words = re.match(r"\s*([A-Za-z]+)(?:\s+([A-Za-z]+))?", self.after)  # "7 months", not "7, months"
        first, second = (words.group(1), words.group(2) or "") if words else ("", "")
        # "3 pressure levels"
        self.count_words = (second, first) if first.lower() in _MODIFIERS and second else (first,)

    def claims_change(self) -> bool:
        """Whether the words before the number say it is a change ("the change ... is", "differs by")."""
        return bool({w.lower() for w in _WORD.findall(self.before)} & _CHANGE_WORDS)

    def claimed_stats(self, ranges: bool = True) -> set[str]:
        """The statistics the words next to the number claim it is: the nearest clause before it that names one,
        else the words just after it. "between"/"from" words claim a minimum and a maximum unless ``ranges`` is
        False."""
        # "the average rain, with a standard deviation of 2.17" claims a standard deviation, not a mean
        for text in (*_CLAUSE.split(self.before)[::-1], self.attached):
            words = {w.lower() for w in _WORD.findall(_SELECTED_RANGE.sub(" ", FIELD_MEAN.sub(" ", text)))}
            found = {kind for kind, names in STAT_WORDS.items() if words & set(names)}
            if words & set(_RANGE_WORDS) and not found and ranges:
                return {"max", "min"}
            if found:
                return found
        return set()


def _digits(name: str) -> set[str]:
    return set(re.findall(r"\d+", name))


class _Subjects:
    """The variables among the known facts, and the words that name each in a sentence."""

    def __init__(self, known: list[Known]) -> None:
        self.data = {k.variable for k in known if k.variable and k.kind not in AXIS_KINDS}
        self.axes = {k.variable for k in known if k.variable and k.kind in AXIS_KINDS}
        self.sizes = {k.variable: k for k in known if k.kind == "size"}
        self.known = known
        self.words: dict[str, set[str]] = {}
        for k in known:
            if k.variable:
                words = self.words.setdefault(k.variable, set())
                words |= {w.lower() for w in _WORD.findall(k.names) if len(w) >= 4 and w.lower() not in _VAGUE}
        units = sorted({re.escape(k.unit) for k in known if k.unit and isinstance(k.unit, str)}, key=len, reverse=True)
        self._amount = re.compile(rf"\d[\d,]*(?:\.\d+)?\s*(?:{'|'.join(units)})\b", re.I) if units else None

    def named(self, sentence: str, variables: Iterable[str]) -> set[str]:
        """Which of ``variables`` the sentence names: the name as a word ("lat" also in "latitude"), or a
        word of its long name."""
        words = _WORD.findall(sentence)
        lower = {w.lower() for w in words} | {w.lower()[:-1] for w in words if w.lower().endswith("s")}
        exact = set(words)

        def starts(part: str) -> bool:  # a part naming a statistic ("max") is also said by its words ("highest")
            return any(w.startswith(part) for w in lower) or bool(set(STAT_WORDS.get(part, ())) & lower)

        def names(v: str) -> bool:  # "u" as a word, "lat" in "latitude", "temp_max" as "maximum temperature"
            if v.lower() in _COMMON:
                return v in exact
            parts = [p for p in re.split(r"[\W_]+", v.lower()) if len(p) >= 3]
            return (v.lower() in lower or (len(v) >= 3 and starts(v.lower())) or bool(self.words.get(v, set()) & lower)
                    or (len(parts) > 1 and all(starts(p) for p in parts)))

        found = {v for v in variables if names(v)}
        by_words = found - self.named_by_name(sentence, found)
        numbers = set(re.findall(r"\d+", self._without_amounts(sentence)))
        for v in by_words:  # "precipitation", the long name of 345 division series, names none of them
            said = self.words.get(v, set()) & lower
            # unless the sentence also writes the number in the name: "annual mean precipitation in 2060" names
            # an2060 (and anvar2060) of the 6 "Annual Mean: Precipitation" variables
            digits = _digits(v) & numbers
            if said and sum(said <= words and digits <= _digits(u)
                            for u, words in self.words.items()) > MANY_VARIABLES:
                found.discard(v)
        by_words &= found
        told = {v for v in by_words if _digits(v) and _digits(v) <= numbers}
        if told:  # "Arizona climate division 7" names PRECT_AZ_CD7, not Arizona's other six divisions
            found -= {v for v in by_words - told if _digits(v)}
            by_words &= found
        complete = {v for v in by_words if self.words.get(v, set()) <= lower}
        if complete and by_words - complete:  # "2 metre temperature" names t2m, not d2m ("2 metre dewpoint ...")
            found -= by_words - complete
        return found

    @cached_property
    def asked(self) -> set[str]:
        """The one data variable the user's question names (``question_known``), as a set; else empty."""
        question = " ".join(str(k.value) for k in self.known if k.kind == "question")
        named = self.named(question, self.data) if question else set()
        return named if len(named) == 1 else set()

    def _without_amounts(self, sentence: str) -> str:
        """The sentence without its amounts ("3 inches", "20.1 mm"): a number with a unit after it is a value,
        never the number in a variable's name."""
        return self._amount.sub(" ", sentence) if self._amount else sentence

    @staticmethod
    def named_by_name(sentence: str, variables: Iterable[str]) -> set[str]:
        """Which of ``variables`` the sentence names by their own name, not by words of a long name: the name as
        a word, or the start of a word ("lat" in "latitude")."""
        words = _WORD.findall(sentence)
        lower = {w.lower() for w in words} | {w.lower()[:-1] for w in words if w.lower().endswith("s")}
        return {v for v in variables if v in words or v.lower() in lower
                or (len(v) >= 3 and (any(w.startswith(v.lower()) for w in lower)
                                     or bool(set(STAT_WORDS.get(v.lower(), ())) & lower)))}

    def counted_axis(self, word: str) -> str:
        """The axis a word after a number counts ("months" -> month, "levels" -> lev), or ""."""
        w = word.lower()
        singular = w[:-1] if w.endswith("s") else w
        for axis, size in self.sizes.items():
            a = axis.lower()
            if singular == size.names:  # "110 years" of an annual time axis (calendar_counts)
                return axis
            if singular == a or w == a or (len(a) >= 3 and singular.startswith(a[:3]) and
                                           singular in ("latitude", "longitude", "level", "month", "year",
                                                        "season", "depth", "time", "step")):
                return axis
        return ""


_BARE_DEGREE = re.compile(r"\s?[°º](?![A-Za-z])")
_TEMPERATURE_UNIT = re.compile(r"[°º][CFK]\b|\bdeg\s?[CFK]\b|\b(?:kelvin|celsius|fahrenheit)\b|(?<=\bin )K\b", re.I)


def _sentence_temperature(place: _Place) -> str:
    """For a number written with a bare degree sign ("43.5°"), the one temperature unit its sentence names
    ("The warmest month, in °C, was 43.5°": degC), else ""."""
    if not _BARE_DEGREE.match(place.after):
        return ""
    kinds = {written_unit(m.group()) for m in _TEMPERATURE_UNIT.finditer(place.sentence)} - {""}
    return kinds.pop() if len(kinds) == 1 else ""


def _attribute(candidates: list[Known], place: _Place, subjects: _Subjects) -> tuple[str, str]:
    """(source, "") for a ✓, ("", why) for a ⚠ on a number that equals facts, ("", "") when none is equal."""
    if not candidates:
        return "", ""
    if POINTWISE.search(place.sentence):  # "the highest TREFHT at any grid point": not a fact of an area mean
        pointwise = [k for k in candidates if not any(key == "spatial_mean" for key, _ in k.selection)]
        if not pointwise:
            fact = candidates[0]
            fact = replace(fact, selection=tuple(p for p in fact.selection if p[0] != "spatial_mean"))
            return "", f"this is {describe(fact)} of the area mean, not at one grid point"
        candidates = pointwise
    written = written_unit(place.after) or _sentence_temperature(place)
    if written:  # "289.4 °C" for a value in K: equal as a number, wrong as a claim
        fitting = [k for k in candidates if not k.unit or unit_kind(k.unit) in ("", written)]
        if not fitting:
            return "", f"this is {describe(candidates[0])} in {candidates[0].unit}, not in {_UNIT_NAMES[written]}"
        candidates = fitting
    free = [k for k in candidates if not k.variable]
    word, axis = next(((w, a) for w in place.count_words if w and (a := subjects.counted_axis(w))), ("", ""))
    steps = {a: k for a, k in subjects.sizes.items() if k.names in _STEP_WORDS.values()}  # calendar_counts
    counted = [w for w in place.count_words if w and w.lower().removesuffix("s") in _STEP_WORDS.values()]
    if counted and not axis:  # "12 years" for the 12 steps of a monthly axis
        wrong = [k for k in candidates if k.variable in steps and k.kind in _SIZE_KINDS]
        if wrong:
            size = steps[wrong[0].variable]
            return "", f"these are {size.value} {size.names}s of {size.variable}, not {counted[0]}"
    if axis:  # "7 months": a count of that dimension, right only when it is its size
        sizes = [k for k in candidates if k.variable == axis and k.kind in _SIZE_KINDS]
        # or a count of values among no more than the axis has ("In how many years is tas above 294.5 K?" on
        # a series of 56 years: 6 of its 56 valid values), which are its steps
        sizes += [k for k in candidates if k.kind == "count" and any(
            n.source == k.source and n.kind == "n_valid" and float(n.value) <= float(subjects.sizes[axis].value)
            for n in subjects.known)]
        if sizes:
            return sizes[0].source, ""
        what = f"; this is {describe(candidates[0])}" if candidates[0].variable else ""
        return "", f"the data have {subjects.sizes[axis].value} {word}{what}"
    if free:
        return free[0].source, ""
    data = [k for k in candidates if k.kind not in AXIS_KINDS]
    positions = {k.kind.partition("_at.")[2] for k in data} - {""}
    named = subjects.named(place.sentence, subjects.data | positions)
    attributed = [k for k in data if k.variable in named]
    if attributed:  # "tos ... at latitude 119.203": its variable named, the position said as another one
        return _other_position(attributed[0], place, subjects) or _choose(attributed, place, subjects)
    on_axis = [k for k in candidates if k.kind in AXIS_KINDS]
    said_of_data = named & subjects.data or place.claimed_stats(ranges=False)
    axes_named = subjects.named(place.sentence, {k.variable for k in on_axis})
    # the extent of the data: a coordinate's end, a size
    if on_axis and (axes_named or not said_of_data or _AXIS_MARK.match(place.after)):
        pick = [k for k in on_axis if not axes_named or k.variable in axes_named]
        if _AXIS_MARK.match(place.after):  # "73 degrees north" is a coordinate value, never a count of values
            if all(k.kind in _SIZE_KINDS for k in pick):
                return "", f"this is {describe(pick[0])}, not a coordinate value"
            pick = [k for k in pick if k.kind not in _SIZE_KINDS]
        return pick[0].source, ""
    if on_axis and not data:  # "the minimum temperature is -90": the value of an axis said of the data
        what = ", ".join(sorted(named & subjects.data)) or "a statistic of the data"
        return "", f"this is {describe(on_axis[0])}, not {what}"
    at_named = [k for k in data if k.kind.partition("_at.")[2] in named]  # "at latitude -57.2"
    if at_named:
        return _other_position(at_named[0], place, subjects) or _choose(at_named, place, subjects)
    others = sorted(named & subjects.data)
    if others:
        return "", f"this is {describe(data[0])}, not {' or '.join(others)}'s"
    if len(subjects.data) > MANY_VARIABLES:  # 345 rain series: "in Washington division 1" for Delaware's
        asked = [k for k in data if k.variable in subjects.asked]  # a bare "125": the one the question names
        if asked:
            return _choose(asked, place, subjects)
        return "", f"this is {describe(data[0])}; the sentence names none of the {len(subjects.data)} variables"
    with_unit = [k for k in data if k.unit and re.search(rf"(?<!\w){re.escape(k.unit)}(?!\w)", place.sentence)]
    pool = with_unit or data
    claimed = place.claimed_stats()
    fitting = [k for k in pool if _stat(k) in claimed] or pool
    if len({k.variable for k in fitting}) == 1 or len({k.kind for k in fitting}) == 1:
        return _other_position(fitting[0], place, subjects) or _choose(fitting, place, subjects)
    listed = ", ".join(describe(k) for k in fitting[:3]) + (", …" if len(fitting) > 3 else "")
    return "", f"this equals {listed}: the sentence does not say which"


def _other_position(fact: Known, place: _Place, subjects: _Subjects) -> tuple[str, str] | None:
    """A ⚠ for a position of an extreme (the rlat of the maximum) that the sentence says as another of its
    positions, named by its own name ("latitude" for lat, where the rotated grid's rlat differs); else None."""
    kind, _, axis = fact.kind.partition("_at.")
    if not axis:
        return None
    rivals = {k.kind.partition("_at.")[2] for k in subjects.known
              if k.variable == fact.variable and k.kind.startswith(kind + "_at.")} - {axis}
    compass = _COMPASS_AFTER.match(place.after)
    side = compass and (compass.group("negative") or compass.group("positive"))
    # "33°N" is a latitude whatever the words before say ("lon=119.203°N"); else the words between this number
    # and its neighbours
    compass_word = ("latitude" if side[0] in "NSns" else "longitude") if side else ""
    for near in filter(None, (compass_word, place.before + place.attached)):
        if subjects.named_by_name(near, {axis}):
            return None
        said = sorted(subjects.named_by_name(near, rivals))
        if said:
            return "", f"this is {describe(fact)}, not its {said[0]}"
    return None


def _choose(facts: list[Known], place: _Place, subjects: _Subjects) -> tuple[str, str]:
    """The fact the words next to the number fit, by statistic and selection; ⚠ when they claim another
    statistic ("the maximum ... 7.06" for a mean) or another selection ("in January ..." for July's value)."""
    claimed = place.claimed_stats()
    if place.claims_change():  # "the mean SST change ... is 24.6": a plain statistic is not a change
        fitting = [k for k in facts if _stat(k) not in STAT_WORDS]
        if not fitting:
            return "", f"this is {describe(facts[0])}, not a change or difference"
    else:
        fitting = [k for k in facts if not claimed or _stat(k) in claimed or _stat(k) not in STAT_WORDS]
    if not fitting:
        word = " or ".join(_KIND_WORDS[c] for c in sorted(claimed))
        return "", f"this is {describe(facts[0])}, not a {word}"
    for text in (place.before, place.sentence):
        said = [k for k in fitting if k.selection and _mentions(text, k.selection)]
        if said:
            return said[0].source, ""
        fact = fitting[0]
        rivals = [o for o in subjects.known if fact.selection and o.selection and o.selection != fact.selection
                  and (o.variable, o.kind) == (fact.variable, fact.kind) and _mentions(text, o.selection)]
        if rivals:
            other = ", ".join(f"{a}={b}" for a, b in rivals[0].selection)
            return "", f"this is {describe(fact)}, not for {other}"
    row = fitting[0]
    day = _other_day(place.sentence, row.selection)
    if day:  # "The maximum SST on 3 January 1870 was 30.3458" for 1 January's maximum
        return "", f"this is {describe(row)}, not for {day}"
    if not row.kind and row.selection and not _mentions(place.sentence, row.selection[-1:]):
        key, value = row.selection[-1]  # one row of a table result ("one value per month") said as the whole
        return "", f"this is {row.variable}'s value for {key}={value} only (one row of the result)"
    return row.source, ""


def _stat(k: Known) -> str:
    """The statistic a fact is ("area_mean" is a mean), for comparing with the words of the answer."""
    kind = k.kind.partition("_at.")[0]
    return "mean" if kind.endswith("mean") else kind


def _mentions(text: str, selection: tuple[tuple[str, str], ...]) -> bool:
    """Whether ``text`` names every value of a selection: the number as written, or a month by its name."""
    lower = text.lower()

    def said(key: str, value: str) -> bool:
        if re.search(rf"(?<![\w.]){re.escape(value.lower())}(?![\w])", lower):
            return True
        month = re.fullmatch(r"(?:\d{4}-)?(\d{1,2})", value) if "month" in key.lower() or "-" in value else None
        dated = re.match(r"(\d{4})-(\d{2})-\d{2}", value)  # a time step: said as its month and year
        if dated and _other_day(text, ((key, value),)):  # "3 January 1870" for 1 January: its month and year too
            return False
        if dated and (value[:10] in lower or value[:7] in lower):
            return True
        if dated and not re.search(rf"\b{dated.group(1)}\b", lower):
            return False
        month = month or dated
        number = month.group(2) if dated else month.group(1) if month else "0"
        if month and 1 <= int(number) <= 12:
            name = MONTH_NAMES[int(number) - 1]
            return bool(re.search(rf"\b(?:{name}|{name[:3]})\b", lower))
        return False

    named = [(key, value) for key, value in selection if key != "index"]  # a list position is not said in words
    return bool(named) and all(said(key, value) for key, value in named)


_ISO_DAY = re.compile(r"(?<![\w.-])([12]\d{3})-(\d{2})-(\d{2})(?!\d)")
_MONTH_NAME = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
               r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b")
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY = rf"(?<![\d.,])\d{{1,2}}{_ORDINAL}(?![\d.])"
# a day and its month, with or without a year ("3 January", "Jan. 3rd, 1870")
_DAY_MONTH = re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH_NAME}|\b{_MONTH_NAME}\.?\s+{_DAY}", re.I)
_WRITTEN_DAY = re.compile(rf"(?<![\d.,])(?P<d1>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<m1>{_MONTH_NAME})\.?,?\s+"
                          rf"(?P<y1>[12]\d{{3}})\b"
                          rf"|\b(?P<m2>{_MONTH_NAME})\.?\s+(?P<d2>\d{{1,2}}){_ORDINAL},?\s+(?P<y2>[12]\d{{3}})\b", re.I)
DAY_TEXT = rf"(?:{_ISO_DAY.pattern}|{_WRITTEN_DAY.pattern})".replace("(?P<", "(?P<x")  # one day, as written


def written_days(text: str) -> set[str]:
    """The calendar days a text writes with their year, as "YYYY-MM-DD": "3 January 1870", "January 3, 1870",
    "Jan 3rd 1870", "1870-01-03" ("January 1870" names no day, "3 January" no year)."""
    days = _iso_days(text)
    for m in _WRITTEN_DAY.finditer(text):
        day, month, year = (m.group("d1"), m.group("m1"), m.group("y1")) if m.group("m1") else \
            (m.group("d2"), m.group("m2"), m.group("y2"))
        if 1 <= int(day) <= 31:
            days.add(f"{year}-{month_number(month):02d}-{int(day):02d}")
    return days


def _iso_days(text: str) -> set[str]:
    return {f"{y}-{m}-{d}" for y, m, d in _ISO_DAY.findall(text)}


def days_written(text: str) -> int:
    """How many days a text writes, with or without their year."""
    return len(_DAY_MONTH.findall(text)) + len(_ISO_DAY.findall(text))


def _other_day(text: str, selection: tuple[tuple[str, str], ...]) -> str:
    """The day a text writes when the fact was computed on one other day ("on 3 January 1870" for a maximum of
    1 January's field: the 1.5B's call picked the first day), else "". Only a text that writes one day, and a
    fact of one day that is not a month read from a date (monthly means stamped on the 16th)."""
    keys = {key for key, _ in selection}
    days = {d for _, value in selection for d in _iso_days(value)}
    if len(days) != 1 or "dates_read_as_month" in keys or days_written(text) != 1:
        return ""
    said = written_days(text)
    return said.pop() if len(said) == 1 and not days & said else ""
