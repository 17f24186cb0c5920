"""In chromium: upload a NetCDF on the Summarize page, see its map, a streamed summary and the numbers check."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from e2e_helpers import no_exceptions, upload_on_summarize, wait_for_app

pytestmark = pytest.mark.e2e


def test_upload_netcdf_and_summarize(page, app_url, artifacts, tmp_path):
    lat, lon = np.linspace(-60, 60, 13), np.linspace(0, 350, 36)
    time = np.array(["2020-01-01", "2020-02-01", "2020-03-01"], dtype="datetime64[ns]")
    sst = 15 + 10 * np.cos(np.deg2rad(lat))[None, :, None] + np.arange(3)[:, None, None] + np.zeros((3, 13, 36))
    ds = xr.Dataset({"sst": (("time", "lat", "lon"), sst, {"units": "degC", "long_name": "sea surface temperature"})},
                    coords={"time": time, "lat": lat, "lon": lon}, attrs={"title": "Browser test SST"})
    path = tmp_path / "browser_sst.nc"
    ds.to_netcdf(path)

    page.goto(f"{app_url}/summarize")
    upload_on_summarize(page, path)
    page.get_by_text("Look at the data: browser_sst.nc").wait_for(timeout=120_000)
    page.get_by_text("Prompt uses").wait_for(timeout=300_000)
    wait_for_app(page)
    page.get_by_label("Max new tokens per answer").fill("64")
    page.get_by_label("Max new tokens per answer").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Summarize").click()
    page.get_by_text("new tokens at").wait_for(timeout=600_000)
    answer = page.locator('[data-testid="stChatMessage"]').first.inner_text()
    assert len(answer.strip()) > 20
    assert page.locator('[data-testid="stImage"], [data-testid="stPyplot"], img').count() > 0  # the map
    if any(ch.isdigit() for ch in answer.split("first token")[0]):
        page.get_by_text("Numbers check").wait_for(timeout=10_000)
    no_exceptions(page)
    wait_for_app(page)
    page.screenshot(path=str(artifacts / "e2e_summarize.png"), full_page=True)
