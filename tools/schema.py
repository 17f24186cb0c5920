"""JSON schemas (OpenAI function format) derived from typed Python functions.

A tool is a plain function with type hints and a Google-style docstring, the form
``transformers``' ``apply_chat_template(tools=[fn])`` accepts.  ``function_schema(fn, context)``
turns it into ``{"type": "function", "function": {"name", "description", "parameters"}}``:

* ``int``/``float``/``str``/``bool`` -> integer/number/string/boolean, ``list[X]`` -> array,
  ``Literal[...]`` -> enum, ``X | None`` -> ``"nullable": true`` (as transformers writes it);
* a parameter without a default is required; other defaults (not None) are listed as ``default``;
* ``Annotated`` metadata adds constraints: ``Range(lo, hi)`` -> minimum/maximum, ``Length(lo, hi)``
  -> minItems/maxItems (lists) or minLength/maxLength (strings), ``VARIABLE``/``DIM`` -> an enum
  resolved from the session's dataset (``context``), ``Requires("latlon")`` -> the parameter exists
  only when the dataset has that feature;
* a first parameter annotated ``DatasetArg`` is the session's dataset, bound by the registry and
  hidden from the model (a tool without one needs no dataset, whatever its parameters are named);
* the description and each ``Args:`` entry come from the docstring only, never from the data.
"""

from __future__ import annotations

import inspect
import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

_SIMPLE = {int: "integer", float: "number", str: "string", bool: "boolean"}


@dataclass(frozen=True)
class Range:
    """Inclusive numeric bounds for an int/float parameter (None: unbounded)."""

    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Length:
    """Bounds on the number of items of a list (or characters of a string)."""

    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class DynamicEnum:
    """A string whose allowed values come from the session's dataset (``context[key]``)."""

    key: str


class _DatasetMarker:
    def __repr__(self) -> str:
        return "DATASET"


DATASET = _DatasetMarker()
DatasetArg = Annotated[Any, DATASET]  # a tool's first parameter annotated so is the session's dataset
VARIABLE = DynamicEnum("variables")  # numeric variables / columns of the dataset
DIM = DynamicEnum("dims")  # dimensions of a gridded dataset
UNITS = DynamicEnum("units")  # units the dataset's variables can be converted to


class Requires:
    """Features the dataset must have for a parameter (in Annotated) or a tool (via ``requires``)."""

    def __init__(self, *features: str):
        self.features = tuple(features)

    def __repr__(self) -> str:
        return f"Requires{self.features!r}"


def requires(*features: str) -> Callable[[Callable], Callable]:
    """Decorator: the tool is offered only when the dataset has all ``features``."""

    def mark(fn: Callable) -> Callable:
        fn.__tool_requires__ = Requires(*features)
        return fn

    return mark


@dataclass
class Context:
    """What dataset-dependent schema parts resolve against (None: no dataset)."""

    features: set[str] = field(default_factory=set)
    enums: dict[str, list[str]] = field(default_factory=dict)


class SchemaError(TypeError):
    """A tool function cannot be described (a programming error, raised when registering)."""


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into (description, {argument: description})."""
    doc = inspect.cleandoc(doc or "")
    head, _, rest = doc.partition("\nArgs:")
    if doc.startswith("Args:"):
        head, rest = "", doc[len("Args:"):]
    head = re.split(r"\n\s*(?:Returns|Raises|Yields|Examples?|Notes?):", head)[0]
    description = " ".join(head.split())
    args: dict[str, str] = {}
    block = re.split(r"\n(?:Returns|Raises|Yields|Examples?|Notes?):", rest)[0]
    current = None
    indent = None
    for line in block.splitlines():
        if not line.strip():
            continue
        width = len(line) - len(line.lstrip())
        match = re.match(r"\s*(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)", line)
        if match and (indent is None or width <= indent):
            indent = width
            current = match.group(1)
            args[current] = match.group(2).strip()
        elif current is not None:
            args[current] = f"{args[current]} {line.strip()}".strip()
    return description, args


def _split_annotated(hint: Any) -> tuple[Any, list[Any]]:
    meta: list[Any] = []
    while get_origin(hint) is Annotated:
        hint, *more = get_args(hint)
        meta.extend(more)
    return hint, meta


def _enum_type(values: list[Any]) -> str:
    kinds = {_SIMPLE.get(type(v)) for v in values}
    if None in kinds or len(kinds) != 1:
        raise SchemaError(f"enum values must share one JSON scalar type: {values!r}")
    return kinds.pop()


def type_schema(hint: Any, context: Context | None = None) -> dict[str, Any]:
    """The JSON schema of one type hint (constraints from Annotated metadata included)."""
    hint, meta = _split_annotated(hint)
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1 or len(args) != 2:
            raise SchemaError(f"only Optional[X] unions are supported, not {hint!r}")
        schema = type_schema(rest[0], context)
        schema["nullable"] = True
    elif origin is Literal:
        schema = {"type": _enum_type(list(args)), "enum": list(args)}
    elif origin is list or hint is list:
        schema = {"type": "array"}
        if args:
            schema["items"] = type_schema(args[0], context)
    elif hint in _SIMPLE:
        schema = {"type": _SIMPLE[hint]}
    else:
        raise SchemaError(f"unsupported type hint {hint!r} (use int, float, str, bool, list, Literal, Optional)")
    for item in meta:
        if isinstance(item, Range):
            if schema["type"] not in ("integer", "number"):
                raise SchemaError("Range applies to int/float parameters")
            if item.min is not None:
                schema["minimum"] = item.min
            if item.max is not None:
                schema["maximum"] = item.max
        elif isinstance(item, Length):
            lo, hi = ("minItems", "maxItems") if schema["type"] == "array" else ("minLength", "maxLength")
            if item.min is not None:
                schema[lo] = item.min
            if item.max is not None:
                schema[hi] = item.max
        elif isinstance(item, DynamicEnum):
            if schema["type"] != "string":
                raise SchemaError("a dynamic enum applies to str parameters")
            if context is not None:
                schema["enum"] = list(context.enums.get(item.key, []))
    return schema


def _param_requires(hint: Any) -> tuple[str, ...]:
    _, meta = _split_annotated(hint)
    return tuple(f for m in meta if isinstance(m, Requires) for f in m.features)


def dataset_parameter(fn: Callable) -> str | None:
    """The name of ``fn``'s parameter annotated ``DatasetArg`` (the registry binds the dataset to it),
    or None: a parameter merely *named* dataset is an ordinary argument the model fills in."""
    try:
        hints = get_type_hints(fn, include_extras=True)
    except Exception:  # unresolvable hints: function_schema reports them
        return None
    marked = [n for n, h in hints.items() if any(m is DATASET for m in _split_annotated(h)[1])]
    if not marked:
        return None
    params = list(inspect.signature(fn).parameters)
    if len(marked) > 1 or not params or params[0] != marked[0]:
        raise SchemaError(f"{getattr(fn, '__name__', fn)}: the DatasetArg parameter must be the first and only one")
    return marked[0]


def tool_parameters(fn: Callable) -> list[inspect.Parameter]:
    """The parameters the model fills in (a leading ``DatasetArg`` parameter is bound by the registry)."""
    params = list(inspect.signature(fn).parameters.values())
    if dataset_parameter(fn) is not None:
        params = params[1:]
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise SchemaError(f"{fn.__name__}: *args/**kwargs cannot be described to a model")
    return params


def missing_features(fn: Callable, context: Context | None) -> list[str]:
    """Features ``fn`` needs that the context lacks (a dataset tool without a dataset lacks 'dataset')."""
    have = context.features if context is not None else set()
    need = list(getattr(fn, "__tool_requires__", Requires()).features)
    if dataset_parameter(fn) is not None:
        need.insert(0, "dataset")
    return [f for f in need if f not in have]


def function_schema(fn: Callable, context: Context | None = None) -> dict[str, Any]:
    """The OpenAI-format schema of ``fn``; dataset-dependent parts resolved against ``context``."""
    name = fn.__name__
    description, arg_docs = parse_docstring(fn.__doc__)
    if not description:
        raise SchemaError(f"{name}: the docstring needs a description")
    hints = get_type_hints(fn, include_extras=True)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for p in tool_parameters(fn):
        if p.name not in hints:
            raise SchemaError(f"{name}: argument '{p.name}' has no type hint")
        if p.name not in arg_docs:
            raise SchemaError(f"{name}: the docstring's Args: section does not describe '{p.name}'")
        needed = _param_requires(hints[p.name])
        if needed and (context is None or not set(needed) <= context.features):
            if p.default is inspect.Parameter.empty:
                raise SchemaError(f"{name}: conditional argument '{p.name}' needs a default")
            continue
        prop = type_schema(hints[p.name], context)
        prop["description"] = arg_docs[p.name]
        if p.default is inspect.Parameter.empty:
            required.append(p.name)
        elif p.default is not None:
            prop["default"] = p.default
        properties[p.name] = prop
    parameters: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}
