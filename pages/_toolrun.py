"""One question answered through the tool loop on a page: live progress, the answer with its ✓/⚠ marks, the trace.

The Tools page and Summarize's follow-ups both run and show a tool turn through here, so a question is run,
checked and traced the same way on both. A turn is a plain dict kept in session state and drawn again on reruns.
"""
from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from generation import Sampling
from pages import _ui
from toolloop import ToolLoop
from toolloop.marks import markdown_with_marks, number_sources, sources_markdown
from toolloop.numbers import Known, check_numbers
from toolloop.record import step_record

TOOLS_PAGE = "pages/tool_calls.py"
PREFILL_KEY = "tools_prefill"  # a question another page sends to the Tools page's question box
QUESTION_KEY = "tools_question"  # the Tools page's question box


def run_turn(model, registry, messages: list[dict], question: str, sampling: Sampling, *, enabled: Iterable[str],
             max_steps: int = 3, answer_mode: str = "plain_result", constrained: bool = False,
             known: Iterable[Known] = (), sources: str = "tool results or your question") -> dict:
    """Run the tool loop on ``messages`` while showing its progress; the finished turn (with "error" saying why
    when the loop failed). ``known`` adds values the answer may quote besides the loop's own (e.g. the prompt's
    facts), and ``sources`` names them all in the numbers check."""
    status, live, notice = st.empty(), st.empty(), st.empty()
    steps = []
    try:
        loop = ToolLoop(model, registry, messages, sampling, enabled=set(enabled), max_steps=int(max_steps),
                        answer_mode=answer_mode, constrained=constrained, on_wait=_ui.queue_notice(notice))
        text = ""
        notice.caption("Waiting for the model…")
        for kind, item in loop.run():
            notice.empty()
            if kind == "text":
                text += item
                live.code(text + "▌", language=None, wrap_lines=True)  # code: shown as written
            elif kind == "step":
                calls = ", ".join(c.name for c in item.calls)
                status.info(f"Step {item.index + 1}: " + (f"ran {calls}" if calls else "answering"))
                text = ""
                steps.append(item)
    except Exception as exc:  # noqa: BLE001 - the turn's error boundary: the page shows why, the chat stays
        for slot in (status, live, notice):
            slot.empty()
        return {"question": question, "answer": "", "error": _ui.failure("The tool loop failed", exc),
                "computed": False, "untraced": 0, "steps": []}
    status.empty()
    live.empty()
    checked = check_numbers(loop.answer, [*loop.known(), *known])
    traced = sum(c.found for c in checked)
    return {
        "question": question,
        "answer": loop.answer,
        "answer_md": markdown_with_marks(loop.answer, checked),
        "numbers": number_sources(checked),
        "check": (f"Numbers: ✓ {traced} traced to {sources} · ⚠ {len(checked) - traced} not traced or said of "
                  f"something else · ended by: {loop.stopped} after {len(steps)} step(s)"),
        "computed": any(r.ok for s in steps for r in s.results),
        "untraced": len(checked) - traced,
        "steps": [{**step_record(s), "stats": _ui.stats_line(s.stats) if s.stats else ""} for s in steps],
    }


def render_answer(turn: dict) -> None:
    """The answer with its marks, the numbers check, and the trace (or why the loop failed)."""
    if turn.get("error"):
        st.error(_ui.plain(turn["error"]))
        return
    st.markdown(turn.get("answer_md") or markdown_with_marks(turn["answer"], []))  # a turn kept from older code
    st.caption(turn["check"])
    render_sources(turn.get("numbers", []))
    render_trace(turn["steps"])


def render_sources(numbers: list[dict]) -> None:
    """Where each checked number of an answer comes from (or why it has a ⚠), folded under the answer."""
    if numbers:
        with st.expander("Where each number comes from", expanded=False):
            st.markdown(sources_markdown(numbers))


def render_trace(steps: list[dict]) -> None:
    """One expander per step: the model's text, each parsed call, and its result or why it was refused."""
    for step in steps:
        title = f"Step {step['index'] + 1}: " + (", ".join(c["name"] or "unreadable call" for c in step["calls"])
                                                 or "answer")
        with st.expander(_ui.plain(title), expanded=False):
            st.markdown("**Model text**" + (" (grammar-constrained)" if step["constrained"] else "")
                        + ("" if step["tools_offered"] else " (tools not offered)"))
            st.code(step["text"] or "(empty)", language=None, wrap_lines=True)
            for call, result in zip(step["calls"], step["results"]):
                st.markdown(f"**Parsed call** {_ui.plain(call['name'])} with arguments")
                st.json(call["arguments"], expanded=True)
                if result["ok"]:
                    st.markdown(f"**Result** ✓ ({result['duration_s'] * 1000:.1f} ms)")
                    st.code(result["text"], language="json", wrap_lines=True)
                else:
                    st.markdown("**Refused or failed** — sent back to the model:")
                    st.warning(_ui.plain(result["error"]))
            st.caption(step["stats"])


def open_in_tools(question: str, key: str) -> None:
    """A button that opens the Tools page on the loaded dataset, with ``question`` in its question box."""
    if st.button("🧮 Ask it on the Tools page", key=key, help="Opens the Tools page with this question filled in, "
                 "where you can choose the tools, the model and the loop's settings."):
        st.session_state[PREFILL_KEY] = question
        st.session_state.pop("tools_dataset", None)  # the Tools page then starts on the loaded dataset
        st.switch_page(TOOLS_PAGE)


def take_prefill() -> None:
    """On the Tools page, before its question box: put a question sent from another page into it."""
    question = st.session_state.pop(PREFILL_KEY, None)
    if question:
        st.session_state[QUESTION_KEY] = question
