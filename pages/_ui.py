"""Widgets and state shared by the pages: the active model, loading it with progress, run statistics, the one
error boundary of every page action (`action`), plain-text rendering of strings that come from files (`plain`),
the session's current dataset (`current_dataset`) and the one dataset picker of every page (`pick_dataset`).

Pages stay UI-only: they read widgets, call the generation core through these helpers, and render.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import streamlit as st

import data
from data.catalog import Sample
from generation import POOL, Catalog, GenerationError, SharedModel, Stats, backend_available, load_models
from generation.backends.threads import cpu_threads
from generation.provision import cache_dir, weights_status
from generation.registry import DEFAULT_MODEL_ID
from geollm.failures import cause
from geollm.session import SAMPLE_PREFIX, UPLOAD_PREFIX, CurrentDataset
from toolloop.marks import markdown_with_marks, plain  # noqa: F401 - plain: the pages' escaper, as _ui.plain

log = logging.getLogger("geollm.pages")


def model_markdown(slot, text: str, cursor: str = "") -> None:
    """Model text in `slot`, made inert like a checked answer (no HTML, no remote images), e.g. while streaming."""
    slot.markdown(markdown_with_marks(text, []) + cursor)


def failure(what: str, exc: BaseException) -> str:
    """One line for a failed action ("<what>: <cause>"); the traceback goes to the server log only."""
    log.warning("%s", what, exc_info=exc)
    return f"{what}: {cause(exc)}"


@dataclass
class Attempt:
    """What an action is doing (its words may change as it goes) and, once it failed, why."""
    what: str
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@contextmanager
def action(what: str, *, show: bool = True, stop: bool = False) -> Iterator[Attempt]:
    """The error boundary of one page action: any failure inside becomes one clear st.error line (unless
    `show` is False: then only attempt.error says it) and the page goes on (or stops, with `stop`).
    Streamlit's own stop and rerun are BaseExceptions, so they pass through."""
    attempt = Attempt(what)
    try:
        yield attempt
    except Exception as exc:  # noqa: BLE001 - the boundary: every failure becomes a message
        attempt.error = failure(attempt.what, exc)
        if show:
            st.error(plain(attempt.error))
        if stop:
            st.stop()


LOCAL_ADDRESSES = {"127.0.0.1", "localhost", "::1"}


def weights_folder() -> Path | None:
    """The only folder CLIP files may be read from, or None when any path may be: a server that listens beyond
    this machine (a LAN classroom, server.address 0.0.0.0 or unset) must not read whatever path a visitor types."""
    address = str(st.get_option("server.address") or "").strip().lower()
    if address in LOCAL_ADDRESSES:
        return None
    return Path(os.environ.get("GEOLLM_WEIGHTS_DIR") or cache_dir()).expanduser().resolve()


def check_readable(path: str) -> None:
    """Refuse (ValueError) a path outside the allowed folder when the app is served on the network."""
    folder = weights_folder()
    if folder is not None and path and not Path(path).expanduser().resolve().is_relative_to(folder):
        raise ValueError(f"this app is served on the network, so it reads CLIP files only from {folder} "
                         "(set GEOLLM_WEIGHTS_DIR on the server to choose that folder); the path given is outside it")


def ensure_frame() -> None:
    """Route a page through the app's frame even when the first visitor of a fresh server opens its URL.

    Streamlit treats a `pages/` folder as a legacy multipage app until some session has run
    st.navigation; a page opened directly then runs without the frame (no sidebar, legacy menu).
    Each page calls this first: it switches the server to st.navigation and reruns, once per session
    (AppTest starts every run in legacy mode; rerunning each time would drop its button clicks).
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if not st.session_state.get("_framed"):
            st.session_state["_framed"] = True
            st.rerun()


@st.cache_resource(show_spinner=False)
def catalog() -> Catalog:
    return load_models()


@st.cache_resource(show_spinner=False)
def pool():
    """The process-wide model pool: one instance of a model for every browser session."""
    return POOL


def selected() -> tuple[str, str]:
    """(model id, backend name) chosen in the sidebar."""
    models = catalog().models
    model_id = st.session_state.get("model_id", os.environ.get("GEOLLM_MODEL", DEFAULT_MODEL_ID))
    model_id = model_id if model_id in models else next(iter(models))
    backends = models[model_id].backends
    backend = st.session_state.get("backend") or os.environ.get("GEOLLM_BACKEND", backends[0])
    return model_id, backend if backend in backends else backends[0]


def active_model() -> SharedModel | None:
    """Load (once per process) and return the sidebar's model; on failure show why and return None."""
    return load_model(*selected())


def loaded_model() -> SharedModel | None:
    """The sidebar's model if it is already in memory (never loads it), else None."""
    model_id, backend = selected()
    return pool().get(catalog().get(model_id), backend) if (model_id, backend) in pool().loaded() else None


def load_model(model_id: str, backend: str) -> SharedModel | None:
    """Load (once per process) and return a model on a backend, with a progress bar; on failure show why."""
    spec = catalog().get(model_id)
    if (model_id, backend) in pool().loaded():
        return pool().get(spec, backend)
    bar = st.progress(0.0, text=f"Preparing {model_id} on {backend}…")
    try:
        return pool().get(spec, backend, lambda f, msg: bar.progress(min(max(f, 0.0), 1.0), text=msg))
    # the core's own failures, and what an engine raises while it reads weights (not wrapped by the core)
    except (GenerationError, ValueError, RuntimeError, OSError, MemoryError) as exc:
        st.error(plain(failure(f"Could not load {model_id} on {backend}", exc)))
        return None
    finally:
        bar.empty()


def queue_notice(slot):
    """An on_wait callback that tells the user, in plain words, how many generations are ahead and how long."""
    return lambda ahead, seconds: slot.info(f"⏳ {wait_words(ahead, seconds)}")


def wait_words(ahead: int, seconds: float) -> str:
    """'2 ahead of you, about 40 s' in a sentence (the scheduler's estimate, from this model's recent speed)."""
    when = f"about {seconds:.0f} s" if seconds >= 1 else "less than a second"
    return (f"Other sessions are using this model: {ahead} ahead of you, {when} to wait. "
            "Your text starts as soon as it is your turn.")


def stats_line(stats: Stats) -> str:
    cached = f" ({stats.cached_tokens} from cache)" if stats.cached_tokens else ""
    pauses = stats.extra.get("pauses", 0)
    paused = f" (paused {pauses}× so others' requests could start)" if pauses else ""
    waited = f"waited {stats.queued_s:.1f} s for the model{paused} · " if stats.queued_s >= 0.1 or pauses else ""
    return (f"{waited}first token {stats.time_to_first_token_s:.2f} s · prompt {stats.prompt_tokens} tokens{cached}, "
            f"prefill {stats.prefill_tokens_per_s:.0f} tok/s · {stats.generated_tokens} new tokens at "
            f"{stats.decode_tokens_per_s:.1f} tok/s · {stats.finish_reason or 'done'}")


def health() -> dict[str, str]:
    """What the sidebar and Home show about this process."""
    model_id, backend = selected()
    mem = psutil.virtual_memory()
    rss = psutil.Process().memory_info().rss
    loaded = pool().loaded()
    return {
        "model": model_id,
        "weights": weights_status(catalog().get(model_id)),
        "backend": backend + ("" if backend_available(backend) else " (not installed)"),
        "loaded": ", ".join(f"{m} on {b}" for m, b in loaded) or "nothing yet (loads on first use)",
        "threads": str(cpu_threads()),
        "memory": f"app {rss / 2**30:.1f} GiB · free {mem.available / 2**30:.1f} of {mem.total / 2**30:.0f} GiB",
    }


# --- the current dataset and the dataset picker ---------------------------------------------------
DATASET_KEY = "dataset"  # session state: the CurrentDataset the pages share
LOADED = "loaded:"  # a picker's value for the current dataset: "loaded:" + its key
SOURCES = ("Sample", "Upload a file")


def current_dataset() -> CurrentDataset | None:
    """The dataset this session opened last (on Summarize), or None."""
    return st.session_state.get(DATASET_KEY)


def set_current_dataset(dataset: CurrentDataset) -> None:
    st.session_state[DATASET_KEY] = dataset


@dataclass(frozen=True)
class Uploads:
    """A picker's second source: the "Data" radio (`source_key`) that switches to a file uploader (`key`)."""
    label: str
    key: str
    source_key: str
    max_bytes: int


@dataclass(frozen=True)
class Pick:
    """What a dataset picker holds. `value` is the widget's value (a sample id, "loaded:<key>", or "" for
    nothing); `key` the CurrentDataset key it opens as ("sample:<id>", "upload:<file id>", the current one's)."""
    value: str = ""
    key: str = ""
    name: str = ""
    note: str = ""
    sample: Sample | None = None
    opener: Callable[[], Any] | None = None
    from_upload: bool = False  # the upload source is showing (with or without a file)

    def open(self) -> Any:
        """The dataset (None for nothing): the current one as it is, or a sample or upload opened now."""
        return self.opener() if self.opener else None


def pick_dataset(label: str, key: str, samples: Iterable[Sample], *, none: str | None = None,
                 offer_current: Callable[[CurrentDataset], bool] | None = None, prefix: str = "sample: ",
                 uploads: Uploads | None = None, help: str | None = None) -> Pick:
    """The dataset picker of every page: a selectbox of `samples` by id (titled `prefix` + title), preceded by
    `none` (a label for picking nothing) and by the current dataset when `offer_current` accepts it; with
    `uploads`, a radio first switches to a file uploader. It starts on the current dataset when it can."""
    current = current_dataset()
    if uploads is not None:
        if uploads.source_key not in st.session_state:  # back from another page: show what is loaded
            st.session_state[uploads.source_key] = SOURCES[1] if current and current.is_upload else SOURCES[0]
        if st.radio("Data", SOURCES, horizontal=True, key=uploads.source_key) == SOURCES[1]:
            return _pick_upload(uploads)
    by_id = {s.id: s for s in samples}
    offered = current is not None and offer_current is not None and offer_current(current)
    options = ([""] if none is not None else []) + ([LOADED + current.key] if offered else []) + list(by_id)
    if key not in st.session_state:  # start on the current dataset: offered as such, or as its sample
        start = LOADED + current.key if offered else current.sample_id if current else None
        if start in options:
            st.session_state[key] = start

    def title(value: str) -> str:
        if value.startswith(LOADED):
            return f"loaded: {current.name}"
        if value in by_id:
            return prefix + by_id[value].title + ("" if by_id[value].available else " (unavailable)")
        return none or ""
    value = st.selectbox(label, options, key=key, format_func=title, help=help)
    if value in by_id:
        sample = by_id[value]
        return Pick(value, SAMPLE_PREFIX + value, sample.title, sample.licence, sample,
                    lambda: data.open_sample(value))
    if offered and value == LOADED + current.key:
        return Pick(value, current.key, current.name, current.note, opener=lambda: current.obj)
    return Pick(value)


def _pick_upload(uploads: Uploads) -> Pick:
    upload = st.file_uploader(uploads.label, key=uploads.key)
    if upload is None:
        return Pick(from_upload=True)
    return Pick(UPLOAD_PREFIX + upload.file_id, UPLOAD_PREFIX + upload.file_id, upload.name, from_upload=True,
                opener=lambda: data.open_upload(upload.name, upload.getvalue(), uploads.max_bytes))
