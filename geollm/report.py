"""The Markdown report of a summary (the Summarize page's download): the conversation, then the exact prompt
and the computed facts it stated. Pure text in, text out."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from encoders import Encoding


def summary_report(name: str, chat: Iterable[Mapping[str, Any]], encoding: Encoding) -> str:
    """`chat` (messages with "role" and "content") of the dataset `name`, with the prompt and facts of `encoding`."""
    facts = "\n".join(f"| {f.key} | {f.text or f.value} | {f.unit} |" for f in encoding.facts)
    turns = "\n\n".join(f"**{m['role']}:** {m['content']}" for m in chat)
    return (f"# Summary of {name}\n\n{turns}\n\n---\n## Prompt ({encoding.strategy}, "
            f"{encoding.tokens} tokens)\n\n```\n{encoding.text}\n```\n\n## Facts\n\n| key | value | unit |\n"
            f"|---|---|---|\n{facts}\n")
