"""In chromium: the Tools page answers the lecture's multiply example with a traced number and a trace."""
from __future__ import annotations

import re

import pytest
from e2e_helpers import no_exceptions, wait_for_app
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def open_tools_page_with_the_0_5b(page, app_url) -> None:
    page.goto(f"{app_url}/tool_calls")
    page.get_by_text("Tools: numbers from the data").wait_for(timeout=120_000)
    wait_for_app(page)
    model = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Model")
    model.click()
    page.get_by_role("option", name="Qwen2.5-Coder 0.5B").click()  # a model that writes parseable calls
    wait_for_app(page)


def pick_tool(page, tools, name: str) -> None:
    """Switch one tool on in the multiselect, retrying if a rerun redraws the list under the click."""
    chosen = tools.locator('[data-testid="stMultiSelectTagsContainer"]')
    for _ in range(3):
        wait_for_app(page)
        tools.get_by_role("combobox").fill(name)  # the list is virtualised: filter it to bring the tool into view
        try:
            page.locator('[data-testid="stMultiSelectDropdown"]').get_by_text(name, exact=True).click(timeout=20_000)
            expect(chosen).to_contain_text(name, timeout=20_000)
            return
        except (PlaywrightError, AssertionError):  # CI once saw the option detach on every try for 120 s
            page.keyboard.press("Escape")
    raise AssertionError(f"could not switch on {name}: {chosen.inner_text()!r}")


def clear_tools(page, tools) -> None:
    """Switch every tool off and wait for the page's warning; clear again if a run still under way redrew them."""
    warning = page.get_by_text("No tool is switched on")
    for _ in range(3):
        wait_for_app(page)
        clear = tools.get_by_role("button", name="Clear all")
        if clear.count():
            clear.click()
        try:
            warning.wait_for(timeout=30_000)
            return
        except PlaywrightError:
            continue
    raise AssertionError("the tools could not be switched off")


def test_multiply_example_is_traced(page, app_url, artifacts):
    open_tools_page_with_the_0_5b(page, app_url)
    page.get_by_role("button", name="Multiply two big numbers").click()
    page.get_by_text("ended by:").wait_for(timeout=800_000)
    wait_for_app(page)
    page.get_by_text("Step 1: multiply").wait_for()  # the collapsible trace (drawn just after the caption)
    assert page.get_by_text("Step 1: multiply").count() == 1
    # the finished turn is drawn again from the session's history: wait until its answer text is there
    page.wait_for_function("""() => {
        const turns = document.querySelectorAll('[data-testid="stChatMessage"]');
        return turns.length && turns[turns.length - 1].innerText.replaceAll(',', '').includes('597518582790373200');
    }""", timeout=60_000)
    answer = page.locator('[data-testid="stChatMessage"]').last.inner_text()
    assert "597518582790373200" in answer.replace(",", "") and "✓" in answer
    no_exceptions(page)
    page.screenshot(path=str(artifacts / "e2e_tools.png"), full_page=True)


def test_a_dataset_question_is_answered_from_the_sample(page, app_url, artifacts):
    """A question about a sample: the model calls a dataset tool, and the answer's number is the data's."""
    open_tools_page_with_the_0_5b(page, app_url)
    page.get_by_role("combobox", name="Dataset for the dataset tools").click()
    page.get_by_role("option", name="sample: Seattle daily weather 2012-2015").click()
    wait_for_app(page)
    page.get_by_text("Tools and loop settings").click()  # fewer tools: the 0.5B picks better (bench/RESULTS.md)
    tools = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Tools the model may call")
    chosen = tools.locator('[data-testid="stMultiSelectTagsContainer"]')
    # the sample's own tools are listed only once its run has drawn; a clear sent before that run ended was
    # undone by it in CI (the run that switches datasets switches on that dataset's tools)
    expect(chosen).to_contain_text("statistic", timeout=120_000)
    clear_tools(page, tools)
    for name in ("statistic", "where_extreme"):
        pick_tool(page, tools, name)
    page.keyboard.press("Escape")
    expect(chosen).to_contain_text("statistic")
    expect(page.get_by_text("No tool is switched on")).to_have_count(0)
    wait_for_app(page)
    box = page.get_by_placeholder("Ask a question that needs a calculation or the data")
    box.fill("What was the highest daily maximum temperature in Seattle during 2015?")
    box.press("Enter")
    page.get_by_text("ended by:").wait_for(timeout=800_000)
    wait_for_app(page)
    step = page.get_by_text("Step 1: statistic").or_(page.get_by_text("Step 1: where_extreme"))
    step.first.wait_for()
    step.first.click()  # open the trace: the call ran on the data
    page.get_by_text("Result ✓").first.wait_for()
    answer = page.locator('[data-testid="stChatMessage"]').last.inner_text()
    assert re.search(r"\b35(?:\.0+)?\s*✓", answer), answer  # 35.0 °C on 2015-07-19, traced to the tool result
    no_exceptions(page)
    page.screenshot(path=str(artifacts / "e2e_tools_dataset.png"), full_page=True)
