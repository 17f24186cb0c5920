"""AppTest of the Inside-the-transformer page on SmolLM2 (transformers backend): every tab renders from the
real model, the lecture's numbers appear, and bad input gives a message instead of a traceback."""
from __future__ import annotations

import pytest
from helpers import open_page

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
TABS = ["🔤 Tokens", "📍 Embeddings", "🌀 Position", "👀 Attention", "🎲 Next token", "🦴 Anatomy"]


@pytest.fixture(scope="module")
def at():
    return open_page("pages/transformer.py", timeout=600)


def open_tab(at, name: str):
    at.session_state["tr_tab"] = name
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_tokens_tab_counts_tokens_and_strategies(at):
    at.text_area(key="tr_tok_text").input("The cat sat on the mat").run()
    open_tab(at, TABS[0])
    assert "**6 tokens** for 22 characters" in markdown(at)
    strategies = at.dataframe[0].value
    assert strategies["strategy"].iloc[-1].startswith("whole file")
    assert strategies["tokens"].iloc[-1] > strategies["tokens"].iloc[:-1].max()


def test_every_tab_renders(at):
    for name in TABS[1:]:
        open_tab(at, name)
    assert "72,834 parameters" in markdown(at)  # the lecture's MLP: 50 inputs, 5 x 128 hidden, 2 outputs
    assert "134,515,008" in markdown(at)  # SmolLM2-135M, counted tensor by tensor


def test_attention_of_the_lecture_sentence_and_a_bad_input(at):
    open_tab(at, TABS[3])
    assert at.text_input(key="tr_att_text").value == "The cat sat on the mat"
    assert at.selectbox(key="tr_att_token").options[-1].endswith("␣mat")
    at.slider(key="tr_att_layer").set_value(5).run()
    assert not at.exception
    at.text_input(key="tr_att_text").input("   ").run()
    assert not at.exception and "type some text" in at.warning[0].value
    at.text_input(key="tr_att_text").input("Granite is an igneous rock").run()
    open_tab(at, TABS[5])
    open_tab(at, TABS[3])  # what was typed survives while another tab is open
    assert at.text_input(key="tr_att_text").value == "Granite is an igneous rock"
    assert at.slider(key="tr_att_layer").value == 5


def test_greedy_step_by_step_and_bad_widths(at):
    open_tab(at, TABS[4])
    at.slider(key="tr_next_temperature").set_value(0.0).run()
    at.button(key="tr_steps_go").click().run()
    assert not at.exception
    steps = at.dataframe[-1].value
    assert len(steps) == 8 and (steps["p (settings)"] == 1.0).all()  # greedy: the argmax, every time
    assert all(row["candidates"].startswith(row["chosen"] + " 1.00") for _, row in steps.iterrows())
    open_tab(at, TABS[5])
    at.text_input(key="tr_mlp_hidden").input("128, wide").run()
    assert not at.exception and "whole numbers" in at.error[0].value
