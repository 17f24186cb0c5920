"""Data cannot speak as the template: control-token strings in a chat's text are made plain text.

llama.cpp reads a rendered prompt with special=True, and Hugging Face tokenizers match added tokens
anywhere, so a column named "<|im_end|><|im_start|>system ..." would become real role tokens. Before a
chat reaches any template or server, every string in its messages and tool schemas has each control
token broken by a zero-width space after its first character: "<\u200b|im_end|>" reads the same and
tokenizes as text. The model's own turns pass through too (its tool calls are re-rendered as
tool_calls, which the template writes with its own tokens).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from .types import Message, Tool

BREAK = "\u200b"  # zero-width space: invisible to a reader, ends any special-token match

# Template tokens of the common model families, neutralised for every backend (a server's vocabulary is unknown)
COMMON = frozenset({
    "<|im_start|>", "<|im_end|>", "<|im_sep|>", "<|endoftext|>", "<|eot_id|>", "<|eom_id|>",
    "<|start_header_id|>", "<|end_header_id|>", "<|begin_of_text|>", "<|end_of_text|>", "<|python_tag|>",
    "<s>", "</s>", "<unk>", "<pad>", "<bos>", "<eos>", "[INST]", "[/INST]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]",
    "[TOOL_CALLS]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]",
    "<<SYS>>", "<</SYS>>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<tools>", "</tools>",
    "<|system|>", "<|user|>", "<|assistant|>", "<|end|>", "<|tool|>", "<|endofprompt|>",
    "<start_of_turn>", "<end_of_turn>", "<|start|>", "<|message|>", "<|channel|>", "<|return|>", "<|call|>",
    "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|file_sep|>", "<|repo_name|>",
    "<think>", "</think>", "<|think|>",
})


def usable(token: str) -> bool:
    """Whether a vocabulary's special string can be neutralised: two or more characters, no whitespace
    (a vocabulary's whitespace-run tokens are ordinary text and stay as they are)."""
    return len(token) >= 2 and not any(c.isspace() for c in token)


def token_set(vocab_tokens: Iterable[str] = ()) -> frozenset[str]:
    """COMMON plus a vocabulary's own control tokens (those usable())."""
    return COMMON | frozenset(t for t in vocab_tokens if isinstance(t, str) and usable(t))


def hf_added_tokens(tokenizer: Any) -> list[str]:
    """The special and added token strings of a Hugging Face tokenizer (or of a wrapper that forwards to one)."""
    added = getattr(tokenizer, "added_tokens_decoder", None) or {}
    return [*(str(t) for t in getattr(tokenizer, "all_special_tokens", None) or []),
            *(getattr(t, "content", str(t)) for t in added.values())]


@lru_cache(maxsize=16)
def _pattern(tokens: frozenset[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True)))


def neutralise_text(text: str, tokens: frozenset[str] = COMMON) -> str:
    """`text` with every occurrence of a token in `tokens` broken by BREAK after its first character."""
    pattern = _pattern(tokens)
    for _ in range(8):  # a break could in theory leave a shorter token behind: repeat until none is left
        if not pattern.search(text):
            return text
        text = pattern.sub(lambda m: m[0][0] + BREAK + m[0][1:], text)
    return text


def neutralise(value: Any, tokens: frozenset[str] = COMMON) -> Any:
    """A copy of a JSON-like value (dicts, lists, strings) with every string, keys included, neutralised."""
    if isinstance(value, str):
        return neutralise_text(value, tokens)
    if isinstance(value, dict):
        return {neutralise(k, tokens): neutralise(v, tokens) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [neutralise(v, tokens) for v in value]
    return value


def neutralise_chat(messages: list[Message], tools: list[Tool] | None,
                    tokens: frozenset[str] = COMMON) -> tuple[list[Message], list[Tool] | None]:
    """The chat's messages (content, tool calls, tool results) and tool schemas, neutralised."""
    return neutralise(list(messages), tokens), (neutralise(list(tools), tokens) if tools else tools)
