"""In chromium: the Home page renders with its sidebar; Generate streams text for a typed prompt."""
from __future__ import annotations

import pytest
from e2e_helpers import no_exceptions, wait_for_app

pytestmark = pytest.mark.e2e


def test_home_shows_pages_and_sidebar(page, app_url, artifacts):
    page.goto(app_url)
    page.get_by_text("Explore geoscience data").wait_for(timeout=120_000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Loaded:").wait_for()
    wait_for_app(page)
    page.screenshot(path=str(artifacts / "e2e_home.png"), full_page=True)
    assert sidebar.get_by_role("combobox", name="Backend").input_value() == "llama.cpp"
    assert "SmolLM2" in page.locator('[data-testid="stMain"]').inner_text()  # the active-model table
    no_exceptions(page)
    page.screenshot(path=str(artifacts / "e2e_home.png"), full_page=True)


def test_generate_streams_text_and_a_seed_repeats_it(page, app_url, artifacts):
    page.goto(f"{app_url}/generate")
    prompt = page.get_by_label("Prompt")
    prompt.wait_for(timeout=120_000)
    prompt.fill("The ocean floor near the volcano")
    page.get_by_label("Max new tokens").fill("24")
    page.get_by_label("Max new tokens").press("Enter")
    page.get_by_label("Seed (empty = random)").fill("7")  # a random seed may sample an early end of text
    page.get_by_label("Seed (empty = random)").press("Enter")
    wait_for_app(page)
    continuations, stats = [], ""
    for _ in range(2):
        page.get_by_role("button", name="Generate").click()
        # done when a stats line other than the previous run's is drawn (its timings always differ)
        page.wait_for_function("""(before) => {
            const line = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
                .map(e => e.innerText).find(t => t.includes('new tokens at'));
            return line && line !== before;
        }""", arg=stats, timeout=600_000)
        wait_for_app(page)
        stats = page.get_by_text("new tokens at").inner_text()
        body = page.locator('[data-testid="stMain"]').inner_text()
        assert "The ocean floor near the volcano" in body
        after = body.split("The ocean floor near the volcano", 1)[1]
        continuations.append(after.split("first token")[0].strip())
        health = page.locator('[data-testid="stSidebar"]').get_by_text("Loaded:").inner_text()
        assert "smollm2-135m on llama.cpp" in health  # loaded by this very run, and shown at its end
    assert len(continuations[0]) > 10, continuations  # the continuation itself
    assert continuations[1] == continuations[0]  # the same seed, the same text
    no_exceptions(page)
    page.screenshot(path=str(artifacts / "e2e_generate.png"), full_page=True)


def test_first_visit_of_a_fresh_server_to_a_page_url_gets_the_frame(browser, artifacts):
    """Streamlit treats pages/ as a legacy app until st.navigation runs once; the page must still be framed."""
    import os
    import sys

    from helpers import ROOT, SMALL, free_port, start_server, stop_server

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server([sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
                         "--server.port", str(port), "--server.headless", "true"], f"{url}/_stcore/health",
                        ready=lambda r: r.text == "ok", env={**os.environ, "GEOLLM_MODEL": SMALL})
    try:
        page = browser.new_page()
        page.goto(f"{url}/summarize")
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Loaded:").wait_for(timeout=120_000)  # the frame's health line
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Summarize" in nav and "ui" not in nav.split() and "streamlit app" not in nav
        page.close()
    finally:
        stop_server(proc)
