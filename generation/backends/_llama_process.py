"""llama.cpp's own `llama-server` as a child process: its command line, start, health wait, log, death and restart.

The llama-server backend runs one for its model on 127.0.0.1; `python -m generation serve` (`make serve`) runs
one in the foreground for other machines to point at. The binary is the one `make` builds from the same
vendored llama.cpp source as llama-cpp-python (generation/llama_build.py). It gets the in-process backend's
settings: threads (threads.cpu_threads), context per sequence (GEOLLM_N_CTX), flash attention
(GEOLLM_FLASH_ATTN) and RAM prompt cache (GEOLLM_PROMPT_CACHE_MB); GEOLLM_SERVER_SLOTS (default 1) sets how
many requests it computes at once, each slot with the full context. Its output goes to
<cache>/logs/llama-server-<model>.log.

A child must not outlive the app: close() and an atexit hook stop it, and on Linux it gets PR_SET_PDEATHSIG
(killed when the app dies, even by kill -9). That signal follows the *thread* that forked the child, and
Streamlit runs each script run on a thread that ends, so every child is forked by one long-lived thread.
Private (leading underscore): it defines no backend.
"""
from __future__ import annotations

import atexit
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..backend import Progress
from ..errors import BackendUnavailable, ServerError
from ..llama_build import tool_paths
from ..provision import cache_dir
from .llamacpp import flash_attention, prompt_cache_mb
from .threads import cpu_threads

log = logging.getLogger("generation.llama_server")
START_TIMEOUT_S = float(os.environ.get("GEOLLM_SERVER_START_S", "180"))
LOG_LIMIT = 8 * 2**20  # a log past this size starts again empty at the next start
PR_SET_PDEATHSIG = 1
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama-server-spawner")  # lives until exit
_LIVE: weakref.WeakSet[LlamaServerProcess] = weakref.WeakSet()


def binary() -> Path:
    """The llama-server of this machine's build; BackendUnavailable (saying how to build it) when missing."""
    path = tool_paths()["llama-server"]
    if not path.is_file():
        raise BackendUnavailable(f"llama-server is not built yet (expected at {path}). Build it with `make llama` "
                                 "(or: python -P generation/llama_build.py install .venv)")
    return path


def server_slots() -> int:
    """How many requests the server computes at once (GEOLLM_SERVER_SLOTS, default 1)."""
    value = os.environ.get("GEOLLM_SERVER_SLOTS", "1").strip() or "1"
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise ValueError(f"GEOLLM_SERVER_SLOTS must be a whole number from 1 to 64, got {value!r}")
    return int(value)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def how_it_ended(returncode: int, last_line: str = "") -> str:
    """'signal 9' or 'exit code 1: <its last log line>'."""
    if returncode < 0:
        return f"signal {-returncode}"
    return f"exit code {returncode}" + (f": {last_line}" if last_line else "")


class LlamaServerProcess:
    """One llama-server serving one GGUF; start() (again after a death) waits until /health says ready."""

    def __init__(self, gguf: Path, alias: str, context: int, host: str = "127.0.0.1", port: int = 0,
                 slots: int | None = None) -> None:
        self.gguf, self.alias, self.context, self.host = gguf, alias, context, host
        self.port = port or free_port()
        self.slots = slots or server_slots()
        self.log_path = cache_dir() / "logs" / f"llama-server-{alias}.log"
        self.proc: subprocess.Popen | None = None
        self.starts = 0  # how many times it was started: a client's pooled connections die with the child
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The OpenAI-compatible base URL."""
        return f"http://{self.host}:{self.port}/v1"

    def command(self) -> list[str]:
        threads = cpu_threads()
        return [str(binary()), "--model", str(self.gguf), "--alias", self.alias, "--host", self.host,
                "--port", str(self.port), "--parallel", str(self.slots), "--kv-unified-per-slot", str(self.context),
                "--threads", str(threads), "--threads-batch", str(threads), "--batch-size", "512",
                "--flash-attn", "on" if flash_attention() else "off", "--cache-ram", str(prompt_cache_mb()),
                "--no-webui"]

    def start(self, progress: Progress | None = None) -> None:
        """Start the child and wait until it serves; a ServerError (quoting its log) when it cannot."""
        command = self.command()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        mode = "w" if self.log_path.exists() and self.log_path.stat().st_size > LOG_LIMIT else "a"
        with open(self.log_path, mode) as log_file:
            log_file.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command)}\n")
            log_file.flush()
            self.proc = _spawn(command, log_file)
        self.starts += 1
        _LIVE.add(self)
        self._wait_ready(progress)

    def _wait_ready(self, progress: Progress | None) -> None:
        import httpx

        local = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        start = time.monotonic()
        while (waited := time.monotonic() - start) < START_TIMEOUT_S:
            if progress:
                progress(min(waited / 30, 0.99), f"Starting llama-server for {self.alias} ({waited:.0f} s)")
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise ServerError(f"llama-server exited while loading {self.gguf.name} "
                                  f"({how_it_ended(self.proc.returncode, self.last_log_line())}); log: {self.log_path}")
            try:
                if httpx.get(f"http://{local}:{self.port}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise ServerError(f"llama-server did not become ready within {START_TIMEOUT_S:.0f} s; log: {self.log_path}")

    def last_log_line(self) -> str:
        """The last non-empty line the child wrote (for a message), cut to 200 characters."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(max(f.seek(0, os.SEEK_END) - 4096, 0))
                lines = [line.strip() for line in f.read().decode(errors="replace").splitlines() if line.strip()]
        except OSError:
            return ""
        return lines[-1][:200] if lines else ""

    def ensure_running(self) -> subprocess.Popen:
        """The running child; one that died since the last request is started again first."""
        with self._lock:
            if self.proc is None or self.proc.poll() is not None:
                if self.proc is not None:
                    log.warning("llama-server for %s had stopped (%s); starting it again", self.alias,
                                how_it_ended(self.proc.returncode, self.last_log_line()))
                self.start()
            assert self.proc is not None
            return self.proc

    def restarted_after(self, proc: subprocess.Popen) -> str:
        """After a request on `proc` lost its connection: "" if that child is alive (the request's own error
        stands); if it died, how it ended ("signal 9"), having started a new one (once, whoever asks first),
        or a ServerError when the new one cannot start."""
        try:
            returncode = proc.wait(timeout=2)  # a killed child closes its sockets a moment before it is reaped
        except subprocess.TimeoutExpired:
            return ""
        how = how_it_ended(returncode, self.last_log_line())
        with self._lock:
            if self.proc is proc:
                log.warning("llama-server for %s stopped during a request (%s); starting it again", self.alias, how)
                try:
                    self.start()
                except ServerError as exc:
                    raise ServerError(f"The model server stopped ({how}) and could not be restarted: {exc}") from exc
        return how

    def stop(self) -> None:
        """Stop the child (terminate, then kill after 10 s) and wait for it."""
        proc, self.proc = self.proc, None
        _LIVE.discard(self)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def wait(self) -> int:
        """Wait for the child to end (the foreground server of `make serve`); its return code."""
        assert self.proc is not None
        return self.proc.wait()


def _death_signal() -> Callable[[], None] | None:
    """A preexec function that has the kernel kill the child when its forking thread dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # resolved here, not between fork and exec
    return lambda: libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _spawn(command: list[str], log_file) -> subprocess.Popen:
    """Fork on the spawner thread (see the module's docstring), in a session of its own: a terminal's Ctrl+C
    reaches the app, which stops the child itself."""
    def popen() -> subprocess.Popen:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                                start_new_session=True, preexec_fn=_death_signal())

    return _SPAWNER.submit(popen).result()


@atexit.register
def _stop_all() -> None:
    for process in list(_LIVE):
        process.stop()
