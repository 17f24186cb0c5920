"""Delimited text tables: CSV/TSV and the like, also gzip-compressed (data.tables.read_delimited).

Tried last: text has no magic bytes, so the extension and a look at the first bytes decide."""

from __future__ import annotations

import pandas as pd

from ..loader import Loader
from ..source import Source, looks_like_text
from ..tables import read_delimited


class CSVLoader(Loader):
    name = "csv"
    description = "a CSV/TSV text table"
    label = "CSV, TSV"
    supported = "CSV/TSV (.csv .tsv .txt, also .gz)"
    priority = 70
    caption_order = 10
    extensions = (".csv", ".tsv", ".tab", ".txt", ".dat", ".csv.gz", ".tsv.gz", ".txt.gz")

    def guess_can_open(self, source: Source, sig: str | None) -> bool:
        if sig is not None or source.suffix not in self.extensions:
            return False
        return source.suffix.endswith(".gz") or looks_like_text(source.head)

    def open(self, source: Source) -> pd.DataFrame:
        return read_delimited(source)
