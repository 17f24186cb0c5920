"""Parquet tables, read with pyarrow up to the row budget (data.tables.read_parquet)."""

from __future__ import annotations

import pandas as pd

from ..loader import Loader
from ..source import Source
from ..tables import read_parquet


class ParquetLoader(Loader):
    name = "parquet"
    description = "a Parquet table"
    label = "Parquet"
    priority = 40
    caption_order = 20
    extensions = (".parquet", ".pq")
    signatures = ("parquet",)
    requires = ("pyarrow",)
    pins = {"pyarrow": "pyarrow==26.0.1"}

    def open(self, source: Source) -> pd.DataFrame:
        return read_parquet(source)
