"""Assertions shared by browser tests."""


def no_exceptions(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def wait_for_app(page) -> None:
    """Streamlit is done when its status widget no longer says it is running."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=120_000)
    page.wait_for_function("""() => !document.querySelector('[data-testid="stStatusWidget"]')""", timeout=600_000)
