"""Reading tool calls from what a small model writes.

Small models break tool-call formats, so `parse_tool_calls` reads every form seen in practice:
Qwen/Hermes `<tool_call>{json}</tool_call>` (several per turn, or an unclosed last one), fenced
```json blocks, bare JSON objects or lists of them, OpenAI-style {"function": {...}} wrappers,
arguments given as a JSON string or as arithmetic, and fenced Python-style calls with literal
arguments (or in the `name("key": value)` form the app uses to list calls). Nothing the model
writes is ever executed: a call names a registered, typed tool, and `ast` only reads literals.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from tools.calculators import calculate  # the one safe arithmetic parser
from tools.validation import ArgumentError, ToolError

_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.S)
_FENCED = re.compile(r"```(?:json|JSON|tool_call|python|py)?\s*\n?(.*?)```", re.S)
_LOOKS_LIKE_CALL = re.compile(r'"name"\s*:\s*"[^"]*"[\s\S]*"(?:arguments|parameters)"\s*:')
_NUMBER = r"[-+(]*\s*\d[\d.]*"
_EXPRESSION_VALUE = re.compile(rf"(:\s*)({_NUMBER}(?:\s*(?:\*\*|[-+*/%])\s*{_NUMBER}\s*\)*)+)(?=\s*[,}}\]])")
_JSON_ARGS_CALL = re.compile(r'([A-Za-z_]\w*)\(\s*("[\s\S]*)\)')
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}(?:-\d{1,2})?")
_CALL_START = re.compile(r"[ \t]*\[?\s*([A-Za-z_]\w*)\(")

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
    calls = ([c for obj, raw in objects for c in as_calls(obj, raw)] or _json_args_call(block)
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


def call_name(call: ParsedCall) -> str:
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

    def compute(match: re.Match) -> str:
        if _DATE_LIKE.fullmatch(match.group(2).strip()):  # 2012-12-31 unquoted is a date, not a subtraction
            return match.group(0)
        try:
            return f"{match.group(1)}{json.dumps(calculate(match.group(2)))}"
        except (ArgumentError, ToolError):
            return match.group(0)

    return _EXPRESSION_VALUE.sub(compute, block)


def as_calls(obj: Any, raw: str) -> list[ParsedCall]:
    if isinstance(obj, list):
        return [c for item in obj for c in as_calls(item, json.dumps(item))]
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


def argument_values(value: Any) -> list:
    """The numbers and strings among a call's arguments, nested lists and objects included."""
    if isinstance(value, dict):
        return [v for item in value.values() for v in argument_values(item)]
    if isinstance(value, list):
        return [v for item in value for v in argument_values(item)]
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
