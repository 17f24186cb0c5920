"""The current dataset of a browser session: one typed value the pages share (Summarize sets it; Tools and
Images & text offer it), instead of a plain dict whose keys each page spells out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SAMPLE_PREFIX, UPLOAD_PREFIX = "sample:", "upload:"


@dataclass(frozen=True, eq=False)  # eq=False: compared by identity, never by comparing datasets' values
class CurrentDataset:
    """An opened dataset: `key` is "sample:<id>" or "upload:<file id>", `name` what the pages call it, `obj`
    the DataFrame or xarray Dataset, `note` its licence (samples) or ""."""

    key: str
    name: str
    obj: Any
    note: str = ""

    @property
    def is_upload(self) -> bool:
        return self.key.startswith(UPLOAD_PREFIX)

    @property
    def sample_id(self) -> str | None:
        """The sample's id, or None for an upload."""
        return self.key.removeprefix(SAMPLE_PREFIX) if self.key.startswith(SAMPLE_PREFIX) else None

    @property
    def is_grid(self) -> bool:
        """An xarray Dataset (a grid), not a table."""
        return hasattr(self.obj, "data_vars")
