"""The one generation core. Every page and the CLI go through here; none talks to an engine directly.

    from generation import POOL, Sampling, load_models
    model = POOL.get(load_models().get("smollm2-135m"), "llama.cpp")
    gen = model.stream("Once upon a time", Sampling(max_new_tokens=32))
    for piece in gen:
        print(piece, end="")
    print(gen.stats)  # this call's own token counts and timings, whoever else uses the model

A Generation (generation.result) is what every stream call returns: an iterator of text pieces with its own
Stats. On a SharedModel, waiting requests take turns by a Scheduler (generation.scheduler): the shortest
estimated work first, with aging, and `on_wait(ahead, seconds)` tells a waiting caller its place.

Everything the core raises on purpose is a GenerationError (generation.errors).
"""
from . import backends as _backends  # noqa: F401 - imports generation/backends/*, which register themselves
from .backend import BACKENDS, INSTALL_HINTS, Backend, backend_available, backend_class
from .backend_registry import BACKENDS_FOR_FORMAT
from .errors import BackendUnavailable, ChatTemplateError, GenerationError, ModelFileError, ServerError
from .provision import cache_dir, gguf_path
from .registry import DEFAULT_MODEL_ID, Catalog, ModelSpec, load_models
from .result import Generation
from .scheduler import Cost, Scheduler
from .shared import POOL, ModelPool, SharedModel, load_backend
from .types import Capabilities, Message, Sampling, Stats, Tool

__all__ = [
    "BACKENDS", "BACKENDS_FOR_FORMAT", "INSTALL_HINTS", "Backend", "Capabilities", "backend_available",
    "backend_class", "GenerationError", "BackendUnavailable", "ChatTemplateError", "ModelFileError",
    "ServerError", "Generation", "Cost", "Scheduler", "cache_dir", "gguf_path", "DEFAULT_MODEL_ID", "Catalog",
    "ModelSpec", "load_models", "POOL", "ModelPool", "SharedModel", "load_backend", "Message", "Sampling", "Stats",
    "Tool",
]
