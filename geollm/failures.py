"""How a failure is told to a person: one short line naming the cause, never a traceback or a class name.

The pages (pages/_ui.action) and the command line (geollm/cli.py) word every failure through `cause`, so a
RuntimeError from a NetCDF library, a MemoryError or an Arrow conversion error reads the same everywhere.
"""
from __future__ import annotations

LIMIT = 240  # characters of a library's own text kept in a message


def one_line(text: object, limit: int = LIMIT) -> str:
    """`text` on one line, cut to `limit` characters (with … when cut)."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def cause(exc: BaseException) -> str:
    """A short, plain cause for `exc`: its own text when it was written for people (DataLoadError, ToolError and
    other ValueErrors), otherwise what went wrong in words, with the library's first words as a hint."""
    text = one_line(exc)
    if isinstance(exc, MemoryError):
        return "there is not enough memory for it here; try a smaller subset of the file, or the command line"
    name = type(exc).__name__
    if "Arrow" in name or "DataframeConversion" in name or isinstance(exc, OverflowError):
        return ("a column holds values a table cannot show (for example integers beyond 64 bits)"
                + (f": {text}" if text else ""))
    if isinstance(exc, KeyError):  # KeyError("a message") or KeyError(missing_key)
        key = exc.args[0] if exc.args else ""
        return one_line(key) if isinstance(key, str) and " " in key else f"{key!r} is missing"
    if isinstance(exc, ValueError):  # DataLoadError and ToolError texts are written for people
        return text or "a value is not valid"
    return text or "an unexpected error happened in a library the app uses"
