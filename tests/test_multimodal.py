"""The LiT lesson: locked towers load offline and see what they should; training the projections with
ClipLoss lowers the loss and classifies held-out regions by paraphrased captions far above chance;
a subject left out of training is not recognised."""
from __future__ import annotations

import numpy as np
import pytest

from multimodal.image_pairs import SUBJECTS, build_pairs, render_field
from multimodal.lit import heldout_scores, nearest, new_lit, prepare, probabilities, train_on
from multimodal.towers import content_key, load_towers


@pytest.fixture(scope="session")
def lesson():
    return prepare(load_towers(), build_pairs())


@pytest.fixture(scope="session")
def trained(lesson):
    return train_on(lesson)


def test_towers_load_offline_and_see_espresso():
    import skimage.data

    towers = load_towers()  # HF_HUB_OFFLINE is set: a hub lookup would fail here
    labels = [label for label, _ in towers.classify_imagenet(skimage.data.coffee())]
    assert "espresso" in labels
    vectors = towers.embed_texts(["a cup of coffee", "a satellite image of a hurricane"])
    assert vectors.shape == (2, towers.text_dim)


def test_pairs_keep_heldout_regions_and_captions_apart(lesson):
    pairs = lesson.pairs
    assert set(pairs.split) == {"train", "heldout"}
    assert {pairs.subject_of[i] for i in pairs.indices("heldout")} == set(range(len(SUBJECTS)))
    for subject in SUBJECTS:
        assert subject.heldout_caption not in subject.captions
    train_keys = {content_key("x", pairs.images[i]) for i in pairs.indices("train")}
    assert not train_keys & {content_key("x", pairs.images[i]) for i in pairs.indices("heldout")}


def test_training_lowers_loss_and_beats_chance_on_heldout(lesson, trained):
    chance = 1 / len(SUBJECTS)
    untrained = heldout_scores(new_lit(lesson.towers), lesson)["all"]
    scores = heldout_scores(trained, lesson)
    assert np.mean(trained.losses[-20:]) < 0.5 * np.mean(trained.losses[:20])
    assert scores["all"] > 3 * chance
    assert scores["all"] > untrained
    assert 0 < trained.temperature < 1


def test_left_out_subject_is_not_recognised(lesson, trained):
    left_out = [s.key for s in SUBJECTS].index("hurricane")
    without = heldout_scores(train_on(lesson, leave_out=left_out), lesson)
    assert without["hurricane"] < heldout_scores(trained, lesson)["hurricane"]
    assert without["hurricane"] <= 0.5


def test_zero_shot_and_retrieval_in_the_shared_space(lesson, trained):
    import skimage.data

    captions = ["a cup of coffee", "a close-up of gravel", "the surface of the moon"]
    image_vectors = trained.embed_images([skimage.data.coffee(), skimage.data.moon()])
    text_vectors = trained.embed_texts(captions)
    probs = probabilities(trained.logit_scale, image_vectors, text_vectors)
    assert np.allclose(probs.sum(axis=1), 1)
    assert probs[0].argmax() == 0 and probs[1].argmax() == 2
    assert nearest(text_vectors[:1], image_vectors, k=2)[0][0][0] == 0  # "coffee" finds the coffee picture


def test_render_field_draws_north_up_and_rejects_non_2d():
    import xarray as xr

    field = xr.DataArray(np.arange(12.0).reshape(3, 4), dims=("lat", "lon"), coords={"lat": [-10, 0, 10]})
    image = render_field(field, min_side=3)
    assert image.shape == (3, 4, 3) and image.dtype == np.uint8
    assert not np.array_equal(image[0], image[-1])
    np.testing.assert_array_equal(image, render_field(field.values[::-1], min_side=3))  # flipped: north up
    with pytest.raises(ValueError, match="2-D"):
        render_field(np.arange(5.0))


def test_uploads_decode_to_rgb_and_non_images_are_rejected():
    import io

    import skimage.data
    from PIL import Image

    from multimodal.image_pairs import decode_image

    buffer = io.BytesIO()
    Image.fromarray(skimage.data.moon()).save(buffer, format="PNG")
    image = decode_image(buffer.getvalue())
    assert image.shape == (512, 512, 3) and image.dtype == np.uint8
    with pytest.raises(ValueError, match="not an image"):
        decode_image(b"latitude,longitude\n1,2\n")


def test_a_picture_that_cannot_be_loaded_is_skipped_and_named(monkeypatch):
    import multimodal.image_pairs as image_pairs
    from data.errors import DataLoadError

    def missing():
        raise DataLoadError("Sample 'topobathy' is unavailable: pip install ...")

    broken = image_pairs.Subject("broken", "broken", ("a caption",), "a paraphrase", "a sample", missing)
    monkeypatch.setattr(image_pairs, "SUBJECTS", [SUBJECTS[2], broken, SUBJECTS[3]])
    pairs = image_pairs.build_pairs(train_crops=2, heldout_crops=1)
    assert [s.key for s in pairs.subjects] == ["moon", "gravel"]
    assert set(pairs.subject_of) == {0, 1} and len(pairs.images) == 6
    assert "unavailable" in pairs.skipped["broken"]
