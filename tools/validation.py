"""Check a model's tool-call arguments against the tool's JSON schema, before the call.

``validate(schema, arguments)`` returns the cleaned arguments or raises ``ArgumentError`` whose
message is written for the model (what was wrong, what is allowed).  Accepted, deliberately:

* ``arguments`` as a dict, a JSON object string, or None/"" (no arguments);
* an int where a number is expected (kept as int so integer arithmetic stays exact);
* a float with an integral value where an integer is expected (12.0 -> 12);
* a numeric string ("12", "-3.5", "1e3") for integer/number parameters: small models often quote
  numbers.  Only plain decimal literals (at most 60 characters) are parsed, with int()/float();
  "nan", "inf", "1_000", hex and everything else are rejected;
* "true"/"false" strings for booleans; a single value, or a JSON array string, for a list;
* an enum value that matches one allowed value case-insensitively (returned in its exact spelling);
* null for an optional parameter (its default is used), and for one the tool does not have (a small model
  writes every argument it has seen, as null, in each call).

Rejected: unknown and missing arguments, booleans where numbers are expected, NaN/infinity,
values outside minimum/maximum, strings longer than ``MAX_STRING`` characters.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_STRING = 1000
_NUMERIC = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")


class ToolError(ValueError):
    """A tool cannot answer this call (no data in the box, division by zero, ...); for the model.
    The error family of the tools layer: every error a tool raises for bad input is one."""


class ArgumentError(ToolError):
    """The arguments do not fit the schema (the message is meant for the model)."""


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def describe(prop: dict[str, Any]) -> str:
    """A short human form of one parameter schema, e.g. 'number between -90 and 90'."""
    kind = prop.get("type", "value")
    if kind == "array":
        text = f"list of {describe(prop.get('items', {}))}s" if "items" in prop else "list"
    elif "enum" in prop:
        values = prop["enum"]
        shown = ", ".join(json.dumps(v, ensure_ascii=False) for v in values[:30])
        text = f"one of {shown}" + (f" (+{len(values) - 30} more)" if len(values) > 30 else "")
    else:
        text = kind
    lo, hi = prop.get("minimum"), prop.get("maximum")
    if lo is not None and hi is not None:
        text += f" between {lo} and {hi}"
    elif lo is not None:
        text += f" >= {lo}"
    elif hi is not None:
        text += f" <= {hi}"
    return text


def _number(value: Any, integer: bool) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 60 or not _NUMERIC.fullmatch(text):
            return None
        value = int(text) if _INTEGER.fullmatch(text) else float(text)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if integer:
            return int(value) if value.is_integer() else None
        return value
    return None


def check_value(value: Any, prop: dict[str, Any], where: str) -> Any:
    """Check (and lightly coerce) one value against one property schema."""
    kind = prop.get("type")
    expected = describe(prop)
    if value is None:
        if prop.get("nullable"):
            return None
        raise ArgumentError(f"{where} must be a {expected}, not null")
    if kind in ("integer", "number"):
        number = _number(value, integer=kind == "integer")
        if number is None:
            what = "a whole number" if kind == "integer" else "a finite number"
            detail = f" ({expected})" if expected != kind else ""
            raise ArgumentError(f"{where} must be {what}{detail}, got {_kind(value)} {_short(value)}")
        lo, hi = prop.get("minimum"), prop.get("maximum")
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise ArgumentError(f"{where} = {_short(number)} is out of range: it must be a {expected}")
        value = number
    elif kind == "boolean":
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            value = value.strip().lower() == "true"
        if not isinstance(value, bool):
            raise ArgumentError(f"{where} must be true or false, got {_kind(value)} {_short(value)}")
    elif kind == "string":
        if not isinstance(value, str):
            raise ArgumentError(f"{where} must be a string ({expected}), got {_kind(value)} {_short(value)}")
        limit = min(prop.get("maxLength", MAX_STRING), MAX_STRING)
        if len(value) > limit:
            raise ArgumentError(f"{where} is too long ({len(value)} characters; at most {limit})")
        if len(value) < prop.get("minLength", 0):
            raise ArgumentError(f"{where} is too short (at least {prop['minLength']} characters)")
    elif kind == "array":
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                raise ArgumentError(f"{where} must be a {expected}; {_short(value)} is not valid JSON") from None
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, list):
            value = [value]
        n_min, n_max = prop.get("minItems"), prop.get("maxItems")
        if (n_min is not None and len(value) < n_min) or (n_max is not None and len(value) > n_max):
            bounds = f"{n_min if n_min is not None else 0} to {n_max if n_max is not None else 'any number of'}"
            raise ArgumentError(f"{where} has {len(value)} items; it needs {bounds} items")
        items = prop.get("items", {})
        return [check_value(v, items, f"{where}[{i}]") for i, v in enumerate(value)] if items else value
    if "enum" in prop:
        if any(v == value and isinstance(v, bool) == isinstance(value, bool) for v in prop["enum"]):
            return value
        if isinstance(value, str):
            folded = [v for v in prop["enum"] if isinstance(v, str) and v.casefold() == value.casefold()]
            if len(folded) == 1:
                return folded[0]
        raise ArgumentError(f"{where} = {_short(value)} is not allowed: it must be {expected}")
    return value


def parse_arguments(arguments: Any) -> dict[str, Any]:
    """Arguments as a dict: accepts a dict, a JSON object string, or None/empty."""
    if arguments is None:
        return {}
    if isinstance(arguments, (str, bytes)):
        text = arguments.decode("utf-8", "replace") if isinstance(arguments, bytes) else arguments
        if not text.strip():
            return {}
        try:
            arguments = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ArgumentError(
                f"the arguments are not valid JSON ({exc}); send one JSON object of name: value pairs"
            ) from None
    if not isinstance(arguments, dict):
        raise ArgumentError(f"the arguments must be a JSON object of name: value pairs, got {_kind(arguments)}")
    return arguments


def signature_text(schema: dict[str, Any]) -> str:
    """'name(a: number, b: number, q: number = null)', for error messages."""
    fn = schema["function"]
    props = fn["parameters"]["properties"]
    required = set(fn["parameters"].get("required", []))
    parts = []
    for key, prop in props.items():
        part = f"{key}: {prop.get('type', 'value')}"
        if key not in required:
            part += f" = {json.dumps(prop.get('default'), ensure_ascii=False)}"
        parts.append(part)
    return f"{fn['name']}({', '.join(parts)})"


def validate(schema: dict[str, Any], arguments: Any) -> dict[str, Any]:
    """Cleaned arguments for a call described by ``schema``, or ArgumentError."""
    usage = f" Usage: {signature_text(schema)}."
    try:
        args = parse_arguments(arguments)
    except ArgumentError as exc:
        raise ArgumentError(f"{exc}.{usage}") from None
    params = schema["function"]["parameters"]
    props: dict[str, Any] = params["properties"]
    required = params.get("required", [])
    extra = [k for k in args if k not in props and args[k] is not None]  # a null for no such argument says nothing
    if extra:
        names = ", ".join(repr(k) for k in extra[:10])
        allowed = ", ".join(props) or "no arguments"
        raise ArgumentError(f"unexpected argument(s) {names}; allowed: {allowed}.{usage}")
    missing = [k for k in required if k not in args]
    if missing:
        raise ArgumentError(f"missing required argument(s): {', '.join(missing)}.{usage}")
    clean: dict[str, Any] = {}
    for key, value in args.items():
        if value is None and key not in required:
            continue  # null for an optional (or no such) argument: the function's default applies
        try:
            clean[key] = check_value(value, props[key], f"argument '{key}'")
        except ArgumentError as exc:
            raise ArgumentError(f"{exc}.{usage}") from None
    return clean
