"""Real CLIP from disk: a tiny random open_clip checkpoint and a tiny transformers CLIPModel folder,
written here by the test, load through multimodal.clip_local and embed images and texts."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from multimodal.clip_local import ClipLoadError, load_hf_clip, load_open_clip

TINY_OPEN_CLIP = {
    "embed_dim": 16,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "patch_size": 8, "head_width": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOLLM_CACHE_DIR", str(tmp_path / "cache"))


def images() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, (40, 50, 3), dtype=np.uint8), np.full((32, 32), 200, np.uint8)]


def check_embeddings(clip, dim: int) -> None:
    image_vectors = clip.embed_images(images())
    text_vectors = clip.embed_texts(["a map of sea surface temperature", "a cup of coffee", "gravel"])
    assert image_vectors.shape == (2, dim) and text_vectors.shape == (3, dim)
    assert np.allclose(np.linalg.norm(image_vectors, axis=1), 1, atol=1e-5)
    assert np.allclose(np.linalg.norm(text_vectors, axis=1), 1, atol=1e-5)
    assert not np.allclose(text_vectors[0], text_vectors[1])  # different texts, different vectors
    assert clip.logit_scale > 0
    assert np.allclose(clip.embed_texts(["gravel"])[0], text_vectors[2], atol=1e-5)  # the cached vector


def write_tiny_open_clip(folder):
    """A randomly initialised tiny open_clip model saved as (architecture JSON, weights file); returns both and it."""
    import open_clip

    config = folder / "tiny-test-clip.json"
    config.write_text(json.dumps(TINY_OPEN_CLIP))
    open_clip.add_model_config(config)
    torch.manual_seed(0)
    model = open_clip.create_model("tiny-test-clip")
    weights = folder / "tiny.pt"
    torch.save(model.state_dict(), weights)
    return config, weights, model


def test_open_clip_checkpoint_on_disk(tmp_path):
    import open_clip

    config, weights, model = write_tiny_open_clip(tmp_path)
    clip = load_open_clip("tiny-test-clip", weights, config_file=config)
    check_embeddings(clip, 16)
    with torch.no_grad():  # the loaded weights are the ones written, not a fresh random model
        tokens = open_clip.get_tokenizer("tiny-test-clip")(["gravel"])
        expected = torch.nn.functional.normalize(model.encode_text(tokens), dim=-1)
    assert np.allclose(clip.embed_texts(["gravel"])[0], expected[0].numpy(), atol=1e-5)


def test_open_clip_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ClipLoadError, match="no weights file"):
        load_open_clip("ViT-B-32", tmp_path / "absent.pt")


def tiny_tokenizer():
    """A character-level CLIP tokenizer: byte-level characters, no merges."""
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import CLIPTokenizer

    chars = sorted(ByteLevel.alphabet())
    vocab = {token: i for i, token in enumerate(chars + [c + "</w>" for c in chars])}
    vocab.update({"<|startoftext|>": len(vocab), "<|endoftext|>": len(vocab) + 1})
    return CLIPTokenizer(vocab=vocab, merges=[])


def test_transformers_clip_folder_on_disk(tmp_path):
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    folder = tmp_path / "tiny-clip"
    tokenizer = tiny_tokenizer()
    vocab_size = len(tokenizer)
    processor = CLIPProcessor(image_processor=CLIPImageProcessor(size={"shortest_edge": 32},
                                                                 crop_size={"height": 32, "width": 32}),
                              tokenizer=tokenizer)
    config = CLIPConfig(
        text_config={"vocab_size": vocab_size, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                     "num_attention_heads": 2, "max_position_embeddings": 77,
                     "bos_token_id": vocab_size - 2, "eos_token_id": vocab_size - 1, "pad_token_id": vocab_size - 1},
        vision_config={"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "image_size": 32, "patch_size": 8},
        projection_dim=16)
    torch.manual_seed(0)
    CLIPModel(config).save_pretrained(folder)
    processor.save_pretrained(folder)

    clip = load_hf_clip(folder)
    check_embeddings(clip, 16)


def test_not_a_clip_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ClipLoadError, match="config.json"):
        load_hf_clip(tmp_path)
