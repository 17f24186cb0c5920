"""GeoLLM Explorer: the router and frame. Navigation, and the sidebar's model, backend and health."""
from __future__ import annotations

import streamlit as st

from generation import backend_available
from pages import _ui

st.set_page_config(page_title="GeoLLM Explorer", page_icon="🌍", layout="wide")

# Each url_path is its file's name: Streamlit serves a fresh server's first visitor through its legacy
# pages/ mode, which knows pages by file name (see pages/_ui.ensure_frame).
PAGES = [
    st.Page("pages/home.py", title="Home", icon="🏠", default=True),
    st.Page("pages/generate.py", title="Generate", icon="✍️", url_path="generate"),
    st.Page("pages/summarize.py", title="Summarize", icon="📊", url_path="summarize"),
    st.Page("pages/tool_calls.py", title="Tools", icon="🧮", url_path="tool_calls"),
    st.Page("pages/multimodal.py", title="Images & text", icon="🖼️", url_path="multimodal"),
    st.Page("pages/transformer.py", title="Inside the transformer", icon="🔬", url_path="transformer"),
]


def sidebar():
    """Draw the sidebar; returns the slot of its health line, drawn again once the page has run."""
    catalog = _ui.catalog()
    model_id, backend = _ui.selected()
    with st.sidebar:
        st.markdown("### 🌍 GeoLLM Explorer")
        ids = list(catalog.models)
        # The choice lives in plain session keys (model_id, backend), which survive page switches.
        model_id = st.selectbox("Model", ids, index=ids.index(model_id), key="sidebar_model",
                                format_func=lambda i: catalog.models[i].title)
        backends = list(catalog.get(model_id).backends)
        current = backend if backend in backends else backends[0]
        backend = st.selectbox("Backend", backends, index=backends.index(current), key="sidebar_backend",
                               format_func=lambda b: b if backend_available(b) else f"{b} (not installed)")
        st.session_state.model_id, st.session_state.backend = model_id, backend
        slot = st.empty()
        show_health(slot)
        for problem in catalog.problems:
            st.warning(problem, icon="⚠️")
    return slot


def show_health(slot) -> None:
    info = _ui.health()
    slot.caption(f"Weights: {info['weights']}  \nLoaded: {info['loaded']}  \nThreads: {info['threads']}  \n"
                 f"Memory: {info['memory']}")


health_slot = sidebar()
st.navigation(PAGES).run()
show_health(health_slot)  # a model the page just loaded shows at once, not one rerun later
