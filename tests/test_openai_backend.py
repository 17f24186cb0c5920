"""The OpenAI-compatible backend against real servers started here on 127.0.0.1: llama-cpp-python's
llama_cpp.server, and llama.cpp's own llama-server built by `make` from the same vendored source."""
from __future__ import annotations

import sys

import pytest
from helpers import SMALL, free_port, start_server, stop_server

from generation import Sampling, load_models
from generation.backends.openai_http import OpenAIBackend, ServerError
from generation.llama_build import tool_paths
from generation.provision import gguf_path
from generation.registry import ModelSpec


@pytest.fixture(scope="module", params=["llama_cpp.server", "llama-server"])
def server(request):
    port = free_port()
    path = gguf_path(load_models().get(SMALL))
    url = f"http://127.0.0.1:{port}/v1"
    if request.param == "llama-server":
        binary = tool_paths()["llama-server"]
        assert binary.is_file(), "make builds llama-server (generation/llama_build.py)"
        command = [str(binary), "--model", str(path), "--host", "127.0.0.1", "--port", str(port), "--ctx-size", "2048",
                   "--alias", "smollm2", "--threads", "1", "--parallel", "1"]
    else:
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host", "127.0.0.1",
                   "--port", str(port), "--n_ctx", "2048", "--model_alias", "smollm2"]
    proc = start_server(command, f"{url}/models")
    yield url
    stop_server(proc)


@pytest.fixture(scope="module")
def backend(server):
    spec = ModelSpec(id="srv", title="srv", format="openai", base_url=server, api_model="smollm2",
                     context_length=2048)
    return OpenAIBackend.load(spec)


def test_streams_deterministic_greedy_text(backend):
    generation = backend.stream("Once upon a time in a galaxy far, far away", Sampling(max_new_tokens=16))
    pieces = list(generation)
    assert len(pieces) > 3  # it really streamed, piece by piece
    again = "".join(backend.stream("Once upon a time in a galaxy far, far away", Sampling(max_new_tokens=16)))
    assert "".join(pieces) == generation.text == again and again.strip()
    assert generation.stats.generated_tokens >= 8 and generation.stats.time_to_first_token_s > 0


def test_stop_sequences_and_token_counts(backend):
    generation = backend.stream("Count: 1, 2, 3, 4,", Sampling(max_new_tokens=40, stop=(" 7",)))
    text = "".join(generation)
    assert " 7" not in text and "6" in text
    assert generation.stats.finish_reason == "stop"
    assert backend.capabilities.exact_tokens
    assert generation.stats.prompt_tokens == backend.count_tokens("Count: 1, 2, 3, 4,") > 5


def test_chat_goes_through_the_servers_template(backend):
    generation = backend.stream_chat([{"role": "user", "content": "Say hello."}], Sampling(max_new_tokens=24))
    answer = "".join(generation)
    assert answer.strip() and "<|im_" not in answer
    assert generation.stats.generated_tokens >= 1 and generation.stats.finish_reason in {"stop", "length"}


def test_unreachable_server_is_a_clear_error():
    spec = ModelSpec(id="gone", title="gone", format="openai", base_url=f"http://127.0.0.1:{free_port()}/v1",
                     api_model="x")
    with pytest.raises(ServerError, match="cannot reach the server"):
        OpenAIBackend.load(spec)


def test_missing_api_key_variable_is_named(monkeypatch):
    monkeypatch.delenv("GEOLLM_TEST_KEY", raising=False)
    spec = ModelSpec(id="k", title="k", format="openai", base_url="http://127.0.0.1:1/v1", api_model="x",
                     api_key_env="GEOLLM_TEST_KEY")
    with pytest.raises(ServerError, match="GEOLLM_TEST_KEY"):
        OpenAIBackend.load(spec)
