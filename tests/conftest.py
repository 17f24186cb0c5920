"""Shared fixtures: real models (loaded once per test session) and the artifact folder."""
from __future__ import annotations

import os

import pytest

if os.environ.get("PYTEST_XDIST_WORKER"):
    # One worker per core: each model runs on one thread (two threads per worker would oversubscribe
    # the cores, which stalls llama.cpp's and torch's thread pools). Set before any model loads.
    os.environ.setdefault("GEOLLM_THREADS", "1")
    os.environ.setdefault("GEOLLM_TORCH_THREADS", "1")

from helpers import ARTIFACTS, local_backend  # noqa: E402

from generation import POOL  # noqa: E402


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(params=["llama.cpp", "transformers", "mlx"])
def backend(request):
    return local_backend(request.param)


@pytest.fixture(scope="session", autouse=True)
def _free_models():
    yield
    POOL.clear()

