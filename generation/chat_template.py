"""Render a model's own Jinja chat template (as stored in GGUF metadata or tokenizer_config.json).

Sandboxed Jinja, with the helpers Hugging Face templates expect (raise_exception, strftime_now,
tojson that keeps non-ASCII text). Used by backends that have no tokenizer.apply_chat_template.
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import ChatTemplateError
from .types import Message, Tool


def _raise(message: str) -> None:
    raise ChatTemplateError(message)


@lru_cache(maxsize=8)
def _compile(template: str):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = lambda value, indent=None: json.dumps(value, ensure_ascii=False, indent=indent)
    env.globals["raise_exception"] = _raise
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    return env.from_string(template)


def render(template: str, messages: list[Message], tools: list[Tool] | None = None,
           add_generation_prompt: bool = True, bos_token: str = "", eos_token: str = "") -> str:
    if not template:
        raise ChatTemplateError("this model has no chat template; use raw completion mode")
    try:
        return _compile(template).render(messages=messages, tools=tools or None,
                                         add_generation_prompt=add_generation_prompt,
                                         bos_token=bos_token, eos_token=eos_token)
    except TemplateError as exc:
        raise ChatTemplateError(f"the model's chat template failed: {exc}") from exc
