"""Tools: questions answered by typed tools that compute on the real data, with the whole trace shown
and every number of the answer traced to the tool result it came from (or flagged)."""
from __future__ import annotations


import streamlit as st

from data import DataLoadError, open_sample
from data.catalog import SAMPLES
from generation import Sampling
from generation.numbers import check_numbers, markdown_with_marks
from generation.toolcall import ANSWER_MODES, ToolLoop
from pages import _ui
from tools import default_registry

_ui.ensure_frame()
EXAMPLES = {
    "✖️ Multiply two big numbers": "Multiply 12234585 and 48838483920.",
    "🧠 Count a network's parameters": "How many parameters does a NN with 50 inputs, 5 hidden layers, each 128 "
                                      "wide, and 2 outputs have?",
}

st.title("🧮 Tools: numbers from the data, not from the model")
st.caption("The model does not do the arithmetic: it asks for a typed tool, the app validates the arguments and "
           "runs it, and the model words the answer. Every number in the answer is traced to a tool result.")

# --- the dataset the dataset tools work on ------------------------------------------------------
dataset = st.session_state.get("dataset")
choices = ["(none: calculators only)"] + ([f"loaded: {dataset['name']}"] if dataset else []) + \
    [f"sample: {s.title}" for s in SAMPLES.values() if s.available]
pick = st.selectbox("Dataset for the dataset tools", choices, index=1 if dataset else 0, key="tools_dataset",
                    help="Load any file on the Summarize page to use it here.")
obj = None
if pick.startswith("loaded:"):
    obj = dataset["obj"]
elif pick.startswith("sample:"):
    sample = next(s for s in SAMPLES.values() if f"sample: {s.title}" == pick)
    try:
        obj = open_sample(sample.id)
    except DataLoadError as exc:
        st.error(f"Could not open the sample: {exc}")
registry = default_registry(obj)
if st.session_state.get("tools_for") != pick:  # a new dataset: its tools, and the calculators it keeps
    st.session_state.tools_for = pick
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
        st.caption("Not offered for this data: " + "; ".join(f"{n} ({why})" for n, why in registry.skipped.items()))
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


def render_trace(steps: list[dict]) -> None:
    for step in steps:
        title = f"Step {step['index'] + 1}: " + (", ".join(c["name"] or "unreadable call" for c in step["calls"])
                                                 or "answer")
        with st.expander(title, expanded=False):
            st.markdown("**Model text**" + (" (grammar-constrained)" if step["constrained"] else "")
                        + ("" if step["tools_offered"] else " (tools not offered)"))
            st.code(step["text"] or "(empty)", language=None, wrap_lines=True)
            for call, result in zip(step["calls"], step["results"]):
                st.markdown(f"**Parsed call** `{call['name']}` with arguments")
                st.json(call["arguments"], expanded=True)
                if result["ok"]:
                    st.markdown(f"**Result** ✓ ({result['duration_s'] * 1000:.1f} ms)")
                    st.code(result["text"], language="json", wrap_lines=True)
                else:
                    st.markdown("**Refused or failed** — sent back to the model:")
                    st.warning(result["error"])
            st.caption(step["stats"])


def render_answer(turn: dict) -> None:
    st.markdown(turn["answer_html"], unsafe_allow_html=True)
    st.caption(turn["check"])
    render_trace(turn["steps"])


for turn in history:
    with st.chat_message("user"):
        st.markdown(turn["question"])
    with st.chat_message("assistant"):
        render_answer(turn)

question = st.chat_input("Ask a question that needs a calculation or the data", key="tools_question") or clicked
if question:
    model = _ui.active_model()
    if model is not None:
        with st.chat_message("user"):
            st.markdown(question)
        with st.chat_message("assistant"):
            status, live, notice = st.empty(), st.empty(), st.empty()
            try:
                loop = ToolLoop(model, registry, [{"role": "user", "content": question}],
                                Sampling(max_new_tokens=int(max_new)), enabled=set(enabled),
                                max_steps=int(max_steps), answer_mode=answer_mode, constrained=constrained)
                text, steps = "", []
                for kind, item in loop.run():
                    if kind == "text":
                        text += item
                        live.code(text + "▌", language=None, wrap_lines=True)
                    elif kind == "step":
                        calls = ", ".join(c.name for c in item.calls)
                        status.info(f"Step {item.index + 1}: " + (f"ran {calls}" if calls else "answering"))
                        text = ""
                        steps.append(item)
            except (ValueError, RuntimeError) as exc:
                live.empty()
                st.error(f"The tool loop failed: {exc}")
            else:
                status.empty()
                live.empty()
                checked = check_numbers(loop.answer, loop.known())
                traced = sum(c.found for c in checked)
                turn = {
                    "question": question,
                    "answer_html": markdown_with_marks(loop.answer, checked),
                    "check": (f"Numbers: ✓ {traced} traced to tool results or your question · ⚠ {len(checked) - traced}"
                              f" not traced or said of something else · ended by: {loop.stopped} after {len(steps)} step(s)"),
                    "steps": [{"index": s.index, "text": s.model_text, "constrained": s.constrained,
                               "tools_offered": s.tools_offered, "stats": _ui.stats_line(s.stats) if s.stats else "",
                               "calls": [{"name": c.name, "arguments": c.arguments} for c in s.calls],
                               "results": [{"ok": r.ok, "text": r.text, "error": r.error,
                                            "duration_s": r.duration_s} for r in s.results]} for s in steps],
                }
                render_answer(turn)
                history.append(turn)
