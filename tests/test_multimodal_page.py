"""AppTest of the Images & text page: heatmap before training, training with metrics, the left-out
subject's failure, zero-shot and retrieval, the dataset bridge, and a clear error for bad CLIP paths."""
from __future__ import annotations

import pytest
from helpers import open_page


@pytest.fixture(scope="module")
def at():
    return open_page("pages/multimodal.py", timeout=600)


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_page_shows_the_untrained_heatmap_and_explains_itself(at):
    assert not at.exception
    assert any("LiT-style" in i.value for i in at.info)
    assert len(at.dataframe) == 2  # zero-shot ranking of an image's captions, and of the dataset's picture
    assert any("random projections" in c.value for c in at.caption)
    assert any("to see the aligned space" in i.value for i in at.info)  # only the 'before' heatmap so far


def test_training_reports_heldout_top1_and_temperature(at):
    images_before = len(at.get("image"))  # pictures and figures
    at.slider(key="mm_steps").set_value(200)
    at.button(key="mm_train").click().run()
    assert not at.exception
    assert len(at.get("image")) == images_before + 1  # the 'after training' heatmap joined the 'before' one
    trained = float(metric(at, "Held-out top-1, trained").rstrip("%"))
    random = float(metric(at, "Random projections").rstrip("%"))
    assert trained > random and trained > 3 * 100 / 13
    assert 0 < float(metric(at, "Learned temperature")) < 1


def test_left_out_subject_fails_and_says_so(at):
    at.selectbox(key="mm_leave_out").set_value("coffee")
    at.button(key="mm_train").click().run()
    assert not at.exception
    warning = next(w.value for w in at.warning if "left out of training" in w.value)
    assert "coffee" in warning


def test_captions_query_and_dataset_bridge(at):
    captions = ["a map of sea surface temperature", "a cup of coffee", "the surface of the moon"]
    at.text_area(key="mm_captions").set_value("\n".join(captions))
    at.text_input(key="mm_query").set_value("craters on the moon")
    box = at.selectbox(key="mm_dataset")
    assert "sample: HadISST 1.1 monthly sea surface temperature, August 2012" in box.options
    box.set_value("hadisst-sst")
    at.run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table.columns) == ["caption", "probability"] and len(table) == 3
    assert table["probability"].sum() == pytest.approx(1, abs=1e-4)


def test_missing_clip_files_give_a_clear_error(at):
    at.radio(key="mm_source").set_value("open_clip model from disk").run()
    at.text_input(key="mm_oc_file").set_value("/nonexistent/open_clip.bin")
    at.button[-1].click().run()  # the form's Load button
    assert not at.exception
    assert any("no weights file" in e.value for e in at.error)


def test_a_clip_on_disk_drives_the_same_page(at, tmp_path, monkeypatch):
    from test_clip_local import write_tiny_open_clip

    monkeypatch.setenv("GEOLLM_CACHE_DIR", str(tmp_path / "cache"))  # the throwaway model's embeddings

    config, weights, _ = write_tiny_open_clip(tmp_path)
    at.radio(key="mm_source").set_value("open_clip model from disk").run()
    at.text_input(key="mm_oc_name").set_value("tiny-test-clip")
    at.text_input(key="mm_oc_file").set_value(str(weights))
    at.text_input(key="mm_oc_config").set_value(str(config))
    at.button[-1].click().run()
    assert not at.exception
    assert any("tiny-test-clip" in s.value for s in at.success)
    assert not at.error
    assert len(at.tabs) == 1 and "tiny-test-clip" in at.tabs[0].label  # its heatmap, no 'before training' one
    assert len(at.dataframe) == 2
