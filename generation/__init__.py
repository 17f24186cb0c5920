"""The one generation core. Every page and the CLI go through here; none talks to an engine directly.

    from generation import POOL, Sampling, load_models
    model = POOL.get(load_models().get("smollm2-135m"), "llama.cpp")
    for piece in model.stream("Once upon a time", Sampling(max_new_tokens=32)):
        print(piece, end="")
    print(model.backend.stats)
"""
from .backend import BACKENDS, Backend, BackendUnavailable, backend_available, backend_class
from .provision import ModelFileError, cache_dir, gguf_path
from .registry import DEFAULT_MODEL_ID, Catalog, ModelSpec, load_models
from .shared import POOL, ModelPool, SharedModel, load_backend
from .types import Message, Sampling, Stats, Tool

__all__ = [
    "BACKENDS", "Backend", "BackendUnavailable", "backend_available", "backend_class", "ModelFileError",
    "cache_dir", "gguf_path", "DEFAULT_MODEL_ID", "Catalog", "ModelSpec", "load_models", "POOL", "ModelPool",
    "SharedModel", "load_backend", "Message", "Sampling", "Stats", "Tool",
]
