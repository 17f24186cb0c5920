"""The "stats" strategy (the default): schema and statistics of a table, or CF metadata, lazy statistics and
condensed views of an array (``table.py``, ``cube.py``)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from .. import cube, table
from ..catalog import strategy
from ..types import Encoding


@strategy("stats", order=20, default=True)
def stats(obj: Any, budget: int, count_tokens: Callable[[str], int], title: str = "") -> Encoding:
    """Schema and statistics (tables) or CF-aware lazy statistics and condensed views (arrays)."""
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return table.stats_encoding(table.as_frame(obj), budget, count_tokens, title)
    return cube.stats_encoding(obj, budget, count_tokens, title)
