"""In chromium: the Inside-the-transformer page shows the lecture sentence's tokens and its attention maps."""
from __future__ import annotations

import pytest
from e2e_helpers import no_exceptions, wait_for_app

pytestmark = pytest.mark.e2e


def test_attention_of_the_lecture_sentence(page, app_url, artifacts):
    page.goto(f"{app_url}/transformer")
    page.get_by_text("Inside the transformer").first.wait_for(timeout=120_000)
    wait_for_app(page)
    tokens = page.get_by_role("textbox", name="Text")
    tokens.fill("The cat sat on the mat")
    tokens.press("Control+Enter")
    page.get_by_text("6 tokens").first.wait_for(timeout=300_000)
    page.get_by_role("tab", name="Attention").click()
    page.get_by_text("attention sink").wait_for(timeout=300_000)  # the tab's last element: it has all rendered
    wait_for_app(page)
    page.set_viewport_size({"width": 1400, "height": 3000})  # Streamlit scrolls inside a container: show it all
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    page.screenshot(path=str(artifacts / "e2e_transformer.png"), full_page=True)
    # one head, each head for a token, the mean; the Tokens tab's chart may linger for a moment after the switch
    page.wait_for_function("""() => document.querySelectorAll('[data-testid="stVegaLiteChart"]').length === 3""",
                           timeout=60_000)
    assert page.locator('[data-testid="stImage"]').count() == 1  # the grid of every head of the layer
    assert page.get_by_role("combobox", name="What does this token attend to?").count() == 1
    assert page.get_by_text("5:␣mat").count() >= 1  # the last token of the sentence is the one asked about
    no_exceptions(page)
