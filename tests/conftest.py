"""Shared fixtures: real models (loaded once per test session) and the artifact folder."""
from __future__ import annotations

import pytest
from helpers import ARTIFACTS, local_backend

from generation import POOL


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

