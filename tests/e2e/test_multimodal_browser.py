"""In chromium: upload a picture on the Images & text page, train, and see it in the similarity heatmaps."""
from __future__ import annotations

import pytest
from e2e_helpers import no_exceptions, wait_for_app

pytestmark = pytest.mark.e2e


def tallest_image(page) -> int:
    """The natural height of the tallest picture on the page: the image × caption heatmaps."""
    return page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=\"stImage\"] img')]"
                         ".map(i => i.naturalHeight))")


def test_upload_an_image_and_see_the_heatmap(page, app_url, artifacts, tmp_path):
    import skimage.data
    from PIL import Image

    picture = tmp_path / "my_moon.png"
    Image.fromarray(skimage.data.moon()).save(picture)
    page.goto(f"{app_url}/multimodal")
    page.get_by_text("aligning two encoders").wait_for(timeout=120_000)
    wait_for_app(page)
    page.get_by_role("button", name="Train the projections").click()
    page.get_by_text("Held-out top-1, trained").wait_for(timeout=300_000)
    wait_for_app(page)
    heatmap_height = tallest_image(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(picture))
    page.get_by_text("⬆ my_moon.png").first.wait_for(timeout=120_000)  # the image selector lists the upload
    wait_for_app(page)
    no_exceptions(page)
    assert tallest_image(page) > heatmap_height  # the heatmaps grew a row: the uploaded image
    page.locator('[data-testid="stTabs"] [data-testid="stImage"] img').first.evaluate(
        "img => img.scrollIntoView({block: 'center'})")  # the 'after training' heatmap, upload row included
    page.screenshot(path=str(artifacts / "e2e_multimodal.png"), full_page=True)
