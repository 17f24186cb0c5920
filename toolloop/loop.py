"""The tool-call loop: the model asks for a tool, the app runs it on the real data, the model answers.

Calls are read by `parse.parse_tool_calls` (every form small models write); nothing the model writes is
ever executed: a call names a registered, typed tool and its arguments are validated before it runs.

`ToolLoop.run()` is a generator of events, so text streams to the page while a call is detected:
  ("text", piece)  the model's words of the current step
  ("step", Step)   a finished step: raw text, parsed calls, validated results, timings
  ("answer", text) the final answer (the loop ends)
Small models call the tool again when they see its result with the tools still on offer; the
`answer_mode` decides what the turn after a result looks like (bench/tool_eval.py measures each):
  "plain_result"  the question again with the results written out as plain text, no tools (default)
  "no_tools"      the usual tool-call/tool-response turns, rendered without tools
  "repeat_guard"  tools stay on offer (several steps) until a call repeats an earlier one
A step whose calls all fail (unreadable JSON, invalid arguments, an unknown tool) gets a retry turn:
the question again, with the failed calls and their errors as text and the tools still on offer. A first answer
that only describes a call (it names an offered tool, and calls none) is asked once for the call itself.
The loop is bounded by a step limit and a timeout, and always ends with an answer: if the model
still only writes a call, the app states the tool results itself and says so.
"""
from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from data.times import SEASON_MONTHS, fmt
from generation.types import Message, Sampling, Stats
from tools.units import convert, known_unit
from tools.validation import ToolError

from .numbers import (
    MONTH_NAMES,
    Known,
    calendar_counts,
    check_numbers,
    month_number,
    names_of,
    plainer_sibling,
    question_known,
    sibling_in_units,
    sibling_named,
    subjects_of,
    suffix_named,
    unit_kind,
    units_of,
    written_unit,
)
from .parse import ParsedCall, argument_values, as_calls, call_name, call_schema, listed, parse_tool_calls
from .question import (
    CHANGE,
    FIRST_LAST,
    NAMED_IN_QUESTION,
    area_mean_asked,
    box_from_question,
    change_between,
    copied_example,
    dated_axes,
    day_from_question,
    end_step_from_question,
    extreme_located,
    level_asked,
    level_located,
    levels_from_question,
    name_from_range,
    number_span,
    per_from_question,
    periods_from_question,
    plain_mean_asked,
    pointwise_extreme,
    size_asked,
    spans_from_question,
    stat_from_question,
    threshold_asked,
    unasked_box,
    unwritten_lons,
    when_area_mean_extreme,
    when_mean_extreme,
    year_from_question,
)

ANSWER_MODES = ("plain_result", "no_tools", "repeat_guard")
DESCRIBED_NOT_CALLED = ("Do not describe the steps: the app runs the tool on the real data. Write only the one tool "
                        'call that answers the question, as {"name": ..., "arguments": {...}}.')
# Arguments that say how to report a result, not which data or statistic: a call to a tool that lacks one runs
# without it, and says so (linear_trend(..., to_units="K") was refused twice, before linear_trend took to_units).
# Not "by": statistic(by="month") is refused and pointed to climatology(by="month"), which computes what was asked.
_HOW_TO_REPORT = ("to_units", "dims")
_ONE_DATE = ("time", "date")  # one date written for a tool that takes time_start/time_end (see _unwrapped)
# Arguments that select (linear_trend(level=500) on a file without levels) or group (statistic(by="year")): a tool
# that lacks one refuses the call rather than run without it and answer another question; a grouping is left out
# only by the tool the question asks for (linear_trend(by="year") for "the trend per decade": the same trend)
_SELECTING = ("level", "level_a", "level_b", "month", "season", "time", "time_start", "time_end", "period_a",
              "period_b", "lat", "lon", "lat_min", "lat_max", "lon_min", "lon_max", "variable")
_GROUPING = ("by", "groupby", "group_by", "per", "freq", "resample")
# a trend asked in so many words; "slope" and "rate of" (a precipitation rate) say it too only to keep a trend tool
_TREND_ASKED = re.compile(r"\btrends?\b|\bper\s+(?:decade|century)\b", re.I)
# Tools that answer one kind of question: a refused call is run as one only for such a question (not as
# count_threshold for "In which year is the lowest 500 hPa height found?", where the 1.5B wrote
# where_extreme(kind="min", threshold=500, direction="at_or_below")), and never moved away from one for it
# (linear_trend(by="year") is not climatology(by="year") for "the trend per decade")
_ANSWERS = {
    "count_threshold": re.compile(r"\bhow many\b|\bnumber of\b|\bcount\w*|\bfraction\b|\bpercent\w*|\bshare\b|"
                                  r"\bproportion\b", re.I),
    "linear_trend": re.compile(rf"{_TREND_ASKED.pattern}|\bslope\b|\brate of\b", re.I),
    "difference": CHANGE,  # difference(kind="max", ...) for "How much does T change from January to July?"
}


def _key(name: str, arguments: dict) -> str:
    return f"{name}:{json.dumps(arguments, sort_keys=True, default=str)}"


def _and(names: list[str]) -> str:
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]


def _or(names: list[str]) -> str:
    return " or ".join(names)


# tools that state a value of the data, never how many values pass a threshold; a count of means ("how many years
# have an annual mean above 11 °C") is not a count of the values, and is left to the model's own calls
_NOT_COUNTING = ("statistic", "where_extreme", "describe_variable")
_MEAN_ASKED_TOO = re.compile(r"\b(?:mean|average)s?\s+and\b|\band\s+(?:the\s+|its\s+)?(?:mean|average)\b", re.I)
_OF_MEANS = re.compile(r"\b(?:mean|average|averaged|total|sum)\b", re.I)


@dataclass
class Step:
    index: int
    model_text: str
    calls: list[ParsedCall] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)  # tools.ToolResult, one per call
    duration_s: float = 0.0
    stats: Stats | None = None
    tools_offered: bool = True
    constrained: bool = False


def tools_prefix(registry, enabled: set[str] | None = None) -> tuple[list[Message], list[dict]]:
    """How every question on a dataset starts: its system message (none without data) and the schemas the
    model reads for the enabled tools (``registry.prompt_schemas``). The same for every session, so its prompt
    state can be computed once (prefill_chat)."""
    context = registry.system_message()
    return ([context] if context else []), registry.prompt_schemas(enabled)


def _enum(prop: dict) -> list:
    """The allowed values a parameter schema lists (its enum, or its items' enum); empty when any value goes."""
    return prop.get("enum") or prop.get("items", {}).get("enum") or []


class ToolLoop:
    """One question, answered with tools. Iterate `run()`; afterwards `steps`, `answer`, `stopped`."""

    def __init__(self, model, registry, messages: list[Message], sampling: Sampling = Sampling(max_new_tokens=256),
                 enabled: set[str] | None = None, max_steps: int = 4, timeout_s: float = 300.0,
                 answer_mode: str = "plain_result", constrained: bool = False,
                 on_wait: Callable[[int, float], None] | None = None) -> None:
        if answer_mode not in ANSWER_MODES:
            raise ValueError(f"answer_mode must be one of {', '.join(ANSWER_MODES)}")
        if not 1 <= max_steps <= 10:
            raise ValueError("max_steps must be from 1 to 10")
        self.model, self.registry, self.sampling = model, registry, sampling
        context, self.offered = tools_prefix(registry, enabled)  # the schemas the model reads
        if not any(m["role"] == "system" for m in messages):
            messages = [*context, *messages]  # the dataset's extent, so the model does not invent one
        self.messages = list(messages)
        self.original = list(messages)
        self.schemas = registry.schemas(enabled)  # parsing and hints read the full schemas
        self.max_steps, self.timeout_s = max_steps, timeout_s
        self.answer_mode, self.constrained = answer_mode, constrained
        self.on_wait = on_wait  # told (ahead, seconds) while a shared model serves other sessions first
        self.steps: list[Step] = []
        self.answer = ""
        self.stopped = ""  # "answer", "step_limit" or "timeout"

    def run(self) -> Iterator[tuple[str, Any]]:
        start = time.perf_counter()
        offer_tools = bool(self.schemas)
        invited = False  # a plain-result turn that allows one more call, should the results not be enough
        nudged = False  # a first answer that only described a call was asked once for the call itself
        seen: set[str] = set()
        for index in range(self.max_steps + 1):
            last_chance = index == self.max_steps or time.perf_counter() - start > self.timeout_s
            tools = self.offered if offer_tools and not last_chance else None
            step = Step(index, "", tools_offered=tools is not None)
            options: dict[str, Any] = {"on_wait": self.on_wait} if self.on_wait else {}
            if tools and self.constrained and index == 0 and self.model.backend.capabilities.grammar:
                options["json_schema"] = call_schema(self.schemas)  # the grammar holds the full bounds and enums
                step.constrained = True
            began = time.perf_counter()
            generation = self.model.stream_chat(self.messages, self.sampling, tools=tools, **options)
            for piece in generation:
                step.model_text += piece
                yield "text", piece
            step.stats = generation.stats  # this step's own, complete once the stream ends
            may_call = tools is not None or (invited and not last_chance)
            step.calls = self._parse(step.model_text, self.schemas) if may_call else []
            if not step.calls:
                step.duration_s = time.perf_counter() - began
                self.steps.append(step)
                yield "step", step
                if tools is not None and not nudged and self._described_call(step.model_text):
                    nudged = True  # the steps a tool would take, written out instead of the call: ask for the call
                    self.messages = self._with_question(DESCRIBED_NOT_CALLED)
                    continue
                self.answer = self._final_answer(step.model_text.strip(), index)
                self.stopped = "answer" if not last_chance or index == 0 else (
                    "timeout" if index < self.max_steps else "step_limit")
                yield "answer", self.answer
                return
            if invited and tools is None and not self._new_evidence(step.calls):
                step.calls = []  # the same results again, or a call unrelated to them: they are enough, answer
                step.duration_s = time.perf_counter() - began
                self.steps.append(step)
                yield "step", step
                invited = False
                self.messages = self._plain_result_messages(False)
                continue
            step.results = [self._run(call) for call in step.calls]
            step.duration_s = time.perf_counter() - began
            self.steps.append(step)
            yield "step", step
            # a call as written or as it ran: the model reads the calls as they ran, and may write one back
            keys = {_key(c.name, c.arguments) for c in step.calls} | {_key(r.name, r.arguments) for r in step.results}
            repeated = bool(keys & seen)
            seen |= keys
            failed = not any(r.ok for r in step.results)
            invited = False
            if failed and self.answer_mode == "plain_result":  # nothing to answer with: let it fix the call
                self.messages = self._retry_messages()
            else:
                self.messages += self._turn_messages(step)
                if self.answer_mode == "plain_result":  # another round if the results are not yet enough
                    invited = not repeated and index + 1 < self.max_steps
                    self.messages = self._plain_result_messages(invited)
            offer_tools = (self.answer_mode == "repeat_guard" or failed) and not repeated

    def _described_call(self, text: str) -> bool:
        """Whether an answer without a call names an offered tool as one (`statistic`, statistic(, "the statistic
        function"): mxclim, short schemas, the 1.5B wrote the four steps it would take with `statistic` and no call,
        so no number came from the data. A plain answer that names no tool is left alone."""
        names = "|".join(re.escape(s["function"]["name"]) for s in self.schemas)
        return bool(names) and bool(re.search(rf"`(?:{names})`|\b(?:{names})\s*\(|\b(?:{names})\s+(?:function|tool)\b",
                                              text))

    def _parse(self, text: str, tools: list[dict]) -> list[ParsedCall]:
        """The backend's own parser where it has one (mlx-lm tokenizers), else the generic one (which reads
        bare Python-style calls of the offered ``tools`` only)."""
        backend = self.model.backend
        found = backend.native_tool_calls(text, tools) if backend.capabilities.native_tool_calls else None
        if found:
            calls = [c for item in found for c in as_calls(item, json.dumps(item, default=str))]
            if calls:
                return calls
        return parse_tool_calls(text, tools)

    def _run(self, call: ParsedCall):
        if call.error:
            from tools import ToolResult  # the same result type the registry returns

            return ToolResult(name=call.name, arguments={}, ok=False, value=None, text=f"Error: {call.error}",
                              error=call.error)
        question = " ".join(m["content"] for m in self.original if m["role"] == "user")
        call, unwrapped = self._unwrapped(call)
        ranged = call.arguments.get("variable")
        named = name_from_range(ranged, question) or sibling_named(self.registry.dataset, ranged, question)
        named = suffix_named(self.registry.dataset, named or ranged) or named  # "CO_CD1" for PRECT_CO_CD1
        named = plainer_sibling(self.registry.dataset, named or ranged, question) or named  # an2060, not anvar2060
        if named:  # the prompt's "PRECT_TX_CD{1..10}", or Arkansas's PRECT_AR_CD7, for "Arizona climate division 7"
            call = replace(call, arguments={**call.arguments, "variable": named})
        switched = ""  # the first tool that can answer what the call cannot, and the note saying so
        for rescue in (self._as_difference, self._as_pointwise, self._as_area_mean, self._as_plain_mean,
                       self._as_area_weighted, self._as_located, self._as_extent, self._as_count, self._as_trend,
                       self._as_grouped_mean):
            call, switched = rescue(call, question)
            if switched:
                break
        unasked = [k for k, named in NAMED_IN_QUESTION.items()
                   if call.arguments.get(k) is not None and not named.search(question)]
        unasked += copied_example(call.arguments, question)
        unasked += [k for k in unwritten_lons(call.arguments, question) if k not in unasked]
        unasked += [k for k in unasked_box(call.arguments, question) if k not in unasked]
        arguments = {k: v for k, v in call.arguments.items() if k not in unasked}
        if (arguments.get("month") is not None and arguments.get("season")
                and NAMED_IN_QUESTION["season"].search(question)):
            unasked.append("month")  # "June-July-August (JJA)": the season, not its first month
            arguments.pop("month")
        if arguments.get("level") is not None and not self._has_levels(arguments.get("variable")) \
                and not level_asked(question):  # mm5's pre has none: the 1.5B wrote level=0.02 for its maximum
            unasked.append("level")
            arguments.pop("level")
        offered = self._properties(call.name)
        known = self._schema(call.name) is not None  # offered, even without parameters (list_variables)
        ignored = [k for k in _HOW_TO_REPORT if known and k not in offered and arguments.get(k) is not None]
        arguments = {k: v for k, v in arguments.items() if k not in ignored}
        taken = []  # what the app took from the question's own words, for the result's note
        arguments, said = self._grid_dims(arguments)
        taken.append(said)
        arguments, said = box_from_question(arguments, question, frozenset(offered))
        taken.append(said)
        arguments, said = self._two_sides(arguments, offered, question)
        taken.append(said)
        arguments, said = stat_from_question(arguments, question, offered)
        taken.append(said)
        arguments, said = spans_from_question(arguments, question)
        taken.append(said)
        arguments, said = day_from_question(call.name, arguments, question, self.registry.time_axes)
        taken.append(said)
        arguments, said = end_step_from_question(call.name, arguments, question, self.registry.time_axes)
        taken.append(said)
        arguments, said = year_from_question(call.name, arguments, question, self.registry.time_axes)
        taken.append(said)
        arguments, said = number_span(arguments, question, self.registry.time_axes)
        taken.append(said)
        arguments, said = per_from_question(arguments, question, offered)
        taken.append(said)
        arguments, said = self._threshold_units(arguments, offered, question)
        taken.append(said)
        month = self._named_month(call.name, arguments, question)
        if month:  # "mean January temperature over the whole record": every January, not the whole record
            arguments["month"] = month
            taken.append(f"month={month}")
        surface = self._named_surface(call.name, arguments, question)
        if surface is not None:  # "the strongest u at the surface" on a file with depths: the top level only
            arguments["level"] = surface
            taken.append(f"level={surface:g} (the surface)")
        season = self._named_season(call.name, arguments, question)
        if season:  # "in June-July-August (JJA)": the season's months, not the whole year
            arguments["season"] = season
            taken.append(f"season={season!r}")
        boxed = ", ".join(filter(None, taken))
        result = self._call(call.name, arguments, question)
        redirect = None if result.ok else self._redirected(call.name, arguments, question)
        moved = self.registry.call(redirect[0], redirect[1]) if redirect else None
        if moved is not None and moved.ok:  # the words it refused belong to one other tool: run that one, say so
            other, redirected, why = redirect
            result = moved
            result.text += f"\n(The app ran {listed(other, redirected)} instead: {why}.)"
        # an argument the tool lacks (max_values=500 on statistic) is left out; not a grouping, a selection or an
        # object ("box": {"north": 10}), without which it would answer another question
        # a grouping no offered tool takes (statistic(per="hour"): linear_trend's per is year, decade or century)
        # groups nothing, and is left out like any other argument the tool lacks
        grouped = [k for k in _GROUPING if arguments.get(k) is not None]
        takers = {word for _, _, word in self._elsewhere(call.name, arguments)[1]} if grouped else set()
        grouping = tuple(k for k in grouped if set(argument_values(arguments[k])) & takers)
        kept = _SELECTING if self._answers(call.name, question) else _SELECTING + grouping
        extra = [k for k in arguments if known and k not in offered and k not in kept
                 and not isinstance(arguments[k], (dict, list))]
        refused = not result.ok and (moved is None or not moved.ok)
        retried = self._without(call.name, arguments, extra, question) if refused else None
        if retried is not None:
            result = retried
            ignored += extra
        # to_units="none", or units in doubt ("C" on kelvin values): mxclim's T was refused twice for the degC the
        # question did not ask for
        units = ["to_units"] if arguments.get("to_units") is not None else []
        plain = self._without(call.name, arguments, units, question) if not result.ok else None
        if plain is not None:
            result = plain
            result.text += (f"\n(The app ran {call.name} without to_units, which it refused: the values are in "
                            "the units the result states.)")
        if unasked:  # named, not quoted: the model reads this note, and copied a left-out "1990" as its answer
            result.text += f"\n(The app left out {_and(unasked)}: the question does not ask for {_or(unasked)}.)"
        if boxed:
            result.text += f"\n(The app took from the question what the call had otherwise: {boxed}.)"
        if unwrapped:
            result.text += f"\n(The app read {unwrapped}: the tool's own arguments.)"
        if named:
            result.text += f"\n(The app read variable={ranged!r} as {named}: the one the question names.)"
        if switched:
            result.text += f"\n({switched})"
        if ignored:
            result.text += f"\n(The app left out {_and(ignored)}: {call.name} does not take {_or(ignored)}.)"
        return result

    def _without(self, tool: str, arguments: dict, keys: list[str], question: str):
        """The call run again without ``keys``, when there are any and that run succeeds; else None."""
        if not keys:
            return None
        retried = self._call(tool, {k: v for k, v in arguments.items() if k not in keys}, question)
        return retried if retried.ok else None

    def _call(self, tool: str, arguments: dict, question: str):
        """The tool's result, in the unit the question asks for when the call gave none and the values convert."""
        asked_unit = None if arguments.get("to_units") else self._asked_unit(tool, question)
        result = self.registry.call(tool, {**arguments, "to_units": asked_unit}) if asked_unit else None
        if result is not None and result.ok:
            result.text += f"\n(The app converted the result to {asked_unit}: the question asks for it.)"
            return result
        return self.registry.call(tool, arguments)  # no unit asked, or the values cannot be converted to it

    @staticmethod
    def _answers(tool: str, question: str) -> bool:
        """Whether ``tool`` answers this kind of question only and the question is of that kind (_ANSWERS)."""
        return tool in _ANSWERS and bool(_ANSWERS[tool].search(question))

    def _as_difference(self, call: ParsedCall, question: str) -> tuple[ParsedCall, str]:
        """A mean (statistic or area_weighted_mean) called for a question asking the change between two periods
        it names (the 1.5B averaged January to July 1979 for "How much does ta change from January to July
        1979?") as the offered ``difference``, with the arguments it takes; and the note saying so. So is a trend
        called for such a question that asks for no trend ("July minus January 2005": the 1.5B fitted a line
        through the seven months and answered the line's change, 4.33 K, for a difference of 3.98 K)."""
        mean = call.name == "area_weighted_mean" or call.name == "statistic" and call.arguments.get("stat") == "mean"
        trend = call.name == "linear_trend" and not self._answers("linear_trend", question)
        offered = self._properties("difference")
        periods = change_between(question) and self._question_periods(question)
        two = periods or mean and self._question_levels(call.arguments, question)
        if not ((mean or trend) and offered and two):
            return call, ""
        kept = {k: v for k, v in call.arguments.items() if k in offered or k == "level"}
        return (replace(call, name="difference", arguments=kept),
                f"The app ran difference instead of {call.name}: the question asks for a change"
                + (" between two periods, not a trend." if trend else "."))

    def _as_pointwise(self, call: ParsedCall, question: str) -> tuple[ParsedCall, str]:
        """A spatial mean (climatology, area_weighted_mean, statistic's mean) called for one grid point's extreme
        ("the highest annual-mean TREFHT anywhere in any year": the 1.5B called climatology(by="year"), the extreme
        of the global means) as the offered ``statistic`` of that extreme over the same selection; and the note."""
        want = pointwise_extreme(question)
        offered = self._properties("statistic")
        dims, axes = call.arguments.get("dims"), self.registry.axes
        over_grid = dims is None or axes is not None and isinstance(dims, list) \
            and set(axes.horizontal.dims) <= set(map(str, dims))  # a mean over time (dims=["time"]) is not one
        mean = call.name in ("climatology", "area_weighted_mean") or call.name == "statistic" \
            and call.arguments.get("stat") == "mean" and over_grid  # statistic(stat="mean", by="year")
        if not (want and mean and want in _enum(offered.get("stat", {}))):
            return call, ""
        kept = {k: v for k, v in call.arguments.items() if k in offered and k not in ("stat", "q", "dims")}
        return (replace(call, name="statistic", arguments={**kept, "stat": want}),
                f"The app ran statistic instead of {call.name}: the question asks for the {want} at one grid point, "
                "not of an area mean.")

    def _as_area_mean(self, call: ParsedCall, question: str) -> tuple[ParsedCall, str]:
        """A pointwise extreme (statistic's max or min, where_extreme) called for when an area mean is highest or
        lowest ("In which year is the global mean TREFHT highest?": the 1.5B took the maximum over the grid of each
        year, and its year 1924 got a ✓; asked is the year of the highest global mean, 1951) as the offered
        ``area_weighted_mean`` over the same selection, which keeps time and says when its extremes are."""
        want = when_area_mean_extreme(question)
        offered = self._properties("area_weighted_mean")
        extreme = call.name == "where_extreme" or call.name == "statistic" and call.arguments.get("stat") == want
        if not (want and offered and extreme):
            return call, ""
        kept = {k: v for k, v in call.arguments.items() if k in offered and k != "dims"}
        dims = call.arguments.get("dims")
        if isinstance(dims, list) and not set(map(str, dims)) & {t.dim for t in self.registry.time_axes}:
            kept["dims"] = dims  # the grid's dims, as the call wrote them: time stays as rows
        return (replace(call, name="area_weighted_mean", arguments=kept),
                f"The app ran area_weighted_mean instead of {call.name}: the question asks when the area mean is "
                f"{'highest' if want == 'max' else 'lowest'}, not where one grid point is.")

    def _as_plain_mean(self, call: ParsedCall, question: str) -> tuple[ParsedCall, str]:
        """area_weighted_mean called for the plain mean of every grid point ("the precipitation averaged over all
        grid points") as the offered ``statistic(stat="mean")``, where every grid point counts the same."""
        offered = self._properties("statistic")
        if not (call.name == "area_weighted_mean" and plain_mean_asked(question)
                and "mean" in _enum(offered.get("stat", {}))):
            return call, ""
        kept = {k: v for k, v in call.arguments.items() if k in offered and k not in ("stat", "q")}
        return (replace(call, name="statistic", arguments={**kept, "stat": "mean"}),
                "The app ran statistic(stat=\"mean\") instead of area_weighted_mean: the question asks for the mean "
                "of all grid points, each counting the same.")

    def _as_area_weighted(self, call: ParsedCall, question: str) -> tuple[ParsedCall, str]:
        """statistic(stat="mean") of a gridded variable called for a mean over an area ("the domain mean JJA
        precipitation": the 1.5B took the plain mean of its 1,020 grid points, 1.92 mm/day for 1.95, and it got a
        ✓; "the mean SST between 10S and 10N") as the offered ``area_weighted_mean`` over the same selection."""
        offered = self._properties("area_weighted_mean")
        axes = self.registry.axes
        dims_of = self._dims_of(call.arguments.get("variable"))
        if not (offered and axes is not None and dims_of is not None and call.name == "statistic"
                and call.arguments.get("stat") == "mean" and area_mean_asked(question)
                and set(axes.horizontal.dims) <= set(dims_of)):
            return call, ""
        dims = call.arguments.get("dims")
        whole_grid = not isinstance(dims, list) or set(axes.horizontal.dims) <= set(map(str, dims))
        if axes.exact_weights and whole_grid:  # statistic's mean over the whole grid is weighted by area already
            return call, ""
        kept = {k: v for k, v in call.arguments.items() if k in offered}
        kept.setdefault("dims", list(dims_of))  # statistic's default: one number
        return (replace(call, name="area_weighted_mean", arguments=kept),
                'The app ran area_weighted_mean instead of statistic(stat="mean"): the question asks the mean over an '
                "area, in which each grid cell counts by its area.")

    def _as_located(self, call: ParsedCall, question: str) -> tuple[ParsedCall, str]:
        """describe_variable called for where or when an extreme is ("At what latitude is the warmest SST found?":
        the 1.5B read the maximum's value from it and wrote an invented 15°S), or a statistic of that extreme at one
        level for which level it is at, as the offered ``where_extreme``."""
        want = extreme_located(question)
        offered = self._properties("where_extreme")
        if not (want and call.arguments.get("variable") is not None and want in _enum(offered.get("kind", {}))):
            return call, ""
        if call.name == "describe_variable":
            return (replace(call, name="where_extreme", arguments={"variable": call.arguments["variable"],
                                                                    "kind": want}),
                    f"The app ran where_extreme instead of describe_variable: the question asks where or when the "
                    f"{want} is.")
        level = call.arguments.get("level")
        if call.name == "statistic" and call.arguments.get("stat") == want and level is not None \
                and level_located(question):  # mxclim: statistic(U, max, level=500) for "at which level"
            kept = {k: v for k, v in call.arguments.items() if k in offered and k not in ("level", "kind")}
            return (replace(call, name="where_extreme", arguments={**kept, "kind": want}),
                    f"The app ran where_extreme over every level instead of statistic at level={level}: the question "
                    f"asks at which level the {want} is.")
        return call, ""

    def _as_extent(self, call: ParsedCall, question: str) -> tuple[ParsedCall, str]:
        """A statistic of a variable called for how many records, rows, time steps or years the data hold, as the
        offered ``list_variables``, which states them: sfbay, "How many hourly records does the file hold?",
        counted the 8782 valid water temperatures of 8784 rows, with a ✓; "How many years does this TREFHT file
        cover?" was called as statistic(stat="max")."""
        if not (call.name in ("statistic", "describe_variable") and size_asked(question)
                and self._schema("list_variables") is not None):
            return call, ""
        return (replace(call, name="list_variables", arguments={}),
                f"The app ran list_variables instead of {call.name}: the question asks how many records, steps or "
                "years the data hold, not a statistic of one variable's values.")

    def _as_count(self, call: ParsedCall, question: str) -> tuple[ParsedCall, str]:
        """Another tool called for a count over a threshold the question writes ("How many months have more than 3
        inches ...?": the 1.5B called statistic(stat="max") twice) as the offered ``count_threshold``, when the
        threshold is in the variable's own units; and the note saying so."""
        asked = threshold_asked(question)
        offered = self._properties("count_threshold")
        variable = call.arguments.get("variable")
        if not (asked and offered and call.name in _NOT_COUNTING and isinstance(variable, str)
                and not _OF_MEANS.search(question) and self._in_own_units(variable, asked[2])):
            return call, ""
        value, direction, _ = asked
        kept = {k: v for k, v in call.arguments.items() if k in offered and k not in ("dims", "threshold", "direction")}
        return (replace(call, name="count_threshold", arguments={**kept, "threshold": value, "direction": direction}),
                f"The app ran count_threshold instead of {call.name}: the question counts values {direction} "
                f"{value:g}.")

    def _as_trend(self, call: ParsedCall, question: str) -> tuple[ParsedCall, str]:
        """A mean (area_weighted_mean, statistic's mean, climatology) called for a trend ("the trend per decade of
        the area-weighted mean TREFHT north of 60N": the 1.5B took the area mean and wrote 0.0 K per decade) as the
        offered ``linear_trend`` of the same variable and selection, which is the trend of that area mean."""
        offered = self._properties("linear_trend")
        mean = call.name in ("area_weighted_mean", "climatology") or call.name == "statistic" \
            and call.arguments.get("stat") in (None, "mean")
        trended = any(r.ok and r.name == "linear_trend" for _, r in self._results())
        if not (offered and mean and _TREND_ASKED.search(question) and call.arguments.get("variable")) \
                or trended or _MEAN_ASKED_TOO.search(question):  # "the mean and the trend": the mean is asked too
            return call, ""
        kept = {k: v for k, v in call.arguments.items() if k in offered}
        return (replace(call, name="linear_trend", arguments=kept),
                f"The app ran linear_trend instead of {call.name}: the question asks for a trend, not a mean.")

    def _as_grouped_mean(self, call: ParsedCall, question: str) -> tuple[ParsedCall, str]:
        """An extreme (where_extreme, statistic's max or min) called for the month, season or year whose mean is
        highest or lowest ("In which month is Boulder's mean temperature highest?": the 1.5B called where_extreme
        of January) as the offered ``climatology`` by that group, whose rows say which one is."""
        asked = when_mean_extreme(question)
        offered = self._properties("climatology")
        extreme = call.name == "where_extreme" or call.name == "statistic" and call.arguments.get("stat") in \
            ("max", "min")
        if not (asked and offered and extreme and asked[1] in _enum(offered.get("by", {}))
                and call.arguments.get("variable")):
            return call, ""
        want, group = asked
        kept = {k: v for k, v in call.arguments.items() if k in offered and k != "by"}
        return (replace(call, name="climatology", arguments={**kept, "by": group}),
                f"The app ran climatology(by=\"{group}\") instead of {call.name}: the question asks which {group}'s "
                f"mean is {'highest' if want == 'max' else 'lowest'}.")

    def _in_own_units(self, variable: str, written: str) -> bool:
        """Whether a unit written after a number ("3 inches", "", "K") is the variable's own units."""
        own = units_of(self.registry.dataset, variable)
        return not written or written.lower() == own.lower() or unit_kind(written) == unit_kind(own) != ""

    def _grid_dims(self, arguments: dict) -> tuple[dict, str]:
        """``dims`` naming the latitude and longitude (the coordinates, or the words) of a grid whose horizontal
        dims are others (CAM-SE's ncol, ORCA's y, x, a rotated grid's rlat, rlon: the 1.5B wrote dims=["lat",
        "lon"] on ncol, refused twice) as those dims; and what was changed."""
        axes, dims = self.registry.axes, arguments.get("dims")
        horizontal = getattr(axes, "horizontal", None)
        coords = {c for c in (getattr(horizontal, "lat", None), getattr(horizontal, "lon", None)) if c}
        names = {str(d) for d in dims} if isinstance(dims, list) and dims else set()
        if not names or horizontal is None or not horizontal.dims or names & set(horizontal.dims) \
                or not names <= coords | {"lat", "lon", "latitude", "longitude"}:
            return arguments, ""
        grid = list(horizontal.dims)
        return {**arguments, "dims": grid}, f"dims={grid} (the grid's own dims)"

    def _threshold_units(self, arguments: dict, offered: dict, question: str) -> tuple[dict, str]:
        """A threshold the question writes in other units than the variable's, copied into the call as written
        ("above 11 °C" of Boulder's temp_annual in farenheit: the 1.5B counted the years above 11 °F, 118 of 118,
        with a ✓): the variable's sibling in those units (TEMP_ANNUAL, degC), else the threshold converted to the
        variable's units; and what was changed."""
        asked, variable, threshold = threshold_asked(question), arguments.get("variable"), arguments.get("threshold")
        if not (asked and asked[2] and "threshold" in offered and isinstance(variable, str)
                and isinstance(threshold, (int, float)) and not isinstance(threshold, bool)
                and float(threshold) == asked[0] and not self._in_own_units(variable, asked[2])):
            return arguments, ""
        sibling = sibling_in_units(self.registry.dataset, variable, asked[2])
        if sibling:
            return {**arguments, "variable": sibling}, f"variable={sibling!r} (in {asked[2]}, as the threshold)"
        own = units_of(self.registry.dataset, variable)
        written, target = known_unit(asked[2]), known_unit(own)
        try:
            value = float(convert(asked[0], written, target)) if written and target else None
        except ToolError:  # another kind of unit, or below absolute zero: the tool's result says what it counted
            value = None
        if value is None:
            return arguments, ""
        return {**arguments, "threshold": round(value, 10)}, f"threshold={value:g} ({asked[0]:g} {asked[2]} in {own})"

    def _question_levels(self, arguments: dict, question: str) -> tuple[float, float] | None:
        """The two levels of a change the question writes (``levels_from_question``), "the surface" as the
        variable's top level (hycom: "the mean u at the surface minus at 500 m" was called at 500 m only)."""
        surface = self._named_surface("difference", {**arguments, "level": None}, question, needs=False)
        return levels_from_question(question, self.registry.vertical, surface)

    def _question_periods(self, question: str) -> tuple[str, str] | None:
        """The two periods the question writes (``periods_from_question``), "the first to the last day" as the
        dataset's own first and last time steps; None when it writes none, or the dataset has no one time axis."""
        periods = periods_from_question(question)
        if periods != FIRST_LAST:
            return periods
        times = dated_axes(self.registry.time_axes)
        return (fmt(times[0].values[0]), fmt(times[0].values[-1])) if len(times) == 1 else None

    def _two_sides(self, arguments: dict, offered: dict, question: str) -> tuple[dict, str]:
        """For a tool comparing two selections (period_a/period_b, level_a/level_b): the periods the question
        writes ("from January to July 2005") when the call gives neither, in place of the one-period filters it
        wrote instead; and one ``level`` as the level of both sides. What was read, for the result's note."""
        out, read = dict(arguments), []
        periods = self._question_periods(question)
        if "period_a" in offered and periods and not (out.get("period_a") or out.get("period_b")):
            for key in ("month", "season", "time_start", "time_end"):
                if key not in offered:
                    out.pop(key, None)
            out.update(period_a=periods[0], period_b=periods[1])
            read.append(f"period_a={periods[0]!r}, period_b={periods[1]!r}")
        levels = self._question_levels(out, question)
        if "level_a" in offered and levels and out.get("level_a") is None and out.get("level_b") is None:
            out.pop("level", None)
            out.update(level_a=levels[0], level_b=levels[1])
            read.append(f"level_a={levels[0]:g}, level_b={levels[1]:g}")
        if "level_a" in offered and "level" not in offered and out.get("level") is not None:
            level = out.pop("level")
            out.update(level_a=out.get("level_a", level), level_b=out.get("level_b", level))
            read.append(f"level_a={out['level_a']!r}, level_b={out['level_b']!r}")
        return out, ", ".join(read)

    def _unwrapped(self, call: ParsedCall) -> tuple[ParsedCall, str]:
        """The call with an object argument spread into the tool's own parameters, and which ones were: its keys
        are parameters ("region": {"lat_min": ...}, for "the region arguments") or complete one ("time":
        {"start": ..., "end": ...} copied from the extent is time_start, time_end; its other keys are dropped).
        One date for a tool without ``time`` ("time": "2005-07", for "July 2005") is that span's start and end."""
        params = self._properties(call.name)
        arguments, read = dict(call.arguments), []
        for key, value in call.arguments.items():
            if key in _ONE_DATE and key not in params and isinstance(value, str) and {"time_start", "time_end"} \
                    <= set(params) and not (call.arguments.get("time_start") or call.arguments.get("time_end")):
                arguments.pop(key)
                arguments.update(time_start=value, time_end=value)
                read.append(f"{key}={value!r} as time_start, time_end")
                continue
            if key in params or not isinstance(value, dict):
                continue
            names = {k: k if k in params else f"{key}_{k}" for k in value}  # each inner key as a parameter
            spread = {names[k]: v for k, v in value.items() if names[k] in params}
            if not spread or set(spread) & set(call.arguments):
                continue
            arguments.pop(key)
            arguments.update(spread)
            dropped = sorted(k for k in value if names[k] not in params)
            read.append(f"{key} as {', '.join(spread)}" + (f" (without {', '.join(dropped)})" if dropped else ""))
        return (replace(call, arguments=arguments), "; ".join(read)) if read else (call, "")

    def _schema(self, tool: str) -> dict | None:
        """The offered tool's schema, or None when it is not offered."""
        return next((t for t in self.schemas if t["function"]["name"] == tool), None)

    def _properties(self, tool: str) -> dict:
        """The parameters the offered tool takes, by name, with their schemas."""
        return (self._schema(tool) or {}).get("function", {}).get("parameters", {}).get("properties", {})

    def _named_month(self, tool: str, arguments: dict, question: str) -> int | None:
        """The one calendar month the question names, when the call selects no month (nor one month's dates) or
        another month (mxclim's `time` holds 1 and 7: asked about January, the 1.5B wrote month=7)."""
        def named(month: str) -> bool:  # "May" only capitalised: "may" is also a verb
            return bool(re.search(r"\bMay\b", question) if month == "may"
                        else re.search(rf"\b{month}\b", question, re.I))

        names = {i + 1 for i, m in enumerate(MONTH_NAMES) if named(m)}
        offered = self._properties(tool)
        start, end = str(arguments.get("time_start") or ""), str(arguments.get("time_end") or "")
        one_month = len(start) >= 7 and start[:7] == end[:7]
        given = arguments.get("month")
        other = given is not None and str(given).strip() in {str(n) for n in range(1, 13)} - {str(m) for m in names}
        if len(names) != 1 or "month" not in offered or given is not None and not other or one_month \
                or arguments.get("season"):
            return None
        return names.pop()

    def _named_surface(self, tool: str, arguments: dict, question: str, needs: bool = True) -> float | None:
        """The level at the surface, when the question says "surface" and the call selects no level: the smallest
        depth or height, the largest pressure. A 2-D "near-surface" variable has no levels to select. With
        ``needs`` only for a tool that takes a level."""
        vertical = self.registry.vertical
        if vertical is None or needs and "level" not in self._properties(tool) or arguments.get("level") is not None \
                or arguments.get("variable") is None or not re.search(r"\bsurface\b", question, re.I) \
                or vertical.kind not in ("depth", "height", "pressure"):
            return None
        if vertical.dim not in (self._dims_of(arguments["variable"]) or ()):
            return None
        values = [float(v) for v in vertical.values]
        return max(values) if vertical.kind == "pressure" else min(values, key=abs)

    def _has_levels(self, variable: Any) -> bool:
        """Whether a data variable of the dataset has the vertical axis (a name the dataset lacks: True, so that
        the tool says what is wrong)."""
        dims = self._dims_of(variable)
        vertical = self.registry.vertical
        return dims is None or vertical is not None and vertical.dim in dims

    def _dims_of(self, variable: Any) -> tuple[str, ...] | None:
        """The dimensions of a data variable of the dataset, by name; None for any other name."""
        data_vars = getattr(self.registry.dataset, "data_vars", {})
        return tuple(str(d) for d in data_vars[variable].dims) if isinstance(variable, str) and variable in data_vars \
            else None

    def _named_season(self, tool: str, arguments: dict, question: str) -> str | None:
        """The one season the question names ("JJA", "June-July-August"), when the call takes a season and
        selects none (nor a month). "Summer" is not read: it is DJF south of the equator."""
        offered = self._properties(tool).get("season", {}).get("enum", [])
        named = {s for s in offered if re.search(rf"\b{s}\b", question)}
        for words in re.findall(r"\b([A-Z][a-z]+)[-/–]([A-Z][a-z]+)[-/–]([A-Z][a-z]+)\b", question):
            months = tuple(month_number(w) for w in words)  # "June-July-August" is JJA's months, not its initials
            named |= {s for s in offered if SEASON_MONTHS.get(s) == months}
        if len(named) != 1 or arguments.get("season") or arguments.get("month") is not None:
            return None
        return named.pop()

    def _asked_unit(self, tool: str, question: str) -> str | None:
        """The tool's to_units value for a unit the question asks for ("..., in °C?"), when the model left it out."""
        offered = self._properties(tool).get("to_units", {})
        wanted = {written_unit(m.group(1)) for m in re.finditer(r"\bin(?=(\s+[^\n]{1,24}))", question)} - {""}
        return next((u for u in offered.get("enum", []) if unit_kind(str(u)) in wanted), None) if wanted else None

    def _turn_messages(self, step: Step) -> list[Message]:
        calls = [{"type": "function", "function": {"name": c.name, "arguments": c.arguments}} for c in step.calls]
        return [{"role": "assistant", "content": "", "tool_calls": calls}] + [r.message() for r in step.results]

    def _results(self) -> list[tuple[ParsedCall, Any]]:
        return [(c, r) for step in self.steps for c, r in zip(step.calls, step.results)]

    def _retry_messages(self) -> list[Message]:
        """The question again with the failed calls and why, so the model can write a better call.

        The failed calls are restated as text, not as the model's own turn: given its turn back, a small
        model copies it word for word (measured: 0 of 55 retries rescued), even when the error names the fix.
        """
        errors = "\n".join(f"- {call_name(c)} failed: {r.error}{self._taken_elsewhere(c)}"
                           for c, r in self._results() if not r.ok)
        ran = "\n".join(f"- {listed(r.name, r.arguments)} returned {r.text}" for _, r in self._results() if r.ok)
        ran = f"The app ran these tools on the real data:\n{ran}\n\n" if ran else ""
        return self._with_question(f"{ran}Earlier tool calls for this question could not run:\n{errors}\n\nWrite a "
                                   "corrected tool call (another tool may fit the question better), or answer in "
                                   "plain sentences if no tool fits.")

    def _taken_elsewhere(self, call: ParsedCall) -> str:
        """For a refused call, the offered tools that take one of its word arguments as an allowed value of
        theirs (``dims=["month"]`` on a series whose dimension is time: ``climatology(by="month")``); read from
        the schemas on offer, so it holds for any dataset's dimensions, variables and calendars."""
        _, takers = self._elsewhere(call.name, call.arguments)
        hints = list(dict.fromkeys(f'{tool}({name}="{word}")' for tool, name, word in takers))[:3]
        return f" ({', '.join(hints)} takes it)" if hints else ""

    def _elsewhere(self, tool: str, arguments: dict) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
        """The word arguments ``tool`` refuses as (parameter, word), and each (tool, parameter, word) of another
        offered tool that takes one of those words as an allowed value."""
        own = self._properties(tool)

        def refused_here(where: str, word: str) -> bool:  # no such parameter, or not one of its values
            return where not in own or bool(_enum(own[where])) and word not in _enum(own[where])

        refused = sorted({(where, v) for where, value in arguments.items() for v in argument_values(value)
                          if isinstance(v, str) and refused_here(where, v)})
        takers = []
        for schema in self.schemas:
            fn = schema["function"]
            for name, prop in fn.get("parameters", {}).get("properties", {}).items():
                takers += [(fn["name"], name, word) for where, word in refused
                           if word in _enum(prop) and (fn["name"], name) != (tool, where)]
        return refused, list(dict.fromkeys(takers))

    def _redirected(self, tool: str, arguments: dict, question: str) -> tuple[str, dict, str] | None:
        """The one other offered tool that takes every word ``tool`` refused, each in one parameter, with the
        arguments it also takes, and why: statistic(dims=["month"]) or statistic(by="year") is climatology(by=...).
        Not from or to a tool that answers one kind of question, unless the question is of that kind (_ANSWERS)."""
        refused, takers = self._elsewhere(tool, arguments)
        # linear_trend(per="year") takes "year" too; not a taker for a question that asks no trend
        takers = [t for t in takers if t[0] not in _ANSWERS or self._answers(t[0], question)]
        if not refused or len({t for t, _, _ in takers}) != 1 or len(takers) != len(refused) \
                or {w for _, _, w in takers} != {w for _, w in refused}:
            return None
        other = takers[0][0]
        if self._answers(tool, question) or other in _ANSWERS and not self._answers(other, question):
            return None
        props = self._properties(other)
        moved = {where for where, _ in refused}
        redirected = {k: v for k, v in arguments.items() if k in props and k not in moved}
        for _, name, word in takers:
            redirected[name] = [word] if props[name].get("type") == "array" else word
        why = ", ".join(f"{where}={word!r}" for where, word in refused)
        return other, redirected, f"{tool} does not take {why}, {other} does"

    def _with_question(self, note: str) -> list[Message]:
        """The original conversation, its question followed by ``note``."""
        original = [m for m in self.original if m["role"] != "user"]
        question = "\n".join(m["content"] for m in self.original if m["role"] == "user")
        return original + [{"role": "user", "content": f"{question}\n\n{note}"}]

    def _plain_result_messages(self, invite: bool) -> list[Message]:
        """The original question with every result so far as plain text: no tool syntax left to imitate.

        With ``invite`` the model may instead write one more call (the tools are listed by name and
        arguments), for a question that needs a second selection or a difference; otherwise it must answer.
        """
        lines = "\n".join(f"- {listed(r.name, r.arguments)} returned {r.text}"
                          for _, r in self._results() if r.ok)
        answer = ("Answer the question in plain sentences using these results; copy the numbers exactly as they "
                  "appear and write dates in full (YYYY-MM-DD).")
        if invite:
            more = (" Only if the question asks for a result that is not above yet (another period, level or "
                    "variable, or a difference of the results above), write instead only that one tool call, "
                    'as {"name": ..., "arguments": {...}}.')
        else:
            more = " Do not write any tool calls."
        return self._with_question(f"The app ran these tools on the real data:\n{lines}\n\n{answer}{more}")

    def _new_evidence(self, calls: list[ParsedCall]) -> bool:
        """Whether a call after results can add to them: a tool that ran before, now with other arguments (another
        selection), or a call that works with a number a result stated (a difference). Anything else (measured:
        the 0.5B adds the two numbers it has just multiplied) is not run, and the model is asked to answer."""
        done = [(c, r) for c, r in self._results() if r.ok]
        stated = [float(v) for _, r in done for v in r.facts]
        for call in calls:
            if call.error:
                continue
            if any(call.name in (c.name, r.name) and call.arguments not in (c.arguments, r.arguments)
                   for c, r in done):
                return True
            values = [float(n) for v in argument_values(call.arguments)
                      for n in (re.findall(r"-?\d+(?:\.\d+)?", v) if isinstance(v, str) else [v])]
            if any(math.isclose(n, s, rel_tol=1e-6) for n in values for s in stated):
                return True
        return False

    def _final_answer(self, text: str, index: int) -> str:
        """The model's text, unless it is still a call (the results are stated instead), or every call failed:
        then the answer says it could not compute this, and why, and never passes off an invented number."""
        results = self._results()
        if results and not any(r.ok for _, r in results):
            reasons = "\n".join(f"- `{listed(c.name, c.arguments) if c.name else 'a call'}` → {r.error}"
                                 for c, r in results)
            invented = [c for c in check_numbers(text, self._question_known()) if not c.found]
            said = (f"\n\nThe model then wrote (no tool computed this):\n\n> {text}"
                    if text and not invented and not parse_tool_calls(text, self.schemas) else "")
            return ("Could not compute this: every tool call failed, so the app has no result to answer with.\n"
                    f"{reasons}{said}")
        if index > 0 and parse_tool_calls(text, self.schemas):  # still a call, not an answer
            lines = "\n".join(f"- `{listed(r.name, r.arguments) if r.ok else listed(c.name, c.arguments)}` → "
                              f"{r.text if r.ok else r.error}" for c, r in results)
            return ("The model did not write an answer after its tool calls, so here are the results the app "
                    "computed:\n" + lines)
        return text

    def _question_known(self) -> list[Known]:
        """The numbers of the user's own messages (quoting them back is not inventing them), and the question
        itself as a subject (``question_known``)."""
        users = [message.get("content") or "" for message in self.original if message["role"] == "user"]
        return [Known("your question", float(n.replace(",", "")))
                for text in users for n in re.findall(r"(?<![\w.])\d[\d,]*(?:\.\d+)?", text)] + \
            [question_known(text) for text in users[-1:]]

    def known(self) -> list[Known]:
        """Values the answer may quote: each tool result's numbers and dates with what each is about, the
        arguments of the calls (shown in the trace) and the user's own numbers."""
        names = names_of(self.registry.dataset)
        known = []
        for step in self.steps:
            for call in step.calls:  # what the model asked for: visible in the trace, not a computed fact
                source = f"the arguments of {listed(call.name, call.arguments)}"
                known += [Known(source, v) for v in argument_values(call.arguments)]
            for result in step.results:
                if result.ok:
                    source = listed(result.name, result.arguments)
                    known += [Known(source, s.value, s.unit, s.variable, s.kind, s.selection, names.get(s.variable, ""))
                              for s in result.stated]
        return (known + self._question_known() + subjects_of(self.registry.dataset)
                + calendar_counts(self.registry.time_axes))
