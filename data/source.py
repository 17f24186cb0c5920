"""What the loaders see of an input: a name, bytes or a path, and its first bytes.

:class:`Source` unifies on-disk paths and in-memory uploads, and
:func:`signature` names the format that a file's magic bytes announce (the
content decides, not the extension).  Nothing here imports an optional library.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

HEAD_BYTES = 64 * 1024
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_ZARR_MARKERS = ("zarr.json", ".zgroup", ".zarray", ".zmetadata")

# Formats that are recognisable but not loadable: (what it is, what to do).
FOREIGN = {
    "png": ("a PNG image", "choose the data file itself"),
    "jpeg": ("a JPEG image", "choose the data file itself"),
    "gif": ("a GIF image", "choose the data file itself"),
    "pdf": ("a PDF document", "export its tables as CSV"),
    "tiff": ("a TIFF/GeoTIFF raster", "convert it with `gdal_translate -of netCDF`"),
    "grib": ("a GRIB file", "convert it to NetCDF, e.g. with `cdo -f nc copy`"),
    "xls": ("a legacy Excel .xls workbook", "save it as .xlsx or CSV"),
    "zip": ("a ZIP archive that is not a Zarr store, .xlsx or .npz", "unzip it and open the file inside"),
}


@dataclass
class Source:
    """One input: ``path`` on disk (a file or a Zarr folder) and/or in-memory ``data``."""

    name: str
    path: Path | None = None
    data: bytes | None = None
    head: bytes = b""
    size: int = 0
    notes: list[str] = field(default_factory=list)
    upload: bool = False  # bytes from a visitor: held to the upload budgets (data.budgets)

    @classmethod
    def from_path(cls, path: Path) -> Source:
        if path.is_dir():
            return cls(name=path.name, path=path)
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
        return cls(name=path.name, path=path, head=head, size=path.stat().st_size)

    @classmethod
    def from_bytes(cls, name: str, content: bytes) -> Source:
        return cls(name=name, data=content, head=content[:HEAD_BYTES], size=len(content), upload=True)

    @property
    def is_dir(self) -> bool:
        return self.path is not None and self.path.is_dir()

    @property
    def suffix(self) -> str:
        """Lower-case extension; compound for compressed text (``.csv.gz``)."""
        suffixes = [s.lower() for s in Path(self.name).suffixes]
        if len(suffixes) >= 2 and suffixes[-1] == ".gz":
            return "".join(suffixes[-2:])
        return suffixes[-1] if suffixes else ""

    def open_binary(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return self.path.open("rb")

    def read_bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()

    def zip_names(self) -> list[str] | None:
        """Member names when the source is a ZIP archive, ``[]`` when it is not one, ``None``
        when it starts like one but its directory cannot be read (truncated or corrupt)."""
        if not self.head.startswith(b"PK\x03\x04"):
            return []
        try:
            with self.open_binary() as fh, zipfile.ZipFile(fh) as zf:
                return zf.namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return None


def zarr_root(names: list[str]) -> str | None:
    """The folder (``""`` for the top) holding the Zarr root metadata, if any."""
    roots = sorted(
        (n.rsplit("/", 1)[0] if "/" in n else "")
        for n in names
        if n.rsplit("/", 1)[-1] in _ZARR_MARKERS
    )
    return min(roots, key=len) if roots else None


def signature(source: Source) -> str | None:
    """The format announced by the content's magic bytes, or ``None``."""
    if source.is_dir:
        assert source.path is not None
        names = [p.name for p in source.path.iterdir()]
        return "zarr" if any(n in _ZARR_MARKERS for n in names) else None
    head = source.head
    if head[:4] in (b"CDF\x01", b"CDF\x02", b"CDF\x05"):
        return "netcdf3"
    if any(head[off : off + 8] == HDF5_MAGIC for off in (0, 512, 1024, 2048)):
        return "hdf5"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"PK\x03\x04"):
        names = source.zip_names()
        if names is None:
            return "badzip"
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        if zarr_root(names) is not None:
            return "zarr"
        if names and all(n.endswith(".npy") for n in names):
            return "npz"
        return "zip"
    for magic, kind in (
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"\xff\xd8\xff", "jpeg"),
        (b"GIF8", "gif"),
        (b"%PDF", "pdf"),
        (b"II*\x00", "tiff"),
        (b"MM\x00*", "tiff"),
        (b"II+\x00", "tiff"),
        (b"GRIB", "grib"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    ):
        if head.startswith(magic):
            return kind
    return None


def looks_like_text(head: bytes) -> bool:
    """True when the first bytes read as text in UTF-8 or a Latin-1 family codepage."""
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with a byte-order mark
    if b"\x00" in head:
        return False
    text = head.decode("utf-8", errors="ignore")
    undecodable = len(head) - len(text.encode("utf-8"))
    if undecodable > max(8, len(head) // 20):
        text = head.decode("latin-1")
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return control <= len(text) // 100
