"""Reading tables: CSV/TSV (also ``.csv.gz``), Parquet and Excel ``.xlsx`` (the loaders that call these
live in ``data/formats/``).

Large CSVs: a file over ``LARGE_CSV_BYTES`` (200 MB) is not decoded in memory;
pandas' C parser streams it.  Every table is held to the budgets of
``data.budgets`` before its values are parsed: only the first
``LARGE_CSV_MAX_ROWS`` (``budgets.MAX_ROWS``, 1,000,000) rows and
``budgets.MAX_COLUMNS`` (2,000) columns are read, with a load note saying so
(the sniffed header line and the Parquet footer give the width first); an
``.xlsx`` whose sheet XML inflates past ``budgets.MAX_SHEET_BYTES`` is refused
from its zip directory.  That bounds memory for a prompt-building app that only
ever shows summaries and samples.  Column names are shortened past
``budgets.NAME_CHARS``, and columns Arrow cannot hold (integers beyond 64
bits) are made floats, so every loaded table can be displayed.
"""

from __future__ import annotations

import gzip
import io
import warnings
import zipfile
from typing import Any

import numpy as np
import pandas as pd

from . import budgets, textio
from .budgets import human_size
from .errors import DataLoadError
from .loader import require
from .source import Source

LARGE_CSV_BYTES = 200 * 1000 * 1000
LARGE_CSV_MAX_ROWS = budgets.MAX_ROWS
SNIFF_BYTES = 4 * 1000 * 1000
ROWS_HOW = "filter or split the file first (e.g. with pandas, or `head -n` for text) to see the rest"
COLUMNS_HOW = "select the columns you need first (e.g. pandas' usecols, or `csvcut -c`) to see the rest"


def _beyond_64_bits(value: Any) -> bool:
    return isinstance(value, int) and not -(2**63) <= value < 2**64


def arrow_safe(df: pd.DataFrame) -> list[str]:
    """Make columns of integers beyond 64 bits floats in place (Arrow, hence st.dataframe, cannot hold
    them); the notes saying so."""
    notes = []
    for name in df.columns:
        col = df[name]
        if col.dtype != object or pd.api.types.infer_dtype(col, skipna=True) != "integer":
            continue
        if col.map(_beyond_64_bits).any():
            df[name] = col.map(lambda v: float(v) if isinstance(v, int) else np.nan).astype("float64")
            notes.append(f"column {budgets.shorten(str(name), 60)!r} holds integers beyond 64 bits: read as "
                         "floating point (about 16 significant digits kept)")
    return notes


def _row_limit(columns: int) -> int:
    return budgets.row_limit(min(columns, budgets.MAX_COLUMNS), LARGE_CSV_MAX_ROWS)


def _cut_rows(df: pd.DataFrame, notes: list[str], more: bool) -> pd.DataFrame:
    """``df`` cut to its row budget with a note when it has more (``more``: more are known to exist)."""
    limit = _row_limit(len(df.columns))
    if len(df) > limit or more:
        cells = f" ({budgets.MAX_CELLS:,} cells)" if limit < LARGE_CSV_MAX_ROWS else ""
        notes.append(budgets.cut_table_note(limit, f"more than {limit:,}", "rows", ROWS_HOW, cells))
        return df.iloc[:limit]
    return df


def _finish(df: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    df.columns = [str(c).strip() for c in df.columns]
    if len(df.columns) > budgets.MAX_COLUMNS:
        notes.append(budgets.cut_table_note(budgets.MAX_COLUMNS, f"{len(df.columns):,}", "columns", COLUMNS_HOW))
        df = df.iloc[:, : budgets.MAX_COLUMNS]
    notes += budgets.shorten_columns(df)
    df = _cut_rows(df, notes, False)
    notes += arrow_safe(df)
    dated = textio.parse_dates(df)
    if dated:
        notes.append(f"parsed as dates: {', '.join(dated)}")
    if df.empty and len(df.columns):
        notes.append("the table has a header but no data rows")
    df.attrs["load_notes"] = notes
    return df


def _stream(source: Source) -> io.BufferedIOBase:
    fh = source.open_binary()
    return gzip.GzipFile(fileobj=fh) if source.suffix.endswith(".gz") else fh  # type: ignore[return-value]


def read_delimited(source: Source) -> pd.DataFrame:
    """Read a delimited text table (``.gz`` too): encoding, separator, decimal mark and header sniffed;
    a file over LARGE_CSV_BYTES is streamed."""
    with _stream(source) as fh:
        try:
            raw = fh.read(LARGE_CSV_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise DataLoadError(f"{source.name} is not valid gzip data (corrupt or truncated).") from exc
    if not raw.strip():
        raise DataLoadError(f"{source.name} contains no data (only blank space): choose another file.")
    if len(raw) <= LARGE_CSV_BYTES:
        text, _, notes = textio.decode(raw)
        return _parse(source, io.StringIO(text), text, notes)
    text, encoding, notes = textio.decode(raw[:SNIFF_BYTES])
    notes = [n for n in notes if not n.startswith("mixed")]
    notes.append(f"the file is over {human_size(LARGE_CSV_BYTES)}: it was streamed, not decoded in memory")
    with _stream(source) as fh:
        stream = io.TextIOWrapper(fh, encoding=encoding, errors=textio.FALLBACK_ERRORS)
        return _parse(source, stream, text, notes)


def _parse(source: Source, buffer: Any, sample: str, notes: list[str]) -> pd.DataFrame:
    dialect = textio.sniff(sample[:SNIFF_BYTES], source.suffix)
    usecols = None
    if dialect.header_fields > budgets.MAX_COLUMNS:  # known from the header line: parse only the kept
        usecols = range(budgets.MAX_COLUMNS)
        notes.append(budgets.cut_table_note(
            budgets.MAX_COLUMNS, f"{dialect.header_fields:,}", "columns", COLUMNS_HOW))
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
                index_col=False, on_bad_lines="warn", nrows=_row_limit(dialect.header_fields) + 1,
                skipinitialspace=True, engine="c", usecols=usecols,
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


def read_parquet(source: Source) -> pd.DataFrame:
    """Read a Parquet table batch by batch, stopping at the row budget (columns cut from the footer)."""
    require("pyarrow", "Reading Parquet")
    import pyarrow as pa
    import pyarrow.parquet as pq

    notes: list[str] = []
    with source.open_binary() as fh:
        book = pq.ParquetFile(fh)
        names = book.schema_arrow.names
        columns = None
        if len(names) > budgets.MAX_COLUMNS:  # from the footer, before any value is read
            columns = names[: budgets.MAX_COLUMNS]
            notes.append(budgets.cut_table_note(
                budgets.MAX_COLUMNS, f"{len(names):,}", "columns", COLUMNS_HOW))
        batches, rows = [], 0
        for batch in book.iter_batches(batch_size=65_536, columns=columns):
            batches.append(batch)
            rows += batch.num_rows
            if rows > _row_limit(len(columns or names)):
                break
        table = pa.Table.from_batches(batches, schema=batches[0].schema) if batches else (
            book.schema_arrow.empty_table() if columns is None
            else book.schema_arrow.empty_table().select(columns))
    df = table.to_pandas()
    df.attrs.pop("load_notes", None)
    return _finish(_cut_rows(df, notes, rows > _row_limit(len(df.columns))), notes)


def read_excel(source: Source) -> pd.DataFrame:
    """Read the first sheet of an .xlsx workbook (its zip directory checked against the budget first)."""
    require("openpyxl", "Reading Excel .xlsx files")
    with source.open_binary() as fh, zipfile.ZipFile(fh) as archive:
        budgets.check_zip_members(
            archive, source.name, lambda n: n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml",
            budgets.MAX_SHEET_BYTES, "its sheets' XML",
            "save the sheet you need as CSV (CSV streams; rows past the budget are cut with a note)",
        )
    with source.open_binary() as fh, pd.ExcelFile(fh, engine="openpyxl") as book:
        names = book.sheet_names
        if not names:
            raise DataLoadError(f"{source.name} has no worksheets.")
        df = book.parse(names[0], nrows=LARGE_CSV_MAX_ROWS + 1)  # openpyxl streams: stops there
    notes = []
    if len(names) > 1:
        notes.append(f"read sheet '{names[0]}' only; the workbook also has: {', '.join(names[1:])}")
    return _finish(df, notes)
