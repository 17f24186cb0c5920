"""In chromium: the Tools page answers the lecture's multiply example with a traced number and a trace."""
from __future__ import annotations

import pytest
from e2e_helpers import no_exceptions, wait_for_app

pytestmark = pytest.mark.e2e


def test_multiply_example_is_traced(page, app_url, artifacts):
    page.goto(f"{app_url}/tool_calls")
    page.get_by_text("Tools: numbers from the data").wait_for(timeout=120_000)
    wait_for_app(page)
    model = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Model")
    model.click()
    page.get_by_role("option", name="Qwen2.5-Coder 0.5B").click()  # a model that writes parseable calls
    wait_for_app(page)
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
