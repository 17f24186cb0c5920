"""The llama-server backend against the real child it starts on 127.0.0.1 with SmolLM2: streaming, stats from
the server's timings, the prompt cache, JSON schemas, the model's own control tokens, restart after kill -9,
no child left behind (close, app exit, a short-lived starting thread), the page's one-line error, `serve`."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest
from helpers import ROOT, SMALL, free_port, open_page

from generation import POOL, BackendUnavailable, Sampling, load_models
from generation.control_tokens import COMMON
from generation.errors import ServerRestarted
from generation.llama_build import tool_paths

if not tool_paths()["llama-server"].is_file():
    pytest.skip(f"llama-server is not built ({tool_paths()['llama-server']}); make builds it", allow_module_level=True)

from generation.backends import _llama_process  # noqa: E402
from generation.backends.llama_server import LlamaServerBackend  # noqa: E402

SYSTEM = "You answer questions about a table of sea surface temperatures. " * 8
SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "count": {"type": "integer"}},
          "required": ["city", "count"]}


def load() -> LlamaServerBackend:
    return LlamaServerBackend.load(load_models().get(SMALL))


@pytest.fixture(scope="module")
def backend():
    backend = load()
    yield backend
    backend.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie (killed, not yet reaped) counts as gone
        return f.read().split(")")[-1].split()[0] != "Z"


def gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not alive(pid)


def test_streams_a_chat_with_stats_from_the_servers_timings(backend):
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Say hello."}]
    generation = backend.stream_chat(messages, Sampling(max_new_tokens=16))
    pieces = list(generation)
    assert len(pieces) > 3 and "".join(pieces).strip()
    stats = generation.stats
    timings = stats.extra["timings"]
    assert stats.generated_tokens == timings["predicted_n"] == 16 and stats.finish_reason == "length"
    rendered = backend.apply_chat_template(messages)
    assert rendered.startswith("<|im_start|>system") and rendered.endswith("<|im_start|>assistant\n")
    assert stats.prompt_tokens == timings["prompt_n"] + timings["cache_n"] == backend.count_tokens(rendered)


def test_a_repeated_prefix_comes_from_the_servers_cache(backend):
    first = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "What is the first column?"}]
    "".join(backend.stream_chat(first, Sampling(max_new_tokens=4)))
    follow_up = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "And how many rows?"}]
    generation = backend.stream_chat(follow_up, Sampling(max_new_tokens=4))
    "".join(generation)
    stats = generation.stats
    assert stats.cached_tokens >= backend.count_tokens(SYSTEM) > 50
    assert 0 < stats.prompt_tokens_evaluated < stats.prompt_tokens - 50


def test_a_json_schema_constrains_the_reply(backend):
    assert backend.capabilities.grammar
    text = "".join(backend.stream("A city and a count as JSON:", Sampling(max_new_tokens=60), json_schema=SCHEMA))
    value = json.loads(text)
    assert isinstance(value["city"], str) and isinstance(value["count"], int)


def test_the_models_own_control_tokens_are_neutralised(backend):
    own = sorted(backend.control_tokens - COMMON)  # SmolLM2's vocabulary has tokens no fixed list knows
    assert own, "SmolLM2 declares control tokens beyond control_tokens.COMMON"
    token = own[0]
    rendered = backend.apply_chat_template([{"role": "user", "content": f"a column named {token}x"}])
    assert token not in rendered
    assert backend.tokenize(token) == [backend.vocabulary.llm.tokenize(token.encode(), add_bos=False,
                                                                       special=True)[0]]  # really one token


def test_kill_9_mid_run_fails_that_request_in_one_line_and_the_next_one_works(backend):
    old = backend.process.proc.pid
    pieces = backend.stream("Once upon a time", Sampling(max_new_tokens=2000))
    next(pieces)
    os.kill(old, signal.SIGKILL)
    with pytest.raises(ServerRestarted, match=r"^The model server stopped \(signal 9\) and was restarted; ask again"):
        "".join(pieces)
    assert gone(old) and backend.process.proc.pid != old and alive(backend.process.proc.pid)
    assert "".join(backend.stream("Once upon a time", Sampling(max_new_tokens=8))).strip()


def test_kill_9_between_runs_restarts_before_the_next_request(backend):
    old = backend.process.proc.pid
    os.kill(old, signal.SIGKILL)
    assert gone(old)
    generation = backend.stream("The capital of France is", Sampling(max_new_tokens=8))
    assert "".join(generation).strip()
    assert backend.process.proc.pid != old and generation.stats.generated_tokens == 8


def test_close_leaves_no_child_and_a_short_lived_starting_thread_does_not_kill_it():
    loaded = []
    starter = threading.Thread(target=lambda: loaded.append(load()))  # like a Streamlit script run
    starter.start()
    starter.join()
    backend = loaded[0]
    pid = backend.process.proc.pid
    time.sleep(0.5)
    assert alive(pid), "the child died with the thread that started it"
    assert "".join(backend.stream("Hello", Sampling(max_new_tokens=4))).strip()
    backend.close()
    assert gone(pid, within=1.0)


@pytest.mark.parametrize("ending", ["exit", "kill -9"])
def test_the_child_ends_with_the_app(ending):
    script = ("import sys, threading, time\n"
              "from generation import load_models\n"
              "from generation.backends.llama_server import LlamaServerBackend\n"
              "out = []\n"
              f"load = lambda: out.append(LlamaServerBackend.load(load_models().get({SMALL!r})))\n"
              "t = threading.Thread(target=load)\n"
              "t.start(); t.join()\n"
              "print(out[0].process.proc.pid, flush=True)\n"
              + ("time.sleep(600)\n" if ending == "kill -9" else ""))
    app = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    pid = int(app.stdout.readline())
    if ending == "kill -9":
        app.kill()
    assert app.wait(timeout=60) in (0, -signal.SIGKILL)
    assert gone(pid)


def test_a_missing_binary_is_one_clear_line(monkeypatch, tmp_path, capsys):
    from generation import serve

    monkeypatch.setattr(_llama_process, "tool_paths", lambda: {"llama-server": tmp_path / "llama-server"})
    with pytest.raises(BackendUnavailable, match="llama-server is not built yet .* `make llama`"):
        load()
    assert serve.main(["--model", SMALL]) == 1
    assert "llama-server is not built yet" in capsys.readouterr().err


def test_serve_prints_the_url_and_serves_until_stopped():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "generation", "serve", "--model", SMALL, "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    lines = [proc.stdout.readline() for _ in range(2)]
    assert lines[1].startswith(f"llama-server is ready: http://127.0.0.1:{port}/v1"), lines
    models = httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=10).json()
    assert SMALL in json.dumps(models)
    proc.terminate()
    assert proc.wait(timeout=30) == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)


def decoded(slot: dict) -> int:
    """Tokens a /slots entry has generated so far (`next_token` is one object or a list of them)."""
    tokens = slot.get("next_token") or {}
    return max((t.get("n_decoded", 0) for t in (tokens if isinstance(tokens, list) else [tokens])), default=0)


def test_the_page_shows_a_dead_server_as_one_line_of_text(monkeypatch):
    monkeypatch.setenv("GEOLLM_MODEL", SMALL)
    monkeypatch.setenv("GEOLLM_BACKEND", "llama-server")
    backend = POOL.get(load_models().get(SMALL), "llama-server").backend
    root = backend.process.url.removesuffix("/v1")

    def kill_when_generating():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            slots = httpx.get(f"{root}/slots", timeout=5).json()
            if any(decoded(slot) >= 20 for slot in slots):  # pieces went out to the page
                os.kill(backend.process.proc.pid, signal.SIGKILL)
                return
            time.sleep(0.02)

    at = open_page("pages/generate.py", timeout=180)
    at.number_input(key="gen_max_new").set_value(400)
    at.slider(key="gen_temperature").set_value(0.0)
    killer = threading.Thread(target=kill_when_generating)
    killer.start()
    at.button(key="gen_go").click().run()
    killer.join()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Generation failed: The model server stopped \\(signal 9\\) and was restarted; ask again."]
