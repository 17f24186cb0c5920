"""AppTest: the frame and the Home and Generate pages render, generate, and refuse bad settings."""
from __future__ import annotations

import pytest
from helpers import SMALL, open_page


@pytest.fixture(autouse=True)
def small_model(monkeypatch):
    monkeypatch.setenv("GEOLLM_MODEL", SMALL)


def page(name: str | None = None):
    return open_page(name, timeout=180)


def test_home_renders_with_model_and_health():
    at = page()
    assert any("GeoLLM Explorer" in t.value for t in at.title)
    assert at.sidebar.selectbox(key="sidebar_model").value == SMALL
    assert at.sidebar.selectbox(key="sidebar_backend").value == "llama.cpp"
    table = next(m.value for m in at.markdown if "**Threads**" in m.value)
    assert "SmolLM2" in table and "llama.cpp" in table


def test_generate_streams_text_with_stats():
    at = page("pages/generate.py")
    at.number_input(key="gen_max_new").set_value(12)
    at.slider(key="gen_temperature").set_value(0.0)
    at.button(key="gen_go").click().run()
    assert not at.exception and not at.error
    texts = [m.value for m in at.markdown]
    assert any(t.strip() and "Once upon a time" not in t for t in texts)
    assert any("new tokens" in c.value for c in at.caption)


def test_two_sequences_side_by_side():
    at = page("pages/generate.py")
    at.number_input(key="gen_max_new").set_value(8)
    at.number_input(key="gen_n").set_value(2)
    at.button(key="gen_go").click().run()
    assert not at.exception and not at.error
    assert sum("Sequence" in m.value for m in at.markdown) == 2
    assert len(at.session_state["gen_last"]) == 2


def test_invalid_seed_is_an_error_not_a_crash():
    at = page("pages/generate.py")
    at.text_input(key="gen_seed").set_value("forty-two").run()
    assert not at.exception
    assert any("Seed must be a whole number" in e.value for e in at.error)
    assert at.button(key="gen_go").disabled


def test_chat_mode_answers_and_keeps_history():
    at = page("pages/generate.py")
    at.radio(key="gen_mode").set_value("Chat").run()
    at.number_input(key="gen_max_new").set_value(12)
    at.chat_input[0].set_value("Hello there").run()
    assert not at.exception and not at.error
    history = at.session_state["gen_chat"]
    assert [m["role"] for m in history] == ["user", "assistant"] and history[1]["content"].strip()


def test_a_broken_backend_choice_is_explained(monkeypatch):
    at = page("pages/generate.py")
    at.session_state["backend"] = "mlx"  # AppTest keeps the frame's sidebar only on the first run
    import generation.backend as backend_module
    monkeypatch.setitem(backend_module.BACKENDS, "mlx", "generation.backends.no_such_module:X")
    at.button(key="gen_go").click().run()
    assert not at.exception
    assert any("not installed" in e.value for e in at.error)
