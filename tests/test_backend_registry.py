"""Backends register themselves: a class declaring a name, its modules, install hint, weight formats and typed
capabilities shows up in every table (BACKENDS, INSTALL_HINTS, the format table, the TOML keys) with no table
edited; `import generation` imports no engine; and everything the core raises on purpose is a GenerationError."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest
from helpers import ROOT

import generation
from generation import (
    BACKENDS,
    BACKENDS_FOR_FORMAT,
    INSTALL_HINTS,
    Backend,
    BackendUnavailable,
    Capabilities,
    GenerationError,
    backend_available,
    backend_class,
    load_models,
)
from generation.backend_registry import NEEDS, REGISTERED, formats, unregister
from generation.registry import spec_from_toml

HINT = "pip install toy-engine"


@pytest.fixture
def toy():
    """A backend defined here, for a weight format no other backend runs; forgotten after the test."""

    class ToyBackend(Backend):
        name = "toy"
        needs = ("json",)  # always importable
        install_hint = HINT
        formats = ("toy", "gguf")
        order = 50  # after the built-in backends (0 to 4)
        capabilities = Capabilities(grammar=True)

        @classmethod
        def load(cls, spec, progress=None):
            return cls()

        def _stream(self, prompt, sampling, stats, **options):
            yield prompt

        def tokenize(self, text):
            return list(range(len(text.split())))

        def _render_chat(self, messages, tools, add_generation_prompt):
            return "\n".join(m["content"] for m in messages)

    try:
        yield ToyBackend
    finally:
        unregister("toy")


def test_a_new_backend_registers_itself_in_every_table(toy):
    assert REGISTERED["toy"] is toy
    assert toy.capabilities.grammar and not toy.capabilities.native_tool_calls
    assert BACKENDS["toy"] == f"{toy.__module__}:{toy.__qualname__}"
    assert INSTALL_HINTS["toy"] == HINT and NEEDS["toy"] == ("json",) and backend_available("toy")
    assert BACKENDS_FOR_FORMAT["toy"] == ("toy",)
    assert BACKENDS_FOR_FORMAT["gguf"] == ("llama.cpp", "transformers", "mlx", "llama-server", "toy")  # not the default
    assert list(BACKENDS) == ["llama.cpp", "transformers", "mlx", "openai", "llama-server", "toy"]
    assert "toy" in formats()
    spec = spec_from_toml({"id": "mine", "toy": "/models/mine.toy"})  # the TOML key comes with the format
    assert spec.format == "toy" and spec.backends == ("toy",) and spec.default_backend == "toy"
    assert load_models().get("smollm2-135m").default_backend == "llama.cpp"


def test_unregistering_takes_it_out_of_every_table(toy):
    unregister("toy")
    assert "toy" not in BACKENDS and "toy" not in INSTALL_HINTS and "toy" not in NEEDS
    assert "toy" not in BACKENDS_FOR_FORMAT
    assert BACKENDS_FOR_FORMAT["gguf"] == ("llama.cpp", "transformers", "mlx", "llama-server")
    with pytest.raises(ValueError, match="give exactly one of gguf, hf, mlx or openai_base_url"):
        spec_from_toml({"id": "mine", "toy": "/models/mine.toy"})


def test_the_builtin_backends_are_declared_not_listed():
    assert list(BACKENDS) == ["llama.cpp", "transformers", "mlx", "openai", "llama-server"]
    assert BACKENDS_FOR_FORMAT == {"gguf": ("llama.cpp", "transformers", "mlx", "llama-server"),
                                   "hf": ("transformers", "mlx"),
                                   "mlx": ("mlx",), "openai": ("openai",)}
    assert NEEDS == {"llama.cpp": ("llama_cpp",), "transformers": ("torch", "transformers"),
                     "mlx": ("mlx", "mlx_lm"), "openai": ("httpx",), "llama-server": ("httpx", "llama_cpp")}
    assert all(INSTALL_HINTS[name].startswith("pip install -r requirements") for name in BACKENDS)
    caps = {name: cls.capabilities for name, cls in REGISTERED.items()}
    assert {name for name, c in caps.items() if c.grammar} == {"llama.cpp", "llama-server"}
    assert [name for name, c in caps.items() if c.native_tool_calls] == ["mlx"]


def test_a_backend_whose_modules_are_missing_is_unavailable_with_its_hint(toy):
    class Missing(toy):
        name = "missing"
        needs = ("no_such_engine_module_xyz",)
        install_hint = "pip install no-such-engine"

    try:
        assert not backend_available("missing")
        with pytest.raises(BackendUnavailable, match=r"The missing backend is not installed "
                                                     r"\(no_such_engine_module_xyz\)\. Install it with: pip install"):
            backend_class("missing")
    finally:
        unregister("missing")


def test_a_taken_name_or_no_format_is_refused(toy):
    with pytest.raises(ValueError, match="'toy' is taken"):
        type("Other", (toy,), {"name": "toy"})
    with pytest.raises(ValueError, match="weight formats"):
        type("Formless", (toy,), {"name": "formless", "formats": ()})
    assert "formless" not in BACKENDS


def test_importing_generation_imports_no_engine():
    code = ("import sys, generation; heavy = ('torch', 'transformers', 'llama_cpp', 'mlx', 'mlx_lm', 'httpx', "
            "'jinja2', 'psutil'); print([m for m in heavy if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_every_generation_exception_is_a_generation_error():
    found = set()
    for module in pkgutil.walk_packages(generation.__path__, "generation."):
        if module.name.endswith("__main__"):
            continue  # runs the provisioning command
        for _, obj in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__.startswith("generation"):
                found.add(obj)
    assert {cls.__name__ for cls in found} >= {"BackendUnavailable", "ModelFileError", "ChatTemplateError",
                                               "ServerError", "GenerationError"}
    assert all(issubclass(cls, GenerationError) for cls in found), found
    assert issubclass(GenerationError, RuntimeError)  # what callers caught before
    assert issubclass(generation.ChatTemplateError, ValueError)
