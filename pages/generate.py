"""Generate: the lecture's text-generation demo, with the sampling settings exposed and streamed."""
from __future__ import annotations

import streamlit as st

from generation import Generation, Sampling
from pages import _ui

_ui.ensure_frame()
DEFAULT_PROMPT = "Once upon a time in a galaxy far, far away"

st.title("✍️ Generate")
st.caption("A language model continues text one token at a time. Change the sampling settings and watch "
           "how the continuation changes. Temperature 0 is greedy: the same text every time.")

mode = st.radio("Mode", ["Raw completion", "Chat"], horizontal=True, key="gen_mode",
                help="Raw: the model continues your text as is. Chat: your text is wrapped in the model's chat "
                     "template, as an instruct model expects.")

with st.expander("Sampling settings", expanded=True):
    c1, c2, c3, c4 = st.columns(4)
    max_new = c1.number_input("Max new tokens", 1, 2048, 64, key="gen_max_new")
    temperature = c2.slider("Temperature", 0.0, 2.0, 0.7, 0.05, key="gen_temperature")
    top_p = c3.slider("Top-p", 0.05, 1.0, 0.95, 0.05, key="gen_top_p")
    top_k = c4.number_input("Top-k (0 = off)", 0, 1000, 40, key="gen_top_k")
    c5, c6, c7 = st.columns([1, 1, 2])
    n = c5.number_input("Sequences", 1, 4, 1, key="gen_n", disabled=mode == "Chat",
                        help="Raw mode: several continuations side by side.")
    seed_text = c6.text_input("Seed (empty = random)", "", key="gen_seed")
    stop_text = c7.text_input("Stop sequences (separate with |, \\n for a newline)", "", key="gen_stop")


def read_sampling() -> Sampling | None:
    try:
        seed = int(seed_text) if seed_text.strip() else None
    except ValueError:
        st.error(f"Seed must be a whole number (or empty for random), not {seed_text!r}.")
        return None
    stops = tuple(s.replace("\\n", "\n") for s in stop_text.split("|") if s)
    try:
        return Sampling(max_new_tokens=int(max_new), temperature=float(temperature), top_p=float(top_p),
                        top_k=int(top_k), seed=seed, stop=stops, n=int(n) if mode == "Raw completion" else 1)
    except ValueError as exc:
        st.error(f"Invalid setting: {exc}")
        return None


def stream_into(slot, generation: Generation) -> str:
    """Stream model text into `slot`, inert (no HTML, no remote images), as every page shows model text."""
    for _ in generation:
        _ui.model_markdown(slot, generation.text, "▌")
    _ui.model_markdown(slot, generation.text)
    return generation.text


sampling = read_sampling()

if mode == "Raw completion":
    prompt = st.text_area("Prompt", DEFAULT_PROMPT, key="gen_prompt", height=100)
    go = st.button("Generate", type="primary", disabled=sampling is None, key="gen_go")
    if go and sampling is not None:
        if not prompt.strip():
            st.error("Type a prompt first.")
        elif (model := _ui.active_model()) is not None:
            columns = st.columns(sampling.n)
            notice = st.empty()
            outputs = []
            for i, column in enumerate(columns):
                with column:
                    if sampling.n > 1:
                        st.markdown(f"**Sequence {i + 1}**")
                    st.markdown(f"*{prompt}*")
                    slot, meta = st.empty(), st.empty()
                    with _ui.action("Generation failed") as attempt:
                        generation = model.stream(prompt, sampling.for_sequence(i), on_wait=_ui.queue_notice(notice))
                        stream_into(slot, generation)
                    if not attempt.ok:
                        break
                    notice.empty()
                    meta.caption(_ui.stats_line(generation.stats))  # this generation's own, not the model's last
                    outputs.append(generation.text)
            st.session_state["gen_last"] = outputs
else:
    history = st.session_state.setdefault("gen_chat", [])
    system = st.text_input("System prompt (optional)", "", key="gen_system")
    for message in history:
        with st.chat_message(message["role"]):
            if message["role"] == "assistant":
                _ui.model_markdown(st.empty(), message["content"])
            else:
                st.markdown(message["content"])
    if history and st.button("Clear chat", key="gen_clear"):
        st.session_state["gen_chat"] = []
        st.rerun()
    question = st.chat_input("Say something to the model")
    if question and sampling is not None and (model := _ui.active_model()) is not None:
        with st.chat_message("user"):
            st.markdown(question)
        messages = ([{"role": "system", "content": system}] if system.strip() else []) + history + \
            [{"role": "user", "content": question}]
        with st.chat_message("assistant"):
            slot, meta, notice = st.empty(), st.empty(), st.empty()
            with _ui.action("Generation failed") as attempt:
                generation = model.stream_chat(messages, sampling, on_wait=_ui.queue_notice(notice))
                stream_into(slot, generation)
            if attempt.ok:
                notice.empty()
                meta.caption(_ui.stats_line(generation.stats))
                history += [{"role": "user", "content": question}, {"role": "assistant", "content": generation.text}]
