"""Tools: questions answered by typed tools that compute on the real data, with the whole trace shown
and every number of the answer traced to the tool result it came from (or flagged)."""
from __future__ import annotations

import streamlit as st

from data.catalog import SAMPLES
from generation import Sampling
from pages import _toolrun, _ui
from toolloop import ANSWER_MODES, tools_prefix
from tools import default_registry

_ui.ensure_frame()
_toolrun.take_prefill()  # a question sent from another page (Summarize) fills the question box
EXAMPLES = {
    "✖️ Multiply two big numbers": "Multiply 12234585 and 48838483920.",
    "🧠 Count a network's parameters": "How many parameters does a NN with 50 inputs, 5 hidden layers, each 128 "
                                      "wide, and 2 outputs have?",
}

st.title("🧮 Tools: numbers from the data, not from the model")
st.caption("The model does not do the arithmetic: it asks for a typed tool, the app validates the arguments and "
           "runs it, and the model words the answer. Every number in the answer is traced to a tool result.")

# --- the dataset the dataset tools work on ------------------------------------------------------
pick = _ui.pick_dataset("Dataset for the dataset tools", "tools_dataset", [s for s in SAMPLES.values() if s.available],
                       none="(none: calculators only)", offer_current=lambda _: True,
                       help="Load any file on the Summarize page to use it here.")
obj = None
with _ui.action(f"Could not open the sample {pick.name}"):  # only a sample is opened here, so only it can fail
    obj = pick.open()
registry = None
with _ui.action("The dataset tools could not be set up for this data; only the calculators are offered"):
    registry = default_registry(obj)
registry = registry or default_registry(None)
if st.session_state.get("tools_for") != pick.value:  # a new dataset: its tools, and the calculators it keeps
    st.session_state.tools_for = pick.value
    st.session_state.tools_enabled = registry.enabled_names

with st.expander("⚙️ Tools and loop settings"):
    enabled = st.multiselect("Tools the model may call", registry.names, key="tools_enabled")
    c1, c2, c3, c4 = st.columns(4)
    answer_mode = c1.selectbox("Answer turn", ANSWER_MODES, key="tools_answer_mode",
                               help="plain_result: the results are given back as plain text (best for small "
                                    "models, see bench/RESULTS.md); no_tools / repeat_guard: the usual tool turns.")
    max_steps = c2.number_input("Step limit", 1, 8, 3, key="tools_max_steps")
    max_new = c3.number_input("Max new tokens per step", 32, 1024, 256, 32, key="tools_max_new")
    constrained = c4.checkbox("Grammar-constrained call", False, key="tools_constrained",
                              help="llama.cpp only: the first step can only produce a valid call of an enabled tool.")
    if registry.skipped:
        st.caption("Not offered for this data: " + _ui.plain("; ".join(f"{n} ({why})"
                                                                      for n, why in registry.skipped.items())))
if obj is not None and (loaded := _ui.loaded_model()) is not None:  # the first question need not compute it
    loaded.prefill_chat(*tools_prefix(registry, set(enabled)))
if not enabled:
    st.warning("No tool is switched on: the model will answer on its own, and its numbers will not come from a "
               "tool. Switch tools on under ⚙️ Tools and loop settings.")

# --- the conversation ---------------------------------------------------------------------------
history = st.session_state.setdefault("tools_chat", [])
row = st.container(horizontal=True)
pressed = [row.button(label, key=f"tools_example_{i}") for i, label in enumerate(EXAMPLES)]
clicked = next((q for q, hit in zip(EXAMPLES.values(), pressed) if hit), None)
if history and row.button("Clear", key="tools_clear"):
    history.clear()
    st.rerun()


for turn in history:
    with st.chat_message("user"):
        st.markdown(turn["question"])
    with st.chat_message("assistant"):
        _toolrun.render_answer(turn)

question = st.chat_input("Ask a question that needs a calculation or the data", key=_toolrun.QUESTION_KEY) or clicked
if question:
    model = _ui.active_model()
    if model is not None:
        with st.chat_message("user"):
            st.markdown(question)
        with st.chat_message("assistant"), _ui.action("The question could not be answered"):
            turn = _toolrun.run_turn(model, registry, [{"role": "user", "content": question}], question,
                                     Sampling(max_new_tokens=int(max_new)), enabled=enabled,
                                     max_steps=int(max_steps), answer_mode=answer_mode, constrained=constrained)
            _toolrun.render_answer(turn)
            if not turn.get("error"):
                history.append(turn)
