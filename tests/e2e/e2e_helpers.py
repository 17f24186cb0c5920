"""Assertions and steps shared by browser tests."""
from playwright.sync_api import expect


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


def upload_on_summarize(page, path) -> None:
    """Switch Summarize's data source to an upload and give it `path`, each once the page has settled: a file set
    while the first run was still drawing (a model being swapped in) was once never seen by the page in CI."""
    wait_for_app(page)
    page.get_by_text("Upload a file").click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.locator('[data-testid="stFileChip"]').first.wait_for()  # the page holds the file (its name is shortened)
    expect(page.locator('[data-testid="stFileChipIconSpinner"]')).to_have_count(0)  # and has it whole
