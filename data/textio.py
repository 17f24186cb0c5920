"""Text-table helpers for the CSV loader: encoding, dialect and date sniffing.

* Encoding: UTF-8 (with or without BOM) and UTF-16 with BOM are read as such; a
  file that is not UTF-8 at all is read as Windows-1252 (Latin-1 for the five
  bytes cp1252 leaves undefined); a *mixed* file (UTF-8 with some stray Latin-1
  bytes) keeps its UTF-8 text and reads only the bad bytes as Windows-1252.
  Each fallback is reported as a load note.
* Dialect: delimiter among ``, ; TAB |`` or runs of whitespace, chosen by the
  most consistent field count over the first records; leading ``#`` comment
  lines are skipped; ``;``-separated files with ``1,5``-style numbers use a
  decimal comma.
* Dates: text columns whose name looks like a date/time and whose values have
  a date part, or whose values are ISO 8601 dates, become datetimes.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import warnings
from dataclasses import dataclass

import pandas as pd

FALLBACK_ERRORS = "geollm.cp1252"  # registered decode-error handler name

_DELIMITERS = (",", "\t", ";", "|")
_DATE_NAME = re.compile(r"date|time|datetime|timestamp|day|valid|epoch", re.I)
_DATE_PART = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|^\d{8}(T|$)")
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$"
)
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81 0x8D 0x8F 0x90 0x9D: undefined in cp1252
        return chr(byte)


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(_cp1252_char(b) for b in bad), exc.end


codecs.register_error(FALLBACK_ERRORS, _cp1252_fallback)


def decode(raw: bytes) -> tuple[str, str, list[str]]:
    """Decode ``raw``; return ``(text, encoding_for_pandas, notes)``."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors=FALLBACK_ERRORS), "utf-8-sig", []
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace"), "utf-16", ["decoded as UTF-16"]
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    clean = raw.decode("utf-8", errors="ignore")
    bad = len(raw) - len(clean.encode("utf-8"))
    if clean.isascii():
        text = raw.decode("cp1252", errors=FALLBACK_ERRORS)
        return text, "cp1252", ["the file is not UTF-8: decoded as Windows-1252 (Latin-1)"]
    text = raw.decode("utf-8", errors=FALLBACK_ERRORS)
    note = (
        f"mixed encodings: {bad} byte(s) that were not valid UTF-8 were read as "
        "Windows-1252 (Latin-1); check accented characters"
    )
    return text, "utf-8", [note]


@dataclass
class Dialect:
    sep: str = ","
    skiprows: int = 0
    decimal: str = "."
    header_fields: int = 1
    short_rows: int = 0
    long_rows: int = 0
    scanned_rows: int = 0


def _allow_fields(size: int) -> None:
    """Let the csv module read fields of ``size`` characters (its default stops at 131,072).  The
    limit is process-wide, so it is only ever raised, never lowered under another thread."""
    if csv.field_size_limit() < size:
        csv.field_size_limit(size)


def _records(lines: list[str], sep: str) -> list[list[str]]:
    if sep == r"\s+":
        return [ln.split() for ln in lines if ln.strip()]
    _allow_fields(sum(map(len, lines)) + 1)  # a quoted field may span many lines
    reader = csv.reader(io.StringIO("".join(lines)), delimiter=sep)
    return [rec for rec in reader if rec]


def _consistency(sample: list[str], sep: str) -> tuple[float, int]:
    """(share of records with the modal field count, that count); (0, 0) if < 2 fields."""
    counts = [len(r) for r in _records(sample, sep)]
    if not counts:
        return 0.0, 0
    mode = max(set(counts), key=counts.count)
    return (counts.count(mode) / len(counts), mode) if mode >= 2 else (0.0, 0)


def sniff(text: str, suffix: str = "", max_lines: int = 200_000) -> Dialect:
    """Guess delimiter, comment lines and decimal mark from the start of ``text``
    (lines may end in LF, CRLF or a lone CR, as pandas' parser accepts)."""
    lines = list(itertools.islice(io.StringIO(text, newline=None), max_lines))
    skip = 0
    while skip < len(lines) and (lines[skip].startswith("#") or not lines[skip].strip()):
        skip += 1
    body = lines[skip:]
    sample = body[:60]
    best, best_score = ",", (0.0, 0)
    seps = ("\t",) + _DELIMITERS if suffix.startswith((".tsv", ".tab")) else _DELIMITERS
    for sep in seps:
        score = _consistency(sample, sep)
        if score[0] > best_score[0] + 1e-9 or (score[0] == best_score[0] and score[1] > best_score[1]):
            best, best_score = sep, score
    if best_score[0] < 0.8 and not suffix.startswith((".csv", ".tsv")):
        spaced, width = _consistency(sample, r"\s+")
        if spaced >= 0.8 and sample and len(sample[0].split()) == width:
            best = r"\s+"  # whitespace-aligned columns (.txt/.dat exports)
    records = _records(body, best)
    width = len(records[0]) if records else 1
    dialect = Dialect(sep=best, skiprows=skip, header_fields=width, scanned_rows=len(records) - 1)
    dialect.short_rows = sum(1 for r in records[1:] if len(r) < width)
    dialect.long_rows = sum(1 for r in records[1:] if len(r) > width)
    if best == ";":
        cells = [c.strip() for r in records[1:61] for c in r]
        if sum(bool(_DECIMAL_COMMA.match(c)) for c in cells) > len(cells) // 4:
            dialect.decimal = ","
    return dialect


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def _as_text(value: object) -> str:
    """A cell as text; bytes that are not UTF-8 (Parquet binary columns) are decoded with replacement."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def parse_dates(df: pd.DataFrame) -> list[str]:
    """Convert date-like text columns in place; return the names converted."""
    converted = []
    for name in df.columns:
        col = df[name]
        if not _is_text(col):
            continue
        present = int(col.notna().sum())
        if not present:
            continue
        probe = col.dropna().iloc[:200].map(_as_text).str.strip()
        iso = probe.map(lambda v: bool(_ISO.match(v))).mean() >= 0.9
        named = bool(_DATE_NAME.search(str(name))) and probe.map(
            lambda v: bool(_DATE_PART.search(v))
        ).mean() >= 0.9
        if not (iso or named):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                parsed = pd.to_datetime(col, errors="coerce")
            except (ValueError, TypeError, OverflowError):
                continue
        if parsed.notna().sum() >= 0.9 * present:
            df[name] = parsed
            converted.append(str(name))
    return converted
