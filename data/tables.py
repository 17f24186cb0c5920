"""Table loaders: CSV/TSV (also ``.csv.gz``), Parquet and Excel ``.xlsx``.

Large CSVs: a file over ``LARGE_CSV_BYTES`` (200 MB) is not decoded in memory;
pandas' C parser streams it and only the first ``LARGE_CSV_MAX_ROWS``
(1,000,000) rows are read, with a load note saying so.  That bounds memory for
a prompt-building app that only ever shows summaries and samples.
"""

from __future__ import annotations

import gzip
import io
import warnings
from typing import Any

import pandas as pd

from . import textio
from .errors import DataLoadError
from .registry import Loader, human_size, require
from .source import Source, looks_like_text

LARGE_CSV_BYTES = 200 * 1000 * 1000
LARGE_CSV_MAX_ROWS = 1_000_000
SNIFF_BYTES = 4 * 1000 * 1000


def _finish(df: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    df.columns = [str(c).strip() for c in df.columns]
    dated = textio.parse_dates(df)
    if dated:
        notes.append(f"parsed as dates: {', '.join(dated)}")
    if df.empty and len(df.columns):
        notes.append("the table has a header but no data rows")
    df.attrs["load_notes"] = notes
    return df


class CSVLoader(Loader):
    name = "csv"
    description = "a CSV/TSV text table"
    extensions = (".csv", ".tsv", ".tab", ".txt", ".dat", ".csv.gz", ".tsv.gz", ".txt.gz")

    def guess_can_open(self, source: Source, sig: str | None) -> bool:
        if sig is not None or source.suffix not in self.extensions:
            return False
        return source.suffix.endswith(".gz") or looks_like_text(source.head)

    def _stream(self, source: Source) -> io.BufferedIOBase:
        fh = source.open_binary()
        return gzip.GzipFile(fileobj=fh) if source.suffix.endswith(".gz") else fh  # type: ignore[return-value]

    def open(self, source: Source) -> pd.DataFrame:
        with self._stream(source) as fh:
            try:
                raw = fh.read(LARGE_CSV_BYTES + 1)
            except (OSError, EOFError) as exc:
                raise DataLoadError(f"{source.name} is not valid gzip data (corrupt or truncated).") from exc
        if not raw.strip():
            raise DataLoadError(f"{source.name} contains no data (only blank space): choose another file.")
        if len(raw) <= LARGE_CSV_BYTES:
            text, _, notes = textio.decode(raw)
            return self._parse(source, io.StringIO(text), text, notes, nrows=None)
        text, encoding, notes = textio.decode(raw[:SNIFF_BYTES])
        notes = [n for n in notes if not n.startswith("mixed")]
        with self._stream(source) as fh:
            stream = io.TextIOWrapper(fh, encoding=encoding, errors=textio.FALLBACK_ERRORS)
            df = self._parse(source, stream, text, notes, nrows=LARGE_CSV_MAX_ROWS)
        if len(df) >= LARGE_CSV_MAX_ROWS:
            df.attrs["load_notes"].append(
                f"the file is over {human_size(LARGE_CSV_BYTES)}: only its first "
                f"{LARGE_CSV_MAX_ROWS:,} rows were read"
            )
        return df

    def _parse(
        self, source: Source, buffer: Any, sample: str, notes: list[str], nrows: int | None
    ) -> pd.DataFrame:
        dialect = textio.sniff(sample[:SNIFF_BYTES], source.suffix)
        if dialect.skiprows:
            notes.append(f"skipped {dialect.skiprows} comment/blank line(s) at the top")
        if dialect.sep == r"\s+":
            notes.append("columns separated by whitespace")
        if dialect.decimal == ",":
            notes.append("decimal comma detected (e.g. 1,5 read as 1.5)")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                df = pd.read_csv(
                    buffer, sep=dialect.sep, skiprows=dialect.skiprows, decimal=dialect.decimal,
                    index_col=False, on_bad_lines="warn", nrows=nrows, skipinitialspace=True,
                    engine="c",
                )  # fmt: skip
            except pd.errors.EmptyDataError as exc:
                raise DataLoadError(f"{source.name} has no columns to read: is it really a table?") from exc
            except pd.errors.ParserError as exc:
                raise DataLoadError(
                    f"{source.name} is not a well-formed delimited table (unbalanced quotes?); "
                    "check it in a text editor or export it again."
                ) from exc
        skipped = [str(w.message) for w in caught if "Skipping line" in str(w.message)]
        if skipped:
            lines = ", ".join(m.split(":")[0].replace("Skipping line ", "") for m in skipped[:5])
            notes.append(
                f"ragged rows: skipped {len(skipped)} row(s) with more fields than the header "
                f"(line {lines}{', ...' if len(skipped) > 5 else ''})"
            )
        elif dialect.long_rows or any("does not match length" in str(w.message) for w in caught):
            notes.append(
                "ragged rows: rows with more fields than the header (trailing delimiters?) "
                "were cut to the header's width"
            )
        if dialect.short_rows:
            where = f" among the first {dialect.scanned_rows:,}" if len(sample) > SNIFF_BYTES else ""
            notes.append(
                f"ragged rows: {dialect.short_rows} row(s){where} had fewer fields than the "
                "header; their missing cells are empty (NaN)"
            )
        return _finish(df, notes)


class ParquetLoader(Loader):
    name = "parquet"
    description = "a Parquet table"
    extensions = (".parquet", ".pq")
    signatures = ("parquet",)
    requires = ("pyarrow",)

    def open(self, source: Source) -> pd.DataFrame:
        require("pyarrow", "Reading Parquet")
        with source.open_binary() as fh:
            df = pd.read_parquet(fh, engine="pyarrow")
        df.attrs.pop("load_notes", None)
        return _finish(df, [])


class ExcelLoader(Loader):
    name = "xlsx"
    description = "an Excel .xlsx workbook"
    extensions = (".xlsx", ".xlsm")
    signatures = ("xlsx",)
    requires = ("openpyxl",)

    def open(self, source: Source) -> pd.DataFrame:
        require("openpyxl", "Reading Excel .xlsx files")
        with source.open_binary() as fh, pd.ExcelFile(fh, engine="openpyxl") as book:
            names = book.sheet_names
            if not names:
                raise DataLoadError(f"{source.name} has no worksheets.")
            df = book.parse(names[0])
        notes = []
        if len(names) > 1:
            notes.append(f"read sheet '{names[0]}' only; the workbook also has: {', '.join(names[1:])}")
        return _finish(df, notes)
