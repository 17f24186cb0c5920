"""In chromium: hostile uploads (markdown images, <img> and <iframe> in column names and in the file name) make no
request beyond 127.0.0.1, and an upload with its chat survives a visit to the Tools page and back."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
from e2e_helpers import no_exceptions, upload_on_summarize, wait_for_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
OUTSIDE = "203.0.113.5"  # TEST-NET-3: never a real host
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
COLUMNS = [f"![x](http://{OUTSIDE}/a.png)", f"<img src=http://{OUTSIDE}/b.png>",
           f"<iframe src=http://{OUTSIDE}/c.html></iframe>", "rain_mm"]
# A file name cannot hold "/", but a browser reads "http:HOST\\d.png" as http://HOST/d.png.
FILE_NAME = f"![x](http:{OUTSIDE}\\d.png) <img src=http:{OUTSIDE}\\e.png>.csv"


def record_outside_requests(page) -> list[str]:
    """Every request the page (or a frame in it) makes to a host other than this machine, blocked and listed."""
    outside: list[str] = []

    def handle(route) -> None:
        url = route.request.url
        if url.startswith(("http:", "https:", "ws:", "wss:")) and urlsplit(url).hostname not in LOCAL_HOSTS:
            outside.append(url)
            route.abort()
        else:
            route.continue_()

    page.context.route("**/*", handle)
    return outside


def screenshots(page, name: str) -> None:
    """The top of the page (the upload, its name and table) and its bottom (the chat)."""
    page.get_by_text("Summarize a dataset").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}_top.png"))
    page.locator('[data-testid="stChatMessage"]').first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}_chat.png"))


def open_sidebar_page(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNavLink"]', has_text=title).click()
    wait_for_app(page)


def test_hostile_uploads_load_nothing_from_outside_and_survive_navigation(page, app_url, tmp_path):
    outside = record_outside_requests(page)
    page.goto(f"{app_url}/summarize")
    page.get_by_text("Summarize a dataset").wait_for(timeout=120_000)
    wait_for_app(page)
    page.evaluate(f"() => {{ new Image().src = 'http://{OUTSIDE}/probe.png'; }}")  # the net catches an image
    page.wait_for_timeout(500)
    assert outside == [f"http://{OUTSIDE}/probe.png"], outside
    outside.clear()

    path = tmp_path / FILE_NAME
    pd.DataFrame({name: [1.0 + i, 2.0 + i, 3.5 + i] for i, name in enumerate(COLUMNS)}).to_csv(path, index=False)
    upload_on_summarize(page, path)
    look = page.locator('[data-testid="stExpander"]', has_text="Look at the data:").first
    expect(look).to_contain_text(FILE_NAME, timeout=300_000)  # the name shown as written, not rendered
    page.get_by_text("Prompt uses").wait_for(timeout=300_000)
    wait_for_app(page)
    page.get_by_label("Max new tokens per answer").fill("32")
    page.get_by_label("Max new tokens per answer").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Summarize").click()
    page.get_by_text("new tokens at").wait_for(timeout=600_000)
    wait_for_app(page)
    answer = page.locator('[data-testid="stChatMessage"]').first.inner_text()
    no_exceptions(page)
    screenshots(page, "hostile_upload")

    open_sidebar_page(page, "Tools")
    page.get_by_text("Tools: numbers from the data").wait_for()
    open_sidebar_page(page, "Summarize")
    page.get_by_text("Prompt uses").wait_for(timeout=300_000)
    wait_for_app(page)
    assert page.get_by_role("radio", name="Upload a file").is_checked()
    assert FILE_NAME in page.locator('[data-testid="stExpander"]', has_text="Look at the data:").first.inner_text()
    assert page.get_by_text("Showing your upload").is_visible()
    assert page.locator('[data-testid="stChatMessage"]').first.inner_text() == answer  # the chat is kept
    no_exceptions(page)
    screenshots(page, "hostile_upload_after_tools")
    page.wait_for_timeout(1000)  # late image loads would show up here
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert page.locator(f'img[src*="{OUTSIDE}"], iframe[src*="{OUTSIDE}"]').count() == 0
