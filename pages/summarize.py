"""Summarize: open a sample or an upload, look at it, encode it under a token budget, stream a summary,
ask follow-ups, and check every number of the answers.

A follow-up goes through the Tools page's tool loop (pages/_toolrun.py) whenever a tool computes on the data: the
model quotes the description or calls a tool, and the trace is shown. Otherwise it is answered from the description,
and the page says plainly that it could not compute it, with a button to the Tools page (question filled in)."""
from __future__ import annotations

import streamlit as st

import encoders
from data import budgets, reading, upload_caption
from data.catalog import SAMPLES
from encoders.prompts import dataset_messages, follow_up_messages
from generation import Sampling
from geollm import plots
from geollm.report import summary_report
from geollm.session import CurrentDataset
from pages import _toolrun, _ui
from toolloop.marks import markdown_with_marks, number_sources
from toolloop.numbers import check_numbers, known_from_facts, names_of
from tools import default_registry

_ui.ensure_frame()
MAX_UPLOAD_BYTES = 200 * 2**20  # as server.maxUploadSize in .streamlit/config.toml

st.title("📊 Summarize a dataset")
st.caption("The model never sees your file: it sees a text the app computes from it, within a token budget. "
           "Every number in that text is a computed fact, and every number in the answer is checked against them.")


# --- 1. the data -------------------------------------------------------------------------------
# A new dataset replaces the shown one (and its chat) only once it has opened, drawn and encoded: until then
# the previous one stays, and a failure names the new file. An upload stays the current dataset until the user
# picks another, also after a visit to another page (the uploader widget forgets its file then).
loaded_model: list = []  # the sidebar's model, loaded at most once per run


def page_model():
    if not loaded_model:
        loaded_model.append(_ui.active_model())
    return loaded_model[0]


def budget_range(context: int) -> tuple[int, int]:
    """(largest, default) token budget for a model's context."""
    top = max(min(context - 512, 8000), encoders.MIN_BUDGET)
    return top, min(1500, top)


def prompt_settings(model) -> tuple[str, int]:
    """The strategy and budget the prompt widgets hold (or will start with)."""
    top, default = budget_range(model.backend.context_length)
    budget = min(max(int(st.session_state.get("sum_budget", default)), encoders.MIN_BUDGET), top)
    return st.session_state.get("sum_strategy", encoders.DEFAULT_STRATEGY), budget


@st.cache_data(show_spinner="Encoding the data…", max_entries=32)
def encode(_obj, key: str, name: str, strategy: str, budget: int, _model, model_key: str) -> encoders.Encoding:
    with budgets.time_limit():  # a file whose values are too slow to read stops with a message, not a hang
        return encoders.encode(_obj, strategy, budget, _model.backend.count_tokens, title=name)


@st.cache_data(show_spinner="Drawing…", max_entries=32)
def grid_png(_obj, key: str, name: str, variable: str, index: int) -> bytes:
    with reading(name):  # a corrupt chunk: a DataReadError naming the variable, not the library's words
        return plots.grid_png(_obj, variable, index)


def first_view(obj, key: str, name: str) -> None:
    """Draw what the page shows first of a new dataset (its first variable's map, or its table), so a file that
    cannot be shown fails here, before it replaces anything."""
    if hasattr(obj, "data_vars"):
        if obj.data_vars:
            grid_png(obj, key, name, str(next(iter(obj.data_vars))), 0)
    else:
        from streamlit.dataframe_util import convert_anything_to_arrow_bytes

        convert_anything_to_arrow_bytes(obj.head(500))  # what st.dataframe does; ints beyond 64 bits fail here


def adopt(key: str, name: str, opener, note: str = "") -> str:
    """Open, draw and encode a new dataset; only then does it become the page's dataset (with a fresh chat).
    Returns "" or why it could not (the previous dataset and chat are kept)."""
    with _ui.action(f"{name} could not be opened", show=False) as attempt:
        with st.spinner(f"Opening {_ui.plain(name)}…"):
            obj = opener()
        attempt.what = f"{name} could not be drawn"
        first_view(obj, key, name)
        model = page_model()
        if model is not None:
            attempt.what = f"The values of {name} could not be read"
            encode(obj, key, name, *prompt_settings(model), model, model.spec.id + model.backend.name)
    if attempt.ok:
        _ui.set_current_dataset(CurrentDataset(key, name, obj, note))
        st.session_state.sum_chat = []
    return attempt.error


def refused(error: str) -> None:
    kept = _ui.current_dataset()
    st.error(_ui.plain(error) + (f" — still showing **{_ui.plain(kept.name)}**." if kept else ""))


current = _ui.current_dataset()
UPLOAD_LABEL = upload_caption(MAX_UPLOAD_BYTES)
pick = _ui.pick_dataset("Sample dataset", "sum_sample", SAMPLES.values(), prefix="",
                        uploads=_ui.Uploads(UPLOAD_LABEL, "sum_upload", "sum_source", MAX_UPLOAD_BYTES))
sample = pick.sample
if sample is not None:
    st.caption(f"{sample.description} · **Source:** {sample.source} · **Size:** {sample.size} · "
               f"**Licence:** {sample.licence}")
    if not sample.available:
        st.warning(f"This sample is not installed here: {sample.unavailable_reason}")
if pick.key:
    if (sample is None or sample.available) and (current is None or current.key != pick.key) \
            and st.session_state.get("sum_bad") != pick.key:
        error = adopt(pick.key, pick.name, pick.open, pick.note)
        st.session_state.sum_bad, st.session_state.sum_bad_message = (pick.key, error) if error else (None, "")
    if st.session_state.get("sum_bad") == pick.key:
        refused(st.session_state.sum_bad_message)
elif pick.from_upload and current is not None and current.is_upload:
    st.caption(f"Showing your upload **{_ui.plain(current.name)}**: it stays until you choose another file "
               "or a sample.")

dataset = _ui.current_dataset()
if not dataset:
    st.info("Pick a sample or upload a file to begin.")
    st.stop()
obj = dataset.obj
for note in obj.attrs.get("load_notes", []) or []:
    st.info(f"While loading: {_ui.plain(note)}", icon="ℹ️")

with st.expander(f"👀 Look at the data: {_ui.plain(dataset.name)}", expanded=True):
    if hasattr(obj, "data_vars"):
        variables = [str(v) for v in obj.data_vars]
        if not variables:
            st.warning("This file has no data variables to show.")
        else:
            c1, c2 = st.columns([1, 2])
            variable = c1.selectbox("Variable", variables, key="sum_var")
            first_dim = obj[variable].dims[0] if obj[variable].ndim > 2 else None
            steps = obj.sizes[first_dim] if first_dim else 1
            index = c2.slider(f"{_ui.plain(first_dim)} step", 0, steps - 1, 0, key="sum_step") if steps > 1 else 0
            with _ui.action(f"{variable} could not be drawn"):
                st.image(grid_png(obj, dataset.key, dataset.name, variable, index))
            st.caption(_ui.plain(" · ".join(f"{d}: {n:,}" for d, n in obj.sizes.items())))
    else:
        with _ui.action(f"The table of {dataset.name} could not be shown"):
            st.dataframe(obj.head(500), height=240)
        st.caption(f"{len(obj):,} rows × {obj.shape[1]} columns (first 500 shown)")
        numeric = [str(c) for c in obj.columns if str(obj[c].dtype) in ("float64", "float32", "int64", "int32")]
        if numeric:
            chosen = st.multiselect("Plot columns", numeric, default=numeric[:2], key="sum_cols")
            if chosen:
                with _ui.action("The chart could not be drawn"):
                    st.line_chart(plots.table_chart_data(obj, chosen), height=260)

# --- 2. the prompt -----------------------------------------------------------------------------
model = page_model()
if model is None:
    st.stop()
context = model.backend.context_length
c1, c2 = st.columns([1, 2])
strategy = c1.selectbox("Encoding strategy", list(encoders.STRATEGIES), key="sum_strategy",
                        index=list(encoders.STRATEGIES).index(encoders.DEFAULT_STRATEGY),
                        help="How the data is written for the model. Compare their token costs below.")
top, default_budget = budget_range(context)
budget = c2.slider("Token budget for the dataset", encoders.MIN_BUDGET, top, default_budget, 50, key="sum_budget")
st.progress(budget / context, text=f"Dataset prompt budget: {budget:,} of the model's {context:,}-token context")

with _ui.action(f"The values of {dataset.name} could not be read", stop=True):
    encoding = encode(obj, dataset.key, dataset.name, strategy, budget, model,
                      model.spec.id + model.backend.name)
st.caption(f"Prompt uses **{encoding.tokens:,}** tokens, states **{len(encoding.facts)}** computed facts"
           + (f"; left out to fit: {_ui.plain(', '.join(encoding.omitted))}" if encoding.omitted
              else "; nothing left out"))
with st.expander("🔎 Preview the exact prompt the model will see"):
    st.code(model.backend.apply_chat_template(dataset_messages(encoding)), language=None, wrap_lines=True)
with st.expander("⚖️ Compare encoding strategies (same data, same budget)"):
    if st.button("Compare", key="sum_compare"):
        with _ui.action("The comparison failed"), budgets.time_limit():
            rows = [{"strategy": e.strategy, "tokens": e.tokens, "facts": len(e.facts),
                     "facts per 100 tokens": round(100 * len(e.facts) / max(e.tokens, 1), 1),
                     "left out": ", ".join(e.omitted) or "—"}
                    for e in encoders.compare(obj, budget, model.backend.count_tokens, title=dataset.name)]
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
    slot.markdown(markdown_with_marks(text, checked))
    if checked:
        traced = sum(c.found for c in checked)
        st.caption(f"Numbers check: ✓ {traced} traced to computed facts · ⚠ {len(checked) - traced} not found "
                   "or said of something else")
        _toolrun.render_sources(number_sources(checked))


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
        with _ui.action("Generation failed") as attempt:
            generation = model.stream_chat(messages, sampling, on_wait=_ui.queue_notice(notice))
            for _ in generation:
                _ui.model_markdown(slot, generation.text, "▌")
        if not attempt.ok:
            slot.empty()
            return False
        notice.empty()
        text = generation.text
        show_checked(text, slot)
        stats = _ui.stats_line(generation.stats)  # this answer's own, whoever generated since
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
    with _ui.action("The summary failed"):
        answer(dataset_messages(encoding))
question = st.chat_input("Ask a follow-up question about this dataset", key="sum_question", disabled=not chat)
if question is not None and chat:
    if not question.strip():
        st.warning("The question is empty: type what you would like to know about this dataset.")
    else:
        with st.chat_message("user"):
            st.markdown(question)
        with _ui.action("The follow-up failed"):
            follow_up(question.strip())

if chat:
    st.download_button("⬇️ Download summary (Markdown, with prompt and facts)",
                       summary_report(dataset.name, chat, encoding),
                       file_name="summary.md", mime="text/markdown", key="sum_download")
