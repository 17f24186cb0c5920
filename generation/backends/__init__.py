"""The engines: each module here defines one Backend subclass, which registers itself when imported.

Importing this package (`import generation` does) imports every module here whose name does not start
with an underscore, found with pkgutil. A backend module imports its engine library (llama_cpp, torch,
transformers, mlx, httpx) only inside its methods, so this scan stays cheap. To add a backend, add a
module here; no table elsewhere lists them.
"""
from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
