"""Real CLIP from the user's disk, behind the same interface as the LiT model the page trains.

    clip = load_open_clip("ViT-B-32", "/models/open_clip_vit_b32.bin")         # open_clip name + local weights
    clip = load_open_clip("my-tiny", "weights.pt", config_file="my-tiny.json")  # a custom architecture
    clip = load_hf_clip("/models/clip-vit-base-patch32")                        # a transformers CLIPModel folder
    clip.embed_images(images), clip.embed_texts(texts), clip.logit_scale, clip.name

Nothing is downloaded: files must already be on disk (hub access is switched off). Embeddings are
cached like the towers', keyed by the model's identity (name, file size and modification time).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .towers import as_rgb, cached_embed, set_torch_threads

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class ClipLoadError(ValueError):
    """The CLIP files could not be loaded; the message says what was wrong."""


@dataclass
class DiskClip:
    name: str
    identity: str  # cache namespace: changes when the weights file changes
    image_features: Callable[[list[np.ndarray]], Any]  # images -> torch tensor (n, d)
    text_features: Callable[[list[str]], Any]  # texts -> torch tensor (n, d)
    logit_scale: float
    trained: bool = True

    def _embed(self, kind: str, features, items: list, progress) -> np.ndarray:
        import torch

        def compute(batch):
            set_torch_threads()
            with torch.inference_mode():
                return torch.nn.functional.normalize(features(batch).float(), dim=-1).numpy()
        return cached_embed(f"{self.identity}-{kind}", items, compute, progress)

    def embed_images(self, images: Sequence[np.ndarray], progress=None) -> np.ndarray:
        return self._embed("image", self.image_features, [as_rgb(im) for im in images], progress)

    def embed_texts(self, texts: Sequence[str], progress=None) -> np.ndarray:
        return self._embed("text", self.text_features, list(texts), progress)


def _identity(label: str, path: Path) -> str:
    import hashlib

    stat = path.stat()
    where = hashlib.sha256(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return f"{label}-{where}".replace("/", "_").replace(" ", "_")


def _pil(images: list[np.ndarray]):
    from PIL import Image

    return [Image.fromarray(image) for image in images]


def load_open_clip(model_name: str, pretrained_file: str | Path, config_file: str | Path | None = None) -> DiskClip:
    """An open_clip model: an architecture name (built in, or defined by `config_file`) and a local weights file."""
    import open_clip
    import torch

    weights = Path(pretrained_file).expanduser()
    if not weights.is_file():
        raise ClipLoadError(f"no weights file at {weights}")
    if config_file:
        config = Path(config_file).expanduser()
        if not config.is_file():
            raise ClipLoadError(f"no model config at {config}")
        open_clip.add_model_config(config)
        model_name = model_name or config.stem
    if model_name not in open_clip.list_models():
        raise ClipLoadError(f"open_clip has no architecture named {model_name!r} (give a config JSON for a custom one)")
    set_torch_threads()
    try:
        model, _, preprocess = open_clip.create_model_and_transforms(model_name, pretrained=str(weights))
        tokenizer = open_clip.get_tokenizer(model_name)
    except (RuntimeError, KeyError, ValueError, OSError) as exc:
        raise ClipLoadError(f"open_clip could not load {model_name} from {weights.name}: {exc}") from exc
    model.eval()
    return DiskClip(
        name=f"open_clip {model_name} ({weights.name})",
        identity=_identity(f"open_clip-{model_name}", weights),
        image_features=lambda images: model.encode_image(torch.stack([preprocess(im) for im in _pil(images)])),
        text_features=lambda texts: model.encode_text(tokenizer(texts)),
        logit_scale=float(model.logit_scale.detach().exp()),
    )


def _tensor(output):
    """transformers returns a tensor or (newer versions) an output object holding the pooled, projected one."""
    return output if hasattr(output, "shape") else output.pooler_output


def load_hf_clip(folder: str | Path) -> DiskClip:
    """A transformers CLIPModel saved in a local folder (config, weights, tokenizer and image processor files)."""
    import torch
    from transformers import CLIPModel, CLIPProcessor

    path = Path(folder).expanduser()
    if not (path / "config.json").is_file():
        raise ClipLoadError(f"{path} is not a saved CLIPModel folder (no config.json)")
    set_torch_threads()
    try:
        model = CLIPModel.from_pretrained(path, local_files_only=True).eval()
        processor = CLIPProcessor.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise ClipLoadError(f"transformers could not load a CLIPModel from {path}: {exc}") from exc
    max_length = int(model.config.text_config.max_position_embeddings)

    def text_features(texts: list[str]) -> torch.Tensor:
        tokens = processor.tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        return _tensor(model.get_text_features(**tokens))

    def image_features(images: list[np.ndarray]) -> torch.Tensor:
        pixels = processor.image_processor(images=_pil(images), return_tensors="pt")["pixel_values"]
        return _tensor(model.get_image_features(pixel_values=pixels))

    weights = next((p for p in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin"))), path / "config.json")
    return DiskClip(name=f"transformers CLIPModel ({path.name})", identity=_identity(f"hf-clip-{path.name}", weights),
                    image_features=image_features, text_features=text_features,
                    logit_scale=float(model.logit_scale.detach().exp()))
