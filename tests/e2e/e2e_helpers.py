"""Assertions shared by browser tests."""


def no_exceptions(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def wait_for_app(page) -> None:
    """Streamlit is done when the app root says its script is not running (the status widget only shows up
    after a delay, so its absence alone does not mean a short run has ended)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=120_000)
    page.wait_for_function("""() => {
        const app = document.querySelector('[data-testid="stApp"]');
        return app && app.dataset.testScriptState === 'notRunning'
            && !document.querySelector('[data-testid="stStatusWidget"]');
    }""", timeout=600_000)
