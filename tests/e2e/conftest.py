"""Browser fixtures: a real `streamlit run` on a free 127.0.0.1 port, driven by Debian's chromium."""
from __future__ import annotations

import os
import shutil
import sys

import pytest
from helpers import ROOT, SMALL, free_port, start_server, stop_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def app_url():
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server([sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
                         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                        f"{url}/_stcore/health", ready=lambda r: r.text == "ok",
                        env={**os.environ, "GEOLLM_MODEL": SMALL})
    yield url
    stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request, artifacts):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)  # a loaded 2-core machine can be slow; a hang still fails
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:  # what the page showed, for a failure seen only in CI
        page.screenshot(path=str(artifacts / f"failed_{request.node.name}.png"), full_page=True)
        (artifacts / f"failed_{request.node.name}.txt").write_text(page.locator("body").inner_text())
    context.close()
