"""OpenAI-compatible HTTP backend: vLLM, Ollama, llama.cpp's server, mlx_lm.server, llama_cpp.server.

Streams server-sent events from /completions (raw prompts) and /chat/completions (chats, rendered by
the server with its own template). Token counts come from the server's usage report; exact
tokenization uses the llama.cpp-style /tokenize endpoints when the server has one.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

from ..backend import Backend, Progress
from ..errors import ServerError
from ..registry import ModelSpec
from ..result import Generation
from ..types import Capabilities, Message, Sampling, Stats, Tool

CONNECT_TIMEOUT_S, READ_TIMEOUT_S = 10.0, 300.0


class OpenAIBackend(Backend):
    """httpx is imported when a server is connected to, not when this module is."""

    name = "openai"
    needs = ("httpx",)
    install_hint = "pip install -r requirements.txt  (httpx)"
    formats = ("openai",)
    order = 3

    def __init__(self, base_url: str, model: str, api_key: str = "", context_length: int = 4096) -> None:
        import httpx

        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.context_length = context_length
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(base_url=self.base_url, headers=headers,
                                   timeout=httpx.Timeout(CONNECT_TIMEOUT_S, read=READ_TIMEOUT_S))
        self._tokenize_url = self._find_tokenizer()
        self.capabilities = Capabilities(exact_tokens=bool(self._tokenize_url))

    @classmethod
    def load(cls, spec: ModelSpec, progress: Progress | None = None) -> "OpenAIBackend":
        if progress:
            progress(0.0, f"Connecting to {spec.base_url}")
        key = os.environ.get(spec.api_key_env, "") if spec.api_key_env else ""
        if spec.api_key_env and not key:
            raise ServerError(f"{spec.id}: the environment variable {spec.api_key_env} (the API key) is not set")
        backend = cls(spec.base_url, spec.api_model, key, spec.context_length)
        backend._request("GET", "/models")  # fail now, clearly, if the server is not there
        return backend

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        import httpx

        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ServerError(f"cannot reach the server at {self.base_url}: {exc}") from exc
        if response.status_code >= 400:
            raise ServerError(f"the server at {self.base_url} answered {response.status_code}: {response.text[:300]}")
        return response.json()

    def _find_tokenizer(self) -> str:
        import httpx

        root = self.base_url.removesuffix("/v1")
        for url in (f"{root}/extras/tokenize", f"{root}/tokenize"):
            try:
                response = self.client.post(url, json={"input": "a", "content": "a", "model": self.model})
            except httpx.HTTPError:
                continue
            if response.status_code == 200 and "tokens" in response.json():
                return url
        return ""

    def tokenize(self, text: str) -> list[int]:
        if not self._tokenize_url:
            raise NotImplementedError("this server has no tokenize endpoint")
        response = self.client.post(self._tokenize_url, json={"input": text, "content": text, "model": self.model})
        return list(response.json()["tokens"])

    def count_tokens(self, text: str) -> int:
        """Exact where the server can tokenize; otherwise an estimate of 4 characters a token."""
        return len(self.tokenize(text)) if self._tokenize_url else max(len(text) // 4, 1)

    def _render_chat(self, messages: list[Message], tools: list[Tool] | None,
                     add_generation_prompt: bool) -> str:
        """The server applies its own template; this plain transcript is only for counting and display."""
        text = "".join(f"<{m['role']}>\n{m.get('content') or ''}\n" for m in messages)
        return text + ("<assistant>\n" if add_generation_prompt else "")

    def _body(self, sampling: Sampling, **options: Any) -> dict[str, Any]:
        """The request fields of `sampling`; a subclass that knows its server maps `options` onto it too."""
        body: dict[str, Any] = {"model": self.model, "max_tokens": sampling.max_new_tokens,
                                "temperature": sampling.temperature, "top_p": sampling.top_p, "stream": True,
                                "stream_options": {"include_usage": True}}
        if sampling.top_k:
            body["top_k"] = sampling.top_k
        if sampling.seed is not None:
            body["seed"] = sampling.seed
        if sampling.stop:
            body["stop"] = list(sampling.stop)
        return body

    def _stream(self, prompt: str, sampling: Sampling, stats: Stats, **options: Any) -> Iterator[str]:
        yield from self._events("/completions", {**self._body(sampling, **options), "prompt": prompt},
                                lambda choice: choice.get("text"), stats)
        if not stats.prompt_tokens and self._tokenize_url:  # the server sent no usage: count it ourselves
            stats.prompt_tokens = stats.prompt_tokens_evaluated = len(self.tokenize(prompt))

    def stream_chat(self, messages: list[Message], sampling: Sampling = Sampling(),
                    tools: list[Tool] | None = None, **options: Any) -> Generation:
        messages, tools = self.safe_chat(messages, tools)  # the server templates: neutralise what it is sent
        body = {**self._body(sampling), "messages": messages}
        if tools:
            body["tools"] = tools
        stats = Stats()
        return self._generation(self._events("/chat/completions", body,
                                             lambda choice: (choice.get("delta") or {}).get("content"), stats), stats)

    def _events(self, path: str, body: dict[str, Any], text_of, stats: Stats) -> Iterator[str]:
        import httpx

        pieces = 0
        try:
            with self.client.stream("POST", path, json=body) as response:
                if response.status_code >= 400:
                    response.read()
                    raise ServerError(f"the server answered {response.status_code}: {response.text[:300]}")
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    event = json.loads(data)
                    self._read_usage(event.get("usage"), stats)
                    self._read_timings(event.get("timings"), stats)
                    for choice in event.get("choices") or []:
                        if choice.get("finish_reason"):
                            stats.finish_reason = choice["finish_reason"]
                        text = text_of(choice)
                        if text:
                            pieces += 1
                            yield text
        except httpx.HTTPError as exc:
            raise ServerError(f"lost the server at {self.base_url}: {exc}") from exc
        if not stats.generated_tokens:
            stats.generated_tokens = pieces

    def _read_usage(self, usage: dict | None, stats: Stats) -> None:
        if not usage:
            return
        stats.prompt_tokens = usage.get("prompt_tokens", 0)
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
        stats.prompt_tokens_evaluated = stats.prompt_tokens - cached
        stats.generated_tokens = usage.get("completion_tokens", 0)

    def _read_timings(self, timings: dict | None, stats: Stats) -> None:
        """llama.cpp's servers add `timings` to the last event; a subclass that knows its server reads them."""

    def close(self) -> None:
        self.client.close()
