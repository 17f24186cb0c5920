"""GeoLLM Explorer's tools: typed functions the model may call, so numbers come from the data.

Public API::

    default_registry(dataset=None) -> ToolRegistry   calculators always; dataset tools for a dataset
    ToolRegistry(functions, dataset=None)
        .schemas(enabled=None) -> list[dict]        OpenAI-format schemas (for apply_chat_template(tools=...))
        .call(name, arguments) -> ToolResult         arguments: dict or JSON string; never raises
        .names, .enabled, .enabled_names, .enable(*n), .disable(*n), .functions(), .skipped
    ToolResult(name, arguments, ok, value, text, error, duration_s, facts, dates)
    Range, Length, VARIABLE, DIM, Requires, requires  schema annotations for new tools
    ToolError                                        raise it in a tool: its message goes to the model

A tool is a plain function with type hints and a Google-style docstring; its schema comes from the
signature (``schema.py``), arguments are validated against that schema before the call
(``validation.py``).  Calculators live in ``calculators.py``, dataset tools in ``dataset_tools.py``.
Nothing here uses eval/exec.
"""

from __future__ import annotations

from .calculators import CALCULATORS
from .dataset_tools import DATASET_TOOLS
from .registry import ToolRegistry, ToolResult, default_registry
from .schema import DIM, VARIABLE, Length, Range, Requires, function_schema, requires
from .validation import ArgumentError, ToolError

__all__ = [
    "CALCULATORS", "DATASET_TOOLS", "DIM", "VARIABLE", "ArgumentError", "Length", "Range", "Requires",
    "ToolError", "ToolRegistry", "ToolResult", "default_registry", "function_schema", "requires",
]  # fmt: skip
