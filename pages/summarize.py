"""Summarize: open a sample or an upload, look at it, encode it under a token budget, stream a summary,
ask follow-ups, and check every number of the answers.

A follow-up goes through the Tools page's tool loop (pages/_toolrun.py) whenever a tool computes on the data: the
model quotes the description or calls a tool, and the trace is shown. Otherwise it is answered from the description,
and the page says plainly that it could not compute it, with a button to the Tools page (question filled in)."""
from __future__ import annotations

import streamlit as st

import encoders
from data import DataLoadError, open_sample, open_upload
from data.catalog import SAMPLES
from encoders.prompts import dataset_messages, follow_up_messages
from generation import Sampling
from generation.numbers import check_numbers, known_from_facts, markdown_with_marks, names_of
from pages import _plots, _toolrun, _ui
from tools import default_registry

_ui.ensure_frame()
MAX_UPLOAD_BYTES = 200 * 2**20  # as server.maxUploadSize in .streamlit/config.toml

st.title("📊 Summarize a dataset")
st.caption("The model never sees your file: it sees a text the app computes from it, within a token budget. "
           "Every number in that text is a computed fact, and every number in the answer is checked against them.")


# --- 1. the data -------------------------------------------------------------------------------
def set_dataset(key: str, name: str, obj, note: str = "") -> None:
    st.session_state.dataset = {"key": key, "name": name, "obj": obj, "note": note}
    st.session_state.sum_chat = []


source = st.radio("Data", ["Sample", "Upload a file"], horizontal=True, key="sum_source")
if source == "Sample":
    ids = list(SAMPLES)
    sample_id = st.selectbox("Sample dataset", ids, key="sum_sample",
                             format_func=lambda i: SAMPLES[i].title + ("" if SAMPLES[i].available else " (unavailable)"))
    sample = SAMPLES[sample_id]
    st.caption(f"{sample.description} · **Source:** {sample.source} · **Size:** {sample.size} · "
               f"**Licence:** {sample.licence}")
    if not sample.available:
        st.warning(f"This sample is not installed here: {sample.unavailable_reason}")
    elif st.session_state.get("dataset", {}).get("key") != f"sample:{sample_id}":
        try:
            with st.spinner(f"Opening {sample.title}…"):
                set_dataset(f"sample:{sample_id}", sample.title, open_sample(sample_id), sample.licence)
        except DataLoadError as exc:
            st.error(f"Could not open the sample: {exc}")
else:
    upload = st.file_uploader("CSV, TSV, Parquet, Excel, NetCDF, Zarr (.zip) or .npz — up to 200 MB",
                              key="sum_upload")
    if upload is not None:
        key = f"upload:{upload.file_id}"
        if st.session_state.get("dataset", {}).get("key") != key and st.session_state.get("sum_bad") != key:
            try:
                with st.spinner(f"Opening {upload.name}…"):
                    set_dataset(key, upload.name, open_upload(upload.name, upload.getvalue(), MAX_UPLOAD_BYTES))
                st.session_state.sum_bad = None
            except DataLoadError as exc:
                st.session_state.sum_bad = key
                st.session_state.sum_bad_message = f"{upload.name}: {exc}"
        if st.session_state.get("sum_bad") == key:
            kept = st.session_state.get("dataset", {}).get("name")
            st.error(st.session_state.sum_bad_message + (f" — still showing **{kept}**." if kept else ""))

dataset = st.session_state.get("dataset")
if not dataset:
    st.info("Pick a sample or upload a file to begin.")
    st.stop()
obj = dataset["obj"]
for note in obj.attrs.get("load_notes", []) or []:
    st.info(f"While loading: {note}", icon="ℹ️")

with st.expander(f"👀 Look at the data: {dataset['name']}", expanded=True):
    if hasattr(obj, "data_vars"):
        variables = [str(v) for v in obj.data_vars]
        if not variables:
            st.warning("This file has no data variables to show.")
        else:
            c1, c2 = st.columns([1, 2])
            variable = c1.selectbox("Variable", variables, key="sum_var")
            first_dim = obj[variable].dims[0] if obj[variable].ndim > 2 else None
            steps = obj.sizes[first_dim] if first_dim else 1
            index = c2.slider(f"{first_dim} step", 0, steps - 1, 0, key="sum_step") if steps > 1 else 0
            try:
                st.pyplot(_plots.grid_figure(obj, variable, index), clear_figure=True)
            except (ValueError, TypeError, MemoryError) as exc:
                st.warning(f"Cannot draw {variable}: {exc}")
            st.caption(" · ".join(f"{d}: {n:,}" for d, n in obj.sizes.items()))
    else:
        st.dataframe(obj.head(500), height=240)
        st.caption(f"{len(obj):,} rows × {obj.shape[1]} columns (first 500 shown)")
        numeric = [str(c) for c in obj.columns if str(obj[c].dtype) in ("float64", "float32", "int64", "int32")]
        if numeric:
            chosen = st.multiselect("Plot columns", numeric, default=numeric[:2], key="sum_cols")
            if chosen:
                st.line_chart(_plots.table_chart_data(obj, chosen), height=260)

# --- 2. the prompt -----------------------------------------------------------------------------
model = _ui.active_model()
if model is None:
    st.stop()
context = model.backend.context_length
c1, c2 = st.columns([1, 2])
strategy = c1.selectbox("Encoding strategy", list(encoders.STRATEGIES), key="sum_strategy",
                        index=list(encoders.STRATEGIES).index(encoders.DEFAULT_STRATEGY),
                        help="How the data is written for the model. Compare their token costs below.")
top = max(min(context - 512, 8000), encoders.MIN_BUDGET)
budget = c2.slider("Token budget for the dataset", encoders.MIN_BUDGET, top, min(1500, top), 50, key="sum_budget")
st.progress(budget / context, text=f"Dataset prompt budget: {budget:,} of the model's {context:,}-token context")


@st.cache_data(show_spinner="Encoding the data…", max_entries=32)
def encode(_obj, key: str, strategy: str, budget: int, model_id: str) -> encoders.Encoding:
    return encoders.encode(_obj, strategy, budget, model.backend.count_tokens, title=dataset["name"])


try:
    encoding = encode(obj, dataset["key"], strategy, budget, model.spec.id + model.backend.name)
except (ValueError, TypeError) as exc:
    st.error(f"Could not encode this data: {exc}")
    st.stop()
st.caption(f"Prompt uses **{encoding.tokens:,}** tokens, states **{len(encoding.facts)}** computed facts"
           + (f"; left out to fit: {', '.join(encoding.omitted)}" if encoding.omitted else "; nothing left out"))
with st.expander("🔎 Preview the exact prompt the model will see"):
    st.code(model.backend.apply_chat_template(dataset_messages(encoding)), language=None, wrap_lines=True)
with st.expander("⚖️ Compare encoding strategies (same data, same budget)"):
    if st.button("Compare", key="sum_compare"):
        rows = [{"strategy": e.strategy, "tokens": e.tokens, "facts": len(e.facts),
                 "facts per 100 tokens": round(100 * len(e.facts) / max(e.tokens, 1), 1),
                 "left out": ", ".join(e.omitted) or "—"}
                for e in encoders.compare(obj, budget, model.backend.count_tokens, title=dataset["name"])]
        st.dataframe(rows, hide_index=True)
        st.bar_chart({r["strategy"]: r["tokens"] for r in rows}, horizontal=True, height=220)

# --- 3. the conversation -----------------------------------------------------------------------
known = known_from_facts(encoding.facts, names_of(obj))  # each fact with the variable it is about
max_new = st.number_input("Max new tokens per answer", 32, 2048, 384, 32, key="sum_max_new")
sampling = Sampling(max_new_tokens=int(max_new))
summarize = st.button("Summarize", type="primary", key="sum_go")
if summarize:
    st.session_state.sum_chat = []
chat = st.session_state.setdefault("sum_chat", [])


def show_checked(text: str, slot) -> None:
    checked = check_numbers(text, known)
    slot.markdown(markdown_with_marks(text, checked), unsafe_allow_html=True)
    if checked:
        traced = sum(c.found for c in checked)
        st.caption(f"Numbers check: ✓ {traced} traced to computed facts · ⚠ {len(checked) - traced} not found "
                   "or said of something else (hover a mark for its source)")


registry = default_registry(obj)
computes = registry.computes_on_data  # follow-ups go through the tool loop whenever a tool can compute on the data
st.caption("Follow-ups are answered with the dataset tools (as on the Tools page): the model quotes the description "
           "or calls a tool for a number it does not state; the trace is shown under each answer." if computes else
           "No tool can compute on this data (it has no numeric variable), so follow-ups are answered from the "
           "description alone.")

CANNOT = ("This could not be computed here: {why}. The Tools page can try it with the tools, model and settings "
          "you choose.")


def offer_tools(message: dict, index: int) -> None:
    """Under an answer this page could not compute: say so plainly, and a button to the Tools page."""
    if message.get("offer"):
        st.info(message["offer"])
        _toolrun.open_in_tools(message["question"], key=f"sum_to_tools_{index}")


for i, message in enumerate(chat):
    with st.chat_message(message["role"]):
        if message.get("turn"):
            _toolrun.render_answer(message["turn"])
        elif message["role"] == "assistant":
            show_checked(message["content"], st.empty())
            st.caption(message.get("stats", ""))
        else:
            st.markdown(message["content"])
        offer_tools(message, i)


def answer(messages) -> bool:
    """Stream an answer from the prompt alone, checked against its facts; False (with the reason shown) on failure."""
    with st.chat_message("assistant"):
        slot, notice = st.empty(), st.empty()
        text = ""
        try:
            for piece in model.stream_chat(messages, sampling, on_wait=_ui.queue_notice(notice)):
                text += piece
                slot.markdown(text + "▌")
        except (ValueError, RuntimeError) as exc:
            slot.empty()
            st.error(f"Generation failed: {exc}")
            return False
        notice.empty()
        show_checked(text, slot)
        stats = _ui.stats_line(model.backend.stats)
        st.caption(stats)
    chat.append({"role": "assistant", "content": text, "stats": stats})
    return True


def follow_up(question: str) -> None:
    """A follow-up through the tool loop (with the description as context), or from the description when no tool
    computes on this data; either way the page says plainly when nothing was computed and offers the Tools page."""
    history = [{"role": m["role"], "content": m["content"]} for m in chat if m["content"]]
    chat.append({"role": "user", "content": question})
    if not computes:
        if answer(dataset_messages(encoding, history, question)):
            chat[-1].update(offer=CANNOT.format(why="no tool computes on this data, so the answer above comes from "
                                                    "the dataset description only"), question=question)
            offer_tools(chat[-1], len(chat) - 1)
        return
    with st.chat_message("assistant"):
        turn = _toolrun.run_turn(model, registry, follow_up_messages(encoding, question, registry.system_message()),
                                 question, sampling, enabled=registry.enabled_names, known=known,
                                 sources="tool results, the dataset description or your question")
        _toolrun.render_answer(turn)
        message = {"role": "assistant", "content": turn["answer"], "turn": turn}
        why = ("the tool loop failed" if turn.get("error") else "no tool call for it succeeded"
               if not turn["computed"] and (turn["steps"][0]["calls"] or turn["untraced"]) else "")
        if why:
            message.update(offer=CANNOT.format(why=why), question=question)
        chat.append(message)
        offer_tools(message, len(chat) - 1)


if summarize:
    answer(dataset_messages(encoding))
question = st.chat_input("Ask a follow-up question about this dataset", key="sum_question", disabled=not chat)
if question is not None and chat:
    if not question.strip():
        st.warning("The question is empty: type what you would like to know about this dataset.")
    else:
        with st.chat_message("user"):
            st.markdown(question)
        follow_up(question.strip())

if chat:
    facts = "\n".join(f"| {f.key} | {f.text or f.value} | {f.unit} |" for f in encoding.facts)
    turns = "\n\n".join(f"**{m['role']}:** {m['content']}" for m in chat)
    report = (f"# Summary of {dataset['name']}\n\n{turns}\n\n---\n## Prompt ({encoding.strategy}, "
              f"{encoding.tokens} tokens)\n\n```\n{encoding.text}\n```\n\n## Facts\n\n| key | value | unit |\n"
              f"|---|---|---|\n{facts}\n")
    st.download_button("⬇️ Download summary (Markdown, with prompt and facts)", report,
                       file_name="summary.md", mime="text/markdown", key="sum_download")
