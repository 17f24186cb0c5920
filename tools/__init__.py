"""GeoLLM Explorer's tools: typed functions the model may call, so numbers come from the data.

Public API::

    default_registry(dataset=None) -> ToolRegistry   calculators always; dataset tools for a dataset
    ToolRegistry(functions, dataset=None)
        .schemas(enabled=None) -> list[dict]        OpenAI-format schemas (for apply_chat_template(tools=...))
        .call(name, arguments) -> ToolResult         arguments: dict or JSON string; never raises
        .names, .enabled, .enabled_names, .enable(*n), .disable(*n), .functions(), .skipped
    ToolResult(name, arguments, ok, value, text, error, duration_s, facts, dates)
    tool(order=None, with_data=False)                decorator: register a function as a tool
    CALCULATORS, DATASET_TOOLS, CALCULATORS_WITH_DATA  the registered tools, in schema order
    Range, Length, VARIABLE, DIM, Requires, requires  schema annotations for new tools
    ToolError                                        raise it in a tool: its message goes to the model
                                                     (ArgumentError, a bad argument, is one too)

A tool is a plain function with type hints and a Google-style docstring, registered with ``@tool``
(``catalog.py``); its schema comes from the signature (``schema.py``), arguments are validated against that
schema before the call (``validation.py``).  Every module of this package is imported here (``discover``),
so a new tool is one new module.  Calculators live in ``calculators.py``, dataset tools in
``dataset_tools.py`` and ``time_tools.py``.  Nothing here uses eval/exec.
"""

from __future__ import annotations

from .catalog import CALCULATORS, CALCULATORS_WITH_DATA, DATASET_TOOLS, discover, tool
from .registry import ToolRegistry, ToolResult, default_registry
from .schema import DIM, VARIABLE, Length, Range, Requires, function_schema, requires
from .validation import ArgumentError, ToolError

discover()

__all__ = [
    "CALCULATORS", "CALCULATORS_WITH_DATA", "DATASET_TOOLS", "DIM", "VARIABLE", "ArgumentError", "Length", "Range",
    "Requires", "ToolError", "ToolRegistry", "ToolResult", "default_registry", "function_schema", "requires", "tool",
]  # fmt: skip
