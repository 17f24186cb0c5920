"""Image–caption pairs for teaching CLIP-style alignment, from images that ship in installed packages.

    pairs = build_pairs()        # crops of each subject with captions; a train split and a held-out split
    pairs.images[i], pairs.subject_of[i], pairs.split[i]  ("train" | "heldout")
    SUBJECTS[k].captions         # training captions;  SUBJECTS[k].heldout_caption  # a paraphrase never trained on
    render_field(data_array)     # any 2-D field (SST, topography, a DEM, a loaded dataset) → RGB image

Subjects: cartopy's MODIS image of Hurricane Miriam and its Natural Earth shaded-relief map, scikit-image's
photographs (moon, gravel, grass, coffee, rocket, astronaut, brick, Hubble deep field) and three geoscience
fields rendered from the sample data (HadISST SST, ETOPO topography/bathymetry, the Jacksboro DEM).
Training crops come from the left part of each image (with flips and brightness/contrast jitter);
held-out crops come from a separate region (the right part), so no held-out pixel is ever trained on.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CROP_SIZE = 224
TRAIN_FRACTION = 0.7  # columns [0, 70 %) give training crops; [70 %, 100 %) give held-out crops
MIN_SIDE = 448  # rendered fields are enlarged to at least this many pixels a side


@dataclass(frozen=True)
class Subject:
    key: str
    label: str
    captions: tuple[str, ...]  # used in training
    heldout_caption: str  # a paraphrase, never used in training
    source: str
    load: Callable[[], np.ndarray] = field(repr=False, compare=False)


@dataclass
class PairSet:
    subjects: list[Subject]
    images: list[np.ndarray]  # CROP_SIZE × CROP_SIZE × 3 uint8
    subject_of: np.ndarray  # index into subjects, one per image
    split: np.ndarray  # "train" | "heldout", one per image
    skipped: dict[str, str] = field(default_factory=dict)  # subject key -> why its picture could not be loaded

    def indices(self, split: str, exclude: int | None = None) -> np.ndarray:
        keep = self.split == split
        if exclude is not None:
            keep &= self.subject_of != exclude
        return np.flatnonzero(keep)


def render_field(values, cmap: str = "viridis", min_side: int = MIN_SIDE) -> np.ndarray:
    """A 2-D field as an RGB uint8 image: colour-mapped between its 2nd and 98th percentiles, missing
    values light grey, north up (rows whose coordinate increases are flipped), enlarged to `min_side`."""
    import matplotlib
    from PIL import Image

    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or min(array.shape) < 2:
        raise ValueError(f"render_field needs a 2-D field of at least 2×2 values; got shape {array.shape}")
    dims = getattr(values, "dims", None)
    if dims is not None and dims[0] in values.coords:
        rows = np.asarray(values[dims[0]].values, dtype=np.float64)
        if rows.size > 1 and rows[-1] > rows[0]:
            array = array[::-1]
    finite = np.isfinite(array)
    if not finite.any():
        raise ValueError("the field has no finite values to draw")
    low, high = np.percentile(array[finite], [2, 98])
    scaled = np.clip((array - low) / ((high - low) or 1.0), 0, 1)
    rgb = matplotlib.colormaps[cmap](np.where(finite, scaled, 0.0))[..., :3]
    rgb[~finite] = 0.85
    image = Image.fromarray((rgb * 255).astype(np.uint8))
    scale = max(1.0, min_side / min(image.size))
    if scale > 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.BICUBIC)
    return np.asarray(image)


def _skimage(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        import skimage.data

        return getattr(skimage.data, name)()
    return load


def _cartopy_file(*parts: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        import cartopy
        from PIL import Image

        return np.asarray(Image.open(Path(cartopy.__file__).parent.joinpath("data", "raster", *parts)).convert("RGB"))
    return load


def _sample_field(sample: str, variable: str, cmap: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from data.catalog import open_sample

        da = open_sample(sample)[variable].squeeze()
        return render_field(da.isel({d: 0 for d in da.dims[:-2]}).load(), cmap)
    return load


SUBJECTS: list[Subject] = [
    Subject("hurricane", "hurricane", ("a satellite image of a hurricane",
            "clouds spiralling around the eye of a storm", "a tropical cyclone seen from orbit"),
            "a huge rotating storm system photographed from space",
            "cartopy: MODIS image of Hurricane Miriam (2012)", _cartopy_file("sample", "Miriam.A2012270.2050.2km.jpg")),
    Subject("relief", "world relief map", ("a shaded relief map of the world", "a map of continents and oceans",
            "a world map with mountains and blue seas"), "the globe's land masses drawn on a flat map",
            "cartopy: Natural Earth shaded relief",
            _cartopy_file("natural_earth", "50-natural-earth-1-downsampled.png")),
    Subject("moon", "moon", ("the cratered surface of the moon", "a grey photo of lunar craters",
            "the moon's surface seen through a telescope"), "craters on our natural satellite",
            "scikit-image: moon", _skimage("moon")),
    Subject("gravel", "gravel", ("a close-up of gravel", "small pebbles and stones on the ground",
            "a texture of loose rock fragments"), "a heap of little rocks",
            "scikit-image: gravel", _skimage("gravel")),
    Subject("grass", "grass", ("a close-up of grass", "blades of grass in a lawn", "a texture of grass leaves"),
            "green turf seen from very close", "scikit-image: grass", _skimage("grass")),
    Subject("coffee", "coffee", ("a cup of coffee", "an espresso on a saucer", "a coffee cup on a table"),
            "a hot drink served in a mug", "scikit-image: coffee", _skimage("coffee")),
    Subject("rocket", "rocket",
            ("a rocket on the launch pad", "a space launch vehicle", "a tall rocket before liftoff"),
            "a spacecraft booster ready to fly", "scikit-image: rocket", _skimage("rocket")),
    Subject("astronaut", "astronaut", ("a portrait of an astronaut", "a person in a space suit",
            "an astronaut with a flag"), "a space traveller in uniform posing for a photo",
            "scikit-image: astronaut", _skimage("astronaut")),
    Subject("brick", "brick wall", ("a brick wall", "rows of bricks and mortar", "a texture of masonry"),
            "a wall built from clay blocks", "scikit-image: brick", _skimage("brick")),
    Subject("galaxies", "deep-sky galaxies", ("a telescope image of distant galaxies", "the Hubble deep field",
            "many faint galaxies in a dark sky"), "countless far-away star systems in deep space",
            "scikit-image: Hubble deep field", _skimage("hubble_deep_field")),
    Subject("sst", "sea surface temperature map", ("a map of sea surface temperature",
            "ocean temperature, warm at the equator and cold at the poles", "a global SST field"),
            "a chart of how warm the sea is across the globe", "HadISST sample (rendered)",
            _sample_field("hadisst-sst", "sst", "RdYlBu_r")),
    Subject("topobathy", "topography and bathymetry", ("a map of topography and bathymetry",
            "land elevation and ocean depth", "a relief map of a coastline and the sea floor"),
            "heights on land and depths under the sea", "ETOPO topobathy sample (rendered)",
            _sample_field("topobathy", "topo", "terrain")),
    Subject("dem", "digital elevation model", ("a digital elevation model",
            "a terrain height grid of hills and valleys", "an elevation raster of a landscape"),
            "a gridded map of ground height",
            "Jacksboro DEM sample (rendered)", _sample_field("jacksboro-dem", "elevation", "gist_earth")),
]


def random_crop(image: np.ndarray, columns: tuple[int, int], rng: np.random.Generator, augment: bool) -> np.ndarray:
    """A square crop from the image's columns [start, stop), resized to CROP_SIZE; optionally flipped and jittered."""
    from PIL import Image

    from multimodal.towers import as_rgb

    image = as_rgb(image)
    height = image.shape[0]
    start, stop = columns
    largest = min(height, stop - start)
    side = int(largest * rng.uniform(0.5, 1.0)) if augment else int(largest * rng.uniform(0.8, 1.0))
    top = int(rng.integers(0, height - side + 1))
    left = int(rng.integers(start, stop - side + 1))
    crop = Image.fromarray(image[top:top + side, left:left + side]).resize((CROP_SIZE, CROP_SIZE), Image.BICUBIC)
    array = np.asarray(crop, dtype=np.float32)
    if augment:
        if rng.random() < 0.5:
            array = array[:, ::-1]
        array = (array - array.mean()) * rng.uniform(0.85, 1.15) + array.mean() + rng.uniform(-15, 15)
    return np.clip(array, 0, 255).astype(np.uint8)


def build_pairs(train_crops: int = 16, heldout_crops: int = 4, seed: int = 0) -> PairSet:
    """Crops of every subject: `train_crops` from its training region, `heldout_crops` from its held-out region.
    A subject whose picture cannot be loaded (its package missing or broken) is skipped and named in `skipped`."""
    from data.errors import DataLoadError

    rng = np.random.default_rng(seed)
    images, subject_of, split, subjects, skipped = [], [], [], [], {}
    for subject in SUBJECTS:
        try:
            picture = subject.load()
        except (DataLoadError, ImportError, OSError, ValueError) as exc:
            skipped[subject.key] = f"{subject.source}: {exc}"
            continue
        index = len(subjects)
        subjects.append(subject)
        boundary = int(picture.shape[1] * TRAIN_FRACTION)
        for name, count, columns, augment in (("train", train_crops, (0, boundary), True),
                                              ("heldout", heldout_crops, (boundary, picture.shape[1]), False)):
            for _ in range(count):
                images.append(random_crop(picture, columns, rng, augment))
                subject_of.append(index)
                split.append(name)
    return PairSet(subjects, images, np.array(subject_of), np.array(split), skipped)


MAX_SIDE = 1024  # uploads are shrunk to this many pixels a side before anything else


def decode_image(content: bytes) -> np.ndarray:
    """An uploaded image file → RGB uint8, shrunk to MAX_SIDE. Raises ValueError for anything not an image."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            return np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise ValueError(f"this file is not an image Pillow can read ({type(exc).__name__})") from exc
