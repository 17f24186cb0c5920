"""What a question writes plainly, read so the tool loop can hold a call to it: the calendar filters a
question names, and a latitude/longitude box in compass form ("30S-30N", "10W to 40E") or as a hemisphere."""
from __future__ import annotations

import re
from typing import Any

from data.times import fmt, frequency
from tools.prompt_schema import EXAMPLE_LATS

from .numbers import DAY_TEXT, FIELD_MEAN, MONTH_WORD, POINTWISE, STAT_WORDS, days_written, month_number, written_days

# Calendar filters a small model fills in unasked (month=1, season="DJF": the first allowed values, or a period
# of its own), which would silently narrow the answer; each is kept only when the question names one.
_PERIOD = re.compile(r"(?<![\w.])[12]\d{3}s?(?![\w.])|\byears?\s+\d|\b(?:last|past|first|final|recent(?:ly)?|early|"
                     r"late|latest|earliest|since|before|after|until|till|during|through|today|yesterday|ago)\b|"
                     r"(?<!per )(?<!a )\bcentury\b", re.I)  # "the trend per century" is a unit, not a period
# "in any month", "of all seasons", "in which month": the word without one named
_NOT_ONE = r"(?<!any )(?<!every )(?<!each )(?<!all )(?<!which )(?<!what )(?<!single )"
NAMED_IN_QUESTION = {
    # "that monthly mean" and "seasonal" name none
    "month": re.compile(rf"\b{MONTH_WORD}\b|{_NOT_ONE}month(?!ly)", re.I),
    "season": re.compile(rf"\b(?:djf|mam|jja|son|winter|spring|summer|autumn|fall)\b|{_NOT_ONE}season(?!al)", re.I),
    # a period: a year ("1990", "the 1990s", "model years 500 to 599"), or words that place one ("the last 30
    # years", "since", "recent");
    # the 1.5B gave "Boulder's annual mean temperature trend" time_start="1961", time_end="2014", with a ✓
    "time_start": _PERIOD,
    "time_end": _PERIOD,
}
_COMPASS = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d+)?)\s*°?\s*([NSEW])\b")
# "the Southern Hemisphere", "north of the equator" (and "Northern minus Southern Hemisphere", which names both)
_HEMISPHERE = re.compile(r"\b(north|south)(?:ern\b(?=.*\bhemispheres?\b)| of the equator\b)", re.I)
_HEMISPHERE_LATS = {"north": (0.0, 90.0), "south": (-90.0, 0.0)}
_SIDE_OF = re.compile(r"\b(north|south)(?:ward)? of\s+(?=\d{1,3}(?:\.\d+)?\s*°?\s*[NS]\b)", re.I)  # "north of 15S"


def compass_points(question: str) -> tuple[list[float], list[float]]:
    """The latitudes and the longitudes the question writes in compass form ("30S", "10 W"), signed, in order."""
    points = [(float(v) * (-1 if h in "SW" else 1), h in "NS") for v, h in _COMPASS.findall(question)]
    return [v for v, is_lat in points if is_lat], [v for v, is_lat in points if not is_lat]


def box_from_question(arguments: dict, question: str, offered: frozenset = frozenset()) -> tuple[dict, str]:
    """Latitude/longitude bounds as the question writes them ("30S and 30N", "10W to 40E", "the Southern
    Hemisphere", "north of the equator"), where the call has them otherwise (a sign lost, both edges the same, a
    part of the hemisphere) or leaves out a box the tool takes (``offered``): the arguments to use, and what was
    changed."""
    lats, lons = compass_points(question)
    wanted = {}
    hemispheres = {side.lower() for side in _HEMISPHERE.findall(question)}
    if not lats and len(hemispheres) == 1:  # "in the Southern Hemisphere": the whole of it (the 1.5B wrote -90..-30)
        wanted.update(zip(("lat_min", "lat_max"), _HEMISPHERE_LATS[hemispheres.pop()]))
    if len(lats) == 2:
        wanted.update(lat_min=min(lats), lat_max=max(lats))
    if len(lons) == 2:
        west, east = lons if (lons[1] - lons[0]) % 360 <= 180 else lons[::-1]  # the shorter way round, eastward
        wanted.update(lon_min=west, lon_max=east)
    sides = _SIDE_OF.findall(question)
    if len(lats) == 1 and len(sides) == 1:  # "north of 15S": to the pole, or the equator in the hemisphere named
        far = 0.0 if hemispheres else 90.0  # (the 1.5B called "north of 15S" as -15..15)
        wanted.update(zip(("lat_min", "lat_max"), (lats[0], far) if sides[0].lower() == "north" else (-far, lats[0])))
    for key in ("lat_min", "lat_max") if len(lats) == 1 and not sides else ():
        if isinstance(arguments.get(key), (int, float)) and arguments[key] == -lats[0]:
            wanted[key] = lats[0]  # "at 60S" written as 60
    for key in ("lon_min", "lon_max") if len(lons) == 1 else ():
        if isinstance(arguments.get(key), (int, float)) and arguments[key] == -lons[0]:
            wanted[key] = lons[0]
    changed = {k: v for k, v in wanted.items()
               if (k in offered or any(arguments.get(b) is not None for b in (k[:3] + "_min", k[:3] + "_max")))
               and arguments.get(k) != v}
    if not changed:
        return arguments, ""
    return {**arguments, **changed}, ", ".join(f"{k}={v:g}" for k, v in changed.items())


def copied_example(arguments: dict, question: str) -> list[str]:
    """The latitude (or longitude) arguments of a call that copied the prompts' own example band (15°S-15°N) into
    a question that writes no such number ("the highest tas in this file": the 1.5B called lat -15..15 and was
    refused outside a European grid; "the highest T850": lat and lon -15..15); left out like any unasked filter."""
    written = {abs(float(n)) for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", question)}
    if {abs(v) for v in EXAMPLE_LATS} & written:
        return []
    return [key for axis in ("lat", "lon") for key in (f"{axis}_min", f"{axis}_max")  # also as longitudes
            if (arguments.get(f"{axis}_min"), arguments.get(f"{axis}_max")) == EXAMPLE_LATS]


def unwritten_lons(arguments: dict, question: str) -> list[str]:
    """The longitude bounds of a call, when the question writes no longitude, that copied the question's
    latitudes ("the mean SST between 10S and 10N": the 1.5B called lat -10..10 and lon -10..10, a box over
    Africa's coast, and its mean got a ✓; with the short schemas, lon -10..-10) or are one longitude (the short
    schemas: lon -179.751..-179.751, the extent's first, for the same band); left out like any unasked filter."""
    lats, lons = compass_points(question)
    bounds = [arguments.get("lon_min"), arguments.get("lon_max")]
    if lons or re.search(r"\b(?:lon\w*|east\w*|west\w*)\b", question, re.I) \
            or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds):
        return []
    copied = bool(lats) and {float(b) for b in bounds} <= set(lats)  # also -10..-10
    return ["lon_min", "lon_max"] if copied or float(bounds[0]) == float(bounds[1]) else []


# words that place a question somewhere (a box the model writes may come from them: "the tropics", "Niño 3.4")
_PLACE_WORDS = re.compile(r"\b(?:lat|lon|latitudes?|longitudes?|north\w*|south\w*|east\w*|west\w*|equator\w*|"
                          r"\w*tropic\w*|\w*arctic|pol(?:e|es|ar)|hemispheres?|regions?|regional|box|band|zone|sector|"
                          r"basin|ocean\w*|seas?|gulf|coast\w*|continent\w*|land|islands?|mountains?|near|around|"
                          r"midlatitudes?|mid-latitudes?|ni[ñn]o\w*|monsoon)\b",
                          re.I)
# a proper name that is not an acronym ("Europe", "Boulder's"; not "ERA5", "TREFHT", "DJF"), past the first word
_PROPER_NAME = re.compile(r"(?<=[\w,;:)] )[A-Z][a-z\u00e0-\u00ff]+")


_ASKS_WHERE = re.compile(r"\b(?:what|which)\s+(?:latitudes?|longitudes?|lat|lon)\b", re.I)
# a vector's component is not a place: "the strongest eastward velocity u at the surface" names no box (the 1.5B
# copied the extent's lon 263..375 into it, and was refused)
_COMPONENT = re.compile(r"\b(?:east|west|north|south)ward\s+(?:velocity|velocities|winds?|currents?|flow|"
                        r"components?|flux|fluxes|transport|stress|speed)\b", re.I)


def names_place(question: str) -> bool:
    """Whether the question says where: coordinates ("30S", "10W"), a hemisphere, a word that places it (the
    tropics, a region, an ocean) or a proper name (a month's name is not one; nor is a component: "eastward
    velocity")."""
    question = _ASKS_WHERE.sub(" ", question)  # "At what latitude is ...?" asks where; it places nothing
    question = _COMPONENT.sub(" ", question)
    names = [n for n in _PROPER_NAME.findall(question) if not re.fullmatch(MONTH_WORD, n, re.I)]
    return bool(_COMPASS.search(question) or _HEMISPHERE.search(question) or _PLACE_WORDS.search(question)
                or names)


def unasked_box(arguments: dict, question: str) -> list[str]:
    """The latitude/longitude bounds of a call for a question that names no place ("the area-weighted mean 2 m
    temperature over this ERA5 domain": the 1.5B called lon -66..-125; "How many grid cells lie below 1500 m?":
    lon -102..-100, which counted 420 of 51,525 cells); left out like any unasked filter."""
    if names_place(question):
        return []
    return [k for k in ("lat_min", "lat_max", "lon_min", "lon_max") if arguments.get(k) is not None]


_ALL_POINTS = re.compile(r"\bunweighted\b|\ball[- ](?:grid[- ]?)?(?:points?|cells?)\b|"
                         r"\b(?:over|across|of)\s+(?:all|every|each)\s+(?:the\s+)?(?:grid[- ]?)?"
                         r"(?:points?|cells?|columns?|gridpoints?)\b", re.I)


def area_mean_asked(question: str) -> bool:
    """Whether the question asks the mean over an area, which a grid's area weights answer ("the domain mean JJA
    precipitation", "the global-mean z500", "the mean SST between 10S and 10N"), not the plain mean of its grid
    points nor one point's."""
    if plain_mean_asked(question) or POINTWISE.search(question):
        return False
    band = len(compass_points(question)[0]) >= 2 or _HEMISPHERE.search(question)
    return bool(_AREA_MEAN.search(question) or band and asked_stat(question) == "mean")


def plain_mean_asked(question: str) -> bool:
    """Whether the question asks for the plain mean of every grid point ("averaged over all grid points", "the
    all-cell mean", "unweighted"), not an area-weighted one."""
    return bool(_ALL_POINTS.search(question)) and not re.search(r"\barea|weight", question, re.I)


_FIRST_LAST = re.compile(r"\b(?:from|between)\s+the\s+(?:first|start)\b[\w\s-]{0,20}?\s+(?:to|and)\s+the\s+"
                         r"(?:last|end)\b", re.I)
FIRST_LAST = ("first", "last")


_YEAR_SPAN = re.compile(r"(?<![\w.-])([12]\d{3})\s*(?:-|–|to|through|until)\s*([12]\d{3})(?![\w.])")


_NUMBER_SPAN = re.compile(r"\byears?\s+(\d{1,4})\s*(?:-|–|to|through|until)\s*(\d{1,4})(?![\w.])", re.I)


def number_span(arguments: dict, question: str, time_axes: Any) -> tuple[dict, str]:
    """The span of "model years 500 to 599" on an axis of year numbers, where the call wrote another period
    (the 1.5B wrote 1950 to 1999 on NAO's years 1-999, and every call was refused)."""
    spans = _NUMBER_SPAN.findall(question)
    numbered = [t for t in time_axes if t.kind in ("year", "number")]
    if len(spans) != 1 or len(numbered) != 1 or arguments.get("time_start") is None:
        return arguments, ""
    start, end = spans[0]
    if (str(arguments.get("time_start")), str(arguments.get("time_end"))) == (start, end):
        return arguments, ""
    return {**arguments, "time_start": start, "time_end": end}, f"time_start={start!r}, time_end={end!r}"


_ON_DAY = re.compile(rf"\bon\s+(?:the\s+)?({DAY_TEXT})", re.I)
# words that make a day one end of a span ("starting on 3 January"), not the day asked about
_SPAN_WORDS = re.compile(r"\b(?:since|after|before|until|till|from|between|start\w*|begin\w*|end(?:s|ing)?|through|"
                         r"during|week|days|trend|each|every)\b", re.I)
DAY_TOOLS = frozenset({"statistic", "area_weighted_mean", "where_extreme", "count_threshold"})  # reduce a field


def day_from_question(tool: str, arguments: dict, question: str, time_axes: Any) -> tuple[dict, str]:
    """The day of "on 3 January 1870" ("on July 19, 2015", "on 2015-07-19") for a tool that reduces one day's
    field, where the call selects no time or one other day: the 1.5B took 1 January's maximum for "the maximum
    SST on 3 January 1870", and the days' maxima were 0.05 apart, so its answer looked right. Only a question
    that writes one day and no span, on a file with daily (or finer) dates; a call's span of several days is
    left as it is."""
    if tool not in DAY_TOOLS:
        return arguments, ""
    days = {day for found in _ON_DAY.finditer(question) for day in written_days(found.group(1))}
    if len(days) != 1 or days_written(question) != 1 or _SPAN_WORDS.search(question) or not any(
            t.kind == "datetime" and frequency(t.values) in ("hourly", "daily") for t in time_axes):
        return arguments, ""
    day = days.pop()
    start = str(arguments.get("time_start") or "")
    end = str(arguments.get("time_end") or start)
    if start[:10] != end[:10] or start[:10] == day:  # several days, or this one already
        return arguments, ""
    return {**arguments, "time_start": day, "time_end": day}, f"time_start={day!r}, time_end={day!r}"


def dated_axes(time_axes: Any) -> list:
    """The time axes of dates with more than one step (a file's first, last or named year is one of them)."""
    return [t for t in time_axes if t.kind == "datetime" and len(t.values) > 1]


_IN_YEAR = re.compile(r"\b(?:in|during|for)\s+(?:the\s+year\s+)?(?:[A-Z][a-z]+\s+)?([12]\d{3})(?![\w.-])")
_YEAR_SPAN_WORDS = re.compile(r"\b(?:since|after|before|until|till|from|between|through|trend|each|every)\b", re.I)


def year_from_question(tool: str, arguments: dict, question: str, time_axes: Any) -> tuple[dict, str]:
    """The year of "during 2015" ("in July 2005", "in 1990") for a tool that reduces a field, where the call
    selects no time: the 0.5B, short schemas, took the maximum of all four years of Seattle's weather for "the
    highest daily maximum temperature in Seattle during 2015". Only a question that writes one year and no span
    or day, on a file whose one date axis holds that year and others."""
    years = set(_IN_YEAR.findall(question))
    dated = dated_axes(time_axes)
    if (tool not in DAY_TOOLS or len(years) != 1 or len(dated) != 1 or _YEAR_SPAN.search(question)
            or _YEAR_SPAN_WORDS.search(question) or days_written(question)
            or any(arguments.get(k) is not None for k in ("time_start", "time_end", "time", "period_a"))):
        return arguments, ""
    year = years.pop()
    held = {int(y) for y in getattr(dated[0].values, "year", [])}
    if int(year) not in held or len(held) < 2:
        return arguments, ""
    return {**arguments, "time_start": year, "time_end": year}, f"time_start={year!r}, time_end={year!r}"


_ONE_END = re.compile(r"\b(?:on|in|at|for|during)\s+the\s+(first|last|final)\s+"
                      r"(day|time\s*step|step|month|year|hour)\b", re.I)
_STEP_OF = {"day": "daily", "month": "monthly", "year": "annual", "hour": "hourly"}


def end_step_from_question(tool: str, arguments: dict, question: str, time_axes: Any) -> tuple[dict, str]:
    """The first or last time step of "on the first day" ("in the last time step", "in the final month" of a
    monthly file) where the call selects no time, or one end of an open span: the 1.5B asked for "the mean SST
    between 10S and 10N on the first day" without a time and quoted the mean of all five days, with a ✓; with the
    short schemas it counted "on the last day" with only time_end, the last day: all five days again. Only for one
    named end, a word that is one step of the file's one date axis, and a tool that reduces a field."""
    ends = {(m.group(1).lower().replace("final", "last"), m.group(2).lower()) for m in _ONE_END.finditer(question)}
    dated = dated_axes(time_axes)
    if (tool not in DAY_TOOLS or len(ends) != 1 or len(dated) != 1 or _FIRST_LAST.search(question)
            or arguments.get("time_start") is not None and arguments.get("time_end") is not None):
        return arguments, ""
    (end, unit), = ends
    if unit in _STEP_OF and frequency(dated[0].values) != _STEP_OF[unit]:
        return arguments, ""  # "the first year" of a monthly file is twelve steps, not one
    when = fmt(dated[0].values[0 if end == "first" else -1])
    return {**arguments, "time_start": when, "time_end": when}, f"time_start={when!r}, time_end={when!r} (the {end})"


def spans_from_question(arguments: dict, question: str) -> tuple[dict, str]:
    """Year spans as the question writes them ("1990-1999", "1961 to 1990") where the call wrote one year of
    the span: a period ("period_a": "1990") or a period's start and end ("1990" to "1990"). The 1.5B, asked "How
    much warmer is 1990-1999 than 1890-1899?", compared the single years 1990 and 1890."""
    spans = [(a, b) for a, b in _YEAR_SPAN.findall(question) if a < b]
    if not spans:
        return arguments, ""

    def span_of(year: Any) -> tuple[str, str] | None:
        found = [s for s in spans if isinstance(year, (str, int)) and str(year).strip() in s]
        return found[0] if len(found) == 1 else None

    changed = {}
    for key in ("period_a", "period_b"):
        span = span_of(arguments.get(key))
        if span:
            changed[key] = f"{span[0]}-{span[1]}"
    start, end = arguments.get("time_start"), arguments.get("time_end")
    span = span_of(start)
    if span and str(start).strip() == span[0] and (end is None or str(end).strip() == span[0]):
        changed.update(time_start=span[0], time_end=span[1])
    changed = {k: v for k, v in changed.items() if str(arguments.get(k)).strip() != v}
    if not changed:
        return arguments, ""
    return {**arguments, **changed}, ", ".join(f"{k}={v!r}" for k, v in changed.items())


_PERIOD_WORDS = rf"(?:{MONTH_WORD}(?:\s+[12]\d{{3}})?|DJF|MAM|JJA|SON|[12]\d{{3}}(?:\s*[-–]\s*[12]\d{{3}})?)"
_FROM_TO = re.compile(rf"\bfrom\s+({_PERIOD_WORDS})\s+(?:to|until|through)\s+({_PERIOD_WORDS})\b", re.I)
_THAN = re.compile(rf"\b(?:in|during|for)\s+({_PERIOD_WORDS})\s+than\s+(?:(?:in|during|for)\s+)?({_PERIOD_WORDS})\b",
                   re.I)


def periods_from_question(question: str) -> tuple[str, str] | None:
    """The two periods of "from January to July 2005", "from DJF to JJA", "from February 1958 to February 1977",
    "warmer in 1990-1999 than in 1890-1899" (the second first), as ``difference`` reads them ("2005-01", "JJA",
    "1958-02", "July" for every July); FIRST_LAST for "from the first to the last day" (the loop knows the
    dataset's times); None when not written so. A year written only after the second period is the first one's
    too."""
    found = _FROM_TO.search(question)
    than = _THAN.search(question)
    if not found and than:  # "warmer in 1990-1999 than in 1890-1899": the change from the second to the first
        return _period(than.group(2), None), _period(than.group(1), None)
    if not found:
        return FIRST_LAST if _FIRST_LAST.search(question) else None
    first, second = found.groups()
    year = re.search(r"[12]\d{3}", second)
    return _period(first, year.group() if year and not re.search(r"\d", first) else None), _period(second, None)


def _period(text: str, year: str | None) -> str:
    words = text.split()
    if re.fullmatch(MONTH_WORD, words[0], re.I):
        month = month_number(words[0])
        year = words[1] if len(words) > 1 else year
        return f"{year}-{month:02d}" if year else words[0].capitalize()
    return re.sub(r"\s+", "", text).upper()


def asked_stat(question: str) -> str | None:
    """The one statistic the question asks for ("the strongest": "max"), or None for none or several. A mean
    that names the field ("zonal mean", "annual mean") is not a statistic asked for."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", FIELD_MEAN.sub(" ", question))}
    asked = {kind for kind, names in STAT_WORDS.items() if words & set(names)}
    return asked.pop() if len(asked) == 1 else None


def pointwise_extreme(question: str) -> str | None:
    """"max" or "min" for a question about one grid point's extreme ("the highest annual-mean TREFHT anywhere",
    "at any grid point"), else None."""
    want = asked_stat(question)
    return want if want in ("max", "min") and POINTWISE.search(question) else None


_WHERE_OR_WHEN = re.compile(r"\b(?:where|when)\b|\b(?:at|in|on)\s+(?:what|which)\b|\b(?:which|what)\s+(?:latitude|"
                            r"longitude|location|place|grid\s*(?:point|cell)|year|month|day|date|time|level|depth)",
                            re.I)


def extreme_located(question: str) -> str | None:
    """"max" or "min" for a question asking where or when an extreme is ("At what latitude is the warmest SST
    found?", "In which year is the lowest height?"), else None."""
    want = asked_stat(question)
    return want if want in ("max", "min") and _WHERE_OR_WHEN.search(question) else None


_AREA_MEAN = re.compile(r"\b(?:global(?:ly)?|area(?:[- ]weighted)?|spatial(?:ly)?|domain|regional|hemispher\w*|"
                        r"basin|all[- ]cells?)[- ](?:mean|average|averaged)\b", re.I)
_WHEN = re.compile(r"\bwhen\b|\b(?:which|what)\s+(?:year|month|day|date|time|season|decade)s?\b", re.I)


def when_area_mean_extreme(question: str) -> str | None:
    """"max" or "min" for a question asking when an area mean is highest or lowest ("In which year is the global
    mean TREFHT highest?": the extreme over time of the mean over the area), else None."""
    if not _AREA_MEAN.search(question) or POINTWISE.search(question) or not _WHEN.search(question):
        return None
    want = asked_stat(_AREA_MEAN.sub(" ", question))
    return want if want in ("max", "min") else None


_WHICH_GROUP = re.compile(r"\b(?:which|what)\s+(month|season|year)\b", re.I)
_ONE_VALUE = re.compile(r"\b(?:on record|ever|single)\b", re.I)
_MEAN_WORD = re.compile(r"\b(?:mean|means|average|averages|averaged|climatolog\w*)\b", re.I)


def when_mean_extreme(question: str) -> tuple[str, str] | None:
    """("max" or "min", "month", "season" or "year") for a question asking in which month, season or year a mean
    is highest or lowest ("In which month is Boulder's mean temperature highest?": the peak of the mean seasonal
    cycle, not the month of the warmest single value), else None; never for single grid points ("anywhere") or
    single values ("the highest monthly mean", "on record")."""
    group = _WHICH_GROUP.search(question)
    if not group or not _MEAN_WORD.search(FIELD_MEAN.sub(" ", question)) or POINTWISE.search(question) \
            or _ONE_VALUE.search(question):  # "the highest monthly mean", "on record": one value, not a mean's
        return None
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
    extremes = {kind for kind in ("max", "min") if words & set(STAT_WORDS[kind])}
    return (extremes.pop(), group.group(1).lower()) if len(extremes) == 1 else None


_RANGE_NAME = re.compile(r"^(.*)\{(\d+)(?:\.\.(\d+))?\}(.*)$")  # {1..10}, or one number: {4}


def name_from_range(name: Any, question: str) -> str | None:
    """The one variable of a range the prompt wrote ("PRECT_TX_CD{1..10}", copied as a variable name by the
    1.5B) that the question names by its number ("Texas climate division 1": PRECT_TX_CD1), or of a range the
    model narrowed to that one number ("PRECT_CA_CD{4}"); None otherwise."""
    match = _RANGE_NAME.match(name) if isinstance(name, str) else None
    if not match:
        return None
    stem, low, tail = match.group(1), int(match.group(2)), match.group(4)
    high = int(match.group(3) or low)
    numbers = {int(n) for n in re.findall(r"(?<![\w.])\d+(?![\w.])", question)} & set(range(low, high + 1))
    return f"{stem}{numbers.pop()}{tail}" if len(numbers) == 1 else None


_SIZE_ASKED = re.compile(r"\bhow many\s+(?:[\w-]+\s+){0,2}?(?:records|rows|entries|lines|time\s*steps|timesteps|"
                         r"steps)\b", re.I)
# "How many years does this TREFHT file cover?": the span of the time axis, not a count among the values
_SPAN_ASKED = re.compile(r"\bhow many\s+(?:years|months|days|hours)\b.*\b(?:cover|covers|covered|span|spans|"
                         r"hold|holds|contain|contains|include|includes)\b", re.I)
_CONDITION = re.compile(r"\b(?:above|below|over|under|exceed\w*|more|less|fewer|greater|higher|lower|at least|"
                        r"at most|than|with|where|when|whose)\b", re.I)


def size_asked(question: str) -> bool:
    """Whether the question asks how many records, rows or time steps the data hold ("How many hourly records
    does the file hold?"), or how many years (months, days) they cover, with no condition on their values."""
    return bool(_SIZE_ASKED.search(question) or _SPAN_ASKED.search(question)) and not _CONDITION.search(question)


def stat_from_question(arguments: dict, question: str, offered: dict) -> tuple[dict, str]:
    """The one statistic the question asks for ("the strongest", "the coldest"), where the call chose another of
    the tool's choices: the 1.5B read "the strongest zonal mean zonal wind" as stat="mean"."""
    want = asked_stat(question)
    if want is None:
        return arguments, ""
    for key in ("stat", "kind"):
        if key in offered and arguments.get(key) not in (None, want) and want in offered[key].get("enum", []):
            return {**arguments, key: want}, f"{key}={want!r}"
    return arguments, ""


CHANGE = re.compile(r"\b(?:chang\w*|differ\w*|warm(?:er|ing)|cool(?:er|ing)|cold(?:er)?|increas\w*|decreas\w*|"
                     r"rise|rose|drop\w*|fall|fell|minus)\b", re.I)


_LEVEL = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(m|meters?|metres?|hPa|mb|mbar|Pa)\b|\b(surface)\b", re.I)
_LEVEL_UNITS = {"m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m", "hpa": "hpa", "mb": "hpa",
                "mbar": "hpa", "millibar": "hpa", "millibars": "hpa", "pa": "pa"}  # a level's unit, by its kind
_TO_LEVEL_UNITS = {("hpa", "pa"): 100.0, ("pa", "hpa"): 0.01}


# words that ask for a vertical level, besides a level written with its unit (_LEVEL)
_LEVEL_WORDS = re.compile(r"\b(?:levels?|pressure|heights?|altitudes?|depths?|deep|sigma|layers?|bottom|top|aloft|"
                          r"surface|column|vertical\w*|hPa|mb|mbar)\b", re.I)


_WHICH_LEVEL = re.compile(r"\b(?:what|which)\s+(?:pressure\s+|model\s+|vertical\s+)?"
                          r"(?:level|depth|height|altitude|layer)s?\b", re.I)


def level_located(question: str) -> bool:
    """Whether the question asks which level something is at ("At which pressure level is U strongest?"): the
    level is the answer, not a selection."""
    return bool(_WHICH_LEVEL.search(question))


def level_asked(question: str) -> bool:
    """Whether the question asks for a vertical level: "at 500 hPa", "the surface", "which level"."""
    return bool(_LEVEL.search(question) or _LEVEL_WORDS.search(question))


def levels_from_question(question: str, vertical: Any, surface: float | None) -> tuple[float, float] | None:
    """The two levels of a change the question writes ("the mean u at the surface minus at 500 m", "from 850 hPa
    to 500 hPa") as (level_a, level_b) for ``difference`` (B minus A), in the vertical axis' units; None unless
    it writes exactly two in units the axis has (``surface``: the axis' surface level, or None)."""
    if vertical is None or not CHANGE.search(question):
        return None
    axis = _LEVEL_UNITS.get(str(vertical.units or "").lower())
    found: list[tuple[float, int]] = []
    for match in _LEVEL.finditer(question):
        if match.group(3):
            value = surface
        else:
            unit = _LEVEL_UNITS[match.group(2).lower()]
            factor = 1.0 if unit == axis else _TO_LEVEL_UNITS.get((unit, axis))
            value = float(match.group(1)) * factor if axis and factor else None
        if value is None:
            return None
        if value not in [v for v, _ in found]:
            found.append((value, match.start()))
    if len(found) != 2:
        return None
    (first, _), (second, _) = found
    minus = re.search(r"\bminus\b", question, re.I)
    return (second, first) if minus else (first, second)  # "X minus Y" is B=X, A=Y


def change_between(question: str) -> tuple[str, str] | None:
    """The two periods of a question that asks for a change between them ("How much does ta change from January
    to July 1979?"), else None."""
    return periods_from_question(question) if CHANGE.search(question) else None


_COUNTS = re.compile(r"\bhow many\b|\bnumber of\b", re.I)
_THRESHOLD = re.compile(r"\b(?P<word>(?:more|greater|higher|larger|warmer|wetter|less|fewer|lower|smaller|colder|"
                        r"drier)\s+than|at\s+or\s+(?:above|below)|above|below|over|under|exceed(?:s|ing)?|at\s+least|at\s+most)\s+"
                        r"(?P<value>[-−]?\d+(?:\.\d+)?)\s*(?P<unit>[^\s\d?,.;:)]*)", re.I)
_ABOVE = ("more", "greater", "higher", "larger", "warmer", "wetter", "above", "over", "exceed")


def threshold_asked(question: str) -> tuple[float, str, str] | None:
    """The one threshold a counting question writes ("How many months have more than 3 inches of ...?"): its
    value, the direction (as count_threshold takes it) and the unit word written after it; None otherwise."""
    found = _THRESHOLD.findall(question) if _COUNTS.search(question) else []
    if len(found) != 1:
        return None
    word, value, unit = found[0]
    word = " ".join(word.lower().split())
    above = word.startswith(_ABOVE) or word in ("at least", "at or above")
    at_or = word in ("at least", "at most") or word.startswith("at or")
    direction = ("at_or_" if at_or else "") + ("above" if above else "below")
    return float(value.replace("−", "-")), direction, unit


_PER = re.compile(r"\bper\s+(year|decade|century|100\s+years|10\s+years)\b", re.I)
_PER_WORDS = {"100 years": "century", "10 years": "decade"}


def per_from_question(arguments: dict, question: str, offered: frozenset | dict) -> tuple[dict, str]:
    """The time unit of a trend the question writes ("the trend of the NAO index per century": the 1.5B gave the
    slope per decade as the answer), for a tool that takes ``per``; and what was changed."""
    said = {_PER_WORDS.get(" ".join(w.lower().split()), w.lower()) for w in _PER.findall(question)}
    if "per" not in offered or len(said) != 1:
        return arguments, ""
    per = said.pop()
    if arguments.get("per", "decade") == per:  # a decade is the tool's default
        return arguments, ""
    return {**arguments, "per": per}, f"per={per!r}"
