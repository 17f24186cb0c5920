"""Inside the transformer: the lecture's tokens, embeddings, position, attention, softmax and parameter
counts, each computed live on a real model (transformers backend, whatever the sidebar runs).

UI only: the numbers come from generation.introspect; results are cached per model and input.
"""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from data import DataLoadError, open_sample
from data.catalog import SAMPLES
from encoders.costs import strategy_token_counts
from generation import GenerationError, Sampling, SharedModel, backend_available, introspect
from geollm import plots
from pages import _ui
from tools.calculators import dense_network_parameters

_ui.ensure_frame()
BACKEND = "transformers"  # the one backend that hands out logits and attention weights
TABS = ["🔤 Tokens", "📍 Embeddings", "🌀 Position", "👀 Attention", "🎲 Next token", "🦴 Anatomy"]
MAX_TOKENS = 128  # longest input of the attention and next-token views
DEFAULTS = {  # every input of the tabs, with the lecture's examples
    "tr_tok_text": "Sea surface temperature rose by 0.8 °C during El Niño 1997–98 at 5°S, 120°W.",
    "tr_tok_compare": [], "tr_tok_sample": "seattle-weather", "tr_tok_budget": 1500,
    "tr_emb_word": "cat", "tr_emb_k": 10,
    "tr_emb_words": "cat, dog, kitten, granite, basalt, ocean, sea", "tr_pos_n": 64, "tr_pos_d": 128,
    "tr_att_text": "The cat sat on the mat", "tr_att_layer": 0, "tr_att_head": 0,
    "tr_next_prompt": "The cat sat on the", "tr_next_temperature": 1.0, "tr_next_top_k": 0, "tr_next_top_p": 1.0,
    "tr_steps_n": 8, "tr_steps_seed": 0, "tr_mlp_in": 50, "tr_mlp_hidden": "128, 128, 128, 128, 128", "tr_mlp_out": 2,
}
# Only the open tab draws its widgets, and Streamlit forgets the state of widgets it did not draw: writing each
# value back as plain session state keeps what the user typed while another tab is open.
for _key, _default in DEFAULTS.items():
    st.session_state[_key] = st.session_state.get(_key, _default)

st.title("🔬 Inside the transformer")
st.caption("Every number below is computed live from a real model through the transformers backend (which "
           "exposes logits and attention weights), whatever backend the sidebar uses for the other pages.")

models = _ui.catalog().on_backend(BACKEND)  # smallest first: SmolLM2 is the default
model_id = st.selectbox("Model to look inside", models, key="tr_model",
                        format_func=lambda m: _ui.catalog().get(m).title,
                        help="SmolLM2 loads in seconds. A Qwen model is converted from its GGUF once "
                             "(about a minute for 0.5B, several for 1.5B). One model is in memory at a time: "
                             "loading this one frees the model the other pages used.")


def load(model_id: str) -> SharedModel | None:
    """The model on the transformers backend, loaded once per process with a progress bar."""
    if not backend_available(BACKEND):
        st.error("This page needs the transformers backend: `pip install torch transformers`.")
        return None
    return _ui.load_model(model_id, BACKEND)


# --- cached computations: one entry per model and input ----------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def tokens_of(model_id: str, text: str, _shared: SharedModel) -> list[tuple[int, str]]:
    return _shared.locked(lambda b: introspect.tokenize(b.tokenizer, text))


@st.cache_resource(show_spinner=False)
def tokenizer_of(model_id: str):
    return introspect.load_tokenizer(_ui.catalog().get(model_id))


@st.cache_data(show_spinner=False, max_entries=16)
def strategy_counts(model_id: str, sample_id: str, budget: int, _shared: SharedModel) -> list[dict]:
    obj = open_sample(sample_id)
    return _shared.locked(lambda b: strategy_token_counts(obj, budget, b.count_tokens,
                                                          SAMPLES[sample_id].title))


@st.cache_data(show_spinner=False, max_entries=64)
def neighbours(model_id: str, token_id: int, k: int, _shared: SharedModel):
    return _shared.locked(introspect.nearest_tokens, token_id, k)


@st.cache_data(show_spinner=False, max_entries=64)
def word_tokens(model_id: str, word: str, _shared: SharedModel) -> list[int]:
    return _shared.locked(lambda b: b.tokenizer.encode(" " + word.strip(), add_special_tokens=False))


@st.cache_data(show_spinner=False, max_entries=64)
def similarities(model_id: str, words: tuple[str, ...], _shared: SharedModel):
    return _shared.locked(introspect.similarity_matrix, list(words))


@st.cache_data(show_spinner=False, max_entries=64)
def inspection(model_id: str, text: str, _shared: SharedModel) -> introspect.Inspection:
    return _shared.locked(introspect.inspect, text, MAX_TOKENS)


@st.cache_data(show_spinner=False, max_entries=64)
def generated_steps(model_id: str, prompt: str, sampling: Sampling, steps: int, _shared: SharedModel):
    return _shared.locked(introspect.generate_steps, prompt, sampling, steps)


@st.cache_data(show_spinner=False, max_entries=8)
def model_anatomy(model_id: str, _shared: SharedModel):
    return _shared.locked(lambda b: (introspect.anatomy(b.model), introspect.parameter_counts(b.model),
                                     introspect.rope_frequencies(b.model.config)))


def labels(pieces: list[str]) -> list[str]:
    return [f"{i}:{p}" for i, p in enumerate(pieces)]


def show_tokens(tokens: list[tuple[int, str]], limit: int = 1000) -> None:
    st.html(plots.token_html([p for _, p in tokens[:limit]], [i for i, _ in tokens[:limit]]))
    if len(tokens) > limit:
        st.caption(f"The first {limit:,} of {len(tokens):,} tokens are shown.")


def heatmap(chart) -> None:
    st.altair_chart(chart, width="content")  # square cells, not stretched to the page


@st.cache_data(show_spinner=False, max_entries=32)
def encoding_png(positions: int, d_model: int) -> bytes:
    return plots.figure_png(plots.heatmap_figure(
        introspect.sinusoidal_encoding(positions, d_model), [], [],
        f"Sinusoidal positional encoding ({positions} positions × {d_model})", cmap="RdBu_r", vmin=-1, vmax=1,
        size=(10, 4.5), colorbar="value"))


@st.cache_data(show_spinner=False, max_entries=64)
def head_grid_png(model_id: str, text: str, layer: int, _shared: SharedModel) -> bytes:
    seen = inspection(model_id, text, _shared)
    return plots.figure_png(plots.head_grid_figure(seen.attentions[layer], labels(seen.pieces), layer))


# --- tokens -------------------------------------------------------------------------------------
def tokens_view(shared: SharedModel) -> None:
    st.markdown("A model never sees letters: the **tokenizer** cuts text into pieces from a fixed vocabulary "
                "and hands the model their ids. `␣` marks a space, `↵` a newline.")
    text = st.text_area("Text", key="tr_tok_text", height=80)
    tokens = tokens_of(model_id, text, shared)
    st.markdown(f"**{len(tokens)} tokens** for {len(text)} characters "
                f"({len(text) / max(len(tokens), 1):.1f} characters per token)")
    show_tokens(tokens)

    others = [m for m in models if m != model_id]
    st.session_state.tr_tok_compare = [m for m in st.session_state.get("tr_tok_compare", []) if m in others]
    compare = st.multiselect("Compare with the tokenizers of", others, key="tr_tok_compare",
                             format_func=lambda m: _ui.catalog().get(m).title,
                             help="Read from the model files on this machine, without loading the weights "
                                  "(the first read of a Qwen tokenizer from its GGUF takes ~15 s).")
    for other in compare:
        try:
            with st.spinner(f"Reading the tokenizer of {other}…"):
                other_tokens = introspect.tokenize(tokenizer_of(other), text)
        except (GenerationError, OSError, ValueError) as exc:
            st.warning(f"{other}: its tokenizer is not available here ({exc}).")
            continue
        st.markdown(f"**{_ui.catalog().get(other).title}: {len(other_tokens)} tokens**")
        show_tokens(other_tokens)

    st.subheader("What a dataset costs in tokens")
    st.markdown("The same sample written by each encoder strategy of the Summarize page, within one budget, "
                "counted with this model's tokenizer, against pasting the whole file as CSV.")
    sample_ids = [s.id for s in SAMPLES.values() if s.available]
    if not sample_ids:
        st.info("No sample dataset is installed (see the Summarize page for the pip commands).")
        return
    c1, c2 = st.columns(2)
    if st.session_state.get("tr_tok_sample") not in sample_ids:
        st.session_state.tr_tok_sample = "seattle-weather" if "seattle-weather" in sample_ids else sample_ids[0]
    sample_id = c1.selectbox("Sample dataset", sample_ids, key="tr_tok_sample",
                             format_func=lambda s: SAMPLES[s].title)
    budget = c2.number_input("Token budget of each strategy", 200, 8000, step=100, key="tr_tok_budget")
    try:
        with st.spinner("Encoding the sample with every strategy…"):
            rows = pd.DataFrame(strategy_counts(model_id, sample_id, int(budget), shared))
    except (DataLoadError, ValueError, OSError) as exc:
        st.error(f"Could not encode the sample: {exc}")
    else:
        st.dataframe(rows, hide_index=True)
        if not rows["strategy"].iloc[-1].startswith("whole file"):
            st.caption(f"This dataset has more than {introspect.MAX_DUMP_CELLS:,} values: too many to write out "
                       "as CSV just to count them.")
        st.bar_chart(rows.set_index("strategy")["tokens"], horizontal=True, x_label="tokens", height=260)
        st.caption("A CSV dump spends tokens on every digit of every row; a statistics summary states the "
                   "facts that matter (ranges, means, trends) in a few hundred tokens.")


# --- embeddings ---------------------------------------------------------------------------------
def embeddings_view(shared: SharedModel) -> None:
    st.markdown("Each token id selects one row of the **input embedding** matrix: a vector the model learned. "
                "Tokens used alike end up pointing alike (high cosine similarity).")
    word = st.text_input("Token to start from", key="tr_emb_word")
    ids = word_tokens(model_id, word, shared) if word.strip() else []
    if not ids:
        st.info("Type a word.")
    else:
        pieces = introspect.token_pieces(shared.backend.tokenizer, ids)
        pick = 0
        if len(ids) > 1:
            pick = st.selectbox(f"“{word.strip()}” is {len(ids)} tokens; neighbours of", range(len(ids)),
                                key="tr_emb_piece", format_func=lambda i: pieces[i])
        k = st.slider("How many neighbours", 5, 30, key="tr_emb_k")
        near = neighbours(model_id, ids[pick], k, shared)
        st.markdown(f"Nearest tokens to `{pieces[pick]}` (id {ids[pick]}) by cosine similarity:")
        st.dataframe(pd.DataFrame(near, columns=["id", "token", "cosine similarity"]), hide_index=True)
    words_text = st.text_input("Words to compare (comma-separated)", key="tr_emb_words")
    words = tuple(dict.fromkeys(w.strip() for w in words_text.split(",") if w.strip()))[:20]
    if len(words) < 2:
        st.info("Type at least two words, separated by commas.")
    else:
        heatmap(plots.heatmap_chart(similarities(model_id, words, shared), list(words), list(words),
                                     "Cosine similarity of input embeddings", "cosine",
                                     scheme="redblue", domain=(1.0, -1.0), cell=48))
        st.caption("Each word is taken as it appears mid-sentence (with a leading space); a word split into "
                   "several tokens is the mean of their vectors. These are the vectors before any layer: "
                   "context has not mixed in yet.")


# --- position -----------------------------------------------------------------------------------
def position_view(shared: SharedModel) -> None:
    st.markdown("Attention by itself ignores order. The original Transformer adds a **sinusoidal positional "
                "encoding** to each embedding: PE(pos, 2i) = sin(pos / 10000^(2i/d)), "
                "PE(pos, 2i+1) = cos(pos / 10000^(2i/d)).")
    c1, c2 = st.columns(2)
    positions = c1.slider("Positions", 8, 256, step=8, key="tr_pos_n")
    d_model = c2.slider("Embedding width d", 16, 512, step=16, key="tr_pos_d")
    pe = introspect.sinusoidal_encoding(positions, d_model)
    st.image(encoding_png(positions, d_model))
    st.caption("Rows: positions (0 at the top); columns: dimensions. Left columns turn fast, right ones slowly.")
    dots = pd.DataFrame({"distance k": range(positions), "PE(p) · PE(p+k)": introspect.dot_by_distance(pe)})
    st.line_chart(dots, x="distance k", y="PE(p) · PE(p+k)")
    st.caption("The dot product of two encodings depends only on how far apart they are, and falls with "
               "distance: attention can tell near from far.")

    _, _, rope = model_anatomy(model_id, shared)
    st.subheader(f"{model_id} uses rotary embeddings (RoPE)")
    st.markdown(f"Instead of adding a vector, RoPE **rotates** each pair of dimensions of every query and key "
                f"by position × θᵢ, with θᵢ = 1 / base^(2i/d). From this model's config: base (rope_theta) "
                f"**{rope.theta:,.0f}**, head size **{rope.head_dim}**, rotated dimensions **{rope.rotary_dims}** "
                f"({len(rope.inv_freq)} pairs), type **{rope.rope_type}**.")
    if rope.note:
        st.info(rope.note)
    freq = pd.DataFrame({"pair i": range(len(rope.inv_freq)), "θ (radians per token)": rope.inv_freq,
                         "wavelength (tokens per turn)": rope.wavelengths})
    chart = alt.Chart(freq).mark_line(point=True).encode(
        x="pair i", y=alt.Y("wavelength (tokens per turn)", scale=alt.Scale(type="log")),
        tooltip=list(freq.columns))
    st.altair_chart(chart)
    st.caption("The first pairs turn once every few tokens (fine position); the last ones take tens of thousands "
               "of tokens per turn (coarse position, long context).")


# --- attention ----------------------------------------------------------------------------------
def attention_view(shared: SharedModel) -> None:
    st.markdown("In **self-attention** each token's query is compared with every earlier token's key; a softmax "
                "turns the scores into weights that sum to 1 along each row. Each layer has several **heads**, "
                "each free to look for something different.")
    text = st.text_input("Sentence", key="tr_att_text")
    try:
        with st.spinner("Running the model…"):
            seen = inspection(model_id, text, shared)
    except ValueError as exc:
        st.warning(str(exc))
    else:
        n_layers, n_heads = seen.attentions.shape[:2]
        c1, c2 = st.columns(2)
        for key, top in (("tr_att_layer", n_layers - 1), ("tr_att_head", n_heads - 1)):  # another model: fewer?
            st.session_state[key] = min(st.session_state[key], top)
        layer = c1.slider("Layer", 0, n_layers - 1, key="tr_att_layer")
        head = c2.slider("Head", 0, n_heads - 1, key="tr_att_head")
        names = labels(seen.pieces)
        heatmap(plots.heatmap_chart(seen.attentions[layer, head], names, names,
                                     f"Layer {layer}, head {head} (row: the token that looks)"))
        st.image(head_grid_png(model_id, text, layer, shared))
        token = st.selectbox("What does this token attend to?", range(len(names)), index=len(names) - 1,
                             key="tr_att_token", format_func=lambda i: names[i])
        rows = introspect.attended_by(seen.attentions, layer, token)[:, : token + 1]
        focus = pd.DataFrame({"token": names[: token + 1], "mean over heads": rows.mean(axis=0)})
        st.bar_chart(focus, x="token", y="mean over heads", sort=False, height=260)
        heatmap(plots.heatmap_chart(rows, [f"head {h}" for h in range(n_heads)], names[: token + 1],
                                     f"Where {names[token]} looks in layer {layer}, head by head"))
        st.caption("Many heads park most of their weight on the first token (an 'attention sink') when "
                   "nothing else is relevant. Causal attention: a token never looks ahead.")


# --- next token ---------------------------------------------------------------------------------
def next_token_view(shared: SharedModel) -> None:
    st.markdown("The last layer's vector is multiplied by the vocabulary matrix: one score (logit) per token. "
                "A **softmax** turns the scores into probabilities; the sampling settings then reshape them.")
    prompt = st.text_input("Prompt", key="tr_next_prompt")
    c1, c2, c3 = st.columns(3)
    temperature = c1.slider("Temperature", 0.0, 2.0, step=0.05, key="tr_next_temperature",
                            help="0 = always the most likely token (greedy).")
    top_k = c2.number_input("Top-k (0 = off)", 0, 200, key="tr_next_top_k")
    top_p = c3.slider("Top-p", 0.05, 1.0, step=0.05, key="tr_next_top_p")
    sampling = Sampling(temperature=temperature, top_k=int(top_k), top_p=top_p)
    try:
        with st.spinner("Running the model…"):
            seen = inspection(model_id, prompt, shared)
    except ValueError as exc:
        st.warning(str(exc))
    else:
        table = pd.DataFrame(introspect.next_token_table(shared.backend.tokenizer, seen.next_logits, sampling, 12))
        kept = introspect.kept_tokens(seen.next_logits, sampling)
        st.markdown(f"After the prompt, **{kept:,}** of {seen.next_logits.shape[0]:,} tokens can still be drawn "
                    "with these settings.")
        long = table.melt(id_vars=["token"], value_vars=["probability", "after settings"],
                          var_name="distribution", value_name="p")
        st.altair_chart(alt.Chart(long).mark_bar().encode(
            y=alt.Y("token", sort=list(table["token"])), x="p", yOffset="distribution",
            color="distribution", tooltip=["token", "distribution", alt.Tooltip("p", format=".4f")]))
        st.dataframe(table, hide_index=True, column_config={
            "probability": st.column_config.NumberColumn(format="%.4f"),
            "after settings": st.column_config.NumberColumn(format="%.4f")})

    st.subheader("Step by step")
    c1, c2 = st.columns(2)
    steps = c1.number_input("Tokens to generate", 1, 32, key="tr_steps_n")
    seed = c2.number_input("Seed", 0, 2**31 - 1, key="tr_steps_seed")
    if st.button("Generate step by step", key="tr_steps_go"):
        st.session_state.tr_steps_for = (prompt, sampling, int(steps), int(seed))
    if st.session_state.get("tr_steps_for"):
        prompt_used, sampling_used, steps_used, seed_used = st.session_state.tr_steps_for
        run = Sampling(temperature=sampling_used.temperature, top_k=sampling_used.top_k,
                       top_p=sampling_used.top_p, seed=seed_used)
        try:
            with st.spinner("Generating…"):
                made = generated_steps(model_id, prompt_used, run, steps_used, shared)
        except ValueError as exc:
            st.warning(str(exc))
        else:
            continuation = shared.backend.tokenizer.decode([s.token_id for s in made])
            st.code(f"{prompt_used}⟦{continuation}⟧", language=None, wrap_lines=True)
            st.dataframe(pd.DataFrame([{
                "step": n + 1, "chosen": s.piece, "p (settings)": round(s.probability, 4),
                "p (plain)": round(s.plain_probability, 4),
                "candidates": ", ".join(f"{p} {q:.2f}" for p, q in s.alternatives)}
                for n, s in enumerate(made)]), hide_index=True)
            st.caption(f"The generated tokens are between ⟦ ⟧. Settings: temperature {run.temperature}, top-k "
                       f"{run.top_k or 'off'}, top-p {run.top_p}, seed {seed_used}. At temperature 0 the chosen "
                       "token is always the most likely one. p (settings): the chance the draw gave the token; "
                       "p (plain): the model's own softmax (temperature 1, nothing cut).")


# --- anatomy ------------------------------------------------------------------------------------
def anatomy_view(shared: SharedModel) -> None:
    facts, counts, _ = model_anatomy(model_id, shared)
    st.markdown(f"**{facts['architecture']}**: {facts['layers']} layers, each attention (+ residual) then an "
                "MLP (+ residual), each after a normalization; embeddings in, softmax over the vocabulary out.")
    cols = st.columns(4)
    for n, key in enumerate(["layers", "attention heads per layer", "hidden size (embedding width)", "vocabulary"]):
        cols[n].metric(key, f"{facts[key]:,}")
    st.dataframe(pd.DataFrame({"property": list(facts), "value": [str(v) for v in facts.values()]}),
                 hide_index=True)
    total = sum(counts.values())
    table = pd.DataFrame({"component": list(counts), "parameters": list(counts.values()),
                          "share": [f"{100 * v / total:.1f} %" for v in counts.values()]})
    st.markdown(f"Parameters by component, counted tensor by tensor in the loaded model: **{total:,}** in all.")
    st.dataframe(table[table.parameters > 0], hide_index=True)
    st.bar_chart(table[table.parameters > 0], x="component", y="parameters", horizontal=True, height=220)
    if facts["input and output embeddings shared"]:
        st.caption("The output layer reuses the input embedding matrix (tied weights), so it adds nothing.")

    st.subheader("The lecture's question: a dense network's parameters")
    c1, c2, c3 = st.columns(3)
    inputs = c1.number_input("Inputs", 1, 100_000, key="tr_mlp_in")
    hidden_text = c2.text_input("Hidden layer widths", key="tr_mlp_hidden")
    outputs = c3.number_input("Outputs", 1, 100_000, key="tr_mlp_out")
    try:
        hidden = [int(w) for w in hidden_text.replace(";", ",").split(",") if w.strip()]
        if any(w < 1 for w in hidden):
            raise ValueError
    except ValueError:
        st.error("Write the hidden widths as whole numbers ≥ 1, separated by commas, e.g. 128, 128.")
    else:
        net = dense_network_parameters(int(inputs), hidden, int(outputs))
        st.dataframe(pd.DataFrame([{"layer": f"{layer['in']} → {layer['out']}",
                                    "weights + biases": f"{layer['in']}×{layer['out']} + {layer['out']}",
                                    "parameters": layer["parameters"]} for layer in net["layers"]]),
                     hide_index=True)
        st.markdown(f"**{net['parameters']:,} parameters** ({net['weights']:,} weights + {net['biases']:,} "
                    f"biases). The model above has {total / net['parameters']:,.0f} times as many.")


shared = load(model_id)
if shared is None:
    st.stop()
if shared.busy:
    st.info("⏳ The model is busy with another request (another session, or this page's previous run): the views "
            "below appear as soon as it is done.")
VIEWS = [tokens_view, embeddings_view, position_view, attention_view, next_token_view, anatomy_view]
for tab, view in zip(st.tabs(TABS, key="tr_tab", on_change="rerun"), VIEWS):
    if tab.open:  # only the open tab computes
        with tab:
            view(shared)
