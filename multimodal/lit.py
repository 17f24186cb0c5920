"""A LiT-style image–text model: locked towers, trainable projections into one shared space, CLIP's loss.

    model = new_lit(load_towers())                   # random projections: similarities mean nothing yet
    losses = train(model, image_features, subject_of, caption_features, steps=400, progress=cb)
    model.embed_images(images), model.embed_texts(texts)   # unit vectors in the shared space
    probabilities(logit_scale, image_vectors, text_vectors) # zero-shot: softmax over captions, per image
    nearest(query_vectors, candidate_vectors, k)           # retrieval in either direction
    data = prepare(towers, build_pairs()); model = train_on(data, leave_out=None); heldout_scores(model, data)

Only the two linear projections and the temperature learn; the towers' features are computed once
(and cached on disk), which is why training takes seconds on a CPU. The loss is open_clip's ClipLoss:
symmetric InfoNCE over a batch holding one (crop, caption) pair per subject, so no batch has two
pairs of the same subject posing as each other's negatives.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .towers import Towers, set_torch_threads

SHARED_DIM = 128
INITIAL_TEMPERATURE = 0.07  # CLIP's starting value; the model learns its own
MAX_LOGIT_SCALE = 100.0
StepProgress = Callable[[int, int, float], None]  # (step, steps, loss)


@dataclass
class LitModel:
    towers: Towers
    image_projection: torch.nn.Linear
    text_projection: torch.nn.Linear
    log_scale: torch.nn.Parameter
    losses: list[float] = field(default_factory=list)
    left_out: str | None = None  # a subject deliberately kept out of training
    train_seconds: float = 0.0  # optimisation only (progress callbacks excluded)
    name: str = "LiT: EfficientNet-Lite0 + all-MiniLM-L6-v2"

    @property
    def logit_scale(self) -> float:
        return float(self.log_scale.detach().exp().clamp(max=MAX_LOGIT_SCALE))

    @property
    def temperature(self) -> float:
        return 1.0 / self.logit_scale

    @property
    def trained(self) -> bool:
        return bool(self.losses)

    def _project(self, projection: torch.nn.Linear, features: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            out = projection(torch.as_tensor(np.asarray(features, dtype=np.float32)))
            return torch.nn.functional.normalize(out, dim=-1).numpy()

    def project_images(self, features: np.ndarray) -> np.ndarray:
        return self._project(self.image_projection, features)

    def project_texts(self, features: np.ndarray) -> np.ndarray:
        return self._project(self.text_projection, features)

    def embed_images(self, images: Sequence[np.ndarray], progress=None) -> np.ndarray:
        return self.project_images(self.towers.embed_images(images, progress))

    def embed_texts(self, texts: Sequence[str], progress=None) -> np.ndarray:
        return self.project_texts(self.towers.embed_texts(texts, progress))


def new_lit(towers: Towers, dim: int = SHARED_DIM, seed: int = 0) -> LitModel:
    """A LiT model with randomly initialised projections (the 'before training' state)."""
    generator = torch.Generator().manual_seed(seed)
    image_projection = torch.nn.Linear(towers.image_dim, dim)
    text_projection = torch.nn.Linear(towers.text_dim, dim)
    for layer in (image_projection, text_projection):
        bound = 1.0 / math.sqrt(layer.in_features)
        with torch.no_grad():
            layer.weight.uniform_(-bound, bound, generator=generator)
            layer.bias.zero_()
    log_scale = torch.nn.Parameter(torch.tensor(math.log(1.0 / INITIAL_TEMPERATURE)))
    return LitModel(towers, image_projection, text_projection, log_scale)


def train(model: LitModel, image_features: np.ndarray, subject_of: np.ndarray,
          caption_features: Sequence[np.ndarray], steps: int = 400, lr: float = 2e-3, seed: int = 0,
          progress: StepProgress | None = None) -> list[float]:
    """Train the projections and temperature with ClipLoss.

    image_features: (n, image_dim) locked-tower features of the training crops; subject_of: (n,) their
    subject index; caption_features[s]: (m_s, text_dim) features of subject s's training captions
    (an empty array leaves subject s out). Each step draws one crop and one caption per subject.
    """
    from open_clip.loss import ClipLoss

    set_torch_threads()
    rng = np.random.default_rng(seed)
    subjects = [s for s in range(len(caption_features))
                if len(caption_features[s]) and np.any(subject_of == s)]
    if len(subjects) < 2:
        raise ValueError("training needs at least two subjects with both crops and captions")
    crops_of = {s: np.flatnonzero(subject_of == s) for s in subjects}
    images = torch.as_tensor(np.asarray(image_features, dtype=np.float32))
    captions = {s: torch.as_tensor(np.asarray(caption_features[s], dtype=np.float32)) for s in subjects}
    parameters = [*model.image_projection.parameters(), *model.text_projection.parameters(), model.log_scale]
    optimizer = torch.optim.AdamW(parameters, lr=lr, weight_decay=1e-4)
    loss_fn = ClipLoss()
    started = time.perf_counter()
    for step in range(steps):
        batch_images = images[[int(rng.choice(crops_of[s])) for s in subjects]]
        batch_texts = torch.stack([captions[s][int(rng.integers(len(captions[s])))] for s in subjects])
        image_vectors = torch.nn.functional.normalize(model.image_projection(batch_images), dim=-1)
        text_vectors = torch.nn.functional.normalize(model.text_projection(batch_texts), dim=-1)
        loss = loss_fn(image_vectors, text_vectors, model.log_scale.exp().clamp(max=MAX_LOGIT_SCALE))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model.losses.append(float(loss.detach()))
        if progress and (step % 10 == 9 or step == steps - 1):
            drawing = time.perf_counter()
            progress(step + 1, steps, model.losses[-1])
            started += time.perf_counter() - drawing  # train_seconds counts training, not the page's drawing
    model.train_seconds += time.perf_counter() - started
    return model.losses


def similarity(image_vectors: np.ndarray, text_vectors: np.ndarray) -> np.ndarray:
    """Cosine similarity, images × texts (the vectors are unit length)."""
    return np.asarray(image_vectors) @ np.asarray(text_vectors).T


def probabilities(logit_scale: float, image_vectors: np.ndarray, text_vectors: np.ndarray) -> np.ndarray:
    """Zero-shot classification: softmax over the texts of logit_scale × similarity, one row per image."""
    logits = logit_scale * similarity(image_vectors, text_vectors)
    logits -= logits.max(axis=1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=1, keepdims=True)


def nearest(query_vectors: np.ndarray, candidate_vectors: np.ndarray, k: int = 3) -> list[list[tuple[int, float]]]:
    """For each query, the k most similar candidates as (index, cosine similarity), best first."""
    scores = np.asarray(query_vectors) @ np.asarray(candidate_vectors).T
    order = np.argsort(-scores, axis=1)[:, :k]
    return [[(int(j), float(scores[i, j])) for j in row] for i, row in enumerate(order)]


@dataclass
class LessonData:
    """Locked-tower features of a PairSet (multimodal.image_pairs): what training and evaluation need."""

    towers: Towers
    pairs: Any
    image_features: np.ndarray  # (n images, image_dim)
    caption_features: list[np.ndarray]  # per subject: (training captions, text_dim)
    heldout_caption_features: np.ndarray  # (subjects, text_dim): the paraphrases never trained on


def prepare(towers: Towers, pairs, progress=None) -> LessonData:
    """Embed every crop and caption once with the locked towers (cached on disk)."""
    image_features = towers.embed_images(pairs.images, progress)
    caption_features = [towers.embed_texts(s.captions) for s in pairs.subjects]
    heldout = towers.embed_texts([s.heldout_caption for s in pairs.subjects])
    return LessonData(towers, pairs, image_features, caption_features, heldout)


def train_on(data: LessonData, leave_out: int | None = None, steps: int = 300, seed: int = 0,
             progress: StepProgress | None = None) -> LitModel:
    """A fresh LiT model trained on the training crops, optionally without one subject (crops and captions)."""
    model = new_lit(data.towers, seed=seed)
    rows = data.pairs.indices("train", exclude=leave_out)
    captions = [c[:0] if s == leave_out else c for s, c in enumerate(data.caption_features)]
    train(model, data.image_features[rows], data.pairs.subject_of[rows], captions, steps=steps, seed=seed,
          progress=progress)
    model.left_out = None if leave_out is None else data.pairs.subjects[leave_out].key
    return model


def heldout_scores(model: LitModel, data: LessonData) -> dict[str, float]:
    """Held-out top-1 (held-out crops against the paraphrased captions of all subjects), overall and per subject."""
    rows = data.pairs.indices("heldout")
    truth = data.pairs.subject_of[rows]
    guesses = similarity(model.project_images(data.image_features[rows]),
                         model.project_texts(data.heldout_caption_features)).argmax(axis=1)
    scores = {"all": float(np.mean(guesses == truth))}
    for s, subject in enumerate(data.pairs.subjects):
        scores[subject.key] = float(np.mean(guesses[truth == s] == s))
    return scores
