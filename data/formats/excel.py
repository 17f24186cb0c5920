"""Excel .xlsx workbooks: the first sheet, read with openpyxl (data.tables.read_excel)."""

from __future__ import annotations

import pandas as pd

from ..loader import Loader
from ..source import Source
from ..tables import read_excel


class ExcelLoader(Loader):
    name = "xlsx"
    description = "an Excel .xlsx workbook"
    label = "Excel"
    supported = "Excel .xlsx"
    priority = 50
    caption_order = 30
    extensions = (".xlsx", ".xlsm")
    signatures = ("xlsx",)
    requires = ("openpyxl",)
    pins = {"openpyxl": "openpyxl==3.1.5"}

    def open(self, source: Source) -> pd.DataFrame:
        return read_excel(source)
