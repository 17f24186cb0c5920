"""The loop layer: joins the generation core to the tools and the data.

    loop = ToolLoop(model, registry, messages)   # the model asks for a tool, the app runs it, the model answers
    parse_tool_calls(text, tools)                # every call form small models write (parse.py)
    check_numbers(answer, known)                 # the ✓/⚠ check of every number in an answer (numbers.py)
    model.prefill_chat(*tools_prefix(registry))  # a dataset's shared start, computed once in the background

It sits above `generation` (which knows nothing of data or tools) and `tools`, and below the pages."""
from .loop import ANSWER_MODES, Step, ToolLoop, tools_prefix
from .parse import ParsedCall, call_schema, parse_tool_calls

__all__ = ["ANSWER_MODES", "ParsedCall", "Step", "ToolLoop", "call_schema", "parse_tool_calls", "tools_prefix"]
