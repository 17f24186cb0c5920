"""The "grid" strategy: block means of each lat/lon field on a coarse grid (``grid.py``; tables get statistics)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import grid
from ..catalog import strategy
from ..types import Encoding


@strategy("grid", order=50)
def coarse_grid(obj: Any, budget: int, count_tokens: Callable[[str], int], title: str = "") -> Encoding:
    """Block means of each lat/lon field on a coarse grid (statistics for tables)."""
    return grid.grid_encoding(obj, budget, count_tokens, title)
