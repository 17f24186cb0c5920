"""The tool-call loop: the model asks for a tool, the app runs it on the real data, the model answers.

Small models break tool-call formats, so `parse_tool_calls` reads every form seen in practice:
Qwen/Hermes `<tool_call>{json}</tool_call>` (several per turn, or an unclosed last one), fenced
```json blocks, bare JSON objects or lists of them, OpenAI-style {"function": {...}} wrappers,
arguments given as a JSON string or as arithmetic, and fenced Python-style calls with literal
arguments (or in the `name("key": value)` form the app uses to list calls). Nothing the model
writes is ever executed: a call names a registered, typed tool and its arguments are validated
before it runs.

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
the question again, with the failed calls and their errors as text and the tools still on offer.
The loop is bounded by a step limit and a timeout, and always ends with an answer: if the model
still only writes a call, the app states the tool results itself and says so.
"""
from __future__ import annotations

import ast
import json
import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .numbers import MONTH_NAMES, Known, check_numbers, names_of, subjects_of, unit_kind, written_unit
from .types import Message, Sampling, Stats

ANSWER_MODES = ("plain_result", "no_tools", "repeat_guard")
_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.S)
_FENCED = re.compile(r"```(?:json|JSON|tool_call|python|py)?\s*\n?(.*?)```", re.S)
_LOOKS_LIKE_CALL = re.compile(r'"name"\s*:\s*"[^"]*"[\s\S]*"(?:arguments|parameters)"\s*:')
_NUMBER = r"[-+(]*\s*\d[\d.]*"
_EXPRESSION_VALUE = re.compile(rf"(:\s*)({_NUMBER}(?:\s*(?:\*\*|[-+*/%])\s*{_NUMBER}\s*\)*)+)(?=\s*[,}}\]])")
_JSON_ARGS_CALL = re.compile(r'([A-Za-z_]\w*)\(\s*("[\s\S]*)\)')
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}(?:-\d{1,2})?")
_CALL_START = re.compile(r"[ \t]*\[?\s*([A-Za-z_]\w*)\(")
# Calendar filters a small model fills in unasked (month=1, season="DJF": the first allowed values), which would
# silently narrow the answer; each is kept only when the question names a month or a season.
_NAMED_IN_QUESTION = {
    "month": re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|month", re.I),
    "season": re.compile(r"\b(?:djf|mam|jja|son|winter|spring|summer|autumn|fall)\b|season", re.I),
}
_COMPASS = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d+)?)\s*°?\s*([NSEW])\b")


def _box_from_question(arguments: dict, question: str, offered: frozenset = frozenset()) -> tuple[dict, str]:
    """Latitude/longitude bounds as the question writes them ("30S and 30N", "10W to 40E"), where the call
    has them otherwise (a sign lost, both edges the same) or leaves out a box the tool takes (``offered``):
    the arguments to use, and what was changed."""
    points = [(float(v) * (-1 if h in "SW" else 1), h in "NS") for v, h in _COMPASS.findall(question)]
    lats, lons = [v for v, is_lat in points if is_lat], [v for v, is_lat in points if not is_lat]
    wanted = {}
    if len(lats) == 2:
        wanted.update(lat_min=min(lats), lat_max=max(lats))
    if len(lons) == 2:
        west, east = lons if (lons[1] - lons[0]) % 360 <= 180 else lons[::-1]  # the shorter way round, eastward
        wanted.update(lon_min=west, lon_max=east)
    for key in ("lat_min", "lat_max") if len(lats) == 1 else ():
        if isinstance(arguments.get(key), (int, float)) and arguments[key] == -lats[0]:
            wanted[key] = lats[0]  # "north of 60S" written as 60
    for key in ("lon_min", "lon_max") if len(lons) == 1 else ():
        if isinstance(arguments.get(key), (int, float)) and arguments[key] == -lons[0]:
            wanted[key] = lons[0]
    changed = {k: v for k, v in wanted.items()
               if (k in offered or any(arguments.get(b) is not None for b in (k[:3] + "_min", k[:3] + "_max")))
               and arguments.get(k) != v}
    if not changed:
        return arguments, ""
    return {**arguments, **changed}, ", ".join(f"{k}={v:g}" for k, v in changed.items())


BAD_CALL = ("the tool call could not be read: write it as name(key=value, ...) with plain numbers, strings or "
            'lists as values, or as JSON {"name": ..., "arguments": {...}}')
BAD_JSON = ('the tool call is not valid JSON of the form {"name": ..., "arguments": {...}}; argument values '
            'must be plain numbers, strings or lists (work out an expression such as 24 * 60 first)')


@dataclass
class ParsedCall:
    name: str
    arguments: dict[str, Any]
    raw: str
    error: str = ""  # set when the text looked like a call but could not be read


def parse_tool_calls(text: str, tools: list[dict] | None = None) -> list[ParsedCall]:
    """Every tool call in a model's text, in order; [] when it is a plain answer.

    ``tools`` are the offered schemas: their parameter order names positional arguments, and outside
    tags and fences only a line that is wholly a call of an offered tool counts (prose such as "the mean
    (in K) was 5" is never a call). Without ``tools`` any name counts and positional arguments are refused.
    """
    params = {t["function"]["name"]: list(t["function"].get("parameters", {}).get("properties", {}))
              for t in tools or ()} if tools is not None else None
    for pattern in (_TAGGED, _FENCED):
        blocks = [m.group(1) for m in pattern.finditer(text) if m.group(1).strip()]
        if blocks:
            calls = [c for block in blocks
                     for c in _calls_in(block, params, fenced=True,
                                        strict=pattern is _TAGGED or bool(_LOOKS_LIKE_CALL.search(block)))]
            if calls:
                return calls
    return _calls_in(text, params, fenced=False, strict=bool(_LOOKS_LIKE_CALL.search(text)))


def _calls_in(block: str, params: dict[str, list[str]] | None, fenced: bool, strict: bool) -> list[ParsedCall]:
    objects, decoder, i = [], json.JSONDecoder(), 0
    while i < len(block):
        if block[i] in "{[":
            try:
                obj, end = decoder.raw_decode(block, i)
            except json.JSONDecodeError:
                i += 1
                continue
            objects.append((obj, block[i:end]))
            i = end
        else:
            i += 1
    calls = ([c for obj, raw in objects for c in _as_calls(obj, raw)] or _json_args_call(block)
             or _python_calls(block, params, fenced))
    if strict and not calls:  # inside <tool_call> tags, or call-shaped, but unreadable
        computed = _computed_values(block)
        if computed != block:  # {"b": 24 * 60 * 60}: worked out by the safe calculator, then read again
            return [ParsedCall(c.name, c.arguments, block, c.error)
                    for c in _calls_in(computed, params, fenced, strict=True)]
        return [ParsedCall("", {}, block, BAD_JSON)]  # tell the model
    return calls


def _python_calls(block: str, params: dict[str, list[str]] | None, fenced: bool) -> list[ParsedCall]:
    """Python-style calls with literal arguments: `count(variable="x", n=2)`, `roi(1000, 0.03)`, `[a(x=1), b(y=2)]`.

    Coder models write calls this way. The text is only parsed (`ast`), never run, and each argument must be
    a literal (`ast.literal_eval`: numbers, strings, lists, True/False/None). A block that is nothing but
    calls is read whole, whatever the names (an unknown one is refused by the registry, with the choices);
    a fenced block of other code is not a call. Otherwise each line that is wholly a call (or a list of
    calls) is read, and outside a fence only when it names an offered tool.
    """
    source = block.strip()
    try:
        tree = ast.parse(source, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    if tree is not None:
        nodes = [n for stmt in tree.body for n in _call_nodes(stmt.value if isinstance(stmt, ast.Expr) else None)]
        if nodes and None not in nodes:
            return [_read_call(n, ast.get_source_segment(source, n) or source, params) for n in nodes]
        if fenced:
            return []  # code, not a call
    return _line_calls(block, None if fenced else params, params)


def _call_nodes(value: ast.AST | None) -> list[ast.Call | None]:
    """The calls an expression consists of (a call, or a list of calls); [None] when it is anything else."""
    items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
    ok = items and all(isinstance(i, ast.Call) and isinstance(i.func, ast.Name) for i in items)
    return items if ok else [None]


def _line_calls(text: str, names: dict | None, params: dict[str, list[str]] | None) -> list[ParsedCall]:
    """Each line that is wholly a call or a list of calls (a call may run over several lines).

    A line that starts like a call of one of ``names`` (any name when None) but does not close or cannot
    be read becomes a call with an error, so the model is asked again instead of the text being the answer.
    """
    calls, at = [], 0
    for line in text.splitlines(keepends=True):
        start, at = at, at + len(line)
        match = _CALL_START.match(line)
        if not match or (names is not None and match.group(1) not in names) or start < (calls[-1][1] if calls else 0):
            continue
        begin = start + len(line) - len(line.lstrip())
        end = _closing(text, begin)
        if end is None:  # never closed: a call cut off or garbled
            calls.append(([ParsedCall(match.group(1), {}, text[begin:].strip(), BAD_CALL)], len(text)))
            break
        rest = text[end:].split("\n", 1)[0]
        if rest.strip(" \t.;,:"):  # "multiply(a=2, b=3) = 6": prose that mentions a call
            continue
        chunk = text[begin:end]
        try:
            nodes = _call_nodes(ast.parse(chunk, mode="eval").body)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            nodes = []
        read = ([_read_call(n, ast.get_source_segment(chunk, n) or chunk, params) for n in nodes]
                if nodes and None not in nodes else [ParsedCall(match.group(1), {}, chunk, BAD_CALL)])
        calls.append((read, end))
    return [c for read, _ in calls for c in read]


def _closing(text: str, begin: int) -> int | None:
    """The index just after the bracket that closes the one opened first from ``begin`` (strings skipped)."""
    depth, quote, i = 0, "", begin
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _read_call(node: ast.Call, raw: str, params: dict[str, list[str]] | None) -> ParsedCall:
    """One parsed call node as a ParsedCall: literal arguments only, positional ones named by the schema."""
    name = node.func.id
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return ParsedCall(name, {}, raw, "write each argument as name=value")
    try:
        positional = [ast.literal_eval(a) for a in node.args]
        arguments = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return ParsedCall(name, {}, raw, "argument values must be plain numbers, strings or lists")
    if not positional:
        return ParsedCall(name, arguments, raw)
    names = (params or {}).get(name)
    if names is None:
        available = f"; available tools: {', '.join(params)}" if params else ""
        return ParsedCall(name, {}, raw, f"there is no tool named {name!r} to give positional arguments to"
                                         f"{available}. Write the call with a tool's name and name=value arguments")
    if len(positional) > len(names):
        return ParsedCall(name, {}, raw, f"{name} takes at most {len(names)} argument(s) ({', '.join(names)}) "
                                         f"but {len(positional)} were given")
    twice = sorted(set(names[:len(positional)]) & arguments.keys())
    if twice:
        return ParsedCall(name, {}, raw, f"{name}: {', '.join(twice)} given both by position and by name")
    return ParsedCall(name, {**dict(zip(names, positional)), **arguments}, raw)


def _named(call: ParsedCall) -> str:
    """A call as the retry turn restates it: never the model's own broken text, which it would copy."""
    return listed(call.name, call.arguments) if not call.error else f"a call of {call.name}" if call.name else "a call"


def listed(name: str, arguments: dict) -> str:
    """How the app writes a call for people and models: `name("key": value, ...)`."""
    return f"{name}({json.dumps(arguments)[1:-1]})"


def _json_args_call(block: str) -> list[ParsedCall]:
    """The form `listed` writes, which models then imitate in their own calls."""
    match = _JSON_ARGS_CALL.fullmatch(block.strip())
    if not match:
        return []
    try:
        arguments = json.loads("{" + match.group(2) + "}")
    except json.JSONDecodeError:
        return []
    return [ParsedCall(match.group(1), arguments, block)]


def _computed_values(block: str) -> str:
    """``block`` with each arithmetic argument value (``: 24 * 60``) replaced by its exact result.

    Models write argument values as expressions, which JSON does not allow. The expression goes to the
    `calculate` tool's parser (numbers and operators only, never eval); anything else is left as it is.
    """
    from tools.calculators import calculate  # the one safe arithmetic parser
    from tools.validation import ArgumentError, ToolError

    def compute(match: re.Match) -> str:
        if _DATE_LIKE.fullmatch(match.group(2).strip()):  # 2012-12-31 unquoted is a date, not a subtraction
            return match.group(0)
        try:
            return f"{match.group(1)}{json.dumps(calculate(match.group(2)))}"
        except (ArgumentError, ToolError):
            return match.group(0)

    return _EXPRESSION_VALUE.sub(compute, block)


def _as_calls(obj: Any, raw: str) -> list[ParsedCall]:
    if isinstance(obj, list):
        return [c for item in obj for c in _as_calls(item, json.dumps(item))]
    if not isinstance(obj, dict):
        return []
    if isinstance(obj.get("function"), dict):  # OpenAI style {"type": "function", "function": {...}}
        obj = obj["function"]
    name = obj.get("name", obj.get("function"))  # Qwen 1.5B also writes {"function": "<name>", ...}
    if not isinstance(name, str) or not ({"arguments", "parameters"} & obj.keys()):
        return []
    args = obj.get("arguments", obj.get("parameters"))
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except json.JSONDecodeError:
            return [ParsedCall(name, {}, raw, "arguments is a string that is not valid JSON")]
    if args is None:
        args = {}
    if not isinstance(args, dict):
        return [ParsedCall(name, {}, raw, "arguments must be a JSON object")]
    return [ParsedCall(name, args, raw)]


def _argument_values(value: Any) -> list:
    """The numbers and strings among a call's arguments, nested lists and objects included."""
    if isinstance(value, dict):
        return [v for item in value.values() for v in _argument_values(item)]
    if isinstance(value, list):
        return [v for item in value for v in _argument_values(item)]
    return [value] if isinstance(value, (int, float, str)) and not isinstance(value, bool) else []


def call_schema(tool_schemas: list[dict]) -> dict:
    """A JSON schema that only admits a call of one of the tools: for grammar-constrained decoding."""
    options = []
    for tool in tool_schemas:
        fn = tool["function"]
        options.append({"type": "object", "properties": {"name": {"const": fn["name"]},
                                                          "arguments": fn.get("parameters", {"type": "object"})},
                        "required": ["name", "arguments"]})
    return {"oneOf": options}


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


class ToolLoop:
    """One question, answered with tools. Iterate `run()`; afterwards `steps`, `answer`, `stopped`."""

    def __init__(self, model, registry, messages: list[Message], sampling: Sampling = Sampling(max_new_tokens=256),
                 enabled: set[str] | None = None, max_steps: int = 4, timeout_s: float = 300.0,
                 answer_mode: str = "plain_result", constrained: bool = False) -> None:
        if answer_mode not in ANSWER_MODES:
            raise ValueError(f"answer_mode must be one of {', '.join(ANSWER_MODES)}")
        if not 1 <= max_steps <= 10:
            raise ValueError("max_steps must be from 1 to 10")
        self.model, self.registry, self.sampling = model, registry, sampling
        context = registry.system_message()
        if context and not any(m["role"] == "system" for m in messages):
            messages = [context, *messages]  # the dataset's extent, so the model does not invent one
        self.messages = list(messages)
        self.original = list(messages)
        self.schemas = registry.schemas(enabled)
        self.max_steps, self.timeout_s = max_steps, timeout_s
        self.answer_mode, self.constrained = answer_mode, constrained
        self.steps: list[Step] = []
        self.answer = ""
        self.stopped = ""  # "answer", "step_limit" or "timeout"

    def run(self) -> Iterator[tuple[str, Any]]:
        start = time.perf_counter()
        offer_tools = bool(self.schemas)
        invited = False  # a plain-result turn that allows one more call, should the results not be enough
        seen: set[str] = set()
        for index in range(self.max_steps + 1):
            last_chance = index == self.max_steps or time.perf_counter() - start > self.timeout_s
            tools = self.schemas if offer_tools and not last_chance else None
            step = Step(index, "", tools_offered=tools is not None)
            options = {}
            if tools and self.constrained and index == 0 and "grammar" in self.model.backend.capabilities:
                options["json_schema"] = call_schema(tools)
                step.constrained = True
            began = time.perf_counter()
            for piece in self.model.stream_chat(self.messages, self.sampling, tools=tools, **options):
                step.model_text += piece
                yield "text", piece
            step.stats = self.model.backend.stats
            may_call = tools is not None or (invited and not last_chance)
            step.calls = self._parse(step.model_text, self.schemas) if may_call else []
            if not step.calls:
                step.duration_s = time.perf_counter() - began
                self.steps.append(step)
                yield "step", step
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
            keys = {f"{c.name}:{json.dumps(c.arguments, sort_keys=True)}" for c in step.calls}
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

    def _parse(self, text: str, tools: list[dict]) -> list[ParsedCall]:
        """The backend's own parser where it has one (mlx-lm tokenizers), else the generic one (which reads
        bare Python-style calls of the offered ``tools`` only)."""
        native = getattr(self.model.backend, "native_tool_calls", None)
        found = native(text, tools) if native else None
        if found:
            calls = [c for item in found for c in _as_calls(item, json.dumps(item, default=str))]
            if calls:
                return calls
        return parse_tool_calls(text, tools)

    def _run(self, call: ParsedCall):
        if call.error:
            from tools import ToolResult  # the same result type the registry returns

            return ToolResult(name=call.name, arguments={}, ok=False, value=None, text=f"Error: {call.error}",
                              error=call.error)
        question = " ".join(m["content"] for m in self.original if m["role"] == "user")
        unasked = [k for k, named in _NAMED_IN_QUESTION.items()
                   if call.arguments.get(k) is not None and not named.search(question)]
        arguments = {k: v for k, v in call.arguments.items() if k not in unasked}
        if arguments.get("month") is not None and arguments.get("season") and _NAMED_IN_QUESTION["season"].search(question):
            unasked.append("month")  # "June-July-August (JJA)": the season, not its first month
            arguments.pop("month")
        arguments, boxed = _box_from_question(arguments, question, frozenset(self._properties(call.name)))
        month = self._named_month(call.name, arguments, question)
        if month:  # "mean January temperature over the whole record": every January, not the whole record
            arguments["month"] = month
            boxed = ", ".join(filter(None, [boxed, f"month={month}"]))
        asked_unit = None if arguments.get("to_units") else self._asked_unit(call.name, question)
        result = self.registry.call(call.name, {**arguments, "to_units": asked_unit}) if asked_unit else None
        if result is None or not result.ok:  # no unit asked, or the values cannot be converted to it
            result = self.registry.call(call.name, arguments)
        elif asked_unit:
            result.text += f"\n(The app converted the result to {asked_unit}: the question asks for it.)"
        if unasked:
            result.text += "\n(The app left out " + ", ".join(f"{k}={call.arguments[k]!r}" for k in unasked) + \
                ": the question does not ask for " + " or ".join(unasked) + ".)"
        if boxed:
            result.text += f"\n(The app took from the question what the call had otherwise: {boxed}.)"
        return result

    def _properties(self, tool: str) -> dict:
        """The parameters the offered tool takes, by name, with their schemas."""
        schema = next((t for t in self.schemas if t["function"]["name"] == tool), None)
        return (schema or {}).get("function", {}).get("parameters", {}).get("properties", {})

    def _named_month(self, tool: str, arguments: dict, question: str) -> int | None:
        """The one calendar month the question names, when the call selects no month (nor one month's dates)."""
        def named(month: str) -> bool:  # "May" only capitalised: "may" is also a verb
            return bool(re.search(r"\bMay\b", question) if month == "may" else re.search(rf"\b{month}\b", question, re.I))

        names = {i + 1 for i, m in enumerate(MONTH_NAMES) if named(m)}
        offered = self._properties(tool)
        start, end = str(arguments.get("time_start") or ""), str(arguments.get("time_end") or "")
        one_month = len(start) >= 7 and start[:7] == end[:7]
        if len(names) != 1 or "month" not in offered or arguments.get("month") is not None or one_month \
                or arguments.get("season"):
            return None
        return names.pop()

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
        errors = "\n".join(f"- {_named(c)} failed: {r.error}" for c, r in self._results() if not r.ok)
        ran = "\n".join(f"- {listed(c.name, c.arguments)} returned {r.text}" for c, r in self._results() if r.ok)
        ran = f"The app ran these tools on the real data:\n{ran}\n\n" if ran else ""
        return self._with_question(f"{ran}Earlier tool calls for this question could not run:\n{errors}\n\nWrite a "
                                   "corrected tool call (another tool may fit the question better), or answer in "
                                   "plain sentences if no tool fits.")

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
        lines = "\n".join(f"- {listed(c.name, c.arguments)} returned {r.text}"
                          for c, r in self._results() if r.ok)
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
            if any(c.name == call.name and c.arguments != call.arguments for c, _ in done):
                return True
            values = [float(n) for v in _argument_values(call.arguments)
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
            return f"Could not compute this: every tool call failed, so the app has no result to answer with.\n{reasons}{said}"
        if index > 0 and parse_tool_calls(text, self.schemas):  # still a call, not an answer
            lines = "\n".join(f"- `{listed(c.name, c.arguments)}` → {r.text if r.ok else r.error}" for c, r in results)
            return ("The model did not write an answer after its tool calls, so here are the results the app "
                    "computed:\n" + lines)
        return text

    def _question_known(self) -> list[Known]:
        """The numbers of the user's own messages: quoting them back is not inventing them."""
        return [Known("your question", float(n.replace(",", "")))
                for message in self.original if message["role"] == "user"
                for n in re.findall(r"(?<![\w.])\d[\d,]*(?:\.\d+)?", message.get("content") or "")]

    def known(self) -> list[Known]:
        """Values the answer may quote: each tool result's numbers and dates with what each is about, the
        arguments of the calls (shown in the trace) and the user's own numbers."""
        names = names_of(self.registry.dataset)
        known = []
        for step in self.steps:
            for call in step.calls:  # what the model asked for: visible in the trace, not a computed fact
                source = f"the arguments of {listed(call.name, call.arguments)}"
                known += [Known(source, v) for v in _argument_values(call.arguments)]
            for result in step.results:
                if result.ok:
                    source = listed(result.name, result.arguments)
                    known += [Known(source, s.value, s.unit, s.variable, s.kind, s.selection, names.get(s.variable, ""))
                              for s in result.stated]
        return known + self._question_known() + subjects_of(self.registry.dataset)
