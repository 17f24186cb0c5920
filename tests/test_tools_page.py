"""AppTest of the Tools page: the lecture's example answered through a real tool call, traced and checked."""
from __future__ import annotations

import pytest
from helpers import TOOL_MODEL, open_page


@pytest.fixture(autouse=True)
def tool_model(monkeypatch):
    monkeypatch.setenv("GEOLLM_MODEL", TOOL_MODEL)


def tools_page():
    return open_page("pages/tool_calls.py", timeout=600)


def test_calculators_only_without_a_dataset():
    at = tools_page()
    enabled = at.multiselect(key="tools_enabled").value
    assert "multiply" in enabled and "statistic" not in enabled


def test_a_sample_dataset_brings_the_dataset_tools():
    at = tools_page()
    assert any(o.startswith("sample: Seattle") for o in at.selectbox(key="tools_dataset").options)  # by title
    at.selectbox(key="tools_dataset").set_value("seattle-weather").run()  # ... and picked by their id
    assert not at.exception
    enabled = at.multiselect(key="tools_enabled").value
    assert "statistic" in enabled and "calculate" in enabled and "multiply" not in enabled  # a short prompt
    assert not at.warning
    at.multiselect(key="tools_enabled").set_value([]).run()
    assert "No tool is switched on" in at.warning[0].value  # the model would answer on its own


@pytest.mark.slow
def test_lecture_example_is_answered_with_a_traced_number():
    at = tools_page()
    at.multiselect(key="tools_enabled").set_value(["multiply", "add", "calculate"]).run()
    at.chat_input(key="tools_question").set_value("Multiply 12234585 and 48838483920.").run()
    assert not at.exception and not at.error
    turn = at.session_state["tools_chat"][-1]
    assert turn["steps"][0]["calls"][0]["name"] == "multiply"
    assert "597518582790373200" in turn["answer_md"].replace(",", "")
    assert ":green[✓]" in turn["answer_md"]
    assert any(n["found"] and n["why"].startswith("from multiply(") for n in turn["numbers"])
    assert "ended by: answer" in turn["check"]
    assert any("Step 1: multiply" in e.label for e in at.expander)


def test_a_question_sent_from_another_page_fills_the_box_without_asking():
    at = tools_page()
    at.session_state["tools_prefill"] = "What is the highest sst?"
    at.run()
    assert not at.exception
    box = at.chat_input(key="tools_question")
    assert box.proto.value == "What is the highest sst?" and box.proto.set_value
    assert not at.session_state["tools_chat"]  # filled in, not asked: the user sends it
    at.run()
    assert not at.chat_input(key="tools_question").proto.set_value  # filled once, not on every rerun


def test_a_failing_loop_is_explained_not_a_traceback(monkeypatch):
    from toolloop import ToolLoop

    def broken(self):
        raise ValueError("the prompt is longer than the context")
        yield

    monkeypatch.setattr(ToolLoop, "run", broken)
    at = tools_page()
    at.chat_input(key="tools_question").set_value("Multiply 2 and 3.").run()
    assert not at.exception
    assert "The tool loop failed: the prompt is longer than the context" in at.error[0].value
    assert not at.session_state["tools_chat"]
