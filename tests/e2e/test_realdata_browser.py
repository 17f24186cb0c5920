"""In chromium: real files from other people's work (../shared/realdata, NCAR GeoCAT), uploaded on Summarize
and asked about on the Tools page: a curvilinear ocean grid and an unstructured atmosphere mesh. The answer's
number must be the file's own (computed here with xarray) and carry a ✓."""
from __future__ import annotations

import re

import pytest
import xarray as xr
from e2e_helpers import no_exceptions, upload_on_summarize, wait_for_app
from helpers import REALDATA
from playwright.sync_api import expect
from test_tools_browser import pick_tool

pytestmark = pytest.mark.e2e

CASES = [  # file, the grid kind, question, variable whose maximum answers it
    ("tos_ocean_bipolar_grid.nc", "curvilinear",
     "What is the highest sea surface temperature tos in this file?", "tos"),
    ("camse_unstructured_grid.nc", "unstructured", "What is the highest temperature T850 in this file?", "T850"),
]


def number_with_mark(answer: str, expected: float) -> bool:
    """A number in the answer within 0.01 of `expected`, followed by its ✓ (after math, KaTeX's zero-width
    spaces may come between)."""
    for match in re.finditer(r"(-?\d[\d,]*(?:\.\d+)?)[\s\u200b]*✓", answer):
        if abs(float(match.group(1).replace(",", "")) - expected) < 0.01:
            return True
    return False


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not here")
@pytest.mark.parametrize("name,kind,question,variable", CASES, ids=[c[1] for c in CASES])
def test_upload_a_real_file_and_ask_the_tools(page, app_url, artifacts, name, kind, question, variable):
    expected = float(xr.open_dataset(REALDATA / name)[variable].max())
    page.goto(f"{app_url}/summarize")
    upload_on_summarize(page, REALDATA / name)
    page.get_by_text(f"Look at the data: {name}").wait_for(timeout=120_000)
    page.get_by_text("Prompt uses").wait_for(timeout=300_000)
    wait_for_app(page)
    no_exceptions(page)

    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Tools").click()  # same session
    page.get_by_text("Tools: numbers from the data").wait_for(timeout=120_000)
    wait_for_app(page)
    expect(page.get_by_role("combobox", name="Dataset for the dataset tools")).to_have_value(f"loaded: {name}")
    model = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Model")
    model.click()
    page.get_by_role("option", name="Qwen2.5-Coder 0.5B").click()  # a model that writes parseable calls
    wait_for_app(page)
    page.get_by_text("Tools and loop settings").click()  # one tool: the 0.5B picks better (bench/RESULTS.md)
    tools = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Tools the model may call")
    tools.get_by_role("button", name="Clear all").click()
    page.get_by_text("No tool is switched on").wait_for()
    pick_tool(page, tools, "statistic")
    page.keyboard.press("Escape")
    wait_for_app(page)
    box = page.get_by_placeholder("Ask a question that needs a calculation or the data")
    box.fill(question)
    box.press("Enter")
    page.get_by_text("ended by:").wait_for(timeout=800_000)
    wait_for_app(page)
    page.get_by_text("Step 1: statistic").first.wait_for()
    message = page.locator('[data-testid="stChatMessage"]').last
    for _ in range(30):  # the answer's markdown may still be drawing when the caption is up
        answer = message.inner_text()
        if number_with_mark(answer, expected):
            break
        page.wait_for_timeout(1000)
    last_step = message.locator('[data-testid="stExpander"]').last
    last_step.locator("summary").click()  # the last step's expander: what the model itself wrote
    sources = message.locator('[data-testid="stExpander"]').filter(has_text="Where each number comes from")
    sources.locator("summary").click()
    sources.get_by_text("from statistic(").first.wait_for()
    page.wait_for_timeout(800)  # the expander opens with an animation: let it finish before the screenshot
    page.screenshot(path=str(artifacts / f"e2e_realdata_{kind}.png"), full_page=True)
    written = last_step.locator('[data-testid="stCode"]').first.inner_text()
    assert number_with_mark(answer, expected), f"expected {expected:.2f}✓ in: {answer}\nthe model wrote: {written}"
    assert "✓ from statistic(" in sources.inner_text()  # the ✓ says which call computed the number
    no_exceptions(page)
