"""Images & text: CLIP-style alignment. Two locked encoders, projections trained here with CLIP's loss,
a similarity heatmap before and after, zero-shot classification, retrieval both ways, and the loaded
dataset rendered as an image. A real CLIP on the user's disk can stand in for the trained model."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from data import reading
from data.catalog import SAMPLES
from geollm import plots
from multimodal.clip_local import load_hf_clip, load_open_clip
from multimodal.image_pairs import decode_image, render_field
from multimodal.lesson import shared_lesson
from multimodal.lit import heldout_scores, nearest, new_lit, probabilities, similarity, train_on
from pages import _ui

_ui.ensure_frame()
SOURCES = ["LiT: train the projections here", "open_clip model from disk", "transformers CLIPModel folder"]

st.title("🖼️ Images & text: aligning two encoders, CLIP-style")
st.caption("Each modality is tokenised and encoded by its own network; both are projected into one shared space; "
           "a contrastive loss pulls matching image–caption pairs together and pushes the rest apart (CLIP).")
st.info("**What this is:** a LiT-style model — an ImageNet image encoder (EfficientNet-Lite0) and a sentence encoder "
        "(all-MiniLM-L6-v2), both **locked**, with two linear projections and a temperature trained here on a "
        "handful of crops from a dozen pictures. It is not CLIP: it knows only what these pairs teach it.", icon="ℹ️")


@st.cache_resource(show_spinner="Loading the CLIP model from disk…")
def disk_clip(source: str, name: str, path: str, config: str):
    return load_open_clip(name, path, config or None) if source == SOURCES[1] else load_hf_clip(path)


@st.cache_data(show_spinner=False, max_entries=32)
def heatmap_png(matrix: np.ndarray, image_labels: list[str], captions: list[str], title: str) -> bytes:
    """The similarity heatmap as PNG bytes: drawn once per content, so other widgets rerun fast."""
    import io

    import matplotlib.pyplot as plt

    figure = plots.similarity_heatmap(matrix, image_labels, captions, title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=130)
    plt.close(figure)
    return buffer.getvalue()


def show_ranking(where, texts: list[str], probs: np.ndarray, rows: int) -> None:
    """Captions ranked by zero-shot probability, best first."""
    table = pd.DataFrame({"caption": texts, "probability": probs}).sort_values("probability", ascending=False)
    where.dataframe(table.head(rows), hide_index=True, width="stretch",
                    column_config={"probability": st.column_config.ProgressColumn(format="%.2f", min_value=0.0,
                                                                                  max_value=1.0)})


def vectors(which, images: list[np.ndarray], captions: list[str]):
    """Images and captions in `which` model's shared space (tower outputs come from the disk cache)."""
    with st.spinner("Embedding…"):
        return which.embed_images(images), which.embed_texts(captions)


def lesson():
    """The locked towers' features of every crop and caption, computed once per process (and cached on disk),
    with a progress bar while they are."""
    bars = []

    def starting():
        bar = st.progress(0.0, text="Loading the locked towers…")
        bars.append(bar)
        return lambda fraction, message: bar.progress(min(fraction, 1.0),
                                                      text=f"Embedding once, cached on disk — {message}")
    data = shared_lesson(starting)
    for bar in bars:
        bar.empty()
    return data


with _ui.action("The image and text towers could not be loaded", stop=True):
    data = lesson()
pairs, subjects = data.pairs, data.pairs.subjects
for reason in pairs.skipped.values():
    st.warning(f"A picture is missing from the lesson — {_ui.plain(reason)}", icon="⚠️")
heldout_rows = pairs.indices("heldout")

# --- 1. which model ------------------------------------------------------------------------------
source = st.radio("Model", SOURCES, horizontal=True, key="mm_source")
random_model = new_lit(data.towers)
model = None
if source == SOURCES[0]:
    model = st.session_state.get("mm_model")
    with st.expander("🗂️ The training pairs", expanded=False):
        for subject in subjects:
            trained_on = "; ".join(f"“{c}”" for c in subject.captions)
            st.markdown(f"**{subject.label}** — {subject.source}. Captions: {trained_on}. "
                        f"Held-out paraphrase: “{subject.heldout_caption}”.")
        st.image([pairs.images[i] for i in pairs.indices("train")[::8]], width=96)
    c1, c2, c3 = st.columns([1, 1.4, 1])
    steps = c1.slider("Training steps", 50, 1000, 300, 50, key="mm_steps")
    leave_choices = ["(none)"] + [s.label for s in subjects]
    leave = c2.selectbox("Leave one subject out of training", leave_choices, key="mm_leave_out",
                         help="Train without its crops and captions, then see whether the model recognises it.")
    if c3.button("Train the projections", type="primary", key="mm_train"):
        left_out = leave_choices.index(leave) - 1 if leave != "(none)" else None
        bar, chart, seen = st.progress(0.0, text="Training…"), st.empty(), []

        def show(step: int, total: int, loss: float) -> None:
            seen.append(loss)
            bar.progress(step / total, text=f"step {step} of {total} · loss {loss:.3f}")
            if len(seen) % 5 == 1 or step == total:  # redrawing the chart costs more than 10 training steps
                chart.line_chart(pd.DataFrame({"loss (every 10 steps)": seen}), height=180)
        model = train_on(data, leave_out=left_out, steps=steps, progress=show)
        st.session_state.mm_model = model
        bar.empty()
        chart.empty()
else:
    with st.form("mm_clip_form"):
        if source == SOURCES[1]:
            name = st.text_input("open_clip architecture", "ViT-B-32", key="mm_oc_name")
            path = st.text_input("Weights file (e.g. open_clip_pytorch_model.bin)", key="mm_oc_file")
            config = st.text_input("Architecture JSON (only for a custom architecture)", key="mm_oc_config")
        else:
            name, config = "", ""
            path = st.text_input("Folder saved by CLIPModel.save_pretrained (with its processor files)",
                                 key="mm_hf_folder")
        st.form_submit_button("Load")
    if path.strip():
        with _ui.action("Could not load it"):
            _ui.check_readable(path.strip())
            _ui.check_readable(config.strip())
            model = disk_clip(source, name.strip(), path.strip(), config.strip())
            st.success(f"Loaded {_ui.plain(model.name)}.")
    else:
        folder = _ui.weights_folder()
        st.info("Give the path of CLIP files already on this machine; nothing is downloaded."
                + (f" This server reads them only from {_ui.plain(folder)}." if folder else ""))

if model is not None and getattr(model, "losses", None):
    scores, before = heldout_scores(model, data), heldout_scores(random_model, data)
    chance = 1 / len(subjects)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Held-out top-1, trained", f"{scores['all']:.0%}", f"{scores['all'] - before['all']:+.0%} vs random")
    c2.metric("Random projections", f"{before['all']:.0%}", f"chance {chance:.0%}", delta_color="off",
              delta_arrow="off")
    c3.metric("Learned temperature", f"{model.temperature:.3f}", f"started at {random_model.temperature:.3f}",
              delta_color="off", delta_arrow="off")
    c4.metric("Training time", f"{model.train_seconds:.1f} s", f"{len(model.losses)} steps", delta_color="off",
              delta_arrow="off", help="The optimisation alone; drawing the progress bar and chart is not counted.")
    st.line_chart(pd.DataFrame({"ClipLoss": model.losses}), height=160)
    st.caption("Held-out top-1: crops from a region of each picture never trained on, matched against paraphrased "
               "captions never trained on (one per subject). These subjects look very different, so the loss "
               "falls within a few dozen steps; the temperature barely needs to move.")
    if model.left_out:
        label = next(s.label for s in subjects if s.key == model.left_out)
        others = np.mean([v for k, v in scores.items() if k not in ("all", model.left_out)])
        st.warning(f"**{label}** was left out of training. Held-out top-1 on it: **{scores[model.left_out]:.0%}** "
                   f"(other subjects: {others:.0%}). "
                   "A contrastive model only places in the shared space what its pairs showed it; a caption for "
                   "something it never saw lands near whatever it did see.", icon="🙈")

# --- 2. images × captions -------------------------------------------------------------------------
st.subheader("Image × caption similarity")
default_captions = "\n".join(s.heldout_caption for s in subjects)
captions = [c.strip() for c in st.text_area("Captions (one per line)", default_captions, height=140,
                                            key="mm_captions").splitlines() if c.strip()][:30]
upload = st.file_uploader("Add your own image (PNG, JPEG, TIFF, WebP)",
                          type=["png", "jpg", "jpeg", "tif", "tiff", "webp"], key="mm_upload")
first_heldout = [int(heldout_rows[pairs.subject_of[heldout_rows] == s][0]) for s in range(len(subjects))]
images = [pairs.images[i] for i in first_heldout]
labels = [f"{s.label} (held-out)" for s in subjects]
if upload is not None:
    with _ui.action(f"{upload.name} could not be shown (the gallery images are still here)"):
        images.append(decode_image(upload.getvalue()))
        labels.append(f"⬆ {upload.name}")
if not captions:
    st.warning("Type at least one caption.")
    st.stop()


views = [("After training" if source == SOURCES[0] else model.name, model)] if model is not None else []
if source == SOURCES[0]:
    views.append(("Before training: random projections", random_model))
if model is None:
    st.info("Train the projections (or load a CLIP) to see the aligned space.")
for tab, (title, which) in zip(st.tabs([_ui.plain(title) for title, _ in views]) if views else [], views):
    heading = title if title == which.name else f"{title} — {which.name}"
    tab.image(heatmap_png(similarity(*vectors(which, images, captions)), labels, captions, heading))
st.caption("Rows: one held-out crop per subject (and your upload); columns: the captions above. The cyan box marks "
           "each image's most similar caption: a trained model boxes the diagonal.")
active = model or random_model
image_vectors, text_vectors = vectors(active, images, captions)

# --- 3. zero-shot and retrieval -------------------------------------------------------------------
st.subheader("Zero-shot classification and retrieval")
if active is random_model:
    st.caption("Not trained yet: these answers come from random projections.")
c1, c2 = st.columns([1, 2])
chosen = labels.index(c1.selectbox("Image", labels, index=len(labels) - 1, key="mm_image"))
c1.image(images[chosen], width=220)
c1.caption("The locked image tower alone (ImageNet): " +
           ", ".join(f"{name} {p:.0%}" for name, p in data.towers.classify_imagenet(images[chosen], top=3)))
probs = probabilities(active.logit_scale, image_vectors[chosen:chosen + 1], text_vectors)[0]
show_ranking(c2, captions, probs, rows=8)
query = st.text_input("Find images for a caption", "a satellite picture of a storm", key="mm_query")
if query.strip():
    found = nearest(active.embed_texts([query]), image_vectors, k=min(5, len(images)))[0]
    st.image([images[j] for j, _ in found], caption=[_ui.plain(f"{labels[j]} · {score:.2f}") for j, score in found],
             width=150)

# --- 4. the data pages' dataset as an image ---------------------------------------------------------
st.subheader("Your dataset as an image")
grid_pick = _ui.pick_dataset("Gridded dataset", "mm_dataset",
                             [s for s in SAMPLES.values() if s.kind == "grid" and s.available],
                             offer_current=lambda current: current.is_grid,
                             help="A grid loaded on the Summarize or Tools page appears first.")
with _ui.action("Could not draw it", stop=True):
    ds = grid_pick.open()
    variables = [str(v) for v in ds.data_vars if ds[v].ndim >= 2]
    if not variables:
        st.warning("This dataset has no 2-D variable to draw.")
        st.stop()
    variable = st.selectbox("Variable", variables, key="mm_variable")
    with reading(grid_pick.name):
        picture = render_field(plots.field_2d(ds, variable))
c1, c2 = st.columns([1, 2])
c1.image(picture, caption=f"{_ui.plain(variable)}, colour-mapped as an image", width=300)
ranked = probabilities(active.logit_scale, active.embed_images([picture]), text_vectors)[0]
show_ranking(c2, captions, ranked, rows=5)
